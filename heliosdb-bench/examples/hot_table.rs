//! A small table updated many times, then scanned: HeliosDB beside SQLite
//! (WAL, `synchronous=NORMAL`), each engine in a child process of its own so
//! that its peak memory is its own:
//! `cargo run --release -p heliosdb-bench --example hot_table [UPDATES]`.
//!
//! 100 rows, UPDATES (40,000 by default) prepared autocommit updates
//! `UPDATE h SET v = v + 1 WHERE id = ?` of random rows, then 1,000 scans
//! `SELECT count(*), sum(v) FROM h` in the same process (no reopen, no
//! checkpoint): a scan's cost should follow the 100 rows, not the updates.

use heliosdb_bench::Rng;
use std::time::Instant;

const ROWS: i64 = 100;
const SCANS: usize = 1_000;
const SCHEMA: &str = "CREATE TABLE h (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)";
const UPDATE: &str = "UPDATE h SET v = v + 1 WHERE id = ?1";
const SCAN: &str = "SELECT count(*), sum(v) FROM h";

/// The process's peak resident memory in MB (Linux), 0 elsewhere.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// Times `updates` calls of `update` (a random row id each), then
/// [`SCANS`] calls of `scan`; returns both times and the last scan's sum.
fn workload(updates: usize, mut update: impl FnMut(i64), mut scan: impl FnMut() -> i64) -> (f64, f64, i64) {
    let mut rng = Rng(7);
    let t = Instant::now();
    for _ in 0..updates {
        update((rng.next_u64() % ROWS as u64) as i64 + 1);
    }
    let t_updates = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut total = 0;
    for _ in 0..SCANS {
        total = scan();
    }
    (t_updates, t.elapsed().as_secs_f64(), total)
}

/// Runs the workload on one engine; prints `updates_ms scan_ms peak_mb`.
fn child(engine: &str, updates: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (t_updates, t_scans, total) = if engine == "heliosdb" {
        let conn = heliosdb_core::Connection::open(dir.path()).expect("open");
        conn.execute_batch(SCHEMA).expect("schema");
        conn.execute("INSERT INTO h SELECT value, 0 FROM generate_series(1, 100)", ()).expect("rows");
        let mut st = conn.prepare(UPDATE).expect("prepare");
        let mut scan = conn.prepare(SCAN).expect("prepare scan");
        workload(
            updates,
            |id| {
                st.execute([id]).expect("update");
            },
            || scan.query_row((), |r| r.get::<_, i64>(1)).expect("scan"),
        )
    } else {
        let conn = rusqlite::Connection::open(dir.path().join("h.db")).expect("open");
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").expect("pragmas");
        conn.execute_batch(SCHEMA).expect("schema");
        for id in 1..=ROWS {
            conn.execute("INSERT INTO h VALUES (?1, 0)", [id]).expect("rows");
        }
        let mut st = conn.prepare(UPDATE).expect("prepare");
        let mut scan = conn.prepare(SCAN).expect("prepare scan");
        workload(
            updates,
            |id| {
                st.execute([id]).expect("update");
            },
            || scan.query_row([], |r| r.get::<_, i64>(1)).expect("scan"),
        )
    };
    assert_eq!(total, updates as i64, "{engine}: the scan's sum is not the number of updates");
    println!("{} {} {}", t_updates * 1e3, t_scans * 1e3, peak_mb());
}

fn run(engine: &str, updates: usize) -> (f64, f64, f64) {
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--child", engine, &updates.to_string()])
        .output()
        .expect("child");
    assert!(out.status.success(), "{engine}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text.split_whitespace().map(|x| x.parse().expect("number")).collect();
    (v[0], v[1], v[2])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1], args[2].parse().expect("updates"));
        return;
    }
    let updates: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(40_000);
    let (hu, hs, hm) = run("heliosdb", updates);
    let (su, ss, sm) = run("sqlite", updates);
    println!("{updates} autocommit updates of {ROWS} rows, then {SCANS} scans of them");
    println!("{:<10} {:>12} {:>16} {:>10}", "", "updates", "one scan", "peak");
    println!("{:<10} {:>9.1} ms {:>13.1} µs {:>7.1} MB", "heliosdb", hu, hs * 1e3 / SCANS as f64, hm);
    println!("{:<10} {:>9.1} ms {:>13.1} µs {:>7.1} MB", "sqlite", su, ss * 1e3 / SCANS as f64, sm);
    println!("{:<10} {:>12.2} {:>16.2} {:>10.2}", "ratio", hu / su, hs / ss, hm / sm);
}
