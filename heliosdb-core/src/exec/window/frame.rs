//! Frames: which positions of a partition each row's frame holds. `ROWS`
//! counts rows, `GROUPS` counts peer groups (rows with equal ORDER BY
//! values), `RANGE` compares the single ORDER BY value with the current
//! row's plus or minus the offset, as SQLite does (NULLs are peers of each
//! other only; text and blobs take no offset). `EXCLUDE` then takes the
//! current row and/or its peers out.

use super::Partition;
use crate::error::{sql_err, Result};
use crate::exec::arith::arithmetic;
use crate::exec::eval::{eval, EvalCtx};
use crate::sql::expr::{BinaryOp, Exclude, Frame, FrameBound, FrameUnits};
use crate::types::cast::to_numeric;
use crate::types::compare::order_key_cmp;
use crate::types::Value;
use std::ops::Range;

/// Peer groups of a sorted partition.
pub(super) struct Peers {
    /// The group of each position.
    group: Vec<usize>,
    /// Each group's positions.
    bounds: Vec<Range<usize>>,
}

impl Peers {
    /// Groups `m` sorted positions; `same(a, b)` says whether two are peers.
    pub(super) fn new(m: usize, same: impl Fn(usize, usize) -> bool) -> Peers {
        let mut group = Vec::with_capacity(m);
        let mut bounds = Vec::new();
        let mut g = 0;
        while g < m {
            let mut h = g + 1;
            while h < m && same(g, h) {
                h += 1;
            }
            group.extend(std::iter::repeat(bounds.len()).take(h - g));
            bounds.push(g..h);
            g = h;
        }
        Peers { group, bounds }
    }

    /// The group index of position `i` (0-based).
    pub(super) fn group_of(&self, i: usize) -> usize {
        self.group[i]
    }

    /// The positions of position `i`'s peer group.
    pub(super) fn of(&self, i: usize) -> Range<usize> {
        self.bounds[self.group[i]].clone()
    }
}

/// A frame's offsets, evaluated once per statement.
pub(super) struct Offsets {
    start: Option<Value>,
    end: Option<Value>,
}

fn check_offset(v: Value, units: FrameUnits, which: &str) -> Result<Value> {
    let ok = match (&v, units) {
        (Value::Integer(k), _) => *k >= 0,
        (Value::Real(r), FrameUnits::Range) => *r >= 0.0,
        (Value::Real(r), _) => *r >= 0.0 && r.fract() == 0.0,
        _ => false,
    };
    if !ok {
        let kind = if units == FrameUnits::Range { "number" } else { "integer" };
        return Err(sql_err!("frame {which} offset must be a non-negative {kind}"));
    }
    Ok(match v {
        Value::Real(r) if units != FrameUnits::Range => Value::Integer(r as i64),
        other => other,
    })
}

impl Offsets {
    /// Evaluates and checks the offsets of `frame` (SQLite: non-negative, and
    /// an integer unless the frame is RANGE).
    ///
    /// # Errors
    /// An offset that is NULL, negative, text, or fractional outside RANGE.
    pub(super) fn eval(frame: &Frame, ctx: &EvalCtx<'_>) -> Result<Offsets> {
        let one = |b: &FrameBound, which: &str| -> Result<Option<Value>> {
            match b {
                FrameBound::Preceding(e) | FrameBound::Following(e) => {
                    let v = match eval(e, &[], ctx)? {
                        Value::Text(t) if frame.units != FrameUnits::Range => to_numeric(&Value::Text(t)),
                        other => other,
                    };
                    check_offset(v, frame.units, which).map(Some)
                }
                _ => Ok(None),
            }
        };
        Ok(Offsets { start: one(&frame.start, "starting")?, end: one(&frame.end, "ending")? })
    }
}

fn count(v: Option<&Value>) -> usize {
    match v {
        Some(Value::Integer(k)) => usize::try_from(*k).unwrap_or(usize::MAX),
        _ => 0,
    }
}

/// The first position whose ORDER BY value is not before `bound` (or, with
/// `past`, not before-or-equal): a binary search, the partition being sorted.
fn range_edge(p: &Partition<'_>, bound: &Value, desc: bool, nulls_first: bool, past: bool) -> usize {
    let (mut lo, mut hi) = (0, p.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        let o = order_key_cmp(&p.order[p.rows[mid]][0], bound, desc, nulls_first);
        if o.is_lt() || (past && o.is_eq()) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The current row's ORDER BY value moved `offset` toward the partition's
/// start (`back`) or end, in sort order. Only numbers move.
fn shifted(v: &Value, offset: &Value, back: bool, desc: bool) -> Value {
    if matches!(v, Value::Null | Value::Text(_) | Value::Blob(_)) {
        return v.clone();
    }
    let op = if back != desc { BinaryOp::Sub } else { BinaryOp::Add };
    arithmetic(op, v, offset).unwrap_or(Value::Null)
}

/// The positions of the frame of position `i` (before EXCLUDE), as a
/// half-open range; `start > end` reads as empty.
pub(super) fn bounds(
    p: &Partition<'_>,
    frame: &Frame,
    offsets: &Offsets,
    i: usize,
    desc_nulls: (bool, bool),
) -> Range<usize> {
    let m = p.len();
    let peers = &p.peers;
    let g = peers.group_of(i);
    let groups = peers.bounds.len();
    let edge = |b: &FrameBound, off: Option<&Value>, is_start: bool| -> usize {
        match (b, frame.units) {
            (FrameBound::UnboundedPreceding, _) => 0,
            (FrameBound::UnboundedFollowing, _) => m,
            (FrameBound::CurrentRow, FrameUnits::Rows) => i + usize::from(!is_start),
            (FrameBound::CurrentRow, _) => {
                if is_start {
                    peers.bounds[g].start
                } else {
                    peers.bounds[g].end
                }
            }
            (FrameBound::Preceding(_), FrameUnits::Rows) => (i + usize::from(!is_start)).saturating_sub(count(off)),
            (FrameBound::Following(_), FrameUnits::Rows) => {
                (i + usize::from(!is_start)).saturating_add(count(off)).min(m)
            }
            (FrameBound::Preceding(_) | FrameBound::Following(_), FrameUnits::Groups) => {
                let k = count(off);
                let target = if matches!(b, FrameBound::Preceding(_)) {
                    match g.checked_sub(k) {
                        Some(t) => t,
                        None => return 0,
                    }
                } else {
                    match g.checked_add(k).filter(|t| *t < groups) {
                        Some(t) => t,
                        None => return m,
                    }
                };
                if is_start {
                    peers.bounds[target].start
                } else {
                    peers.bounds[target].end
                }
            }
            (FrameBound::Preceding(_) | FrameBound::Following(_), FrameUnits::Range) => {
                let (desc, nulls_first) = desc_nulls;
                let back = matches!(b, FrameBound::Preceding(_));
                let v = &p.order[p.rows[i]][0];
                let bound = shifted(v, off.unwrap_or(&Value::Integer(0)), back, desc);
                range_edge(p, &bound, desc, nulls_first, !is_start)
            }
        }
    };
    edge(&frame.start, offsets.start.as_ref(), true)..edge(&frame.end, offsets.end.as_ref(), false)
}

/// The frame of position `i` after EXCLUDE: up to three runs of positions,
/// in order.
pub(super) fn segments(p: &Partition<'_>, exclude: Exclude, i: usize, frame: Range<usize>) -> Vec<Range<usize>> {
    if frame.start >= frame.end {
        return Vec::new();
    }
    let group = p.peers.of(i);
    let holes: Vec<Range<usize>> = match exclude {
        Exclude::NoOthers => Vec::new(),
        Exclude::CurrentRow => vec![i..i + 1],
        Exclude::Group => vec![group],
        Exclude::Ties => vec![group.start..i, i + 1..group.end],
    };
    let mut out = Vec::with_capacity(3);
    let mut at = frame.start;
    for h in holes {
        let (hs, he) = (h.start.max(at), h.end.min(frame.end));
        if hs < he {
            if at < hs {
                out.push(at..hs);
            }
            at = he;
        }
    }
    if at < frame.end {
        out.push(at..frame.end);
    }
    out
}
