//! ORDER BY that a scan answers itself, so no sort is needed and a LIMIT
//! stops the scan after the rows it returns, as in SQLite:
//!
//! * rows of a rowid table come out of its primary-key scan in rowid order:
//!   `SELECT * FROM orders ORDER BY id DESC LIMIT 10` reads 10 rows;
//! * rows read through an index come out in the index's order:
//!   `WHERE category = ? ORDER BY sales_count DESC LIMIT 10` with an index
//!   on `(category, sales_count)` reads 10 index entries, and
//!   `ORDER BY ts DESC LIMIT 10` with an index on `ts` reads the index
//!   backwards instead of the whole table (only with a LIMIT: reading a whole
//!   table through an index costs a lookup per row, more than sorting it).
//!
//! Indexes hold the present only; a read of the past (`AS OF`) goes through
//! the primary key. So an index order is a promise the executor checks when
//! the statement runs: the sort stays in the plan, marked `presorted`, and is
//! skipped only when the scan does read the index.

use crate::catalog::TableDef;
use crate::sql::expr::Expr;
use crate::sql::plan::{Access, KeyAccess, Plan, ScanPlan, SortKey, Temporal};
use crate::types::DataType;

/// `Sort { input, keys }`, without the sort when the scan under `input`
/// already yields rows in that order (reading backwards for DESC), or marked
/// `presorted` when an index gives that order. `limited`: a LIMIT follows,
/// so reading a whole table through an index pays.
pub(super) fn sort_or_scan_order(input: Plan, keys: Vec<SortKey>, limited: bool) -> Plan {
    let mut input = input;
    let cols: Option<Vec<usize>> =
        keys.iter().map(|k| if let Expr::Column(c) = k.expr { Some(c) } else { None }).collect();
    if let Some(cols) = cols {
        if let Some((scan, table_cols)) = scan_under(&mut input, &cols) {
            if let ([col], [key]) = (table_cols.as_slice(), keys.as_slice()) {
                if rowid_in_order(scan, *col) {
                    scan.reverse = key.desc;
                    return input;
                }
            }
            if index_order(scan, &table_cols, &keys, limited) {
                return Plan::Sort { input: Box::new(input), keys, presorted: true };
            }
        }
    }
    Plan::Sort { input: Box::new(input), keys, presorted: false }
}

/// The scan under a chain of projections and filters, and the table column
/// each of `cols` (output columns of `plan`) reads, when every one is a plain column.
fn scan_under<'p>(plan: &'p mut Plan, cols: &[usize]) -> Option<(&'p mut ScanPlan, Vec<usize>)> {
    match plan {
        Plan::Project { input, exprs } => {
            let inner: Option<Vec<usize>> = cols
                .iter()
                .map(|c| match exprs.get(*c) {
                    Some(Expr::Column(i)) => Some(*i),
                    _ => None,
                })
                .collect();
            scan_under(input, &inner?)
        }
        Plan::Filter { input, .. } => scan_under(input, cols),
        // A history scan (VERSIONS BETWEEN) yields several versions per key.
        Plan::Scan(sp) if !matches!(sp.temporal, Some(Temporal::History { .. })) && !sp.with_scn => {
            Some((sp, cols.to_vec()))
        }
        _ => None,
    }
}

/// Whether `col` is the rowid of a rowid table and the scan reads rowids in order.
fn rowid_in_order(sp: &ScanPlan, col: usize) -> bool {
    let t = &sp.table;
    let is_rowid = if t.rowid_alias { t.primary_key == [col] } else { t.has_rowid() && col == t.columns.len() };
    let in_key_order = match &sp.access {
        Access::Full => true,
        // One range (or one key) of the primary key; an IN list's
        // ranges are also read in key order, but keep it simple.
        Access::Key(ka) => ka.index.is_none() && ka.prefixes.len() <= 1,
    };
    is_rowid && in_key_order
}

/// Makes the scan read an index whose order is `keys` over table columns
/// `cols`, if there is one; returns whether it did. The index may lead with
/// columns the scan fixes by equality (`WHERE category = ? ORDER BY sales`).
fn index_order(sp: &mut ScanPlan, cols: &[usize], keys: &[SortKey], limited: bool) -> bool {
    // A ranked view numbers its rows as it reads them in its own order.
    if sp.temporal.is_some() || sp.table.ranked().is_some() || !cols.iter().all(|c| key_ordered_type(&sp.table, *c)) {
        return false;
    }
    // NULLs sort first ascending and last descending in an index, as by default.
    if keys.iter().any(|k| k.nulls_first == k.desc) {
        return false;
    }
    let chosen = match &sp.access {
        Access::Key(KeyAccess { index: Some(i), prefixes, .. }) if prefixes.len() == 1 => {
            let fixed = prefixes[0].len();
            let ix = &sp.table.indexes[*i];
            [0, fixed].into_iter().find_map(|start| direction(&ix.columns[start.min(ix.columns.len())..], cols, keys))
        }
        Access::Full if limited => {
            let found =
                sp.table.indexes.iter().enumerate().find_map(|(i, ix)| Some((i, direction(&ix.columns, cols, keys)?)));
            found.map(|(i, reverse)| {
                sp.access = Access::Key(KeyAccess { index: Some(i), prefixes: vec![vec![]], lo: None, hi: None });
                reverse
            })
        }
        _ => None,
    };
    match chosen {
        Some(reverse) => {
            sp.reverse = reverse;
            true
        }
        None => false,
    }
}

/// Whether index columns `ix_cols` start with `cols` in the order of
/// `keys`: `Some(false)` reading forward, `Some(true)` reading backwards.
fn direction(ix_cols: &[(usize, bool)], cols: &[usize], keys: &[SortKey]) -> Option<bool> {
    if ix_cols.len() < cols.len() {
        return None;
    }
    let mut reverse = None;
    for ((ix_col, ix_desc), (col, key)) in ix_cols.iter().zip(cols.iter().zip(keys)) {
        let backwards = key.desc != *ix_desc;
        if ix_col != col || *reverse.get_or_insert(backwards) != backwards {
            return None;
        }
    }
    reverse
}

/// Whether the index's byte order of column `col` is the SQL order of its
/// values: one kind of value per column (plus NULL). Columns without a
/// declared type (or with NUMERIC affinity) can mix integers, reals and
/// text, which the key encoding orders by kind first.
pub fn key_ordered_type(table: &TableDef, col: usize) -> bool {
    table.columns.get(col).is_some_and(|c| !matches!(c.ty, DataType::Any | DataType::Numeric))
}
