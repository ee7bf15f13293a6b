//! One open database: the store, the published committed state, the writer
//! lock, and the process-wide registry that lets several connections on one
//! path share one engine.
//!
//! Publication protocol: a commit writes its batch and swaps in the new
//! catalog and SCN while holding `published` for writing; a reader takes its
//! snapshot and catalog while holding it for reading. So a reader always
//! gets a snapshot and a catalog from the same commit, and never waits longer
//! than one batch write.

use super::commit_log::{CommitLog, CommitRecord, Reservation};
use super::keys::{self, FORMAT_VERSION, META_FORMAT_VERSION};
use super::kv::{BatchEntry, Bytes, Durability, FjallSnapshot, FjallStore, Ks, KvIter};
use super::table_keys::{KeyDirectory, TableKeys};
use super::write_tx::WriteTx;
use super::Reader;
use crate::catalog::{normalize, Catalog, TableDef};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::temporal::leases::{Lease, LeaseTable};
use crate::temporal::{too_old, Point};
use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, RwLock, Weak};
use std::time::{Duration, Instant};

/// Locks a mutex, recovering the data if a panicking thread poisoned it
/// (every critical section here leaves the data consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Published {
    catalog: Arc<Catalog>,
    scn: u64,
    /// The stored keys of the small, often-written tables and indexes at this state.
    keys: Arc<KeyDirectory>,
}

/// A consistent committed state: a snapshot, the catalog that matches it, its SCN.
pub struct ReadView {
    engine: Arc<Engine>,
    snap: FjallSnapshot,
    /// The schema as of this snapshot.
    pub catalog: Arc<Catalog>,
    scn: u64,
}

impl Reader for ReadView {
    fn committed(&self) -> &dyn Reader {
        self
    }

    fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Bytes>> {
        self.snap.get(ks, key)
    }

    fn scan(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> KvIter<'_> {
        if bounds_empty(&lo, &hi) {
            return Box::new(std::iter::empty());
        }
        self.snap.scan(ks, &lo, &hi)
    }

    fn scan_rev(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> KvIter<'_> {
        if bounds_empty(&lo, &hi) {
            return Box::new(std::iter::empty());
        }
        self.snap.scan_rev(ks, &lo, &hi)
    }

    fn scan_batches(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> super::BatchIter<'_> {
        if bounds_empty(&lo, &hi) {
            return Box::new(std::iter::empty());
        }
        self.snap.scan_batches(ks, &lo, &hi)
    }

    fn scn(&self) -> u64 {
        self.scn
    }

    fn snapshot_scn(&self) -> u64 {
        self.scn
    }

    fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    fn catalog(&self) -> &Catalog {
        &self.catalog
    }
}

impl ReadView {
    /// A stored entry as it is on disk (for `rows`, a page by its page key).
    ///
    /// # Errors
    /// I/O errors.
    pub(crate) fn get_raw(&self, ks: Ks, key: &[u8]) -> Result<Option<Bytes>> {
        self.snap.get_raw(ks, key)
    }

    /// The first stored entry of `ks` with a key in `from..=to` (for
    /// `index`, the page that would hold `from`).
    ///
    /// # Errors
    /// I/O errors.
    pub(crate) fn first_raw(&self, ks: Ks, from: &[u8], to: &[u8]) -> Result<Option<(Bytes, Bytes)>> {
        self.snap.first_raw(ks, from, to)
    }

    /// The last stored entry of `ks` with a key in `from..=to` (for
    /// `index`, an index's last page).
    ///
    /// # Errors
    /// I/O errors.
    pub(crate) fn last_raw(&self, ks: Ks, from: &[u8], to: &[u8]) -> Result<Option<(Bytes, Bytes)>> {
        self.snap.last_raw(ks, from, to)
    }

    /// The stored entries of `ks` in `lo..hi`, in key order (for `rows`
    /// and `index`, pages as stored).
    pub(crate) fn scan_raw_range(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> KvIter<'_> {
        self.snap.scan_raw(ks, lo, hi)
    }

    /// Every stored entry of `ks` in key order (for `rows`, pages packed).
    pub(crate) fn scan_raw(&self, ks: Ks) -> KvIter<'_> {
        self.snap.scan_raw(ks, &Bound::Unbounded, &Bound::Unbounded)
    }
}

/// Whether a pair of bounds selects nothing (BTreeMap::range panics on these).
pub(crate) fn bounds_empty(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> bool {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b))
        | (Bound::Excluded(a), Bound::Excluded(b)) => a >= b,
        _ => false,
    }
}

/// An open database. Shared by every connection on the same path in this process.
pub struct Engine {
    store: FjallStore,
    published: RwLock<Published>,
    writer_held: Mutex<bool>,
    writer_free: Condvar,
    pub(crate) commit_log: Mutex<CommitLog>,
    pub(crate) sequences: Mutex<HashMap<u32, i64>>,
    pub(crate) leases: Arc<LeaseTable>,
    pub(crate) change_index: Mutex<super::changes::ChangeIndex>,
    /// Index page fences at the latest committed state, for the writer.
    pub(crate) index_fences: Mutex<super::index_fences::IndexFences>,
    /// The writer's record of which tables' and indexes' keys are kept.
    table_keys: Mutex<TableKeys>,
    pub(crate) mv_runtime: Mutex<HashMap<u32, crate::mv::staleness::Runtime>>,
    pub(crate) background: Mutex<Option<super::background::Periodic>>,
    pub(crate) scheduler: Mutex<Option<super::background::Periodic>>,
    config: Config,
    path: Option<PathBuf>,
    /// Last: it drops after every field holding a fjall handle.
    journal_trim: Option<super::journal::JournalTrim>,
}

type Registry = Mutex<HashMap<PathBuf, Weak<Engine>>>;

/// Whether two configurations ask for the same engine: everything but the
/// path, the per-connection busy timeout and the `[sync]` table (which the
/// engine does not read) must agree.
fn same_engine_settings(a: &Config, b: &Config) -> bool {
    let strip = |c: &Config| {
        let mut c = c.clone();
        c.database.path = None;
        c.database.busy_timeout_ms = 0;
        c.sync = None;
        c
    };
    strip(a) == strip(b)
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

impl Engine {
    /// Opens the database at `path` (a directory, created if missing), or
    /// returns the engine already open on it in this process. `":memory:"`
    /// opens a private temporary database, deleted when its last connection closes.
    ///
    /// # Errors
    /// `Busy` when another process has the database open; `Corrupt` when the
    /// directory holds something that is not a HeliosDB database of this format;
    /// `Io` for file-system failures; `Misuse` when `config` is `Some` and the
    /// engine already open on `path` runs with different settings (a second
    /// handle cannot change them, and silently ignoring them would hide that).
    /// `None` takes the open engine's settings, or the defaults.
    pub fn open(path: &str, config: Option<&Config>) -> Result<Arc<Engine>> {
        let explicit = config;
        let defaults = Config::default();
        let config = config.unwrap_or(&defaults);
        if path == ":memory:" || path.is_empty() {
            let dir = tempfile::Builder::new().prefix("heliosdb-mem-").tempdir()?.keep();
            let engine = Arc::new(Engine::open_dir(&dir, config, true, None)?);
            engine.start_background();
            return Ok(engine);
        }
        std::fs::create_dir_all(path)
            .map_err(|e| Error::Io(format!("cannot create database directory {path}: {e}")))?;
        let canonical =
            std::fs::canonicalize(path).map_err(|e| Error::Io(format!("cannot resolve database path {path}: {e}")))?;
        let mut reg = lock(registry());
        if let Some(engine) = reg.get(&canonical).and_then(Weak::upgrade) {
            if let Some(wanted) = explicit {
                if !same_engine_settings(engine.config(), wanted) {
                    return Err(Error::Misuse(format!(
                        "database {path} is already open in this process with a different configuration; \
                         open it with the same settings, or with none to share them"
                    )));
                }
            }
            return Ok(engine);
        }
        let had_engine = reg.remove(&canonical).is_some();
        // A connection of this process that just closed may still be releasing
        // the directory lock; wait briefly for it rather than report a false "locked".
        let deadline = Instant::now() + Duration::from_secs(if had_engine { 2 } else { 0 });
        let engine = loop {
            match Engine::open_dir(&canonical, config, false, Some(canonical.clone())) {
                Err(Error::Busy(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => break Arc::new(other?),
            }
        };
        engine.start_background();
        reg.insert(canonical, Arc::downgrade(&engine));
        Ok(engine)
    }

    fn open_dir(dir: &Path, config: &Config, temporary: bool, path: Option<PathBuf>) -> Result<Engine> {
        let budget = super::kv::MemoryBudget::from_limit_mb(config.database.memory_limit_mb);
        let store = FjallStore::open(dir, budget, temporary)?;
        let mut created = false;
        // (No snapshot is held across an upgrade: fjall keeps every memtable
        // a live snapshot could read, flushed or not.)
        let format = store.snapshot().get(Ks::Meta, META_FORMAT_VERSION)?;
        match format {
            Some(v) if &v[..] == FORMAT_VERSION => {}
            // Written by an earlier release: rewritten in place (resuming an
            // upgrade a killed process left midway).
            Some(v) if super::upgrade::upgrade(&store, &v)? => {}
            Some(v) => {
                return Err(Error::Corrupt(format!(
                    "{} holds database format {:?}, this build reads {:?}",
                    dir.display(),
                    String::from_utf8_lossy(&v),
                    String::from_utf8_lossy(FORMAT_VERSION)
                )))
            }
            None => {
                let any_meta = store.snapshot().scan(Ks::Meta, &Bound::Unbounded, &Bound::Unbounded).next().is_some();
                if any_meta {
                    return Err(Error::Corrupt(format!(
                        "{} is not a HeliosDB database (no format version)",
                        dir.display()
                    )));
                }
                store.write(
                    vec![(Ks::Meta, META_FORMAT_VERSION.to_vec(), Some(Bytes::from(FORMAT_VERSION)))],
                    Durability::Buffer,
                )?;
                created = true;
            }
        }
        let snap = store.snapshot();
        let catalog = load_catalog(&snap)?;
        let sequences = load_sequences(&snap)?;
        let mut records = Vec::new();
        for kv in snap.scan(Ks::Commits, &Bound::Unbounded, &Bound::Unbounded) {
            let (k, v) = kv?;
            records.push(CommitRecord::decode(&k, &v)?);
        }
        let gc_horizon = match snap.get(Ks::Meta, keys::META_GC_HORIZON)? {
            Some(v) => {
                u64::from_be_bytes(v[..].try_into().map_err(|_| Error::Corrupt("GC horizon record is damaged".into()))?)
            }
            None => 0,
        };
        let reserved = match snap.get(Ks::Meta, keys::META_RESERVED)? {
            Some(v) => Reservation::decode(&v)?,
            None => Reservation::default(),
        };
        let commit_log = CommitLog::from_records(records, gc_horizon, reserved);
        let mut change_index = super::changes::ChangeIndex::default();
        for kv in snap.scan(Ks::Changes, &Bound::Unbounded, &Bound::Unbounded) {
            let (k, v) = kv?;
            change_index.apply(&k, &Some(v));
        }
        let scn = commit_log.last_scn();
        Ok(Engine {
            store,
            published: RwLock::new(Published { catalog: Arc::new(catalog), scn, keys: Arc::default() }),
            writer_held: Mutex::new(false),
            writer_free: Condvar::new(),
            commit_log: Mutex::new(commit_log),
            sequences: Mutex::new(sequences),
            leases: Arc::new(LeaseTable::default()),
            change_index: Mutex::new(change_index),
            index_fences: Mutex::new(super::index_fences::IndexFences::default()),
            table_keys: Mutex::new(TableKeys::default()),
            mv_runtime: Mutex::new(HashMap::new()),
            background: Mutex::new(None),
            scheduler: Mutex::new(None),
            config: config.clone(),
            journal_trim: path.as_deref().map(|p| super::journal::JournalTrim::new(p, created)),
            path,
        })
    }

    /// The configuration the engine was opened with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The canonical directory, or `None` for `:memory:`.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The latest committed state.
    pub fn read_view(self: &Arc<Self>) -> ReadView {
        let p = self.published.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let snap = self.store.snapshot().with_directory(Arc::clone(&p.keys));
        ReadView { engine: Arc::clone(self), snap, catalog: Arc::clone(&p.catalog), scn: p.scn }
    }

    /// The latest committed catalog.
    pub fn catalog(&self) -> Arc<Catalog> {
        let p = self.published.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(&p.catalog)
    }

    /// The SCN of the latest commit.
    pub fn current_scn(&self) -> u64 {
        lock(&self.commit_log).last_scn()
    }

    /// Resolves a point in the past to the SCN whose state it names, for a
    /// reader whose snapshot is at `max_scn`, and leases that SCN so GC keeps
    /// its history while the lease lives.
    ///
    /// With `open_start` (the lower bound of a history interval), a point
    /// before the first commit resolves to SCN 0 as long as GC never removed
    /// anything, since the history is then complete.
    ///
    /// # Errors
    /// `SnapshotTooOld` for a point older than the history kept; `Sql` for a
    /// point in the future or a transaction that never committed.
    pub fn resolve(&self, point: Point, max_scn: u64, open_start: bool) -> Result<Lease> {
        let log = lock(&self.commit_log);
        let oldest = log.oldest();
        let before_first = match point {
            Point::Scn(s) => oldest.map_or(true, |(first, _)| s < first),
            Point::Time(t) => oldest.map_or(true, |(_, first)| t < first),
            Point::Transaction(_) => false,
        };
        if open_start && before_first && log.gc_horizon() == 0 {
            return Ok(self.leases.acquire(0));
        }
        let scn = match point {
            Point::Scn(s) => {
                if log.lost(s) {
                    let before = log.records().iter().rev().find(|r| r.scn < s).map_or(0, |r| r.scn);
                    return Err(Error::Sql(format!(
                        "AS OF SCN {s}: that commit was lost in a crash (commits after SCN {before} were not yet \
                         durable: enable_wal = false, or a power cut without sync_on_commit); SCNs are never reused"
                    )));
                }
                if s > max_scn {
                    return Err(Error::Sql(format!(
                        "AS OF SCN {s} is in the future: the latest commit is SCN {max_scn}"
                    )));
                }
                if log.by_scn(s).is_none() {
                    return Err(too_old(&format!("SCN {s}"), oldest));
                }
                s
            }
            Point::Transaction(t) => match log.by_txid(t) {
                Some(r) if r.scn <= max_scn => r.scn,
                _ => {
                    let first_txid = log.records().first().map(|r| r.txid);
                    if log.gc_horizon() > 0 && first_txid.is_some_and(|f| t < f) {
                        return Err(too_old(&format!("transaction {t}"), oldest));
                    }
                    return Err(Error::Sql(format!(
                        "transaction {t} has no commit to read: it was rolled back, wrote nothing, or has not committed"
                    )));
                }
            },
            Point::Time(t) => {
                let now = super::commit_log::now_micros();
                if t > now {
                    return Err(Error::Sql(format!(
                        "AS OF TIMESTAMP {} UTC is in the future",
                        crate::exec::datetime::format_us(t)
                    )));
                }
                match log.at_time(t, max_scn) {
                    Some(r) => r.scn,
                    None => {
                        return Err(too_old(&format!("TIMESTAMP {} UTC", crate::exec::datetime::format_us(t)), oldest))
                    }
                }
            }
        };
        Ok(self.leases.acquire(scn))
    }

    /// The commit time (µs) of commit `scn`, if still kept.
    pub fn commit_time(&self, scn: u64) -> Option<i64> {
        self.commit_record(scn).map(|r| r.time_us)
    }

    /// The commit points that can still be queried, oldest first.
    pub fn snapshots(&self) -> Vec<CommitRecord> {
        lock(&self.commit_log).records().to_vec()
    }

    /// The commit record of `scn`, while the commit log keeps it.
    pub fn commit_record(&self, scn: u64) -> Option<CommitRecord> {
        lock(&self.commit_log).by_scn(scn).copied()
    }

    /// History before this SCN has been removed by GC (0: never).
    pub fn gc_horizon(&self) -> u64 {
        lock(&self.commit_log).gc_horizon()
    }

    /// Starts a write transaction, waiting up to `timeout` for the writer lock.
    ///
    /// # Errors
    /// `Busy` when another connection keeps the lock past the timeout.
    pub fn begin_write(self: &Arc<Self>, timeout: Duration) -> Result<WriteTx> {
        let deadline = Instant::now() + timeout;
        let mut held = lock(&self.writer_held);
        while *held {
            // An interrupt also ends the wait (checked every slice).
            crate::interrupt::check()?;
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Busy(
                    "database is locked: another connection is writing (busy timeout expired)".into(),
                ));
            }
            let slice = (deadline - now).min(Duration::from_millis(20));
            held = self.writer_free.wait_timeout(held, slice).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
        *held = true;
        drop(held);
        let view = self.read_view();
        let (txid, scn) = {
            let mut log = lock(&self.commit_log);
            (log.begin_txid(), log.next_scn())
        };
        Ok(WriteTx::new(Arc::clone(self), view, txid, scn))
    }

    /// Releases the writer lock (called when a [`WriteTx`] ends).
    pub(crate) fn release_writer(&self) {
        *lock(&self.writer_held) = false;
        self.writer_free.notify_one();
    }

    pub(crate) fn durability(&self) -> Durability {
        if self.config.database.sync_on_commit {
            Durability::Sync
        } else if self.config.database.enable_wal {
            Durability::Buffer
        } else {
            Durability::None
        }
    }

    /// Writes a transaction's batch with its commit record and publishes the
    /// result. Called only by the writer-lock holder.
    pub(crate) fn publish_commit(
        &self,
        mut entries: Vec<BatchEntry>,
        new_catalog: Option<Catalog>,
        sequences: HashMap<u32, i64>,
        record: CommitRecord,
    ) -> Result<()> {
        entries.push((Ks::Commits, keys::commit_key(record.scn), Some(Bytes::from(record.encode()))));
        let logged: Vec<(Vec<u8>, Option<Bytes>)> =
            entries.iter().filter(|(ks, _, _)| *ks == Ks::Changes).map(|(_, k, v)| (k.clone(), v.clone())).collect();
        // (fence, whether the page is there after the commit)
        let pages: Vec<(Vec<u8>, bool)> =
            entries.iter().filter(|(ks, _, _)| *ks == Ks::Index).map(|(_, k, v)| (k.clone(), v.is_some())).collect();
        let mut p = self.published.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let reservation = lock(&self.commit_log).reservation_for(&record);
        if let Some(r) = reservation {
            // Durable before any number it covers can be seen (once per block).
            self.store.write(
                vec![(Ks::Meta, keys::META_RESERVED.to_vec(), Some(Bytes::from(r.encode())))],
                Durability::Sync,
            )?;
            lock(&self.commit_log).set_reserved(r);
        }
        let load = {
            let written = entries.iter().filter(|(ks, _, _)| matches!(ks, Ks::Rows | Ks::Index));
            let buffered = self.store.memtable_bytes();
            lock(&self.table_keys).committed(written.map(|(ks, k, v)| (*ks, k.as_slice(), v.is_some())), buffered)
        };
        if let Err(e) = self.store.write(entries, self.durability()) {
            // What was recorded may not be stored: keep no keys (always right).
            *lock(&self.table_keys) = TableKeys::default();
            return Err(e);
        }
        if !load.is_empty() {
            let snap = self.store.snapshot();
            let mut table_keys = lock(&self.table_keys);
            for (ks, id) in load {
                let (lo, hi) = keys::prefix_bounds(&id);
                // (The batch is written: a failed read only leaves the table
                // to range reads, it must not fail the commit.)
                let found: Option<super::table_keys::KeySet> = snap
                    .scan_raw(ks, &lo, &hi)
                    .take(super::table_keys::MAX_OBJECT_KEYS + 1)
                    .map(|kv| kv.map(|(k, _)| Arc::<[u8]>::from(&k[..])).ok())
                    .collect();
                table_keys.load((ks, id), found.filter(|f| f.len() <= super::table_keys::MAX_OBJECT_KEYS));
            }
        }
        p.keys = lock(&self.table_keys).directory();
        if !pages.is_empty() {
            let mut fences = lock(&self.index_fences);
            for (fence, stored) in &pages {
                fences.committed(fence, *stored);
            }
        }
        if !logged.is_empty() {
            let mut index = lock(&self.change_index);
            for (k, v) in &logged {
                index.apply(k, v);
            }
        }
        if let Some(cat) = new_catalog {
            p.catalog = Arc::new(cat);
        }
        p.scn = record.scn;
        lock(&self.commit_log).push(record);
        lock(&self.sequences).extend(sequences);
        Ok(())
    }

    /// Bytes on disk.
    pub fn disk_space(&self) -> u64 {
        self.store.disk_space()
    }

    /// The store, for GC.
    pub(crate) fn store(&self) -> &FjallStore {
        &self.store
    }
}

/// A clean close checkpoints when the journal holds at least this much: a
/// smaller one replays in about a millisecond, while every flush writes a
/// table file and later compaction work.
const CLOSE_CHECKPOINT_BYTES: u64 = 1 << 20;

impl Drop for Engine {
    /// A clean close: stop the background threads, then checkpoint and empty
    /// the journal (see [`super::journal`]), so the next open has nothing to
    /// replay. (Failure only means the next open replays the journal, as
    /// after a crash.)
    fn drop(&mut self) {
        lock(&self.scheduler).take();
        lock(&self.background).take();
        if self.path.is_none() {
            return;
        }
        // Every commit is on disk after this write (it syncs the journal), so
        // the next open continues numbering right after the last one.
        let (used, reserved) = {
            let log = lock(&self.commit_log);
            (log.used(), log.reserved())
        };
        if used != reserved {
            let entry = (Ks::Meta, keys::META_RESERVED.to_vec(), Some(Bytes::from(used.encode())));
            let _ = self.store.write(vec![entry], Durability::Sync);
        }
        let Some(trim) = &self.journal_trim else { return };
        if trim.estimated_bytes(self.store.journaled_bytes()) < CLOSE_CHECKPOINT_BYTES {
            return;
        }
        if self.store.memtable_bytes() > 0 && self.store.flush().is_err() {
            return;
        }
        // fjall's worker registers a flushed table (which ends the flush's
        // wait) a moment before it takes the memtable's bytes off its count
        // and deletes the journal files sealed by automatic checkpoints.
        // Nothing else writes now (this is the last handle), so the count
        // reaches zero and one file is left; wait for both, boundedly.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while (self.store.memtable_bytes() > 0 || self.store.journal_files() > 1)
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        if self.store.memtable_bytes() == 0 {
            trim.arm();
        }
    }
}

fn load_catalog(snap: &FjallSnapshot) -> Result<Catalog> {
    let mut catalog = Catalog { version: crate::catalog::next_version(), ..Catalog::default() };
    let (lo, hi) = keys::prefix_bounds(keys::META_TABLE_PREFIX);
    for kv in snap.scan(Ks::Meta, &lo, &hi) {
        let (_, v) = kv?;
        let table: TableDef =
            serde_json::from_slice(&v).map_err(|e| Error::Corrupt(format!("table definition is damaged: {e}")))?;
        catalog.tables.insert(normalize(&table.name), Arc::new(table));
    }
    let (lo, hi) = keys::prefix_bounds(keys::META_VIEW_PREFIX);
    for kv in snap.scan(Ks::Meta, &lo, &hi) {
        let (_, v) = kv?;
        let view: crate::catalog::ViewDef =
            serde_json::from_slice(&v).map_err(|e| Error::Corrupt(format!("view definition is damaged: {e}")))?;
        catalog.views.insert(normalize(&view.name), Arc::new(view));
    }
    let (lo, hi) = keys::prefix_bounds(keys::META_FEED_PREFIX);
    for kv in snap.scan(Ks::Meta, &lo, &hi) {
        let (_, v) = kv?;
        let feed: crate::catalog::FeedDef = serde_json::from_slice(&v)
            .map_err(|e| Error::Corrupt(format!("change feed definition is damaged: {e}")))?;
        catalog.feeds.insert(normalize(&feed.name), Arc::new(feed));
    }
    if let Some(v) = snap.get(Ks::Meta, keys::META_NEXT_OBJECT_ID)? {
        let arr: [u8; 4] = v[..].try_into().map_err(|_| Error::Corrupt("object id counter is damaged".into()))?;
        catalog.next_object_id = u32::from_be_bytes(arr);
    }
    Ok(catalog)
}

fn load_sequences(snap: &FjallSnapshot) -> Result<HashMap<u32, i64>> {
    let mut out = HashMap::new();
    let (lo, hi) = keys::prefix_bounds(keys::META_SEQ_PREFIX);
    for kv in snap.scan(Ks::Meta, &lo, &hi) {
        let (k, v) = kv?;
        let bad = || Error::Corrupt("rowid counter is damaged".into());
        let id = keys::id_from_meta_key(&k).ok_or_else(bad)?;
        let arr: [u8; 8] = v[..].try_into().map_err(|_| bad())?;
        out.insert(id, i64::from_be_bytes(arr));
    }
    Ok(out)
}
