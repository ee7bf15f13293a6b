//! ORDER BY that a scan answers itself: rows of a rowid table come out of
//! its primary-key scan in rowid order, so `ORDER BY id [DESC]` over such a
//! scan needs no sort, and with a LIMIT the scan stops after the rows it
//! returns (`SELECT * FROM orders ORDER BY id DESC LIMIT 10` reads 10 rows,
//! as SQLite does), instead of reading the table and keeping a top-N heap.

use crate::sql::expr::Expr;
use crate::sql::plan::{Access, Plan, ScanPlan, SortKey};

/// `Sort { input, keys }` without the sort when the scan under `input`
/// already yields rows in that order (reading backwards for DESC).
pub(super) fn sort_or_scan_order(input: Plan, keys: Vec<SortKey>) -> Plan {
    let mut input = input;
    if let [SortKey { expr: Expr::Column(col), desc, .. }] = keys.as_slice() {
        if let Some(scan) = rowid_scan(&mut input, *col) {
            scan.reverse = *desc;
            return input;
        }
    }
    Plan::Sort { input: Box::new(input), keys }
}

/// The scan under a chain of projections and filters, when output column
/// `col` is its table's rowid and its access reads rowids in order.
fn rowid_scan(plan: &mut Plan, col: usize) -> Option<&mut ScanPlan> {
    match plan {
        Plan::Project { input, exprs } => match exprs.get(col) {
            Some(Expr::Column(c)) => rowid_scan(input, *c),
            _ => None,
        },
        Plan::Filter { input, .. } => rowid_scan(input, col),
        Plan::Scan(sp) => {
            let t = &sp.table;
            let is_rowid = if t.rowid_alias { t.primary_key == [col] } else { t.has_rowid() && col == t.columns.len() };
            let in_key_order = match &sp.access {
                Access::Full => true,
                // One range (or one key) of the primary key; an IN list's
                // ranges are also read in key order, but keep it simple.
                Access::Key(ka) => ka.index.is_none() && ka.prefixes.len() <= 1,
            };
            // A history scan (VERSIONS BETWEEN) yields several versions per key.
            let one_version = !matches!(sp.temporal, Some(crate::sql::plan::Temporal::History { .. }));
            (is_rowid && in_key_order && one_version && !sp.with_scn).then_some(sp)
        }
        _ => None,
    }
}
