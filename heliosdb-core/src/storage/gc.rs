//! Garbage collection of history.
//!
//! GC asks the retention policy ([`crate::temporal::retention`]) how many of
//! the oldest commit points may go, holds back for the oldest leased point
//! and for materialized views not refreshed since and change feeds not
//! acknowledged since,
//! forgets those points (so no new query can ask for them), then deletes the
//! row versions no remaining point can see (those that stopped being valid
//! at or before the new oldest point) and the commit records before it.

use super::engine::{lock, Engine};
use super::keys;
use super::kv::{BatchEntry, Bytes, Ks};
use crate::error::Result;
use std::ops::Bound;
use std::sync::Arc;
use std::time::Duration;

/// What one GC run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Row versions deleted.
    pub versions_removed: u64,
    /// Commit points forgotten.
    pub commits_removed: u64,
}

const DELETE_BATCH: usize = 10_000;

impl Engine {
    /// Removes history the retention policy no longer keeps, except what a
    /// leased point (a running query, an open read-only transaction) needs.
    ///
    /// # Errors
    /// Storage errors; history already forgotten stays unqueryable and its
    /// leftovers are removed by the next run.
    pub fn gc(&self) -> Result<GcReport> {
        // Views and change feeds date their pending changes by the commits
        // after their SCN and read the tables as of it (see
        // `consumer_floor`): keep it and everything after.
        let floor = self.consumer_floor();
        let (horizon, commits_removed) = {
            let mut log = lock(&self.commit_log);
            let records = log.records();
            let mut n = crate::temporal::retention::removable(
                records,
                &self.config().snapshot,
                super::commit_log::now_micros(),
            );
            for floor in [self.leases.oldest(), floor].into_iter().flatten() {
                n = n.min(records.partition_point(|r| r.scn < floor));
            }
            log.remove_oldest(n);
            (log.gc_horizon(), n as u64)
        };
        if commits_removed == 0 {
            return Ok(GcReport::default());
        }
        let snap = self.store().snapshot();
        let mut doomed: Vec<BatchEntry> = Vec::new();
        let mut versions_removed = 0u64;
        for kv in snap.scan(Ks::Versions, &Bound::Unbounded, &Bound::Unbounded) {
            let (k, v) = kv?;
            // The key says when the versions ended.
            if keys::split_version_key(&k).is_some_and(|(_, to)| to <= horizon) {
                doomed.push((Ks::Versions, k.to_vec(), None));
                versions_removed += super::versions::versions_in(&k, &v);
                if doomed.len() >= DELETE_BATCH {
                    self.store().write(std::mem::take(&mut doomed), self.durability())?;
                }
            }
        }
        let (lo, hi) = (Bound::Unbounded, Bound::Excluded(keys::commit_key(horizon)));
        for kv in snap.scan(Ks::Commits, &lo, &hi) {
            doomed.push((Ks::Commits, kv?.0.to_vec(), None));
        }
        doomed.push((Ks::Meta, keys::META_GC_HORIZON.to_vec(), Some(Bytes::from(&horizon.to_be_bytes()[..]))));
        self.store().write(doomed, self.durability())?;
        if versions_removed > 0 {
            self.store().compact(Ks::Versions)?;
        }
        Ok(GcReport { versions_removed, commits_removed })
    }

    /// Bytes the row-version history occupies on disk.
    pub fn history_disk_space(&self) -> u64 {
        self.store().keyspace_disk_space(Ks::Versions)
    }

    /// Starts the background threads: auto GC if the configuration asks for
    /// it, and the materialized-view scheduler.
    pub(crate) fn start_background(self: &Arc<Self>) {
        *lock(&self.scheduler) = crate::mv::scheduler::start(self);
        let snapshot = &self.config().snapshot;
        if snapshot.auto_gc_enabled {
            let interval = Duration::from_secs(snapshot.gc_interval_sec);
            // A failed run leaves everything queryable or gone-and-retried; nothing to report to.
            *lock(&self.background) = super::background::every(self, "heliosdb-gc", interval, |engine| {
                let _ = engine.gc();
            });
        }
    }
}
