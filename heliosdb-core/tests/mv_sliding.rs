//! Sliding-window materialized views (`ts > now − …`) against their query
//! while time passes: the process clock is pinned and moved by the test
//! (`set_clock_override`), rows are inserted, updated and deleted around the
//! window's edges, transactions roll back, the database reopens. After every
//! refresh (incremental or full) the view must equal its query run at the
//! same pinned time, and the views stay incremental (no silent fallback to
//! a full refresh). Time alone makes a windowed view stale.

mod common;

use common::Rng;
use heliosdb_core::storage::commit_log::set_clock_override;
use heliosdb_core::{Connection, Value};

const SCHEMA: &str = "
    CREATE TABLE r (id INTEGER PRIMARY KEY, dev TEXT, ts INTEGER, v REAL);
    CREATE INDEX r_ts ON r (ts);
    CREATE TABLE q (id INTEGER PRIMARY KEY, dev TEXT, ts INTEGER, v REAL);";

const DAY: i64 = 86_400;
const START: i64 = 1_700_000_000;

/// (name, defining query)
const VIEWS: &[(&str, &str)] = &[
    (
        "hourly",
        "SELECT dev, (ts / 3600) * 3600 AS h, count(*) AS n, avg(v) AS mean, min(v) AS lo, max(v) AS hi, \
         stddev(v) AS sd FROM r WHERE ts > strftime('%s', 'now', '-2 days') GROUP BY dev, (ts / 3600) * 3600",
    ),
    ("recent", "SELECT id, dev, v FROM r WHERE ts >= unixepoch() - 86400 AND v > 10"),
    // Ranked rows of the last day: rows entering and leaving by time move ranks.
    (
        "leaders",
        "SELECT id, dev, rank() OVER (PARTITION BY dev ORDER BY v DESC) AS place FROM r WHERE ts >= unixepoch() - 86400",
    ),
    ("total", "SELECT count(*) AS n, sum(v) AS s, max(ts) AS newest FROM r WHERE ts >= unixepoch() - 3 * 86400"),
    // No index on q.ts: rows leaving the window are found by a scan.
    (
        "span",
        "SELECT dev, count(*) AS n, min(ts) AS first FROM q \
         WHERE ts BETWEEN unixepoch() - 86400 AND unixepoch() + 3600 GROUP BY dev",
    ),
];

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    st.query_map((), |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect()
}

fn key(r: &[Value]) -> String {
    format!(
        "{:?}",
        r.iter().map(|v| if let Value::Real(x) = v { format!("{x:.6}") } else { format!("{v:?}") }).collect::<Vec<_>>()
    )
}

fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

fn check(conn: &Connection, name: &str, query: &str) {
    let mut got = rows(conn, &format!("SELECT * FROM {name}"));
    let mut want = rows(conn, query);
    got.sort_by_key(|r| key(r));
    want.sort_by_key(|r| key(r));
    let same = got.len() == want.len()
        && got.iter().zip(&want).all(|(a, b)| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(x, y)));
    assert!(same, "view {name} differs from its query\n got {got:?}\nwant {want:?}");
}

fn random_write(conn: &Connection, rng: &mut Rng, now: i64) {
    let table = if rng.chance(3) { "q" } else { "r" };
    let id = Value::Integer(rng.below(300) as i64);
    // Around the windows' edges: from 4 days ago to 2 hours ahead.
    let ts = Value::Integer(now - 4 * DAY + rng.below((4 * DAY + 7200) as usize) as i64);
    let dev = Value::Text(["a", "b", "c"][rng.below(3)].into());
    let v = if rng.chance(12) { Value::Null } else { Value::Real(rng.below(2000) as f64 / 8.0) };
    let sql = match rng.below(5) {
        0 | 1 => format!("INSERT OR REPLACE INTO {table} VALUES (?1, ?2, ?3, ?4)"),
        2 => format!("UPDATE {table} SET v = ?4, ts = ?3 WHERE id = ?1"),
        3 => format!("DELETE FROM {table} WHERE id = ?1"),
        _ => format!("UPDATE {table} SET dev = ?2 WHERE id % 5 = ?1 % 5"),
    };
    let mut params = vec![id, dev, ts, v];
    params.truncate((1..=4).filter(|i| sql.contains(&format!("?{i}"))).max().unwrap_or(0));
    conn.execute(&sql, params).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn strategy(conn: &Connection, name: &str) -> (String, i64, String) {
    let r = rows(
        conn,
        &format!("SELECT refresh_strategy, pending_changes, status FROM pg_mv_staleness() WHERE view_name = '{name}'"),
    );
    match &r[0][..] {
        [Value::Text(s), Value::Integer(p), Value::Text(st)] => (s.clone(), *p, st.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sliding_windows_follow_time_and_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5EED_7140_0001);
    let mut now = START;
    set_clock_override(Some(now * 1_000_000));
    let mut conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    for _ in 0..200 {
        random_write(&conn, &mut rng, now);
    }
    for (name, query) in VIEWS {
        conn.execute(&format!("CREATE MATERIALIZED VIEW {name} AS {query}"), ()).unwrap();
        let notice = conn.notice().unwrap_or_default();
        assert!(notice.contains("maintained incrementally") && notice.contains("sliding window"), "{name}: {notice}");
        assert_eq!(notice.contains("scanning"), *name == "span", "{name}: {notice}");
        check(&conn, name, query);
    }

    // Time alone makes a windowed view stale (after its staleness threshold).
    conn.execute("ALTER MATERIALIZED VIEW recent SET (staleness_threshold_sec = 60)", ()).unwrap();
    assert_eq!(strategy(&conn, "recent").2, "fresh");
    now += 61;
    set_clock_override(Some(now * 1_000_000));
    let (how, pending, status) = strategy(&conn, "recent");
    assert_eq!((how.as_str(), pending, status.as_str()), ("incremental", 1, "stale"));

    let mut refreshes = 0;
    for step in 0..1200 {
        match rng.below(20) {
            // Time passes: seconds to a day and a half.
            0 => now += rng.below(3600) as i64,
            1 => now += rng.below((DAY + DAY / 2) as usize) as i64,
            2 => {
                // A rolled-back transaction leaves no trace.
                conn.execute("BEGIN", ()).unwrap();
                random_write(&conn, &mut rng, now);
                conn.execute("ROLLBACK", ()).unwrap();
            }
            _ => random_write(&conn, &mut rng, now),
        }
        set_clock_override(Some(now * 1_000_000));
        if rng.chance(15) {
            let (name, query) = VIEWS[rng.below(VIEWS.len())];
            let incremental = rng.chance(80);
            let how = if incremental { " INCREMENTALLY" } else { "" };
            // A refresh pins `now` to the last commit's time: commit something now.
            conn.execute("INSERT INTO q VALUES (NULL, 'tick', 0, 0)", ()).unwrap();
            conn.execute(&format!("REFRESH MATERIALIZED VIEW {name}{how}"), ()).unwrap();
            if incremental {
                assert_eq!(conn.notice(), None, "{name} fell back to a full refresh");
            }
            check(&conn, name, query);
            refreshes += 1;
        }
        if step % 400 == 399 {
            drop(conn);
            conn = Connection::open(dir.path()).unwrap();
        }
    }
    assert!(refreshes > 100, "{refreshes} refreshes");
    for (name, _) in VIEWS {
        assert_eq!(strategy(&conn, name).0, "incremental");
    }
    set_clock_override(None);
}
