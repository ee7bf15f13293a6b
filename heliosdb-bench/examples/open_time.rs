//! What opening a database with a long history costs, beside SQLite's open
//! of the same rows: `cargo run --release -p heliosdb-bench --example open_time [COMMITS]`.
//!
//! * clean: COMMITS single-row autocommit inserts (100,000 by default, so
//!   100,001 commit points with the CREATE), the connection closed, then
//!   reopened (best of 3; timed up to the first query's answer).
//! * killed: 160,000 commits (the CREATE and single-row inserts) in a child process that then aborts
//!   (no close, no checkpoint), then the first open, which replays what the
//!   journal holds (`OPEN_KILLED=N`: N commits instead).

use heliosdb_core::Connection;
use std::path::Path;
use std::time::Instant;

/// Commit points in the killed child (`OPEN_KILLED=N` changes it: the
/// engine checkpoints every 25,000 commits, so 149,999 leaves the longest
/// journal below 160,000).
fn killed_commits() -> i64 {
    std::env::var("OPEN_KILLED").ok().and_then(|s| s.parse().ok()).unwrap_or(160_000)
}

/// Bytes the journal files hold on disk (allocated blocks: fjall creates a
/// journal as a sparse 64 MB file, so its length says nothing).
fn journal_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "jnl"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.blocks() * 512)
                .sum()
        })
        .unwrap_or(0)
}

fn commit_rows(dir: &Path, commits: i64) -> Connection {
    let conn = Connection::open(dir).expect("open");
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad TEXT)").expect("schema");
    let mut st = conn.prepare("INSERT INTO t VALUES (?1, 0, NULL)").expect("prepare");
    for i in 1..commits {
        st.execute([i]).expect("insert");
    }
    drop(st);
    conn
}

/// Opens `dir` and answers a first query (timed), then counts its commit
/// points; returns (points, seconds).
fn timed_open(dir: &Path) -> (i64, f64) {
    let t = Instant::now();
    let conn = Connection::open(dir).expect("reopen");
    let one = conn.query_row("SELECT count(*) FROM t WHERE id = 1", (), |r| r.get::<_, i64>(0)).expect("first query");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(one, 1);
    let points =
        conn.query_row("SELECT count(*) FROM heliosdb_snapshots()", (), |r| r.get::<_, i64>(0)).expect("count");
    drop(conn);
    (points, secs)
}

fn sqlite_open(commits: i64) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).expect("sqlite open");
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad TEXT)",
        )
        .expect("sqlite schema");
        let mut st = conn.prepare("INSERT INTO t VALUES (?1, 0, NULL)").expect("sqlite prepare");
        for i in 1..commits {
            st.execute([i]).expect("sqlite insert");
        }
    }
    let t = Instant::now();
    let conn = rusqlite::Connection::open(&path).expect("sqlite reopen");
    let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("sqlite count");
    assert_eq!(n, commits - 1);
    t.elapsed().as_secs_f64()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("--commit-and-abort") {
        let dir = args.next().expect("dir");
        let _open = commit_rows(Path::new(&dir), killed_commits());
        std::process::abort(); // a killed process: no close, no checkpoint
    }
    if first.as_deref() == Some("--open") {
        // For profilers: open an existing database again and again
        // (`--open DIR 1` profiles one first open after a killed process).
        let dir = args.next().expect("dir");
        let times = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
        for _ in 0..times {
            let (points, secs) = timed_open(Path::new(&dir));
            println!("{points} commit points: {:.1} ms", secs * 1e3);
        }
        return;
    }
    let commits: i64 = first.and_then(|a| a.parse().ok()).unwrap_or(100_000) + 1;

    let dir = tempfile::tempdir().expect("tempdir");
    drop(commit_rows(dir.path(), commits));
    let closed_journal = journal_bytes(dir.path());
    let mut best = f64::MAX;
    let mut points = 0;
    for _ in 0..3 {
        let (p, secs) = timed_open(dir.path());
        points = p;
        best = best.min(secs);
    }
    let sqlite = sqlite_open(commits);
    println!(
        "open after a clean close, {points} commit points: {:>8.1} ms (journal {closed_journal} bytes); sqlite3 (WAL) {:.1} ms; target < 150 ms",
        best * 1e3,
        sqlite * 1e3
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new(std::env::current_exe().expect("exe"))
        .arg("--commit-and-abort")
        .arg(dir.path())
        .status()
        .expect("child");
    assert!(!status.success(), "the child aborts");
    let killed_journal = journal_bytes(dir.path());
    let (points, first) = timed_open(dir.path());
    let killed = killed_commits();
    assert_eq!(points, killed, "every commit survives the killed process");
    let (_, second) = timed_open(dir.path());
    println!(
        "first open after {killed} commits and a killed process: {:>8.1} ms (journal {killed_journal} bytes); the open after it {:.1} ms; target < 150 ms",
        first * 1e3,
        second * 1e3
    );
}
