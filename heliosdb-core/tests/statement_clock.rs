//! One statement reads one instant: every row, every trigger it fires,
//! every date function in it and every date/time column it writes the text
//! `'now'` into see the same `'now'` (as in SQLite), taken when
//! the statement first reads the clock; the next statement, or the next run
//! of a prepared one, reads it again.

mod common;
use heliosdb_core::{Connection, Value};
use std::time::Duration;

const NOW: &str = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        other => panic!("expected text, got {other:?}"),
    }
}

#[test]
fn rows_and_triggers_of_one_statement_share_an_instant() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT, n INTEGER);
         CREATE TABLE audit (event_id INTEGER, at TEXT);
         CREATE TRIGGER log AFTER INSERT ON events BEGIN
           INSERT INTO audit VALUES (NEW.id, {NOW});
         END;"
    ))
    .unwrap();
    // Enough rows that a clock read per row would cross a millisecond.
    conn.execute(
        &format!(
            "INSERT INTO events (at, n) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000) \
             SELECT {NOW}, x FROM c"
        ),
        (),
    )
    .unwrap();
    let seen = common::rows(&conn, "SELECT count(DISTINCT at), min(at) FROM events");
    assert_eq!(seen[0][0], Value::Integer(1), "one INSERT read more than one instant");
    let first = text(&seen[0][1]);
    let audit = common::rows(&conn, "SELECT count(*), count(DISTINCT at), min(at) FROM audit");
    assert_eq!(audit[0][0], Value::Integer(30000));
    assert_eq!(audit[0][1], Value::Integer(1), "the trigger bodies read more than one instant");
    assert_eq!(text(&audit[0][2]), first, "a trigger read another instant than its statement");

    // The next statement reads the clock again.
    std::thread::sleep(Duration::from_millis(5));
    conn.execute(&format!("INSERT INTO events (at, n) VALUES ({NOW}, 0)"), ()).unwrap();
    let later = common::rows(&conn, "SELECT at FROM events WHERE n = 0");
    assert!(text(&later[0][0]) > first, "a later statement read the earlier instant");
}

#[test]
fn each_run_of_a_prepared_statement_reads_the_clock_again() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, at TEXT, again TEXT)").unwrap();
    let mut st = conn.prepare(&format!("INSERT INTO t VALUES (?1, {NOW}, {NOW})")).unwrap();
    for k in 0..3 {
        st.execute([k]).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(st);
    let rows = common::rows(&conn, "SELECT at, again FROM t ORDER BY k");
    for r in &rows {
        assert_eq!(r[0], r[1], "two reads of 'now' in one statement differ");
    }
    assert!(text(&rows[0][0]) < text(&rows[1][0]) && text(&rows[1][0]) < text(&rows[2][0]), "{rows:?}");
    // A query's rows, too, see one instant.
    let q = common::rows(
        &conn,
        &format!("SELECT count(DISTINCT s) FROM (SELECT {NOW} AS s FROM generate_series(1, 20000))"),
    );
    assert_eq!(q[0][0], Value::Integer(1));
}

#[test]
fn now_written_into_date_and_time_columns_is_the_statements_instant() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, at DATETIME, day DATE, seen TEXT)").unwrap();
    // The text 'now' in a DATETIME and a DATE column, and the date function
    // beside it, over enough rows that a clock read per row would cross a
    // millisecond.
    conn.execute(&format!("INSERT INTO t SELECT value, 'now', 'NOW', {NOW} FROM generate_series(1, 30000)"), ())
        .unwrap();
    let seen =
        common::rows(&conn, "SELECT count(DISTINCT at), count(DISTINCT day), min(at), min(day), min(seen) FROM t");
    assert_eq!(seen[0][0], Value::Integer(1), "one INSERT stored more than one 'now'");
    assert_eq!(seen[0][1], Value::Integer(1));
    // The column keeps milliseconds only when there are some.
    let function = text(&seen[0][4]);
    assert_eq!(text(&seen[0][2]), function.trim_end_matches(".000"), "the column and strftime() read other instants");
    assert_eq!(text(&seen[0][3]), function[..10]);

    std::thread::sleep(Duration::from_millis(5));
    conn.execute(&format!("UPDATE t SET at = 'now', seen = {NOW}"), ()).unwrap();
    let updated = common::rows(&conn, "SELECT count(DISTINCT at), min(at), min(seen) FROM t");
    assert_eq!(updated[0][0], Value::Integer(1), "one UPDATE stored more than one 'now'");
    assert_eq!(text(&updated[0][1]), text(&updated[0][2]).trim_end_matches(".000"));
    assert!(text(&updated[0][1]) > text(&seen[0][2]), "the UPDATE kept the INSERT's instant");
}

#[test]
fn cast_of_now_to_a_date_time_type_is_the_statements_instant() {
    let conn = Connection::open_in_memory().unwrap();
    let seen = common::rows(
        &conn,
        &format!(
            "SELECT count(DISTINCT c), min(c), min(f), count(DISTINCT d) FROM \
             (SELECT CAST('now' AS DATETIME) AS c, {NOW} AS f, CAST('Now' AS DATE) AS d FROM generate_series(1, 30000))"
        ),
    );
    assert_eq!(seen[0][0], Value::Integer(1), "one query cast 'now' to more than one instant");
    assert_eq!(seen[0][3], Value::Integer(1));
    assert_eq!(
        text(&seen[0][1]),
        text(&seen[0][2]).trim_end_matches(".000"),
        "CAST and strftime() read other instants"
    );
}
