//! What the differential tests share: a small seeded random generator
//! (xorshift64), so each test's queries are the same on every run.

/// A xorshift64 generator; seed it with a non-zero constant.
pub struct Rng(pub u64);

#[allow(dead_code)] // each test uses its own subset
impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// One of `xs`.
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    /// A number in `lo..=hi`.
    pub fn int_in(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    /// A small integer, -10..=10.
    pub fn int(&mut self) -> i64 {
        self.int_in(-10, 10)
    }
}
