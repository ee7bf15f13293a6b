//! Upgrading a directory written by an earlier release, in place, when it
//! is opened. Each step rewrites in atomic batches that a killed process can
//! leave midway (the next open resumes), and stamps its format version last.
//!
//! * `heliosdb-1` → `heliosdb-2` ([`versions_v1`]): superseded versions keyed
//!   by the SCN at which they ended;
//! * `heliosdb-2` → `heliosdb-3` ([`rows_v2`]): rows keyed by one integer
//!   packed into pages (see `storage::pages`);
//! * `heliosdb-3` → `heliosdb-4` ([`versions_v3`]): the versions of those
//!   rows grouped into one record per page and commit (see `storage::versions`);
//! * `heliosdb-4` → `heliosdb-5` ([`index_v4`]): index entries packed into
//!   pages (see `storage::index_pages`).

mod index_v4;
mod rows_v2;
mod versions_v1;
mod versions_v3;

use super::keys;
use super::kv::{BatchEntry, Bytes, Durability, FjallStore, Ks};
use crate::error::Result;

/// Bytes written between two flushes of the memtables. A rewrite is a burst
/// of small entries (a put and a tombstone per record), which a 64 MiB
/// memtable holds at three times its nominal size; flushing every few MiB
/// keeps an upgrade within a small device's memory.
const FLUSH_EVERY: usize = 4 << 20;

/// The batches one upgrade step writes: each atomic and unsynced, the
/// memtables flushed every [`FLUSH_EVERY`] bytes, and the format stamp last.
#[derive(Default)]
struct Rewrite {
    unflushed: usize,
    rewritten: bool,
}

impl Rewrite {
    /// Writes one batch of the rewrite.
    ///
    /// # Errors
    /// Storage errors.
    fn write(&mut self, store: &FjallStore, batch: Vec<BatchEntry>) -> Result<()> {
        self.unflushed += batch.iter().map(|(_, k, v)| k.len() + v.as_ref().map_or(0, |v| v.len())).sum::<usize>();
        store.write(batch, Durability::Buffer)?;
        self.rewritten = true;
        if self.unflushed >= FLUSH_EVERY {
            store.flush()?;
            self.unflushed = 0;
        }
        Ok(())
    }

    /// Writes `last` (the format stamp, and what else the step clears) with
    /// a sync. When anything was rewritten, the records it replaced are
    /// tombstones in `ks` now: they are compacted away once, so the
    /// directory is back to its size.
    ///
    /// # Errors
    /// Storage errors.
    fn finish(self, store: &FjallStore, mut last: Vec<BatchEntry>, format: &'static [u8], ks: Ks) -> Result<()> {
        last.push((Ks::Meta, keys::META_FORMAT_VERSION.to_vec(), Some(Bytes::from(format))));
        store.write(last, Durability::Sync)?;
        if self.rewritten {
            store.compact(ks)?;
        }
        Ok(())
    }
}

/// Brings a directory stamped `format` up to the current format. `false`
/// when `format` is not one this build can upgrade.
///
/// # Errors
/// Storage errors; `Corrupt` for records not in the layout their format says.
pub fn upgrade(store: &FjallStore, format: &[u8]) -> Result<bool> {
    type Step = fn(&FjallStore) -> Result<()>;
    let steps: [(&[u8], Step); 4] = [
        (keys::FORMAT_VERSION_1, versions_v1::from_v1),
        (keys::FORMAT_VERSION_2, rows_v2::from_v2),
        (keys::FORMAT_VERSION_3, versions_v3::from_v3),
        (keys::FORMAT_VERSION_4, index_v4::from_v4),
    ];
    // Each step stamps the next format, so the steps from `format` on run in turn.
    let Some(first) = steps.iter().position(|(from, _)| *from == format) else { return Ok(false) };
    for (_, step) in &steps[first..] {
        step(store)?;
    }
    Ok(true)
}

/// Every row `sql` returns (the upgrade tests compare what a database
/// answers before and after).
#[cfg(test)]
fn test_rows(conn: &crate::Connection, sql: &str) -> Vec<Vec<crate::Value>> {
    let mut st = conn.prepare(sql).unwrap();
    let mut rows = st.query(()).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        out.push(r.values().to_vec());
    }
    out
}
