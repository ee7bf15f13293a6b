//! A write transaction: the writer lock, a private overlay of uncommitted
//! writes, per-statement undo, and the atomic commit.
//!
//! The transaction holds the database's single writer lock from begin to end,
//! so the SCN it will commit as is known at begin (the last SCN + 1) and row
//! images can be stamped with it as they are written. Nothing reaches the
//! store before commit: a rollback is dropping the overlay.
//!
//! Savepoints (`SAVEPOINT`, `ROLLBACK TO`, `RELEASE`) live in [`savepoints`].

use super::commit_log::CommitRecord;
use super::engine::{bounds_empty, Engine, ReadView};
use super::keys;
use super::kv::{BatchEntry, Bytes, Ks, KvIter};
use super::merge::{merge, Overlay};
use super::row_writes::RowWrites;
use super::Reader;
use crate::catalog::Catalog;
use crate::error::Result;
use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Arc;

mod savepoints;
pub(crate) mod version_buffer;

pub(crate) use version_buffer::VersionBuffer;

type UndoEntry = (Ks, Vec<u8>, Option<Option<Bytes>>);

/// Rowid high-water marks by table id. Read and raised for every row
/// inserted: hashed with foldhash, not SipHash (three SipHash lookups were
/// a twentieth of a prepared one-row INSERT).
type Sequences = HashMap<u32, i64, foldhash::fast::RandomState>;

/// What one statement changed, so a failing statement can be undone alone.
/// The catalog and counters are copied only if the statement changes them,
/// so a plain INSERT pays nothing for its undo information but the keys it wrote.
struct StatementUndo {
    entries: Vec<UndoEntry>,
    catalog: Option<Catalog>,
    catalog_dirty: bool,
    dropped: usize,
    /// Each rowid counter the statement raised, as it was before (`None`:
    /// the transaction had not raised it yet).
    sequences: Vec<(u32, Option<i64>)>,
    changes: usize,
    /// How many versions were kept when the statement began.
    versions: usize,
    /// Length of the savepoint undo log when the statement began.
    savepoint_log: usize,
}

/// An open write transaction. Dropping it without [`WriteTx::commit`] rolls back.
pub struct WriteTx {
    engine: Arc<Engine>,
    base: ReadView,
    txid: u64,
    /// The SCN this transaction's commit will get (its row versions carry it).
    scn: u64,
    catalog: Catalog,
    catalog_dirty: bool,
    dropped_tables: Vec<u32>,
    dropped_views: Vec<String>,
    /// Uncommitted writes of every keyspace but `rows` (its slot is unused).
    overlays: [Overlay; 6],
    /// Uncommitted writes of `rows`, by page (see [`super::row_writes`]).
    rows: RowWrites,
    /// Superseded row versions to store at commit (`row key ‖ !scn`, the
    /// version), in the order rows were replaced. An append, not an overlay
    /// write: nothing reads them before commit (reads of the past read
    /// committed state), and a row is superseded at most once per
    /// transaction (its image then carries this transaction's SCN).
    versions: VersionBuffer,
    /// Rowid high-water marks this transaction raised.
    sequences: Sequences,
    undo: Option<StatementUndo>,
    /// The last statement's emptied undo lists, for the next statement to
    /// fill without allocating them again.
    spare_undo: (Vec<UndoEntry>, Vec<(u32, Option<i64>)>),
    /// Change-log records of tables with consumers: (table id, encoded
    /// change). Written at commit as one entry per table.
    change_log: Vec<(u32, Vec<u8>)>,
    /// The old image of a row an UPDATE just removed, until its new image is
    /// written: together they are logged as one change.
    pending_update: Option<(Vec<u8>, Vec<u8>)>,
    /// Open savepoints, outermost first.
    savepoints: Vec<savepoints::Mark>,
    /// Every overlay write since the outermost open savepoint, with the
    /// value it replaced (kept only while a savepoint is open).
    savepoint_log: Vec<UndoEntry>,
    /// The buffer row images are encoded into before they are copied into
    /// their page (see [`WriteTx::put_image`]): one allocation a
    /// transaction instead of one a row.
    image_buf: Vec<u8>,
}

impl WriteTx {
    pub(crate) fn new(engine: Arc<Engine>, base: ReadView, txid: u64, scn: u64) -> WriteTx {
        let catalog = (*base.catalog).clone();
        WriteTx {
            engine,
            base,
            txid,
            scn,
            catalog,
            catalog_dirty: false,
            dropped_tables: Vec::new(),
            dropped_views: Vec::new(),
            overlays: Default::default(),
            rows: RowWrites::default(),
            image_buf: Vec::new(),
            versions: VersionBuffer::default(),
            sequences: HashMap::default(),
            undo: None,
            spare_undo: (Vec::new(), Vec::new()),
            change_log: Vec::new(),
            pending_update: None,
            savepoints: Vec::new(),
            savepoint_log: Vec::new(),
        }
    }

    /// The engine this transaction writes to.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// This transaction's id.
    pub fn txid(&self) -> u64 {
        self.txid
    }

    /// The schema as this transaction sees it (including its own DDL).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The schema, for a DDL statement to change.
    pub fn catalog_mut(&mut self) -> &mut Catalog {
        if let Some(undo) = &mut self.undo {
            if undo.catalog.is_none() {
                undo.catalog = Some(self.catalog.clone());
            }
        }
        self.catalog_dirty = true;
        &mut self.catalog
    }

    /// Records that a view was dropped (its catalog record goes at commit).
    pub fn note_dropped_view(&mut self, name: &str) {
        self.dropped_views.push(name.to_string());
    }

    /// Records that a table was dropped (its catalog record and counter go at commit).
    pub fn note_dropped_table(&mut self, id: u32) {
        self.dropped_tables.push(id);
    }

    /// Writes one overlay entry (`None` deletes); the overlay's own return
    /// value is the undo information, so recording it costs no extra lookup.
    ///
    /// # Errors
    /// `Mismatch` when the writes to one row page would pass 4 GiB.
    fn write(&mut self, ks: Ks, key: Vec<u8>, value: Option<&[u8]>) -> Result<()> {
        let keep_undo = self.undo.is_some() || !self.savepoints.is_empty();
        if !keep_undo {
            if ks == Ks::Rows {
                self.rows.set(key, Some(value), false)?;
            } else {
                self.overlays[ks as usize].insert(key, value.map(Bytes::from));
            }
            return Ok(());
        }
        let prev = if ks == Ks::Rows {
            self.rows.set(key.as_slice(), Some(value), true)?
        } else {
            self.overlays[ks as usize].insert(key.clone(), value.map(Bytes::from))
        };
        if !self.savepoints.is_empty() {
            self.savepoint_log.push((ks, key.clone(), prev.clone()));
        }
        if let Some(undo) = &mut self.undo {
            undo.entries.push((ks, key, prev));
        }
        Ok(())
    }

    /// Writes `value` under `key` (visible to this transaction at once).
    ///
    /// # Errors
    /// `Mismatch` when the writes to one row page would pass 4 GiB.
    pub fn put(&mut self, ks: Ks, key: Vec<u8>, value: Vec<u8>) -> Result<()> {
        self.write(ks, key, Some(&value))
    }

    /// An empty buffer to encode a row image into for [`WriteTx::put_image`]
    /// (it keeps the capacity of the images before it).
    pub fn image_buffer(&mut self) -> Vec<u8> {
        let mut buf = std::mem::take(&mut self.image_buf);
        buf.clear();
        buf
    }

    /// Writes row `image` under `key` in `rows`, as [`WriteTx::put`] does,
    /// and keeps the buffer for the next [`WriteTx::image_buffer`]: the
    /// image is copied into its page's writes either way.
    ///
    /// # Errors
    /// As [`WriteTx::put`].
    pub fn put_image(&mut self, key: Vec<u8>, image: Vec<u8>) -> Result<()> {
        let done = self.write(Ks::Rows, key, Some(&image));
        self.image_buf = image;
        done
    }

    /// Deletes `key`.
    ///
    /// # Errors
    /// As [`WriteTx::put`].
    pub fn delete(&mut self, ks: Ks, key: Vec<u8>) -> Result<()> {
        self.write(ks, key, None)
    }

    /// Keeps a superseded version of the row under `row_key`, which ended at
    /// this transaction's SCN; `value` appends the version's value to the
    /// buffer it is given (see [`super::versions::supersede`]).
    pub fn keep_version(&mut self, row_key: &[u8], value: impl FnOnce(&mut Vec<u8>)) {
        self.versions.push(row_key, self.scn, value);
    }

    /// Appends an encoded change of table `table_id` (see [`super::changes`]).
    pub fn log_change(&mut self, table_id: u32, record: Vec<u8>) {
        self.change_log.push((table_id, record));
    }

    /// Holds the old image of a row being updated (see [`WriteTx::take_update`]).
    pub fn stash_update(&mut self, key: Vec<u8>, old_image: Vec<u8>) {
        self.pending_update = Some((key, old_image));
    }

    /// The stashed old image, if it belongs to `key`.
    pub fn take_update(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        match self.pending_update.take() {
            Some((k, old)) if k == key => Some(old),
            other => {
                self.pending_update = other;
                None
            }
        }
    }

    /// Marks the start of a statement: its changes can be undone alone.
    pub fn begin_statement(&mut self) {
        self.pending_update = None;
        let (entries, sequences) = std::mem::take(&mut self.spare_undo);
        self.undo = Some(StatementUndo {
            entries,
            catalog: None,
            catalog_dirty: self.catalog_dirty,
            dropped: self.dropped_tables.len(),
            changes: self.change_log.len(),
            versions: self.versions.len(),
            sequences,
            savepoint_log: self.savepoint_log.len(),
        });
    }

    /// Marks the start of the only statement of an autocommit transaction:
    /// a failure drops the whole transaction, so no undo information is
    /// kept (an UPDATE of many rows saves a key copy per row and version).
    pub fn begin_sole_statement(&mut self) {
        self.pending_update = None;
        self.undo = None;
    }

    /// Ends a statement; `ok = false` undoes everything it did.
    pub fn end_statement(&mut self, ok: bool) {
        let Some(mut undo) = self.undo.take() else { return };
        if ok {
            undo.entries.clear();
            undo.sequences.clear();
            self.spare_undo = (undo.entries, undo.sequences);
            return;
        }
        self.undo_writes(undo.entries);
        // The statement's writes are gone: so is their savepoint undo information.
        self.savepoint_log.truncate(undo.savepoint_log);
        if let Some(catalog) = undo.catalog {
            self.catalog = catalog;
        }
        self.catalog_dirty = undo.catalog_dirty;
        self.dropped_tables.truncate(undo.dropped);
        self.change_log.truncate(undo.changes);
        self.versions.truncate(undo.versions);
        for (id, before) in undo.sequences.into_iter().rev() {
            match before {
                Some(v) => self.sequences.insert(id, v),
                None => self.sequences.remove(&id),
            };
        }
    }

    /// Puts back, newest first, the overlay values `entries` replaced.
    fn undo_writes(&mut self, entries: Vec<UndoEntry>) {
        for (ks, key, prev) in entries.into_iter().rev() {
            if ks == Ks::Rows {
                // Putting an image back appends it to its page's buffer; this
                // fails only past 4 GiB of writes to one page (64 rows), and
                // then the slot keeps its newer write. Undo has no error
                // path yet: known gap, noted on issue #17.
                let _ = self.rows.set(key, prev.as_ref().map(|v| v.as_deref()), false);
                continue;
            }
            let overlay = &mut self.overlays[ks as usize];
            match prev {
                Some(p) => {
                    overlay.insert(key, p);
                }
                None => {
                    overlay.remove(&key);
                }
            }
        }
    }

    /// The rowid high-water mark of a table (0 when it never had rows).
    pub fn rowid_high_water(&self, table_id: u32) -> i64 {
        if let Some(v) = self.sequences.get(&table_id) {
            return *v;
        }
        super::engine::lock(&self.engine.sequences).get(&table_id).copied().unwrap_or(0)
    }

    /// Raises a table's rowid high-water mark to at least `rowid`.
    pub fn bump_rowid(&mut self, table_id: u32, rowid: i64) {
        let current = self.rowid_high_water(table_id);
        if rowid > current {
            let before = match self.sequences.get_mut(&table_id) {
                Some(seq) => Some(std::mem::replace(seq, rowid)),
                None => self.sequences.insert(table_id, rowid),
            };
            if let Some(undo) = &mut self.undo {
                // The first raise of each counter is what undoing the statement restores.
                if !undo.sequences.iter().any(|(id, _)| *id == table_id) {
                    undo.sequences.push((table_id, before));
                }
            }
        }
    }

    /// Whether the transaction has anything to commit.
    pub fn is_dirty(&self) -> bool {
        self.catalog_dirty
            || self.overlays.iter().any(|o| !o.is_empty())
            || !self.rows.is_empty()
            || !self.sequences.is_empty()
            || !self.change_log.is_empty()
            || !self.versions.is_empty()
    }

    /// The committed page that holds index key `key` (its fence and value);
    /// when no page is fenced at or above `key`, with `or_last` the index's
    /// last page (which a commit extends), else `None`. Found with point
    /// reads where the engine's fence map knows the index, else with a seek
    /// (see `index_fences` for why). The writer lock is held since begin, so
    /// the base snapshot is the latest state, which the map describes.
    ///
    /// # Errors
    /// Storage errors.
    fn index_page(&self, key: &[u8], or_last: bool) -> Result<Option<(Bytes, Bytes)>> {
        use super::index_fences::Lookup;
        let Some(end) = keys::index_end_fence(key) else { return Ok(None) };
        let fences = &self.engine.index_fences;
        let found = super::engine::lock(fences).lookup(key);
        let fence = match found {
            Lookup::Page(fence) => Some(fence),
            Lookup::Above(last) if or_last => last,
            Lookup::Above(_) => return Ok(None),
            Lookup::Unknown => {
                let room = super::engine::lock(fences).sought(key);
                if let Some(room) = room {
                    // Read no further than the map has room for: a larger
                    // index is not kept (and its writer keeps seeking).
                    let lo = Bound::Included(key[..4].to_vec());
                    let all = self
                        .base
                        .scan_raw_range(Ks::Index, &lo, &Bound::Included(end.clone()))
                        .take(room + 1)
                        .map(|kv| kv.map(|(fence, _)| fence.to_vec()))
                        .collect::<Result<std::collections::BTreeSet<_>>>()?;
                    super::engine::lock(fences).load(key, all);
                }
                return match self.base.first_raw(Ks::Index, key, &end)? {
                    Some(page) => Ok(Some(page)),
                    None if or_last => self.base.last_raw(Ks::Index, &key[..4], &end),
                    None => Ok(None),
                };
            }
        };
        let Some(fence) = fence else { return Ok(None) };
        match self.base.get_raw(Ks::Index, &fence)? {
            Some(page) => Ok(Some((Bytes::from(fence), page))),
            None => {
                // The map named a page that is not there: never expected;
                // forget the index and seek.
                super::engine::lock(fences).forget(key);
                self.index_page(key, or_last)
            }
        }
    }

    /// Commits atomically: rows, indexes, catalog changes, counters and the
    /// commit record go to the store in one batch. Returns the commit record,
    /// or `None` when the transaction wrote nothing (no SCN is consumed).
    ///
    /// # Errors
    /// I/O errors; the transaction is then rolled back and nothing is visible.
    pub fn commit(mut self) -> Result<Option<CommitRecord>> {
        if !self.is_dirty() {
            return Ok(None);
        }
        let record = super::engine::lock(&self.engine.commit_log).prepare(self.txid);
        let mut entries: Vec<BatchEntry> = Vec::new();
        for ks in Ks::ALL {
            if ks == Ks::Rows {
                // The writer lock is held since begin, so the base snapshot
                // holds the latest committed version of every page.
                let rows = std::mem::take(&mut self.rows);
                rows.commit(|page| self.base.get_raw(Ks::Rows, page), &mut entries)?;
                continue;
            }
            let writes = std::mem::take(&mut self.overlays[ks as usize]);
            if ks == Ks::Index {
                // Into the pages they fall in, each read once from the
                // latest committed state (the writer lock is held).
                super::index_pages::commit(writes, |from| self.index_page(from, true), &mut entries)?;
                continue;
            }
            if ks == Ks::Versions {
                // Versions of paged rows are grouped into one record per
                // page; a table dropped by this transaction keeps none.
                let mut kept = std::mem::take(&mut self.versions);
                let gone: Vec<Vec<u8>> = self
                    .dropped_tables
                    .iter()
                    .filter(|id| !self.catalog.tables.values().any(|t| t.id == **id))
                    .map(|id| super::keys::object_prefix(*id))
                    .collect();
                if !gone.is_empty() {
                    kept.forget_prefixed(&gone);
                }
                super::versions::commit_writes(writes, kept, &mut entries)?;
                continue;
            }
            for (k, v) in writes {
                entries.push((ks, k, v));
            }
        }
        entries.extend(super::changes::commit_entries(std::mem::take(&mut self.change_log), record.scn));
        for (id, seq) in &self.sequences {
            entries.push((Ks::Meta, keys::meta_seq_key(*id), Some(Bytes::from(&seq.to_be_bytes()[..]))));
        }
        let new_catalog = if self.catalog_dirty {
            for id in &self.dropped_tables {
                if self.catalog.tables.values().any(|t| t.id == *id) {
                    continue;
                }
                entries.push((Ks::Meta, keys::meta_table_key(*id), None));
                if !self.sequences.contains_key(id) {
                    entries.push((Ks::Meta, keys::meta_seq_key(*id), None));
                }
            }
            // A drop undone by a failed statement leaves the object in the
            // catalog: delete only what is really gone (a batch must not
            // both delete and write one key).
            for name in &self.dropped_views {
                if !self.catalog.views.contains_key(&crate::catalog::normalize(name)) {
                    entries.push((Ks::Meta, keys::meta_view_key(name), None));
                }
            }
            for view in self.catalog.views.values() {
                let json = serde_json::to_vec(&**view)
                    .map_err(|e| crate::error::Error::Corrupt(format!("cannot serialize view {}: {e}", view.name)))?;
                entries.push((Ks::Meta, keys::meta_view_key(&view.name), Some(Bytes::from(json))));
            }
            // Feeds: the committed catalog's that are gone, then every one.
            for name in self.base.catalog.feeds.keys() {
                if !self.catalog.feeds.contains_key(name) {
                    entries.push((Ks::Meta, keys::meta_feed_key(name), None));
                }
            }
            for feed in self.catalog.feeds.values() {
                let json = serde_json::to_vec(&**feed).map_err(|e| {
                    crate::error::Error::Corrupt(format!("cannot serialize change feed {}: {e}", feed.name))
                })?;
                entries.push((Ks::Meta, keys::meta_feed_key(&feed.name), Some(Bytes::from(json))));
            }
            for table in self.catalog.tables.values() {
                let json = serde_json::to_vec(&**table)
                    .map_err(|e| crate::error::Error::Corrupt(format!("cannot serialize table {}: {e}", table.name)))?;
                entries.push((Ks::Meta, keys::meta_table_key(table.id), Some(Bytes::from(json))));
            }
            entries.push((
                Ks::Meta,
                keys::META_NEXT_OBJECT_ID.to_vec(),
                Some(Bytes::from(&self.catalog.next_object_id.to_be_bytes()[..])),
            ));
            Some(std::mem::take(&mut self.catalog))
        } else {
            None
        };
        let sequences = std::mem::take(&mut self.sequences).into_iter().collect();
        self.engine.publish_commit(entries, new_catalog, sequences, record)?;
        Ok(Some(record))
    }
}

impl Reader for WriteTx {
    fn committed(&self) -> &dyn Reader {
        &self.base
    }

    fn holds_writer(&self) -> bool {
        true
    }

    fn get(&self, ks: Ks, key: &[u8]) -> Result<Option<Bytes>> {
        let written = if ks == Ks::Rows { self.rows.get(key) } else { self.overlays[ks as usize].get(key).cloned() };
        match written {
            Some(v) => Ok(v),
            None if ks == Ks::Index => match self.index_page(key, false)? {
                Some((_, page)) => super::index_pages::get(page, key),
                None => Ok(None),
            },
            None => self.base.get(ks, key),
        }
    }

    fn scan(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> KvIter<'_> {
        if bounds_empty(&lo, &hi) {
            return Box::new(std::iter::empty());
        }
        if !self.has_writes(ks) {
            return self.base.scan(ks, lo, hi);
        }
        let base = self.base.scan(ks, lo.clone(), hi.clone());
        if ks == Ks::Rows {
            return merge(base, self.rows.range(&lo, &hi));
        }
        let overlay = self.overlays[ks as usize].range((lo, hi)).map(|(k, v)| (k.clone(), v.clone()));
        merge(base, overlay)
    }

    fn scan_rev(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> KvIter<'_> {
        // With writes of its own pending, the merge runs forward and is reversed.
        if !self.has_writes(ks) {
            return self.base.scan_rev(ks, lo, hi);
        }
        super::reversed(self.scan(ks, lo, hi))
    }

    fn scan_batches(&self, ks: Ks, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> super::BatchIter<'_> {
        // Pages only where no write of its own has to be merged in.
        if !self.has_writes(ks) {
            return self.base.scan_batches(ks, lo, hi);
        }
        super::batch::batched(self.scan(ks, lo, hi))
    }

    fn scn(&self) -> u64 {
        self.scn
    }

    fn snapshot_scn(&self) -> u64 {
        self.base.scn()
    }

    fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    fn catalog(&self) -> &Catalog {
        &self.catalog
    }
}

impl WriteTx {
    /// Whether this transaction wrote anything to `ks`.
    fn has_writes(&self, ks: Ks) -> bool {
        if ks == Ks::Rows {
            !self.rows.is_empty()
        } else {
            !self.overlays[ks as usize].is_empty()
        }
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        self.engine.release_writer();
    }
}
