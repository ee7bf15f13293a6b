//! `heliosdb-1` → `heliosdb-2`: superseded versions keyed by their end.
//!
//! `heliosdb-1` keyed a superseded row version by the SCN at which it began
//! (`row key ‖ !from_scn`, value `to_scn ‖ U|D ‖ image`). `heliosdb-2` keys
//! it by the SCN at which it ended (`row key ‖ !to_scn`, value `U|D ‖ image`;
//! the image is still stamped with its start), so the version an UPDATE
//! replaced is one point read away from the current row (see
//! [`super::versions`]). Nothing else changed between the two formats.
//!
//! The upgrade rewrites `versions` one row key at a time, in atomic batches
//! that each also record the last row key they finished. A process killed
//! midway leaves every row key either wholly old or wholly new, and the next
//! open resumes after the recorded key. The format version changes last.

use crate::error::{Error, Result};
use crate::storage::keys::{self, split_version_key, version_key, FORMAT_VERSION_2};
use crate::storage::kv::{BatchEntry, Bytes, FjallStore, Ks};
use crate::types::keycode::prefix_successor;
use std::collections::HashSet;
use std::ops::Bound;

/// Entries a batch collects before it is written (it ends at a row key's
/// end). Unit tests use small batches, so their histories take many.
#[cfg(not(test))]
const BATCH_ENTRIES: usize = 8192;
#[cfg(test)]
const BATCH_ENTRIES: usize = 16;

/// Rewrites a `heliosdb-1` directory's versions into the `heliosdb-2` layout
/// and stamps that format version.
///
/// # Errors
/// Storage errors; `Corrupt` for a version record that is not in the old layout.
pub fn from_v1(store: &FjallStore) -> Result<()> {
    let mut lo = match store.snapshot().get(Ks::Meta, keys::META_UPGRADE_DONE_THROUGH)? {
        None => Bound::Unbounded,
        Some(done) => match prefix_successor(&done) {
            Some(next) => Bound::Included(next),
            None => return finish(store, super::Rewrite::default()),
        },
    };
    let mut rewrite = super::Rewrite::default();
    loop {
        // A snapshot per batch: fjall keeps every memtable a live snapshot
        // could read, so one snapshot held across the whole rewrite would
        // pin all of it in memory.
        let Some((batch, last_row)) = next_batch(store, &lo)? else { break };
        let mut batch = batch;
        batch.push((Ks::Meta, keys::META_UPGRADE_DONE_THROUGH.to_vec(), Some(Bytes::from(&last_row[..]))));
        rewrite.write(store, batch)?;
        match prefix_successor(&last_row) {
            Some(next) => lo = Bound::Included(next),
            None => break,
        }
    }
    finish(store, rewrite)
}

/// The rewrite of the row keys from `lo` on, whole row keys only, about
/// [`BATCH_ENTRIES`] entries; with the last row key it covers. `None` when
/// no version is left.
fn next_batch(store: &FjallStore, lo: &Bound<Vec<u8>>) -> Result<Option<(Vec<BatchEntry>, Vec<u8>)>> {
    let snap = store.snapshot();
    let mut batch: Vec<BatchEntry> = Vec::new();
    let mut row: Vec<u8> = Vec::new();
    let mut old: Vec<(Bytes, Bytes)> = Vec::new();
    for kv in snap.scan(Ks::Versions, lo, &Bound::Unbounded) {
        let (k, v) = kv?;
        let (row_key, _) = split_version_key(&k).ok_or_else(damaged)?;
        if row_key != &row[..] {
            if !old.is_empty() {
                rekey_row(&row, std::mem::take(&mut old), &mut batch)?;
                if batch.len() >= BATCH_ENTRIES {
                    return Ok(Some((batch, row)));
                }
            }
            row = row_key.to_vec();
        }
        old.push((k, v));
    }
    if old.is_empty() {
        return Ok(None);
    }
    rekey_row(&row, old, &mut batch)?;
    Ok(Some((batch, row)))
}

/// Moves one row key's old-layout versions to their new keys. A version's
/// new key can equal a newer version's old key (its end is that one's
/// start), so only old keys that no new record takes are deleted.
fn rekey_row(row_key: &[u8], old: Vec<(Bytes, Bytes)>, batch: &mut Vec<BatchEntry>) -> Result<()> {
    let mut new_keys = HashSet::with_capacity(old.len());
    let mut puts = Vec::with_capacity(old.len());
    for (_, value) in &old {
        let to: [u8; 8] = value.get(..8).and_then(|b| b.try_into().ok()).ok_or_else(damaged)?;
        let new_key = version_key(row_key, u64::from_be_bytes(to));
        new_keys.insert(new_key.clone());
        puts.push((Ks::Versions, new_key, Some(Bytes::from(&value[8..]))));
    }
    for (key, _) in old {
        if !new_keys.contains(&key[..]) {
            batch.push((Ks::Versions, key.to_vec(), None));
        }
    }
    batch.extend(puts);
    Ok(())
}

/// Stamps the new format and forgets the resume point.
fn finish(store: &FjallStore, rewrite: super::Rewrite) -> Result<()> {
    let last = vec![(Ks::Meta, keys::META_UPGRADE_DONE_THROUGH.to_vec(), None)];
    rewrite.finish(store, last, FORMAT_VERSION_2, Ks::Versions)
}

fn damaged() -> Error {
    Error::Corrupt("a row version record of the heliosdb-1 format is damaged".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::keys::META_FORMAT_VERSION;
    use crate::storage::kv::Durability;
    use crate::storage::kv::MemoryBudget;
    use crate::storage::upgrade::test_rows as rows;
    use crate::types::rowcodec::row_scn;
    use crate::{Connection, Value};
    use std::path::Path;

    /// Everything a reader of the past can see: the table at every SCN, and
    /// its history with how each version began and ended.
    fn the_past(conn: &Connection, scns: &[u64]) -> Vec<Vec<Vec<Value>>> {
        let mut out: Vec<_> =
            scns.iter().map(|s| rows(conn, &format!("SELECT * FROM t AS OF SCN {s} ORDER BY id"))).collect();
        let last = scns.last().copied().unwrap_or(0);
        out.push(rows(
            conn,
            &format!(
                "SELECT id, v, heliosdb_valid_from_scn, heliosdb_valid_to_scn, heliosdb_operation, heliosdb_ended_by \
                 FROM t VERSIONS BETWEEN SCN 1 AND {last} ORDER BY id, heliosdb_valid_from_scn"
            ),
        ));
        out
    }

    /// Rewrites `dir`'s versions into the `heliosdb-1` layout, as the
    /// previous release left them. With `killed_midway`, the first half of
    /// the row keys stay new, as an upgrade killed there would leave them.
    fn downgrade(dir: &Path, killed_midway: bool) {
        super::super::rows_v2::tests::unpack_pages(dir, None);
        let store = FjallStore::open(dir, MemoryBudget::from_limit_mb(16), false).unwrap();
        let snap = store.snapshot();
        let mut batch: Vec<BatchEntry> = Vec::new();
        let new: Vec<(Bytes, Bytes)> =
            snap.scan(Ks::Versions, &Bound::Unbounded, &Bound::Unbounded).map(|kv| kv.unwrap()).collect();
        let mut row_keys: Vec<&[u8]> = new.iter().map(|(k, _)| split_version_key(k).unwrap().0).collect();
        row_keys.dedup();
        assert!(row_keys.len() > 10, "the history spans many row keys");
        let done_through = killed_midway.then(|| row_keys[row_keys.len() / 2]);
        let mut old_keys = HashSet::new();
        for (k, v) in &new {
            let (row_key, to) = split_version_key(k).unwrap();
            if done_through.is_some_and(|d| row_key <= d) {
                continue;
            }
            let from = row_scn(&v[1..]).unwrap();
            let mut old_key = row_key.to_vec();
            old_key.extend_from_slice(&(!from).to_be_bytes());
            let mut old_value = to.to_be_bytes().to_vec();
            old_value.extend_from_slice(v);
            old_keys.insert(old_key.clone());
            batch.push((Ks::Versions, old_key, Some(Bytes::from(old_value))));
        }
        for (k, _) in &new {
            let row_key = split_version_key(k).unwrap().0;
            if !old_keys.contains(&k[..]) && !done_through.is_some_and(|d| row_key <= d) {
                batch.push((Ks::Versions, k.to_vec(), None));
            }
        }
        batch.push((Ks::Meta, META_FORMAT_VERSION.to_vec(), Some(Bytes::from(keys::FORMAT_VERSION_1))));
        if let Some(d) = done_through {
            batch.push((Ks::Meta, keys::META_UPGRADE_DONE_THROUGH.to_vec(), Some(Bytes::from(d))));
        }
        store.write(batch, Durability::Sync).unwrap();
        store.flush().unwrap();
    }

    fn history(dir: &Path) -> (Vec<u64>, Vec<Vec<Vec<Value>>>) {
        let conn = Connection::open(dir).unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)").unwrap();
        let mut scns = Vec::new();
        for round in 0..8i64 {
            conn.execute("INSERT INTO t VALUES (?1, ?2)", vec![Value::Integer(round * 3 + 100), round.into()]).unwrap();
            conn.execute("UPDATE t SET v = v + 10 WHERE id % 3 = ?1", [round % 3]).unwrap();
            if round == 2 {
                conn.execute("INSERT OR IGNORE INTO t SELECT value, 0 FROM generate_series(1, 40)", ()).unwrap();
            }
            // A delete, and the same key inserted again later.
            conn.execute("DELETE FROM t WHERE id = ?1", [round * 2 + 1]).unwrap();
            conn.execute("INSERT OR IGNORE INTO t VALUES (?1, ?2)", vec![Value::Integer(round * 2 - 1), 77.into()])
                .unwrap();
            scns.push(conn.current_scn());
        }
        let past = the_past(&conn, &scns);
        (scns, past)
    }

    #[test]
    fn a_heliosdb_1_directory_opens_with_its_past_intact() {
        let dir = tempfile::tempdir().unwrap();
        let (scns, before) = history(dir.path());
        downgrade(dir.path(), false);
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(the_past(&conn, &scns), before);
        drop(conn);
        // Upgraded for good: the next open reads the new format as it is.
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(the_past(&conn, &scns), before);
    }

    #[test]
    fn an_upgrade_killed_midway_resumes_after_the_last_row_it_finished() {
        let dir = tempfile::tempdir().unwrap();
        let (scns, before) = history(dir.path());
        downgrade(dir.path(), true);
        let conn = Connection::open(dir.path()).unwrap();
        assert_eq!(the_past(&conn, &scns), before);
    }
}
