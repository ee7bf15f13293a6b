//! Index pages: secondary-index entries packed up to 64 to an LSM entry of
//! `index`, read back one entry at a time, and written back by a commit.
//!
//! Why: a range read through an index paid fjall's per-entry cost (a merge
//! step across memtables and table files, a key comparison, an MVCC check)
//! for every entry, about as much as the rest of the read together. A page
//! pays it once for up to 64 entries, as row pages do ([`super::pages`]).
//!
//! Index keys are not integers, so a page cannot be found by arithmetic on
//! the key as a row page is. A page is stored under its **fence**, the
//! greatest key it may hold, and every entry lives in the page with the
//! smallest fence at or above its key. So a point read is one forward seek
//! (the first stored key at or after the entry's key) and a look in that
//! page, and a range read walks the pages from there (a seek is bounded by
//! [`keys::index_end_fence`], above every key of the index). A key above
//! every fence goes to the index's last page, which is then fenced anew by
//! its new last key. Why not a fixed fence above every key for the last
//! page: autocommit appends (an index on a rising column) rewrite that page
//! on every commit, and fjall's iterators walk every version of a key still
//! held in the memtable, so a read of the index's tail would slow with each
//! commit until a flush; a fence that moves leaves one tombstone per
//! append instead. What the layers above [`super::kv`] see is unchanged:
//! `(index key, row key)` pairs.
//!
//! ```text
//! n (u16 LE, 1..) ‖ n × (key end u32 LE ‖ value end u32 LE) ‖ key₀ value₀ key₁ value₁ …
//! ```
//!
//! Ends count from the start of the data; entries are in ascending key
//! order; entry i's key starts where entry i−1's value ends.
//!
//! A transaction keeps its index writes per key; its commit ([`commit`])
//! walks them in key order, reads each page they fall in once, merges, and
//! writes the page back, split where it passes [`MAX_ENTRIES`] entries or
//! [`MAX_BYTES`] bytes, or deletes it when no entry is left. Pages that
//! shrink are not merged with their neighbours: a page holds at least one
//! entry, never an empty range.

use super::batch::{BatchIter, RowBatch};
use super::keys;
use super::kv::{BatchEntry, Bytes, Ks, KvIter};
use super::pages::Bounds;
use crate::error::{Error, Result};
use byteview::ByteView;
use std::ops::{Bound, Range};

/// Entries a page holds at most (as a row page holds 64 rows).
pub const MAX_ENTRIES: usize = 64;
/// Bytes of entries past which a page is split even with fewer entries
/// (long keys): a point read decodes one page, which should stay small.
pub const MAX_BYTES: usize = 8 << 10;

const DIR_ENTRY: usize = 8;

fn damaged() -> Error {
    Error::Corrupt("an index page is damaged".into())
}

/// A page's directory, read in place.
#[derive(Clone, Copy)]
struct Page<'a> {
    buf: &'a [u8],
    n: usize,
}

impl<'a> Page<'a> {
    /// The page in `buf`, its directory checked whole (ends that never
    /// decrease, the last at the page's end), so reading an entry cannot
    /// fail afterwards. Key order is not checked: a page out of order gives
    /// wrong answers, not a crash, and checking it would cost a comparison
    /// per entry on every read.
    fn parse(buf: &'a [u8]) -> Result<Page<'a>> {
        let n = match buf {
            [a, b, ..] => u16::from_le_bytes([*a, *b]) as usize,
            _ => return Err(damaged()),
        };
        if n == 0 || buf.len() < 2 + n * DIR_ENTRY {
            return Err(damaged());
        }
        let page = Page { buf, n };
        let mut last = 0;
        for i in 0..n {
            let (k, v) = page.ends(i);
            if k < last || v < k {
                return Err(damaged());
            }
            last = v;
        }
        if page.data_start() + last != buf.len() {
            return Err(damaged());
        }
        Ok(page)
    }

    fn data_start(&self) -> usize {
        2 + self.n * DIR_ENTRY
    }

    fn ends(&self, i: usize) -> (usize, usize) {
        let at = 2 + i * DIR_ENTRY;
        let b = &self.buf[at..at + DIR_ENTRY];
        (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize)
    }

    /// The byte ranges (within the page) of entry `i`'s key and value.
    fn entry(&self, i: usize) -> EntryRanges {
        let start = if i == 0 { 0 } else { self.ends(i - 1).1 };
        let (k, v) = self.ends(i);
        let d = self.data_start();
        (d + start..d + k, d + k..d + v)
    }

    fn key(&self, i: usize) -> &'a [u8] {
        &self.buf[self.entry(i).0]
    }

    fn value(&self, i: usize) -> &'a [u8] {
        &self.buf[self.entry(i).1]
    }

    /// Binary search for `key`: its entry, or where it would go.
    fn find(&self, key: &[u8]) -> std::result::Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }
}

/// Encodes a page from its entries, in ascending key order (at least one).
///
/// # Errors
/// `Mismatch` when the entries pass 4 GiB (a page's u32 ends); pages are
/// split long before that, so only keys near fjall's limit could.
fn encode(entries: &[(&[u8], &[u8])]) -> Result<Bytes> {
    let data: usize = entries.iter().map(|(k, v)| k.len() + v.len()).sum();
    if u32::try_from(data).is_err() || entries.len() > usize::from(u16::MAX) {
        return Err(Error::Mismatch(format!(
            "{} index entries of {data} bytes do not fit one index page",
            entries.len()
        )));
    }
    let start = 2 + entries.len() * DIR_ENTRY;
    let mut out = ByteView::builder(start + data);
    out[0..2].copy_from_slice(&(entries.len() as u16).to_le_bytes());
    let (mut dir, mut at) = (2, start);
    for (k, v) in entries {
        out[at..at + k.len()].copy_from_slice(k);
        at += k.len();
        let key_end = (at - start) as u32;
        out[at..at + v.len()].copy_from_slice(v);
        at += v.len();
        let value_end = (at - start) as u32;
        out[dir..dir + 4].copy_from_slice(&key_end.to_le_bytes());
        out[dir + 4..dir + DIR_ENTRY].copy_from_slice(&value_end.to_le_bytes());
        dir += DIR_ENTRY;
    }
    Ok(Bytes::from(out.freeze()))
}

/// The value of `key` in `page` (the page a forward seek from `key`
/// found), sharing the page's memory.
///
/// # Errors
/// `Corrupt` for a damaged page.
pub fn get(page: Bytes, key: &[u8]) -> Result<Option<Bytes>> {
    let range = {
        let p = Page::parse(&page)?;
        match p.find(key) {
            Ok(i) => p.entry(i).1,
            Err(_) => return Ok(None),
        }
    };
    Ok(Some(Bytes::from(ByteView::from(page).slice(range))))
}

/// The stored-page range a forward read of the entries in `lo..hi` walks:
/// from the first page that may hold `lo` to the last page of `hi`'s
/// index (the read stops at the first entry past `hi`, so it opens pages
/// only as far as the range goes).
pub fn raw_bounds(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let raw_lo = match lo {
        Bound::Included(k) | Bound::Excluded(k) => Bound::Included(k.clone()),
        Bound::Unbounded => Bound::Unbounded,
    };
    let raw_hi = match hi {
        // The end of a whole index: the next index id (or a shorter prefix
        // successor), below which every page of the indexes before it is
        // fenced. Not that id's own end fence: the read would reach into
        // the next index's first page, and the range would not lie within
        // one index (see `table_keys`).
        Bound::Excluded(k) if k.len() <= 4 => Bound::Excluded(k.clone()),
        Bound::Included(k) | Bound::Excluded(k) => keys::index_end_fence(k).map_or(Bound::Unbounded, Bound::Included),
        Bound::Unbounded => Bound::Unbounded,
    };
    (raw_lo, raw_hi)
}

/// The entries of the pages `raw` yields (ascending, or descending with
/// `reverse`), limited to `lo..hi`.
pub fn expand<'a>(raw: KvIter<'a>, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>, reverse: bool) -> KvIter<'a> {
    Box::new(Expand { raw, bounds: Bounds { lo, hi, reverse }, page: None, done: false })
}

/// Where entry i's key and value lie within its page.
type EntryRanges = (Range<usize>, Range<usize>);

/// The (key, value) ranges of `page`'s entries that lie in `bounds`, in
/// the order the read walks them, and whether the page reaches past the
/// read's end (no later page can hold an entry in range). What both the
/// entry-at-a-time and the batch read take from a page.
///
/// # Errors
/// `Corrupt` for a damaged page.
fn entries_in(page: &[u8], bounds: &Bounds) -> Result<(Vec<EntryRanges>, bool)> {
    let p = Page::parse(page)?;
    let mut entries = Vec::with_capacity(p.n);
    let at = |j: usize| p.entry(if bounds.reverse { p.n - 1 - j } else { j });
    if p.n == 0 {
        return Ok((entries, false));
    }
    // Keys rise through a page (fall, read backwards): when its first entry
    // in read order is not before the start, none is, and when its last is
    // not past the end, none is. A page inside the range then costs two
    // comparisons instead of two per entry (a fifth of a long index count).
    let check_start = bounds.before_start(&page[at(0).0]);
    let check_end = bounds.past_end(&page[at(p.n - 1).0]);
    for j in 0..p.n {
        let (k, v) = at(j);
        if check_end && bounds.past_end(&page[k.clone()]) {
            return Ok((entries, true));
        }
        if check_start && bounds.before_start(&page[k.clone()]) {
            continue;
        }
        entries.push((k, v));
    }
    Ok((entries, false))
}

/// Expands pages into entries, one entry per item.
struct Expand<'a> {
    raw: KvIter<'a>,
    bounds: Bounds,
    /// The page being handed out, and its in-range entries' (key, value)
    /// ranges in the order they go out.
    page: Option<(ByteView, std::vec::IntoIter<EntryRanges>)>,
    /// No page after the current one is read (the range ended, or a read failed).
    done: bool,
}

impl Iterator for Expand<'_> {
    type Item = Result<(Bytes, Bytes)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((bytes, entries)) = &mut self.page {
                if let Some((k, v)) = entries.next() {
                    return Some(Ok((Bytes::from(bytes.slice(k)), Bytes::from(bytes.slice(v)))));
                }
                self.page = None;
            }
            if self.done {
                return None;
            }
            let in_range = match self.raw.next()? {
                Ok((_, page)) => entries_in(&page, &self.bounds).map(|found| (page, found)),
                Err(e) => Err(e),
            };
            match in_range {
                Ok((page, (entries, past_end))) => {
                    self.done = past_end;
                    self.page = Some((ByteView::from(page), entries.into_iter()));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// The entries in `lo..hi` of the pages `raw` yields in ascending order, a
/// page's worth to a batch that refers into the page (no per-entry
/// slices: a range count reads each entry once and keeps none).
pub fn expand_batches<'a>(raw: KvIter<'a>, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> BatchIter<'a> {
    let bounds = Bounds { lo, hi, reverse: false };
    let mut raw = raw.fuse();
    let mut done = false;
    Box::new(std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        let in_range = match raw.next()? {
            Ok((_, page)) => entries_in(&page, &bounds).map(|found| (page, found)),
            Err(e) => Err(e),
        };
        match in_range {
            Ok((page, (entries, past_end))) => {
                done = past_end;
                if !entries.is_empty() {
                    return Some(Ok(RowBatch::ranges(page, entries)));
                }
            }
            Err(e) => {
                done = true;
                return Some(Err(e));
            }
        }
    }))
}

/// A stored page: its fence and its value.
type StoredPage = (Bytes, Bytes);

/// Writes a transaction's index changes (`writes`, in ascending key order;
/// `None` deletes) into pages, adding the page writes to `out`. Each page
/// the changes fall in is read once through `page_at(key)`, from the
/// committed state the transaction's writes go on top of: the page that
/// holds `key` (the first fenced at or above it), or when no page is, the
/// index's last page (fenced below `key`), which keys past every fence
/// extend, or `None` for an index without pages.
///
/// # Errors
/// `Corrupt` for a damaged page or a key too short to be an index key;
/// storage errors from `page_at`.
pub fn commit(
    writes: impl IntoIterator<Item = (Vec<u8>, Option<Bytes>)>,
    mut page_at: impl FnMut(&[u8]) -> Result<Option<StoredPage>>,
    out: &mut Vec<BatchEntry>,
) -> Result<()> {
    let mut writes = writes.into_iter().peekable();
    // A lookup made ahead for the next write (see below), reused for it.
    let mut ahead: Option<(Vec<u8>, Option<StoredPage>)> = None;
    while let Some((first, _)) = writes.peek() {
        let end = keys::index_end_fence(first).ok_or_else(damaged)?;
        let found = match ahead.take() {
            Some((key, found)) if key == *first => found,
            _ => page_at(first)?,
        };
        // The page holds the writes up to its fence; past the last fence,
        // the last page takes every write left in the index, and its parts
        // are fenced by their own last keys.
        let mut holds = found.as_ref().is_some_and(|(fence, _)| fence[..] >= first[..]);
        let upto = match &found {
            Some((fence, _)) if holds => fence.to_vec(),
            _ => end.clone(),
        };
        let mut mine = Vec::new();
        while let Some(w) = writes.next_if(|(k, _)| *k <= upto) {
            mine.push(w);
        }
        // When writes of this index go on past the page, look their page up
        // now: if it is this one (the index's last page, which they
        // extend), it takes them too, rather than being read again from the
        // committed state and written twice.
        if let Some(next) = writes.peek().filter(|(k, _)| holds && *k <= end).map(|(k, _)| k.clone()) {
            let next_found = page_at(&next)?;
            if next_found.as_ref().is_some_and(|(fence, _)| fence[..] == upto[..]) {
                while let Some(w) = writes.next_if(|(k, _)| *k <= end) {
                    mine.push(w);
                }
                holds = false;
            } else {
                ahead = Some((next, next_found));
            }
        }
        let (old_fence, old) = match found {
            Some((fence, page)) => (Some(fence.to_vec()), Some(page)),
            None => (None, None),
        };
        let old_page = old.as_deref().map(Page::parse).transpose()?;
        let merged = merge(old_page, &mine);
        let keep = if holds { old_fence.clone() } else { None };
        write_pages(old_fence, keep, !holds, &merged, out)?;
    }
    Ok(())
}

/// Pages for `entries` (ascending, all of one index, none stored yet),
/// full from the front and each fenced by its last key (an upgrade packs
/// an index so).
///
/// # Errors
/// `Mismatch` when one entry is too large for a page.
pub(crate) fn pack(entries: &[(&[u8], &[u8])], out: &mut Vec<BatchEntry>) -> Result<()> {
    write_pages(None, None, true, entries, out)
}

/// A page's entries after `writes` (ascending, all within the page).
fn merge<'a>(old: Option<Page<'a>>, writes: &'a [(Vec<u8>, Option<Bytes>)]) -> Vec<(&'a [u8], &'a [u8])> {
    let n = old.map_or(0, |p| p.n);
    let mut merged = Vec::with_capacity(n + writes.len());
    let (mut i, mut w) = (0, 0);
    while i < n || w < writes.len() {
        let from_old = match (old.filter(|_| i < n), writes.get(w)) {
            (Some(p), Some((k, _))) => match p.key(i).cmp(k.as_slice()) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Equal => {
                    i += 1; // replaced or deleted by the write
                    false
                }
                std::cmp::Ordering::Greater => false,
            },
            (Some(_), None) => true,
            _ => false,
        };
        if from_old {
            if let Some(p) = old {
                merged.push((p.key(i), p.value(i)));
            }
            i += 1;
        } else if let Some((k, v)) = writes.get(w) {
            if let Some(v) = v {
                merged.push((k.as_slice(), &v[..]));
            }
            w += 1;
        }
    }
    merged
}

/// Writes the entries of a page: split into pages where it overflows (full
/// from the front when `greedy`), each fenced by its last key except that
/// the last keeps `keep` when given. The page stored under `old` (if any)
/// is deleted unless one of the new pages reuses its key.
fn write_pages(
    old: Option<Vec<u8>>,
    keep: Option<Vec<u8>>,
    greedy: bool,
    entries: &[(&[u8], &[u8])],
    out: &mut Vec<BatchEntry>,
) -> Result<()> {
    let parts = if entries.is_empty() { Vec::new() } else { split(entries, greedy) };
    let count = parts.len();
    let mut reused = false;
    for (i, part) in parts.into_iter().enumerate() {
        let part = &entries[part];
        let key = match (&keep, part.last()) {
            (Some(fence), _) if i + 1 == count => fence.clone(),
            (_, Some((k, _))) => k.to_vec(),
            (_, None) => continue,
        };
        reused |= old.as_ref().is_some_and(|o| *o == key);
        out.push((Ks::Index, key, Some(encode(part)?)));
    }
    if let Some(old) = old.filter(|_| !reused) {
        out.push((Ks::Index, old, None));
    }
    Ok(())
}

/// Where a page's entries are cut into pages. The last page of an index,
/// extended by keys past every fence (ascending keys arrive there), is cut
/// into full pages from the front (`greedy`), so a load in key order leaves
/// full pages behind it; any other page into equal parts, so random inserts
/// find room in both halves.
fn split(entries: &[(&[u8], &[u8])], greedy: bool) -> Vec<Range<usize>> {
    let size = |(k, v): &(&[u8], &[u8])| k.len() + v.len() + DIR_ENTRY;
    let total: usize = entries.iter().map(size).sum();
    let n = entries.len();
    if n <= MAX_ENTRIES && total <= MAX_BYTES {
        return std::iter::once(0..n).collect();
    }
    let (max_entries, max_bytes) = if greedy {
        (MAX_ENTRIES, MAX_BYTES)
    } else {
        let parts = n.div_ceil(MAX_ENTRIES).max(total.div_ceil(MAX_BYTES));
        (n.div_ceil(parts), total.div_ceil(parts))
    };
    let mut cuts = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, e) in entries.iter().enumerate() {
        if i > start && (i - start == max_entries || bytes + size(e) > max_bytes) {
            cuts.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size(e);
    }
    cuts.push(start..n);
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// xorshift64: a fixed, reproducible sequence (as `row_writes`' model test).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        fn range(&mut self, lo: u32, hi: u32) -> u32 {
            lo + self.below(u64::from(hi - lo)) as u32
        }
    }

    fn key(index: u32, n: u32) -> Vec<u8> {
        let mut k = index.to_be_bytes().to_vec();
        k.push(0x10);
        k.extend_from_slice(&n.to_be_bytes());
        k
    }

    /// A stored `index` keyspace, with the reads the engine makes of it.
    #[derive(Default)]
    struct Store(BTreeMap<Vec<u8>, Bytes>);

    impl Store {
        fn commit(&mut self, writes: &BTreeMap<Vec<u8>, Option<Bytes>>) -> usize {
            let mut out = Vec::new();
            let mut reads = 0;
            let stored = &self.0;
            commit(
                writes.clone(),
                |from| {
                    reads += 1;
                    let end = keys::index_end_fence(from).unwrap();
                    let found = stored.range(from.to_vec()..=end.clone()).next();
                    let last = || stored.range(from[..4].to_vec()..=end.clone()).next_back();
                    Ok(found.or_else(last).map(|(k, v)| (Bytes::from(&k[..]), v.clone())))
                },
                &mut out,
            )
            .unwrap();
            for (ks, k, v) in out {
                assert_eq!(ks, Ks::Index);
                match v {
                    Some(v) => self.0.insert(k, v),
                    None => self.0.remove(&k),
                };
            }
            reads
        }

        fn get(&self, k: &[u8]) -> Option<Bytes> {
            let end = keys::index_end_fence(k).unwrap();
            let (_, page) = self.0.range(k.to_vec()..=end).next()?;
            get(page.clone(), k).unwrap()
        }

        fn scan(&self, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>, reverse: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
            let (raw_lo, raw_hi) = raw_bounds(&lo, &hi);
            let mut raw: Vec<(Bytes, Bytes)> =
                self.0.range((raw_lo, raw_hi)).map(|(k, v)| (Bytes::from(&k[..]), v.clone())).collect();
            if reverse {
                raw.reverse();
            }
            let forward = (!reverse).then(|| raw.clone().into_iter().map(Ok));
            let raw = Box::new(raw.into_iter().map(Ok));
            let entries: Vec<(Vec<u8>, Vec<u8>)> = expand(raw, lo.clone(), hi.clone(), reverse)
                .map(|kv| kv.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap())
                .collect();
            if let Some(raw) = forward {
                // The batch read (a covering index's scan) yields the same.
                let mut batched = Vec::new();
                for b in expand_batches(Box::new(raw), lo, hi) {
                    let b = b.unwrap();
                    assert!(!b.is_empty());
                    batched.extend((0..b.len()).map(|i| (b.key(i).to_vec(), b.image(i).to_vec())));
                }
                assert_eq!(batched, entries);
            }
            entries
        }

        /// Every page is non-empty, within bounds, and in its place: its
        /// keys above the fence before it and at most its own.
        fn check(&self) {
            let mut prev: Option<&Vec<u8>> = None;
            for (fence, page) in &self.0 {
                let p = Page::parse(page).unwrap();
                assert!(p.n <= MAX_ENTRIES);
                for i in 0..p.n {
                    assert!(p.key(i) <= fence.as_slice());
                    assert!(prev.is_none_or(|f| p.key(i) > f.as_slice()));
                    assert!(i == 0 || p.key(i - 1) < p.key(i));
                }
                prev = Some(fence);
            }
        }
    }

    #[test]
    fn random_writes_read_back_like_an_ordered_map() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut store = Store::default();
        for round in 0..300 {
            let mut writes = BTreeMap::new();
            let n = if round % 50 == 0 { 2_000 } else { rng.range(1, 40) as usize };
            for _ in 0..n {
                let k = key(rng.range(1, 4), rng.range(0, 5_000));
                if rng.below(10) < 3 {
                    writes.insert(k, None);
                } else {
                    let v = vec![rng.below(256) as u8; rng.range(0, 20) as usize];
                    writes.insert(k, Some(Bytes::from(&v[..])));
                }
            }
            store.commit(&writes);
            for (k, v) in writes {
                match v {
                    Some(v) => model.insert(k, v.to_vec()),
                    None => model.remove(&k),
                };
            }
            store.check();
            for _ in 0..20 {
                let k = key(rng.range(0, 5), rng.range(0, 5_000));
                assert_eq!(store.get(&k).map(|v| v.to_vec()), model.get(&k).cloned());
            }
            let a = key(rng.range(1, 4), rng.range(0, 5_000));
            let b = key(rng.range(1, 4), rng.range(0, 5_000));
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            for (lo, hi) in [
                (Bound::Included(lo.clone()), Bound::Excluded(hi.clone())),
                (Bound::Excluded(lo.clone()), Bound::Included(hi.clone())),
                (Bound::Unbounded, Bound::Included(hi.clone())),
                (Bound::Included(lo.clone()), Bound::Unbounded),
            ] {
                let want: Vec<_> = model.range((lo.clone(), hi.clone())).map(|(k, v)| (k.clone(), v.clone())).collect();
                assert_eq!(store.scan(lo.clone(), hi.clone(), false), want);
                let mut back = want.clone();
                back.reverse();
                assert_eq!(store.scan(lo, hi, true), back);
            }
        }
        assert!(store.0.len() > 50, "the entries span many pages: {}", store.0.len());
    }

    #[test]
    fn a_load_in_key_order_fills_whole_pages_and_reads_each_page_once() {
        let mut store = Store::default();
        let writes: BTreeMap<_, _> = (0..6_400).map(|n| (key(7, n), Some(Bytes::from(&b"row"[..])))).collect();
        assert_eq!(store.commit(&writes), 1, "one read: the index has no page yet");
        assert_eq!(store.0.len(), 100);
        store.check();
        // Appending one key at a time keeps the pages behind it full.
        for n in 6_400..6_400 + 130 {
            store.commit(&BTreeMap::from([(key(7, n), Some(Bytes::from(&b"row"[..])))]));
        }
        assert_eq!(store.0.len(), 103);
        // A change to every page reads each page once.
        let every: BTreeMap<_, _> = (0..6_530).step_by(64).map(|n| (key(7, n), None)).collect();
        assert_eq!(store.commit(&every), 103);
        store.check();
    }

    #[test]
    fn emptied_pages_are_deleted_and_the_index_takes_new_keys_after() {
        let mut store = Store::default();
        let all: BTreeMap<_, _> = (0..500).map(|n| (key(3, n), Some(Bytes::from(&b"r"[..])))).collect();
        store.commit(&all);
        let gone: BTreeMap<_, _> = all.keys().map(|k| (k.clone(), None)).collect();
        store.commit(&gone);
        assert!(store.0.is_empty());
        store.commit(&BTreeMap::from([(key(3, 9), Some(Bytes::from(&b"again"[..])))]));
        assert_eq!(store.get(&key(3, 9)).as_deref(), Some(&b"again"[..]));
        store.check();
    }

    #[test]
    fn long_keys_split_pages_by_bytes() {
        let mut store = Store::default();
        let writes: BTreeMap<_, _> = (0..40u32)
            .map(|n| {
                let mut k = key(5, n);
                k.extend_from_slice(&[b'x'; 1_000]);
                (k, Some(Bytes::from(&b"v"[..])))
            })
            .collect();
        store.commit(&writes);
        assert!(store.0.len() >= 5, "40 KB of keys span pages of at most 8 KiB");
        for page in store.0.values() {
            assert!(page.len() <= MAX_BYTES + 2);
        }
        store.check();
    }

    #[test]
    fn damaged_pages_are_errors_not_panics() {
        let good = encode(&[(&key(1, 1)[..], &b"a"[..]), (&key(1, 2)[..], &b"bb"[..])]).unwrap();
        for cut in 0..good.len() {
            assert!(get(Bytes::from(&good[..cut]), &key(1, 1)).is_err());
        }
        let mut bad = good.to_vec();
        bad[2] = 0xFF; // a key end past the data
        assert!(get(Bytes::from(&bad[..]), &key(1, 1)).is_err());
        assert_eq!(get(good, &key(1, 2)).unwrap().as_deref(), Some(&b"bb"[..]));
    }
}
