//! Executing reads of the past: resolving a table reference's `AS OF` point
//! (with a lease held while the scan runs), checking that the table can be
//! read there, and history scans with their pseudo-columns.

use super::eval::{eval, EvalCtx};
use super::scan::{decode_stored_row, key_ranges, KeyRange};
use super::RowIter;
use crate::catalog::TableDef;
use crate::error::{sql_err, Error, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Access, ScanPlan};
use crate::storage::versions::{self, EndedBy};
use crate::storage::{keys, Reader};
use crate::temporal::leases::Lease;
use crate::temporal::{point_from_value, Point, PointKind};
use crate::types::Value;
use std::ops::Bound;

/// Whether `table` can be read as of `scn`.
fn check_table(table: &TableDef, scn: u64) -> Result<()> {
    if !table.time_travel {
        return Err(sql_err!("table {} keeps no history (it was created WITH (time_travel = false))", table.name));
    }
    if scn < table.created_scn {
        return Err(sql_err!(
            "table {} did not exist at SCN {scn}: it was created at SCN {}",
            table.name,
            table.created_scn
        ));
    }
    if let Some(altered) = table.altered_scn.filter(|a| scn < *a) {
        return Err(sql_err!(
            "table {} changed shape at SCN {altered} (ALTER TABLE … ADD COLUMN); reading it as of SCN {scn} \
             would need its older schema, which is not kept",
            table.name
        ));
    }
    Ok(())
}

fn point_of(kind: PointKind, e: &Expr, ctx: &EvalCtx) -> Result<Point> {
    point_from_value(kind, &eval(e, &[], ctx)?)
}

/// Resolves the `AS OF` point of a reference to `table` and leases it.
///
/// # Errors
/// A bad point value, a point outside the history kept, or a table that
/// cannot be read at that point.
pub fn resolve(reader: &dyn Reader, table: &TableDef, kind: PointKind, e: &Expr, ctx: &EvalCtx) -> Result<Lease> {
    let lease = reader.engine().resolve(point_of(kind, e, ctx)?, reader.snapshot_scn(), false)?;
    check_table(table, lease.scn())?;
    Ok(lease)
}

/// Leases `scn` (already resolved, by a read-only `AS OF` transaction) for a
/// scan of `table`.
///
/// # Errors
/// A table that cannot be read at that point.
pub fn lease_for(reader: &dyn Reader, table: &TableDef, scn: u64) -> Result<Lease> {
    check_table(table, scn)?;
    Ok(reader.engine().leases.acquire(scn))
}

/// The upper bound of a history interval: a point in the future means "now".
fn history_end(reader: &dyn Reader, point: Point) -> Result<Lease> {
    let max = reader.snapshot_scn();
    let point = match point {
        Point::Time(t) if t > crate::storage::commit_log::now_micros() => Point::Scn(max),
        Point::Scn(s) if s > max => Point::Scn(max),
        p => p,
    };
    reader.engine().resolve(point, max, false)
}

fn time_text(reader: &dyn Reader, scn: u64) -> Value {
    reader.engine().commit_time(scn).map_or(Value::Null, |t| Value::Text(super::datetime::format_us(t)))
}

/// Every version of the scanned rows valid somewhere in `[from, to]`, each
/// row followed by the history pseudo-columns.
///
/// # Errors
/// Bad bounds, bounds outside the history kept, a table without history.
pub fn history_scan<'a>(
    reader: &'a dyn Reader,
    sp: &'a ScanPlan,
    kind: PointKind,
    from: &Expr,
    to: &Expr,
    ctx: &EvalCtx,
) -> Result<RowIter<'a>> {
    let table = &sp.table;
    let start = reader.engine().resolve(point_of(kind, from, ctx)?, reader.snapshot_scn(), true)?;
    let end = history_end(reader, point_of(kind, to, ctx)?)?;
    check_table(table, start.scn().max(table.created_scn))?;
    let (lo_scn, hi_scn) = (start.scn(), end.scn());
    let gc_horizon = reader.engine().gc_horizon();
    // Only primary-key ranges narrow a history scan (indexes hold the present).
    let spans: Vec<(Bound<Vec<u8>>, Bound<Vec<u8>>)> = match &sp.access {
        Access::Key(ka) if ka.index.is_none() => match key_ranges(sp, ka, ctx)? {
            Some(ranges) => ranges
                .into_iter()
                .map(|r| match r {
                    KeyRange::Span(lo, hi) => (lo, hi),
                    KeyRange::Point(k) => {
                        let hi = crate::types::keycode::prefix_successor(&k).map_or(Bound::Unbounded, Bound::Excluded);
                        (Bound::Included(k), hi)
                    }
                })
                .collect(),
            None => vec![keys::prefix_bounds(&keys::object_prefix(table.id))],
        },
        _ => vec![keys::prefix_bounds(&keys::object_prefix(table.id))],
    };
    let needed = &sp.needed;
    let leases = (start, end);
    let iter = spans.into_iter().flat_map(move |(lo, hi)| versions::history(reader, lo, hi, lo_scn, hi_scn)).map(
        move |item| {
            let _held = &leases;
            let (key, v, by_update) = item?;
            let mut row = decode_stored_row(table, &key, &v.image, needed)?;
            let operation = if by_update {
                Value::Text("UPDATE".into())
            } else if v.from <= gc_horizon {
                Value::Null // its predecessor, if any, is no longer kept
            } else {
                Value::Text("INSERT".into())
            };
            let scn_value = |s: u64| Value::Integer(i64::try_from(s).unwrap_or(i64::MAX));
            row.extend([
                scn_value(v.from),
                v.to.map_or(Value::Null, scn_value),
                time_text(reader, v.from),
                v.to.map_or(Value::Null, |t| time_text(reader, t)),
                operation,
                v.ended_by.map_or(Value::Null, |e: EndedBy| Value::Text(e.name().into())),
            ]);
            Ok(row)
        },
    );
    Ok(Box::new(iter))
}

/// The error for writing inside a read-only `AS OF` transaction.
pub fn read_only_error() -> Error {
    Error::ReadOnly("this transaction reads the past (BEGIN READ ONLY AS OF …): it cannot write".into())
}
