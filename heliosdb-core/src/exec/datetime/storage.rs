//! The stored form of DATE, TIME and TIMESTAMP/DATETIME columns: canonical
//! ISO-8601 text in UTC, as SQLite's date functions print it, so that text
//! order is time order and `date()`, `strftime()`, … read it back directly.
//!
//! Input is read by the date functions' own parser (no second one here):
//! any text `date()` accepts (`'2026-01-05'`, `'2026-01-05T10:00:00+02:00'`,
//! `'now'`, a julian day number as text), or a number, which is seconds
//! since 1970 (`datetime(x, 'unixepoch')`). DATE and TIMESTAMP refuse a text
//! with no date part (`'10:00'` would otherwise read as 2000-01-01), and a
//! day its month does not have (`'2026-02-30'`, which `date()` keeps as
//! written and its modifiers read as March 2).

use super::moment::{valid_julian_day, DateTime};
use super::{hms_text, modifier, now_jd, parse, ymd_text};
use crate::storage::commit_log::now_micros;
use crate::types::{DataType, TemporalKind, Value};

/// The moment a stored value names, or `None` when it names none; `'now'`
/// is `now_us()` (microseconds since 1970).
fn moment(kind: TemporalKind, v: &Value, now_us: impl FnOnce() -> i64) -> Option<DateTime> {
    let mut p = match v {
        Value::Integer(_) | Value::Real(_) | Value::Decimal(_) => {
            let mut p = DateTime::default();
            p.set_raw_number(v.as_f64()?);
            if !modifier::apply("unixepoch", &mut p, 1) {
                return None;
            }
            p
        }
        // A bare time (the parser's second form) has no date for DATE/TIMESTAMP.
        Value::Text(s) if kind.has_date() && !parse::parse_hh_mm_ss(s.as_bytes(), &mut DateTime::default()) => {
            return None
        }
        Value::Text(s) => match parse::parse_date_or_time(s) {
            Some(p) => p,
            // `'now'` needs the clock, which the parser leaves to its caller.
            None if s.eq_ignore_ascii_case("now") => DateTime::at_jd(now_jd(now_us())),
            None => return None,
        },
        _ => return None,
    };
    // SQLite reads '2026-02-30' as March 2; a stored date must name a real day.
    if p.valid_ymd && !(1..=days_in_month(p.y, p.m)).contains(&p.d) {
        return None;
    }
    p.compute_jd();
    if p.is_error || !valid_julian_day(p.i_jd) {
        return None;
    }
    // The calendar fields again from the instant, so that the text is
    // canonical ('24:00' is the next day's '00:00').
    let mut q = DateTime::at_jd(p.i_jd);
    q.compute_ymd_hms();
    Some(q)
}

/// Days in month `m` (1–12) of year `y` (proleptic Gregorian, as SQLite).
fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `.SSS` when the moment has milliseconds, else nothing: whole seconds print
/// as SQLite's `datetime()` prints them, and the longer form still sorts
/// after the shorter one of the same second.
fn millis(p: &DateTime) -> String {
    match p.i_jd.rem_euclid(1000) {
        0 => String::new(),
        ms => format!(".{ms:03}"),
    }
}

/// The canonical stored text of `v` in a column of kind `kind`, or `None`
/// when `v` is not a date/time (the caller reports the type error, or
/// gives NULL for `CAST`). NULL is not handled here. `'now'` reads the
/// system clock: for callers with no statement at hand (see [`stored_at`]).
pub fn canonical(kind: TemporalKind, v: &Value) -> Option<Value> {
    let p = moment(kind, v, now_micros)?;
    Some(Value::Text(text(kind, &p)))
}

/// [`canonical`] for a statement: when `ty` is a date/time type and `v` a
/// text that names a moment, its stored text, with `'now'` read from
/// `now_us` (the statement's clock, so that every row one statement writes
/// or casts gets the instant its date functions read, as in SQLite).
/// `None` for anything else, which the caller converts (or rejects) as
/// before.
pub fn stored_at(ty: DataType, v: &Value, now_us: impl FnOnce() -> i64) -> Option<Value> {
    let (DataType::Temporal(kind), Value::Text(_)) = (ty, v) else { return None };
    let p = moment(kind, v, now_us)?;
    Some(Value::Text(text(kind, &p)))
}

/// The canonical text of moment `p` in a column of kind `kind`.
fn text(kind: TemporalKind, p: &DateTime) -> String {
    match kind {
        TemporalKind::Date => ymd_text(p),
        TemporalKind::Time => format!("{}{}", hms_text(p), millis(p)),
        TemporalKind::Timestamp | TemporalKind::Datetime => {
            format!("{} {}{}", ymd_text(p), hms_text(p), millis(p))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(kind: TemporalKind, v: impl Into<Value>) -> Option<String> {
        canonical(kind, &v.into()).map(|v| v.to_string())
    }

    #[test]
    fn normalises_what_the_date_functions_accept() {
        use TemporalKind::*;
        assert_eq!(c(Date, "2026-01-05").as_deref(), Some("2026-01-05"));
        assert_eq!(c(Date, "2026-01-05 23:59:59").as_deref(), Some("2026-01-05"));
        assert_eq!(c(Timestamp, "2026-01-05T10:00:00+02:00").as_deref(), Some("2026-01-05 08:00:00"));
        assert_eq!(c(Timestamp, "2026-01-05 10:00:00.25").as_deref(), Some("2026-01-05 10:00:00.250"));
        assert_eq!(c(Datetime, Value::Integer(0)).as_deref(), Some("1970-01-01 00:00:00"));
        assert_eq!(c(Timestamp, Value::Real(1.5)).as_deref(), Some("1970-01-01 00:00:01.500"));
        assert_eq!(c(Time, "10:11").as_deref(), Some("10:11:00"));
        assert_eq!(c(Time, "2026-01-05 10:11:12").as_deref(), Some("10:11:12"));
        assert_eq!(c(Date, "2460000.5").as_deref(), Some("2023-02-25"));
        assert_eq!(c(Timestamp, "2024-02-29 24:00").as_deref(), Some("2024-03-01 00:00:00"));
        assert!(c(Date, "now").is_some());
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        use TemporalKind::*;
        assert_eq!(c(Date, "hello"), None);
        assert_eq!(c(Date, "2026-02-30"), None);
        assert_eq!(c(Date, "2023-02-29"), None);
        assert_eq!(c(Date, "2026-13-01"), None);
        assert_eq!(c(Timestamp, "10:00"), None);
        assert_eq!(c(Date, Value::Blob(vec![1])), None);
        assert_eq!(c(Date, Value::Boolean(true)), None);
        assert_eq!(c(Timestamp, Value::Real(1e300)), None);
    }
}
