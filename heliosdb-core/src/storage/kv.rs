//! The narrow key-value interface the engine is written against, and its
//! implementation on fjall.
//!
//! Everything the SQL layers need from storage is: open keyspaces, take a
//! consistent snapshot, get, range-scan, and apply a batch atomically. Keeping
//! the interface this small is what would let another store (an in-memory one
//! for tests, say) slot in without touching the engine.

use super::journal::AutoCheckpoint;
use super::table_keys::{KeyCursor, KeyDirectory};
use super::write_buffer::WriteBuffer;
use crate::error::Result;
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

/// Immutable shared bytes (fjall's reference-counted slice).
pub type Bytes = fjall::Slice;

/// An iterator over key-value pairs.
pub type KvIter<'a> = Box<dyn Iterator<Item = Result<(Bytes, Bytes)>> + 'a>;

/// The fixed keyspaces of a HeliosDB database (see DESIGN.md, "Storage on fjall").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ks {
    /// Catalog records, counters, the format version.
    Meta = 0,
    /// Current row versions: table id ‖ primary key.
    Rows = 1,
    /// Secondary index entries: index id ‖ index columns ‖ primary key.
    Index = 2,
    /// Superseded row versions (time travel).
    Versions = 3,
    /// Change log for consumers such as materialized views.
    Changes = 4,
    /// Commit records: SCN → (transaction id, commit time).
    Commits = 5,
}

impl Ks {
    /// All keyspaces, in storage order.
    pub const ALL: [Ks; 6] = [Ks::Meta, Ks::Rows, Ks::Index, Ks::Versions, Ks::Changes, Ks::Commits];

    fn name(self) -> &'static str {
        match self {
            Ks::Meta => "meta",
            Ks::Rows => "rows",
            Ks::Index => "index",
            Ks::Versions => "versions",
            Ks::Changes => "changes",
            Ks::Commits => "commits",
        }
    }
}

/// How hard a commit pushes its data towards the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Leave the journal in process memory (fastest; a crash may lose recent commits).
    None,
    /// Hand the journal to the OS: survives a killed process, not a power cut.
    Buffer,
    /// fdatasync the journal: survives a power cut.
    Sync,
}

/// How much memory the store may use, derived from `memory_limit_mb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget {
    /// Block cache.
    pub cache_bytes: u64,
    /// One keyspace's memtable: past it, the memtable is flushed to a table
    /// file (the automatic checkpoint), so what a reopen replays from the
    /// journal stays about this size per keyspace.
    pub memtable_bytes: u64,
    /// Journal files kept before old ones are forced out by flushing.
    pub journal_bytes: u64,
    /// All keyspaces' memtables together: past it, the one written most is
    /// flushed (see [`super::write_buffer`]).
    pub write_buffer_bytes: u64,
    /// Journal bytes written between two automatic checkpoints (there is
    /// also one every [`super::journal::CHECKPOINT_COMMITS`] commits), which
    /// bound what an open after a killed process replays (see
    /// [`super::journal`]).
    pub checkpoint_bytes: u64,
}

impl MemoryBudget {
    /// Half the limit for the block cache; each keyspace's memtable flushes
    /// at the limit itself, between 4 and 64 MiB (fjall's default, reached
    /// at the default limit: smaller memtables measured 2.5× slower `AS OF`
    /// lookups, which then seek through more table files); journals of at
    /// least 64 MiB (fjall's minimum); below 64 MiB, all memtables together
    /// within the limit itself (at least 4 MiB; see [`super::write_buffer`]);
    /// below 64 MiB, an automatic checkpoint every limit's worth written.
    pub fn from_limit_mb(limit_mb: u64) -> MemoryBudget {
        let limit = limit_mb.saturating_mul(1024 * 1024);
        MemoryBudget {
            cache_bytes: limit / 2,
            memtable_bytes: limit.clamp(4 << 20, 64 << 20),
            journal_bytes: limit.max(64 << 20),
            // Only where the limit was lowered for a small machine: at 64 MB
            // and above a bulk load's rows and index memtables are split
            // into more table files, and indexed range reads right after it
            // measured 1.5× slower (BENCHMARKS.md).
            write_buffer_bytes: if limit_mb < 64 { limit.max(4 << 20) } else { u64::MAX },
            // Only where the limit was lowered for a small machine (what a
            // replay loads into memory): from 64 up, fjall's own rotation
            // past 64 MB bounds large writes, and sealing a bulk load's
            // memtables right after it made the reads that follow 1.5–1.8×
            // slower while the worker wrote and compacted them.
            checkpoint_bytes: if limit_mb < 64 { limit.max(4 << 20) } else { u64::MAX },
        }
    }
}

/// One entry of an atomic batch: `None` deletes the key.
pub type BatchEntry = (Ks, Vec<u8>, Option<Bytes>);

/// A fjall database with HeliosDB's keyspaces.
pub struct FjallStore {
    db: fjall::Database,
    keyspaces: Vec<fjall::Keyspace>,
    /// Key and value bytes written through [`FjallStore::write`] since open
    /// (what the journal grew by, give or take its framing).
    journaled: std::sync::atomic::AtomicU64,
    /// What each keyspace's memtable holds, for the budget of them all.
    buffer: WriteBuffer,
    /// When to seal the journal and the memtables with it.
    checkpoint: AutoCheckpoint,
}

/// A consistent read view across all keyspaces.
pub struct FjallSnapshot {
    snap: fjall::Snapshot,
    keyspaces: Vec<fjall::Keyspace>,
    /// The stored keys of the small, often-written tables and indexes at
    /// this snapshot (see [`super::table_keys`]): their ranges are read key
    /// by key.
    keys: Arc<KeyDirectory>,
}

/// A key the key directory names is not in the snapshot it was
/// published with: never expected, and reported rather than skipped.
fn not_stored() -> crate::error::Error {
    crate::error::Error::Corrupt("the key directory names an entry that is not stored".into())
}

/// The longest key fjall stores (it panics on longer ones, also in reads).
const FJALL_MAX_KEY: usize = u16::MAX as usize;

fn bound_ref(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(v) => Bound::Included(v.as_slice()),
        Bound::Excluded(v) => Bound::Excluded(v.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// A range bound fjall accepts, selecting the same stored keys: no stored key
/// is longer than [`FJALL_MAX_KEY`], so against a longer bound B a stored key
/// k compares as against B's prefix P, except that k = P lies below B.
fn storable_bound(b: Bound<&[u8]>, lower: bool) -> Bound<&[u8]> {
    match b {
        Bound::Included(v) | Bound::Excluded(v) if v.len() > FJALL_MAX_KEY => {
            let p = &v[..FJALL_MAX_KEY];
            if lower {
                Bound::Excluded(p)
            } else {
                Bound::Included(p)
            }
        }
        other => other,
    }
}

impl FjallStore {
    /// Opens (creating if needed) the store in `dir`; `temporary` deletes the
    /// directory when the store is dropped (`:memory:` databases).
    ///
    /// # Errors
    /// I/O errors; `Busy` when another process has the directory open.
    pub fn open(dir: &Path, budget: MemoryBudget, temporary: bool) -> Result<FjallStore> {
        let db = fjall::Database::builder(dir)
            .cache_size(budget.cache_bytes)
            .max_journaling_size(budget.journal_bytes)
            // One background worker flushes and compacts. With more, fjall's
            // first worker hands every compaction on to the others and spins
            // re-queueing it until one is free: CPU burnt for nothing on the
            // small machines this runs on (and 10× slower tests under valgrind).
            .worker_threads(1)
            .temporary(temporary)
            .open()?;
        let memtable = budget.memtable_bytes;
        let mut keyspaces = Vec::new();
        for ks in Ks::ALL {
            // (fjall records the memtable size when a keyspace is created:
            // a database keeps the size it was created with.)
            // LZ4 on every level: fjall leaves its first two levels
            // uncompressed, which is where a freshly loaded table sits.
            let lz4 = fjall::config::CompressionPolicy::all(fjall::CompressionType::Lz4);
            keyspaces.push(db.keyspace(ks.name(), || {
                fjall::KeyspaceCreateOptions::default().max_memtable_size(memtable).data_block_compression_policy(lz4)
            })?);
        }
        let buffer = WriteBuffer::new(budget.write_buffer_bytes, keyspaces.len());
        let checkpoint = AutoCheckpoint::new(budget.checkpoint_bytes, super::journal::CHECKPOINT_COMMITS);
        Ok(FjallStore { db, keyspaces, journaled: std::sync::atomic::AtomicU64::new(0), buffer, checkpoint })
    }

    /// Writes `entries`, which must come in ascending key order, straight
    /// into table files of the empty keyspace `ks`, bypassing the journal
    /// (backups: a copy is built this way, then made visible by a rename).
    ///
    /// # Errors
    /// I/O errors; `Corrupt` if the entries are out of order (fjall would
    /// otherwise panic) or the keyspace is not empty.
    pub fn ingest(&self, ks: Ks, entries: impl Iterator<Item = Result<(Bytes, Bytes)>>) -> Result<u64> {
        let handle = &self.keyspaces[ks as usize];
        if !handle.is_empty()? {
            return Err(crate::error::Error::Corrupt(format!(
                "cannot ingest into the non-empty {} keyspace",
                ks.name()
            )));
        }
        let mut ingestion = handle.start_ingestion()?;
        let mut last: Option<Bytes> = None;
        let mut count = 0u64;
        for entry in entries {
            let (k, v) = entry?;
            if last.as_ref().is_some_and(|l| *l >= k) {
                return Err(crate::error::Error::Corrupt(format!("{} keyspace entries out of order", ks.name())));
            }
            ingestion.write(k.clone(), v)?;
            last = Some(k);
            count += 1;
        }
        ingestion.finish()?;
        Ok(count)
    }

    /// Pushes the journal to the disk (`fsync`), so everything written so
    /// far survives a power cut.
    ///
    /// # Errors
    /// I/O errors.
    pub fn sync(&self) -> Result<()> {
        self.db.persist(fjall::PersistMode::SyncAll)?;
        Ok(())
    }

    /// A consistent snapshot of every keyspace.
    pub fn snapshot(&self) -> FjallSnapshot {
        FjallSnapshot { snap: self.db.snapshot(), keyspaces: self.keyspaces.clone(), keys: Arc::default() }
    }

    /// Applies `entries` atomically: after a crash, all of them or none are there.
    ///
    /// # Errors
    /// I/O errors writing the journal.
    pub fn write(&self, entries: Vec<BatchEntry>, durability: Durability) -> Result<()> {
        let mode = match durability {
            Durability::None => None,
            Durability::Buffer => Some(fjall::PersistMode::Buffer),
            Durability::Sync => Some(fjall::PersistMode::SyncData),
        };
        let mut batch = self.db.batch().durability(mode);
        let bytes: usize = entries.iter().map(|(_, k, v)| k.len() + v.as_ref().map_or(0, |v| v.len())).sum();
        self.journaled.fetch_add(bytes as u64, std::sync::atomic::Ordering::Relaxed);
        for (ks, key, value) in entries {
            let handle = &self.keyspaces[ks as usize];
            self.buffer.wrote(ks as usize, (key.len() + value.as_ref().map_or(0, |v| v.len())) as u64);
            match value {
                Some(v) => batch.insert(handle, key, v),
                None => batch.remove(handle, key),
            }
        }
        batch.commit()?;
        if self.checkpoint.wrote(bytes as u64) {
            // The batch is written: a failed checkpoint leaves the journal
            // to grow until the next one and must not fail the write.
            let _ = self.checkpoint_behind();
            return Ok(());
        }
        let sealable = |ks: usize| self.keyspaces.get(ks).is_some_and(|h| h.sealed_memtable_count() == 0);
        if let Some(ks) = self.buffer.to_seal(self.db.write_buffer_size(), sealable) {
            // The batch is written: a failed seal leaves the memtable to
            // fjall's own limit and must not fail the write.
            let _ = self.keyspaces[ks].rotate_memtable();
        }
        Ok(())
    }

    /// Flushes `ks`'s memtable and compacts it fully, so deleted entries
    /// free their space (GC calls this after removing history).
    ///
    /// # Errors
    /// I/O errors.
    pub fn compact(&self, ks: Ks) -> Result<()> {
        let handle = &self.keyspaces[ks as usize];
        self.flush_keyspace(handle)?;
        handle.major_compact()?;
        Ok(())
    }

    /// Flushes every keyspace's memtable to a table file.
    ///
    /// # Errors
    /// I/O errors; `Storage(Poisoned)` when fjall's background worker failed
    /// (for example, its directory was removed or the disk is full).
    pub fn flush(&self) -> Result<()> {
        for handle in &self.keyspaces {
            self.flush_keyspace(handle)?;
        }
        Ok(())
    }

    /// Seals every keyspace's memtable for the background worker to write
    /// and returns without waiting for it; it waits only for memtables
    /// sealed before (an earlier call's), so at most one sealed memtable a
    /// keyspace is held besides the active one.
    ///
    /// # Errors
    /// As [`FjallStore::flush`].
    pub fn flush_behind(&self) -> Result<()> {
        for handle in &self.keyspaces {
            self.wait_sealed(handle)?;
            handle.rotate_memtable()?;
        }
        Ok(())
    }

    /// The automatic checkpoint: seals the journal file and then every
    /// memtable, for fjall's worker to flush them and then delete the file
    /// (see [`super::journal`]). Does not wait for the flushes.
    fn checkpoint_behind(&self) -> Result<()> {
        if self.db.rotate_journal()? {
            for handle in &self.keyspaces {
                handle.rotate_memtable()?;
            }
            self.buffer.sealed_all();
        }
        Ok(())
    }

    /// Seals a keyspace's memtable and waits until the background worker
    /// has written every sealed memtable. Not fjall's
    /// `rotate_memtable_and_wait`: that polls for the flush forever, and
    /// once the worker has failed (it then poisons the database and exits)
    /// nothing ever flushes, so a close would hang. This wait stops at the
    /// poisoning.
    ///
    /// It waits also when there was nothing to seal: fjall seals a memtable
    /// by itself once a write takes it past its size, leaving the active one
    /// empty, and that sealed memtable may not be written yet.
    fn flush_keyspace(&self, handle: &fjall::Keyspace) -> Result<()> {
        handle.rotate_memtable()?;
        self.wait_sealed(handle)
    }

    /// Waits until the background worker has written every sealed memtable
    /// of a keyspace.
    fn wait_sealed(&self, handle: &fjall::Keyspace) -> Result<()> {
        while handle.sealed_memtable_count() > 0 {
            // Fails with `Poisoned` once the worker has failed.
            self.db.persist(fjall::PersistMode::Buffer)?;
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        Ok(())
    }

    /// Key and value bytes written since open.
    pub fn journaled_bytes(&self) -> u64 {
        self.journaled.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Journal files: the active one and those sealed whose memtables are
    /// not all flushed yet.
    pub fn journal_files(&self) -> usize {
        self.db.journal_count()
    }

    /// Bytes held in memtables (what only the journal holds on disk).
    pub fn memtable_bytes(&self) -> u64 {
        self.db.write_buffer_size()
    }

    /// Bytes one keyspace's tables occupy on disk (journal excluded).
    pub fn keyspace_disk_space(&self, ks: Ks) -> u64 {
        self.keyspaces[ks as usize].disk_space()
    }

    /// Bytes the database occupies on disk.
    pub fn disk_space(&self) -> u64 {
        self.db.disk_space().unwrap_or(0)
    }
}

impl FjallSnapshot {
    /// This snapshot, reading the ranges of the objects in `keys` (which
    /// must describe exactly this snapshot's `rows` and `index`) key by key.
    pub fn with_directory(self, keys: Arc<KeyDirectory>) -> FjallSnapshot {
        FjallSnapshot { keys, ..self }
    }

    /// Point read. A row of `rows` keyed by one integer is read from its page.
    ///
    /// # Errors
    /// I/O errors; `Corrupt` for a damaged page.
    pub fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Bytes>> {
        if ks == Ks::Rows {
            if let Some((page, slot)) = super::keys::page_of(key) {
                return match self.get_raw(ks, &page)? {
                    Some(page) => super::pages::get(page, slot),
                    None => Ok(None),
                };
            }
        }
        if ks == Ks::Index {
            let Some(end) = super::keys::index_end_fence(key) else { return Ok(None) };
            return match self.first_raw(ks, key, &end)? {
                Some((_, page)) => super::index_pages::get(page, key),
                None => Ok(None),
            };
        }
        self.get_raw(ks, key)
    }

    /// The first stored entry of `ks` with a key in `from..=to` (for
    /// `index`, the page that would hold `from`: pages are stored under the
    /// greatest key they may hold).
    ///
    /// # Errors
    /// I/O errors.
    pub fn first_raw(&self, ks: Ks, from: &[u8], to: &[u8]) -> Result<Option<(Bytes, Bytes)>> {
        self.edge_raw(ks, from, to, false)
    }

    /// Point read of a stored entry (for `rows`, a page key reads the page).
    ///
    /// # Errors
    /// I/O errors.
    pub fn get_raw(&self, ks: Ks, key: &[u8]) -> Result<Option<Bytes>> {
        use fjall::Readable;
        if key.len() > FJALL_MAX_KEY {
            return Ok(None); // never written (see keys::MAX_KEY_LEN)
        }
        Ok(self.snap.get(&self.keyspaces[ks as usize], key)?)
    }

    /// The last stored entry of `ks` with a key in `from..=to` (for
    /// `index`, an index's last page when `to` is its end fence).
    ///
    /// # Errors
    /// I/O errors.
    pub fn last_raw(&self, ks: Ks, from: &[u8], to: &[u8]) -> Result<Option<(Bytes, Bytes)>> {
        self.edge_raw(ks, from, to, true)
    }

    /// The first (or with `last`, the last) stored entry of `ks` in `from..=to`.
    fn edge_raw(&self, ks: Ks, from: &[u8], to: &[u8], last: bool) -> Result<Option<(Bytes, Bytes)>> {
        use fjall::Readable;
        if from > to {
            return Ok(None); // an empty range (fjall panics on one)
        }
        let (lo, hi) = (Bound::Included(from.to_vec()), Bound::Included(to.to_vec()));
        if let Some(key) = self.keys.edge(ks, &lo, &hi, last) {
            let Some(key) = key else { return Ok(None) };
            let value = self.get_raw(ks, &key)?.ok_or_else(not_stored)?;
            return Ok(Some((Bytes::from(key), value)));
        }
        let range = (storable_bound(Bound::Included(from), true), storable_bound(Bound::Included(to), false));
        let mut entries = self.snap.range::<&[u8], _>(&self.keyspaces[ks as usize], range);
        match if last { entries.next_back() } else { entries.next() } {
            Some(guard) => Ok(Some(guard.into_inner()?)),
            None => Ok(None),
        }
    }

    /// Range scan in key order; `rows` yields rows, pages unpacked.
    pub fn scan(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> KvIter<'static> {
        self.rows_or_raw(ks, lo, hi, false)
    }

    /// Range scan in descending key order (fjall iterates an LSM range from either end).
    pub fn scan_rev(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> KvIter<'static> {
        self.rows_or_raw(ks, lo, hi, true)
    }

    /// The same rows as [`FjallSnapshot::scan`], a page at a time (other
    /// keyspaces: their entries, 64 at a time).
    pub fn scan_batches(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> super::batch::BatchIter<'static> {
        if ks == Ks::Index {
            let (raw_lo, raw_hi) = super::index_pages::raw_bounds(lo, hi);
            if super::engine::bounds_empty(&raw_lo, &raw_hi) {
                return Box::new(std::iter::empty());
            }
            let raw = self.range(Ks::Index, &raw_lo, &raw_hi, false);
            return super::index_pages::expand_batches(raw, lo.clone(), hi.clone());
        }
        if ks != Ks::Rows {
            return super::batch::batched(self.rows_or_raw(ks, lo, hi, false));
        }
        let (raw_lo, raw_hi) = super::pages::raw_bounds(lo, hi);
        super::pages::expand_batches(self.range(ks, &raw_lo, &raw_hi, false), lo.clone(), hi.clone())
    }

    /// For `rows`, the rows of the pages around `lo..hi` and of the loose
    /// entries in it; for `index`, the entries in it from the pages that
    /// hold them; for every other keyspace, its entries.
    fn rows_or_raw(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>, reverse: bool) -> KvIter<'static> {
        if ks == Ks::Index {
            return self.index_entries(lo, hi, reverse);
        }
        if ks != Ks::Rows {
            return self.range(ks, lo, hi, reverse);
        }
        let (raw_lo, raw_hi) = super::pages::raw_bounds(lo, hi);
        super::pages::expand(self.range(ks, &raw_lo, &raw_hi, reverse), lo.clone(), hi.clone(), reverse)
    }

    /// The index entries in `lo..hi`, from the pages that hold them.
    fn index_entries(&self, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>, reverse: bool) -> KvIter<'static> {
        let (raw_lo, mut raw_hi) = super::index_pages::raw_bounds(lo, hi);
        if reverse {
            // Backwards from the page that holds `hi`: the first fenced at or
            // above it (not from the index's last page, which may be far).
            if let (Bound::Included(h) | Bound::Excluded(h), Bound::Included(end)) = (hi, &raw_hi) {
                match self.first_raw(Ks::Index, h, end) {
                    Ok(Some((fence, _))) => raw_hi = Bound::Included(fence.to_vec()),
                    Ok(None) => {}
                    Err(e) => return Box::new(std::iter::once(Err(e))),
                }
            }
        }
        if super::engine::bounds_empty(&raw_lo, &raw_hi) {
            return Box::new(std::iter::empty());
        }
        super::index_pages::expand(self.range(Ks::Index, &raw_lo, &raw_hi, reverse), lo.clone(), hi.clone(), reverse)
    }

    fn range(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>, reverse: bool) -> KvIter<'static> {
        use fjall::Readable;
        if let Some(keys) = self.keys.keys_in(ks, lo, hi, reverse) {
            return self.read_keys(ks, keys);
        }
        let range = (storable_bound(bound_ref(lo), true), storable_bound(bound_ref(hi), false));
        let iter = self.snap.range::<&[u8], _>(&self.keyspaces[ks as usize], range);
        let entries = iter.map(|guard| guard.into_inner().map_err(Into::into));
        if reverse {
            Box::new(entries.rev())
        } else {
            Box::new(entries)
        }
    }

    /// The entries under `keys` (stored keys, in the read's order), each read
    /// with a point `get`, which goes straight to the newest version where
    /// a range read walks every version held in the memtable.
    fn read_keys(&self, ks: Ks, keys: KeyCursor) -> KvIter<'static> {
        let (snap, handle) = (self.snap.clone(), self.keyspaces[ks as usize].clone());
        Box::new(keys.map(move |key| -> Result<(Bytes, Bytes)> {
            use fjall::Readable;
            match snap.get(&handle, &key)? {
                Some(value) => Ok((Bytes::from(key), value)),
                None => Err(not_stored()),
            }
        }))
    }

    /// Range scan of the stored entries, in key order: for `rows` and
    /// `index`, pages as they are stored (backups copy them so).
    pub fn scan_raw(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> KvIter<'static> {
        self.range(ks, lo, hi, false)
    }
}
