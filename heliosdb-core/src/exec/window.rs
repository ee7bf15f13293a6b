//! Window functions: each call adds one value per row, computed over the
//! row's partition (sorted by the window's ORDER BY) and frame.

use super::aggregate::AggState;
use super::eval::{eval, EvalCtx};
use crate::error::{sql_err, Result};
use crate::sql::expr::{AggFunc, FrameBound, WindowCall, WindowFunc};
use crate::types::compare::total_cmp;
use crate::types::Value;
use std::cmp::Ordering;

fn order_cmp(a: &[Value], b: &[Value], call: &WindowCall) -> Ordering {
    for (i, (_, desc, nulls_first)) in call.order.iter().enumerate() {
        let (x, y) = (&a[i], &b[i]);
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if *nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if *nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = total_cmp(x, y);
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ord.is_ne() {
            return ord;
        }
    }
    Ordering::Equal
}

fn partition_cmp(a: &[Value], b: &[Value]) -> Ordering {
    a.iter().zip(b).map(|(x, y)| total_cmp(x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

/// The frame edge as a position in a partition of `m` rows.
fn edge(bound: FrameBound, i: usize, m: usize, rows: bool, peers: (usize, usize), is_start: bool) -> i64 {
    let (i, m) = (i as i64, m as i64);
    match bound {
        FrameBound::UnboundedPreceding => 0,
        FrameBound::UnboundedFollowing => m - 1,
        FrameBound::CurrentRow if rows => i,
        FrameBound::CurrentRow => (if is_start { peers.0 } else { peers.1 }) as i64,
        FrameBound::Preceding(k) => i - k as i64,
        FrameBound::Following(k) => i + k as i64,
    }
}

/// Computes one window call for every row.
///
/// # Errors
/// Evaluation errors in arguments or keys.
pub fn compute(rows: &[Vec<Value>], call: &WindowCall, ctx: &EvalCtx<'_>) -> Result<Vec<Value>> {
    let n = rows.len();
    let keys = |exprs: &mut dyn Iterator<Item = &crate::sql::expr::Expr>, row: &[Value]| -> Result<Vec<Value>> {
        exprs.map(|e| eval(e, row, ctx)).collect()
    };
    let mut part = Vec::with_capacity(n);
    let mut ord = Vec::with_capacity(n);
    let mut arg = Vec::with_capacity(n);
    for r in rows {
        part.push(keys(&mut call.partition.iter(), r)?);
        ord.push(keys(&mut call.order.iter().map(|(e, _, _)| e), r)?);
        arg.push(match call.args.first() {
            Some(a) => eval(a, r, ctx)?,
            None => Value::Null,
        });
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| partition_cmp(&part[a], &part[b]).then_with(|| order_cmp(&ord[a], &ord[b], call)));
    let mut out = vec![Value::Null; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && partition_cmp(&part[idx[end]], &part[idx[start]]).is_eq() {
            end += 1;
        }
        window_partition(&idx[start..end], rows, &ord, &arg, call, ctx, &mut out)?;
        start = end;
    }
    Ok(out)
}

fn window_partition(
    p: &[usize],
    rows: &[Vec<Value>],
    ord: &[Vec<Value>],
    arg: &[Value],
    call: &WindowCall,
    ctx: &EvalCtx<'_>,
    out: &mut [Value],
) -> Result<()> {
    let m = p.len();
    // Peer groups: rows with equal ORDER BY values.
    let mut peers = vec![(0usize, 0usize); m];
    let mut dense = vec![0i64; m];
    let mut g = 0;
    let mut rank = 0;
    while g < m {
        let mut h = g + 1;
        while h < m && order_cmp(&ord[p[h]], &ord[p[g]], call).is_eq() {
            h += 1;
        }
        rank += 1;
        for k in g..h {
            peers[k] = (g, h - 1);
            dense[k] = rank;
        }
        g = h;
    }
    let mut running: Option<(AggState, i64)> = None;
    for i in 0..m {
        let row = p[i];
        out[row] = match call.func {
            WindowFunc::RowNumber => Value::Integer(i as i64 + 1),
            WindowFunc::Rank => Value::Integer(peers[i].0 as i64 + 1),
            WindowFunc::DenseRank => Value::Integer(dense[i]),
            WindowFunc::Lag | WindowFunc::Lead => {
                let offset = match call.args.get(1) {
                    Some(e) => match crate::types::cast::to_numeric(&eval(e, &rows[row], ctx)?) {
                        Value::Integer(k) if k >= 0 => k,
                        Value::Null => 1,
                        _ => return Err(sql_err!("second argument to LAG/LEAD must be a non-negative integer")),
                    },
                    None => 1,
                };
                // Checked: an offset near i64::MAX points outside the partition.
                let target = if call.func == WindowFunc::Lag {
                    (i as i64).checked_sub(offset)
                } else {
                    (i as i64).checked_add(offset)
                };
                if let Some(target) = target.filter(|t| (0..m as i64).contains(t)) {
                    arg[p[target as usize]].clone()
                } else {
                    match call.args.get(2) {
                        Some(d) => eval(d, &rows[row], ctx)?,
                        None => Value::Null,
                    }
                }
            }
            WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::Agg(_) => {
                let f = call.frame;
                let fs = edge(f.start, i, m, f.rows, peers[i], true).max(0);
                let fe = edge(f.end, i, m, f.rows, peers[i], false).min(m as i64 - 1);
                if fs > fe {
                    match call.func {
                        WindowFunc::Agg(AggFunc::CountStar | AggFunc::Count) => Value::Integer(0),
                        WindowFunc::Agg(AggFunc::Total) => Value::Real(0.0),
                        _ => Value::Null,
                    }
                } else {
                    match call.func {
                        WindowFunc::FirstValue => arg[p[fs as usize]].clone(),
                        WindowFunc::LastValue => arg[p[fe as usize]].clone(),
                        WindowFunc::Agg(func) => {
                            let feed = |st: &mut AggState, k: usize| {
                                if func == AggFunc::CountStar {
                                    st.update(None, None)
                                } else {
                                    st.update(Some(&arg[p[k]]), None)
                                }
                            };
                            if fs == 0 {
                                // Frames that start at the partition's first row grow
                                // monotonically: keep one running state.
                                let (st, done) = running.get_or_insert_with(|| (AggState::new(func, false), -1));
                                while *done < fe {
                                    *done += 1;
                                    feed(st, *done as usize)?;
                                }
                                st.finish()
                            } else {
                                let mut st = AggState::new(func, false);
                                for k in fs..=fe {
                                    feed(&mut st, k as usize)?;
                                }
                                st.finish()
                            }
                        }
                        _ => Value::Null,
                    }
                }
            }
        };
    }
    Ok(())
}
