//! `heliosdb-4` → `heliosdb-5`: index entries packed into pages.
//!
//! `heliosdb-4` kept every index entry under its own key. `heliosdb-5`
//! packs them up to 64 to a page stored under its fence, its last key (see
//! `storage::index_pages`); nothing else changed. The rewrite walks `index`
//! in key order and, in atomic batches, writes full pages and deletes the
//! entries they took in (each page reuses its last entry's key). A page key
//! is an entry key, so the two layouts cannot be told apart by their keys:
//! each batch records the greatest key it wrote, and an upgrade a killed
//! process left midway resumes after it.

use crate::error::Result;
use crate::storage::index_pages;
use crate::storage::keys::{self, FORMAT_VERSION};
use crate::storage::kv::{BatchEntry, Bytes, FjallStore, Ks};
use std::collections::HashSet;
use std::ops::Bound;

/// Entries a batch packs before it is written.
#[cfg(not(test))]
const BATCH_ENTRIES: usize = 16_384;
#[cfg(test)]
const BATCH_ENTRIES: usize = 100;

/// Packs a `heliosdb-4` directory's index entries into pages and stamps
/// the current format version.
///
/// # Errors
/// Storage errors; `Corrupt` for an entry key too short to be an index key.
pub fn from_v4(store: &FjallStore) -> Result<()> {
    let mut lo = match store.snapshot().get(Ks::Meta, keys::META_UPGRADE_DONE_THROUGH)? {
        Some(done) => Bound::Excluded(done.to_vec()),
        None => Bound::Unbounded,
    };
    let mut rewrite = super::Rewrite::default();
    loop {
        // A snapshot per batch (see `versions_v1`: a long-lived snapshot
        // pins every memtable).
        let snap = store.snapshot();
        let entries: Vec<(Bytes, Bytes)> =
            snap.scan_raw(Ks::Index, &lo, &Bound::Unbounded).take(BATCH_ENTRIES).collect::<Result<_>>()?;
        drop(snap);
        if entries.is_empty() {
            break;
        }
        let mut pages: Vec<BatchEntry> = Vec::new();
        let mut start = 0;
        while start < entries.len() {
            let id = entries[start].0.get(..4);
            let len = entries[start..].iter().take_while(|(k, _)| k.get(..4) == id).count();
            let group: Vec<(&[u8], &[u8])> =
                entries[start..start + len].iter().map(|(k, v)| (&k[..], &v[..])).collect();
            start += len;
            index_pages::pack(&group, &mut pages)?;
        }
        let reused: HashSet<&[u8]> = pages.iter().map(|(_, k, _)| &k[..]).collect();
        let mut batch: Vec<BatchEntry> = entries
            .iter()
            .filter(|(k, _)| !reused.contains(&k[..]))
            .map(|(k, _)| (Ks::Index, k.to_vec(), None))
            .collect();
        let done = pages.iter().map(|(_, k, _)| k.clone()).max().unwrap_or_default();
        batch.append(&mut pages);
        batch.push((Ks::Meta, keys::META_UPGRADE_DONE_THROUGH.to_vec(), Some(Bytes::from(&done[..]))));
        rewrite.write(store, batch)?;
        lo = Bound::Excluded(done);
    }
    let last = vec![(Ks::Meta, keys::META_UPGRADE_DONE_THROUGH.to_vec(), None)];
    rewrite.finish(store, last, FORMAT_VERSION, Ks::Index)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::storage::keys::META_FORMAT_VERSION;
    use crate::storage::kv::{Durability, MemoryBudget};
    use crate::storage::upgrade::test_rows as rows;
    use crate::{Connection, Value};
    use std::path::Path;

    /// Rewrites `dir`'s index pages into one entry per index entry and
    /// stamps `heliosdb-4`, as the previous release left it. With
    /// `keep_packed`, the pages up to that many entries stay packed and the
    /// resume point is set after them, as an upgrade killed there would
    /// leave them.
    pub(crate) fn unpack_index(dir: &Path, keep_packed: Option<usize>) {
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        let snap = store.snapshot();
        let pages: Vec<(Bytes, Bytes)> =
            snap.scan_raw(Ks::Index, &Bound::Unbounded, &Bound::Unbounded).map(|kv| kv.unwrap()).collect();
        let mut batch: Vec<BatchEntry> = Vec::new();
        let (mut kept, mut prev) = (0usize, Bound::Unbounded);
        for (fence, _) in &pages {
            // A page's entries: those above the fence before it, up to its own.
            let entries: Vec<(Bytes, Bytes)> =
                snap.scan(Ks::Index, &prev, &Bound::Included(fence.to_vec())).map(|kv| kv.unwrap()).collect();
            prev = Bound::Excluded(fence.to_vec());
            if keep_packed.is_some_and(|n| kept + entries.len() <= n) {
                kept += entries.len();
                batch.push((Ks::Meta, keys::META_UPGRADE_DONE_THROUGH.to_vec(), Some(fence.clone())));
                continue;
            }
            if entries.iter().all(|(k, _)| k != fence) {
                batch.push((Ks::Index, fence.to_vec(), None));
            }
            batch.extend(entries.into_iter().map(|(k, v)| (Ks::Index, k.to_vec(), Some(v))));
        }
        batch.push((Ks::Meta, META_FORMAT_VERSION.to_vec(), Some(Bytes::from(keys::FORMAT_VERSION_4))));
        store.write(batch, Durability::Sync).unwrap();
        store.flush().unwrap();
    }

    fn stored_entries(dir: &Path) -> usize {
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        store.snapshot().scan_raw(Ks::Index, &Bound::Unbounded, &Bound::Unbounded).count()
    }

    const QUERIES: &[&str] = &[
        "SELECT a, id FROM t WHERE a BETWEEN 100 AND 900 ORDER BY a, id",
        "SELECT a, id FROM t WHERE a > 500 ORDER BY a DESC, id DESC LIMIT 30",
        "SELECT count(*), sum(b) FROM t WHERE b >= 'b3'",
        "SELECT id FROM t WHERE u = 'u77'",
        "SELECT name FROM n WHERE name LIKE 'n1%' ORDER BY name",
    ];

    /// Three indexes over 1,000 rows (one unique, one on text), a text
    /// index on a second table, with updates and deletes.
    fn fill(dir: &Path) -> Vec<Vec<Vec<Value>>> {
        let conn = Connection::open(dir).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b TEXT, u TEXT UNIQUE);
             CREATE INDEX t_a ON t (a);
             CREATE INDEX t_b ON t (b DESC);
             INSERT INTO t SELECT value, (value * 37) % 1000, 'b' || (value % 10), 'u' || value FROM generate_series(1, 1000);
             UPDATE t SET a = a + 1 WHERE id % 3 = 0;
             DELETE FROM t WHERE id % 7 = 0;
             CREATE TABLE n (name TEXT PRIMARY KEY, x INT);
             CREATE INDEX n_x ON n (x);
             INSERT INTO n SELECT 'n' || value, value FROM generate_series(1, 300);",
        )
        .unwrap();
        QUERIES.iter().map(|q| rows(&conn, q)).collect()
    }

    fn answers(dir: &Path) -> Vec<Vec<Vec<Value>>> {
        let conn = Connection::open(dir).unwrap();
        QUERIES.iter().map(|q| rows(&conn, q)).collect()
    }

    #[test]
    fn a_heliosdb_4_directory_opens_with_its_indexes_packed() {
        let dir = tempfile::tempdir().unwrap();
        let before = fill(dir.path());
        let packed = stored_entries(dir.path());
        unpack_index(dir.path(), None);
        let loose = stored_entries(dir.path());
        assert!(loose > 2_000 && loose > 20 * packed, "{loose} entries unpacked from {packed} pages");
        assert_eq!(answers(dir.path()), before);
        assert!(stored_entries(dir.path()) <= packed + 8, "packed again: {}", stored_entries(dir.path()));
        // Writes after the upgrade land in the packed pages.
        let conn = Connection::open(dir.path()).unwrap();
        conn.execute_batch("INSERT INTO t VALUES (5000, 5, 'b5', 'u5000'); DELETE FROM t WHERE id = 5000;").unwrap();
        assert!(
            conn.execute_batch("INSERT INTO t VALUES (5001, 5, 'b5', 'u1');").is_err(),
            "the unique index still holds"
        );
        drop(conn);
        assert_eq!(answers(dir.path()), before);
    }

    #[test]
    fn an_upgrade_killed_midway_packs_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let before = fill(dir.path());
        unpack_index(dir.path(), Some(700));
        assert_eq!(answers(dir.path()), before);
        let store = FjallStore::open(dir.path(), MemoryBudget::from_limit_mb(16), false).unwrap();
        assert!(store.snapshot().get(Ks::Meta, keys::META_UPGRADE_DONE_THROUGH).unwrap().is_none());
        assert_eq!(store.snapshot().get(Ks::Meta, META_FORMAT_VERSION).unwrap().as_deref(), Some(FORMAT_VERSION));
    }
}
