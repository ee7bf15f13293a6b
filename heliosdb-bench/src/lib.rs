//! Shared workload for the side-by-side benchmarks: the same `orders` table,
//! the same rows and the same queries, for HeliosDB and for SQLite.
//!
//! SQLite runs with `journal_mode=WAL, synchronous=NORMAL`: like HeliosDB's
//! default, a commit survives a killed process but is not fsynced.

use heliosdb_core::params;

/// Rows in the large table.
pub const ROWS: i64 = 1_000_000;
/// Distinct regions (the GROUP BY groups).
pub const REGIONS: i64 = 50;

/// The table both engines use.
pub const SCHEMA: &str =
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT NOT NULL, amount REAL NOT NULL, ts INTEGER NOT NULL)";
/// The insert both engines prepare.
pub const INSERT: &str = "INSERT INTO orders (id, region, amount, ts) VALUES (?1, ?2, ?3, ?4)";
/// Point lookup.
pub const LOOKUP: &str = "SELECT region, amount FROM orders WHERE id = ?1";
/// Filtered scan.
pub const FILTERED_COUNT: &str = "SELECT count(*) FROM orders WHERE amount > 500";
/// Aggregation.
pub const GROUP_BY: &str =
    "SELECT region, count(*), sum(amount), avg(amount), min(amount), max(amount) FROM orders GROUP BY region";

/// A deterministic xorshift generator.
pub struct Rng(pub u64);
impl Rng {
    /// Next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Row `i` of the workload: (id, region, amount, ts).
pub fn row(i: i64) -> (i64, String, f64, i64) {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let region = format!("region-{:02}", h % REGIONS as u64);
    let amount = ((h >> 8) % 100_000) as f64 / 100.0;
    (i + 1, region, amount, 1_700_000_000 + i)
}

/// A HeliosDB database holding `n` rows (its directory lives as long as the guard).
pub fn helios_with_rows(n: i64) -> (heliosdb_core::Connection, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let conn = heliosdb_core::Connection::open(dir.path()).expect("open");
    conn.execute_batch(SCHEMA).expect("schema");
    helios_insert(&conn, 0, n);
    (conn, dir)
}

/// Inserts rows `from..from+n` in one transaction with a prepared statement.
pub fn helios_insert(conn: &heliosdb_core::Connection, from: i64, n: i64) {
    let tx = conn.transaction().expect("begin");
    {
        let mut st = tx.prepare(INSERT).expect("prepare");
        for i in from..from + n {
            let (id, region, amount, ts) = row(i);
            st.execute(params![id, region, amount, ts]).expect("insert");
        }
    }
    tx.commit().expect("commit");
}

/// A SQLite database holding `n` rows.
pub fn sqlite_with_rows(n: i64) -> (rusqlite::Connection, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn = rusqlite::Connection::open(dir.path().join("bench.db")).expect("open");
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").expect("pragmas");
    conn.execute_batch(SCHEMA).expect("schema");
    sqlite_insert_rows(&mut conn, 0, n);
    (conn, dir)
}

/// Inserts rows `from..from+n` into SQLite in one transaction.
pub fn sqlite_insert_rows(conn: &mut rusqlite::Connection, from: i64, n: i64) {
    let tx = conn.transaction().expect("begin");
    {
        let mut st = tx.prepare(INSERT).expect("prepare");
        for i in from..from + n {
            let (id, region, amount, ts) = row(i);
            st.execute(rusqlite::params![id, region, amount, ts]).expect("insert");
        }
    }
    tx.commit().expect("commit");
}
