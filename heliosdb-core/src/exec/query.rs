//! Query operators: each plan node becomes an iterator of rows.

use super::aggregate::AggState;
use super::eval::{eval, eval_predicate, EvalCtx};
use super::scan::{scan, scan_from};
use super::RowIter;
use crate::error::Result;
use crate::interrupt::checked;
use crate::sql::expr::{AggCall, Expr};
use crate::sql::plan::{JoinKind, Plan, SetOpKind, SortKey};
use crate::storage::Reader;
use crate::types::compare::{order_key_cmp, total_cmp};
use crate::types::Value;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

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
            Box::new(inner.filter_map(move |row| match row {
                Ok(r) => match eval_predicate(pred, &r, ctx) {
                    Ok(true) => Some(Ok(r)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                },
                Err(e) => Some(Err(e)),
            }))
        }
        Plan::Project { input, exprs } => project(run(input, reader, ctx)?, exprs, ctx),
        Plan::Aggregate { input, group, aggs } => {
            let rows = aggregate(run(input, reader, ctx)?, group, aggs, ctx)?;
            Box::new(rows.into_iter().map(Ok))
        }
        Plan::Window { input, calls } => {
            let mut rows: Vec<Vec<Value>> = run(input, reader, ctx)?.collect::<Result<_>>()?;
            let columns = calls.iter().map(|c| super::window::compute(&rows, c, ctx)).collect::<Result<Vec<_>>>()?;
            for (i, row) in rows.iter_mut().enumerate() {
                row.extend(columns.iter().map(|col| col[i].clone()));
            }
            Box::new(rows.into_iter().map(Ok))
        }
        Plan::Sort { input, presorted: true, .. } if super::scan::reads_index_in_order(input, ctx)? => {
            run(input, reader, ctx)?
        }
        Plan::Sort { input, keys, .. } => {
            let rows = sort(run(input, reader, ctx)?, keys, ctx)?;
            Box::new(rows.into_iter().map(Ok))
        }
        Plan::Distinct { input } => {
            let mut seen: HashSet<Vec<Value>> = HashSet::new();
            let inner = run(input, reader, ctx)?;
            Box::new(inner.filter(move |row| match row {
                Ok(r) => seen.insert(r.clone()),
                Err(_) => true,
            }))
        }
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
                    let rows = top_n(run(unsorted, reader, ctx)?, keys, offset.saturating_add(limit), ctx)?;
                    Box::new(rows.into_iter().skip(offset).map(Ok))
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
            let l: Vec<Vec<Value>> = run(left, reader, ctx)?.collect::<Result<_>>()?;
            let r: Vec<Vec<Value>> = run(right, reader, ctx)?.collect::<Result<_>>()?;
            Box::new(set_op(*op, *all, l, r).into_iter().map(Ok))
        }
        Plan::Join { left, right, on, kind, right_width, equi } => {
            let right_rows: Vec<Vec<Value>> = run(right, reader, ctx)?.collect::<Result<_>>()?;
            // Hash join: bucket the right rows by their key once.
            let buckets: Option<HashMap<Vec<Value>, Vec<usize>>> = if equi.is_empty() {
                None
            } else {
                let mut map: HashMap<Vec<Value>, Vec<usize>> = HashMap::new();
                for (i, r) in right_rows.iter().enumerate() {
                    let key = equi.iter().map(|(_, re)| eval(re, r, ctx)).collect::<Result<Vec<_>>>()?;
                    if key.iter().all(|v| !v.is_null()) {
                        map.entry(key).or_default().push(i);
                    }
                }
                Some(map)
            };
            let outer = run(left, reader, ctx)?;
            let kind = *kind;
            let width = *right_width;
            let all: Vec<usize> = (0..right_rows.len()).collect();
            Box::new(outer.flat_map(move |l| -> Emit {
                let l = match l {
                    Ok(l) => l,
                    Err(e) => return Emit::One(Some(Err(e))),
                };
                let candidates: &[usize] = match &buckets {
                    None => &all,
                    Some(map) => {
                        let key = equi.iter().map(|(le, _)| eval(le, &l, ctx)).collect::<Result<Vec<_>>>();
                        match key {
                            Ok(k) => map.get(&k).map_or(&[], Vec::as_slice),
                            Err(e) => return Emit::One(Some(Err(e))),
                        }
                    }
                };
                let mut out = Emit::Empty;
                let mut left_row = Some(l);
                let last = candidates.len().saturating_sub(1);
                for (n, &ri) in candidates.iter().enumerate() {
                    // The last candidate takes the left row instead of copying it.
                    let base = if n == last { left_row.take() } else { left_row.clone() };
                    let Some(mut row) = base else { break };
                    let lw = row.len();
                    row.extend(right_rows[ri].iter().cloned());
                    match on.as_ref().map_or(Ok(true), |p| eval_predicate(p, &row, ctx)) {
                        Ok(true) => out.push(Ok(row)),
                        Ok(false) if n == last => {
                            row.truncate(lw);
                            left_row = Some(row);
                        }
                        Ok(false) => {}
                        Err(e) => return Emit::One(Some(Err(e))),
                    }
                }
                if matches!(out, Emit::Empty) && kind == JoinKind::LeftOuter {
                    if let Some(mut row) = left_row {
                        row.extend(std::iter::repeat(Value::Null).take(width));
                        out.push(Ok(row));
                    }
                }
                out
            }))
        }
    })
}

/// The rows one left row produces in a join: most produce none or one, so
/// those need no allocation.
enum Emit {
    Empty,
    One(Option<Result<Vec<Value>>>),
    Many(std::collections::VecDeque<Result<Vec<Value>>>),
}

impl Emit {
    fn push(&mut self, row: Result<Vec<Value>>) {
        match self {
            Emit::Empty => *self = Emit::One(Some(row)),
            Emit::One(first) => {
                let mut rows: std::collections::VecDeque<_> = first.take().into_iter().collect();
                rows.push_back(row);
                *self = Emit::Many(rows);
            }
            Emit::Many(rows) => rows.push_back(row),
        }
    }
}

impl Iterator for Emit {
    type Item = Result<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Emit::Empty => None,
            Emit::One(row) => row.take(),
            Emit::Many(rows) => rows.pop_front(),
        }
    }
}

fn aggregate(input: RowIter<'_>, group: &[Expr], aggs: &[AggCall], ctx: &EvalCtx) -> Result<Vec<Vec<Value>>> {
    let new_states = || aggs.iter().map(|a| AggState::new(a.func, a.distinct)).collect::<Vec<_>>();
    let feed = |states: &mut [AggState], row: &[Value]| -> Result<()> {
        for (state, call) in states.iter_mut().zip(aggs) {
            if let Some(f) = &call.filter {
                if !eval_predicate(f, row, ctx)? {
                    continue;
                }
            }
            let v = call.arg.as_ref().map(|a| eval(a, row, ctx)).transpose()?;
            let sep = call.separator.as_ref().map(|s| eval(s, row, ctx)).transpose()?;
            state.update(v.as_ref(), sep.as_ref())?;
        }
        Ok(())
    };
    if group.is_empty() {
        let mut states = new_states();
        for row in input {
            feed(&mut states, &row?)?;
        }
        return Ok(vec![states.iter().map(AggState::finish).collect()]);
    }
    // A grouping column no aggregate reads can be moved out of the row
    // instead of cloned (text group keys would otherwise allocate per row).
    let mut read_by_aggs = Vec::new();
    for call in aggs {
        for e in call.arg.iter().chain(call.separator.iter()).chain(call.filter.iter()) {
            e.walk(&mut |x| {
                if let Expr::Column(i) = x {
                    read_by_aggs.push(*i);
                }
            });
        }
    }
    let movable: Vec<Option<usize>> = group
        .iter()
        .enumerate()
        .map(|(n, g)| match g {
            Expr::Column(i) if !read_by_aggs.contains(i) && !group[..n].contains(g) => Some(*i),
            _ => None,
        })
        .collect();
    let mut groups: HashMap<Vec<Value>, Vec<AggState>> = HashMap::new();
    let mut key: Vec<Value> = Vec::with_capacity(group.len());
    for row in input {
        let mut row = row?;
        key.clear();
        for (g, mv) in group.iter().zip(&movable) {
            key.push(match mv {
                Some(i) if *i < row.len() => std::mem::replace(&mut row[*i], Value::Null),
                _ => eval(g, &row, ctx)?,
            });
        }
        match groups.get_mut(key.as_slice()) {
            Some(states) => feed(states, &row)?,
            None => {
                let mut states = new_states();
                feed(&mut states, &row)?;
                groups.insert(key.clone(), states);
            }
        }
    }
    // Output groups in key order, as SQLite does (it groups by sorting).
    let mut out: Vec<Vec<Value>> = groups
        .into_iter()
        .map(|(mut key, states)| {
            key.extend(states.iter().map(AggState::finish));
            key
        })
        .collect();
    let n = group.len();
    out.sort_by(|a, b| compare_prefix(a, b, n));
    Ok(out)
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

/// UNION / INTERSECT / EXCEPT, with SQL's duplicate rules: without ALL the
/// result has no duplicates; with ALL, INTERSECT keeps min(m, n) copies and
/// EXCEPT max(m - n, 0). Rows keep the order of their first appearance.
fn set_op(op: SetOpKind, all: bool, left: Vec<Vec<Value>>, right: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    match (op, all) {
        (SetOpKind::Union, true) => left.into_iter().chain(right).collect(),
        (SetOpKind::Union, false) => {
            let mut seen = HashSet::new();
            left.into_iter().chain(right).filter(|r| seen.insert(r.clone())).collect()
        }
        (_, _) => {
            let mut counts: HashMap<Vec<Value>, usize> = HashMap::new();
            for r in right {
                *counts.entry(r).or_insert(0) += 1;
            }
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for r in left {
                let in_right = counts.get_mut(&r);
                let keep = match (op, all) {
                    (SetOpKind::Intersect, true) => match in_right {
                        Some(n) if *n > 0 => {
                            *n -= 1;
                            true
                        }
                        _ => false,
                    },
                    (SetOpKind::Except, true) => match in_right {
                        Some(n) if *n > 0 => {
                            *n -= 1;
                            false
                        }
                        _ => true,
                    },
                    (SetOpKind::Intersect, false) => in_right.is_some() && seen.insert(r.clone()),
                    _ => in_right.is_none() && seen.insert(r.clone()),
                };
                if keep {
                    out.push(r);
                }
            }
            out
        }
    }
}

fn compare_prefix(a: &[Value], b: &[Value], n: usize) -> Ordering {
    a.iter().zip(b).take(n).map(|(x, y)| total_cmp(x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

/// Compares two rows' evaluated sort keys under ORDER BY `keys`.
pub(super) fn keys_cmp(a: &[Value], b: &[Value], keys: &[SortKey]) -> Ordering {
    keys.iter()
        .enumerate()
        .map(|(i, key)| order_key_cmp(&a[i], &b[i], key.desc, key.nulls_first))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// The first `n` rows of `input` in `keys` order, ties in input order (so
/// exactly the first `n` rows [`sort`] would give), holding at most about
/// `2n` rows at a time: rows accumulate until there are twice as many as
/// needed, then the best `n` are selected (`select_nth_unstable`, linear) and
/// the rest dropped; a row that cannot beat the current `n`-th is not kept.
fn top_n(input: RowIter<'_>, keys: &[SortKey], n: usize, ctx: &EvalCtx) -> Result<Vec<Vec<Value>>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    type Entry = (Vec<Value>, usize, Vec<Value>);
    let cmp = |a: &Entry, b: &Entry| keys_cmp(&a.0, &b.0, keys).then(a.1.cmp(&b.1));
    let cap = n.saturating_mul(2).max(1024);
    let mut kept: Vec<Entry> = Vec::new();
    // The key of the n-th best row once the buffer was first cut: a later row
    // (larger sequence number) with a key not below it cannot make the cut.
    let mut bound: Option<Vec<Value>> = None;
    for (seq, row) in input.enumerate() {
        let row = row?;
        let k = keys.iter().map(|k| eval(&k.expr, &row, ctx)).collect::<Result<Vec<_>>>()?;
        if bound.as_ref().is_some_and(|b| keys_cmp(&k, b, keys) != Ordering::Less) {
            continue;
        }
        kept.push((k, seq, row));
        if kept.len() >= cap {
            kept.select_nth_unstable_by(n - 1, cmp);
            kept.truncate(n);
            bound = kept.iter().max_by(|a, b| cmp(a, b)).map(|e| e.0.clone());
        }
    }
    kept.sort_by(cmp);
    kept.truncate(n);
    Ok(kept.into_iter().map(|(_, _, r)| r).collect())
}

fn sort(input: RowIter<'_>, keys: &[SortKey], ctx: &EvalCtx) -> Result<Vec<Vec<Value>>> {
    let mut decorated: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    for row in input {
        let row = row?;
        let k = keys.iter().map(|k| eval(&k.expr, &row, ctx)).collect::<Result<Vec<_>>>()?;
        decorated.push((k, row));
    }
    decorated.sort_by(|(a, _), (b, _)| keys_cmp(a, b, keys));
    Ok(decorated.into_iter().map(|(_, r)| r).collect())
}
