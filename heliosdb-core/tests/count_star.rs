//! `SELECT count(*) FROM t` counts a batch scan's rows without decoding
//! them (`Rows::count`): every way a table's rows can be laid out or read
//! must give the number a row-by-row count gives (`count(v IS NULL OR 1)`
//! reads every row and decides nothing).

use heliosdb_core::{Connection, Value};

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, (), |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// count(*) beside a count that must decode every row.
fn both(conn: &Connection, from: &str) -> (i64, i64) {
    (
        count(conn, &format!("SELECT count(*) FROM {from}")),
        count(conn, &format!("SELECT count(v IS NULL OR 1) FROM {from}")),
    )
}

#[test]
fn count_star_matches_a_count_that_reads_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE paged (id INTEGER PRIMARY KEY, v INTEGER);
         CREATE TABLE keyed (k TEXT PRIMARY KEY, v INTEGER);",
    )
    .unwrap();
    conn.execute("INSERT INTO paged SELECT value * 3, value FROM generate_series(1, 5000)", ()).unwrap();
    conn.execute("INSERT INTO keyed SELECT 'k' || value, value FROM generate_series(1, 700)", ()).unwrap();
    let before = conn.current_scn();
    // Holes across pages, and whole pages emptied.
    conn.execute("DELETE FROM paged WHERE v % 7 = 0 OR v BETWEEN 1000 AND 1400", ()).unwrap();
    conn.execute("DELETE FROM keyed WHERE v % 5 = 0", ()).unwrap();
    let expected_paged = (1..=5000).filter(|v| v % 7 != 0 && !(1000..=1400).contains(v)).count() as i64;
    assert_eq!(both(&conn, "paged"), (expected_paged, expected_paged));
    assert_eq!(both(&conn, "keyed"), (560, 560));
    // Two count(*)s, and a range of the key.
    assert_eq!(
        conn.query_row("SELECT count(*), count(*) FROM paged WHERE id > 9000", (), |r| Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?
        )))
        .unwrap(),
        {
            let n = (3001..=5000).filter(|v| v % 7 != 0).count() as i64;
            (n, n)
        }
    );
    // The past.
    assert_eq!(count(&conn, &format!("SELECT count(*) FROM paged AS OF SCN {before}")), 5000);
    // A transaction's own uncommitted writes, then after its rollback.
    conn.execute_batch("BEGIN").unwrap();
    conn.execute("INSERT INTO paged VALUES (1, 9001), (2, 9002)", ()).unwrap();
    conn.execute("DELETE FROM paged WHERE v BETWEEN 1 AND 100", ()).unwrap();
    let in_tx = expected_paged + 2 - (1..=100).filter(|v| v % 7 != 0).count() as i64;
    assert_eq!(both(&conn, "paged"), (in_tx, in_tx));
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(both(&conn, "paged"), (expected_paged, expected_paged));
    // After a reopen, from table files.
    conn.execute_batch("CHECKPOINT").unwrap();
    drop(conn);
    let conn = Connection::open(dir.path()).unwrap();
    assert_eq!(both(&conn, "paged"), (expected_paged, expected_paged));
    assert_eq!(both(&conn, "keyed"), (560, 560));
    // An empty table, and a parameter in a WHERE.
    conn.execute_batch("CREATE TABLE empty (id INTEGER PRIMARY KEY, v INTEGER)").unwrap();
    assert_eq!(both(&conn, "empty"), (0, 0));
    let n: i64 = conn.query_row("SELECT count(*) FROM paged WHERE v < ?", [Value::Integer(50)], |r| r.get(0)).unwrap();
    assert_eq!(n, (1..50).filter(|v| v % 7 != 0).count() as i64);
}
