//! Date functions checked against answers SQLite 3.40 gives.

use super::*;

fn v(args: &[&str]) -> Vec<Value> {
    args.iter().map(|a| Value::from(*a)).collect()
}

fn call_text(f: DateFn, args: &[&str]) -> Value {
    call(f, &v(args), 0).unwrap()
}

fn st(fmt: &str, args: &[&str]) -> Value {
    strftime(&Value::from(fmt), &v(args), 0).unwrap()
}

#[test]
fn julian_day_round_trips_to_the_second() {
    let jd = call_text(DateFn::JulianDay, &["2024-05-17 10:20:30"]);
    assert_eq!(call(DateFn::DateTime, &[jd], 0).unwrap(), Value::from("2024-05-17 10:20:30"));
    assert_eq!(st("%f", &["2000-01-01 10:11:12.5678"]), Value::from("12.568"));
    assert_eq!(call_text(DateFn::UnixEpoch, &["2024-01-01 10:00:00.999"]), Value::Integer(1_704_103_200));
}

#[test]
fn modifiers_follow_sqlite() {
    assert_eq!(call_text(DateFn::Date, &["2024-01-31", "+1.5 months"]), Value::from("2024-03-17"));
    assert_eq!(call_text(DateFn::Date, &["2024-01-31", "+1 month"]), Value::from("2024-03-02"));
    assert_eq!(call_text(DateFn::Date, &["2024-01-01", "+1  day"]), Value::from("2024-01-02"));
    assert!(call_text(DateFn::Date, &["2024-01-01", " +1 day"]).is_null());
    assert!(call_text(DateFn::Date, &["2024-01-01", "+1 day "]).is_null());
    assert_eq!(call_text(DateFn::Time, &["10:00", "+01:30"]), Value::from("11:30:00"));
    assert_eq!(call_text(DateFn::DateTime, &["2024-01-01", "weekday 3.0"]), Value::from("2024-01-03 00:00:00"));
    assert_eq!(
        call_text(DateFn::DateTime, &["2024-03-10 13:45:10", "start of month"]),
        Value::from("2024-03-01 00:00:00")
    );
    assert_eq!(
        call_text(DateFn::DateTime, &["2024-01-01 10:00", "localtime", "utc"]),
        Value::from("2024-01-01 10:00:00")
    );
    let auto = call(DateFn::DateTime, &[Value::Integer(1_700_000_000), Value::from("auto")], 0).unwrap();
    assert_eq!(auto, Value::from("2023-11-14 22:13:20"));
    let epoch = call(DateFn::DateTime, &[Value::Integer(-1), Value::from("unixepoch")], 0).unwrap();
    assert_eq!(epoch, Value::from("1969-12-31 23:59:59"));
    // unixepoch must be the first modifier.
    assert!(call(DateFn::Date, &[Value::Integer(0), Value::from("+1 day"), Value::from("unixepoch")], 0)
        .unwrap()
        .is_null());
    // Amounts past SQLite's limits give NULL, never a panic.
    assert!(call_text(DateFn::Date, &["2024-01-01", "+9000000000000000000 years"]).is_null());
    assert!(call_text(DateFn::Date, &["2024-01-01", "+1e15 days"]).is_null());
    assert_eq!(call_text(DateFn::Date, &["2024-01-01", "+7000 years"]), Value::from("9024-01-01"));
    // Piles of huge modifiers saturate instead of overflowing: NULL or a
    // date, never a panic (SQLite's own int64 arithmetic wraps here).
    let mut many = vec!["2024-01-01"];
    many.extend(std::iter::repeat("+464269060799 seconds").take(40));
    assert!(call_text(DateFn::Date, &many).is_null());
    many.extend(["localtime", "utc"]);
    assert!(matches!(call_text(DateFn::Date, &many), Value::Null | Value::Text(_)));
    let mut down = vec!["2024-01-01"];
    down.extend(std::iter::repeat("-464269060799 seconds").take(40));
    down.extend(["weekday 3", "start of month", "+12:00", "localtime", "utc"]);
    assert!(matches!(call_text(DateFn::Date, &down), Value::Null | Value::Text(_)));
}

#[test]
fn time_text_is_validated_like_sqlite() {
    assert!(call_text(DateFn::Date, &["2024-01-01 23:59:60"]).is_null());
    assert!(call_text(DateFn::Date, &[" 2024-01-01"]).is_null());
    assert_eq!(call_text(DateFn::Date, &["2024-01-01T"]), Value::from("2024-01-01"));
    // SQLite prints the parsed fields of an impossible day unchanged…
    assert_eq!(call_text(DateFn::Date, &["2023-02-29"]), Value::from("2023-02-29"));
    // …and normalises once arithmetic touched it.
    assert_eq!(call_text(DateFn::Date, &["2023-02-29", "+0 days"]), Value::from("2023-03-01"));
    assert_eq!(call_text(DateFn::DateTime, &["2024-01-01 24:00"]), Value::from("2024-01-01 24:00:00"));
    assert_eq!(call_text(DateFn::DateTime, &["2024-01-01 10:00+02:00"]), Value::from("2024-01-01 08:00:00"));
    assert_eq!(call_text(DateFn::DateTime, &["2024-01-01 10:00Z"]), Value::from("2024-01-01 10:00:00"));
    assert_eq!(call_text(DateFn::Date, &["-0044-03-15"]), Value::from("-0044-03-15"));
    assert_eq!(st("%Y", &["-0044-03-15"]), Value::from("-044"));
    assert!(call_text(DateFn::Date, &["not a date"]).is_null());
}

#[test]
fn format_codes_are_sqlite_340s() {
    assert_eq!(
        st("%Y|%j|%W|%J|%f|%s", &["-0044-03-15 10:11:12.5678"]),
        Value::from("-044|075|11|1705062.924451018|12.568|-63549323328")
    );
    assert_eq!(st("%w %j %%", &["2024-01-01"]), Value::from("1 001 %"));
    assert!(st("%e", &["2024-01-01"]).is_null());
    assert!(st("abc%", &["2024-01-01"]).is_null());
}

#[test]
fn microsecond_helpers_round_trip() {
    let t = parse_text("2024-01-01 10:00:00.123456").unwrap();
    assert_eq!(format_us(t), "2024-01-01 10:00:00.123456");
    assert_eq!(format_us(0), "1970-01-01 00:00:00.000000");
    assert!(parse_text("12345").is_none());
}
