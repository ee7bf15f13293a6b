//! Versions of undone writes are not kept: a statement that fails midway
//! and a `ROLLBACK TO` a savepoint take the versions their row changes made
//! with them, so the history and every `AS OF` read show only what was
//! committed (a transaction keeps its versions apart until commit).

use heliosdb_core::{Connection, Value};

fn count(conn: &Connection, sql: &str, scns: &[u64]) -> i64 {
    let params: Vec<Value> = scns.iter().map(|s| Value::Integer(*s as i64)).collect();
    conn.query_row(sql, params, |r| r.get(0)).unwrap()
}

#[test]
fn a_failed_statement_and_a_rolled_back_savepoint_leave_no_versions() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER CHECK (v <> 7));
         INSERT INTO t SELECT value, 0 FROM generate_series(1, 200);",
    )
    .unwrap();
    let before = conn.current_scn();
    conn.execute_batch(
        "BEGIN;
         UPDATE t SET v = 1 WHERE id <= 100;
         SAVEPOINT s;
         UPDATE t SET v = 2 WHERE id > 100;
         DELETE FROM t WHERE id = 3;
         ROLLBACK TO s;",
    )
    .unwrap();
    // Fails at row 180, after changing rows 1..179 (and keeping their versions).
    let failed = conn.execute("UPDATE t SET v = CASE WHEN id = 180 THEN 7 ELSE v + 10 END", ());
    assert!(failed.is_err(), "the CHECK stops the statement");
    conn.execute("COMMIT", ()).unwrap();
    let after = conn.current_scn();

    // Rows 1..100: the insert's image and the update's; rows 101..200: the
    // insert's only, still current.
    let history = "SELECT count(*) FROM t VERSIONS BETWEEN SCN ?1 AND ?2";
    assert_eq!(count(&conn, history, &[before, after]), 300);
    let ended = "SELECT count(*) FROM t VERSIONS BETWEEN SCN ?1 AND ?2 WHERE heliosdb_valid_to_scn IS NOT NULL";
    assert_eq!(count(&conn, ended, &[before, after]), 100);
    assert_eq!(count(&conn, "SELECT sum(v) FROM t AS OF SCN ?1", &[before]), 0);
    assert_eq!(count(&conn, "SELECT sum(v) FROM t AS OF SCN ?1", &[after]), 100);
    assert_eq!(count(&conn, "SELECT count(*) FROM t AS OF SCN ?1", &[after]), 200);

    // The same after a reopen, from the table files.
    conn.checkpoint().unwrap();
    drop(conn);
    let conn = Connection::open(dir.path()).unwrap();
    assert_eq!(count(&conn, history, &[before, after]), 300);
    assert_eq!(count(&conn, ended, &[before, after]), 100);
    assert_eq!(count(&conn, "SELECT v FROM t AS OF SCN ?1 WHERE id = 150", &[before]), 0);
}
