//! Row pages: how rows keyed by one integer are packed, up to 64 to an LSM
//! entry of `rows`, and read back one row at a time.
//!
//! A scan of a table pays fjall's per-entry cost (a merge step across the
//! memtables and table files, a key comparison, an MVCC check) once per page
//! instead of once per row, and a bulk load inserts a 64th of the entries.
//! A point read stays one `get` (of the page), then a look in its directory.
//! Which keys are paged, and what a page key is, belongs to [`super::keys`];
//! this module owns the value stored under a page key:
//!
//! ```text
//! n (u8, 1..=64) ‖ n × (slot u8 ‖ end u32 LE) ‖ the n row images back to back
//! ```
//!
//! Directory entries are in slot order; row i spans `end[i-1]..end[i]` of
//! the image area (`0..end[0]` for the first). An image is exactly the value
//! a row-per-entry table stores (see [`crate::types::rowcodec`]), so the
//! layers above see the same `(row key, image)` pairs either way: pages are
//! invisible above [`super::kv`] and the commit that writes them.

use super::batch::{BatchIter, RowBatch};
use super::keys::{self, PAGE_KEY_LEN, PAGE_SLOTS};
use super::kv::{Bytes, KvIter};
use crate::error::{Error, Result};
use byteview::ByteView;
use std::ops::{Bound, Range};

const DIR_ENTRY: usize = 5;

fn damaged() -> Error {
    Error::Corrupt("a row page is damaged".into())
}

/// A page's directory, read in place.
#[derive(Clone, Copy)]
struct Directory<'a> {
    buf: &'a [u8],
    n: usize,
}

impl<'a> Directory<'a> {
    /// The directory of `buf`, checked whole here (entry count, ends that
    /// never decrease, the last one at the page's end), so reading its
    /// entries afterwards cannot fail.
    fn parse(buf: &'a [u8]) -> Result<Directory<'a>> {
        let n = *buf.first().ok_or_else(damaged)? as usize;
        if n == 0 || n > PAGE_SLOTS || buf.len() < 1 + n * DIR_ENTRY {
            return Err(damaged());
        }
        let dir = Directory { buf, n };
        // Over the entries as fixed-size chunks, not through `end(i)`: its
        // four bounds-checked reads per entry were a fifth of a `count(*)`.
        let mut last = 0;
        for entry in buf[1..dir.data_start()].chunks_exact(DIR_ENTRY) {
            let end = u32::from_le_bytes([entry[1], entry[2], entry[3], entry[4]]) as usize;
            if end < last {
                return Err(damaged());
            }
            last = end;
        }
        if dir.data_start() + last != buf.len() {
            return Err(damaged());
        }
        Ok(dir)
    }

    fn data_start(&self) -> usize {
        1 + self.n * DIR_ENTRY
    }

    fn slot(&self, i: usize) -> u8 {
        self.buf[1 + i * DIR_ENTRY]
    }

    fn end(&self, i: usize) -> usize {
        let at = 1 + i * DIR_ENTRY + 1;
        let b: [u8; 4] = [self.buf[at], self.buf[at + 1], self.buf[at + 2], self.buf[at + 3]];
        u32::from_le_bytes(b) as usize
    }

    /// The byte range (within the whole page) of directory entry `i`'s image.
    fn image(&self, i: usize) -> Range<usize> {
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        self.data_start() + start..self.data_start() + self.end(i)
    }

    /// Every entry's slot and image range, in one pass (each image starts
    /// where the one before it ends). Infallible, as [`Directory::parse`]
    /// checked the ends: a `Result` per row, moved out of a call through
    /// memory, was a fifth of a `count(*)`'s time. It reads each entry's end
    /// from the chunk in hand rather than through [`Directory::end`]: a
    /// shared helper taking a slice measured 4–7% slower on a top-5 scan.
    fn rows(self) -> impl Iterator<Item = (u8, Range<usize>)> + 'a {
        let data = self.data_start();
        let mut start = data;
        self.buf[1..data].chunks_exact(DIR_ENTRY).map(move |entry| {
            let end = data + u32::from_le_bytes([entry[1], entry[2], entry[3], entry[4]]) as usize;
            let range = start..end;
            start = end;
            (entry[0], range)
        })
    }
}

/// Encodes a page from its rows, in ascending slot order. `None` when there
/// are none (the page is then deleted). The page is built in place in the
/// buffer it is stored from: a commit that adds one row to a page rewrites
/// the page, so this runs once per touched page per commit.
///
/// # Errors
/// `Mismatch` when the rows together pass 4 GiB, the most one stored value
/// (and a page's u32 offsets) can hold.
pub fn encode<'a>(rows: impl Iterator<Item = (u8, &'a [u8])> + Clone) -> Result<Option<Bytes>> {
    let n = rows.clone().count();
    if n == 0 {
        return Ok(None);
    }
    let data: usize = rows.clone().map(|(_, image)| image.len()).sum();
    if u32::try_from(data).is_err() {
        return Err(Error::Mismatch(format!(
            "{n} neighbouring rows hold {data} bytes, more than the 4 GiB one row page can store \
             (store large values in fewer rows, or in a table keyed by something other than an integer)"
        )));
    }
    let start = 1 + n * DIR_ENTRY;
    let mut out = ByteView::builder(start + data);
    out[0] = n as u8;
    let (mut dir, mut at, mut end) = (1, start, 0u32);
    for (slot, image) in rows {
        end += image.len() as u32;
        out[dir] = slot;
        out[dir + 1..dir + DIR_ENTRY].copy_from_slice(&end.to_le_bytes());
        out[at..at + image.len()].copy_from_slice(image);
        dir += DIR_ENTRY;
        at += image.len();
    }
    Ok(Some(Bytes::from(out.freeze())))
}

/// The image of the row in `slot` of `page`, sharing the page's memory.
///
/// # Errors
/// `Corrupt` for a damaged page.
pub fn get(page: Bytes, slot: u8) -> Result<Option<Bytes>> {
    let Some(range) = image_range(&page, slot)? else { return Ok(None) };
    Ok(Some(Bytes::from(ByteView::from(page).slice(range))))
}

/// The byte range of `slot`'s image in `page`, if the page holds the slot.
///
/// A point read checks only what it relies on (the entry count, the
/// directory's length, that the image lies within the page, and that the
/// last image ends where the page does) rather than
/// the whole directory as [`Directory::parse`] does: that check, 64 entries
/// for one row, was a sixth of a point lookup's time. A damaged entry
/// elsewhere in the page is still found by any read that walks the page.
fn image_range(page: &[u8], slot: u8) -> Result<Option<Range<usize>>> {
    let n = *page.first().ok_or_else(damaged)? as usize;
    let data = 1 + n * DIR_ENTRY;
    if n == 0 || n > PAGE_SLOTS || page.len() < data {
        return Err(damaged());
    }
    let entries = &page[1..data];
    let slot_at = |i: usize| entries[i * DIR_ENTRY];
    let end_at = |i: usize| {
        let e = &entries[i * DIR_ENTRY + 1..(i + 1) * DIR_ENTRY];
        u32::from_le_bytes([e[0], e[1], e[2], e[3]]) as usize
    };
    // Slots ascend, so in a full page slot i is entry i.
    let guess = usize::from(slot).min(n - 1);
    let i = if slot_at(guess) == slot {
        guess
    } else {
        match (0..n).find(|&i| slot_at(i) == slot) {
            Some(i) => i,
            None => return Ok(None),
        }
    };
    let start = if i == 0 { 0 } else { end_at(i - 1) };
    let end = end_at(i);
    // The last entry ends where the page does: a truncated page is caught.
    if start > end || end > end_at(n - 1) || data + end_at(n - 1) != page.len() {
        return Err(damaged());
    }
    Ok(Some(data + start..data + end))
}

/// The rows of `page` in slot order: each slot with its image's byte range
/// in the page.
///
/// # Errors
/// `Corrupt` for a damaged page.
pub fn row_ranges(page: &[u8]) -> Result<impl Iterator<Item = (u8, Range<usize>)> + '_> {
    Ok(Directory::parse(page)?.rows())
}

/// Calls `f` with every row of `page` in slot order: its slot and its image
/// (sharing the page's memory, no copy).
///
/// # Errors
/// `Corrupt` for a damaged page.
pub fn for_each_row(page: &Bytes, mut f: impl FnMut(u8, Bytes)) -> Result<()> {
    let view = ByteView::from(page.clone());
    for (slot, range) in row_ranges(page)? {
        f(slot, Bytes::from(view.slice(range)));
    }
    Ok(())
}

/// The page after applying `changes` (slot → new image, `None` deleting
/// the row) to `old`: what a commit writes, `None` when no row is left.
///
/// # Errors
/// `Corrupt` for a damaged old page.
pub fn apply<'a>(
    old: Option<&'a [u8]>,
    changes: impl IntoIterator<Item = (u8, Option<&'a [u8]>)>,
) -> Result<Option<Bytes>> {
    let mut rows: [Option<&[u8]>; PAGE_SLOTS] = [None; PAGE_SLOTS];
    if let Some(old) = old {
        let dir = Directory::parse(old)?;
        for i in 0..dir.n {
            let slot = dir.slot(i) as usize;
            *rows.get_mut(slot).ok_or_else(damaged)? = Some(&old[dir.image(i)]);
        }
    }
    for (slot, image) in changes {
        rows[slot as usize % PAGE_SLOTS] = image;
    }
    encode(rows.iter().enumerate().filter_map(|(slot, image)| image.map(|image| (slot as u8, image))))
}

/// The rows of the `rows` entries `raw` yields (pages and row-per-entry
/// entries in key order), limited to `lo..hi`, ascending or, with
/// `reverse`, descending (then `raw` must be descending too).
pub fn expand<'a>(raw: KvIter<'a>, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>, reverse: bool) -> KvIter<'a> {
    Box::new(Expand { raw, bounds: Bounds { lo, hi, reverse }, page: None, done: false })
}

/// The same rows as [`expand`] (ascending), a page at a time: each page's
/// in-range rows form one batch, and rows stored one per entry are
/// gathered into batches of up to [`PAGE_SLOTS`].
pub fn expand_batches<'a>(raw: KvIter<'a>, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> BatchIter<'a> {
    Box::new(ExpandBatches {
        raw,
        bounds: Bounds { lo, hi, reverse: false },
        loose: Vec::new(),
        next_page: None,
        done: false,
    })
}

/// The key range a read of pages is cut to, and its direction (also used
/// by `index_pages`).
pub(super) struct Bounds {
    pub(super) lo: Bound<Vec<u8>>,
    pub(super) hi: Bound<Vec<u8>>,
    pub(super) reverse: bool,
}

impl Bounds {
    fn below_lo(&self, key: &[u8]) -> bool {
        match &self.lo {
            Bound::Included(lo) => key < lo.as_slice(),
            Bound::Excluded(lo) => key <= lo.as_slice(),
            Bound::Unbounded => false,
        }
    }

    fn above_hi(&self, key: &[u8]) -> bool {
        match &self.hi {
            Bound::Included(hi) => key > hi.as_slice(),
            Bound::Excluded(hi) => key >= hi.as_slice(),
            Bound::Unbounded => false,
        }
    }

    /// Whether a key lies past the end the iteration walks towards (so
    /// nothing after it can be in range).
    pub(super) fn past_end(&self, key: &[u8]) -> bool {
        if self.reverse {
            self.below_lo(key)
        } else {
            self.above_hi(key)
        }
    }

    /// Whether a key lies before the start of the range (the iteration has
    /// not reached it yet).
    pub(super) fn before_start(&self, key: &[u8]) -> bool {
        if self.reverse {
            self.above_hi(key)
        } else {
            self.below_lo(key)
        }
    }
}

/// Expands pages into rows, one row per item.
struct Expand<'a> {
    raw: KvIter<'a>,
    bounds: Bounds,
    page: Option<OpenPage>,
    done: bool,
}

/// A page being handed out row by row.
struct OpenPage {
    key: [u8; PAGE_KEY_LEN],
    bytes: ByteView,
    /// (slot, image range) in the order they are handed out.
    rows: std::vec::IntoIter<(u8, Range<usize>)>,
}

impl Expand<'_> {
    fn open(&mut self, key: &[u8], value: Bytes) -> Result<()> {
        let mut page_key = [0u8; PAGE_KEY_LEN];
        page_key.copy_from_slice(key);
        let mut rows: Vec<_> = Directory::parse(&value)?.rows().collect();
        if self.bounds.reverse {
            rows.reverse();
        }
        self.page = Some(OpenPage { key: page_key, bytes: ByteView::from(value), rows: rows.into_iter() });
        Ok(())
    }
}

impl Iterator for Expand<'_> {
    type Item = Result<(Bytes, Bytes)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if let Some(page) = &mut self.page {
                if let Some((slot, range)) = page.rows.next() {
                    let key = keys::page_row_key(&page.key, slot);
                    let image = page.bytes.slice(range);
                    if self.bounds.past_end(&key) {
                        self.done = true;
                        return None;
                    }
                    if self.bounds.before_start(&key) {
                        continue;
                    }
                    return Some(Ok((Bytes::from(&key[..]), Bytes::from(image))));
                }
                self.page = None;
            }
            let (key, value) = match self.raw.next()? {
                Ok(kv) => kv,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if keys::is_page_key(&key) {
                if let Err(e) = self.open(&key, value) {
                    self.done = true;
                    return Some(Err(e));
                }
                continue;
            }
            // A row stored on its own (any key but one integer). The raw
            // range was only widened for pages, so it is in range unless it
            // lies past the end.
            if self.bounds.past_end(&key) {
                self.done = true;
                return None;
            }
            if !self.bounds.before_start(&key) {
                return Some(Ok((key, value)));
            }
        }
    }
}

/// Expands pages into batches of rows, one page per batch.
struct ExpandBatches<'a> {
    raw: KvIter<'a>,
    bounds: Bounds,
    /// Rows stored one per entry, gathered until a page or the end.
    loose: Vec<(Bytes, Bytes)>,
    /// A page batch waiting for the loose rows before it to go out.
    next_page: Option<RowBatch>,
    done: bool,
}

impl ExpandBatches<'_> {
    /// The in-range rows of the page under `key`; sets `done` when the
    /// range ends inside it.
    fn page(&mut self, key: &[u8], value: Bytes) -> Result<RowBatch> {
        let mut page_key = [0u8; PAGE_KEY_LEN];
        page_key.copy_from_slice(key);
        let dir = Directory::parse(&value)?;
        let mut rows = Vec::with_capacity(dir.n);
        // Most pages of a scan lie wholly inside its range: then no row
        // needs its own bound checks.
        let inside = |i: usize| {
            let key = keys::page_row_key(&page_key, dir.slot(i));
            !self.bounds.before_start(&key) && !self.bounds.past_end(&key)
        };
        if inside(0) && inside(dir.n - 1) {
            rows.extend(dir.rows());
            return Ok(RowBatch::page(page_key, value, rows));
        }
        for i in 0..dir.n {
            let row_key = keys::page_row_key(&page_key, dir.slot(i));
            if self.bounds.past_end(&row_key) {
                self.done = true;
                break;
            }
            if !self.bounds.before_start(&row_key) {
                rows.push((dir.slot(i), dir.image(i)));
            }
        }
        Ok(RowBatch::page(page_key, value, rows))
    }

    fn take_loose(&mut self) -> Option<Result<RowBatch>> {
        (!self.loose.is_empty()).then(|| Ok(RowBatch::entries(std::mem::take(&mut self.loose))))
    }
}

impl Iterator for ExpandBatches<'_> {
    type Item = Result<RowBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(page) = self.next_page.take() {
                return Some(Ok(page));
            }
            if self.done {
                return self.take_loose();
            }
            let (key, value) = match self.raw.next() {
                Some(Ok(kv)) => kv,
                Some(Err(e)) => {
                    self.done = true;
                    self.loose.clear();
                    return Some(Err(e));
                }
                None => {
                    self.done = true;
                    continue;
                }
            };
            if keys::is_page_key(&key) {
                let page = match self.page(&key, value) {
                    Ok(page) => page,
                    Err(e) => {
                        self.done = true;
                        self.loose.clear();
                        return Some(Err(e));
                    }
                };
                if !page.is_empty() {
                    self.next_page = Some(page);
                }
                if let Some(loose) = self.take_loose() {
                    return Some(loose);
                }
                continue;
            }
            // A row on its own: in range unless past the end (see `Expand`).
            if self.bounds.past_end(&key) {
                self.done = true;
                continue;
            }
            if !self.bounds.before_start(&key) {
                self.loose.push((key, value));
                if self.loose.len() == PAGE_SLOTS {
                    return self.take_loose();
                }
            }
        }
    }
}

/// The bounds of the raw read behind a `rows` range read of `lo..hi`: each
/// widened to take in the page its key falls into.
pub fn raw_bounds(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let widen = |b: &Bound<Vec<u8>>, lower: bool| -> Bound<Vec<u8>> {
        let key = match b {
            Bound::Included(k) | Bound::Excluded(k) => k,
            Bound::Unbounded => return Bound::Unbounded,
        };
        match keys::page_around(key) {
            Some(page) if (lower && page[..] < key[..]) || (!lower && page[..] > key[..]) => {
                Bound::Included(page.to_vec())
            }
            _ => b.clone(),
        }
    };
    (widen(lo, true), widen(hi, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rows: &[(u8, &[u8])]) -> Vec<u8> {
        encode(rows.iter().copied()).unwrap().map_or_else(Vec::new, |p| p.to_vec())
    }

    #[test]
    fn rows_read_back_by_slot() {
        let p = Bytes::from(page(&[(0, b"zero"), (5, b""), (63, b"last")]));
        assert_eq!(get(p.clone(), 0).unwrap().as_deref(), Some(&b"zero"[..]));
        assert_eq!(get(p.clone(), 5).unwrap().as_deref(), Some(&b""[..]));
        assert_eq!(get(p.clone(), 63).unwrap().as_deref(), Some(&b"last"[..]));
        assert_eq!(get(p, 6).unwrap(), None);
    }

    #[test]
    fn point_reads_of_full_and_sparse_pages() {
        let images: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; usize::from(i % 5)]).collect();
        let full = Bytes::from(page(&images.iter().enumerate().map(|(i, v)| (i as u8, &v[..])).collect::<Vec<_>>()));
        for slot in 0..64u8 {
            assert_eq!(get(full.clone(), slot).unwrap().as_deref(), Some(&images[usize::from(slot)][..]));
        }
        // Slot 9 is the second entry: the guess (entry 9) is past the end.
        let sparse = Bytes::from(page(&[(3, b"three"), (9, b"nine"), (40, b"forty")]));
        assert_eq!(get(sparse.clone(), 9).unwrap().as_deref(), Some(&b"nine"[..]));
        assert_eq!(get(sparse.clone(), 40).unwrap().as_deref(), Some(&b"forty"[..]));
        assert_eq!(get(sparse.clone(), 2).unwrap(), None);
        assert_eq!(get(sparse, 63).unwrap(), None);
    }

    /// A point read of a damaged page is an error, never a panic or an
    /// image read from outside the page.
    #[test]
    fn point_reads_of_damaged_pages_are_errors() {
        let good = page(&[(0, b"zero"), (1, b"one")]);
        let mut cases: Vec<Vec<u8>> =
            vec![Vec::new(), vec![0], vec![65], good[..good.len() - 1].to_vec(), good[..6].to_vec()];
        // Entry 1's end (bytes 7..11) past the page, and below entry 0's end.
        let mut past = good.clone();
        past[7..11].copy_from_slice(&100u32.to_le_bytes());
        cases.push(past);
        let mut backwards = good.clone();
        backwards[7..11].copy_from_slice(&1u32.to_le_bytes());
        cases.push(backwards);
        for case in cases {
            assert!(matches!(get(Bytes::from(&case[..]), 1), Err(Error::Corrupt(_))), "{case:?}");
        }
    }

    #[test]
    fn apply_inserts_replaces_and_deletes() {
        let old = page(&[(1, b"a"), (2, b"b")]);
        let new = apply(Some(&old), [(2, None), (0, Some(&b"z"[..])), (1, Some(&b"A"[..]))]).unwrap().unwrap();
        assert_eq!(new.to_vec(), page(&[(0, b"z"), (1, b"A")]));
        assert_eq!(apply(Some(&new), [(0, None), (1, None)]).unwrap(), None);
        assert_eq!(apply(None, [(9, Some(&b"n"[..]))]).unwrap().map(|p| p.to_vec()), Some(page(&[(9, b"n")])));
    }

    /// Flattened batches against the row-at-a-time expansion, for bounds
    /// that cut pages, fall between them and take in loose rows.
    #[test]
    fn batches_hold_exactly_the_rows_expand_yields() {
        let key = |rowid: i64| keys::rowid_key(7, rowid);
        let text = |s: &str| keys::row_key(7, &[&crate::Value::Text(s.into())]);
        let page_at = |rowid: i64, slots: &[u8]| {
            let images: Vec<Vec<u8>> = slots.iter().map(|s| vec![*s; usize::from(*s % 3)]).collect();
            let rows: Vec<(u8, &[u8])> = slots.iter().zip(&images).map(|(s, i)| (*s, &i[..])).collect();
            (keys::page_of(&key(rowid)).unwrap().0.to_vec(), page(&rows))
        };
        let mut raw: Vec<(Vec<u8>, Vec<u8>)> = vec![
            page_at(-128, &[0, 7, 63]),
            page_at(0, &[0, 1, 5, 63]),
            page_at(64, &[0, 2, 3]),
            page_at(640, &(0..64).collect::<Vec<u8>>()),
        ];
        // Loose rows sort after the pages of the same table (text keys).
        raw.extend((0..70).map(|i| (text(&format!("k{i:03}")), vec![i])));
        raw.sort();
        let kv = |raw: &[(Vec<u8>, Vec<u8>)]| -> KvIter<'static> {
            let owned: Vec<Result<(Bytes, Bytes)>> =
                raw.iter().map(|(k, v)| Ok((Bytes::from(&k[..]), Bytes::from(&v[..])))).collect();
            Box::new(owned.into_iter())
        };
        let bounds = [
            (Bound::Unbounded, Bound::Unbounded),
            (Bound::Included(key(1)), Bound::Excluded(key(66))),
            (Bound::Excluded(key(1)), Bound::Included(key(67))),
            (Bound::Included(key(6)), Bound::Excluded(key(63))),
            (Bound::Included(key(100)), Bound::Excluded(key(600))),
            (Bound::Included(key(650)), Bound::Included(text("k010"))),
            (Bound::Excluded(text("k003")), Bound::Unbounded),
        ];
        for (lo, hi) in bounds {
            let want: Vec<(Vec<u8>, Vec<u8>)> = expand(kv(&raw), lo.clone(), hi.clone(), false)
                .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())))
                .collect::<Result<_>>()
                .unwrap();
            let mut got = Vec::new();
            for batch in expand_batches(kv(&raw), lo.clone(), hi.clone()) {
                let batch = batch.unwrap();
                assert!(!batch.is_empty() && batch.len() <= PAGE_SLOTS);
                for i in 0..batch.len() {
                    // The rowid read without the key is the key's.
                    assert_eq!(batch.rowid(i), keys::decode_rowid(&batch.key(i)), "row {i} of a batch");
                    got.push((batch.key(i).to_vec(), batch.image(i).to_vec()));
                }
            }
            assert_eq!(got, want, "{lo:?}..{hi:?}");
        }
        // A damaged page ends the batches with an error.
        let mut bad = raw.clone();
        bad[1].1.truncate(3);
        let results: Vec<bool> =
            expand_batches(kv(&bad), Bound::Unbounded, Bound::Unbounded).map(|b| b.is_ok()).collect();
        assert_eq!(results, vec![true, false]);
    }

    #[test]
    fn damaged_pages_are_errors_not_panics() {
        let good = page(&[(1, b"abc"), (7, b"defg")]);
        for cut in 0..good.len() {
            assert!(get(Bytes::from(&good[..cut]), 1).is_err(), "cut at {cut}");
        }
        let mut bad_end = good.clone();
        bad_end[2] = 200; // first end past the data
        assert!(get(Bytes::from(bad_end), 1).is_err());
        let mut too_many = good.clone();
        too_many[0] = 65;
        assert!(apply(Some(&too_many), []).is_err());
        // Any byte of the directory changed: an error or rows that lie
        // inside the page, never a panic (the reads after `parse` trust it).
        for at in 0..1 + 2 * DIR_ENTRY {
            for v in [0u8, 1, 2, 3, 6, 7, 8, 64, 255] {
                let mut page = good.clone();
                page[at] = v;
                for slot in 0..=8 {
                    let _ = get(Bytes::from(page.clone()), slot);
                }
                if let Ok(rows) = row_ranges(&page) {
                    for (_, range) in rows {
                        assert!(range.start <= range.end && range.end <= page.len(), "byte {at} = {v}");
                    }
                }
                let _ = apply(Some(&page), []);
            }
        }
    }
}
