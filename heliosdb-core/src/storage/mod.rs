//! Storage: everything below SQL. Knows keys, values, transactions and
//! commits; knows nothing about SQL.
//!
//! * [`kv`] — the narrow key-value trait the engine needs, and its fjall implementation;
//! * [`keys`] — the layout of every key (table, index and metadata prefixes);
//! * [`commit_log`] — commit numbering (SCN), transaction ids and commit times;
//! * [`engine`] — one open database: publication of committed state, the writer lock, the registry;
//! * [`write_tx`] — a write transaction: private overlay, statement undo, atomic commit;
//! * [`merge`] — reading a snapshot through a transaction's overlay;
//! * `row_writes` — a transaction's writes to `rows`, held by page;
//! * `pages` — rows keyed by one integer, packed 64 to a `rows` entry;
//! * `index_pages` — secondary-index entries packed up to 64 to an `index` entry;
//! * `index_fences` — the writer's in-memory map of index pages (a point read instead of a seek);
//! * `table_keys` — the stored keys of often-rewritten tables (point reads instead of range walks);
//! * [`batch`] — a range read of rows handed out a page at a time;
//! * [`versions`] — superseded row versions and reading a table as of an SCN;
//! * [`gc`] — removing history the retention policy no longer keeps;
//! * [`backup`] — online backup into a new directory, and checkpoint;
//! * `journal` — keeping fjall's journal short: automatic checkpoints, and emptying it after a clean close;
//! * `upgrade` — rewriting a directory of the previous on-disk format at open;
//! * [`changes`] — the change log of tables with consumers (materialized views, change feeds);
//! * `background` — the engine's periodic threads (GC, view scheduler).

pub(crate) mod background;
pub mod backup;
pub mod batch;
pub mod changes;
pub mod commit_log;
pub mod engine;
pub mod gc;
pub(crate) mod index_fences;
pub(crate) mod index_pages;
pub(crate) mod journal;
pub mod keys;
pub mod kv;
pub mod merge;
pub(crate) mod pages;
pub(crate) mod row_writes;
pub(crate) mod table_keys;
pub(crate) mod upgrade;
pub mod versions;
pub(crate) mod write_buffer;
pub mod write_tx;

pub use backup::BackupHistory;
pub use batch::{BatchIter, OwnedRowKey, RowBatch};
pub use engine::{Engine, ReadView};
pub use kv::{Bytes, Ks, KvIter};
pub use write_tx::WriteTx;

use crate::error::Result;
use std::ops::Bound;

/// `iter`'s entries in reverse order (read to the end first; an error stops it).
pub fn reversed<'a>(iter: KvIter<'a>) -> KvIter<'a> {
    match iter.collect::<Result<Vec<_>>>() {
        Ok(all) => Box::new(all.into_iter().rev().map(Ok)),
        Err(e) => Box::new(std::iter::once(Err(e))),
    }
}

/// Read access to one consistent state: a committed snapshot, or a write
/// transaction's snapshot with its own uncommitted writes on top.
pub trait Reader {
    /// The value under `key`, if any.
    ///
    /// # Errors
    /// Storage I/O failures.
    fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Bytes>>;

    /// Entries with keys in `[lo, hi)`-style bounds, in key order.
    fn scan(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> KvIter<'_>;

    /// The same entries as [`Reader::scan`], in descending key order, so
    /// `ORDER BY rowid DESC LIMIT n` reads n rows. This default reads the
    /// range forward and reverses it (correct, not cheap); readers that can
    /// iterate backwards override it.
    fn scan_rev(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> KvIter<'_> {
        reversed(self.scan(ks, lo, hi))
    }

    /// The same rows as [`Reader::scan`] in the same order, in batches (a
    /// page's rows at a time where rows are paged) for batch-at-a-time
    /// evaluation. This default gathers [`Reader::scan`]'s entries 64 at a
    /// time; readers that store pages override it.
    fn scan_batches(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> BatchIter<'_> {
        batch::batched(self.scan(ks, lo, hi))
    }

    /// The committed state under this reader: the reader itself for a
    /// snapshot, the snapshot a write transaction began from (without its
    /// own writes). Reads of the past use it: every SCN they may name is
    /// committed, and a transaction's own writes all came after it.
    fn committed(&self) -> &dyn Reader;

    /// The SCN a new row version written now would carry (reads: the snapshot's SCN).
    fn scn(&self) -> u64;

    /// The latest commit this reader sees (for a write transaction, the one
    /// it started from).
    fn snapshot_scn(&self) -> u64;

    /// The engine behind this reader (commit log, leases, GC).
    fn engine(&self) -> &std::sync::Arc<Engine>;

    /// The schema as this reader sees it.
    fn catalog(&self) -> &crate::catalog::Catalog;

    /// Whether this reader is a write transaction, holding the writer lock
    /// (so a function that commits on its own must not wait for it).
    fn holds_writer(&self) -> bool {
        false
    }
}
