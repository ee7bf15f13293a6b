//! Superseded row versions: writing them when a row is overwritten or
//! deleted, and reading a table as it was at an SCN.
//!
//! A row that was never updated or deleted lives only in `rows`, stamped with
//! the SCN that wrote it, so insert-only tables pay nothing for history. When
//! a committed image is replaced it becomes a *version*, `U|D ‖ image` (how it
//! ended, then the image, which keeps its own stamp: the SCN it was valid
//! from). Versions are stored in `versions` in *records* keyed
//! `record key ‖ !to_scn`, `to_scn` being the SCN at which they stopped being
//! valid:
//!
//! * the versions of rows kept in pages are grouped like the rows: the record
//!   key is the page key, and the record a page (the `pages` format) whose
//!   slots hold the versions of that page's rows one commit ended. An UPDATE
//!   of a whole table writes one record per 64 rows, and a scan of the past
//!   reads 64 rows' versions per entry;
//! * any other row's versions are records of their own: the record key is
//!   the row key, the record the version.
//!
//! The state at SCN `s` is then, per row key: the version with the smallest
//! end above `s` if there is one (the row is absent at `s` if that version
//! began after `s`), else the current image if its stamp is at most `s`.
//!
//! Keying by the end is what makes a recent past cheap: an UPDATE's old image
//! ended at the new image's stamp, so the state just before the current one
//! is a point read of `record key ‖ !stamp`, not a seek (a new range iterator).
//!
//! A transaction writes its versions one row at a time (`row key ‖ !to_scn`
//! in its overlay) and [`commit_writes`] groups them into records. Reads of
//! the past read committed state only ([`Reader::committed`]): every SCN a
//! reader may ask for is committed, and the transaction's own writes all
//! came after it.

use super::batch::{BatchIter, OwnedRowKey, RowBatch};
use super::keys::{self, split_version_key, version_key, PAGE_KEY_LEN, PAGE_SLOTS};
use super::kv::{BatchEntry, Bytes, Ks, KvIter};
use super::pages;
use super::write_tx::VersionBuffer;
use super::{Reader, WriteTx};
use crate::error::{Error, Result};
use crate::types::keycode::prefix_successor;
use crate::types::rowcodec::{encode_row_into, row_scn};
use crate::types::Value;
use byteview::ByteView;
use std::cmp::Ordering;
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
    /// The byte a version's value starts with: a version is `U|D ‖ row
    /// image` (the image carries the SCN it was valid from; the key carries
    /// the SCN it ended at).
    fn tag(self) -> u8 {
        match self {
            EndedBy::Update => b'U',
            EndedBy::Delete => b'D',
        }
    }

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

/// The image inside a version record's value, with how the version ended.
fn split_value(value: &[u8]) -> Result<(EndedBy, &[u8])> {
    let ended_by = match value.first() {
        Some(b'U') => EndedBy::Update,
        Some(b'D') => EndedBy::Delete,
        _ => return Err(damaged()),
    };
    Ok((ended_by, &value[1..]))
}

/// How a version ended, and its image (sharing the version's memory).
fn split_version(version: &Bytes) -> Result<(EndedBy, Bytes)> {
    let (ended_by, _) = split_value(version)?;
    Ok((ended_by, Bytes::from(ByteView::from(version.clone()).slice(1..))))
}

/// The record a row's versions are kept in, and the row's slot there
/// (`None`: the record is the row's own).
fn record_of(row_key: &[u8]) -> (Vec<u8>, Option<u8>) {
    match keys::page_of(row_key) {
        Some((page, slot)) => (page.to_vec(), Some(slot)),
        None => (row_key.to_vec(), None),
    }
}

/// The version of the row in `slot` that a record holds, if any.
fn version_in(record: Bytes, slot: Option<u8>) -> Result<Option<Bytes>> {
    match slot {
        Some(slot) => pages::get(record, slot),
        None => Ok(Some(record)),
    }
}

/// Calls `f` with every version a record holds: the slot (0 for a row's
/// own record) and the version.
fn for_each_version(record_key: &[u8], record: &Bytes, mut f: impl FnMut(u8, Bytes)) -> Result<()> {
    if keys::is_page_key(record_key) {
        pages::for_each_row(record, f)
    } else {
        f(0, record.clone());
        Ok(())
    }
}

/// The row key of `slot` in the record keyed `record_key`.
fn row_key_of(record_key: &[u8], slot: u8) -> Bytes {
    if keys::is_page_key(record_key) {
        Bytes::from(&keys::page_row_key(record_key, slot)[..])
    } else {
        Bytes::from(record_key)
    }
}

/// How many row versions the record stored under `key` holds (GC reports
/// versions, not records).
pub fn versions_in(key: &[u8], record: &[u8]) -> u64 {
    match split_version_key(key) {
        Some((record_key, _)) if keys::is_page_key(record_key) => record.first().map_or(0, |n| u64::from(*n)),
        _ => 1,
    }
}

/// Turns a transaction's versions into `versions` batch entries: the
/// versions of the rows of one page that ended at one SCN become one record,
/// every other version a record of its own. `kept` are the versions
/// (`row key ‖ !to_scn`, version) in the order they were kept; `overlay` the
/// transaction's other writes to `versions` (deleting stored records, as a
/// dropped table's).
///
/// # Errors
/// `Mismatch` for a page whose versions pass 4 GiB.
pub fn commit_writes(
    overlay: impl IntoIterator<Item = (Vec<u8>, Option<Bytes>)>,
    mut kept: VersionBuffer,
    out: &mut Vec<BatchEntry>,
) -> Result<()> {
    type Open<'a> = ([u8; PAGE_KEY_LEN], u64, Vec<(u8, &'a [u8])>);
    fn flush(open: Option<Open>, out: &mut Vec<BatchEntry>) -> Result<()> {
        if let Some((page, to, slots)) = open {
            if let Some(record) = pages::encode(slots.iter().map(|(slot, v)| (*slot, *v)))? {
                out.push((Ks::Versions, version_key(&page, to), Some(record)));
            }
        }
        Ok(())
    }
    for (key, value) in overlay {
        match value {
            Some(v) => kept.push_encoded(&key, &v),
            None => out.push((Ks::Versions, key, None)),
        }
    }
    // Sorted stably, so of two versions under one key the later is last,
    // and it wins.
    let order = kept.sorted_by_key();
    let mut open: Option<Open> = None;
    let mut order = order.into_iter().peekable();
    while let Some(i) = order.next() {
        let (key, version) = kept.get(i);
        if order.peek().is_some_and(|next| kept.get(*next).0 == key) {
            continue;
        }
        let paged = split_version_key(key).and_then(|(row_key, to)| keys::page_of(row_key).map(|(p, s)| (p, to, s)));
        let Some((page, to, slot)) = paged else {
            out.push((Ks::Versions, key.to_vec(), Some(Bytes::from(version))));
            continue;
        };
        match &mut open {
            Some((p, t, slots)) if *p == page && *t == to => slots.push((slot, version)),
            _ => {
                flush(open.take(), out)?;
                open = Some((page, to, vec![(slot, version)]));
            }
        }
    }
    flush(open, out)
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
                // Encoded in place in the transaction's version buffer: this
                // runs for every row an UPDATE or DELETE touches.
                tx.keep_version(key, |out| {
                    out.push(ended_by.tag());
                    encode_row_into(out, from, values);
                });
            }
        }
        None => {
            let Some(old) = tx.get(Ks::Rows, key)? else { return Ok(()) };
            let from = row_scn(&old)?;
            if from < to {
                tx.keep_version(key, |out| {
                    out.push(ended_by.tag());
                    out.extend_from_slice(&old);
                });
            }
        }
    }
    Ok(())
}

/// The image of the row under `key` as of `scn`.
///
/// The present, when it is old enough, costs one read of `rows`. A point just
/// before the present costs one more point read: the version the current
/// image replaced is in the record keyed by the current image's stamp.
/// Anything older (or a deleted row) costs one reverse seek in `versions`.
///
/// # Errors
/// Storage errors, damaged records.
pub fn get_as_of(reader: &dyn Reader, key: &[u8], scn: u64) -> Result<Option<Bytes>> {
    let reader = reader.committed();
    let (record, slot) = record_of(key);
    if let Some(current) = reader.get(Ks::Rows, key)? {
        let stamp = row_scn(&current)?;
        if stamp <= scn {
            return Ok(Some(current));
        }
        // The image this one replaced (absent when the row was deleted and
        // inserted again, or was never updated).
        if let Some(found) = reader.get(Ks::Versions, &version_key(&record, stamp))? {
            if let Some(version) = version_in(found, slot)? {
                let (_, image) = split_version(&version)?;
                if row_scn(&image)? <= scn {
                    return Ok(Some(image));
                }
            }
        }
    }
    // Records ending after `scn` sort before `record ‖ !scn`, newest first:
    // walking back from there, the first that holds the row is the version
    // that ended soonest after `scn`.
    let lo = Bound::Included(record.clone());
    let hi = Bound::Excluded(version_key(&record, scn));
    for kv in reader.scan_rev(Ks::Versions, lo, hi) {
        let (k, v) = kv?;
        if split_version_key(&k).ok_or_else(damaged)?.0 != &record[..] {
            continue;
        }
        let Some(version) = version_in(v, slot)? else { continue };
        let (_, image) = split_version(&version)?;
        return Ok((row_scn(&image)? <= scn).then_some(image));
    }
    Ok(None)
}

/// Records of one key an `AS OF` scan walks past, once they are older than
/// its point, before it seeks to the next key instead: a seek costs a new
/// range iterator (several µs), walking an entry a fraction of one, so short
/// histories are walked and long ones skipped.
const SKIP_AFTER: usize = 1;

/// The bounds of the `versions` read behind a read of rows `lo..hi`: widened
/// to take in the records of the pages the bounds fall into, and every
/// record of a row an inclusive upper bound names.
fn record_bounds(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let (lo, hi) = pages::raw_bounds(lo, hi);
    let hi = match hi {
        Bound::Included(k) => prefix_successor(&k).map_or(Bound::Unbounded, Bound::Excluded),
        other => other,
    };
    (lo, hi)
}

fn in_bounds(key: &[u8], lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> bool {
    let above_lo = match lo {
        Bound::Included(b) => key >= &b[..],
        Bound::Excluded(b) => key > &b[..],
        Bound::Unbounded => true,
    };
    let below_hi = match hi {
        Bound::Included(b) => key <= &b[..],
        Bound::Excluded(b) => key < &b[..],
        Bound::Unbounded => true,
    };
    above_lo && below_hi
}

/// One record key and its records newest first, as `(to_scn, record)`.
type KeyRecords = (Vec<u8>, Vec<(u64, Bytes)>);

/// A row's version in the interval a history read asks for: (row key, the
/// version, whether an UPDATE began it).
pub type HistoryItem = (Vec<u8>, Version, bool);

/// `versions` read one record key at a time over a range of rows.
struct Records<'a> {
    reader: &'a dyn Reader,
    entries: Peekable<KvIter<'a>>,
    /// The upper bound of the read, for a seek past a long history.
    hi: Bound<Vec<u8>>,
}

impl<'a> Records<'a> {
    fn new(reader: &'a dyn Reader, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> Records<'a> {
        let (lo, hi) = record_bounds(lo, hi);
        Records { reader, entries: reader.scan(Ks::Versions, lo, hi.clone()).peekable(), hi }
    }

    fn error(&mut self) -> Error {
        self.entries.next().and_then(Result::err).unwrap_or_else(damaged)
    }

    /// The next record key and its records newest first, as `(to_scn,
    /// record)`: all of them, or with `after = Some(s)` those that ended
    /// after `s` (the older ones are skipped).
    fn next_key(&mut self, after: Option<u64>) -> Result<Option<KeyRecords>> {
        let record_key = match self.entries.peek() {
            None => return Ok(None),
            Some(Err(_)) => return Err(self.error()),
            Some(Ok((k, _))) => split_version_key(k).ok_or_else(damaged)?.0.to_vec(),
        };
        let mut records = Vec::new();
        let mut walked_past = 0;
        loop {
            match self.entries.peek() {
                Some(Ok((k, _))) if k.len() == record_key.len() + 8 && k.starts_with(&record_key) => {}
                Some(Err(_)) => return Err(self.error()),
                _ => break,
            }
            let Some(Ok((k, v))) = self.entries.next() else { break };
            let (_, to) = split_version_key(&k).ok_or_else(damaged)?;
            if after.is_none_or(|s| to > s) {
                records.push((to, v));
                continue;
            }
            walked_past += 1;
            if walked_past == SKIP_AFTER {
                self.entries = match prefix_successor(&record_key) {
                    Some(next) => self.reader.scan(Ks::Versions, Bound::Included(next), self.hi.clone()).peekable(),
                    None => (Box::new(std::iter::empty()) as KvIter<'a>).peekable(),
                };
                break;
            }
        }
        Ok(Some((record_key, records)))
    }
}

/// What the versions decide about the rows of a range at one SCN: for each
/// row with a version that ended after it, in key order, its image then
/// (`None`: absent then). Rows not listed are as their current image says.
struct PastRows<'a> {
    records: Records<'a>,
    lo: Bound<Vec<u8>>,
    hi: Bound<Vec<u8>>,
    scn: u64,
    ready: std::vec::IntoIter<(Bytes, Option<Bytes>)>,
}

impl PastRows<'_> {
    /// Decides the rows of the next record key; `false` at the end.
    fn fill(&mut self) -> Result<bool> {
        let Some((record_key, records)) = self.records.next_key(Some(self.scn))? else { return Ok(false) };
        // A row's version at `scn` is in the oldest of these records that
        // holds the row: read them oldest first and take each slot once,
        // slicing only the versions taken (a whole-page UPDATE fills every
        // slot from the first record read).
        let mut found: Vec<(u8, Bytes)> = Vec::new(); // (slot, image)
        if keys::is_page_key(&record_key) {
            let mut taken = [false; PAGE_SLOTS];
            for (_, record) in records.iter().rev() {
                if found.len() == PAGE_SLOTS {
                    break;
                }
                let view = ByteView::from(record.clone());
                for (slot, range) in pages::row_ranges(record)? {
                    let seen = &mut taken[slot as usize % PAGE_SLOTS];
                    if !*seen {
                        *seen = true;
                        // The image alone: past the version's `U|D` tag.
                        split_value(&record[range.clone()])?;
                        found.push((slot, Bytes::from(view.slice(range.start + 1..range.end))));
                    }
                }
            }
            found.sort_unstable_by_key(|(slot, _)| *slot);
        } else if let Some((_, version)) = records.last() {
            found.push((0, split_version(version)?.1));
        }
        let mut decided = Vec::with_capacity(found.len());
        for (slot, image) in found {
            let key = row_key_of(&record_key, slot);
            if !in_bounds(&key, &self.lo, &self.hi) {
                continue;
            }
            let then = (row_scn(&image)? <= self.scn).then_some(image);
            decided.push((key, then));
        }
        self.ready = decided.into_iter();
        Ok(true)
    }
}

impl Iterator for PastRows<'_> {
    type Item = Result<(Bytes, Option<Bytes>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.ready.next() {
                return Some(Ok(row));
            }
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Streams `(row key, image)` of every row in `lo..hi` as it was at `scn`,
/// in key order: the current rows merged with what their versions decide
/// ([`scan_as_of_batches`], a row at a time).
pub fn scan_as_of<'a>(reader: &'a dyn Reader, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>, scn: u64) -> KvIter<'a> {
    super::batch::unbatched(scan_as_of_batches(reader, lo, hi, scn))
}

/// Every row in `lo..hi` as it was at `scn`, in key order, a batch at a
/// time: each batch holds the rows of one batch of current rows (a page's,
/// where rows are paged) as they were at `scn`, with the rows the versions
/// decide placed between them (those deleted since). A paged row's key is
/// built from its page, not allocated, and images are shared, not copied.
///
/// This is the hot loop of every scan of the past.
pub fn scan_as_of_batches<'a>(
    reader: &'a dyn Reader,
    lo: Bound<Vec<u8>>,
    hi: Bound<Vec<u8>>,
    scn: u64,
) -> BatchIter<'a> {
    let reader = reader.committed();
    let mut rows = reader.scan_batches(Ks::Rows, lo.clone(), hi.clone());
    let records = Records::new(reader, &lo, &hi);
    let mut past = PastRows { records, lo, hi, scn, ready: Vec::new().into_iter() }.peekable();
    let mut rows_done = false;
    Box::new(std::iter::from_fn(move || loop {
        let batch = if rows_done {
            None
        } else {
            match rows.next() {
                Some(Ok(b)) => Some(b),
                Some(Err(e)) => return Some(Err(e)),
                None => {
                    rows_done = true;
                    None
                }
            }
        };
        let mut out: Vec<(OwnedRowKey, Bytes)> = Vec::with_capacity(batch.as_ref().map_or(PAGE_SLOTS, RowBatch::len));
        let Some(batch) = batch else {
            // Past the last current row: what the versions decide for rows
            // deleted since `scn`, a page's worth at a time.
            while out.len() < PAGE_SLOTS {
                match past.next() {
                    None => break,
                    Some(Err(e)) => return Some(Err(e)),
                    Some(Ok((key, image))) => out.extend(image.map(|img| (OwnedRowKey::Stored(key), img))),
                }
            }
            if out.is_empty() {
                return None;
            }
            return Some(Ok(RowBatch::picked(out)));
        };
        for i in 0..batch.len() {
            let key = batch.key(i);
            // Rows the versions decide before this one (deleted since `scn`).
            let mut decided = None;
            loop {
                let order = match past.peek() {
                    None => break,
                    Some(Err(_)) => return past.next().and_then(Result::err).map(Err),
                    Some(Ok((k, _))) => k[..].cmp(&key[..]),
                };
                if order == Ordering::Greater {
                    break;
                }
                let Some(Ok((k, image))) = past.next() else { break };
                if order == Ordering::Equal {
                    decided = Some(image);
                    break;
                }
                out.extend(image.map(|img| (OwnedRowKey::Stored(k), img)));
            }
            match decided {
                // The versions decide this row.
                Some(image) => out.extend(image.map(|img| (batch.owned_key(i), img))),
                // No version ended after `scn`: the current image, if it is old enough.
                None => match row_scn(batch.image(i)) {
                    Ok(from) if from <= scn => out.push((batch.owned_key(i), batch.image_bytes(i))),
                    Ok(_) => {}
                    Err(e) => return Some(Err(e)),
                },
            }
        }
        if !out.is_empty() {
            return Some(Ok(RowBatch::picked(out)));
        }
    }))
}

/// Every version of one row key, newest first: a row's history.
type KeyGroup = (Bytes, Vec<Version>);

/// Every row key of a range that has versions, with its versions.
struct Histories<'a> {
    records: Records<'a>,
    lo: Bound<Vec<u8>>,
    hi: Bound<Vec<u8>>,
    ready: std::vec::IntoIter<KeyGroup>,
}

impl Histories<'_> {
    fn fill(&mut self) -> Result<bool> {
        let Some((record_key, records)) = self.records.next_key(None)? else { return Ok(false) };
        let mut by_slot: Vec<Vec<Version>> = vec![Vec::new(); PAGE_SLOTS];
        for (to, record) in &records {
            let mut failed = None;
            for_each_version(&record_key, record, |slot, version| match split_version(&version) {
                Ok((ended_by, image)) => match row_scn(&image) {
                    Ok(from) => by_slot[slot as usize % PAGE_SLOTS].push(Version {
                        from,
                        to: Some(*to),
                        ended_by: Some(ended_by),
                        image,
                    }),
                    Err(e) => failed = Some(e),
                },
                Err(e) => failed = Some(e),
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
        }
        let mut groups = Vec::new();
        for (slot, versions) in by_slot.into_iter().enumerate() {
            let key = row_key_of(&record_key, slot as u8);
            if !versions.is_empty() && in_bounds(&key, &self.lo, &self.hi) {
                groups.push((key, versions));
            }
        }
        self.ready = groups.into_iter();
        Ok(true)
    }
}

impl Iterator for Histories<'_> {
    type Item = Result<KeyGroup>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(group) = self.ready.next() {
                return Some(Ok(group));
            }
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Every row key in `lo..hi` once, in key order, with its current image (if
/// any) and its stored versions, newest first.
fn groups<'a>(
    reader: &'a dyn Reader,
    lo: Bound<Vec<u8>>,
    hi: Bound<Vec<u8>>,
) -> impl Iterator<Item = Result<KeyGroup>> + 'a {
    let mut rows = reader.scan(Ks::Rows, lo.clone(), hi.clone()).peekable();
    let records = Records::new(reader, &lo, &hi);
    let mut past = Histories { records, lo, hi, ready: Vec::new().into_iter() }.peekable();
    std::iter::from_fn(move || {
        let order = match (rows.peek(), past.peek()) {
            (Some(Err(_)), _) => return rows.next().and_then(Result::err).map(Err),
            (_, Some(Err(_))) => return past.next(),
            (None, None) => return None,
            (Some(Ok(_)), None) => Ordering::Less,
            (None, Some(Ok(_))) => Ordering::Greater,
            (Some(Ok((row, _))), Some(Ok((versions, _)))) => row[..].cmp(&versions[..]),
        };
        let current = match order {
            Ordering::Greater => None,
            _ => match rows.next() {
                Some(Ok((key, image))) => Some((key, image)),
                Some(Err(e)) => return Some(Err(e)),
                None => None,
            },
        };
        let mut group = match current {
            Some((key, image)) => match row_scn(&image) {
                Ok(from) => (key, vec![Version { from, to: None, ended_by: None, image }]),
                Err(e) => return Some(Err(e)),
            },
            None => (Bytes::from(&b""[..]), Vec::new()),
        };
        if order != Ordering::Less {
            match past.next() {
                Some(Ok((key, versions))) => {
                    group.0 = key;
                    group.1.extend(versions);
                }
                Some(Err(e)) => return Some(Err(e)),
                None => {}
            }
        }
        Some(Ok(group))
    })
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
) -> Box<dyn Iterator<Item = Result<HistoryItem>> + 'a> {
    let mut g = groups(reader.committed(), lo, hi);
    let mut pending: std::vec::IntoIter<HistoryItem> = Vec::new().into_iter();
    Box::new(std::iter::from_fn(move || loop {
        if let Some(item) = pending.next() {
            return Some(Ok(item));
        }
        match g.next()? {
            Err(e) => return Some(Err(e)),
            Ok((key, mut group)) => {
                group.reverse(); // oldest first
                let mut out = Vec::new();
                for i in 0..group.len() {
                    let v = &group[i];
                    if v.from > to || v.to.is_some_and(|end| end <= from) {
                        continue;
                    }
                    let by_update =
                        i > 0 && group[i - 1].to == Some(v.from) && group[i - 1].ended_by == Some(EndedBy::Update);
                    out.push((key.to_vec(), v.clone(), by_update));
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
