//! The change log: every row change of a table that has consumers
//! (materialized views, change feeds), by SCN, written in the same atomic batch as the
//! change itself — one entry per table per commit, so a bulk write pays one
//! extra key, not one per row. Incremental refresh reads the changes between a view's SCN
//! and now; staleness counts them. [`ChangeIndex`] keeps per-table, per-SCN
//! counts in memory so `pg_mv_staleness()` never reads the log.

use super::keys::{change_key, object_prefix, prefix_bounds, split_change_key};
use super::kv::{BatchEntry, Bytes, Ks};
use super::{Reader, WriteTx};
use crate::error::{Error, Result};
use crate::types::rowcodec::{get_varint, put_varint};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOp {
    /// A new row.
    Insert,
    /// A row replaced under the same key.
    Update,
    /// A row removed.
    Delete,
}

/// One logged change.
#[derive(Debug, Clone)]
pub struct Change {
    /// The commit it belongs to.
    pub scn: u64,
    /// What happened.
    pub op: ChangeOp,
    /// The row's key in `rows`.
    pub row_key: Vec<u8>,
    /// The image before (updates and deletes).
    pub old: Option<Vec<u8>>,
    /// The image after (inserts and updates).
    pub new: Option<Vec<u8>>,
    /// Its position among all the changes of its transaction, across
    /// tables: the order they were made. (Entries written before positions
    /// were recorded give the position within the table's entry.)
    pub seq: u64,
}

fn damaged() -> Error {
    Error::Corrupt("change log record is damaged".into())
}

/// Appends a change to the transaction's log.
pub fn log(tx: &mut WriteTx, table_id: u32, op: ChangeOp, row_key: &[u8], old: Option<&[u8]>, new: Option<&[u8]>) {
    let (old, new) = (old.unwrap_or(&[]), new.unwrap_or(&[]));
    let mut v = Vec::with_capacity(16 + row_key.len() + old.len() + new.len());
    v.push(match op {
        ChangeOp::Insert => b'I',
        ChangeOp::Update => b'U',
        ChangeOp::Delete => b'D',
    });
    for part in [row_key, old, new] {
        put_varint(&mut v, part.len() as u64);
        v.extend_from_slice(part);
    }
    tx.log_change(table_id, v);
}

/// The batch entries of a committing transaction's changes: one per table,
/// `count (u64 BE) ‖ records…`, so a bulk write adds one entry per table,
/// not one per row. Each record is stored as `op (lower case) ‖ position in
/// the transaction (varint) ‖ key, old, new`, so a reader of several tables
/// can put the transaction's changes back in the order they were made.
pub fn commit_entries(log: Vec<(u32, Vec<u8>)>, scn: u64) -> Vec<BatchEntry> {
    let mut per_table: BTreeMap<u32, (u64, Vec<u8>)> = BTreeMap::new();
    for (seq, (table, record)) in log.into_iter().enumerate() {
        let Some((op, rest)) = record.split_first() else { continue };
        let (n, bytes) = per_table.entry(table).or_insert_with(|| (0, vec![0; 8]));
        *n += 1;
        bytes.push(op.to_ascii_lowercase());
        put_varint(bytes, seq as u64);
        bytes.extend_from_slice(rest);
    }
    per_table
        .into_iter()
        .map(|(table, (n, mut bytes))| {
            bytes[..8].copy_from_slice(&n.to_be_bytes());
            (Ks::Changes, change_key(table, scn, 0), Some(Bytes::from(bytes)))
        })
        .collect()
}

fn count_of(value: &[u8]) -> u64 {
    value.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map_or(0, u64::from_be_bytes)
}

/// One logged change, borrowed from the log entry that holds it (reading
/// a change copies nothing: incremental refresh decodes only the columns
/// it needs straight from these images).
#[derive(Debug, Clone, Copy)]
pub struct ChangeRef<'a> {
    /// The commit it belongs to.
    pub scn: u64,
    /// What happened.
    pub op: ChangeOp,
    /// The row's key in `rows`.
    pub row_key: &'a [u8],
    /// The image before (updates and deletes).
    pub old: Option<&'a [u8]>,
    /// The image after (inserts and updates).
    pub new: Option<&'a [u8]>,
    /// Its position among all the changes of its transaction (see [`Change::seq`]).
    pub seq: u64,
}

impl ChangeRef<'_> {
    /// An owned copy.
    pub fn to_owned(&self) -> Change {
        Change {
            scn: self.scn,
            op: self.op,
            row_key: self.row_key.to_vec(),
            old: self.old.map(<[u8]>::to_vec),
            new: self.new.map(<[u8]>::to_vec),
            seq: self.seq,
        }
    }
}

/// Calls `f` with each change of one log entry, in the order stored.
fn decode<'a>(key: &[u8], value: &'a [u8], f: &mut dyn FnMut(ChangeRef<'a>) -> Result<()>) -> Result<()> {
    let (_, scn) = split_change_key(key).ok_or_else(damaged)?;
    let mut pos = 8;
    let mut index = 0u64;
    while pos < value.len() {
        let tag = value[pos];
        let op = match tag.to_ascii_uppercase() {
            b'I' => ChangeOp::Insert,
            b'U' => ChangeOp::Update,
            b'D' => ChangeOp::Delete,
            _ => return Err(damaged()),
        };
        pos += 1;
        // Upper case: a record from before positions were stored.
        let seq = if tag.is_ascii_lowercase() { get_varint(value, &mut pos)? } else { index };
        index += 1;
        let mut take = || -> Result<&'a [u8]> {
            let n = usize::try_from(get_varint(value, &mut pos)?).map_err(|_| damaged())?;
            let end = pos.checked_add(n).ok_or_else(damaged)?;
            let bytes = value.get(pos..end).ok_or_else(damaged)?;
            pos = end;
            Ok(bytes)
        };
        let (row_key, old, new) = (take()?, take()?, take()?);
        f(ChangeRef {
            scn,
            op,
            row_key,
            old: (op != ChangeOp::Insert).then_some(old),
            new: (op != ChangeOp::Delete).then_some(new),
            seq,
        })?;
    }
    Ok(())
}

fn range(table_id: u32, after: u64, upto: u64) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let lo = after.checked_add(1).map_or(Bound::Excluded(change_key(table_id, u64::MAX, u32::MAX)), |a| {
        Bound::Included(change_key(table_id, a, 0))
    });
    let hi = match upto.checked_add(1) {
        Some(u) => Bound::Excluded(change_key(table_id, u, 0)),
        None => prefix_bounds(&object_prefix(table_id)).1,
    };
    (lo, hi)
}

/// The changes to `table_id` committed after SCN `after`, up to `upto`, in order.
///
/// # Errors
/// Storage errors, damaged records.
pub fn read(reader: &dyn Reader, table_id: u32, after: u64, upto: u64) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for_each(reader, table_id, after, upto, &mut |c| {
        out.push(c.to_owned());
        Ok(())
    })?;
    Ok(out)
}

/// Calls `f` with each change to `table_id` committed after SCN `after`, up
/// to `upto`, in order, borrowed from the log (nothing is copied or held
/// beyond one commit's entry).
///
/// # Errors
/// Storage errors, damaged records, and `f`'s errors.
pub fn for_each(
    reader: &dyn Reader,
    table_id: u32,
    after: u64,
    upto: u64,
    f: &mut dyn FnMut(ChangeRef<'_>) -> Result<()>,
) -> Result<()> {
    let (lo, hi) = range(table_id, after, upto);
    for kv in reader.scan(Ks::Changes, lo, hi) {
        let (k, v) = kv?;
        decode(&k, &v, f)?;
    }
    Ok(())
}

/// The changes to `table_id` committed after SCN `after`, up to `upto`, one
/// commit at a time (its SCN and its changes in the order they were made),
/// read lazily: a consumer that stops early reads no further.
pub fn commits<'a>(
    reader: &'a dyn Reader,
    table_id: u32,
    after: u64,
    upto: u64,
) -> impl Iterator<Item = Result<(u64, Vec<Change>)>> + 'a {
    let (lo, hi) = range(table_id, after, upto);
    reader.scan(Ks::Changes, lo, hi).map(|kv| {
        let (k, v) = kv?;
        let (_, scn) = split_change_key(&k).ok_or_else(damaged)?;
        let mut out = Vec::new();
        decode(&k, &v, &mut |c| {
            out.push(c.to_owned());
            Ok(())
        })?;
        Ok((scn, out))
    })
}

/// Deletes the changes to `table_id` up to SCN `upto` (every consumer has them).
///
/// # Errors
/// Storage errors.
pub fn trim(tx: &mut WriteTx, table_id: u32, upto: u64) -> Result<()> {
    let (lo, _) = prefix_bounds(&object_prefix(table_id));
    let (_, hi) = range(table_id, 0, upto);
    let doomed: Vec<Vec<u8>> =
        tx.scan(Ks::Changes, lo, hi).map(|kv| kv.map(|(k, _)| k.to_vec())).collect::<Result<_>>()?;
    for k in doomed {
        tx.delete(Ks::Changes, k)?;
    }
    Ok(())
}

/// Per-table counts of logged changes by SCN, mirrored from the log.
#[derive(Debug, Default)]
pub struct ChangeIndex {
    per_table: HashMap<u32, BTreeMap<u64, u64>>,
}

impl ChangeIndex {
    /// Mirrors one change-log entry written (`Some`) or deleted (`None`).
    pub fn apply(&mut self, key: &[u8], value: &Option<Bytes>) {
        let Some((table, scn)) = split_change_key(key) else { return };
        let counts = self.per_table.entry(table).or_default();
        match value {
            Some(v) => {
                counts.insert(scn, count_of(v));
            }
            None => {
                counts.remove(&scn);
            }
        }
    }

    /// Changes to `table` after SCN `after`: how many, and the SCN of the oldest.
    pub fn pending(&self, table: u32, after: u64) -> (u64, Option<u64>) {
        let Some(counts) = self.per_table.get(&table) else { return (0, None) };
        let mut total = 0;
        let mut first = None;
        for (scn, n) in counts.range(after.saturating_add(1)..) {
            first.get_or_insert(*scn);
            total += n;
        }
        (total, first)
    }

    /// Drops a table's counts (the table is gone).
    pub fn forget(&mut self, table: u32) {
        self.per_table.remove(&table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(op: u8, key: &[u8]) -> Vec<u8> {
        let mut v = vec![op];
        for part in [key, b"" as &[u8], b"new"] {
            put_varint(&mut v, part.len() as u64);
            v.extend_from_slice(part);
        }
        v
    }

    fn owned(key: &[u8], value: &[u8]) -> Result<Vec<Change>> {
        let mut out = Vec::new();
        decode(key, value, &mut |c| {
            out.push(c.to_owned());
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn positions_span_tables_and_old_records_still_read() {
        // Table 2, then 1, then 2 again: positions 0, 1, 2.
        let log = vec![(2, record(b'I', b"a")), (1, record(b'I', b"b")), (2, record(b'I', b"c"))];
        let entries = commit_entries(log, 9);
        let mut seqs = Vec::new();
        for (_, key, value) in &entries {
            let out = owned(key, value.as_ref().unwrap()).unwrap();
            seqs.extend(out.iter().map(|c| (c.row_key.clone(), c.seq, c.scn)));
        }
        seqs.sort();
        assert_eq!(seqs, vec![(b"a".to_vec(), 0, 9), (b"b".to_vec(), 1, 9), (b"c".to_vec(), 2, 9)]);

        // An entry written before positions were stored: upper-case ops, no position.
        let mut old = 2u64.to_be_bytes().to_vec();
        old.extend(record(b'U', b"x"));
        old.extend(record(b'D', b"y"));
        let out = owned(&change_key(1, 5, 0), &old).unwrap();
        assert_eq!(
            out.iter().map(|c| (c.op, c.seq)).collect::<Vec<_>>(),
            [(ChangeOp::Update, 0), (ChangeOp::Delete, 1)]
        );
        assert!(owned(&change_key(1, 5, 0), &[0, 0, 0, 0, 0, 0, 0, 1, b'X']).is_err());
    }
}
