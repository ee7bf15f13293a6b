//! Ranked views (`RANK`, `DENSE_RANK`, `ROW_NUMBER` over one window) are kept
//! row by row in window order and numbered when read: a refresh rewrites
//! only the rows of the base rows that changed, however many ranks move;
//! reads through a filter on the rank, an index on the view, `AS OF` an
//! earlier SCN and a reopen all see the ranks the query would give.

use heliosdb_core::{Connection, Value};

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out: Vec<Vec<Value>> = st.query_map((), |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect();
    out.sort_by_key(|r| format!("{r:?}"));
    out
}

const Q: &str = "SELECT id, cat, sales, RANK() OVER (PARTITION BY cat ORDER BY sales DESC) AS r, \
                 DENSE_RANK() OVER (PARTITION BY cat ORDER BY sales DESC) AS dr FROM p WHERE sales > 0";

/// Refreshes `v` incrementally, checks it against [`Q`], returns the rows it rewrote.
fn refresh(conn: &Connection) -> u64 {
    let n = conn.execute("REFRESH MATERIALIZED VIEW v INCREMENTALLY", ()).unwrap();
    assert_eq!(conn.notice(), None, "not refreshed incrementally");
    assert_eq!(rows(conn, "SELECT * FROM v"), rows(conn, Q));
    n as u64
}

fn setup(dir: &std::path::Path) -> Connection {
    let conn = Connection::open(dir).unwrap();
    conn.execute_batch("CREATE TABLE p (id INTEGER PRIMARY KEY, cat INTEGER, sales INTEGER)").unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..400i64 {
        tx.execute("INSERT INTO p VALUES (?1, ?2, ?3)", vec![i.into(), (i % 20).into(), ((i * 37) % 101).into()])
            .unwrap();
    }
    tx.commit().unwrap();
    conn.execute(&format!("CREATE MATERIALIZED VIEW v AS {Q}"), ()).unwrap();
    let notice = conn.notice().unwrap_or_default();
    assert!(notice.contains("maintained incrementally") && notice.contains("numbered when read"), "{notice}");
    conn
}

#[test]
fn a_change_rewrites_only_the_rows_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let conn = setup(dir.path());
    // The last product of category 5 becomes its best seller: every rank in
    // the category moves, and one stored row goes and one comes.
    conn.execute("UPDATE p SET sales = sales + 500 WHERE id = 385", ()).unwrap();
    assert_eq!(refresh(&conn), 2);
    assert_eq!(rows(&conn, "SELECT r, dr FROM v WHERE id = 385"), vec![vec![Value::Integer(1), Value::Integer(1)]]);
    // A new product, a deleted one, a product falling out of the WHERE.
    conn.execute("INSERT INTO p VALUES (1000, 5, 60)", ()).unwrap();
    conn.execute("DELETE FROM p WHERE id = 25", ()).unwrap();
    conn.execute("UPDATE p SET sales = 0 WHERE id = 45", ()).unwrap();
    assert_eq!(refresh(&conn), 3);
    // A whole category goes.
    let Value::Integer(in_cat_6) = rows(&conn, "SELECT count(*) FROM v WHERE cat = 6")[0][0] else { panic!() };
    conn.execute("DELETE FROM p WHERE cat = 6", ()).unwrap();
    assert_eq!(refresh(&conn), in_cat_6 as u64);
    // A full refresh after all that finds nothing to rewrite.
    assert_eq!(conn.execute("REFRESH MATERIALIZED VIEW v", ()).unwrap(), 0);
    let strategy = rows(&conn, "SELECT refresh_strategy FROM pg_mv_staleness() WHERE view_name = 'v'");
    assert_eq!(strategy, vec![vec![Value::from("incremental")]]);
}

#[test]
fn reads_by_rank_through_a_filter_an_index_the_past_and_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = setup(dir.path());
    // The S4 endpoint: the top 3 of a category, ties included.
    let top = "SELECT id, sales, r FROM v WHERE cat = 7 AND r <= 3 ORDER BY r, id";
    let want =
        "SELECT id, sales, r FROM (SELECT id, cat, sales, RANK() OVER (PARTITION BY cat ORDER BY sales DESC) AS r \
                FROM p WHERE sales > 0) WHERE cat = 7 AND r <= 3 ORDER BY r, id";
    conn.execute("UPDATE p SET sales = 100 WHERE id IN (27, 47, 67)", ()).unwrap();
    refresh(&conn);
    assert_eq!(rows(&conn, top), rows(&conn, want));
    assert_eq!(rows(&conn, top).len(), 3, "three products tied first");
    // An index on the view holds no ranks: the planner must not read through it.
    conn.execute("CREATE INDEX v_cat_r ON v (cat, r)", ()).unwrap();
    assert_eq!(rows(&conn, top), rows(&conn, want));
    assert_eq!(rows(&conn, "SELECT count(*) FROM v WHERE r = 1 AND cat = 7"), vec![vec![Value::Integer(3)]]);
    let in_order = |sql: &str| -> Vec<Vec<Value>> {
        let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        st.query_map((), |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect()
    };
    assert_eq!(
        in_order("SELECT cat, r, id FROM v ORDER BY cat DESC, r DESC, id LIMIT 12"),
        in_order(&format!("SELECT cat, r, id FROM ({Q}) ORDER BY cat DESC, r DESC, id LIMIT 12"))
    );
    // The view AS OF each earlier refresh is what it was then.
    let mut history = Vec::new();
    for round in 0..4i64 {
        history.push((conn.current_scn(), rows(&conn, "SELECT * FROM v")));
        conn.execute("UPDATE p SET sales = sales + 40 * ?1 WHERE id % 7 = ?1", [round]).unwrap();
        conn.execute("DELETE FROM p WHERE id % 50 = ?1", [round]).unwrap();
        refresh(&conn);
        conn.execute("UPDATE p SET sales = sales + 1 WHERE id % 11 = ?1", [round]).unwrap();
        conn.execute("REFRESH MATERIALIZED VIEW v", ()).unwrap();
    }
    for (scn, then) in &history {
        assert_eq!(&rows(&conn, &format!("SELECT * FROM v AS OF SCN {scn}")), then, "v as of {scn}");
    }
    drop(conn);
    conn = Connection::open(dir.path()).unwrap();
    assert_eq!(rows(&conn, "SELECT * FROM v"), rows(&conn, Q));
    conn.execute("UPDATE p SET sales = 1 WHERE cat = 3", ()).unwrap();
    refresh(&conn);
}

#[test]
fn sort_keys_of_mixed_types_rank_as_order_by_does() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, k)", ()).unwrap();
    let big = 1i64 << 53;
    let values: Vec<Value> = vec![
        Value::Integer(big),
        Value::Real(big as f64), // ties with 2^53
        Value::Integer(big + 1), // does not
        Value::Integer(1),
        Value::Real(1.0), // ties with 1
        Value::Real(0.5),
        Value::Null,
        Value::from("1"), // text after every number
        Value::Blob(vec![1]),
        Value::Integer(-3),
    ];
    for (i, v) in values.into_iter().enumerate() {
        conn.execute("INSERT INTO m VALUES (?1, ?2)", vec![Value::Integer(i as i64), v]).unwrap();
    }
    let (q1, q2) = (
        "SELECT id, rank() OVER (ORDER BY k DESC) AS r FROM m",
        "SELECT id, dense_rank() OVER (ORDER BY k NULLS LAST) AS d FROM m",
    );
    conn.execute(&format!("CREATE MATERIALIZED VIEW m1 AS {q1}"), ()).unwrap();
    conn.execute(&format!("CREATE MATERIALIZED VIEW m2 AS {q2}"), ()).unwrap();
    assert!(conn.notice().unwrap_or_default().contains("numbered when read"));
    assert_eq!(rows(&conn, "SELECT * FROM m1"), rows(&conn, q1));
    assert_eq!(rows(&conn, "SELECT * FROM m2"), rows(&conn, q2));
    conn.execute("UPDATE m SET k = 2 WHERE id = 4", ()).unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW m1 INCREMENTALLY", ()).unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW m2 INCREMENTALLY", ()).unwrap();
    assert_eq!(rows(&conn, "SELECT * FROM m1"), rows(&conn, q1));
    assert_eq!(rows(&conn, "SELECT * FROM m2"), rows(&conn, q2));
}

#[test]
fn a_read_that_names_its_partitions_reads_only_them() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, part, sub INTEGER, n INTEGER)", ()).unwrap();
    // 1 and 1.0 are one partition, as in a window; '1' is another.
    let parts = [Value::Integer(1), Value::Real(1.0), Value::from("1"), Value::Integer(2), Value::Null];
    for i in 0..200i64 {
        let part = parts[(i % 5) as usize].clone();
        conn.execute(
            "INSERT INTO g VALUES (?1, ?2, ?3, ?4)",
            vec![i.into(), part, (i % 3).into(), (i * 7 % 23).into()],
        )
        .unwrap();
    }
    let q = "SELECT id, part, sub, n, rank() OVER (PARTITION BY part, sub ORDER BY n DESC) AS r FROM g";
    conn.execute(&format!("CREATE MATERIALIZED VIEW gv AS {q}"), ()).unwrap();
    let plan = rows(&conn, "EXPLAIN SELECT * FROM gv WHERE part = 1 AND sub = 2 AND r < 4");
    assert!(format!("{plan:?}").contains("SEARCH gv PARTITIONS (part, sub) by equality"), "{plan:?}");
    let plan = rows(&conn, "EXPLAIN SELECT * FROM gv WHERE part IN (1, 2) AND r < 4");
    assert!(format!("{plan:?}").contains("SEARCH gv PARTITIONS (part) by IN list"), "{plan:?}");
    let cases: &[(&str, Vec<Value>)] = &[
        ("part = ?1 AND sub = ?2", vec![Value::Real(1.0), Value::Integer(2)]),
        ("part = ?1 AND sub = ?2", vec![Value::Integer(1), Value::Integer(0)]),
        ("part = ?1", vec![Value::from("1"), Value::Null]),
        ("part IN (2, 1, 2, ?1)", vec![Value::Integer(2), Value::Null]),
        ("part = ?1", vec![Value::Null, Value::Null]),
        ("part IS NULL AND sub = ?2", vec![Value::Null, Value::Integer(1)]),
        ("sub = ?2", vec![Value::Null, Value::Integer(1)]),
    ];
    for round in 0..2 {
        for (cond, params) in cases {
            let sql = |from: &str| format!("SELECT id, r FROM {from} WHERE {cond} AND r <= 5 ORDER BY r, id");
            let mut params = params.clone();
            params.truncate((1..=2).filter(|i| cond.contains(&format!("?{i}"))).max().unwrap_or(0));
            let read = |sql: &str| -> Vec<Vec<Value>> {
                let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                st.query_map(params.clone(), |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect()
            };
            assert_eq!(read(&sql("gv")), read(&sql(&format!("({q})"))), "{cond} (round {round})");
        }
        conn.execute("UPDATE g SET n = n + 11 WHERE id % 4 = 1", ()).unwrap();
        conn.execute("DELETE FROM g WHERE id % 9 = 2", ()).unwrap();
        conn.execute("REFRESH MATERIALIZED VIEW gv INCREMENTALLY", ()).unwrap();
    }
}

#[test]
fn a_full_refresh_of_a_large_view_sorts_within_the_memory_limit() {
    // 60,000 rows of ~100 bytes against 1 MB of working memory (a quarter
    // of memory_limit_mb = 4): the full refresh's sort spills runs to disk.
    let dir = tempfile::tempdir().unwrap();
    let mut config = heliosdb_core::Config::default();
    config.database.memory_limit_mb = 4;
    let conn = Connection::open_with(dir.path(), &config).unwrap();
    conn.execute_batch(
        "CREATE TABLE big (id INTEGER PRIMARY KEY, g INTEGER, s TEXT, v REAL);
         INSERT INTO big SELECT value, value % 37, printf('text %08d of some length to make it heavy', (value * 7919) % 60000),
                                ((value * 104729) % 1000) / 10.0 FROM generate_series(1, 60000);",
    )
    .unwrap();
    let q = "SELECT id, g, s, dense_rank() OVER (PARTITION BY g ORDER BY v DESC, s) AS d FROM big";
    conn.execute(&format!("CREATE MATERIALIZED VIEW bv AS {q}"), ()).unwrap();
    assert_eq!(rows(&conn, "SELECT * FROM bv"), rows(&conn, q));
    conn.execute("UPDATE big SET v = v + 0.05 WHERE id % 3 = 0", ()).unwrap();
    conn.execute("DELETE FROM big WHERE id % 10 = 1", ()).unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW bv", ()).unwrap();
    let used = conn.last_memory_use();
    assert!(used.spilled_bytes > 0, "the full refresh's sort did not spill ({used:?})");
    assert!(used.peak_bytes <= used.limit_bytes, "{used:?}");
    assert_eq!(rows(&conn, "SELECT * FROM bv"), rows(&conn, q));
    // An incremental refresh sorts nothing.
    conn.execute("UPDATE big SET v = 0 WHERE id = 5", ()).unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW bv INCREMENTALLY", ()).unwrap();
    assert_eq!(conn.last_memory_use().spilled_bytes, 0);
    assert_eq!(rows(&conn, "SELECT * FROM bv"), rows(&conn, q));
    // No spill file stays open (they are unlinked at creation: an open
    // descriptor into the directory is the only trace of one).
    let here = dir.path().canonicalize().unwrap();
    let open = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.starts_with(&here) && target.to_string_lossy().ends_with("(deleted)"))
        .count();
    assert_eq!(open, 0, "temporary files left open");
}
