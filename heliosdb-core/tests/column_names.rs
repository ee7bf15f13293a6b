//! Result column names of expressions written without an alias are their
//! text as typed, as SQLite gives them (drivers pass them on as
//! `cursor.description`, `getColumnName`, `row["a+1"]`); a column reference,
//! also in parentheses or qualified, is named by the column. Every expected
//! name here is sqlite3 3.40's for the same statement.

use heliosdb_core::Connection;

fn names(conn: &Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}")).column_names().unwrap()
}

#[test]
fn unaliased_expressions_are_named_as_typed() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (a INTEGER, \"B c\" TEXT); INSERT INTO t VALUES (1, 'x');").unwrap();
    let cases: &[(&str, &[&str])] = &[
        (
            "SELECT a+1, a  +  1, x'41', count( * ), Lower('X'), CAST(a AS text), a IS NOT NULL, 'it''s', -a FROM t",
            &[
                "a+1",
                "a  +  1",
                "x'41'",
                "count( * )",
                "Lower('X')",
                "CAST(a AS text)",
                "a IS NOT NULL",
                "'it''s'",
                "-a",
            ],
        ),
        // Column references: the column's own name, whatever the spelling.
        ("SELECT (a), A, T.A, ((\"B c\")), t.* FROM t", &["a", "a", "a", "B c", "a", "B c"]),
        // Aliases win; a subquery's alias names its column.
        ("SELECT a AS \"Q\", a FROM (SELECT a+1 AS a FROM t)", &["Q", "a"]),
        // Parameters as typed, across lines, after DISTINCT, in a compound (its first SELECT names it).
        ("SELECT DISTINCT ?1 + 2,\n   :x ,@y", &["?1 + 2", ":x", "@y"]),
        ("SELECT a+1 FROM t UNION SELECT 5", &["a+1"]),
        ("SELECT (SELECT max( a ) FROM t), 1 FROM t WHERE a IN (SELECT a FROM t)", &["(SELECT max( a ) FROM t)", "1"]),
        ("WITH c AS (SELECT a*2 AS d FROM t) SELECT d+0, 'é'||d FROM c", &["d+0", "'é'||d"]),
        (
            "SELECT sum(a) OVER (PARTITION BY \"B c\" ORDER BY a) FROM t",
            &["sum(a) OVER (PARTITION BY \"B c\" ORDER BY a)"],
        ),
    ];
    for (sql, want) in cases {
        assert_eq!(names(&conn, sql), *want, "{sql}");
    }
    // The rows come back under those names, one statement after another in one text.
    let mut got = Vec::new();
    conn.execute_each("SELECT a+1 FROM t; SELECT a  *  3 FROM t", |o| {
        got.push(o.columns.clone());
        Ok(())
    })
    .unwrap();
    assert_eq!(got, vec![vec!["a+1".to_string()], vec!["a  *  3".to_string()]]);
}
