//! The window functions that ignore the frame: ROW_NUMBER, RANK,
//! DENSE_RANK, PERCENT_RANK, CUME_DIST, NTILE, LAG and LEAD, with SQLite's
//! argument rules.

use super::Partition;
use crate::error::{sql_err, Result};
use crate::sql::expr::WindowFunc;
use crate::types::cast::to_numeric;
use crate::types::Value;

/// Computes a frame-less window function for every position of a partition.
///
/// # Errors
/// NTILE's argument not a positive integer.
pub(super) fn compute(p: &Partition<'_>, func: WindowFunc) -> Result<Vec<Value>> {
    let m = p.len();
    let buckets = if func == WindowFunc::Ntile { ntile_arg(p.arg(0, 0))? } else { 1 };
    (0..m)
        .map(|i| {
            let peers = p.peers.of(i);
            Ok(match func {
                WindowFunc::RowNumber => int(i + 1),
                WindowFunc::Rank => int(peers.start + 1),
                WindowFunc::DenseRank => int(p.peers.group_of(i) + 1),
                WindowFunc::PercentRank if m > 1 => Value::Real(peers.start as f64 / (m - 1) as f64),
                WindowFunc::PercentRank => Value::Real(0.0),
                WindowFunc::CumeDist => Value::Real(peers.end as f64 / m as f64),
                WindowFunc::Ntile => int(ntile(i, m, buckets)),
                WindowFunc::Lag | WindowFunc::Lead => shift(p, i, func == WindowFunc::Lead),
                // Frame functions are computed in `framed`.
                _ => Value::Null,
            })
        })
        .collect()
}

fn int(n: usize) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// NTILE's argument, read from the partition's first row as SQLite does.
fn ntile_arg(v: &Value) -> Result<usize> {
    let n = match to_numeric(v) {
        Value::Integer(k) => k,
        Value::Real(r) => r as i64,
        _ => 0,
    };
    usize::try_from(n).ok().filter(|k| *k > 0).ok_or_else(|| sql_err!("argument of ntile must be a positive integer"))
}

/// The 1-based bucket of row `i` of `m` split into `n` buckets, the first
/// `m % n` of which hold one row more.
fn ntile(i: usize, m: usize, n: usize) -> usize {
    let size = m / n;
    if size == 0 {
        return i + 1;
    }
    let large = m % n;
    let in_large = large * (size + 1);
    if i < in_large {
        1 + i / (size + 1)
    } else {
        1 + large + (i - in_large) / size
    }
}

/// LAG/LEAD: the argument `offset` rows back (LAG) or ahead (LEAD), where the
/// offset (default 1) is read on the current row; a negative offset looks
/// the other way, and a NULL or fractional one finds no row. Without a row,
/// the default (third argument, on the current row) or NULL.
fn shift(p: &Partition<'_>, i: usize, lead: bool) -> Value {
    let offset = match p.args.get(1).map(|a| to_numeric(&a[p.rows[i]])) {
        None => Some(1),
        Some(Value::Integer(k)) => Some(k),
        Some(Value::Real(r)) if r.fract() == 0.0 => Some(r as i64),
        Some(Value::Null | Value::Real(_)) => None,
        Some(_) => Some(0),
    };
    let target = offset
        .and_then(|k| if lead { (i as i64).checked_add(k) } else { (i as i64).checked_sub(k) })
        .and_then(|t| usize::try_from(t).ok())
        .filter(|t| *t < p.len());
    match target {
        Some(t) => p.arg(0, t).clone(),
        None => p.args.get(2).map_or(Value::Null, |d| d[p.rows[i]].clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::ntile;

    #[test]
    fn ntile_puts_the_extra_rows_in_the_first_buckets() {
        let buckets = |m: usize, n: usize| (0..m).map(|i| ntile(i, m, n)).collect::<Vec<_>>();
        assert_eq!(buckets(7, 3), [1, 1, 1, 2, 2, 3, 3]);
        assert_eq!(buckets(6, 3), [1, 1, 2, 2, 3, 3]);
        // More buckets than rows: one row each.
        assert_eq!(buckets(2, 5), [1, 2]);
    }
}
