//! A statement's working memory: what its sorts, hash tables, window
//! partitions and result rows may hold before they spill to disk.
//!
//! Every statement gets one [`WorkMemory`]. Operators that hold rows take a
//! [`Grant`] from it and grow the grant as they keep rows; when a grant
//! cannot grow, the operator writes what it holds to a temporary file
//! ([`super::spill`]) and goes on. The budget is a quarter of
//! `memory_limit_mb` (the block cache has half, memtables the rest), so a
//! statement's accounted memory and the store's together stay near the limit.
//!
//! Accounting is an estimate of heap bytes: a row counts its `Vec`, its
//! values and the bytes of its text and blobs; a hash table entry adds a
//! fixed overhead. Aggregate states count their fixed size; the text a
//! `group_concat` or the set a `DISTINCT` aggregate grows inside one group
//! is not counted.

use crate::error::{Error, Result};
use crate::types::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What one statement's operators may hold in memory, and what they held.
#[derive(Debug)]
pub struct WorkMemory {
    /// The budget in bytes (`u64::MAX`: unlimited).
    limit: u64,
    /// `memory_limit_mb`, for error messages.
    limit_mb: u64,
    /// Bytes granted now.
    used: AtomicU64,
    /// The most ever granted at once.
    peak: AtomicU64,
    /// Bytes written to temporary files.
    spilled: AtomicU64,
    /// Where temporary files go: the database directory, or the system's
    /// temporary directory for `:memory:` databases.
    dir: Option<PathBuf>,
}

impl WorkMemory {
    /// A budget of a quarter of `limit_mb`, spilling into `dir`.
    pub fn new(limit_mb: u64, dir: Option<PathBuf>) -> Arc<WorkMemory> {
        let limit = limit_mb.saturating_mul(1024 * 1024) / 4;
        Arc::new(WorkMemory {
            limit,
            limit_mb,
            used: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            spilled: AtomicU64::new(0),
            dir,
        })
    }

    /// The working memory of one statement on `engine`: its
    /// `memory_limit_mb`, spilling into its directory.
    pub fn of_engine(engine: &crate::storage::engine::Engine) -> Arc<WorkMemory> {
        WorkMemory::new(engine.config().database.memory_limit_mb, engine.path().map(std::path::Path::to_path_buf))
    }

    /// No limit (statements run outside a connection, such as DDL
    /// defaults, and every context a caller does not give a budget). One
    /// budget shared by all of them, and lent rather than counted: nothing
    /// reads an unlimited budget's accounting, and every statement builds a
    /// context or two (an allocation each once, then a reference count's
    /// two atomic operations each).
    pub fn unlimited() -> &'static Arc<WorkMemory> {
        static UNLIMITED: std::sync::OnceLock<Arc<WorkMemory>> = std::sync::OnceLock::new();
        UNLIMITED.get_or_init(|| {
            Arc::new(WorkMemory {
                limit: u64::MAX,
                limit_mb: u64::MAX,
                used: AtomicU64::new(0),
                peak: AtomicU64::new(0),
                spilled: AtomicU64::new(0),
                dir: None,
            })
        })
    }

    /// An empty grant to grow.
    pub fn grant(self: &Arc<Self>) -> Grant {
        Grant { mem: Arc::clone(self), bytes: 0 }
    }

    /// The budget in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The most bytes granted at once so far.
    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }

    /// The budget, the peak and what spilled, for the caller.
    pub fn usage(&self) -> MemoryUse {
        MemoryUse { limit_bytes: self.limit, peak_bytes: self.peak(), spilled_bytes: self.spilled() }
    }

    /// Bytes written to temporary files so far.
    pub fn spilled(&self) -> u64 {
        self.spilled.load(Ordering::Relaxed)
    }

    pub(super) fn note_spilled(&self, bytes: u64) {
        self.spilled.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Where temporary files go.
    pub(super) fn dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(std::env::temp_dir)
    }

    /// The error for something that must be held whole and does not fit.
    pub fn exceeded(&self, what: &str) -> Error {
        Error::NoMem(format!(
            "{what} needs more than this statement's working memory ({} KiB, a quarter of memory_limit_mb = {})",
            self.limit / 1024,
            self.limit_mb
        ))
    }

    fn try_take(&self, bytes: u64) -> bool {
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let next = used.saturating_add(bytes);
            if next > self.limit {
                return false;
            }
            match self.used.compare_exchange_weak(used, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => {
                    self.peak.fetch_max(next, Ordering::Relaxed);
                    return true;
                }
                Err(now) => used = now,
            }
        }
    }

    fn give_back(&self, bytes: u64) {
        self.used.fetch_sub(bytes, Ordering::Relaxed);
    }
}

/// Bytes granted to one operator; given back when dropped (also when the
/// statement fails).
#[derive(Debug)]
pub struct Grant {
    mem: Arc<WorkMemory>,
    bytes: u64,
}

impl Grant {
    /// Grows the grant by `bytes`; false (and unchanged) when the budget
    /// has no room.
    pub fn try_grow(&mut self, bytes: u64) -> bool {
        let ok = self.mem.try_take(bytes);
        if ok {
            self.bytes += bytes;
        }
        ok
    }

    /// Grows the grant by `bytes`, or fails naming what did not fit.
    ///
    /// # Errors
    /// [`Error::NoMem`] when the budget has no room.
    pub fn grow(&mut self, bytes: u64, what: &str) -> Result<()> {
        if self.try_grow(bytes) {
            Ok(())
        } else {
            Err(self.mem.exceeded(what))
        }
    }

    /// Gives `bytes` back (an operator handing its rows to the next one).
    pub fn shrink(&mut self, bytes: u64) {
        let bytes = bytes.min(self.bytes);
        self.mem.give_back(bytes);
        self.bytes -= bytes;
    }

    /// Gives everything back (after the operator wrote its rows to disk).
    pub fn release(&mut self) {
        self.mem.give_back(self.bytes);
        self.bytes = 0;
    }

    /// The statement's memory this grant draws on.
    pub fn memory(&self) -> &Arc<WorkMemory> {
        &self.mem
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        self.release();
    }
}

/// What a statement held in working memory and wrote to temporary files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryUse {
    /// The statement's working-memory budget in bytes (a quarter of
    /// `memory_limit_mb`).
    pub limit_bytes: u64,
    /// The most its sorts, hash tables, partitions and result rows held at
    /// once, in bytes (an estimate; see [`crate::exec::memory`]).
    pub peak_bytes: u64,
    /// Bytes written to temporary files.
    pub spilled_bytes: u64,
}

/// Estimated heap bytes of one value held in a row.
pub fn value_bytes(v: &Value) -> u64 {
    let heap = match v {
        Value::Text(s) => s.capacity(),
        Value::Blob(b) => b.capacity(),
        _ => 0,
    };
    (std::mem::size_of::<Value>() + heap) as u64
}

/// Estimated heap bytes of one row held in a `Vec`.
pub fn row_bytes(row: &[Value]) -> u64 {
    std::mem::size_of::<Vec<Value>>() as u64 + row.iter().map(value_bytes).sum::<u64>()
}

/// The hash maps and sets of GROUP BY, DISTINCT, joins and set operations:
/// foldhash, seeded per process (the standard library's SipHash was 17%
/// of a 20,000-group GROUP BY's time; the map's whole lookup is now 12%).
pub type KeyMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// See [`KeyMap`].
pub type KeySet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// What a hash table adds per entry beyond its key and value (bucket,
/// control byte, load factor slack).
pub const HASH_ENTRY_OVERHEAD: u64 = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_stop_at_the_budget_and_give_back_on_drop() {
        let mem = WorkMemory::new(4, None);
        assert_eq!(mem.limit(), 1 << 20);
        let mut a = mem.grant();
        assert!(a.try_grow(700 << 10));
        let mut b = mem.grant();
        assert!(!b.try_grow(400 << 10), "the second grant must not pass the budget");
        assert!(b.grow(400 << 10, "a sort").unwrap_err().to_string().contains("memory_limit_mb = 4"));
        drop(a);
        assert!(b.try_grow(400 << 10), "dropping a grant gives its bytes back");
        assert_eq!(mem.peak(), 700 << 10);
    }
}
