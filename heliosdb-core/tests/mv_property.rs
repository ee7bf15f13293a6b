//! Materialized views against their definition: random base tables and
//! views of every maintained shape (and some full-only ones), random inserts,
//! updates and deletes (NULLs, emptied groups, removed MIN/MAX holders),
//! interleaved with rolled-back transactions, incremental and full
//! refreshes and reopens. After every
//! refresh the view must equal its defining query (order-insensitive, REALs
//! within a relative 1e-9).

mod common;

use common::Rng;
use heliosdb_core::{Connection, Value};

const SCHEMA: &str = "
    CREATE TABLE s (id INTEGER PRIMARY KEY, grp TEXT, k INTEGER, x REAL, d DECIMAL(10,2), t TEXT);
    CREATE TABLE dim (grp TEXT PRIMARY KEY, label TEXT);
    INSERT INTO dim VALUES ('a', 'alpha'), ('b', 'beta'), ('c', 'gamma');";

/// How a view is refreshed, as its CREATE notice says.
#[derive(Debug, Clone, Copy, PartialEq)]
enum How {
    Incremental,
    Partial,
    Full,
}
use How::*;

/// (name, defining query, strategy)
const VIEWS: &[(&str, &str, How)] = &[
    ("v_project", "SELECT id, x * 2 AS x2, t FROM s WHERE k > 3", Incremental),
    ("v_all", "SELECT * FROM s", Incremental),
    (
        "v_groups",
        "SELECT grp, count(*) AS n, count(x) AS nx, sum(k) AS sk, sum(d) AS sd, avg(x) AS ax, min(k) AS mn, \
         max(t) AS mx, total(x) AS tx, avg(d) AS ad FROM s GROUP BY grp",
        Incremental,
    ),
    (
        "v_buckets",
        "SELECT (k / 3) * 3 AS bucket, count(*) AS n, max(x) AS mx, min(d) AS md FROM s WHERE grp <> 'c' GROUP BY (k / 3) * 3",
        Incremental,
    ),
    ("v_global", "SELECT count(*) AS n, sum(x) AS sx, max(k) AS mk, min(t) AS mt FROM s", Incremental),
    ("v_rank", "SELECT id, rank() OVER (PARTITION BY grp ORDER BY k) AS r FROM s", Incremental),
    (
        "v_ranks",
        "SELECT id, grp, k, dense_rank() OVER (PARTITION BY grp ORDER BY k DESC NULLS FIRST, t) AS dr, \
         rank() OVER (PARTITION BY grp ORDER BY k DESC NULLS FIRST, t) AS r FROM s WHERE x IS NOT NULL",
        Incremental,
    ),
    // INTEGER, REAL and DECIMAL sort keys ordered against each other.
    ("v_rank_mixed", "SELECT id, t, rank() OVER (PARTITION BY t ORDER BY coalesce(k, x / 1000.0, d)) AS r FROM s", Incremental),
    ("v_row_number", "SELECT id, row_number() OVER (PARTITION BY grp, t ORDER BY k, id DESC) AS rn FROM s", Incremental),
    (
        "v_rank_join",
        "SELECT s.id, dim.label, rank() OVER (PARTITION BY dim.label ORDER BY s.k) AS r FROM s JOIN dim ON s.grp = dim.grp",
        Incremental,
    ),
    (
        "v_windows",
        "SELECT id, grp, t, row_number() OVER (PARTITION BY grp, t ORDER BY id) AS rn, \
         sum(k) OVER (PARTITION BY t, grp ORDER BY k, id) AS running, count(*) OVER (PARTITION BY grp, t) AS n \
         FROM s WHERE x IS NOT NULL",
        Partial,
    ),
    ("v_having", "SELECT grp, count(*) AS n, sum(k) AS sk FROM s GROUP BY grp HAVING count(*) > 3", Partial),
    ("v_expr_agg", "SELECT t, sum(k) * 2 + count(x) AS score, group_concat(id) IS NOT NULL AS any FROM s GROUP BY t", Partial),
    ("v_distinct_rows", "SELECT DISTINCT grp, k FROM s WHERE t <> 'p'", Incremental),
    ("v_window_all", "SELECT id, rank() OVER (ORDER BY k) AS r FROM s", Incremental),
    ("v_window_lag", "SELECT id, lag(k) OVER (ORDER BY id) AS prev FROM s", Full),
    ("v_join", "SELECT dim.label, count(*) AS n, sum(s.k) AS sk, max(s.x) AS mx FROM s JOIN dim ON s.grp = dim.grp GROUP BY dim.label", Incremental),
    ("v_join_rows", "SELECT s.id, dim.label, s.k FROM s, dim WHERE s.grp = dim.grp AND s.k > 2", Incremental),
    ("v_left", "SELECT s.id, dim.label FROM s LEFT JOIN dim ON s.grp = dim.grp", Partial),
    (
        "v_left_where",
        "SELECT s.id, s.k, dim.label AS l FROM s LEFT JOIN dim ON dim.grp = s.grp AND dim.label <> 'beta' WHERE s.k IS NOT NULL",
        Partial,
    ),
    (
        "v_union",
        "SELECT id, k FROM s WHERE k > 5 UNION ALL SELECT 0, count(*) FROM dim UNION ALL SELECT id, k FROM s WHERE grp = 'a'",
        Partial,
    ),
    ("v_top", "SELECT id, k, t FROM s WHERE x IS NOT NULL ORDER BY k DESC, id LIMIT 5", Partial),
    ("v_top_offset", "SELECT id, x FROM s ORDER BY x LIMIT 3 OFFSET 2", Partial),
    ("v_union_distinct", "SELECT k FROM s UNION SELECT 1", Full),
    ("v_distinct", "SELECT grp, count(DISTINCT k) AS dk, count(DISTINCT t) AS dt FROM s GROUP BY grp", Incremental),
    (
        "v_spread",
        "SELECT t, stddev(x) AS sx, variance(k) AS vk, stddev_pop(d) AS sd, var_pop(x) AS vx, count(*) AS n FROM s GROUP BY t",
        Incremental,
    ),
    ("v_sum_distinct", "SELECT grp, sum(DISTINCT k) AS sk FROM s GROUP BY grp", Partial),
];

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    st.query_map((), |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect()
}

fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        (Value::Real(x), Value::Integer(y)) | (Value::Integer(y), Value::Real(x)) => (x - *y as f64).abs() < 1e-9,
        _ => a == b,
    }
}

fn same_rows(mut got: Vec<Vec<Value>>, mut want: Vec<Vec<Value>>) -> bool {
    let key = |r: &Vec<Value>| {
        format!(
            "{:?}",
            r.iter()
                .map(|v| if let Value::Real(x) = v { format!("{x:.6}") } else { format!("{v:?}") })
                .collect::<Vec<_>>()
        )
    };
    got.sort_by_key(key);
    want.sort_by_key(key);
    got.len() == want.len()
        && got.iter().zip(&want).all(|(a, b)| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(x, y)))
}

fn random_write(conn: &Connection, rng: &mut Rng) {
    if rng.chance(6) {
        // The join's other side changes too: labels, a group coming and going.
        let grp = Value::Text(["a", "b", "c", "d"][rng.below(4)].into());
        let label = Value::Text(["alpha", "beta", "gamma", "delta", "omega"][rng.below(5)].into());
        let sql = match rng.below(3) {
            0 => "UPDATE dim SET label = ?2 WHERE grp = ?1",
            1 => "INSERT OR REPLACE INTO dim VALUES (?1, ?2)",
            _ => "DELETE FROM dim WHERE grp = ?1 AND grp <> ?2",
        };
        conn.execute(sql, vec![grp, label]).unwrap_or_else(|e| panic!("{sql}: {e}"));
        return;
    }
    // Ids spread over four row pages (64 rowids each), negative ones too.
    let id = Value::Integer(rng.below(60) as i64 * 3 - 40);
    let grp = Value::Text(["a", "b", "c", "d"][rng.below(4)].into());
    let k = if rng.chance(10) { Value::Null } else { Value::Integer(rng.below(12) as i64) };
    let x = if rng.chance(15) { Value::Null } else { Value::Real(rng.below(10_000) as f64 / 7.0) };
    let d = if rng.chance(15) { Value::Null } else { Value::Text(format!("{}.{:02}", rng.below(500), rng.below(100))) };
    let t = if rng.chance(15) { Value::Null } else { Value::Text(["p", "q", "r", "s"][rng.below(4)].into()) };
    let sql = match rng.below(6) {
        0 | 1 => "INSERT OR REPLACE INTO s VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        2 => "UPDATE s SET k = ?3, x = ?4 WHERE id = ?1",
        3 => "UPDATE s SET grp = ?2, d = ?5, t = ?6 WHERE id % 7 = ?1 % 7",
        4 => "DELETE FROM s WHERE id = ?1",
        _ => "DELETE FROM s WHERE k = ?3 AND grp = ?2", // often removes a group's MIN or MAX holder
    };
    let mut params = vec![id, grp, k, x, d, t];
    // A statement takes as many parameters as its largest ?N.
    params.truncate((1..=6).filter(|i| sql.contains(&format!("?{i}"))).max().unwrap_or(0));
    conn.execute(sql, params).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn check(conn: &Connection, name: &str, query: &str) {
    let got = rows(conn, &format!("SELECT * FROM {name}"));
    let want = rows(conn, query);
    assert!(same_rows(got.clone(), want.clone()), "view {name} differs from its query\n got {got:?}\nwant {want:?}");
}

#[test]
fn views_equal_their_query_after_every_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0xC0FF_EE12_3456_789A);
    let mut conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    for _ in 0..40 {
        random_write(&conn, &mut rng);
    }
    for (name, query, how) in VIEWS {
        conn.execute(&format!("CREATE MATERIALIZED VIEW {name} AS {query}"), ()).unwrap();
        let notice = conn.notice().unwrap_or_default();
        let said = if notice.contains("is maintained incrementally") {
            Incremental
        } else if notice.contains("is refreshed partially") {
            Partial
        } else {
            Full
        };
        assert_eq!(said, *how, "{name}: {notice}");
        check(&conn, name, query);
    }
    let mut refreshes = 0;
    for step in 0..1500 {
        if rng.chance(5) {
            // A rolled-back transaction leaves nothing for a view to apply.
            conn.execute("BEGIN", ()).unwrap();
            random_write(&conn, &mut rng);
            random_write(&conn, &mut rng);
            conn.execute("ROLLBACK", ()).unwrap();
        }
        random_write(&conn, &mut rng);
        if rng.chance(8) {
            let (name, query, strategy) = VIEWS[rng.below(VIEWS.len())];
            let incremental = rng.chance(75);
            let how = if incremental { " INCREMENTALLY" } else { "" };
            conn.execute(&format!("REFRESH MATERIALIZED VIEW {name}{how}"), ()).unwrap();
            if incremental && strategy != Full {
                // (A notice may say a group was re-read by a pass over the table.)
                let notice = conn.notice().unwrap_or_default();
                assert!(!notice.contains("refreshed fully"), "{name} fell back to a full refresh: {notice}");
            }
            check(&conn, name, query);
            refreshes += 1;
        }
        if step % 500 == 499 {
            drop(conn);
            conn = Connection::open(dir.path()).unwrap();
        }
    }
    assert!(refreshes > 60, "{refreshes} refreshes");
    // Everything at once at the end, each view both ways.
    for (name, query, _) in VIEWS {
        conn.execute(&format!("REFRESH MATERIALIZED VIEW {name} INCREMENTALLY"), ()).unwrap();
        check(&conn, name, query);
        random_write(&conn, &mut rng);
        conn.execute(&format!("REFRESH MATERIALIZED VIEW {name}"), ()).unwrap();
        check(&conn, name, query);
    }
}
