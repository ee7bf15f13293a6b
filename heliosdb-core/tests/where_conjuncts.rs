//! A WHERE of terms joined by AND keeps exactly the rows where every term is
//! TRUE, and runs its terms as SQLite does: left to right, the first that
//! is FALSE or NULL dropping the row, so a later term's error surfaces only
//! for a row the earlier terms keep (`exec::eval::eval_predicate`).

use heliosdb_core::Connection;

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, (), |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn and_keeps_the_rows_where_every_term_is_true() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b REAL);
         INSERT INTO t VALUES (1, 1, NULL), (2, NULL, 1.5), (3, 2, 3.5), (4, NULL, NULL), (5, 0, 2.0), (6, 7, -1.0);",
    )
    .unwrap();
    // Each WHERE against the same terms decided row by row in a CASE (which
    // does not go through the predicate path).
    for (where_, expected) in [
        ("a > 0 AND b > 0", 1),
        ("a >= 0 AND b >= 0", 2),
        ("a > 0 AND b > 0 AND id < 3", 0),
        ("a > 0 AND b < 0", 1),
        ("a IS NULL AND b > 0", 1),
        ("a > 0 AND (b > 0 OR b IS NULL)", 2),
        ("b >= 1.5 AND b < 3.5", 2),
        ("a + 1 > 1 AND b * 2 > 1", 1),
    ] {
        assert_eq!(count(&conn, &format!("SELECT count(*) FROM t WHERE {where_}")), expected, "{where_}");
        let by_case = format!("SELECT sum(CASE WHEN {where_} THEN 1 ELSE 0 END) FROM t");
        assert_eq!(count(&conn, &by_case), expected, "{where_} through CASE");
    }
}

#[test]
fn a_later_terms_error_surfaces_only_for_rows_the_earlier_terms_keep() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (a INTEGER, b INTEGER); INSERT INTO t VALUES (NULL, 1), (0, 1);").unwrap();
    // abs() of the smallest integer overflows: an error whenever it runs.
    let overflow = "abs(b - 9223372036854775807 - 2) > 0";
    // FALSE (a = 0) or NULL (a IS NULL) first: the row is dropped unread,
    // as in SQLite 3.40, which answers 0 here.
    assert_eq!(count(&conn, &format!("SELECT count(*) FROM t WHERE a > 0 AND {overflow}")), 0);
    // A row the first term keeps runs the second.
    let err = conn
        .query_row(&format!("SELECT count(*) FROM t WHERE a = 0 AND {overflow}"), (), |r| r.get::<_, i64>(0))
        .unwrap_err();
    assert!(err.to_string().contains("overflow"), "{err}");
}
