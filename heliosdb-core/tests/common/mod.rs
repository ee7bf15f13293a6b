//! Helpers shared by the integration tests of this crate.
#![allow(dead_code)]

/// A small deterministic xorshift generator, so every randomized test
/// replays exactly from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next raw 64-bit value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Every row `sql` returns, as values.
pub fn rows(conn: &heliosdb_core::Connection, sql: &str) -> Vec<Vec<heliosdb_core::Value>> {
    let mut st = conn.prepare(sql).unwrap();
    let mut rows = st.query(()).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        out.push(r.values().to_vec());
    }
    out
}
