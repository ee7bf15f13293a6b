//! Online backup (`VACUUM INTO`, `heliosdb_backup`) and checkpoint.
//!
//! A backup copies one committed snapshot, keyspace by keyspace, into a new
//! store built next to the destination (`<dest>.partial`) by ingesting the
//! snapshot's sorted entries straight into table files, then renames it into
//! place. Readers and writers keep working meanwhile: the copy reads a fjall
//! snapshot and never takes the writer lock. The catalog (`meta`) keyspace
//! goes in last, so a partial copy left by a crash has no format version and
//! no schema, and the destination name only ever names a finished copy.
//!
//! A compact copy leaves out the history no point at or after the backup's
//! SCN needs — what GC would remove with a zero retention at that SCN — but
//! keeps what materialized views not refreshed since still need.

use super::engine::Engine;
use super::keys;
use super::kv::{Bytes, FjallStore, Ks, MemoryBudget};
use super::Reader;
use crate::error::{Error, Result};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What [`Engine::backup`] keeps of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupHistory {
    /// Everything: the copy answers `AS OF` any point the source does.
    Keep,
    /// Only the state at the backup's SCN (and what materialized views need).
    Drop,
}

impl Engine {
    /// Writes a consistent copy of the latest committed state to the new
    /// directory `dest` and returns the SCN it holds. The copy opens as a
    /// normal database with its tables, indexes, views, materialized views
    /// and (with [`BackupHistory::Keep`]) time-travel history.
    ///
    /// # Errors
    /// `Sql` when `dest` exists and is not an empty directory, or is the
    /// database itself; `Io` for file-system failures (no `dest` is left
    /// behind then, and the source is untouched).
    pub fn backup(self: &Arc<Self>, dest: &Path, history: BackupHistory) -> Result<u64> {
        let dest = absolute(dest)?;
        if let Some(own) = self.path() {
            if dest.starts_with(own) || own.starts_with(&dest) {
                return Err(Error::Sql(format!(
                    "cannot back up into {}: it overlaps the database's own directory",
                    dest.display()
                )));
            }
        }
        match std::fs::read_dir(&dest).map(|mut entries| entries.next().is_none()) {
            Ok(true) => {}
            Ok(false) => return Err(Error::Sql(format!("backup destination {} already exists", dest.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Io(format!("cannot use backup destination {}: {e}", dest.display()))),
        }
        let partial = partial_path(&dest);
        if partial.exists() {
            // Left by a crash during an earlier backup to the same place.
            std::fs::remove_dir_all(&partial)
                .map_err(|e| Error::Io(format!("cannot remove the stale {}: {e}", partial.display())))?;
        }
        if let Some(parent) = partial.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::Io(format!("cannot create {}: {e}", parent.display())))?;
        }
        let view = self.read_view();
        let scn = view.scn();
        let copied = copy_snapshot(&view, &partial, history, self.consumer_floor());
        if let Err(e) = copied {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
        let finish = || -> std::io::Result<()> {
            if dest.exists() {
                std::fs::remove_dir(&dest)?; // empty, checked above
            }
            std::fs::rename(&partial, &dest)?;
            if let Some(parent) = dest.parent() {
                std::fs::File::open(parent)?.sync_all()?;
            }
            Ok(())
        };
        finish().map_err(|e| {
            let _ = std::fs::remove_dir_all(&partial);
            Error::Io(format!("cannot move the backup into {}: {e}", dest.display()))
        })?;
        Ok(scn)
    }

    /// Moves everything held in memory (memtables) into table files, so the
    /// next open reads no journal back. Also run on a clean close, and by
    /// fjall on its own whenever the memtables outgrow the write buffer that
    /// `memory_limit_mb` sets.
    ///
    /// # Errors
    /// I/O errors.
    pub fn checkpoint(&self) -> Result<()> {
        self.store().flush()
    }

    /// Starts a checkpoint and returns while the background worker writes
    /// it; waits only for the one started before, if still being written.
    ///
    /// # Errors
    /// I/O errors; a failed background worker.
    pub fn checkpoint_behind(&self) -> Result<()> {
        self.store().flush_behind()
    }

    /// `VACUUM`: a checkpoint, then a full compaction of every keyspace, so
    /// space held by deleted rows and removed history goes back to the
    /// file system.
    ///
    /// # Errors
    /// I/O errors.
    pub fn vacuum(&self) -> Result<()> {
        for ks in Ks::ALL {
            self.store().compact(ks)?;
        }
        Ok(())
    }

    /// The oldest SCN a consumer of the change log still reads history or
    /// changes from: a view's pending changes are dated by the commits after
    /// its SCN, and a join view reads its base tables as of that SCN; a
    /// change feed reports the commit time and transaction of every change
    /// after its acknowledged SCN, and its consumer may read the tables as
    /// of that SCN (the initial copy).
    pub(crate) fn consumer_floor(&self) -> Option<u64> {
        let catalog = self.catalog();
        let views =
            catalog.tables.values().filter_map(|t| t.mv.as_ref().map(|d| d.refresh_scn.unwrap_or(t.created_scn)));
        let feeds = catalog.feeds.values().map(|f| f.acked_scn);
        views.chain(feeds).min()
    }
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::Io(format!("cannot resolve backup path {}: {e}", p.display())))
}

/// Where a copy is built before it is renamed to `dest`.
fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    dest.with_file_name(name)
}

fn copy_snapshot(view: &super::ReadView, to: &Path, history: BackupHistory, floor: Option<u64>) -> Result<()> {
    let scn = view.scn();
    // With history dropped, the copy's oldest point is the backup's SCN,
    // or the oldest a materialized view still needs.
    let horizon = match history {
        BackupHistory::Keep => None,
        BackupHistory::Drop => Some(floor.map_or(scn, |f| f.min(scn))),
    };
    let store = FjallStore::open(to, MemoryBudget::from_limit_mb(16), false)?;
    let all = |ks: Ks| view.scan(ks, Bound::Unbounded, Bound::Unbounded);
    // (Raw: rows are copied as stored, in their pages.)
    for ks in [Ks::Rows, Ks::Index, Ks::Changes] {
        store.ingest(ks, view.scan_raw(ks))?;
    }
    // The source's SCN reservation stays behind: the copy numbers its
    // commits on from the backup's SCN.
    let meta_kept = |k: &[u8]| k != keys::META_RESERVED && (horizon.is_none() || k != keys::META_GC_HORIZON);
    let meta = all(Ks::Meta).filter(|kv| kv.as_ref().map_or(true, |(k, _)| meta_kept(k)));
    let Some(h) = horizon else {
        for ks in [Ks::Versions, Ks::Commits] {
            store.ingest(ks, all(ks))?;
        }
        store.ingest(Ks::Meta, meta)?;
        return store.sync();
    };
    let ended_after_horizon = |k: &[u8]| keys::split_version_key(k).is_none_or(|(_, to)| to > h);
    store.ingest(
        Ks::Versions,
        all(Ks::Versions).filter(|kv| kv.as_ref().map_or(true, |(k, _)| ended_after_horizon(k))),
    )?;
    let first_kept = keys::commit_key(h);
    store.ingest(
        Ks::Commits,
        all(Ks::Commits).filter(|kv| kv.as_ref().map_or(true, |(k, _)| k[..] >= first_kept[..])),
    )?;
    // The copy's GC horizon record, in its sorted place among the meta keys.
    let mut meta: Vec<Result<(Bytes, Bytes)>> = meta.collect();
    let entry = (Bytes::from(keys::META_GC_HORIZON), Bytes::from(&h.to_be_bytes()[..]));
    let at = meta.partition_point(|kv| matches!(kv, Ok((k, _)) if k[..] < entry.0[..]));
    meta.insert(at, Ok(entry));
    store.ingest(Ks::Meta, meta.into_iter())?;
    store.sync()
}
