//! Time-travel costs, side by side in one run (each figure the best of
//! `REPEATS` passes): `cargo run --release -p heliosdb-bench --example time_travel [ROWS]`.
//!
//! On ROWS rows (default 100,000) each updated 10 times:
//! * `AS OF SCN` point lookups (a recent point, the middle, 90% back) vs
//!   current point lookups;
//! * `AS OF SCN` full scan vs current full scan;
//! * update throughput with time travel on vs off (whole-table UPDATEs, and
//!   single-row UPDATEs each committed on its own);
//! * insert throughput with time travel on vs off;
//! * opening a database that holds 100,000 commit points.

use heliosdb_bench::Rng;
use heliosdb_core::{Connection, Value};
use std::time::Instant;

const REPEATS: usize = 3;
const LOOKUPS: usize = 50_000;
const ROUNDS: i64 = 10;
const AUTOCOMMITS: usize = 20_000;

fn best<T>(mut f: impl FnMut() -> T) -> (T, f64) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..REPEATS {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(v);
    }
    (out.expect("REPEATS > 0"), best)
}

fn report(label: &str, with: f64, without: f64, target: f64) {
    let ratio = with / without;
    let verdict = if ratio <= target { "met" } else { "MISSED" };
    println!(
        "{label:<52} {:>9.1} ms vs {:>9.1} ms   ratio {ratio:.2} (target ≤ {target}: {verdict})",
        with * 1e3,
        without * 1e3
    );
}

fn create(dir: &std::path::Path, time_travel: bool) -> Connection {
    // `TT_MEMORY_MB=N` opens with `memory_limit_mb = N` (64 by default; the
    // block cache is half of it).
    let mut config = heliosdb_core::Config::default();
    if let Some(mb) = std::env::var("TT_MEMORY_MB").ok().and_then(|v| v.parse().ok()) {
        config.database.memory_limit_mb = mb;
    }
    let conn = Connection::open_with(dir, &config).expect("open");
    let with = if time_travel { "" } else { " WITH (time_travel = false)" };
    conn.execute_batch(&format!("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad TEXT){with}"))
        .expect("schema");
    conn
}

fn insert_rows(conn: &Connection, rows: i64) -> f64 {
    let t = Instant::now();
    let tx = conn.transaction().expect("begin");
    {
        let mut st = tx.prepare("INSERT INTO t VALUES (?1, ?2, 'padding padding')").expect("prepare");
        for i in 1..=rows {
            st.execute([Value::Integer(i), Value::Integer(i % 1000)]).expect("insert");
        }
    }
    tx.commit().expect("commit");
    t.elapsed().as_secs_f64()
}

fn update_rounds(conn: &Connection) -> (f64, Vec<u64>) {
    let t = Instant::now();
    let mut scns = Vec::new();
    for _ in 0..ROUNDS {
        conn.execute("UPDATE t SET v = v + 1", ()).expect("update");
        scns.push(conn.current_scn());
    }
    (t.elapsed().as_secs_f64(), scns)
}

/// `AUTOCOMMITS` single-row updates of random rows, each its own commit.
fn autocommit_updates(conn: &Connection, rows: i64) -> f64 {
    let t = Instant::now();
    let mut st = conn.prepare("UPDATE t SET v = v + 1 WHERE id = ?1").expect("prepare");
    let mut rng = Rng(11);
    for _ in 0..AUTOCOMMITS {
        st.execute([Value::Integer((rng.next_u64() % rows as u64) as i64 + 1)]).expect("update");
    }
    t.elapsed().as_secs_f64()
}

fn lookups(conn: &Connection, sql: &str, rows: i64, scn: Option<u64>) -> i64 {
    let mut st = conn.prepare(sql).expect("prepare");
    let mut rng = Rng(7);
    let mut sum = 0i64;
    for _ in 0..LOOKUPS {
        let id = Value::Integer((rng.next_u64() % rows as u64) as i64 + 1);
        let params = match scn {
            Some(s) => vec![Value::Integer(s as i64), id],
            None => vec![id],
        };
        sum += st.query_row(params, |r| r.get::<_, i64>(0)).expect("lookup");
    }
    sum
}

fn main() {
    let rows: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    println!("time travel, {rows} rows each updated {ROUNDS} times, best of {REPEATS}");
    // For a profiler: TT_PROBE=update runs only the update rounds (time
    // travel on), TT_PROBE=autocommit only the autocommit updates (see there),
    // and for the rest:
    // travel on), TT_PROBE=scan only AS OF scans (TT_SCANS of them, 20 by default, at round TT_ROUND, 4 by default), TT_PROBE=ROUND only the AS OF lookups at that round
    // (TT_FILES=1 also lists the table files they read; TT_ON_DISK=1 checkpoints first,
    // TT_VACUUM=1 then compacts every keyspace into one run).
    if std::env::var("TT_PROBE").as_deref() == Ok("update") {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = create(dir.path(), true);
        insert_rows(&conn, rows);
        let (t, _) = update_rounds(&conn);
        println!("{ROUNDS} update rounds: {:.1} ms", t * 1e3);
        return;
    }
    if std::env::var("TT_PROBE").as_deref() == Ok("autocommit") {
        // The autocommit updates alone, on and off, each after the update
        // rounds and TT_SETTLE seconds for background flushes to finish.
        let settle: u64 = std::env::var("TT_SETTLE").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
        for on in [true, false] {
            let dir = tempfile::tempdir().expect("tempdir");
            let conn = create(dir.path(), on);
            insert_rows(&conn, rows);
            update_rounds(&conn);
            std::thread::sleep(std::time::Duration::from_secs(settle));
            let t = autocommit_updates(&conn, rows);
            println!("{AUTOCOMMITS} autocommit updates, time travel {on}: {:.1} ms", t * 1e3);
        }
        return;
    }
    if std::env::var("TT_PROBE").as_deref() == Ok("scan") {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = create(dir.path(), true);
        insert_rows(&conn, rows);
        let (_, scns) = update_rounds(&conn);
        conn.checkpoint().expect("checkpoint");
        let t = Instant::now();
        let scans: usize = std::env::var("TT_SCANS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
        let round: usize = std::env::var("TT_ROUND").ok().and_then(|n| n.parse().ok()).unwrap_or(4);
        for _ in 0..scans {
            conn.query_row("SELECT sum(v) FROM t AS OF SCN ?", [Value::Integer(scns[round] as i64)], |r| {
                r.get::<_, i64>(0)
            })
            .expect("scan");
        }
        println!("{scans} scans AS OF round {round}: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
        return;
    }
    if let Some(round) = std::env::var("TT_PROBE").ok().and_then(|r| r.parse::<usize>().ok()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = create(dir.path(), true);
        insert_rows(&conn, rows);
        let (_, scns) = update_rounds(&conn);
        if std::env::var("TT_FILES").is_ok() {
            let out = std::process::Command::new("find").arg(dir.path()).arg("-type").arg("f").output().expect("find");
            let list = String::from_utf8_lossy(&out.stdout).into_owned();
            let tables = list.lines().filter(|l| l.contains("/tables/")).count();
            println!("{} files, {tables} under tables/", list.lines().count());
            for l in list.lines().filter(|l| l.contains("tables/")) {
                println!("  {}", l.trim_start_matches(&*dir.path().to_string_lossy()));
            }
        }
        if std::env::var("TT_ON_DISK").is_ok() {
            conn.checkpoint().expect("checkpoint");
        }
        if std::env::var("TT_VACUUM").is_ok() {
            conn.execute_batch("VACUUM").expect("vacuum");
        }
        let t = Instant::now();
        lookups(&conn, "SELECT v FROM t AS OF SCN ?1 WHERE id = ?2", rows, Some(scns[round]));
        println!("{LOOKUPS} lookups AS OF round {round}: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
        return;
    }

    // Inserts and updates, on and off (fresh databases for every pass).
    let mut insert = (f64::MAX, f64::MAX);
    let mut update = (f64::MAX, f64::MAX);
    let mut single = (f64::MAX, f64::MAX);
    for pass in 0..REPEATS {
        // Alternate the order so neither side always runs on a warmer machine.
        let order = if pass % 2 == 0 { [true, false] } else { [false, true] };
        for on in order {
            let dir = tempfile::tempdir().expect("tempdir");
            let conn = create(dir.path(), on);
            let ti = insert_rows(&conn, rows);
            let (tu, _) = update_rounds(&conn);
            let ta = autocommit_updates(&conn, rows);
            let (i, u, a) = if on {
                (&mut insert.0, &mut update.0, &mut single.0)
            } else {
                (&mut insert.1, &mut update.1, &mut single.1)
            };
            *i = i.min(ti);
            *u = u.min(tu);
            *a = a.min(ta);
        }
    }
    report("insert, time travel on vs off", insert.0, insert.1, 1.05);
    report("update (10 rounds), time travel on vs off", update.0, update.1, 1.3);
    report(&format!("{AUTOCOMMITS} autocommit 1-row updates, on vs off"), single.0, single.1, 1.3);

    // Reads of the past vs the present on one database.
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = create(dir.path(), true);
    insert_rows(&conn, rows);
    let (_, scns) = update_rounds(&conn);
    let mid = scns[scns.len() / 2 - 1];
    // A recent point (the round before the last), the middle, and a point
    // 90% back in each row's history (the first round); first with the
    // history still in memtables, then after a checkpoint wrote it to table files.
    let points = [("recent", scns[scns.len() - 2]), ("middle", mid), ("90% back", scns[0])];
    for place in ["memtable", "on disk"] {
        if place == "on disk" {
            conn.checkpoint().expect("checkpoint");
        }
        let (a, now) = best(|| lookups(&conn, "SELECT v FROM t WHERE id = ?1", rows, None));
        for (name, scn) in points {
            let (b, past) = best(|| lookups(&conn, "SELECT v FROM t AS OF SCN ?1 WHERE id = ?2", rows, Some(scn)));
            assert_ne!(a, b, "the past differs from the present");
            report(&format!("{LOOKUPS} lookups AS OF {name}, {place}, vs current"), past, now, 1.2);
        }
    }
    let scan = |sql: &str, p: Vec<Value>| conn.query_row(sql, p, |r| r.get::<_, i64>(0)).expect("scan");
    let (a, now) = best(|| scan("SELECT sum(v) FROM t", vec![]));
    let (b, past) = best(|| scan("SELECT sum(v) FROM t AS OF SCN ?", vec![Value::Integer(mid as i64)]));
    assert_eq!(a - b, rows * (ROUNDS - 5), "the past sum is 5 rounds behind");
    report("full scan sum(v), AS OF SCN vs current", past, now, 1.5);
    drop(conn);

    // Opening a database with 100,000 commit points.
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let conn = create(dir.path(), true);
        let mut st = conn.prepare("INSERT INTO t VALUES (?1, 0, NULL)").expect("prepare");
        for i in 1..=100_000i64 {
            st.execute([Value::Integer(i)]).expect("insert");
        }
    }
    let (points, open) = best(|| {
        let conn = Connection::open(dir.path()).expect("reopen");
        conn.query_row("SELECT count(*) FROM heliosdb_snapshots()", (), |r| r.get::<_, i64>(0)).expect("count")
    });
    println!("open with {points} commit points                  {:>9.1} ms (target < 150 ms)", open * 1e3);
}
