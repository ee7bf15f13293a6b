//! History GC: the retention policy decides which commit points stay; points
//! inside it still answer exactly, points outside are "snapshot too old" (also
//! after a reopen); the history shrinks on disk; a leased point survives GC;
//! the background thread collects on its own.

use heliosdb_core::{Config, Connection, Error, Value};
use std::time::{Duration, Instant};

fn config(max_snapshots: u64, auto: bool) -> Config {
    let mut c = Config::default();
    c.snapshot.min_retention_seconds = 0;
    c.snapshot.max_snapshots = max_snapshots;
    c.snapshot.auto_gc_enabled = auto;
    c.snapshot.gc_interval_sec = 1;
    c
}

fn sum_at(conn: &Connection, scn: u64) -> heliosdb_core::Result<i64> {
    conn.query_row("SELECT sum(v) FROM t AS OF SCN ?", [Value::Integer(scn as i64)], |r| r.get(0))
}

/// 2,000 rows, then `rounds` commits that each update every row: returns the
/// SCN after each round with the sum it must show.
fn workload(conn: &Connection, rounds: i64) -> Vec<(u64, i64)> {
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, pad TEXT)").unwrap();
    let tx = conn.transaction().unwrap();
    for i in 1..=2000 {
        tx.execute("INSERT INTO t VALUES (?, 0, 'some padding to make versions weigh something')", [Value::Integer(i)])
            .unwrap();
    }
    tx.commit().unwrap();
    let mut points = vec![(conn.current_scn(), 0)];
    for round in 1..=rounds {
        conn.execute("UPDATE t SET v = ?", [Value::Integer(round)]).unwrap();
        points.push((conn.current_scn(), round * 2000));
    }
    points
}

#[test]
fn gc_keeps_what_retention_promises_and_frees_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let points = {
        let conn = Connection::open_with(dir.path(), &config(5, false)).unwrap();
        let points = workload(&conn, 10);
        for (scn, sum) in &points {
            assert_eq!(sum_at(&conn, *scn).unwrap(), *sum, "before GC, at SCN {scn}");
        }
        conn.checkpoint().unwrap();
        let before = conn.history_disk_space();
        assert!(before > 0);

        let report = conn.gc().unwrap();
        let total = conn.query_row("SELECT count(*) FROM heliosdb_snapshots()", (), |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(total, 5, "max_snapshots points are left");
        assert!(report.commits_removed >= 7, "{report:?}");
        assert_eq!(report.versions_removed, 2000 * 6, "versions that ended at or before the oldest kept point");
        conn.checkpoint().unwrap();
        let after = conn.history_disk_space();
        assert!(after < before, "history on disk shrank: {before} → {after}");

        let oldest: i64 = conn.query_row("SELECT min(scn) FROM heliosdb_snapshots()", (), |r| r.get(0)).unwrap();
        for (scn, sum) in &points {
            match sum_at(&conn, *scn) {
                Ok(got) => {
                    assert!(*scn as i64 >= oldest);
                    assert_eq!(got, *sum, "after GC, at SCN {scn}");
                }
                Err(Error::SnapshotTooOld(m)) => {
                    assert!((*scn as i64) < oldest, "{m}");
                    assert!(m.contains(&format!("oldest available point, SCN {oldest}")), "{m}");
                }
                Err(e) => panic!("unexpected error {e}"),
            }
        }
        let second = conn.gc().unwrap();
        assert_eq!(second.versions_removed + second.commits_removed, 0, "nothing more to collect");
        points
    };
    // The horizon survives a reopen.
    let conn = Connection::open_with(dir.path(), &config(5, false)).unwrap();
    let (old_scn, _) = points[1];
    assert!(matches!(sum_at(&conn, old_scn), Err(Error::SnapshotTooOld(_))));
    let (last, sum) = *points.last().unwrap();
    assert_eq!(sum_at(&conn, last).unwrap(), sum);
}

#[test]
fn a_leased_point_survives_gc_until_its_transaction_ends() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Connection::open_with(dir.path(), &config(2, false)).unwrap();
    let points = workload(&writer, 3);
    let reader = Connection::open_with(dir.path(), &config(2, false)).unwrap();
    let (leased, leased_sum) = points[points.len() - 2];
    reader.execute(&format!("BEGIN READ ONLY AS OF SCN {leased}"), ()).unwrap();
    for round in 10..15 {
        writer.execute("UPDATE t SET v = ?", [Value::Integer(round)]).unwrap();
    }
    writer.gc().unwrap();
    let in_tx: i64 = reader.query_row("SELECT sum(v) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(in_tx, leased_sum, "the open transaction still reads its point");
    assert!(matches!(reader.execute("DELETE FROM t", ()), Err(Error::ReadOnly(_))));
    reader.execute("COMMIT", ()).unwrap();
    writer.gc().unwrap();
    assert!(matches!(sum_at(&writer, leased), Err(Error::SnapshotTooOld(_))), "released, then collected");
}

#[test]
fn background_gc_collects_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open_with(dir.path(), &config(3, true)).unwrap();
    workload(&conn, 8);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n: i64 = conn.query_row("SELECT count(*) FROM heliosdb_snapshots()", (), |r| r.get(0)).unwrap();
        if n == 3 {
            break;
        }
        assert!(Instant::now() < deadline, "background GC never ran ({n} points left)");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn insert_only_and_opted_out_tables_keep_no_versions() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);
         CREATE TABLE scratch (id INTEGER PRIMARY KEY, v INTEGER) WITH (time_travel = false);",
    )
    .unwrap();
    for i in 0..500 {
        conn.execute("INSERT INTO log (msg) VALUES ('event')", ()).unwrap();
        conn.execute("INSERT INTO scratch VALUES (?, 0)", [Value::Integer(i)]).unwrap();
    }
    conn.execute("UPDATE scratch SET v = v + 1", ()).unwrap();
    conn.execute("DELETE FROM scratch", ()).unwrap();
    conn.checkpoint().unwrap();
    assert_eq!(conn.history_disk_space(), 0, "no superseded versions were written");
    let scn = conn.current_scn();
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM log AS OF SCN {}", scn - 10), (), |r| r.get(0)).unwrap();
    assert!(n > 0 && n < 500, "insert-only history comes from the rows' own SCN stamps: {n}");
    let err = conn.query_row("SELECT count(*) FROM scratch AS OF SCN 3", (), |r| r.get::<_, i64>(0)).unwrap_err();
    assert!(err.to_string().contains("keeps no history"), "{err}");
}
