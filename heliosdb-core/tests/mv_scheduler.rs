//! pg_mv_staleness() against known workloads, and the auto-refresh
//! scheduler under simulated load: busy → views wait, idle → they refresh,
//! the hard deadline wins over load, and the background thread refreshes on
//! its own.

use heliosdb_core::mv::scheduler::CpuSource;
use heliosdb_core::{Config, Connection};
use std::time::{Duration, Instant};

struct Load(f64);
impl CpuSource for Load {
    fn usage(&mut self) -> Option<f64> {
        Some(self.0)
    }
}

fn staleness(conn: &Connection, view: &str) -> (i64, i64, String) {
    conn.query_row(
        "SELECT pending_changes, staleness_sec, status FROM pg_mv_staleness() WHERE view_name = ?",
        [view],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

fn setup(config: &Config) -> (Connection, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open_with(dir.path(), config).unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, amount REAL);
         INSERT INTO orders VALUES (1, 'n', 10), (2, 's', 20), (3, 'n', 5);
         CREATE MATERIALIZED VIEW summary AS SELECT region, count(*) AS n, sum(amount) AS revenue FROM orders GROUP BY region;
         CREATE MATERIALIZED VIEW ranked AS SELECT id, lag(amount) OVER (ORDER BY amount) AS r FROM orders;",
    )
    .unwrap();
    (conn, dir)
}

#[test]
fn pending_changes_count_each_insert_update_and_delete_once() {
    let (conn, _dir) = setup(&Config::default());
    assert_eq!(staleness(&conn, "summary"), (0, 0, "fresh".into()));
    conn.execute_batch(
        "INSERT INTO orders VALUES (4, 'e', 1), (5, 'e', 2), (6, 'w', 3);
         UPDATE orders SET amount = amount + 1 WHERE region = 'e';
         DELETE FROM orders WHERE id = 1;",
    )
    .unwrap();
    let (pending, _, status) = staleness(&conn, "summary");
    assert_eq!((pending, status.as_str()), (6, "stale"), "3 inserts + 2 updates + 1 delete");
    // A rolled-back transaction leaves nothing pending, nor does a statement
    // that failed half-way inside a transaction that then commits.
    conn.execute_batch("BEGIN; DELETE FROM orders; ROLLBACK;").unwrap();
    assert_eq!(staleness(&conn, "summary").0, 6);
    conn.execute("BEGIN", ()).unwrap();
    assert!(conn.execute("INSERT INTO orders VALUES (20, 'z', 1), (3, 'dup', 1)", ()).is_err());
    conn.execute("INSERT INTO orders VALUES (21, 'z', 1)", ()).unwrap();
    conn.execute("COMMIT", ()).unwrap();
    assert_eq!(staleness(&conn, "summary").0, 7, "only the statement that succeeded counts");
    // The age of the oldest pending change.
    std::thread::sleep(Duration::from_millis(1100));
    assert!(staleness(&conn, "summary").1 >= 1);
    conn.execute("REFRESH MATERIALIZED VIEW summary INCREMENTALLY", ()).unwrap();
    assert_eq!(staleness(&conn, "summary"), (0, 0, "fresh".into()));
    assert_eq!(staleness(&conn, "ranked").0, 7, "each view counts from its own refresh");
    let (strategy, reason): (String, String) = conn
        .query_row("SELECT refresh_strategy, reason FROM pg_mv_staleness() WHERE view_name = 'ranked'", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((strategy.as_str(), reason.as_str()), ("full", "a window function"));
    conn.execute("REFRESH MATERIALIZED VIEW ranked INCREMENTALLY", ()).unwrap();
    assert!(conn.notice().unwrap_or_default().contains("refreshed fully"), "{:?}", conn.notice());
}

#[test]
fn the_scheduler_waits_under_load_runs_when_idle_and_keeps_the_deadline() {
    let mut config = Config::default();
    config.scheduler.check_interval_sec = 3600; // the background thread stays out of the way
    let (conn, _dir) = setup(&config);
    conn.execute_batch(
        "ALTER MATERIALIZED VIEW summary SET (auto_refresh = true, staleness_threshold_sec = 0, cpu_threshold = 0.5);
         INSERT INTO orders VALUES (7, 'n', 1);",
    )
    .unwrap();
    assert!(conn.run_scheduler_check(&mut Load(0.9)).is_empty(), "busy: the view waits");
    assert_eq!(staleness(&conn, "summary").2, "stale");
    assert_eq!(conn.run_scheduler_check(&mut Load(0.2)), ["summary"], "idle: it refreshes");
    assert_eq!(staleness(&conn, "summary").2, "fresh");
    assert!(conn.run_scheduler_check(&mut Load(0.0)).is_empty(), "nothing pending");
    // ranked has no auto_refresh: never touched.
    assert_eq!(staleness(&conn, "ranked").0, 1);

    // The hard deadline wins over load.
    conn.execute_batch(
        "ALTER MATERIALIZED VIEW summary SET (max_staleness_sec = 1); INSERT INTO orders VALUES (8, 's', 1);",
    )
    .unwrap();
    assert!(conn.run_scheduler_check(&mut Load(0.95)).is_empty(), "under the deadline, load still wins");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(conn.run_scheduler_check(&mut Load(0.95)), ["summary"], "past the deadline, it refreshes anyway");
    // RESET goes back to the defaults (auto_refresh off).
    conn.execute_batch("ALTER MATERIALIZED VIEW summary RESET (auto_refresh, max_staleness_sec); INSERT INTO orders VALUES (9, 's', 1);")
        .unwrap();
    assert!(conn.run_scheduler_check(&mut Load(0.0)).is_empty());
    let (auto, threshold): (bool, i64) = conn
        .query_row(
            "SELECT auto_refresh, staleness_threshold_sec FROM pg_mv_staleness() WHERE view_name = 'summary'",
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((auto, threshold), (false, 0));
}

#[test]
fn the_background_thread_refreshes_on_its_own() {
    let mut config = Config::default();
    config.scheduler.check_interval_sec = 1;
    let (conn, _dir) = setup(&config);
    // cpu_threshold 1.0: any load is acceptable, so the test does not depend on this machine being idle.
    conn.execute_batch(
        "ALTER MATERIALIZED VIEW summary SET (auto_refresh = true, staleness_threshold_sec = 0, cpu_threshold = 1.0);
         INSERT INTO orders VALUES (10, 'x', 42);",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while staleness(&conn, "summary").2 != "fresh" {
        assert!(Instant::now() < deadline, "the scheduler never refreshed the view");
        std::thread::sleep(Duration::from_millis(50));
    }
    let got: f64 = conn.query_row("SELECT revenue FROM summary WHERE region = 'x'", (), |r| r.get(0)).unwrap();
    assert_eq!(got, 42.0);
}

#[test]
fn bad_options_are_named() {
    let (conn, _dir) = setup(&Config::default());
    let err = |sql: &str| conn.execute(sql, ()).unwrap_err().to_string();
    assert!(err("ALTER MATERIALIZED VIEW summary SET (cpu_threshold = 2)").contains("cpu_threshold must be a fraction"));
    assert!(err("ALTER MATERIALIZED VIEW summary SET (speed = 1)").contains("unknown materialized view option speed"));
    assert!(err("ALTER MATERIALIZED VIEW orders SET (auto_refresh = true)").contains("not a materialized view"));
    assert!(err("INSERT INTO summary VALUES ('q', 1, 1)").contains("cannot modify materialized view summary"));
    assert!(err("DROP TABLE summary").contains("use DROP MATERIALIZED VIEW"));
    assert!(err("DROP TABLE orders").contains("materialized view"));
    assert!(err("REFRESH MATERIALIZED VIEW nosuch").contains("no such table"));
}

#[test]
fn a_failing_refresh_marks_the_view_failed_and_keeps_its_contents() {
    let (conn, _dir) = setup(&Config::default());
    conn.execute_batch(
        "CREATE TABLE big (id INTEGER PRIMARY KEY, v INTEGER);
         INSERT INTO big VALUES (1, 9223372036854775807);
         CREATE MATERIALIZED VIEW total AS SELECT sum(v) AS s FROM big;
         ALTER MATERIALIZED VIEW total SET (auto_refresh = true, staleness_threshold_sec = 0, cpu_threshold = 1.0);
         INSERT INTO big VALUES (2, 1);",
    )
    .unwrap();
    // The SUM overflows: the refresh fails, and says why.
    let err = conn.execute("REFRESH MATERIALIZED VIEW total", ()).unwrap_err();
    assert!(err.to_string().contains("overflow"), "{err}");
    let (status, reason): (String, String) = conn
        .query_row("SELECT status, reason FROM pg_mv_staleness() WHERE view_name = 'total'", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(status, "failed");
    assert!(reason.contains("overflow"), "{reason}");
    let kept: i64 = conn.query_row("SELECT s FROM total", (), |r| r.get(0)).unwrap();
    assert_eq!(kept, i64::MAX, "the previous contents are intact");
    // The scheduler retries, fails again without taking anything down, then backs off.
    assert!(conn.run_scheduler_check(&mut Load(0.0)).is_empty());
    // Once the data allows it, a refresh succeeds and clears the failure.
    conn.execute("DELETE FROM big WHERE id = 2", ()).unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW total INCREMENTALLY", ()).unwrap();
    assert_eq!(staleness(&conn, "total"), (0, 0, "fresh".into()));
}
