//! An incrementally maintained aggregate view keeps its past: after
//! incremental and full refreshes that update, create and remove groups,
//! the view read AS OF each earlier SCN is exactly what it held then. (An
//! incremental refresh writes a group with the stored image its fold read,
//! so a wrong or missing old image would break the history here.)

mod common;

use common::rows;
use heliosdb_core::Connection;

#[test]
fn an_incremental_view_reads_as_it_was_at_every_scn() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, g TEXT, v INTEGER);
         CREATE MATERIALIZED VIEW m AS SELECT g, min(v) AS lo, max(v) AS hi, count(*) AS n, sum(v) AS s FROM t GROUP BY g;",
    )
    .unwrap();
    let query = "SELECT g, min(v), max(v), count(*), sum(v) FROM t GROUP BY g ORDER BY g";
    let view = "SELECT g, lo, hi, n, s FROM m ORDER BY g";
    let mut history = Vec::new();
    for round in 0..12i64 {
        let tx = conn.transaction().unwrap();
        for i in 0..40i64 {
            let id = round * 40 + i;
            tx.execute(
                "INSERT INTO t VALUES (?1, ?2, ?3)",
                vec![id.into(), format!("g{}", (id * 7) % (3 + round)).into(), ((id * 37) % 101).into()],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        conn.execute("UPDATE t SET v = v + 1000 WHERE id % 9 = ?1", [round % 9]).unwrap();
        conn.execute("DELETE FROM t WHERE id % 13 = ?1", [round % 13]).unwrap();
        // A whole group leaves, so its view row is deleted.
        conn.execute("DELETE FROM t WHERE g = ?1", [format!("g{}", round % 4)]).unwrap();
        let sql =
            if round % 4 == 3 { "REFRESH MATERIALIZED VIEW m" } else { "REFRESH MATERIALIZED VIEW m INCREMENTALLY" };
        conn.execute(sql, ()).unwrap();
        if round % 4 != 3 {
            assert_eq!(conn.notice(), None, "round {round}: not incremental");
        }
        let now = rows(&conn, view);
        assert_eq!(now, rows(&conn, query), "round {round}");
        history.push((conn.current_scn(), now));
    }
    for (scn, then) in &history {
        assert_eq!(
            &rows(&conn, &format!("SELECT g, lo, hi, n, s FROM m AS OF SCN {scn} ORDER BY g")),
            then,
            "m as of {scn}"
        );
    }
    // And after a reopen.
    drop(conn);
    let conn = Connection::open(dir.path()).unwrap();
    for (scn, then) in &history {
        assert_eq!(
            &rows(&conn, &format!("SELECT g, lo, hi, n, s FROM m AS OF SCN {scn} ORDER BY g")),
            then,
            "m as of {scn}"
        );
    }
}
