//! `heliosdb-2` → `heliosdb-3`: rows keyed by one integer packed into pages.
//!
//! `heliosdb-2` stored every row under its own key. `heliosdb-3` keeps rows
//! keyed by one integer 64 to a page (see `storage::pages`); nothing else
//! changed. The rewrite walks `rows` in key order and, in atomic batches of
//! whole pages, writes each page and deletes the rows it took in. Page keys
//! never equal row keys, so a directory a killed process left midway holds
//! some rows packed and some not, and the next open packs the rest (merging
//! into a page already written, should it find one).

use crate::error::Result;
use crate::storage::keys::{self, FORMAT_VERSION_3, PAGE_KEY_LEN};
use crate::storage::kv::{BatchEntry, Bytes, FjallStore, Ks};
use crate::storage::pages;
use std::ops::Bound;

/// Rows a batch packs before it is written (it ends at a page's end).
#[cfg(not(test))]
const BATCH_ROWS: usize = 16_384;
#[cfg(test)]
const BATCH_ROWS: usize = 100;

/// One page's rows still stored one per entry: (slot, row key, image).
type Loose = ([u8; PAGE_KEY_LEN], Vec<(u8, Bytes, Bytes)>);

/// Packs a `heliosdb-2` directory's integer-keyed rows into pages and
/// stamps `heliosdb-3`.
///
/// # Errors
/// Storage errors; `Corrupt` for a damaged page left by an earlier attempt.
pub fn from_v2(store: &FjallStore) -> Result<()> {
    let mut lo: Bound<Vec<u8>> = Bound::Unbounded;
    let mut rewrite = super::Rewrite::default();
    loop {
        // A snapshot per batch (see `versions_v1`: a long-lived snapshot
        // pins every memtable).
        let snap = store.snapshot();
        let mut loose: Vec<Loose> = Vec::new();
        let mut count = 0usize;
        for kv in snap.scan_raw(Ks::Rows, &lo, &Bound::Unbounded) {
            let (key, image) = kv?;
            let Some((page, slot)) = keys::page_of(&key) else { continue };
            match loose.last_mut() {
                Some((last, rows)) if *last == page => rows.push((slot, key, image)),
                _ if count >= BATCH_ROWS => break,
                _ => loose.push((page, vec![(slot, key, image)])),
            }
            count += 1;
        }
        let Some((last_page, _)) = loose.last() else { break };
        lo = Bound::Excluded(last_page.to_vec());
        let mut batch: Vec<BatchEntry> = Vec::new();
        for (page, rows) in &loose {
            let old = snap.get_raw(Ks::Rows, page)?;
            let new = pages::apply(old.as_deref(), rows.iter().map(|(slot, _, image)| (*slot, Some(&image[..]))))?;
            for (_, key, _) in rows {
                batch.push((Ks::Rows, key.to_vec(), None));
            }
            batch.push((Ks::Rows, page.to_vec(), new));
        }
        drop(snap);
        rewrite.write(store, batch)?;
    }
    rewrite.finish(store, Vec::new(), FORMAT_VERSION_3, Ks::Rows)
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

    /// Rewrites `dir`'s pages into one entry per row and stamps it
    /// `heliosdb-2`, as the previous release left it. With `keep_packed`,
    /// that many pages stay packed, as an upgrade killed there would leave them.
    pub(crate) fn unpack_pages(dir: &Path, keep_packed: Option<usize>) {
        super::super::versions_v3::tests::unpack_versions(dir, None);
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        let snap = store.snapshot();
        let mut batch: Vec<BatchEntry> = Vec::new();
        let stored: Vec<(Bytes, Bytes)> =
            snap.scan_raw(Ks::Rows, &Bound::Unbounded, &Bound::Unbounded).map(|kv| kv.unwrap()).collect();
        let mut seen = 0usize;
        for (key, _) in stored.iter().filter(|(k, _)| keys::is_page_key(k)) {
            seen += 1;
            if keep_packed.is_some_and(|n| seen <= n) {
                continue;
            }
            let lo = Bound::Included(key[..PAGE_KEY_LEN - 1].to_vec());
            let hi = Bound::Excluded(keys::page_row_key(key, 63).iter().chain(&[0xFF]).copied().collect());
            for kv in snap.scan(Ks::Rows, &lo, &hi) {
                let (row_key, image) = kv.unwrap();
                batch.push((Ks::Rows, row_key.to_vec(), Some(image)));
            }
            batch.push((Ks::Rows, key.to_vec(), None));
        }
        batch.push((Ks::Meta, META_FORMAT_VERSION.to_vec(), Some(Bytes::from(keys::FORMAT_VERSION_2))));
        store.write(batch, Durability::Sync).unwrap();
        store.flush().unwrap();
    }

    const QUERIES: &[&str] = &[
        "SELECT * FROM t ORDER BY id",
        "SELECT * FROM t WHERE id BETWEEN 70 AND 140 ORDER BY id DESC",
        "SELECT * FROM k ORDER BY k",
        "SELECT * FROM n ORDER BY n",
        "SELECT * FROM s ORDER BY g",
    ];

    fn everything(conn: &Connection, scn: u64) -> Vec<Vec<Vec<Value>>> {
        let mut out: Vec<_> = QUERIES.iter().map(|q| rows(conn, q)).collect();
        out.push(rows(conn, &format!("SELECT * FROM t AS OF SCN {scn} ORDER BY id")));
        out
    }

    /// A rowid table (with negative rowids), an `INTEGER PRIMARY KEY` one
    /// with text keys mixed in, a text-keyed table and a view, with history.
    fn fill(dir: &Path) -> (u64, Vec<Vec<Vec<Value>>>) {
        let conn = Connection::open(dir).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             INSERT INTO t SELECT value, 'v' || value FROM generate_series(-70, 400);
             CREATE TABLE k (k PRIMARY KEY, w INT);
             INSERT INTO k SELECT value * 7, value FROM generate_series(1, 150);
             INSERT INTO k VALUES ('text key', 1), (2.5, 2);
             CREATE TABLE n (n TEXT PRIMARY KEY);
             INSERT INTO n SELECT 'n' || value FROM generate_series(1, 30);
             CREATE MATERIALIZED VIEW s AS SELECT id % 5 AS g, count(*) AS c FROM t GROUP BY id % 5;",
        )
        .unwrap();
        let scn = conn.current_scn();
        conn.execute_batch(
            "UPDATE t SET v = 'x' WHERE id % 3 = 0; DELETE FROM t WHERE id % 11 = 0; REFRESH MATERIALIZED VIEW s;",
        )
        .unwrap();
        (scn, everything(&conn, scn))
    }

    fn loose_rows(dir: &Path) -> usize {
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        let snap = store.snapshot();
        snap.scan_raw(Ks::Rows, &Bound::Unbounded, &Bound::Unbounded)
            .filter(|kv| kv.as_ref().is_ok_and(|(k, _)| keys::page_of(k).is_some()))
            .count()
    }

    #[test]
    fn a_heliosdb_2_directory_opens_with_its_rows_packed() {
        let dir = tempfile::tempdir().unwrap();
        let (scn, before) = fill(dir.path());
        unpack_pages(dir.path(), None);
        assert!(loose_rows(dir.path()) > 500, "the tables span many pages");
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(everything(&conn, scn), before);
        drop(conn);
        assert_eq!(loose_rows(dir.path()), 0);
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(everything(&conn, scn), before);
    }

    #[test]
    fn an_upgrade_killed_midway_packs_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let (scn, before) = fill(dir.path());
        unpack_pages(dir.path(), Some(3));
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(everything(&conn, scn), before);
        drop(conn);
        assert_eq!(loose_rows(dir.path()), 0);
    }
}
