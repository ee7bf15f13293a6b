//! Time travel above storage: what a point in the past is, how the values a
//! query gives (`AS OF TIMESTAMP '…'`, `TRANSACTION n`, `SCN n`) become one,
//! how long history is kept, and the leases that keep GC away from points in
//! use. Resolving a point to an SCN is a lookup in the commit log
//! ([`crate::storage::commit_log`]); reading rows at that SCN is
//! [`crate::storage::versions`].

pub mod leases;
pub mod retention;

use crate::error::{sql_err, Error, Result};
use crate::types::Value;

/// How an `AS OF` clause names its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    /// `AS OF TIMESTAMP` / `FOR SYSTEM_TIME AS OF`: the state after the last
    /// commit at or before an instant.
    Timestamp,
    /// `AS OF TRANSACTION n`: the state just after transaction n committed.
    Transaction,
    /// `AS OF SCN n`: the state just after commit number n.
    Scn,
}

impl PointKind {
    /// The keyword as written in SQL.
    pub fn keyword(self) -> &'static str {
        match self {
            PointKind::Timestamp => "TIMESTAMP",
            PointKind::Transaction => "TRANSACTION",
            PointKind::Scn => "SCN",
        }
    }
}

/// A point in the past, before resolution to an SCN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// An instant, microseconds since the Unix epoch (UTC).
    Time(i64),
    /// A transaction id.
    Transaction(u64),
    /// A commit number.
    Scn(u64),
}

/// Turns the value of an `AS OF` expression into a point.
///
/// TIMESTAMP takes `'YYYY-MM-DD'`, `'YYYY-MM-DD HH:MM:SS[.ffffff]'` (UTC) or a
/// number of Unix seconds; TRANSACTION and SCN take a non-negative integer.
///
/// # Errors
/// NULL, a value of the wrong type, or text that is not a date.
pub fn point_from_value(kind: PointKind, v: &Value) -> Result<Point> {
    let bad = || sql_err!("AS OF {} needs {}, not {v}", kind.keyword(), expected(kind));
    match kind {
        PointKind::Timestamp => match v {
            Value::Text(s) => crate::exec::datetime::parse_text(s).map(Point::Time).ok_or_else(bad),
            Value::Integer(secs) => secs.checked_mul(1_000_000).map(Point::Time).ok_or_else(bad),
            Value::Real(secs) if secs.is_finite() && secs.abs() < 1e13 => Ok(Point::Time((secs * 1e6).round() as i64)),
            _ => Err(bad()),
        },
        PointKind::Transaction | PointKind::Scn => {
            let n = match v {
                Value::Integer(n) if *n >= 0 => *n as u64,
                _ => return Err(bad()),
            };
            Ok(if kind == PointKind::Scn { Point::Scn(n) } else { Point::Transaction(n) })
        }
    }
}

fn expected(kind: PointKind) -> &'static str {
    match kind {
        PointKind::Timestamp => "'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' (UTC) or Unix seconds",
        PointKind::Transaction => "a transaction id (a non-negative integer)",
        PointKind::Scn => "a commit number (a non-negative integer)",
    }
}

/// The error for a point older than the history kept.
pub fn too_old(asked: &str, oldest: Option<(u64, i64)>) -> Error {
    match oldest {
        Some((scn, time_us)) => Error::SnapshotTooOld(format!(
            "snapshot too old: {asked} is before the oldest available point, SCN {scn} at {} UTC",
            crate::exec::datetime::format_us(time_us)
        )),
        None => Error::SnapshotTooOld(format!("snapshot too old: {asked} is before the first commit")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_values_become_instants() {
        let day = point_from_value(PointKind::Timestamp, &Value::Text("2024-12-31".into())).unwrap();
        let secs = point_from_value(PointKind::Timestamp, &Value::Integer(1_735_603_200)).unwrap();
        assert_eq!(day, secs);
        let late = point_from_value(PointKind::Timestamp, &Value::Text("2024-12-31 23:59:59.5".into())).unwrap();
        assert_eq!(late, Point::Time(1_735_689_599_500_000));
        assert!(point_from_value(PointKind::Timestamp, &Value::Text("yesterday".into())).is_err());
        assert!(point_from_value(PointKind::Scn, &Value::Integer(-1)).is_err());
        assert!(point_from_value(PointKind::Transaction, &Value::Null).is_err());
    }
}
