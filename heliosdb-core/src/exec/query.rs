//! Query operators: each plan node becomes an iterator of rows.

use super::batch::{BatchScan, Rows};
use super::eval::{eval, eval_predicate, operand, with_params_bound, EvalCtx};
use super::grouping::Distinct;
use super::memory::row_bytes;
use super::scan::{scan, scan_from};
use super::sort::{KeyCmp, Sorter};
use super::RowIter;
use crate::error::Result;
use crate::interrupt::checked;
use crate::sql::expr::Expr;
use crate::sql::plan::{Plan, SortKey};
use crate::storage::Reader;
use crate::types::compare::order_key_cmp;
use crate::types::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;

/// Computes a projection over `inner`'s rows.
fn project<'a>(inner: RowIter<'a>, exprs: &'a [Expr], ctx: &'a EvalCtx) -> RowIter<'a> {
    // A projection that only picks distinct columns (such as the one
    // restoring column order after join reordering) moves the values.
    let picks: Option<Vec<usize>> =
        exprs.iter().map(|e| if let Expr::Column(i) = e { Some(*i) } else { None }).collect::<Option<Vec<_>>>().filter(
            |p| {
                let mut seen = HashSet::new();
                p.iter().all(|i| seen.insert(*i))
            },
        );
    match picks {
        Some(picks) => Box::new(inner.map(move |row| {
            let mut r = row?;
            Ok(picks.iter().map(|i| r.get_mut(*i).map_or(Value::Null, |v| std::mem::replace(v, Value::Null))).collect())
        })),
        None => Box::new(inner.map(move |row| {
            let r = row?;
            exprs.iter().map(|e| eval(e, &r, ctx)).collect()
        })),
    }
}

/// Runs `plan` without producing its first `skip` rows where that costs
/// less than producing them: a scan, projected or not (no filter decides
/// which entries are rows), passes over index entries without reading the
/// rows they point at. Returns the rows and how many were skipped (0 when
/// the plan has another shape: the caller skips them then).
fn run_skipping<'a>(
    plan: &'a Plan,
    reader: &'a dyn Reader,
    ctx: &'a EvalCtx,
    skip: usize,
) -> Result<(RowIter<'a>, usize)> {
    Ok(match plan {
        Plan::Scan(sp) => (checked(scan_from(reader, sp, ctx, skip)?), skip),
        Plan::Project { input, exprs } => match &**input {
            Plan::Scan(sp) => (project(checked(scan_from(reader, sp, ctx, skip)?), exprs, ctx), skip),
            _ => (run(plan, reader, ctx)?, 0),
        },
        _ => (run(plan, reader, ctx)?, 0),
    })
}

/// Runs `plan`, streaming its rows.
///
/// # Errors
/// Evaluation and storage errors (also reported through the iterator).
pub fn run<'a>(plan: &'a Plan, reader: &'a dyn Reader, ctx: &'a EvalCtx) -> Result<RowIter<'a>> {
    if matches!(plan, Plan::Scan(_) | Plan::Filter { .. }) {
        if let Some(scan) = BatchScan::of(plan, reader, ctx)? {
            return Ok(Rows::batched(scan).owned());
        }
    }
    Ok(match plan {
        Plan::Empty => Box::new(std::iter::once(Ok(Vec::new()))),
        // Row producers check for an interrupt once per row (see `interrupt`).
        Plan::Scan(sp) => checked(scan(reader, sp, ctx)?),
        Plan::System { table, input, args } => {
            super::system::lateral(run(input, reader, ctx)?, *table, args, reader, ctx)
        }
        Plan::Values(rows) => {
            checked(Box::new(rows.iter().map(move |r| r.iter().map(|e| eval(e, &[], ctx)).collect::<Result<Vec<_>>>())))
        }
        Plan::Filter { input, pred } => {
            let inner = run(input, reader, ctx)?;
            let pred = with_params_bound(pred, ctx)?.map_or(Cow::Borrowed(pred), Cow::Owned);
            Box::new(inner.filter_map(move |row| match row {
                Ok(r) => match eval_predicate(&pred, &r, ctx) {
                    Ok(true) => Some(Ok(r)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                },
                Err(e) => Some(Err(e)),
            }))
        }
        Plan::Project { input, exprs } => project(run(input, reader, ctx)?, exprs, ctx),
        Plan::Aggregate { input, group, aggs } => {
            super::grouping::aggregate(Rows::of(input, reader, ctx)?, group, aggs, ctx)?
        }
        Plan::Window { input, calls } => super::window::run(run(input, reader, ctx)?, calls, ctx)?,
        Plan::Sort { input, presorted: true, .. } if super::scan::reads_index_in_order(input, ctx)? => {
            run(input, reader, ctx)?
        }
        Plan::Sort { input, keys, .. } => sort(run(input, reader, ctx)?, keys, ctx)?,
        Plan::Distinct { input } => Box::new(Distinct::new(run(input, reader, ctx)?, &ctx.mem)),
        Plan::Limit { input, limit, offset } => {
            let limit = limit_count(limit.as_ref(), ctx)?.filter(|l| *l >= 0).map_or(usize::MAX, |l| l as usize);
            let offset = limit_count(offset.as_ref(), ctx)?.map_or(0, |o| o.max(0) as usize);
            match &**input {
                // ORDER BY … LIMIT: keep only the rows that can still make the cut.
                Plan::Sort { input: unsorted, presorted: true, .. }
                    if super::scan::reads_index_in_order(unsorted, ctx)? =>
                {
                    let (rows, skipped) = run_skipping(unsorted, reader, ctx, offset)?;
                    Box::new(rows.skip(offset - skipped).take(limit))
                }
                Plan::Sort { input: unsorted, keys, .. } if limit != usize::MAX => {
                    let n = offset.saturating_add(limit);
                    // (Not in a transaction reading the past: the rows are
                    // read again from the present.)
                    let late =
                        ctx.as_of_default.is_none().then(|| super::late_topn::narrowed(unsorted, keys, n)).flatten();
                    if let Some(late) = late {
                        let best: Vec<Vec<Value>> = top_n(Rows::of(&late.plan, reader, ctx)?, &late.keys, n, ctx)?
                            .skip(offset)
                            .collect::<Result<_>>()?;
                        let rows = super::late_topn::materialize(best, &late, reader)?;
                        return Ok(Box::new(rows.into_iter().map(Ok)));
                    }
                    let rows = top_n(Rows::of(unsorted, reader, ctx)?, keys, n, ctx)?;
                    Box::new(rows.skip(offset).take(limit))
                }
                // A scan in key order (`ORDER BY id LIMIT 10 OFFSET 90000`,
                // or no ORDER BY): passed over a page at a time. (Without a
                // LIMIT the rest is read faster a batch at a time.)
                _ if offset > 0 && limit != usize::MAX => {
                    let (rows, skipped) = run_skipping(input, reader, ctx, offset)?;
                    Box::new(rows.skip(offset - skipped).take(limit))
                }
                _ => Box::new(run(input, reader, ctx)?.skip(offset).take(limit)),
            }
        }
        Plan::Recursive { anchor, step, distinct, id, queue } => {
            super::recursive::run(anchor, step, *distinct, *id, queue.as_deref(), reader, ctx)?
        }
        Plan::Working { id, .. } => {
            let rows = ctx.working.borrow().get(id).cloned().unwrap_or_default();
            checked(Box::new((0..rows.len()).map(move |i| Ok(rows[i].clone()))))
        }
        Plan::SetOp { op, all, left, right } => {
            super::setop::set_op(*op, *all, run(left, reader, ctx)?, run(right, reader, ctx)?, ctx)?
        }
        Plan::Join { left, right, on, kind, right_width, equi } => {
            let spec = super::join::JoinSpec { on: on.as_ref(), kind: *kind, right_width: *right_width, equi };
            // The right side first: it is read whole before the left streams.
            let right = run(right, reader, ctx)?;
            super::join::join(run(left, reader, ctx)?, right, spec, ctx)?
        }
    })
}

/// A LIMIT or OFFSET value: an integer, or `None` for NULL or no clause.
///
/// # Errors
/// A value that is not an integer.
pub(super) fn limit_count(e: Option<&Expr>, ctx: &EvalCtx) -> Result<Option<i64>> {
    let Some(x) = e else { return Ok(None) };
    match crate::types::cast::to_numeric(&eval(x, &[], ctx)?) {
        Value::Integer(i) => Ok(Some(i)),
        Value::Null => Ok(None),
        other => Err(crate::error::sql_err!("LIMIT and OFFSET must be integers, not {}", other.type_name())),
    }
}

/// Compares two rows' evaluated sort keys under ORDER BY `keys`.
pub(super) fn keys_cmp(a: &[Value], b: &[Value], keys: &[SortKey]) -> Ordering {
    keys.iter()
        .enumerate()
        .map(|(i, key)| order_key_cmp(&a[i], &b[i], key.desc, key.nulls_first))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// [`keys_cmp`] of `row`'s sort keys against evaluated keys `b`, read in
/// place from `row`; `None` when a key is neither a column nor a constant.
fn operands_cmp(row: &[Value], b: &[Value], keys: &[SortKey]) -> Option<Ordering> {
    for (key, b) in keys.iter().zip(b) {
        let o = order_key_cmp(operand(&key.expr, row)?, b, key.desc, key.nulls_first);
        if o.is_ne() {
            return Some(o);
        }
    }
    Some(Ordering::Equal)
}

/// Runs `plan` and hands each of its rows to `f` by reference: a scan is
/// read a page at a time into one reused buffer (see [`Rows`]), so a caller
/// that folds rows (a materialized view's full refresh) allocates nothing
/// for a row it does not keep.
///
/// # Errors
/// What running the plan fails with, and what `f` returns.
pub(crate) fn for_each_row(
    plan: &Plan,
    reader: &dyn Reader,
    ctx: &EvalCtx,
    f: &mut dyn FnMut(&[Value]) -> Result<()>,
) -> Result<()> {
    let mut rows = Rows::of(plan, reader, ctx)?;
    while let Some(row) = rows.next_row()? {
        f(row)?;
    }
    Ok(())
}

/// The first `n` rows of `input` in `keys` order, ties in input order (so
/// exactly the first `n` rows [`sort`] would give), holding at most about
/// `2n` rows at a time: rows accumulate until there are twice as many as
/// needed, then the best `n` are selected (`select_nth_unstable`, linear) and
/// the rest dropped; a row that cannot beat the current `n`-th is not kept.
/// When `2n` rows do not fit the working memory, it is an external sort
/// instead.
fn top_n<'a>(mut input: Rows<'a>, keys: &'a [SortKey], n: usize, ctx: &'a EvalCtx) -> Result<RowIter<'a>> {
    if n == 0 {
        return Ok(Box::new(std::iter::empty()));
    }
    type Entry = (Vec<Value>, usize, Vec<Value>);
    let cmp = |a: &Entry, b: &Entry| keys_cmp(&a.0, &b.0, keys).then(a.1.cmp(&b.1));
    let cap = n.saturating_mul(2).max(1024);
    let mut kept: Vec<Entry> = Vec::new();
    let mut grant = ctx.mem.grant();
    // The key of the n-th best row once the buffer was first cut: a later row
    // (larger sequence number) with a key not below it cannot make the cut.
    let mut bound: Option<Vec<Value>> = None;
    let mut seq = 0usize;
    // The keys of the row at hand: most rows cannot make the cut, so their
    // keys go into one reused buffer and only a kept row's keys are moved out.
    let mut scratch: Vec<Value> = Vec::with_capacity(keys.len());
    while let Some(row) = input.next_row()? {
        // Most rows of a long input lose against the bound: when every key
        // is a column or constant, compare them in place and copy nothing.
        if let Some(b) = &bound {
            if operands_cmp(row, b, keys).is_some_and(Ordering::is_ge) {
                seq += 1;
                continue;
            }
        }
        scratch.resize(keys.len(), Value::Null);
        for (slot, key) in scratch.iter_mut().zip(keys) {
            // A column or constant is copied in place (`clone_from`), not
            // returned by `eval` through a `Result<Value>`: moving that out of the call
            // stalled on store forwarding, a third of top-N's own time.
            match operand(&key.expr, row) {
                Some(v) => slot.clone_from(v),
                None => *slot = eval(&key.expr, row, ctx)?,
            }
        }
        seq += 1;
        if bound.as_ref().is_some_and(|b| keys_cmp(&scratch, b, keys) != Ordering::Less) {
            continue;
        }
        let k = std::mem::replace(&mut scratch, Vec::with_capacity(keys.len()));
        let row = std::mem::take(row);
        if !grant.try_grow(row_bytes(&k) + row_bytes(&row)) {
            // The rows that can still make the cut do not fit: sort them all.
            kept.sort_by(cmp);
            let mut sorter = Sorter::new(&ctx.mem, sort_cmp(keys));
            drop(grant);
            for (k, _, r) in kept {
                sorter.push(k, r)?;
            }
            sorter.push(k, row)?;
            while let Some(row) = input.next_row()? {
                let k = keys.iter().map(|k| eval(&k.expr, row, ctx)).collect::<Result<Vec<_>>>()?;
                sorter.push(k, std::mem::take(row))?;
            }
            return Ok(Box::new(sorter.finish()?.take(n)));
        }
        kept.push((k, seq, row));
        if kept.len() >= cap {
            kept.select_nth_unstable_by(n - 1, cmp);
            kept.truncate(n);
            grant.release();
            let held: u64 = kept.iter().map(|(k, _, r)| row_bytes(k) + row_bytes(r)).sum();
            grant.grow(held, "ORDER BY … LIMIT")?;
            bound = kept.iter().max_by(|a, b| cmp(a, b)).map(|e| e.0.clone());
        }
    }
    kept.sort_by(cmp);
    kept.truncate(n);
    Ok(Box::new(kept.into_iter().map(move |(_, _, r)| {
        let _held = &grant;
        Ok(r)
    })))
}

fn sort_cmp(keys: &[SortKey]) -> KeyCmp<'_> {
    std::sync::Arc::new(move |a: &[Value], b: &[Value]| keys_cmp(a, b, keys))
}

/// ORDER BY: an in-memory sort, or an external merge sort past the
/// statement's working memory.
fn sort<'a>(input: RowIter<'a>, keys: &'a [SortKey], ctx: &'a EvalCtx) -> Result<RowIter<'a>> {
    let mut sorter = Sorter::new(&ctx.mem, sort_cmp(keys));
    for row in input {
        let row = row?;
        let k = keys.iter().map(|k| eval(&k.expr, &row, ctx)).collect::<Result<Vec<_>>>()?;
        sorter.push(k, row)?;
    }
    sorter.finish()
}
