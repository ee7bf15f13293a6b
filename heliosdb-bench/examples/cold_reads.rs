//! Reads in a process that has just opened a loaded database, side by side
//! with SQLite, with each process's peak resident memory:
//! `cargo run --release -p heliosdb-bench --example cold_reads [ROWS]`.
//!
//! The parent loads ROWS rows (default 1,000,000) into both engines, builds
//! the `amount` index, waits `COLD_SETTLE` seconds (default 5) for the
//! background worker to write the load to table files, and closes both.
//! Then, for each engine, a fresh child process opens the database and runs
//! point lookups, a `count(*)` the `amount` index answers, a GROUP BY,
//! indexed range scans and `ORDER BY … OFFSET` pages, twice (`_again`: with
//! what the first pass cached), and reports each time and its peak RSS
//! (`VmHWM`): what a service restarted on a loaded database pays, where the
//! rows come from table files rather than the memtables a load leaves.

use heliosdb_bench::*;
use std::process::Command;
use std::time::Instant;

const LOOKUPS: usize = 100_000;

/// The process's `VmHWM` (peak) or `VmRSS` (now) in MB (Linux), 0 elsewhere.
fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// One engine's reads, as the child process runs them (each statement
/// prepared once per workload, as an application would).
trait Reads {
    /// `SELECT region, amount … WHERE id = ?` for each id; the sum of amounts.
    fn lookups(&mut self, ids: &[i64]) -> f64;
    /// The sum of column 1 over the rows of `sql`.
    fn sum_col1(&mut self, sql: &str) -> f64;
    /// The indexed range count for each `(lo, hi)`, summed.
    fn ranges(&mut self, bounds: &[(f64, f64)]) -> f64;
    /// The amounts of `ORDER BY amount LIMIT 10 OFFSET ?` for each offset, summed.
    fn pages(&mut self, offsets: &[i64]) -> f64;
}

/// `Reads` for the `Connection` of crate `$krate`, whose API has rusqlite's
/// shape (both engines' do); `$none` is its empty parameter list.
macro_rules! reads_for {
    ($krate:ident, $none:expr) => {
        impl Reads for $krate::Connection {
            fn lookups(&mut self, ids: &[i64]) -> f64 {
                let mut st = self.prepare(LOOKUP).expect("prepare");
                ids.iter().map(|id| st.query_row([*id], |r| r.get::<_, f64>(1)).expect("lookup")).sum()
            }
            fn sum_col1(&mut self, sql: &str) -> f64 {
                let mut st = self.prepare(sql).expect("prepare");
                let rows = st.query_map($none, |r| r.get::<_, i64>(1)).expect("query");
                rows.map(|x| x.expect("row") as f64).sum()
            }
            fn ranges(&mut self, bounds: &[(f64, f64)]) -> f64 {
                let mut st = self.prepare(INDEXED_RANGE).expect("prepare");
                let mut count = |(lo, hi): &(f64, f64)| st.query_row($krate::params![*lo, *hi], |r| r.get::<_, i64>(0));
                bounds.iter().map(|b| count(b).expect("range") as f64).sum()
            }
            fn pages(&mut self, offsets: &[i64]) -> f64 {
                let mut st = self.prepare(INDEX_PAGE).expect("prepare");
                let mut sum = 0.0;
                for off in offsets {
                    let rows = st.query_map($krate::params![*off], |r| r.get::<_, f64>(2)).expect("page");
                    sum += rows.map(|x| x.expect("row")).sum::<f64>();
                }
                sum
            }
        }
    };
}

reads_for!(heliosdb_core, ());
reads_for!(rusqlite, []);

/// Runs the reads, printing `name ms` lines and a checksum for the parent.
fn child(db: &mut dyn Reads, rows: i64) {
    let mut check = 0.0;
    let mut time = |name: &str, f: &mut dyn FnMut() -> f64| {
        let t = Instant::now();
        check += f();
        println!("{name} {:.3}", t.elapsed().as_secs_f64() * 1e3);
    };
    let mut rng = Rng(42);
    let ids: Vec<i64> = (0..LOOKUPS).map(|_| (rng.next_u64() % rows as u64) as i64 + 1).collect();
    let bounds: Vec<(f64, f64)> = (0..20).map(|i| (i as f64 * 50.0, i as f64 * 50.0 + 10.0)).collect();
    let offsets: Vec<i64> = (0..10).map(|p| p * 10_000).collect();
    // Twice: first as the process finds the database, then again with
    // what the first pass cached.
    for pass in ["", "_again"] {
        time(&format!("point_lookups{pass}"), &mut || db.lookups(&ids));
        time(&format!("indexed_count{pass}"), &mut || db.sum_col1("SELECT 0, count(*) FROM orders WHERE amount > 500"));
        time(&format!("group_by{pass}"), &mut || db.sum_col1(GROUP_BY));
        time(&format!("indexed_ranges{pass}"), &mut || db.ranges(&bounds));
        time(&format!("offset_pages{pass}"), &mut || db.pages(&offsets));
    }
    println!("checksum {check:.3}");
    println!("peak_rss_mb {:.1}", status_mb("VmHWM:"));
    println!("rss_mb {:.1}", status_mb("VmRSS:"));
}

/// Runs this program as a child reading `engine`'s database at `path`; its
/// `name value` lines.
fn spawn(engine: &str, path: &std::path::Path, rows: i64) -> Vec<(String, f64)> {
    let exe = std::env::current_exe().expect("exe");
    let out = Command::new(exe)
        .arg(rows.to_string())
        .env("COLD_CHILD", engine)
        .env("COLD_PATH", path)
        .output()
        .expect("spawn child");
    assert!(out.status.success(), "{engine} child failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').and_then(|(k, v)| Some((k.to_string(), v.parse().ok()?))))
        .collect()
}

fn main() {
    let rows: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(ROWS);
    if let Ok(engine) = std::env::var("COLD_CHILD") {
        let path = std::env::var("COLD_PATH").expect("COLD_PATH");
        if engine == "heliosdb" {
            child(&mut heliosdb_core::Connection::open(&path).expect("open"), rows);
        } else {
            child(&mut rusqlite::Connection::open(&path).expect("open"), rows);
        }
        return;
    }
    let (h, hd) = helios_with_rows(rows);
    let (s, sd) = sqlite_with_rows(rows);
    h.execute_batch(AMOUNT_INDEX).expect("index");
    s.execute_batch(AMOUNT_INDEX).expect("index");
    let settle = std::env::var("COLD_SETTLE").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    std::thread::sleep(std::time::Duration::from_secs(settle));
    drop((h, s));
    let helios = spawn("heliosdb", hd.path(), rows);
    let sqlite = spawn("sqlite", &sd.path().join("bench.db"), rows);
    let get = |v: &[(String, f64)], k: &str| v.iter().find(|(n, _)| n == k).map(|(_, x)| *x).expect("reported");
    assert_eq!(get(&helios, "checksum"), get(&sqlite, "checksum"), "engines disagree");
    println!("cold reads, {rows} rows, a fresh process per engine");
    println!("{:<16} {:>12} {:>12} {:>7}", "", "heliosdb", "sqlite", "ratio");
    for (name, _) in helios.iter().filter(|(n, _)| n != "checksum") {
        let (a, b) = (get(&helios, name), get(&sqlite, name));
        println!("{name:<16} {a:>12.1} {b:>12.1} {:>7.2}", a / b);
    }
}
