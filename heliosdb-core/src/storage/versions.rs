//! Superseded row versions: writing them when a row is overwritten or
//! deleted, and reading a table as it was at an SCN.
//!
//! A row that was never updated or deleted lives only in `rows`, stamped with
//! the SCN that wrote it, so insert-only tables pay nothing for history. When
//! a committed image is replaced, it moves to `versions` under
//! `row key ‖ !to_scn`, `to_scn` being the SCN at which it stopped being
//! valid; the image keeps its own stamp, the SCN it was valid from. The state
//! at SCN `s` is then, per row key: the current image if its stamp is at most
//! `s`, else the version with the smallest end above `s`, if it began at or
//! before `s`.
//!
//! Keying by the end is what makes a recent past cheap: an UPDATE's old image
//! ended at the new image's stamp, so the state just before the current one
//! is a point read of `row key ‖ !stamp`, not a seek (a new range iterator).

use super::keys::{self, split_version_key, version_key};
use super::kv::{Bytes, Ks, KvIter};
use super::{Reader, WriteTx};
use crate::error::{Error, Result};
use crate::types::keycode::prefix_successor;
use crate::types::rowcodec::{encode_row_into, row_scn};
use crate::types::Value;
use std::iter::Peekable;
use std::ops::Bound;

/// How a version stopped being the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    /// Replaced by a newer image under the same key.
    Update,
    /// Deleted (or moved to another key by an UPDATE of its primary key).
    Delete,
}

impl EndedBy {
    /// The SQL name shown by history queries.
    pub fn name(self) -> &'static str {
        match self {
            EndedBy::Update => "UPDATE",
            EndedBy::Delete => "DELETE",
        }
    }
}

/// One stored version: its validity `[from, to)` and its row image.
#[derive(Debug, Clone)]
pub struct Version {
    /// The SCN from which the image was valid.
    pub from: u64,
    /// The SCN at which it stopped being valid; `None` for the current image.
    pub to: Option<u64>,
    /// How it ended (`None` for the current image).
    pub ended_by: Option<EndedBy>,
    /// The row image (as stored in `rows`).
    pub image: Bytes,
}

fn damaged() -> Error {
    Error::Corrupt("row version record is damaged".into())
}

/// The value of a version record: `U|D ‖ row image` (the image carries the
/// SCN it was valid from; the key carries the SCN it ended at).
fn encode_head(ended_by: EndedBy, capacity: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(1 + capacity);
    v.push(match ended_by {
        EndedBy::Update => b'U',
        EndedBy::Delete => b'D',
    });
    v
}

/// The image inside a version record's value, with how the version ended.
fn split_value(value: &[u8]) -> Result<(EndedBy, &[u8])> {
    let ended_by = match value.first() {
        Some(b'U') => EndedBy::Update,
        Some(b'D') => EndedBy::Delete,
        _ => return Err(damaged()),
    };
    Ok((ended_by, &value[1..]))
}

fn decode(key: &[u8], value: &[u8]) -> Result<(Vec<u8>, Version)> {
    let (row_key, to) = split_version_key(key).ok_or_else(damaged)?;
    let (ended_by, image) = split_value(value)?;
    let version = Version { from: row_scn(image)?, to: Some(to), ended_by: Some(ended_by), image: Bytes::from(image) };
    Ok((row_key.to_vec(), version))
}

/// Keeps the committed image under `key` as a version before the caller
/// overwrites or deletes it. An image this transaction wrote itself was never
/// visible to anyone, so it is not kept.
///
/// # Errors
/// Storage errors reading the current image.
///
/// `known` is the image as the caller already read it (its SCN stamp and
/// column values), which spares a second read; without it the image is read.
pub fn supersede(tx: &mut WriteTx, key: &[u8], ended_by: EndedBy, known: Option<(u64, &[Value])>) -> Result<()> {
    let to = tx.scn();
    match known {
        Some((from, values)) => {
            if from < to {
                // One buffer, one copy: this runs for every row an UPDATE or DELETE touches.
                let mut value = encode_head(ended_by, 16 + values.len() * 6);
                encode_row_into(&mut value, from, values);
                tx.put(Ks::Versions, version_key(key, to), value);
            }
        }
        None => {
            let Some(old) = tx.get(Ks::Rows, key)? else { return Ok(()) };
            let from = row_scn(&old)?;
            if from < to {
                let mut value = encode_head(ended_by, old.len());
                value.extend_from_slice(&old);
                tx.put(Ks::Versions, version_key(key, to), value);
            }
        }
    }
    Ok(())
}

/// The image of the row under `key` as of `scn`.
///
/// The present, when it is old enough, costs one read of `rows`. A point just
/// before the present costs one more point read: the version the current
/// image replaced is keyed by the current image's stamp. Anything older (or a
/// deleted row) costs one reverse seek in `versions`.
///
/// # Errors
/// Storage errors, damaged records.
pub fn get_as_of(reader: &dyn Reader, key: &[u8], scn: u64) -> Result<Option<Bytes>> {
    if let Some(current) = reader.get(Ks::Rows, key)? {
        let stamp = row_scn(&current)?;
        if stamp <= scn {
            return Ok(Some(current));
        }
        // The image this one replaced (absent when the row was deleted and
        // inserted again, or was never updated).
        if let Some(previous) = reader.get(Ks::Versions, &version_key(key, stamp))? {
            let (_, image) = split_value(&previous)?;
            if row_scn(image)? <= scn {
                return Ok(Some(Bytes::from(image)));
            }
        }
    }
    // Versions ending after `scn` sort before `key ‖ !scn`, newest first: the
    // last of them is the one that ended soonest after `scn`.
    let lo = Bound::Included(key.to_vec());
    let hi = Bound::Excluded(version_key(key, scn));
    match reader.scan_rev(Ks::Versions, lo, hi).next() {
        Some(kv) => {
            let (k, v) = kv?;
            let (row_key, version) = decode(&k, &v)?;
            Ok((row_key == key && version.from <= scn).then_some(version.image))
        }
        None => Ok(None),
    }
}

/// Versions of one key an `AS OF` scan walks past before it seeks to the
/// next key instead: a seek costs a new range iterator (several µs), walking an
/// entry a fraction of one, so short histories are walked and long ones skipped.
const SKIP_AFTER: usize = 32;

/// One row key's entries from both keyspaces, newest first.
type KeyGroup = (Vec<u8>, Vec<Version>);

/// Walks `rows` and `versions` side by side over one key range, yielding
/// each row key once with its current image (if any) and stored versions.
struct Groups<'a> {
    rows: Peekable<KvIter<'a>>,
    versions: Peekable<KvIter<'a>>,
}

impl Groups<'_> {
    fn next_group(&mut self) -> Result<Option<KeyGroup>> {
        let row_key = match self.rows.peek() {
            Some(Ok((k, _))) => Some(k.to_vec()),
            Some(Err(_)) => return Err(self.rows.next().and_then(Result::err).unwrap_or_else(damaged)),
            None => None,
        };
        let version_key = match self.versions.peek() {
            Some(Ok((k, _))) => Some(split_version_key(k).ok_or_else(damaged)?.0.to_vec()),
            Some(Err(_)) => return Err(self.versions.next().and_then(Result::err).unwrap_or_else(damaged)),
            None => None,
        };
        let key = match (row_key, version_key) {
            (None, None) => return Ok(None),
            (Some(a), Some(b)) => a.min(b),
            (Some(k), None) | (None, Some(k)) => k,
        };
        let mut group = Vec::new();
        if matches!(self.rows.peek(), Some(Ok((k, _))) if k[..] == key[..]) {
            if let Some(Ok((_, image))) = self.rows.next() {
                group.push(Version { from: row_scn(&image)?, to: None, ended_by: None, image });
            }
        }
        while let Some(Ok((k, _))) = self.versions.peek() {
            if split_version_key(k).map(|(rk, _)| rk) != Some(&key[..]) {
                break;
            }
            let Some(kv) = self.versions.next() else { break };
            let (k, v) = kv?;
            group.push(decode(&k, &v)?.1);
        }
        Ok(Some((key, group)))
    }
}

fn groups<'a>(reader: &'a dyn Reader, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> Groups<'a> {
    Groups {
        rows: reader.scan(Ks::Rows, lo.clone(), hi.clone()).peekable(),
        versions: reader.scan(Ks::Versions, lo, hi).peekable(),
    }
}

/// Streams `(row key, image)` of every row in `[lo, hi)` as it was at `scn`,
/// in key order. `lo` must be inclusive or unbounded (every range the
/// planner builds is).
///
/// This is the hot loop of every scan of the past, so it compares keys in
/// place and copies only the images it returns.
pub fn scan_as_of<'a>(reader: &'a dyn Reader, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>, scn: u64) -> KvIter<'a> {
    let mut rows = reader.scan(Ks::Rows, lo.clone(), hi.clone()).peekable();
    let mut versions = reader.scan(Ks::Versions, lo, hi.clone()).peekable();
    Box::new(std::iter::from_fn(move || loop {
        // The next row key: the smaller of the two streams' next keys.
        let row_next = match rows.peek() {
            Some(Ok((k, _))) => Some(k.clone()),
            Some(Err(_)) => return rows.next(),
            None => None,
        };
        let version_next = match versions.peek() {
            Some(Ok((k, _))) => Some(k.clone()),
            Some(Err(_)) => return versions.next(),
            None => None,
        };
        let key: Bytes = match (row_next, version_next) {
            (None, None) => return None,
            (Some(r), None) => r,
            (r, Some(v)) => {
                let Some((vrow, _)) = split_version_key(&v) else { return Some(Err(damaged())) };
                match r {
                    Some(r) if r[..] <= *vrow => r,
                    _ => Bytes::from(vrow),
                }
            }
        };
        let mut found: Option<Bytes> = None;
        let mut decided = false;
        if matches!(rows.peek(), Some(Ok((k, _))) if k[..] == key[..]) {
            if let Some(Ok((_, image))) = rows.next() {
                match row_scn(&image) {
                    Ok(from) if from <= scn => {
                        found = Some(image);
                        decided = true;
                    }
                    Ok(_) => {}
                    Err(e) => return Some(Err(e)),
                }
            }
        }
        // Older versions of this key, newest first: the first that began at
        // or before `scn` is the only candidate. Once it is known, a long
        // remaining history is skipped with a seek instead of being walked.
        let mut walked_after_decision = 0;
        while let Some(Ok((k, _))) = versions.peek() {
            match split_version_key(k) {
                Some((rk, _)) if rk == &key[..] => {}
                Some(_) => break,
                None => return Some(Err(damaged())),
            }
            if decided && walked_after_decision == SKIP_AFTER {
                let Some(next_key) = prefix_successor(&key) else { break };
                versions = reader.scan(Ks::Versions, Bound::Included(next_key), hi.clone()).peekable();
                break;
            }
            let Some(Ok((k, v))) = versions.next() else { break };
            if decided {
                walked_after_decision += 1;
                continue;
            }
            let Some((_, to)) = split_version_key(&k) else { return Some(Err(damaged())) };
            let image = match split_value(&v) {
                Ok((_, image)) => image,
                Err(e) => return Some(Err(e)),
            };
            match row_scn(image) {
                Ok(from) if from <= scn => {
                    decided = true;
                    if to > scn {
                        found = Some(Bytes::from(image));
                    }
                }
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        if let Some(image) = found {
            return Some(Ok((key, image)));
        }
    }))
}

/// Every version of every row in `[lo, hi)` that was valid at some point of
/// the SCN interval `[from, to]`, oldest first within each row key, each with
/// the operation that began it: `Some(EndedBy::Update)` when it replaced an
/// earlier image, `None` when it began as an insert (or its predecessor is
/// no longer kept: `began_unknown` tells).
pub fn history<'a>(
    reader: &'a dyn Reader,
    lo: Bound<Vec<u8>>,
    hi: Bound<Vec<u8>>,
    from: u64,
    to: u64,
) -> Box<dyn Iterator<Item = Result<(Vec<u8>, Version, bool)>> + 'a> {
    let mut g = groups(reader, lo, hi);
    let mut pending: std::vec::IntoIter<(Vec<u8>, Version, bool)> = Vec::new().into_iter();
    Box::new(std::iter::from_fn(move || loop {
        if let Some(item) = pending.next() {
            return Some(Ok(item));
        }
        match g.next_group() {
            Err(e) => return Some(Err(e)),
            Ok(None) => return None,
            Ok(Some((key, mut group))) => {
                group.reverse(); // oldest first
                let mut out = Vec::new();
                for i in 0..group.len() {
                    let v = &group[i];
                    if v.from > to || v.to.is_some_and(|end| end <= from) {
                        continue;
                    }
                    let by_update =
                        i > 0 && group[i - 1].to == Some(v.from) && group[i - 1].ended_by == Some(EndedBy::Update);
                    out.push((key.clone(), v.clone(), by_update));
                }
                pending = out.into_iter();
            }
        }
    }))
}

/// Bounds of every version of the table with id `table_id`.
pub fn table_bounds(table_id: u32) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    keys::prefix_bounds(&keys::object_prefix(table_id))
}
