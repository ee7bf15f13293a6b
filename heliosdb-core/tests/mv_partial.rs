//! Partial refresh, case by case: a change on one side of a LEFT JOIN only,
//! one UNION ALL branch only, one window partition only, a top-N view hit
//! and missed. Each refresh must equal the query, report itself as partial
//! (no fallback notice), and rewrite only what the change reaches (the
//! refresh's change count); a rewritten partition's old rows stay readable
//! AS OF the SCNs before the refresh.

use heliosdb_core::{Connection, Value};

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out: Vec<Vec<Value>> = st.query_map((), |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect();
    out.sort_by_key(|r| format!("{r:?}"));
    out
}

/// Refreshes `view` incrementally; checks it against `query`; returns the rows it rewrote.
fn refresh(conn: &Connection, view: &str, query: &str) -> u64 {
    let n = conn.execute(&format!("REFRESH MATERIALIZED VIEW {view} INCREMENTALLY"), ()).unwrap();
    assert_eq!(conn.notice(), None, "{view}: not refreshed partially");
    assert_eq!(rows(conn, &format!("SELECT * FROM {view}")), rows(conn, query), "{view}");
    n as u64
}

fn setup() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE p (id INTEGER PRIMARY KEY, cat INTEGER, sales INTEGER);
         CREATE INDEX p_cat ON p (cat, sales);
         CREATE TABLE cats (cat INTEGER PRIMARY KEY, label TEXT);",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..400i64 {
        tx.execute("INSERT INTO p VALUES (?1, ?2, ?3)", vec![i.into(), (i % 20).into(), ((i * 37) % 101).into()])
            .unwrap();
    }
    for c in 0..20i64 {
        tx.execute("INSERT INTO cats VALUES (?1, ?2)", vec![c.into(), format!("cat-{c}").into()]).unwrap();
    }
    tx.commit().unwrap();
    (dir, conn)
}

#[test]
fn a_left_join_follows_changes_on_its_right_side() {
    let (_dir, conn) = setup();
    let q = "SELECT p.id, cats.label FROM p LEFT JOIN cats ON p.cat = cats.cat";
    conn.execute(&format!("CREATE MATERIALIZED VIEW v AS {q}"), ()).unwrap();
    assert!(conn.notice().unwrap().contains("refreshed partially"));
    conn.execute("UPDATE cats SET label = 'renamed' WHERE cat = 3", ()).unwrap();
    assert_eq!(refresh(&conn, "v", q), 20, "the 20 products of category 3 and nothing else");
    conn.execute("DELETE FROM cats WHERE cat = 4", ()).unwrap();
    assert_eq!(refresh(&conn, "v", q), 20, "category 4's products lose their label (NULL-padded)");
    conn.execute("INSERT INTO cats VALUES (4, 'back')", ()).unwrap();
    conn.execute("UPDATE p SET cat = 99 WHERE id = 7", ()).unwrap();
    assert_eq!(refresh(&conn, "v", q), 22, "category 4 relabelled (20), product 7 moved partition (2)");
}

#[test]
fn a_union_all_recomputes_only_the_branch_whose_table_changed() {
    let (_dir, conn) = setup();
    let q = "SELECT id AS k, sales AS v FROM p WHERE sales > 90 UNION ALL SELECT cat, length(label) FROM cats";
    conn.execute(&format!("CREATE MATERIALIZED VIEW v AS {q}"), ()).unwrap();
    conn.execute("UPDATE cats SET label = 'a much longer label' WHERE cat = 1", ()).unwrap();
    assert_eq!(refresh(&conn, "v", q), 1, "one row of the cats branch");
    conn.execute("UPDATE p SET sales = 100 WHERE id = 0", ()).unwrap();
    assert!(refresh(&conn, "v", q) >= 1);
}

#[test]
fn a_window_view_rewrites_only_the_changed_partition() {
    let (_dir, conn) = setup();
    // A rank beside a count over another window: recomputed by partition
    // (a lone ranking window is kept row by row; see mv_ranked.rs).
    let q = "SELECT id, cat, RANK() OVER (PARTITION BY cat ORDER BY sales DESC) AS r, \
             count(*) OVER (PARTITION BY cat) AS n FROM p WHERE sales > 0";
    conn.execute(&format!("CREATE MATERIALIZED VIEW v AS {q}"), ()).unwrap();
    assert!(conn.notice().unwrap().contains("PARTITION BY cat partitions"), "{:?}", conn.notice());
    // The last product of category 5 becomes its best seller: every rank in
    // that partition moves, and nothing outside it is rewritten.
    conn.execute("UPDATE p SET sales = sales + 500 WHERE id = 385", ()).unwrap();
    assert_eq!(refresh(&conn, "v", q), 20);
    // A product that stays first changes nothing.
    conn.execute("UPDATE p SET sales = sales + 1 WHERE id = 385", ()).unwrap();
    assert_eq!(refresh(&conn, "v", q), 0);
    conn.execute("DELETE FROM p WHERE cat = 6", ()).unwrap();
    refresh(&conn, "v", q);
    assert_eq!(rows(&conn, "SELECT count(*) FROM v WHERE cat = 6"), vec![vec![Value::Integer(0)]]);
}

#[test]
fn a_rewritten_partition_keeps_its_past() {
    let (_dir, conn) = setup();
    // A rank beside a count over another window: recomputed by partition
    // (a lone ranking window is kept row by row; see mv_ranked.rs).
    let q = "SELECT id, cat, RANK() OVER (PARTITION BY cat ORDER BY sales DESC) AS r, \
             count(*) OVER (PARTITION BY cat) AS n FROM p WHERE sales > 0";
    conn.execute(&format!("CREATE MATERIALIZED VIEW v AS {q}"), ()).unwrap();
    let mut history = Vec::new();
    for round in 0..4i64 {
        history.push((conn.current_scn(), rows(&conn, "SELECT * FROM v")));
        conn.execute("UPDATE p SET sales = sales + 200 * ?1 WHERE id % 7 = ?1", [round]).unwrap();
        conn.execute("DELETE FROM p WHERE id % 50 = ?1", [round]).unwrap();
        refresh(&conn, "v", q);
        // Full refreshes replace partitions through the same path.
        conn.execute("UPDATE p SET sales = sales + 1 WHERE id % 11 = ?1", [round]).unwrap();
        conn.execute("REFRESH MATERIALIZED VIEW v", ()).unwrap();
    }
    for (scn, then) in history {
        assert_eq!(rows(&conn, &format!("SELECT * FROM v AS OF SCN {scn}")), then, "v as of {scn}");
    }
}

#[test]
fn a_top_n_view_ignores_changes_that_cannot_reach_it() {
    let (_dir, conn) = setup();
    let q = "SELECT id, sales FROM p ORDER BY sales DESC, id LIMIT 5";
    conn.execute(&format!("CREATE MATERIALIZED VIEW v AS {q}"), ()).unwrap();
    assert!(conn.notice().unwrap().contains("top 5 rows"), "{:?}", conn.notice());
    conn.execute("UPDATE p SET sales = 1 WHERE sales < 50", ()).unwrap();
    assert_eq!(refresh(&conn, "v", q), 0, "no change reaches the top 5");
    conn.execute("UPDATE p SET sales = 1000 WHERE id = 399", ()).unwrap();
    assert!(refresh(&conn, "v", q) > 0, "a new best seller enters");
    conn.execute("DELETE FROM p WHERE id = 399", ()).unwrap();
    assert!(refresh(&conn, "v", q) > 0, "and leaves");
}
