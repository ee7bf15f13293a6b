//! `heliosdb-3` → `heliosdb-4`: the versions of paged rows grouped into one
//! record per page and commit.
//!
//! `heliosdb-3` kept every superseded version under `row key ‖ !to_scn`.
//! `heliosdb-4` groups the versions of rows kept in pages as the rows are
//! grouped: one record `page key ‖ !to_scn` per page and ending SCN (see
//! `storage::versions`); nothing else changed. The rewrite walks `versions`
//! in key order and, in atomic batches of whole pages, writes each page's
//! records and deletes the entries it took in. A record key never equals a
//! row's version key (a page key is one byte longer than its rows' keys), so
//! a directory a killed process left midway holds some pages grouped and
//! some not; the next open groups the rest, merging into a record already
//! written should it find one.

use crate::error::Result;
use crate::storage::keys::{self, split_version_key, version_key, FORMAT_VERSION_4, PAGE_KEY_LEN};
use crate::storage::kv::{BatchEntry, Bytes, FjallStore, Ks};
use crate::storage::pages;
use std::collections::BTreeMap;
use std::ops::Bound;

/// Versions a batch groups before it is written (it ends at a page's end).
#[cfg(not(test))]
const BATCH_VERSIONS: usize = 16_384;
#[cfg(test)]
const BATCH_VERSIONS: usize = 50;

/// One page's versions still stored one per entry: (end SCN, slot, stored
/// key, version).
type Loose = ([u8; PAGE_KEY_LEN], Vec<(u64, u8, Bytes, Bytes)>);

/// The last key a page's versions can have, in either layout.
fn page_end(page: &[u8; PAGE_KEY_LEN]) -> Vec<u8> {
    let mut end = keys::page_row_key(page, u8::MAX).to_vec();
    end.extend_from_slice(&[0xFF; 9]);
    end
}

/// Groups a `heliosdb-3` directory's versions of paged rows into records
/// and stamps `heliosdb-4`.
///
/// # Errors
/// Storage errors; `Corrupt` for a damaged record left by an earlier attempt.
pub fn from_v3(store: &FjallStore) -> Result<()> {
    let mut lo: Bound<Vec<u8>> = Bound::Unbounded;
    let mut rewrite = super::Rewrite::default();
    loop {
        // A snapshot per batch (see `versions_v1`: a long-lived snapshot
        // pins every memtable).
        let snap = store.snapshot();
        let mut loose: Vec<Loose> = Vec::new();
        let mut count = 0usize;
        for kv in snap.scan_raw(Ks::Versions, &lo, &Bound::Unbounded) {
            let (key, version) = kv?;
            let Some((row_key, to)) = split_version_key(&key) else { continue };
            let Some((page, slot)) = keys::page_of(row_key) else { continue };
            match loose.last_mut() {
                Some((last, versions)) if *last == page => versions.push((to, slot, key.clone(), version)),
                _ if count >= BATCH_VERSIONS => break,
                _ => loose.push((page, vec![(to, slot, key.clone(), version)])),
            }
            count += 1;
        }
        let Some((last_page, _)) = loose.last() else { break };
        lo = Bound::Excluded(page_end(last_page));
        let mut batch: Vec<BatchEntry> = Vec::new();
        for (page, versions) in &loose {
            let mut by_end: BTreeMap<u64, Vec<(u8, &[u8])>> = BTreeMap::new();
            for (to, slot, key, version) in versions {
                by_end.entry(*to).or_default().push((*slot, &version[..]));
                batch.push((Ks::Versions, key.to_vec(), None));
            }
            for (to, slots) in by_end {
                let record_key = version_key(page, to);
                let old = snap.get_raw(Ks::Versions, &record_key)?;
                let record = pages::apply(old.as_deref(), slots.into_iter().map(|(slot, v)| (slot, Some(v))))?;
                batch.push((Ks::Versions, record_key, record));
            }
        }
        drop(snap);
        rewrite.write(store, batch)?;
    }
    rewrite.finish(store, Vec::new(), FORMAT_VERSION_4, Ks::Versions)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::storage::keys::META_FORMAT_VERSION;
    use crate::storage::kv::Durability;
    use crate::storage::kv::MemoryBudget;
    use crate::storage::upgrade::test_rows as rows;
    use crate::{Connection, Value};
    use std::path::Path;

    /// Rewrites `dir`'s version records into one entry per version, as
    /// `heliosdb-3` kept them (the caller stamps the format). With
    /// `keep_grouped`, that many records stay grouped, as an upgrade killed
    /// there would leave them.
    pub(crate) fn unpack_versions(dir: &Path, keep_grouped: Option<usize>) {
        super::super::index_v4::tests::unpack_index(dir, None);
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        let snap = store.snapshot();
        let stored: Vec<(Bytes, Bytes)> =
            snap.scan_raw(Ks::Versions, &Bound::Unbounded, &Bound::Unbounded).map(|kv| kv.unwrap()).collect();
        let mut batch: Vec<BatchEntry> = Vec::new();
        let mut seen = 0usize;
        for (key, record) in &stored {
            let (record_key, to) = split_version_key(key).unwrap();
            if !keys::is_page_key(record_key) {
                continue;
            }
            seen += 1;
            if keep_grouped.is_some_and(|n| seen <= n) {
                continue;
            }
            pages::for_each_row(record, |slot, version| {
                batch.push((Ks::Versions, version_key(&keys::page_row_key(record_key, slot), to), Some(version)));
            })
            .unwrap();
            batch.push((Ks::Versions, key.to_vec(), None));
        }
        store.write(batch, Durability::Sync).unwrap();
        store.flush().unwrap();
    }

    fn stamp(dir: &Path, format: &[u8]) {
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        store
            .write(vec![(Ks::Meta, META_FORMAT_VERSION.to_vec(), Some(Bytes::from(format)))], Durability::Sync)
            .unwrap();
    }

    /// Versions entries of paged rows not grouped into a record.
    fn loose_versions(dir: &Path) -> usize {
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        let snap = store.snapshot();
        snap.scan_raw(Ks::Versions, &Bound::Unbounded, &Bound::Unbounded)
            .filter(|kv| kv.as_ref().is_ok_and(|(k, _)| keys::page_of(split_version_key(k).unwrap().0).is_some()))
            .count()
    }

    /// The table at every SCN, and its history.
    fn the_past(conn: &Connection, scns: &[u64]) -> Vec<Vec<Vec<Value>>> {
        let mut out: Vec<_> =
            scns.iter().map(|s| rows(conn, &format!("SELECT * FROM t AS OF SCN {s} ORDER BY id"))).collect();
        out.extend(scns.iter().map(|s| rows(conn, &format!("SELECT * FROM t AS OF SCN {s} WHERE id IN (3, 64, 200)"))));
        out.push(rows(
            conn,
            "SELECT id, v, heliosdb_valid_from_scn, heliosdb_valid_to_scn, heliosdb_operation, heliosdb_ended_by \
             FROM t VERSIONS BETWEEN SCN 1 AND 1000000 ORDER BY id, heliosdb_valid_from_scn",
        ));
        out
    }

    /// Whole-table updates (one record per page and round), single-row
    /// changes, deletes and keys inserted again, across several pages.
    fn fill(dir: &Path) -> (Vec<u64>, Vec<Vec<Vec<Value>>>) {
        let conn = Connection::open(dir).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);
             INSERT INTO t SELECT value, value FROM generate_series(-10, 300);",
        )
        .unwrap();
        let mut scns = vec![conn.current_scn()];
        for round in 0..5i64 {
            conn.execute("UPDATE t SET v = v + 1000 WHERE id % 2 = ?1", [round % 2]).unwrap();
            conn.execute("UPDATE t SET v = -v WHERE id = ?1", [round * 50 + 3]).unwrap();
            conn.execute("DELETE FROM t WHERE id % 17 = ?1", [round]).unwrap();
            conn.execute("INSERT OR IGNORE INTO t VALUES (?1, 7)", [round * 17 + 1]).unwrap();
            scns.push(conn.current_scn());
        }
        (scns.clone(), the_past(&conn, &scns))
    }

    #[test]
    fn a_heliosdb_3_directory_opens_with_its_versions_grouped() {
        let dir = tempfile::tempdir().unwrap();
        let (scns, before) = fill(dir.path());
        unpack_versions(dir.path(), None);
        stamp(dir.path(), keys::FORMAT_VERSION_3);
        assert!(loose_versions(dir.path()) > 500, "the history spans many versions");
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(the_past(&conn, &scns), before);
        drop(conn);
        assert_eq!(loose_versions(dir.path()), 0);
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(the_past(&conn, &scns), before);
    }

    #[test]
    fn an_upgrade_killed_midway_groups_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let (scns, before) = fill(dir.path());
        unpack_versions(dir.path(), Some(4));
        stamp(dir.path(), keys::FORMAT_VERSION_3);
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(the_past(&conn, &scns), before);
        drop(conn);
        assert_eq!(loose_versions(dir.path()), 0);
    }
}
