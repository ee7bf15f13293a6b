//! `generate_series(start, stop[, step])`: the integers from `start` to
//! `stop` by `step`, computed as they are read (so `LIMIT` stops a long one).
//!
//! Arguments are read as integers the way SQLite's series extension reads
//! them (`sqlite3_value_int64`: reals truncate, text takes its integer
//! prefix); a NULL argument gives no rows. Unlike SQLite 3.40's extension,
//! a negative step counts down from `start` (as PostgreSQL and DuckDB do:
//! `generate_series(5, 1, -1)` is 5, 4, 3, 2, 1), and a zero step is an error
//! rather than a silent step of 1.

use crate::error::{sql_err, Result};
use crate::exec::RowIter;
use crate::types::cast::int_of;
use crate::types::Value;

/// The series' rows: `(value, start, stop, step)` (the last three hidden).
///
/// # Errors
/// A step of zero.
pub fn rows<'a>(args: &[Value]) -> Result<RowIter<'a>> {
    if args.iter().any(Value::is_null) {
        return Ok(Box::new(std::iter::empty()));
    }
    let start = args.first().map_or(0, int_of);
    let stop = args.get(1).map_or(0, int_of);
    let step = args.get(2).map_or(1, int_of);
    if step == 0 {
        return Err(sql_err!("generate_series() step cannot be zero"));
    }
    let bounds = [Value::Integer(start), Value::Integer(stop), Value::Integer(step)];
    let mut next = Some(start);
    Ok(Box::new(std::iter::from_fn(move || {
        let v = next.filter(|v| if step > 0 { *v <= stop } else { *v >= stop })?;
        next = v.checked_add(step);
        let mut row = Vec::with_capacity(4);
        row.push(Value::Integer(v));
        row.extend(bounds.iter().cloned());
        Some(Ok(row))
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(args: &[Value]) -> Vec<i64> {
        rows(args)
            .unwrap()
            .map(|r| match r.unwrap()[0] {
                Value::Integer(i) => i,
                ref other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn counts_up_down_and_stops_at_the_i64_edge() {
        use Value::Integer as I;
        assert_eq!(values(&[I(1), I(5)]), [1, 2, 3, 4, 5]);
        assert_eq!(values(&[I(1), I(10), I(4)]), [1, 5, 9]);
        assert_eq!(values(&[I(5), I(1), I(-2)]), [5, 3, 1]);
        assert!(values(&[I(5), I(1)]).is_empty());
        assert_eq!(values(&[I(i64::MAX - 1), I(i64::MAX)]), [i64::MAX - 1, i64::MAX]);
        assert!(values(&[I(1), Value::Null]).is_empty());
        assert!(rows(&[I(1), I(2), I(0)]).is_err());
    }
}
