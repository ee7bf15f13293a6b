//! DATE/TIME/TIMESTAMP columns with the parts that depend on the clock and
//! on the API (the `.slt` file `datetime_types.slt` covers the rest): a
//! stored timestamp read back and used as an `AS OF TIMESTAMP` point, and
//! the declared types `describe` reports.

use heliosdb_core::{params, Connection};
use std::thread::sleep;
use std::time::Duration;

#[test]
fn a_stored_timestamp_is_an_as_of_point() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER);
         CREATE TABLE events (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL);
         INSERT INTO acct VALUES (1, 100);",
    )
    .unwrap();
    sleep(Duration::from_millis(30));
    // Milliseconds kept: the point falls between the two balance commits.
    conn.execute("INSERT INTO events (at) VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'))", ()).unwrap();
    sleep(Duration::from_millis(30));
    conn.execute("UPDATE acct SET balance = 200", ()).unwrap();
    let at: String = conn.query_row("SELECT at FROM events", (), |r| r.get(0)).unwrap();
    // Milliseconds are shown unless they are exactly .000 (as PostgreSQL
    // omits a zero fraction); either way the text is the stored instant.
    assert!(at.len() == 23 || (at.len() == 19 && !at.contains('.')), "{at}");
    let as_of = |sql: &str| -> i64 { conn.query_row(sql, params![at.clone()], |r| r.get(0)).unwrap() };
    assert_eq!(as_of("SELECT balance FROM acct AS OF TIMESTAMP ?"), 100);
    assert_eq!(as_of("SELECT balance FROM acct AS OF TIMESTAMP CAST(? AS TIMESTAMP)"), 100);
    let literal = format!("SELECT balance FROM acct AS OF TIMESTAMP '{at}'");
    assert_eq!(conn.query_row(&literal, (), |r| r.get::<_, i64>(0)).unwrap(), 100);
    assert_eq!(conn.query_row("SELECT balance FROM acct", (), |r| r.get::<_, i64>(0)).unwrap(), 200);
}

#[test]
fn describe_names_the_declared_types() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (d DATE, t TIME, ts TIMESTAMP, dt DATETIME, u MyMoney, x, n NUMERIC, i INT)")
        .unwrap();
    let st = conn.prepare_owned("SELECT d, t, ts, dt, u, x, n, i, d || '' FROM t").unwrap();
    let (_, decl) = conn.describe(&st).unwrap();
    let want = [
        Some("DATE"),
        Some("TIME"),
        Some("TIMESTAMP"),
        Some("DATETIME"),
        Some("MyMoney"),
        None,
        Some("NUMERIC"),
        Some("INTEGER"),
        None,
    ];
    assert_eq!(decl.iter().map(Option::as_deref).collect::<Vec<_>>(), want);
}
