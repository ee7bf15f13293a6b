//! The rows a maintained view is computed from: all of them now (a full
//! refresh), or the signed rows that entered and left since the view's SCN
//! (an incremental one).
//!
//! For one table the delta is its change log. For inner joins it is the
//! delta rule, with time travel supplying the old states: between SCNs `r`
//! (the view's) and `s` (now),
//!
//! ```text
//! A1⋈…⋈An @s − A1⋈…⋈An @r  =  Σi  A1@s ⋈ … ⋈ A(i−1)@s ⋈ (Ai@s − Ai@r) ⋈ A(i+1)@r ⋈ … ⋈ An@r
//! ```
//!
//! and `Ai@s − Ai@r` is non-empty only on the keys Ai's change log names, so
//! each term reads table i by those keys only (point lookups `AS OF`).

use super::analyze::{Item, Maintained, Shape, Source};
use crate::catalog::TableDef;
use crate::error::Result;
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::scan::decode_stored_row_into;
use crate::exec::write::row_key_of;
use crate::sql::expr::Expr;
use crate::sql::plan::{Access, KeyAccess, Plan, Temporal};
use crate::sql::planner::select::{for_each_scan, full_scan};
use crate::storage::{changes, keys, Reader};
use crate::temporal::PointKind;
use crate::types::cast::truthy;
use crate::types::rowcodec::put_varint;
use crate::types::Value;

/// A row entering (`+1`) or leaving (`−1`) the view's input, with its key.
/// The row is lent for the call: a full refresh reads its table a page at a
/// time into one buffer, and no fold keeps the row itself.
pub type Event<'r> = (i64, &'r [Value], Vec<u8>);

/// The key of an input row: the base row's key, or for a join every
/// table's row key, length-prefixed.
fn key_of(m: &Maintained, row: &[Value]) -> Vec<u8> {
    match &m.source {
        Source::Table(t) => row_key_of(t, row),
        Source::Join { tables, .. } => {
            let mut key = Vec::new();
            let mut at = 0;
            for t in tables {
                let width = t.columns.len() + usize::from(t.has_rowid());
                let k = row.get(at..at + width).map_or_else(Vec::new, |slice| row_key_of(t, slice));
                put_varint(&mut key, k.len() as u64);
                key.extend_from_slice(&k);
                at += width;
            }
            key
        }
    }
}

fn run(plan: &Plan, reader: &dyn Reader, ctx: &EvalCtx) -> Result<Vec<Vec<Value>>> {
    crate::exec::query::run(plan, reader, ctx)?.collect()
}

/// The view's WHERE as of `ctx`'s `now` (a sliding window's bounds evaluated once).
pub(super) fn filter_at(m: &Maintained, ctx: &EvalCtx) -> Result<Option<Expr>> {
    match (&m.filter, &m.sliding) {
        (Some(f), Some(_)) => Ok(Some(super::sliding::pin(f, ctx)?)),
        (f, _) => Ok(f.clone()),
    }
}

/// Whether an input row passes `filter`.
pub(super) fn passes(filter: Option<&Expr>, row: &[Value], ctx: &EvalCtx) -> Result<bool> {
    match filter {
        Some(f) => Ok(truthy(&eval(f, row, ctx)?) == Some(true)),
        None => Ok(true),
    }
}

/// Streams every input row as of the reader's snapshot that passes the
/// view's WHERE to `f`, as a `+1` event (with its key when `keyed`).
///
/// # Errors
/// Storage and evaluation errors, and those `f` returns.
pub fn present(
    m: &Maintained,
    reader: &dyn Reader,
    ctx: &EvalCtx,
    keyed: bool,
    f: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let filter = filter_at(m, ctx)?;
    let mut each = |row: &[Value]| -> Result<()> {
        if !passes(filter.as_ref(), row, ctx)? {
            return Ok(());
        }
        let key = if keyed { key_of(m, row) } else { Vec::new() };
        f((1, row, key))
    };
    match &m.source {
        Source::Table(t) => {
            // Decode only what the view reads, as its query's plan would.
            // (Run as a plan, so the scan reads a page at a time.)
            let mut sp = full_scan(t);
            sp.needed = needed_columns(m, t);
            let plan = Plan::Scan(sp);
            crate::exec::query::for_each_row(&plan, reader, ctx, &mut each)?;
        }
        Source::Join { plan, .. } => crate::exec::query::for_each_row(plan, reader, ctx, &mut each)?,
    }
    Ok(())
}

/// Base rows of a logged change of one table: (−1, old image) then (+1,
/// new image), decoding the `needed` columns into `row` (reused from change
/// to change: a refresh after 10,000 changes spent a third of its time
/// allocating and freeing decoded rows), with the row key when `keyed`.
fn change_events(
    base: &TableDef,
    c: &changes::ChangeRef<'_>,
    needed: &[bool],
    keyed: bool,
    row: &mut Vec<Value>,
    f: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let key = || if keyed { c.row_key.to_vec() } else { Vec::new() };
    let rowid = || keys::decode_rowid(c.row_key);
    if let Some(old) = c.old {
        decode_stored_row_into(base, rowid, old, needed, row)?;
        f((-1, row, key()))?;
    }
    if let Some(new) = c.new {
        decode_stored_row_into(base, rowid, new, needed, row)?;
        f((1, row, key()))?;
    }
    Ok(())
}

/// The columns of `t` a maintained view reads: those its expressions
/// name, and for a projection the primary key (its rows are keyed by it).
pub(super) fn needed_columns(m: &Maintained, t: &TableDef) -> Vec<bool> {
    let mut needed = vec![false; t.columns.len()];
    let mut mark = |e: &Expr| {
        e.walk(&mut |x| {
            if let Expr::Column(i) = x {
                if let Some(n) = needed.get_mut(*i) {
                    *n = true;
                }
            }
        })
    };
    if let Some(f) = &m.filter {
        mark(f);
    }
    match &m.shape {
        Shape::Project(exprs) => exprs.iter().for_each(&mut mark),
        Shape::Ranked { exprs, partition, order } => {
            exprs.iter().chain(partition).chain(order.iter().map(|(e, _, _)| e)).for_each(&mut mark)
        }
        Shape::Aggregate { groups, items } => {
            groups.iter().for_each(&mut mark);
            for item in items {
                if let Item::Agg { arg: Some(a), .. } = item {
                    mark(a);
                }
            }
        }
    }
    if m.shape.keyed() {
        for i in &t.primary_key {
            if let Some(n) = needed.get_mut(*i) {
                *n = true;
            }
        }
    }
    needed
}

/// The primary-key values of a table row (the rowid for rowid tables).
fn pk_values(t: &TableDef, row: &[Value]) -> Vec<Expr> {
    if t.has_rowid() {
        vec![Expr::Literal(row.get(t.columns.len()).cloned().unwrap_or(Value::Null))]
    } else {
        t.primary_key.iter().map(|i| Expr::Literal(row[*i].clone())).collect()
    }
}

/// Streams to `out` the input rows that entered and left the view's input
/// (passing its WHERE) between SCN `from`, whose `now` was `then`'s, and
/// the reader's snapshot, whose `now` is `ctx`'s. Nothing is collected for
/// a single table: each logged change is decoded in place and handed on.
///
/// # Errors
/// Storage and evaluation errors, and those `out` returns; `SnapshotTooOld`
/// if a join's old state is no longer kept (the caller then discards what
/// it folded and refreshes fully).
pub fn delta(
    m: &Maintained,
    reader: &dyn Reader,
    from: u64,
    then: &EvalCtx,
    ctx: &EvalCtx,
    out: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let now = reader.snapshot_scn();
    let (tables, plan) = match &m.source {
        Source::Table(t) => {
            // Row changes under the old `now`, then rows the window's move
            // let in or out (see `sliding`).
            let needed = needed_columns(m, t);
            let keyed = m.shape.keyed();
            let filter = filter_at(m, then)?;
            let mut row = Vec::new();
            changes::for_each(reader, t.id, from, now, &mut |c| {
                change_events(t, &c, &needed, keyed, &mut row, &mut |e| {
                    if passes(filter.as_ref(), e.1, then)? {
                        out(e)?;
                    }
                    Ok(())
                })
            })?;
            if let (Some(s), Some(f)) = (&m.sliding, &m.filter) {
                super::sliding::band_events(t, f, s, reader, then, ctx, out)?;
            }
            return Ok(());
        }
        Source::Join { tables, plan } => (tables, plan),
    };
    for (i, t) in tables.iter().enumerate() {
        let mut keys: Vec<Vec<Expr>> = Vec::new();
        let all = vec![true; t.columns.len()];
        let mut buf = Vec::new();
        changes::for_each(reader, t.id, from, now, &mut |c| {
            change_events(t, &c, &all, false, &mut buf, &mut |(_, row, _)| {
                let k = pk_values(t, row);
                if !keys.contains(&k) {
                    keys.push(k);
                }
                Ok(())
            })
        })?;
        if keys.is_empty() {
            continue;
        }
        // (−) this table then, (+) this table now; tables before it read now,
        // tables after it read then. Each term moves the input from one
        // intermediate state to the next, leaving before entering, so a
        // keyed fold can apply the events in order.
        for (sign, this_at) in [(-1i64, from), (1, now)] {
            let mut p = plan.clone();
            for_each_scan(&mut p, &mut |sp| {
                let j = tables.iter().position(|x| x.id == sp.table.id).unwrap_or(0);
                let at = if j < i {
                    now
                } else if j > i {
                    from
                } else {
                    this_at
                };
                let point = Expr::Literal(Value::Integer(i64::try_from(at).unwrap_or(i64::MAX)));
                sp.temporal = Some(Temporal::AsOf { kind: PointKind::Scn, point });
                if j == i {
                    sp.access = Access::Key(KeyAccess { index: None, prefixes: keys.clone(), lo: None, hi: None });
                }
            });
            for row in run(&p, reader, ctx)? {
                let key = key_of(m, &row);
                out((sign, &row, key))?;
            }
        }
    }
    Ok(())
}
