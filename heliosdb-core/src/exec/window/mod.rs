//! Window functions: each call adds one value per row, computed over the
//! row's partition (sorted by the window's ORDER BY) and, for aggregates
//! and the value functions, its frame.
//!
//! * this module — evaluating keys and arguments, partitioning, sorting;
//! * [`frame`] — peer groups and frame edges (ROWS, RANGE, GROUPS, EXCLUDE);
//! * [`ranking`] — the functions that ignore the frame (ranks, NTILE, LAG/LEAD);
//! * [`framed`] — aggregates and FIRST/LAST/NTH_VALUE over the frame.

mod frame;
mod framed;
mod ranking;

use super::eval::{eval, eval_predicate, EvalCtx};
use super::memory::row_bytes;
use super::sort::{KeyCmp, Sorter};
use super::RowIter;
use crate::error::Result;
use crate::sql::expr::{Expr, WindowCall, WindowFunc};
use crate::types::compare::{order_key_cmp, slice_cmp};
use crate::types::Value;
use frame::{Offsets, Peers};
use std::cmp::Ordering;

/// One partition being computed: its rows in window order and what was
/// evaluated on them.
pub(super) struct Partition<'a> {
    /// Input row indexes, in window order (a position is an index into this).
    rows: &'a [usize],
    /// `args[k][row]`: argument k evaluated on input row `row`.
    args: &'a [Vec<Value>],
    /// Whether input row `row` passes the call's FILTER.
    included: &'a [bool],
    /// ORDER BY keys by input row.
    order: &'a [Vec<Value>],
    /// Peer groups by position.
    peers: Peers,
}

impl Partition<'_> {
    /// Argument `k` at position `pos`.
    fn arg(&self, k: usize, pos: usize) -> &Value {
        &self.args[k][self.rows[pos]]
    }

    /// Whether the row at `pos` is fed to an aggregate (FILTER).
    fn included(&self, pos: usize) -> bool {
        self.included[self.rows[pos]]
    }

    /// Number of rows.
    fn len(&self) -> usize {
        self.rows.len()
    }
}

fn order_cmp(a: &[Value], b: &[Value], call: &WindowCall) -> Ordering {
    call.order
        .iter()
        .enumerate()
        .map(|(i, (_, desc, nulls_first))| order_key_cmp(&a[i], &b[i], *desc, *nulls_first))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn eval_all(exprs: &[Expr], row: &[Value], ctx: &EvalCtx<'_>) -> Result<Vec<Value>> {
    exprs.iter().map(|e| eval(e, row, ctx)).collect()
}

/// Estimated bytes one input row costs while its window calls are
/// computed: the row, and per call its keys, arguments and position.
fn held_bytes(row: &[Value], calls: &[WindowCall]) -> u64 {
    row_bytes(row) + (calls.len() * 4 * std::mem::size_of::<Value>()) as u64
}

/// Runs window `calls` over `input`: each row gets one more column per call.
///
/// The rows are held in the statement's working memory. Past it:
/// * when every call is ROW_NUMBER, RANK or DENSE_RANK over the same window,
///   the rows are sorted by partition and order (an external sort) and
///   numbered as they stream out ([`ranks_streaming`]);
/// * else when every call has the same PARTITION BY, the rows are sorted by
///   partition and computed one partition at a time;
/// * otherwise, or when one partition alone does not fit, the query fails
///   naming the limit.
///
/// Past the working memory, rows come out in partition (and order) order
/// rather than input order.
///
/// # Errors
/// As [`compute`]; [`crate::Error::NoMem`] as above.
pub fn run<'a>(mut input: RowIter<'a>, calls: &'a [WindowCall], ctx: &'a EvalCtx) -> Result<RowIter<'a>> {
    let mut grant = ctx.mem.grant();
    let mut rows = Vec::new();
    while let Some(r) = input.next() {
        let r = r?;
        if !grant.try_grow(held_bytes(&r, calls)) {
            drop(grant);
            rows.push(r);
            let rest: RowIter<'a> = Box::new(rows.into_iter().map(Ok).chain(input));
            let ranking = !calls.is_empty()
                && calls.iter().all(|c| {
                    matches!(c.func, WindowFunc::RowNumber | WindowFunc::Rank | WindowFunc::DenseRank)
                        && c.partition == calls[0].partition
                        && c.order == calls[0].order
                });
            if ranking {
                return ranks_streaming(rest, calls, ctx);
            }
            return match calls.first() {
                Some(c) if !c.partition.is_empty() && calls.iter().all(|o| o.partition == c.partition) => {
                    by_partition(rest, &c.partition, calls, ctx)
                }
                _ => Err(ctx.mem.exceeded("a window function without one PARTITION BY shared by every call")),
            };
        }
        rows.push(r);
    }
    let columns = calls.iter().map(|c| compute(&rows, c, ctx)).collect::<Result<Vec<_>>>()?;
    for (i, row) in rows.iter_mut().enumerate() {
        row.extend(columns.iter().map(|col| col[i].clone()));
    }
    Ok(Box::new(rows.into_iter().map(move |r| {
        let _held = &grant;
        Ok(r)
    })))
}

/// ROW_NUMBER, RANK and DENSE_RANK calls over one shared window: the rows
/// sorted by partition then order (stable, as the in-memory path sorts),
/// numbered as they stream out, one row in memory at a time.
fn ranks_streaming<'a>(input: RowIter<'a>, calls: &'a [WindowCall], ctx: &'a EvalCtx) -> Result<RowIter<'a>> {
    let call = &calls[0];
    let np = call.partition.len();
    let order_exprs: Vec<Expr> = call.order.iter().map(|(e, _, _)| e.clone()).collect();
    let cmp: KeyCmp<'a> = std::sync::Arc::new(move |a: &[Value], b: &[Value]| {
        slice_cmp(&a[..np], &b[..np]).then_with(|| order_cmp(&a[np..], &b[np..], call))
    });
    let mut sorter = Sorter::new(&ctx.mem, cmp);
    for r in input {
        let r = r?;
        let mut key = eval_all(&call.partition, &r, ctx)?;
        key.extend(eval_all(&order_exprs, &r, ctx)?);
        sorter.push(key, r)?;
    }
    let mut sorted = sorter.finish()?;
    let (mut prev, mut row_number, mut rank, mut dense): (Option<Vec<Value>>, usize, usize, usize) = (None, 0, 0, 0);
    Ok(Box::new(std::iter::from_fn(move || {
        let mut row = match sorted.next()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let key = match eval_all(&call.partition, &row, ctx).and_then(|mut k| {
            k.extend(eval_all(&order_exprs, &row, ctx)?);
            Ok(k)
        }) {
            Ok(k) => k,
            Err(e) => return Some(Err(e)),
        };
        let same_partition = prev.as_ref().is_some_and(|p| slice_cmp(&p[..np], &key[..np]).is_eq());
        if !same_partition {
            (row_number, rank, dense) = (0, 0, 0);
        }
        row_number += 1;
        let peer = same_partition && prev.as_ref().is_some_and(|p| order_cmp(&p[np..], &key[np..], call).is_eq());
        if !peer {
            rank = row_number;
            dense += 1;
        }
        prev = Some(key);
        let number = |n: usize| Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
        row.extend(calls.iter().map(|c| match c.func {
            WindowFunc::RowNumber => number(row_number),
            WindowFunc::Rank => number(rank),
            _ => number(dense),
        }));
        Some(Ok(row))
    })))
}

/// Window calls over rows sorted by their shared partition, one partition
/// in memory at a time.
fn by_partition<'a>(
    input: RowIter<'a>,
    partition: &'a [Expr],
    calls: &'a [WindowCall],
    ctx: &'a EvalCtx,
) -> Result<RowIter<'a>> {
    let cmp: KeyCmp<'a> = std::sync::Arc::new(slice_cmp);
    let mut sorter = Sorter::new(&ctx.mem, cmp);
    for r in input {
        let r = r?;
        sorter.push(eval_all(partition, &r, ctx)?, r)?;
    }
    let mut sorted = sorter.finish()?.peekable();
    let mut ready = std::collections::VecDeque::new();
    let mut grant = ctx.mem.grant();
    let mut next_partition = move || -> Result<Option<std::collections::VecDeque<Vec<Value>>>> {
        let Some(first) = sorted.next().transpose()? else { return Ok(None) };
        let key = eval_all(partition, &first, ctx)?;
        grant.release();
        grant.grow(held_bytes(&first, calls), "one window partition")?;
        let mut rows = vec![first];
        while let Some(Ok(r)) = sorted.peek() {
            if slice_cmp(&eval_all(partition, r, ctx)?, &key).is_ne() {
                break;
            }
            grant.grow(held_bytes(r, calls), "one window partition")?;
            rows.extend(sorted.next().transpose()?);
        }
        if let Some(Err(_)) = sorted.peek() {
            sorted.next().transpose()?;
        }
        let columns = calls.iter().map(|c| compute(&rows, c, ctx)).collect::<Result<Vec<_>>>()?;
        for (i, row) in rows.iter_mut().enumerate() {
            row.extend(columns.iter().map(|col| col[i].clone()));
        }
        Ok(Some(rows.into()))
    };
    Ok(Box::new(std::iter::from_fn(move || loop {
        if let Some(r) = ready.pop_front() {
            return Some(Ok(r));
        }
        match next_partition() {
            Ok(Some(rows)) => ready = rows,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        }
    })))
}

/// Computes one window call for every row.
///
/// # Errors
/// Evaluation errors in arguments or keys; frame offsets or function
/// arguments SQLite refuses (such as a negative offset or `ntile(0)`).
pub fn compute(rows: &[Vec<Value>], call: &WindowCall, ctx: &EvalCtx<'_>) -> Result<Vec<Value>> {
    let n = rows.len();
    let mut out = vec![Value::Null; n];
    if n == 0 {
        return Ok(out);
    }
    let order_exprs: Vec<Expr> = call.order.iter().map(|(e, _, _)| e.clone()).collect();
    let mut part = Vec::with_capacity(n);
    let mut ord = Vec::with_capacity(n);
    let mut args: Vec<Vec<Value>> = vec![Vec::with_capacity(n); call.args.len()];
    let mut included = Vec::with_capacity(n);
    for r in rows {
        part.push(eval_all(&call.partition, r, ctx)?);
        ord.push(eval_all(&order_exprs, r, ctx)?);
        for (k, a) in call.args.iter().enumerate() {
            args[k].push(eval(a, r, ctx)?);
        }
        included.push(match &call.filter {
            Some(f) => eval_predicate(f, r, ctx)?,
            None => true,
        });
    }
    let offsets = Offsets::eval(&call.frame, ctx)?;
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| slice_cmp(&part[a], &part[b]).then_with(|| order_cmp(&ord[a], &ord[b], call)));
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && slice_cmp(&part[idx[end]], &part[idx[start]]).is_eq() {
            end += 1;
        }
        let slice = &idx[start..end];
        let peers = Peers::new(slice.len(), |a, b| order_cmp(&ord[slice[a]], &ord[slice[b]], call).is_eq());
        let p = Partition { rows: slice, args: &args, included: &included, order: &ord, peers };
        let values = if call.func.uses_frame() {
            framed::compute(&p, call, &offsets)?
        } else {
            ranking::compute(&p, call.func)?
        };
        for (pos, v) in values.into_iter().enumerate() {
            out[slice[pos]] = v;
        }
        start = end;
    }
    Ok(out)
}
