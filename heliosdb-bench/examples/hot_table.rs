//! A small table updated many times, then scanned: HeliosDB beside SQLite
//! (WAL, `synchronous=NORMAL`), each engine in a child process of its own so
//! that its peak memory is its own:
//! `cargo run --release -p heliosdb-bench --example hot_table [UPDATES] [index|append]`.
//!
//! 100 rows, UPDATES (40,000 by default) prepared autocommit updates
//! `UPDATE h SET v = v + 1 WHERE id = ?` of random rows, then 1,000 scans
//! `SELECT count(*), sum(v) FROM h` in the same process (no reopen, no
//! checkpoint): a scan's cost should follow the 100 rows, not the updates.
//! With `index`, `h` has an index on `v` (which every update rewrites) and
//! the scans read through it: `… FROM h WHERE v >= 0`. `HOT_ROWS=N` sets
//! the table's size (past 1,000 rows, 100 scans are timed instead). With
//! `append`, the UPDATES are autocommit inserts of new rows at the table's
//! end instead (`INSERT INTO h VALUES (?, 1)`, rising ids): a table filled
//! row by row and scanned before its writes are flushed. `HOT_MEMORY_MB=N`
//! opens HeliosDB with `memory_limit_mb = N` (64 by default).

use heliosdb_bench::Rng;
use std::time::Instant;

/// The table's rows: `HOT_ROWS`, 100 by default.
fn rows() -> i64 {
    std::env::var("HOT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100)
}

/// Scans timed, 1,000 (or 100 past 1,000 rows), of the table of `rows`
/// that `updates` in `mode` left.
fn scans_after(rows: i64, updates: usize, mode: &str) -> usize {
    let rows = if mode == "append" { rows + updates as i64 } else { rows };
    if rows > 1_000 {
        100
    } else {
        1_000
    }
}
const SCHEMA: &str = "CREATE TABLE h (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)";
const UPDATE: &str = "UPDATE h SET v = v + 1 WHERE id = ?1";
const SCAN: &str = "SELECT count(*), sum(v) FROM h";
const INDEX: &str = "CREATE INDEX h_v ON h (v)";
const APPEND: &str = "INSERT INTO h VALUES (?1, 1)";
const SCAN_INDEXED: &str = "SELECT count(*), sum(v) FROM h WHERE v >= 0";

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
/// `scans` calls of `scan`; returns both times and the last scan's sum.
fn workload(
    updates: usize,
    scans: usize,
    mut update: impl FnMut(i64),
    mut scan: impl FnMut() -> i64,
) -> (f64, f64, i64) {
    let mut rng = Rng(7);
    let t = Instant::now();
    for _ in 0..updates {
        update((rng.next_u64() % rows().max(1) as u64) as i64 + 1);
    }
    let t_updates = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut total = 0;
    for _ in 0..scans {
        total = scan();
    }
    (t_updates, t.elapsed().as_secs_f64(), total)
}

/// Runs the workload on one engine; prints `updates_ms scan_ms peak_mb`.
fn child(engine: &str, updates: usize, mode: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (index, scan_sql) = if mode == "index" { (INDEX, SCAN_INDEXED) } else { ("", SCAN) };
    let update_sql = if mode == "append" { APPEND } else { UPDATE };
    // (Appends ignore the random id: each takes the next one past the end.)
    let mut appended = rows();
    let mut id_for = move |id: i64| {
        if mode == "append" {
            appended += 1;
            appended
        } else {
            id
        }
    };
    let (t_updates, t_scans, total) = if engine == "heliosdb" {
        let mut config = heliosdb_core::Config::default();
        if let Some(mb) = std::env::var("HOT_MEMORY_MB").ok().and_then(|v| v.parse().ok()) {
            config.database.memory_limit_mb = mb;
        }
        let conn = heliosdb_core::Connection::open_with(dir.path(), &config).expect("open");
        conn.execute_batch(SCHEMA).expect("schema");
        conn.execute_batch(index).expect("index");
        conn.execute("INSERT INTO h SELECT value, 0 FROM generate_series(1, ?1)", [rows()]).expect("rows");
        let mut st = conn.prepare(update_sql).expect("prepare");
        let mut scan = conn.prepare(scan_sql).expect("prepare scan");
        workload(
            updates,
            scans_after(rows(), updates, mode),
            |id| {
                st.execute([id_for(id)]).expect("update");
            },
            || scan.query_row((), |r| r.get::<_, i64>(1)).expect("scan"),
        )
    } else {
        let conn = rusqlite::Connection::open(dir.path().join("h.db")).expect("open");
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").expect("pragmas");
        conn.execute_batch(SCHEMA).expect("schema");
        conn.execute_batch(index).expect("index");
        conn.execute_batch("BEGIN").expect("begin");
        for id in 1..=rows() {
            conn.execute("INSERT INTO h VALUES (?1, 0)", [id]).expect("rows");
        }
        conn.execute_batch("COMMIT").expect("commit");
        let mut st = conn.prepare(update_sql).expect("prepare");
        let mut scan = conn.prepare(scan_sql).expect("prepare scan");
        workload(
            updates,
            scans_after(rows(), updates, mode),
            |id| {
                st.execute([id_for(id)]).expect("update");
            },
            || scan.query_row([], |r| r.get::<_, i64>(1)).expect("scan"),
        )
    };
    assert_eq!(total, updates as i64, "{engine}: the scan's sum is not the number of updates");
    println!("{} {} {}", t_updates * 1e3, t_scans * 1e3, peak_mb());
}

fn run(engine: &str, updates: usize, mode: &str) -> (f64, f64, f64) {
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--child", engine, &updates.to_string(), mode])
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
        child(&args[1], args[2].parse().expect("updates"), args.get(3).map_or("", String::as_str));
        return;
    }
    let updates: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(40_000);
    let mode = args.iter().skip(1).find(|a| *a == "index" || *a == "append").map_or("", String::as_str);
    let (hu, hs, hm) = run("heliosdb", updates, mode);
    let (su, ss, sm) = run("sqlite", updates, mode);
    let n = rows();
    let scans = scans_after(n, updates, mode);
    match mode {
        "append" => println!("{n} rows, then {updates} autocommit inserts at the end, then {scans} scans of them"),
        "index" => {
            println!("{updates} autocommit updates of {n} rows, then {scans} scans of them, through an index on v")
        }
        _ => println!("{updates} autocommit updates of {n} rows, then {scans} scans of them"),
    }
    println!("{:<10} {:>12} {:>16} {:>10}", "", "updates", "one scan", "peak");
    println!("{:<10} {:>9.1} ms {:>13.1} µs {:>7.1} MB", "heliosdb", hu, hs * 1e3 / scans as f64, hm);
    println!("{:<10} {:>9.1} ms {:>13.1} µs {:>7.1} MB", "sqlite", su, ss * 1e3 / scans as f64, sm);
    println!("{:<10} {:>12.2} {:>16.2} {:>10.2}", "ratio", hu / su, hs / ss, hm / sm);
}
