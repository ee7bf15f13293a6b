//! Joins: a hash join on the equality keys the planner found, or a nested
//! loop, inner or left outer, in bounded memory.
//!
//! The right side is read into working memory once. When it does not fit,
//! an equi-join becomes a grace hash join: both sides are split into
//! [`super::spill::PARTITIONS`] temporary files by a hash of their key and each pair of
//! files is joined on its own (split again, with another hash, if its right
//! side still does not fit). A nested loop whose right side does not fit
//! keeps that side in a temporary file and reads it once per left row.
//! Past the working memory, rows come out partition by partition, so their
//! order differs from the in-memory join's (SQL leaves it unspecified).

use super::eval::{eval, eval_predicate, EvalCtx};
use super::memory::{row_bytes, Grant, KeyMap, HASH_ENTRY_OVERHEAD};
use super::spill::{PartitionFiles, RowSpool, SpillReader};
use super::RowIter;
use crate::error::Result;
use crate::sql::expr::Expr;
use crate::sql::plan::JoinKind;
use crate::types::Value;
use std::collections::VecDeque;

/// Passes before a right side that still does not fit is an error.
const MAX_DEPTH: u32 = 4;

/// What a join needs besides its inputs.
#[derive(Clone, Copy)]
pub struct JoinSpec<'a> {
    /// Checked on every candidate pair (the combined row).
    pub on: Option<&'a Expr>,
    /// Inner or left outer.
    pub kind: JoinKind,
    /// Right columns, for NULL padding.
    pub right_width: usize,
    /// (left expression, right expression) equality keys; empty: nested loop.
    pub equi: &'a [(Expr, Expr)],
}

/// Joins `left` with `right`.
///
/// # Errors
/// Evaluation errors; temporary files that cannot be written.
pub fn join<'a>(left: RowIter<'a>, right: RowIter<'a>, spec: JoinSpec<'a>, ctx: &'a EvalCtx) -> Result<RowIter<'a>> {
    let mut grant = ctx.mem.grant();
    let mut rows = Vec::new();
    let mut right = right;
    while let Some(r) = right.next() {
        let r = r?;
        if !grant.try_grow(row_bytes(&r) + HASH_ENTRY_OVERHEAD) {
            rows.push(r);
            drop(grant);
            let rest = Box::new(rows.into_iter().map(Ok).chain(right));
            return if spec.equi.is_empty() {
                nested_loop_on_disk(left, rest, spec, ctx)
            } else {
                grace(left, rest, spec, ctx, 0)
            };
        }
        rows.push(r);
    }
    let table = Table::build(rows, spec, ctx, grant)?;
    Ok(Box::new(left.flat_map(move |l| match l {
        Ok(l) => table.probe(l, spec, ctx),
        Err(e) => Emit::One(Some(Err(e))),
    })))
}

/// The right side in memory, bucketed by key for an equi-join.
struct Table {
    rows: Vec<Vec<Value>>,
    buckets: Option<KeyMap<Vec<Value>, Vec<usize>>>,
    all: Vec<usize>,
    _grant: Grant,
}

impl Table {
    fn build(rows: Vec<Vec<Value>>, spec: JoinSpec<'_>, ctx: &EvalCtx, grant: Grant) -> Result<Table> {
        let buckets = if spec.equi.is_empty() {
            None
        } else {
            let mut map: KeyMap<Vec<Value>, Vec<usize>> = KeyMap::default();
            for (i, r) in rows.iter().enumerate() {
                let key = spec.equi.iter().map(|(_, re)| eval(re, r, ctx)).collect::<Result<Vec<_>>>()?;
                if key.iter().all(|v| !v.is_null()) {
                    map.entry(key).or_default().push(i);
                }
            }
            Some(map)
        };
        let all = if buckets.is_none() { (0..rows.len()).collect() } else { Vec::new() };
        Ok(Table { rows, buckets, all, _grant: grant })
    }

    /// The rows one left row produces.
    fn probe(&self, l: Vec<Value>, spec: JoinSpec<'_>, ctx: &EvalCtx) -> Emit {
        let candidates: &[usize] = match &self.buckets {
            None => &self.all,
            Some(map) => match left_key(&l, spec, ctx) {
                Ok(k) => map.get(&k).map_or(&[], Vec::as_slice),
                Err(e) => return Emit::One(Some(Err(e))),
            },
        };
        combine(l, candidates.iter().map(|&i| Ok(&self.rows[i])), candidates.len(), spec, ctx)
    }
}

fn left_key(l: &[Value], spec: JoinSpec<'_>, ctx: &EvalCtx) -> Result<Vec<Value>> {
    spec.equi.iter().map(|(le, _)| eval(le, l, ctx)).collect()
}

/// Joins one left row with its candidate right rows.
fn combine<R: AsRef<[Value]>>(
    l: Vec<Value>,
    candidates: impl Iterator<Item = Result<R>>,
    count: usize,
    spec: JoinSpec<'_>,
    ctx: &EvalCtx,
) -> Emit {
    let mut out = Emit::Empty;
    let mut left_row = Some(l);
    let last = count.saturating_sub(1);
    for (n, right) in candidates.enumerate() {
        let right = match right {
            Ok(r) => r,
            Err(e) => return Emit::One(Some(Err(e))),
        };
        // The last candidate takes the left row instead of copying it.
        let base = if n == last { left_row.take() } else { left_row.clone() };
        let Some(mut row) = base else { break };
        let lw = row.len();
        row.extend(right.as_ref().iter().cloned());
        match spec.on.map_or(Ok(true), |p| eval_predicate(p, &row, ctx)) {
            Ok(true) => out.push(Ok(row)),
            Ok(false) if n == last => {
                row.truncate(lw);
                left_row = Some(row);
            }
            Ok(false) => {}
            Err(e) => return Emit::One(Some(Err(e))),
        }
    }
    if matches!(out, Emit::Empty) && spec.kind == JoinKind::LeftOuter {
        if let Some(mut row) = left_row {
            row.extend(std::iter::repeat(Value::Null).take(spec.right_width));
            out.push(Ok(row));
        }
    }
    out
}

/// A grace hash join: both sides split by key into files joined pairwise.
fn grace<'a>(
    left: RowIter<'a>,
    right: RowIter<'a>,
    spec: JoinSpec<'a>,
    ctx: &'a EvalCtx,
    depth: u32,
) -> Result<RowIter<'a>> {
    if depth >= MAX_DEPTH {
        return Err(ctx.mem.exceeded("one key of a hash join"));
    }
    let mut rights = PartitionFiles::new(&ctx.mem, depth)?;
    for r in right {
        let r = r?;
        let key = spec.equi.iter().map(|(_, re)| eval(re, &r, ctx)).collect::<Result<Vec<_>>>()?;
        // A NULL key matches nothing: such right rows can be left out.
        if key.iter().all(|v| !v.is_null()) {
            rights.push(&key, &[&r])?;
        }
    }
    let mut lefts = PartitionFiles::new(&ctx.mem, depth)?;
    // Left rows with a NULL key match nothing; a left join pads them now.
    let mut unmatched = RowSpool::new(&ctx.mem);
    for l in left {
        let l = l?;
        let key = left_key(&l, spec, ctx)?;
        if key.iter().any(Value::is_null) {
            if spec.kind == JoinKind::LeftOuter {
                for row in combine(l, std::iter::empty::<Result<Vec<Value>>>(), 0, spec, ctx) {
                    unmatched.push(row?)?;
                }
            }
        } else {
            lefts.push(&key, &[&l])?;
        }
    }
    let mut pairs = VecDeque::new();
    for (l, r) in lefts.finish()?.into_iter().zip(rights.finish()?) {
        if l.rows() > 0 {
            pairs.push_back((l, r));
        }
    }
    let mut current: Option<RowIter<'a>> = None;
    // Emitted first; dropped once read, giving its memory to the pairs.
    let mut unmatched = Some(unmatched.finish()?);
    Ok(Box::new(std::iter::from_fn(move || loop {
        if let Some(rows) = &mut unmatched {
            match rows.next() {
                Some(row) => return Some(row),
                None => unmatched = None,
            }
        }
        if let Some(cur) = &mut current {
            match cur.next() {
                Some(row) => return Some(row),
                None => current = None,
            }
        }
        let (l, r) = pairs.pop_front()?;
        match join_pair(l, r, spec, ctx, depth) {
            Ok(it) => current = Some(it),
            Err(e) => {
                pairs.clear();
                return Some(Err(e));
            }
        }
    })))
}

/// Joins one pair of partition files: in memory when the right file fits,
/// else split again.
fn join_pair<'a>(
    left: SpillReader,
    mut right: SpillReader,
    spec: JoinSpec<'a>,
    ctx: &'a EvalCtx,
    depth: u32,
) -> Result<RowIter<'a>> {
    let mut grant = ctx.mem.grant();
    let mut rows = Vec::new();
    while let Some(r) = right.next_row()? {
        if !grant.try_grow(row_bytes(&r) + HASH_ENTRY_OVERHEAD) {
            rows.push(r);
            drop(grant);
            let rest = Box::new(rows.into_iter().map(Ok).chain(right));
            return grace(Box::new(left), rest, spec, ctx, depth + 1);
        }
        rows.push(r);
    }
    let table = Table::build(rows, spec, ctx, grant)?;
    Ok(Box::new(left.flat_map(move |l| match l {
        Ok(l) => table.probe(l, spec, ctx),
        Err(e) => Emit::One(Some(Err(e))),
    })))
}

/// A nested loop whose right side is in a temporary file.
fn nested_loop_on_disk<'a>(
    left: RowIter<'a>,
    right: RowIter<'a>,
    spec: JoinSpec<'a>,
    ctx: &'a EvalCtx,
) -> Result<RowIter<'a>> {
    let mut spool = RowSpool::new(&ctx.mem);
    for r in right {
        spool.push(r?)?;
    }
    let mut file = spool.into_file()?;
    Ok(Box::new(left.flat_map(move |l| {
        let l = match l {
            Ok(l) => l,
            Err(e) => return Emit::One(Some(Err(e))),
        };
        if let Err(e) = file.rewind() {
            return Emit::One(Some(Err(e)));
        }
        let n = file.rows() as usize;
        combine(l, file.by_ref().take(n), n, spec, ctx)
    })))
}

/// The rows one left row produces in a join: most produce none or one, so
/// those need no allocation.
enum Emit {
    Empty,
    One(Option<Result<Vec<Value>>>),
    Many(VecDeque<Result<Vec<Value>>>),
}

impl Emit {
    fn push(&mut self, row: Result<Vec<Value>>) {
        match self {
            Emit::Empty => *self = Emit::One(Some(row)),
            Emit::One(first) => {
                let mut rows: VecDeque<_> = first.take().into_iter().collect();
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
