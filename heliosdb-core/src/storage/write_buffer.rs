//! Keeping the memtables of all keyspaces together within a small
//! `memory_limit_mb`.
//!
//! fjall flushes a keyspace's memtable once it passes that keyspace's own
//! limit (`memory_limit_mb` clamped to 4–64 MB), but nothing bounded their
//! sum: its global `max_write_buffer_size` is hidden, deprecated and unused
//! in fjall 3.1. A small table updated with an index writes four keyspaces
//! (rows, index, versions, commits) at once, and 200,000 such updates took
//! the process to 260 MB at the default limit of 64.
//!
//! [`WriteBuffer`] counts the bytes written to each keyspace since its
//! memtable was last sealed here. When fjall reports more bytes in memtables
//! than the budget, the keyspace written most is sealed, and fjall's
//! background worker writes it to a table file. A keyspace whose previous
//! sealed memtable is not written yet is passed over (sealing again would
//! only pile up small memtables behind a busy worker).
//!
//! The budget is `memory_limit_mb` itself, and only when it was set below
//! 64 (a small machine's configuration; see `MemoryBudget::from_limit_mb`).
//! What it costs is history and rows spread over more, smaller table files
//! until compaction merges them. Measured with the budget at the default 64
//! MB: peak RSS of 200,000 updates of a 100-row indexed table fell from 260
//! to 161 MB, but indexed range reads right after a 1,000,000-row load were
//! 1.5× slower, deep `AS OF` lookups 12–40% and `AS OF` scans 35%.
//!
//! The counts are estimates: fjall also seals a keyspace by itself at its
//! own limit, unseen here, after which the count overstates that memtable
//! until it is chosen once.

use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes written to each keyspace since it was last sealed here, and the
/// budget of all memtables together.
#[derive(Debug)]
pub(crate) struct WriteBuffer {
    budget: u64,
    since_sealed: Vec<AtomicU64>,
}

impl WriteBuffer {
    /// Counts for `keyspaces` keyspaces under `budget` bytes.
    pub(crate) fn new(budget: u64, keyspaces: usize) -> WriteBuffer {
        WriteBuffer { budget, since_sealed: (0..keyspaces).map(|_| AtomicU64::new(0)).collect() }
    }

    /// Notes `bytes` written to keyspace `ks`.
    pub(crate) fn wrote(&self, ks: usize, bytes: u64) {
        if let Some(n) = self.since_sealed.get(ks) {
            n.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// Every keyspace's memtable was sealed (an automatic checkpoint): the
    /// counts start again from zero.
    pub(crate) fn sealed_all(&self) {
        for n in &self.since_sealed {
            n.store(0, Ordering::Relaxed);
        }
    }

    /// The keyspace to seal when fjall holds `buffered` bytes in memtables:
    /// none within the budget; else the one written most since it was last
    /// sealed here, of those `sealable` says have no sealed memtable
    /// waiting. Its count starts again from zero.
    pub(crate) fn to_seal(&self, buffered: u64, sealable: impl Fn(usize) -> bool) -> Option<usize> {
        if buffered <= self.budget {
            return None;
        }
        let (ks, _) = self
            .since_sealed
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .enumerate()
            .filter(|(ks, n)| *n > 0 && sealable(*ks))
            .max_by_key(|(_, n)| *n)?;
        self.since_sealed[ks].store(0, Ordering::Relaxed);
        Some(ks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyspace_written_most_is_sealed_once_the_sum_passes_the_budget() {
        let w = WriteBuffer::new(100, 3);
        w.wrote(0, 30);
        w.wrote(1, 50);
        w.wrote(2, 10);
        assert_eq!(w.to_seal(90, |_| true), None, "within the budget");
        assert_eq!(w.to_seal(101, |_| true), Some(1));
        // Its count starts again: the next largest goes next.
        assert_eq!(w.to_seal(101, |_| true), Some(0));
        // A keyspace still flushing is passed over.
        w.wrote(1, 70);
        assert_eq!(w.to_seal(150, |ks| ks != 1), Some(2));
        // Nothing written since: nothing to seal.
        assert_eq!(w.to_seal(150, |ks| ks != 1), None);
    }
}
