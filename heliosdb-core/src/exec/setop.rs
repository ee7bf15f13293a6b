//! UNION, INTERSECT and EXCEPT, with SQL's duplicate rules: without ALL the
//! result has no duplicates; with ALL, INTERSECT keeps min(m, n) copies and
//! EXCEPT max(m - n, 0). Rows keep the order of their first appearance
//! while the right side's rows fit the statement's working memory.
//!
//! UNION streams (its duplicates go through [`Distinct`], which spills).
//! INTERSECT and EXCEPT count the right side's rows in a hash table; when it
//! does not fit, both sides are split into partition files by a hash of the
//! whole row and each pair of files is combined on its own.

use super::eval::EvalCtx;
use super::grouping::Distinct;
use super::memory::{row_bytes, KeyMap, HASH_ENTRY_OVERHEAD};
use super::spill::{PartitionFiles, SpillReader};
use super::RowIter;
use crate::error::Result;
use crate::sql::plan::SetOpKind;
use crate::types::Value;

/// Splits before a right side that still does not fit is an error.
const MAX_DEPTH: u32 = 6;

/// Combines `left` and `right` under `op`.
///
/// # Errors
/// Evaluation errors; temporary files that cannot be written.
pub fn set_op<'a>(
    op: SetOpKind,
    all: bool,
    left: RowIter<'a>,
    right: RowIter<'a>,
    ctx: &'a EvalCtx,
) -> Result<RowIter<'a>> {
    match (op, all) {
        (SetOpKind::Union, true) => Ok(Box::new(left.chain(right))),
        (SetOpKind::Union, false) => Ok(Box::new(Distinct::new(Box::new(left.chain(right)), &ctx.mem))),
        _ => counted(op, all, left, right, ctx, 0),
    }
}

/// INTERSECT or EXCEPT against the right side's row counts.
fn counted<'a>(
    op: SetOpKind,
    all: bool,
    left: RowIter<'a>,
    mut right: RowIter<'a>,
    ctx: &'a EvalCtx,
    depth: u32,
) -> Result<RowIter<'a>> {
    let mut grant = ctx.mem.grant();
    let mut counts: KeyMap<Vec<Value>, usize> = KeyMap::default();
    while let Some(r) = right.next() {
        let r = r?;
        if let Some(n) = counts.get_mut(&r) {
            *n += 1;
            continue;
        }
        if !grant.try_grow(row_bytes(&r) + HASH_ENTRY_OVERHEAD) {
            if depth >= MAX_DEPTH {
                return Err(ctx.mem.exceeded("INTERSECT or EXCEPT"));
            }
            drop(grant);
            let held = counts.into_iter().flat_map(|(row, n)| std::iter::repeat(row).take(n)).map(Ok);
            let right = Box::new(held.chain(std::iter::once(Ok(r))).chain(right));
            return partitioned(op, all, left, right, ctx, depth);
        }
        counts.insert(r, 1);
    }
    let kept = left.filter_map(move |r| {
        let r = match r {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
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
            (SetOpKind::Intersect, false) => in_right.is_some(),
            _ => in_right.is_none(),
        };
        let _held = &grant;
        keep.then_some(Ok(r))
    });
    Ok(if all { Box::new(kept) } else { Box::new(Distinct::new(Box::new(kept), &ctx.mem)) })
}

fn split(rows: RowIter<'_>, ctx: &EvalCtx, depth: u32) -> Result<Vec<SpillReader>> {
    let mut files = PartitionFiles::new(&ctx.mem, depth)?;
    for r in rows {
        let r = r?;
        files.push(&r, &[&r])?;
    }
    files.finish()
}

/// Both sides split by row hash; equal rows meet in the same pair of files.
fn partitioned<'a>(
    op: SetOpKind,
    all: bool,
    left: RowIter<'a>,
    right: RowIter<'a>,
    ctx: &'a EvalCtx,
    depth: u32,
) -> Result<RowIter<'a>> {
    let rights = split(right, ctx, depth)?;
    let lefts = split(left, ctx, depth)?;
    let mut pairs: Vec<(SpillReader, SpillReader)> =
        lefts.into_iter().zip(rights).filter(|(l, _)| l.rows() > 0).collect();
    pairs.reverse();
    let mut current: Option<RowIter<'a>> = None;
    Ok(Box::new(std::iter::from_fn(move || loop {
        if let Some(cur) = &mut current {
            match cur.next() {
                Some(row) => return Some(row),
                None => current = None,
            }
        }
        let (l, r) = pairs.pop()?;
        match counted(op, all, Box::new(l), Box::new(r), ctx, depth + 1) {
            Ok(it) => current = Some(it),
            Err(e) => {
                pairs.clear();
                return Some(Err(e));
            }
        }
    })))
}
