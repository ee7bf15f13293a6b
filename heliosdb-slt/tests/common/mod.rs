//! What the differential tests share: heliosdb-core's seeded generator
//! (the same file, so the two crates' randomized tests replay alike), plus
//! the picks a query generator needs.

#[path = "../../../heliosdb-core/tests/common/mod.rs"]
mod core_common;

pub use core_common::Rng;

/// Query-generator helpers on [`Rng`].
#[allow(dead_code)] // each test uses its own subset
pub trait Pick {
    /// One of `xs`.
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str;
    /// A number in `lo..=hi`.
    fn int_in(&mut self, lo: i64, hi: i64) -> i64;
    /// A small integer, -10..=10.
    fn int(&mut self) -> i64 {
        self.int_in(-10, 10)
    }
}

impl Pick for Rng {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn int_in(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}
