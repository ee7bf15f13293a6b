//! `WITH … INSERT | UPDATE | DELETE`: the CTEs a statement is prefixed
//! with are visible to its source and its subqueries, as in SQLite
//! (recursive CTEs, a CTE that shadows a table, the source's own WITH
//! beside the statement's, parameters, rollback, EXPLAIN, and errors that
//! name what is wrong).

mod common;
use common::rows;
use heliosdb_core::{Connection, Value};

fn ints(conn: &Connection, sql: &str) -> Vec<i64> {
    rows(conn, sql)
        .into_iter()
        .map(|r| match r.first() {
            Some(Value::Integer(i)) => *i,
            other => panic!("{sql}: unexpected {other:?}"),
        })
        .collect()
}

fn setup() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (a INTEGER); CREATE TABLE other (a INTEGER); INSERT INTO other VALUES (-1);")
        .unwrap();
    conn
}

#[test]
fn ctes_feed_inserts() {
    let conn = setup();
    let n = conn.execute("WITH x(v) AS (SELECT 1 UNION ALL SELECT 2) INSERT INTO t SELECT v FROM x", ()).unwrap();
    assert_eq!(n, 2);
    let n = conn
        .execute(
            "WITH RECURSIVE c(i) AS (SELECT 10 UNION ALL SELECT i + 10 FROM c WHERE i < 50) INSERT INTO t SELECT i FROM c",
            (),
        )
        .unwrap();
    assert_eq!(n, 5);
    // A scalar subquery in VALUES reads the CTE.
    conn.execute("WITH k AS (SELECT 99 AS v) INSERT INTO t VALUES ((SELECT v FROM k))", ()).unwrap();
    // The statement's WITH and the source's own, the second reading the first.
    conn.execute("WITH a AS (SELECT 100 AS v) INSERT INTO t WITH b AS (SELECT v + 1 AS v FROM a) SELECT v FROM b", ())
        .unwrap();
    // A CTE named like a table hides it.
    conn.execute("WITH other(a) AS (SELECT 7) INSERT INTO t SELECT a FROM other", ()).unwrap();
    assert_eq!(ints(&conn, "SELECT a FROM t ORDER BY a"), [1, 2, 7, 10, 20, 30, 40, 50, 99, 101]);
    // Parameters bind inside the CTE, and a prepared statement runs twice.
    let mut st = conn.prepare("WITH x(v) AS (SELECT ?1 * 1000) INSERT INTO t SELECT v FROM x").unwrap();
    st.execute([Value::Integer(1)]).unwrap();
    st.execute([Value::Integer(2)]).unwrap();
    assert_eq!(ints(&conn, "SELECT a FROM t WHERE a >= 1000 ORDER BY a"), [1000, 2000]);
    // It writes, so it is not a read-only statement; the same WITH before a
    // SELECT is.
    let read_only = |sql: &str| conn.prepare_owned(sql).unwrap().is_read_only();
    assert!(!read_only("WITH x(v) AS (SELECT 1) DELETE FROM t WHERE a IN (SELECT v FROM x)"));
    assert!(read_only("WITH x(v) AS (SELECT 1) SELECT v FROM x"));
}

#[test]
fn ctes_choose_rows_to_update_and_delete() {
    let conn = setup();
    conn.execute(
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10) INSERT INTO t SELECT i FROM c",
        (),
    )
    .unwrap();
    let n = conn
        .execute("WITH even AS (SELECT a FROM t WHERE a % 2 = 0) DELETE FROM t WHERE a IN (SELECT a FROM even)", ())
        .unwrap();
    assert_eq!(n, 5);
    let n =
        conn.execute("WITH lim AS (SELECT 5 AS k) UPDATE t SET a = a * 10 WHERE a > (SELECT k FROM lim)", ()).unwrap();
    assert_eq!(n, 2);
    conn.execute("WITH d AS (SELECT 3 AS v) UPDATE t SET a = (SELECT v FROM d) + a WHERE a = 1", ()).unwrap();
    assert_eq!(ints(&conn, "SELECT a FROM t ORDER BY a"), [3, 4, 5, 70, 90]);
    // Undone with the transaction like any write.
    let tx = conn.transaction().unwrap();
    tx.execute("WITH all_rows AS (SELECT a FROM t) DELETE FROM t WHERE a IN (SELECT a FROM all_rows)", ()).unwrap();
    assert!(ints(&tx, "SELECT a FROM t").is_empty());
    tx.rollback().unwrap();
    assert_eq!(ints(&conn, "SELECT count(*) FROM t"), [5]);
}

#[test]
fn mistakes_are_errors_that_change_nothing() {
    let conn = setup();
    conn.execute("INSERT INTO t VALUES (1)", ()).unwrap();
    let err = |sql: &str| conn.execute(sql, ()).expect_err(sql).to_string();
    // A CTE is not a table to write to.
    let e = err("WITH x AS (SELECT 1 AS a) DELETE FROM x");
    assert!(e.contains('x'), "{e}");
    let e = err("WITH x AS (SELECT 1 AS a) INSERT INTO t SELECT a FROM nowhere");
    assert!(e.contains("nowhere"), "{e}");
    let e = err("WITH x(a, b) AS (SELECT 1) INSERT INTO t SELECT a FROM x");
    assert!(e.contains("column names"), "{e}");
    // EXPLAIN shows the write and runs nothing.
    let plan = rows(&conn, "EXPLAIN WITH x(v) AS (SELECT 5) INSERT INTO t SELECT v FROM x");
    assert!(format!("{plan:?}").contains("INSERT INTO t"), "{plan:?}");
    assert_eq!(ints(&conn, "SELECT a FROM t"), [1]);
}
