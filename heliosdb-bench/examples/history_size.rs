//! What keeping history costs on disk, against the audit table an SQLite
//! application keeps by hand: `cargo run --release -p heliosdb-bench --example history_size [ROWS]`.
//!
//! ROWS rows (default 100,000) of `t (id INTEGER PRIMARY KEY, v INTEGER,
//! pad TEXT)`, then 10 rounds of `UPDATE t SET v = v + 1`, each round one
//! transaction: ROWS × 10 superseded versions.
//!
//! * HeliosDB: time travel keeps them. Measured after `VACUUM` (checkpoint
//!   and full compaction): the history's table files, and the whole
//!   directory once closed.
//! * SQLite (WAL, checkpointed): an `AFTER UPDATE` trigger copies each old
//!   row with the time it ended into `t_audit (id, v, pad, ended_at)`.
//!   Measured: the audit table's pages (`dbstat`), and the whole file.

use heliosdb_core::Connection;
use std::path::Path;

const ROUNDS: i64 = 10;

/// Bytes allocated on disk under `dir` (fjall preallocates its journal as a
/// sparse 64 MB file: its length is not what it occupies).
fn dir_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let meta = entry.metadata().expect("metadata");
        total += if meta.is_dir() { dir_bytes(&entry.path()) } else { meta.blocks() * 512 };
    }
    total
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let rows: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");

    let h = Connection::open(dir.path().join("h")).expect("open");
    h.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad TEXT)").expect("schema");
    h.execute("INSERT INTO t SELECT value, 0, 'padding padding' FROM generate_series(1, ?)", [rows]).expect("load");
    for _ in 0..ROUNDS {
        h.execute("UPDATE t SET v = v + 1", ()).expect("update");
    }
    h.execute_batch("VACUUM").expect("vacuum");
    let h_history = h.history_disk_space();
    drop(h); // a clean close empties the journal
    let h_total = dir_bytes(&dir.path().join("h"));

    let path = dir.path().join("s.sqlite");
    let s = rusqlite::Connection::open(&path).expect("sqlite open");
    s.execute_batch(
        "PRAGMA journal_mode=WAL;
         CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad TEXT);
         CREATE TABLE t_audit (id INTEGER NOT NULL, v INTEGER NOT NULL, pad TEXT, ended_at INTEGER NOT NULL);
         CREATE TRIGGER t_history AFTER UPDATE ON t BEGIN
           INSERT INTO t_audit VALUES (OLD.id, OLD.v, OLD.pad, unixepoch());
         END;",
    )
    .expect("sqlite schema");
    s.execute("INSERT INTO t SELECT value, 0, 'padding padding' FROM generate_series(1, ?)", [rows])
        .or_else(|_| {
            // Debian's SQLite may lack generate_series: a recursive CTE instead.
            s.execute(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) \
                 INSERT INTO t SELECT x, 0, 'padding padding' FROM n",
                [rows],
            )
        })
        .expect("sqlite load");
    for _ in 0..ROUNDS {
        s.execute("UPDATE t SET v = v + 1", []).expect("sqlite update");
    }
    s.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
    let s_audit: i64 = s
        .query_row("SELECT sum(pgsize) FROM dbstat WHERE name = 't_audit'", [], |r| r.get(0))
        .expect("dbstat (SQLITE_ENABLE_DBSTAT_VTAB)");
    drop(s);
    let s_total = std::fs::metadata(&path).expect("size").len();

    println!("{rows} rows × {ROUNDS} updates = {} superseded versions", rows * ROUNDS);
    println!(
        "history:  heliosdb {:>7.1} MB   sqlite audit table {:>7.1} MB   ratio {:.2} (target ≤ 1.3)",
        mb(h_history),
        mb(s_audit as u64),
        h_history as f64 / s_audit as f64
    );
    println!(
        "database: heliosdb {:>7.1} MB   sqlite file        {:>7.1} MB   ratio {:.2}",
        mb(h_total),
        mb(s_total),
        h_total as f64 / s_total as f64
    );
}
