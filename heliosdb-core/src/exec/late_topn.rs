//! Top-N that decodes late: `ORDER BY … LIMIT n` over a scan of a rowid
//! table (under plain column projections and a WHERE) reads only the
//! columns the sort keys and the WHERE use, keeps the `n` best rows with
//! their rowids, and decodes just those rows whole at the end (one point
//! read each, in the same snapshot or transaction). A `SELECT *` dashboard
//! query then decodes one column per row instead of every column. The sort
//! keys are rewritten to read the scan's rows directly, so no projection
//! builds a row for each row scanned.

use super::scan::decode_stored_row;
use crate::error::{Error, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Plan, ScanPlan, SortKey};
use crate::storage::{keys, Ks, Reader};
use crate::types::Value;

/// Above this many rows the final point reads would cost more than
/// decoding every row as it streams by.
const MAX_LATE_ROWS: usize = 1_000;

/// A narrowed top-N input and how to rebuild its rows.
pub(super) struct Late {
    /// What to run instead of the sort's input: the same scan decoding
    /// fewer columns (and its WHERE), its rows ending with the rowid.
    pub plan: Plan,
    /// The sort keys over the rows of `plan`.
    pub keys: Vec<SortKey>,
    /// The original scan (what a whole row decodes).
    full: ScanPlan,
    /// The table column each output column is, when a projection sat on
    /// the scan; `None`: output rows are scan rows.
    project: Option<Vec<usize>>,
}

/// The late plan for a top-N over `unsorted`, or `None` when late decoding
/// does not apply or saves nothing.
pub(super) fn narrowed(unsorted: &Plan, keys: &[SortKey], n: usize) -> Option<Late> {
    if n > MAX_LATE_ROWS || keys.iter().any(|k| k.expr.has_correlated_subquery()) {
        return None;
    }
    let (project, below) = match unsorted {
        Plan::Project { input, exprs } => {
            let cols: Option<Vec<usize>> =
                exprs.iter().map(|e| if let Expr::Column(c) = e { Some(*c) } else { None }).collect();
            (Some(cols?), &**input)
        }
        other => (None, other),
    };
    let (scan, pred) = match below {
        Plan::Scan(scan) => (scan, None),
        Plan::Filter { input, pred } => match &**input {
            Plan::Scan(scan) if !pred.has_correlated_subquery() => (scan, Some(pred)),
            _ => return None,
        },
        _ => return None,
    };
    if scan.temporal.is_some() || scan.with_scn || !scan.table.has_rowid() {
        return None;
    }
    let rowid_at = scan.table.columns.len().max(scan.needed.len());
    // The table columns the sort keys read (through the projection).
    let mut used = vec![false; rowid_at + 1];
    match &project {
        Some(cols) => {
            let mut out_used = vec![false; cols.len()];
            keys.iter().for_each(|k| k.expr.mark_columns(&mut out_used));
            for (c, _) in out_used.iter().enumerate().filter(|(_, u)| **u) {
                used[cols[c]] = true;
            }
        }
        None => keys.iter().for_each(|k| k.expr.mark_columns(&mut used)),
    }
    if let Some(p) = pred {
        p.mark_columns(&mut used);
    }
    let needed: Vec<bool> = used.iter().zip(&scan.needed).map(|(u, n)| *u && *n).collect();
    if needed == scan.needed {
        return None;
    }
    let mut narrow = scan.clone();
    narrow.needed = needed;
    let mut plan = Plan::Scan(narrow);
    if let Some(p) = pred {
        plan = Plan::Filter { input: Box::new(plan), pred: p.clone() };
    }
    let keys = match &project {
        Some(cols) => {
            keys.iter().map(|k| SortKey { expr: to_scan_columns(k.expr.clone(), cols), ..k.clone() }).collect()
        }
        None => keys.to_vec(),
    };
    Some(Late { plan, keys, full: scan.clone(), project })
}

/// `e` over the projection's output as an expression over the scan's rows
/// (`cols[i]` is the table column output column `i` shows).
fn to_scan_columns(e: Expr, cols: &[usize]) -> Expr {
    match e {
        Expr::Column(c) => Expr::Column(cols.get(c).copied().unwrap_or(c)),
        other => match other.try_map_children::<()>(&mut |x| Ok(to_scan_columns(x, cols))) {
            Ok(e) => e,
            Err(()) => Expr::Literal(Value::Null), // the closure never fails
        },
    }
}

/// `best` (rows of the late plan, in order) as the original input would
/// have given them: each row read again by its rowid and decoded whole.
///
/// # Errors
/// Storage errors; `Corrupt` if a row vanished from the snapshot.
pub(super) fn materialize(best: Vec<Vec<Value>>, late: &Late, reader: &dyn Reader) -> Result<Vec<Vec<Value>>> {
    let table = &late.full.table;
    let rowid_at = table.columns.len().max(late.full.needed.len());
    best.into_iter()
        .map(|row| {
            let rowid = match row.get(rowid_at) {
                Some(Value::Integer(r)) => *r,
                _ => return Err(Error::Corrupt(format!("a row of {} lost its rowid", table.name))),
            };
            let key = keys::rowid_key(table.id, rowid);
            let image = reader
                .get(Ks::Rows, &key)?
                .ok_or_else(|| Error::Corrupt(format!("row {rowid} of {} vanished from a snapshot", table.name)))?;
            let whole = decode_stored_row(table, &key, &image, &late.full.needed)?;
            Ok(match &late.project {
                Some(cols) => cols.iter().map(|c| whole.get(*c).cloned().unwrap_or(Value::Null)).collect(),
                None => whole,
            })
        })
        .collect()
}
