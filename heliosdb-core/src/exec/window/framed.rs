//! Functions over the frame: aggregates (with FILTER) and FIRST_VALUE,
//! LAST_VALUE, NTH_VALUE.
//!
//! Frame edges only move forward as the current row does, so aggregates
//! slide: COUNT, SUM, TOTAL and AVG add the rows entering the frame and
//! take out the rows leaving it, MIN and MAX keep a monotonic queue, and
//! the rest (GROUP_CONCAT, the variances) extend one running state while
//! the frame keeps its start, rebuilding it otherwise. All are O(n) for
//! frames starting at UNBOUNDED PRECEDING and for ROWS/RANGE/GROUPS sliding
//! frames except that rebuild. With EXCLUDE other than NO OTHERS each
//! frame is aggregated afresh, as SQLite does.

use super::frame::{bounds, segments, Offsets};
use super::Partition;
use crate::error::{sql_err, Result};
use crate::exec::aggregate::{avg, AggState, Sum};
use crate::sql::expr::{AggFunc, Exclude, WindowCall, WindowFunc};
use crate::types::cast::to_numeric;
use crate::types::compare::total_cmp;
use crate::types::Value;
use std::collections::VecDeque;
use std::ops::Range;

/// Computes a frame function for every position of a partition.
///
/// # Errors
/// NTH_VALUE's N not a positive integer; SUM overflow.
pub(super) fn compute(p: &Partition<'_>, call: &WindowCall, offsets: &Offsets) -> Result<Vec<Value>> {
    let desc_nulls = call.order.first().map_or((false, true), |(_, d, n)| (*d, *n));
    let frame_of = |i: usize| -> Range<usize> {
        let r = bounds(p, &call.frame, offsets, i, desc_nulls);
        // An empty frame is kept as an empty range at its start, so that
        // both edges still only move forward.
        r.start..r.end.max(r.start)
    };
    let exclude = call.frame.exclude;
    let mut out = Vec::with_capacity(p.len());
    match call.func {
        WindowFunc::Agg(func) => {
            let mut agg = Sliding::new(func);
            for i in 0..p.len() {
                let f = frame_of(i);
                out.push(if exclude == Exclude::NoOthers {
                    agg.slide(p, f)?
                } else {
                    fresh(p, func, &segments(p, exclude, i, f))?
                });
            }
        }
        func => {
            for i in 0..p.len() {
                let segs = segments(p, exclude, i, frame_of(i));
                let nth = match func {
                    WindowFunc::FirstValue => Some(0),
                    WindowFunc::LastValue => {
                        let len: usize = segs.iter().map(|s| s.len()).sum();
                        len.checked_sub(1)
                    }
                    _ => Some(nth_arg(p.arg(1, i))? - 1),
                };
                let pos = nth.and_then(|mut k| {
                    segs.iter().find_map(|s| {
                        if k < s.len() {
                            Some(s.start + k)
                        } else {
                            k -= s.len();
                            None
                        }
                    })
                });
                out.push(pos.map_or(Value::Null, |pos| p.arg(0, pos).clone()));
            }
        }
    }
    Ok(out)
}

/// NTH_VALUE's N: a positive integer (or a real with an integer value).
fn nth_arg(v: &Value) -> Result<usize> {
    let n = match to_numeric(v) {
        Value::Integer(k) => k,
        Value::Real(r) if r.fract() == 0.0 => r as i64,
        _ => 0,
    };
    match usize::try_from(n) {
        Ok(k) if k > 0 => Ok(k),
        _ => Err(sql_err!("second argument to nth_value must be a positive integer")),
    }
}

/// Feeds position `pos` to an aggregate state, honouring FILTER.
fn feed(st: &mut AggState, p: &Partition<'_>, func: AggFunc, pos: usize) -> Result<()> {
    if !p.included(pos) {
        return Ok(());
    }
    if func == AggFunc::CountStar {
        return st.update(None, None);
    }
    st.update(Some(p.arg(0, pos)), p.args.get(1).map(|sep| &sep[p.rows[pos]]))
}

/// The aggregate of the given runs of positions, computed afresh.
fn fresh(p: &Partition<'_>, func: AggFunc, segs: &[Range<usize>]) -> Result<Value> {
    let mut st = AggState::new(func, false);
    for pos in segs.iter().flat_map(Clone::clone) {
        feed(&mut st, p, func, pos)?;
    }
    Ok(st.finish())
}

/// An aggregate over a frame that slides forward.
enum Sliding {
    /// COUNT, SUM, TOTAL, AVG: values are added and taken out again.
    Invertible { func: AggFunc, rows: i64, sum: Sum, window: Range<usize> },
    /// MIN, MAX: positions whose value may still be the extreme, best first.
    Extreme { max: bool, queue: VecDeque<usize>, window: Range<usize> },
    /// The others: a running state over `window`, rebuilt when the start moves.
    Running { func: AggFunc, state: AggState, window: Range<usize> },
}

impl Sliding {
    fn new(func: AggFunc) -> Sliding {
        match func {
            AggFunc::CountStar | AggFunc::Count | AggFunc::Sum | AggFunc::Total | AggFunc::Avg => {
                Sliding::Invertible { func, rows: 0, sum: Sum::default(), window: 0..0 }
            }
            AggFunc::Min | AggFunc::Max => {
                Sliding::Extreme { max: func == AggFunc::Max, queue: VecDeque::new(), window: 0..0 }
            }
            _ => Sliding::Running { func, state: AggState::new(func, false), window: 0..0 },
        }
    }

    /// Moves the frame to `f` (whose edges are not before the previous
    /// frame's) and returns the aggregate.
    fn slide(&mut self, p: &Partition<'_>, f: Range<usize>) -> Result<Value> {
        match self {
            Sliding::Invertible { func, rows, sum, window } => {
                let counted = |pos: usize| p.included(pos) && (*func == AggFunc::CountStar || !p.arg(0, pos).is_null());
                if f.start >= window.end {
                    *window = f.start..f.start;
                    *rows = 0;
                    *sum = Sum::default();
                }
                while window.end < f.end {
                    let pos = window.end;
                    window.end += 1;
                    if counted(pos) {
                        *rows += 1;
                        if !matches!(func, AggFunc::CountStar | AggFunc::Count) {
                            add_to_sum(sum, *func, p.arg(0, pos))?;
                        }
                    }
                }
                while window.start < f.start {
                    let pos = window.start;
                    window.start += 1;
                    if counted(pos) {
                        *rows -= 1;
                        if !matches!(func, AggFunc::CountStar | AggFunc::Count) {
                            sum.remove(p.arg(0, pos))?;
                        }
                    }
                }
                Ok(match func {
                    AggFunc::Sum => sum.value(),
                    AggFunc::Total => Value::Real(sum.value().as_f64().unwrap_or(0.0)),
                    AggFunc::Avg => avg(&sum.value(), *rows),
                    _ => Value::Integer(*rows),
                })
            }
            Sliding::Extreme { max, queue, window } => {
                let beats = |a: &Value, b: &Value| {
                    let o = total_cmp(a, b);
                    if *max {
                        o.is_gt()
                    } else {
                        o.is_lt()
                    }
                };
                if f.start >= window.end {
                    window.end = f.start;
                    queue.clear();
                }
                window.start = f.start;
                while window.end < f.end {
                    let pos = window.end;
                    window.end += 1;
                    let v = p.arg(0, pos);
                    if !p.included(pos) || v.is_null() {
                        continue;
                    }
                    while queue.back().is_some_and(|&b| beats(v, p.arg(0, b))) {
                        queue.pop_back();
                    }
                    queue.push_back(pos);
                }
                while queue.front().is_some_and(|&q| q < f.start) {
                    queue.pop_front();
                }
                Ok(queue.front().map_or(Value::Null, |&q| p.arg(0, q).clone()))
            }
            Sliding::Running { func, state, window } => {
                if f.start != window.start || f.end < window.end {
                    *state = AggState::new(*func, false);
                    *window = f.start..f.start;
                }
                while window.end < f.end {
                    feed(state, p, *func, window.end)?;
                    window.end += 1;
                }
                Ok(state.finish())
            }
        }
    }
}

/// Adds a value to a running SUM/TOTAL/AVG; TOTAL never overflows.
fn add_to_sum(sum: &mut Sum, func: AggFunc, v: &Value) -> Result<()> {
    match sum.add(v) {
        Err(_) if func != AggFunc::Sum => {
            sum.spill_to_real(v);
            Ok(())
        }
        other => other,
    }
}
