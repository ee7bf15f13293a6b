//! Savepoints of a write transaction: marks that `ROLLBACK TO` returns the
//! transaction to and `RELEASE` forgets.
//!
//! While a savepoint is open, every overlay write is also appended, with the
//! value it replaced, to the transaction's savepoint log (the same undo
//! entries statement atomicity records, kept for longer). A mark holds the
//! log length and copies of the small pieces of state a statement can change
//! besides the overlay: the private catalog (so DDL is undone too), the rowid
//! counters and the change log's length (so materialized views never read a
//! change that was rolled back).

use super::WriteTx;
use crate::catalog::Catalog;

/// What the transaction looked like when a savepoint was set.
pub(super) struct Mark {
    log_len: usize,
    catalog: Catalog,
    catalog_dirty: bool,
    dropped_tables: usize,
    dropped_views: usize,
    sequences: super::Sequences,
    changes: usize,
    versions: usize,
}

impl WriteTx {
    /// Sets a savepoint; returns its depth (0 = outermost).
    pub fn savepoint(&mut self) -> usize {
        self.pending_update = None;
        self.savepoints.push(Mark {
            log_len: self.savepoint_log.len(),
            catalog: self.catalog.clone(),
            catalog_dirty: self.catalog_dirty,
            dropped_tables: self.dropped_tables.len(),
            dropped_views: self.dropped_views.len(),
            sequences: self.sequences.clone(),
            changes: self.change_log.len(),
            versions: self.versions.len(),
        });
        self.savepoints.len() - 1
    }

    /// How many savepoints are open.
    pub fn savepoint_depth(&self) -> usize {
        self.savepoints.len()
    }

    /// Undoes everything written since savepoint `depth` was set; that
    /// savepoint stays open, the ones set after it are gone. A depth that is
    /// not open does nothing.
    pub fn rollback_to_savepoint(&mut self, depth: usize) {
        let Some(mark) = self.savepoints.get(depth) else { return };
        let log_len = mark.log_len;
        self.catalog = mark.catalog.clone();
        self.catalog_dirty = mark.catalog_dirty;
        self.dropped_tables.truncate(mark.dropped_tables);
        self.dropped_views.truncate(mark.dropped_views);
        self.sequences = mark.sequences.clone();
        self.change_log.truncate(mark.changes);
        self.versions.truncate(mark.versions);
        self.pending_update = None;
        self.savepoints.truncate(depth + 1);
        let undone = self.savepoint_log.split_off(log_len);
        self.undo_writes(undone);
    }

    /// Forgets savepoint `depth` and every savepoint set after it, keeping
    /// their changes.
    pub fn release_savepoint(&mut self, depth: usize) {
        self.savepoints.truncate(depth);
        if self.savepoints.is_empty() {
            self.savepoint_log.clear();
        }
    }
}
