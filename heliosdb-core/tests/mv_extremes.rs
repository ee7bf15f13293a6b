//! MIN/MAX in an incrementally maintained view when a group's best values
//! leave faster than its reserve can follow: deleting the smallest values
//! one refresh at a time (and several per refresh) until the reserve runs
//! empty, the group is re-read and the view still equals its query; the
//! refresh stays incremental throughout. Without an index to read the group
//! through, the re-read is a pass over the table, and the refresh's notice
//! says so (`mv_extremes_by_index.rs` has the index).

use heliosdb_core::{Connection, Value};

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut st = conn.prepare(sql).unwrap();
    st.query_map((), |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn removing_every_best_value_keeps_min_and_max_right() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, g TEXT, v INTEGER);
         CREATE MATERIALIZED VIEW m AS SELECT g, min(v) AS lo, max(v) AS hi, count(*) AS n FROM t GROUP BY g;",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..300i64 {
        // Values repeat (ties in the reserve) and interleave across two groups.
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            vec![i.into(), ["a", "b"][(i % 2) as usize].into(), (i / 3).into()],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW m", ()).unwrap();
    let query = "SELECT g, min(v), max(v), count(*) FROM t GROUP BY g ORDER BY g";
    let mut round = 0;
    let mut rescans = 0;
    loop {
        // Take out the current extremes of group a: 1 to 5 rows from each end.
        let take = 1 + round % 5;
        let n = conn
            .execute(
                &format!(
                    "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE g = 'a' ORDER BY v, id LIMIT {take}) \
                     OR id IN (SELECT id FROM t WHERE g = 'a' ORDER BY v DESC, id LIMIT {take})"
                ),
                (),
            )
            .unwrap();
        conn.execute("REFRESH MATERIALIZED VIEW m INCREMENTALLY", ()).unwrap();
        // Incremental; when a reserve ran empty, the notice says the table was
        // read to refill it and which index would spare that.
        if let Some(notice) = conn.notice() {
            let want = "materialized view m re-read 1 group(s) by a pass over table t: \
                        an index on t(g, v) would read only their best values";
            assert_eq!(notice, want, "round {round}");
            rescans += 1;
        }
        assert_eq!(rows(&conn, "SELECT g, lo, hi, n FROM m ORDER BY g"), rows(&conn, query), "round {round}");
        round += 1;
        if n == 0 {
            break;
        }
    }
    // 150 rows left group a, about 75 from each end: each reserve (32 values) ran empty twice.
    assert!(round > 20, "{round} rounds");
    assert!(rescans >= 2, "{rescans} passes over the table");
    // Group a is gone; group b untouched.
    assert_eq!(rows(&conn, "SELECT g FROM m"), vec![vec![Value::Text("b".into())]]);
}
