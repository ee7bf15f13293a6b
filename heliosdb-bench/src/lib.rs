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

/// The secondary index the range-scan workload reads.
pub const AMOUNT_INDEX: &str = "CREATE INDEX orders_amount ON orders (amount)";
/// Indexed range scan: 1% of the table when the bounds are 10 apart
/// (amounts are spread over 0..1000). The index covers it.
pub const INDEXED_RANGE: &str = "SELECT count(*), sum(amount) FROM orders WHERE amount >= ?1 AND amount < ?2";

/// A page of rows in index order, deep into the table: the OFFSET's rows
/// are passed over in the index.
pub const INDEX_PAGE: &str = "SELECT * FROM orders ORDER BY amount LIMIT 10 OFFSET ?1";

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

/// The join benchmark's schema: orders (1,000,000) → customers (10,000) → regions (100).
pub const JOIN_SCHEMA: &str = "CREATE TABLE regions (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE customers (id INTEGER PRIMARY KEY, region_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE orders3 (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, amount REAL NOT NULL);
CREATE INDEX customers_region ON customers (region_id);
CREATE INDEX orders3_customer ON orders3 (customer_id);";

/// Three tables joined, filtered on two of them, grouped.
pub const JOIN_QUERY: &str = "SELECT r.name, count(*), sum(o.amount) FROM orders3 o \
    JOIN customers c ON o.customer_id = c.id JOIN regions r ON c.region_id = r.id \
    WHERE o.amount > 500 AND r.id <= 50 GROUP BY r.name";

/// Loads the join tables into both engines (same rows, same indexes).
pub fn join_data(h: &heliosdb_core::Connection, s: &mut rusqlite::Connection, orders: i64) {
    h.execute_batch(JOIN_SCHEMA).expect("schema");
    s.execute_batch(JOIN_SCHEMA).expect("schema");
    let tx = h.transaction().expect("begin");
    let stx = s.transaction().expect("begin");
    for r in 1..=100i64 {
        let name = format!("region-{r:03}");
        tx.execute("INSERT INTO regions VALUES (?, ?)", params![r, name]).expect("insert");
        stx.execute("INSERT INTO regions VALUES (?, ?)", rusqlite::params![r, name]).expect("insert");
    }
    for c in 1..=10_000i64 {
        let (region, name) = (c % 100 + 1, format!("customer-{c}"));
        tx.execute("INSERT INTO customers VALUES (?, ?, ?)", params![c, region, name]).expect("insert");
        stx.execute("INSERT INTO customers VALUES (?, ?, ?)", rusqlite::params![c, region, name]).expect("insert");
    }
    {
        let mut hi = tx.prepare("INSERT INTO orders3 VALUES (?, ?, ?)").expect("prepare");
        let mut si = stx.prepare("INSERT INTO orders3 VALUES (?, ?, ?)").expect("prepare");
        for o in 1..=orders {
            let (_, _, amount, _) = row(o);
            let cust = (o as u64).wrapping_mul(2_654_435_761) % 10_000 + 1;
            hi.execute(params![o, cust as i64, amount]).expect("insert");
            si.execute(rusqlite::params![o, cust as i64, amount]).expect("insert");
        }
    }
    tx.commit().expect("commit");
    stx.commit().expect("commit");
}
