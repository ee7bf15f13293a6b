//! A write transaction's uncommitted writes to `rows`, held the way a
//! commit stores them: by page.
//!
//! A general overlay (a `BTreeMap` from row key to image) cost a bulk load
//! about 220 bytes and four allocations a row (the key, the image, the tree
//! node, and the page built from them at commit) and was the largest part of
//! a 1M-row transaction's memory. Rows keyed by one integer (see
//! [`super::keys::page_of`]) are written here into one [`PageWrites`] per
//! touched page instead: a slot table and the images back to back in one
//! buffer, about the bytes of the images themselves. A commit turns each
//! into the stored page by merging it with the committed one
//! ([`super::pages::apply`]). Rows stored one per entry keep a plain overlay.
//!
//! Reads through the transaction see these writes as `(row key, image)`
//! pairs in key order, exactly as the plain overlay showed them.

use super::keys::{self, PAGE_KEY_LEN, PAGE_SLOTS};
use super::kv::{BatchEntry, Bytes, Ks};
use super::merge::Overlay;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::ops::{Bound, RangeBounds};

/// What a transaction did to one slot of a page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SlotWrite {
    /// Nothing: the committed row (if any) shows through.
    #[default]
    Untouched,
    /// The row is deleted.
    Deleted,
    /// The row's new image is `data[start..end]`.
    Image { start: u32, end: u32 },
}

/// The writes to one page: per slot, and the written images back to back.
#[derive(Debug)]
struct PageWrites {
    slots: [SlotWrite; PAGE_SLOTS],
    /// Slots not [`SlotWrite::Untouched`].
    touched: u8,
    data: Vec<u8>,
    /// Bytes of `data` no slot points at any more (overwritten images).
    dead: usize,
}

impl PageWrites {
    fn new() -> PageWrites {
        PageWrites { slots: [SlotWrite::Untouched; PAGE_SLOTS], touched: 0, data: Vec::new(), dead: 0 }
    }

    fn image(&self, w: SlotWrite) -> Option<Option<&[u8]>> {
        match w {
            SlotWrite::Untouched => None,
            SlotWrite::Deleted => Some(None),
            SlotWrite::Image { start, end } => Some(Some(&self.data[start as usize..end as usize])),
        }
    }

    /// Sets `slot`'s write; returns the one it replaced (as an owned image).
    fn set(&mut self, slot: u8, image: Option<Option<&[u8]>>, want_prev: bool) -> Result<Option<Option<Bytes>>> {
        let i = slot as usize % PAGE_SLOTS;
        let old = self.slots[i];
        let prev = if want_prev { self.image(old).map(|v| v.map(Bytes::from)) } else { None };
        if let SlotWrite::Image { start, end } = old {
            self.dead += (end - start) as usize;
        }
        self.slots[i] = match image {
            None => SlotWrite::Untouched,
            Some(None) => SlotWrite::Deleted,
            Some(Some(bytes)) => {
                self.compact_if_wasteful(bytes.len());
                if self.data.capacity() == 0 && i <= 1 {
                    // A load writes a page's rows in slot order from its
                    // first: room for the rest of the page at once, not a
                    // buffer doubled seven times (a tenth of a 1M-row
                    // load, most of it in page faults behind `realloc`).
                    // Any other first write grows the buffer as it goes.
                    self.data.reserve_exact(bytes.len() * (PAGE_SLOTS - i));
                }
                let start = self.data.len();
                let end = start + bytes.len();
                let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
                    return Err(Error::Mismatch(
                        "one transaction wrote more than 4 GiB into one row page (64 neighbouring rows): commit in \
                         smaller steps"
                            .into(),
                    ));
                };
                self.data.extend_from_slice(bytes);
                SlotWrite::Image { start, end }
            }
        };
        match (old == SlotWrite::Untouched, self.slots[i] == SlotWrite::Untouched) {
            (true, false) => self.touched += 1,
            (false, true) => self.touched -= 1,
            _ => {}
        }
        Ok(prev)
    }

    /// Rewrites `data` without the overwritten images once they are most of
    /// it, so a row updated again and again in one transaction holds one image.
    fn compact_if_wasteful(&mut self, incoming: usize) {
        if self.dead < 4096 || self.dead * 2 < self.data.len() + incoming {
            return;
        }
        let mut data = Vec::with_capacity(self.data.len() - self.dead + incoming);
        for w in &mut self.slots {
            if let SlotWrite::Image { start, end } = *w {
                let new_start = data.len() as u32;
                data.extend_from_slice(&self.data[start as usize..end as usize]);
                *w = SlotWrite::Image { start: new_start, end: data.len() as u32 };
            }
        }
        self.data = data;
        self.dead = 0;
    }

    /// The slots written, in slot order, with their images (`None`: deleted).
    fn changes(&self) -> impl Iterator<Item = (u8, Option<&[u8]>)> + '_ {
        self.slots.iter().enumerate().filter_map(|(slot, w)| self.image(*w).map(|image| (slot as u8, image)))
    }
}

/// A transaction's writes to `rows`: by page for integer-keyed rows, by key
/// for the rest.
#[derive(Debug, Default)]
pub(crate) struct RowWrites {
    /// Boxed: a page's writes are 800 bytes, and a tree node of them
    /// (half full after an append's splits) was twice the memory of the
    /// rows a load wrote, all of it first touched there.
    pages: BTreeMap<[u8; PAGE_KEY_LEN], Box<PageWrites>>,
    loose: Overlay,
}

impl RowWrites {
    /// Whether nothing is written.
    pub(crate) fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.loose.is_empty()
    }

    /// Sets the write of row `key`: `Some(Some(image))` writes it,
    /// `Some(None)` deletes it, `None` forgets any write (the committed row
    /// shows through again). Returns the write it replaced, in the same
    /// form, when `want_prev` (what an undo needs to put it back).
    ///
    /// # Errors
    /// `Mismatch` when one page's writes would pass 4 GiB.
    ///
    /// `key` is borrowed or given: only a row outside pages keeps it.
    pub(crate) fn set<K: AsRef<[u8]> + Into<Vec<u8>>>(
        &mut self,
        key: K,
        image: Option<Option<&[u8]>>,
        want_prev: bool,
    ) -> Result<Option<Option<Bytes>>> {
        let Some((page, slot)) = keys::page_of(key.as_ref()) else {
            let prev = match image {
                None => self.loose.remove(key.as_ref()),
                Some(v) => self.loose.insert(key.into(), v.map(Bytes::from)),
            };
            return Ok(prev);
        };
        if image.is_none() {
            let Some(writes) = self.pages.get_mut(&page) else { return Ok(None) };
            let prev = writes.set(slot, None, want_prev)?;
            if writes.touched == 0 {
                self.pages.remove(&page);
            }
            return Ok(prev);
        }
        // A load appends: its row goes to the last page written, found
        // along the tree's right edge without comparing keys on the way.
        if let Some(mut last) = self.pages.last_entry() {
            if *last.key() == page {
                return last.get_mut().set(slot, image, want_prev);
            }
        }
        self.pages.entry(page).or_insert_with(|| Box::new(PageWrites::new())).set(slot, image, want_prev)
    }

    /// The write of row `key`: `None` when the transaction did not touch
    /// it, `Some(None)` when it deleted it.
    pub(crate) fn get(&self, key: &[u8]) -> Option<Option<Bytes>> {
        match keys::page_of(key) {
            Some((page, slot)) => {
                let writes = self.pages.get(&page)?;
                writes.image(writes.slots[slot as usize % PAGE_SLOTS]).map(|v| v.map(Bytes::from))
            }
            None => self.loose.get(key).cloned(),
        }
    }

    /// The writes of rows with keys within `lo..hi`, in key order (a
    /// deletion as `None`).
    pub(crate) fn range<'a>(
        &'a self,
        lo: &Bound<Vec<u8>>,
        hi: &Bound<Vec<u8>>,
    ) -> impl Iterator<Item = (Vec<u8>, Option<Bytes>)> + 'a {
        let bounds = (lo.clone(), hi.clone());
        let loose = self.loose.range(bounds.clone()).map(|(k, v)| (k.clone(), v.clone()));
        // A page holds rows from its slot-0 row key on, and sorts right
        // after that key: the first page that can hold a row at or past `lo`
        // is the one around `lo` (or, for a bound shorter than a row key,
        // the first page key at or past it).
        let first = match &bounds.0 {
            Bound::Included(k) | Bound::Excluded(k) => match keys::page_around(k) {
                Some(p) => Bound::Included(p),
                None => Bound::Included(page_floor(k)),
            },
            Bound::Unbounded => Bound::Unbounded,
        };
        let paged = self
            .pages
            .range((first, Bound::Unbounded))
            .take_while({
                let hi = bounds.1.clone();
                move |(page, _)| {
                    let slot0 = keys::page_row_key(&page[..], 0);
                    match &hi {
                        Bound::Included(h) => slot0[..] <= h[..],
                        Bound::Excluded(h) => slot0[..] < h[..],
                        Bound::Unbounded => true,
                    }
                }
            })
            .flat_map(|(page, writes)| {
                writes
                    .changes()
                    .map(move |(slot, image)| (keys::page_row_key(&page[..], slot).to_vec(), image.map(Bytes::from)))
            })
            .filter(move |(k, _)| bounds.contains(k));
        MergeByKey { a: loose.peekable(), b: paged.peekable() }
    }

    /// Turns the writes into `rows` batch entries: every touched page read
    /// once through `read_page` (the committed page) and rewritten whole,
    /// the other rows as they are.
    ///
    /// # Errors
    /// What `read_page` fails with; `Corrupt` for a damaged stored page.
    pub(crate) fn commit(
        self,
        read_page: impl Fn(&[u8]) -> Result<Option<Bytes>>,
        out: &mut Vec<BatchEntry>,
    ) -> Result<()> {
        for (page, writes) in self.pages {
            let old = read_page(&page)?;
            let new = super::pages::apply(old.as_deref(), writes.changes())?;
            if new.is_some() || old.is_some() {
                out.push((Ks::Rows, page.to_vec(), new));
            }
        }
        out.extend(self.loose.into_iter().map(|(k, v)| (Ks::Rows, k, v)));
        Ok(())
    }
}

/// The smallest page key not below `bound`, for a bound that does not
/// start like an integer row key: the bound itself, padded (a page key is
/// longer than any such prefix, and sorts after it when it starts with it).
fn page_floor(bound: &[u8]) -> [u8; PAGE_KEY_LEN] {
    let mut page = [0u8; PAGE_KEY_LEN];
    let n = bound.len().min(PAGE_KEY_LEN);
    page[..n].copy_from_slice(&bound[..n]);
    page
}

/// Two key-ordered streams of writes merged into one (keys never repeat
/// across them: a key is either paged or not).
struct MergeByKey<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A, B> Iterator for MergeByKey<A, B>
where
    A: Iterator<Item = (Vec<u8>, Option<Bytes>)>,
    B: Iterator<Item = (Vec<u8>, Option<Bytes>)>,
{
    type Item = (Vec<u8>, Option<Bytes>);

    fn next(&mut self) -> Option<Self::Item> {
        match (self.a.peek(), self.b.peek()) {
            (Some((ka, _)), Some((kb, _))) if ka <= kb => self.a.next(),
            (Some(_), None) => self.a.next(),
            _ => self.b.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int_key(table: u32, i: i64) -> Vec<u8> {
        keys::rowid_key(table, i)
    }

    fn text_key(table: u32, s: &str) -> Vec<u8> {
        keys::row_key(table, &[&crate::types::Value::Text(s.into())])
    }

    /// The same writes kept in a plain ordered map, the model.
    fn model_apply(m: &mut Overlay, key: &[u8], image: Option<Option<&[u8]>>) {
        match image {
            None => {
                m.remove(key);
            }
            Some(v) => {
                m.insert(key.to_vec(), v.map(Bytes::from));
            }
        }
    }

    #[test]
    fn writes_read_back_like_an_ordered_map() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut w = RowWrites::default();
        let mut model = Overlay::new();
        let mut keys_used = Vec::new();
        for i in -300..300 {
            keys_used.push(int_key(7, i * 3));
        }
        for s in ["a", "b", "zz"] {
            keys_used.push(text_key(7, s));
        }
        keys_used.push(int_key(8, 5));
        for round in 0..20_000 {
            let key = keys_used[next(keys_used.len() as u64) as usize].clone();
            let image = vec![(round % 251) as u8; next(40) as usize];
            let what = match next(4) {
                0 => None,
                1 => Some(None),
                _ => Some(Some(&image[..])),
            };
            let expected_prev = model.get(&key).cloned();
            let prev = w.set(key.clone(), what, true).unwrap();
            assert_eq!(prev, expected_prev, "previous write of {key:?}");
            model_apply(&mut model, &key, what);
            let probe = &keys_used[next(keys_used.len() as u64) as usize];
            assert_eq!(w.get(probe), model.get(probe).cloned());
        }
        assert_eq!(w.is_empty(), model.is_empty());
        let bounds = [
            (Bound::Unbounded, Bound::Unbounded),
            (Bound::Included(int_key(7, -10)), Bound::Excluded(int_key(7, 200))),
            (Bound::Excluded(int_key(7, 1)), Bound::Included(int_key(7, 2))),
            (Bound::Included(keys::object_prefix(7)), Bound::Excluded(keys::object_prefix(8))),
            (Bound::Included(int_key(7, 64)), Bound::Included(int_key(7, 127))),
            (Bound::Excluded(int_key(7, 63)), Bound::Unbounded),
            (Bound::Unbounded, Bound::Included(text_key(7, "b"))),
            (Bound::Included(int_key(7, 100)), Bound::Included(int_key(7, 192))),
        ];
        for (lo, hi) in bounds {
            let got: Vec<_> = w.range(&lo, &hi).collect();
            let want: Vec<_> = model.range((lo.clone(), hi.clone())).map(|(k, v)| (k.clone(), v.clone())).collect();
            assert_eq!(got, want, "range {lo:?}..{hi:?}");
        }
    }

    #[test]
    fn an_image_rewritten_often_is_kept_once() {
        let mut w = RowWrites::default();
        let key = int_key(1, 9);
        for i in 0..10_000u32 {
            w.set(key.clone(), Some(Some(&[i as u8; 100])), false).unwrap();
        }
        let writes = w.pages.values().next().unwrap();
        assert!(writes.data.len() < 20_000, "{} bytes held for one 100-byte row", writes.data.len());
        assert_eq!(w.get(&key), Some(Some(Bytes::from(&[(9_999u32 as u8); 100][..]))));
    }

    #[test]
    fn forgetting_every_write_of_a_page_drops_it() {
        let mut w = RowWrites::default();
        w.set(int_key(1, 1), Some(Some(b"x")), false).unwrap();
        w.set(int_key(1, 2), Some(None), false).unwrap();
        w.set(int_key(1, 1), None, false).unwrap();
        assert!(!w.is_empty());
        w.set(int_key(1, 2), None, false).unwrap();
        assert!(w.is_empty());
    }

    #[test]
    fn commit_merges_with_the_stored_page() {
        let stored =
            super::super::pages::encode([(0u8, &b"zero"[..]), (1, b"one"), (2, b"two")].into_iter()).unwrap().unwrap();
        let mut w = RowWrites::default();
        w.set(int_key(1, 1), Some(None), false).unwrap();
        w.set(int_key(1, 3), Some(Some(b"three")), false).unwrap();
        w.set(int_key(1, 64), Some(Some(b"sixty-four")), false).unwrap();
        w.set(text_key(1, "t"), Some(Some(b"text")), false).unwrap();
        w.set(int_key(1, 65), Some(Some(b"sixty-five")), false).unwrap();
        let mut out = Vec::new();
        let (first_page, _) = keys::page_of(&int_key(1, 0)).unwrap();
        let reads = std::cell::Cell::new(0);
        let read_page = |p: &[u8]| {
            reads.set(reads.get() + 1);
            Ok((p == first_page).then(|| stored.clone()))
        };
        w.commit(read_page, &mut out).unwrap();
        assert_eq!(reads.get(), 2, "each touched page is read once");
        assert_eq!(out.len(), 3);
        let rows = |page: &Bytes| {
            let mut v = Vec::new();
            super::super::pages::for_each_row(page, |slot, image| v.push((slot, image.to_vec()))).unwrap();
            v
        };
        assert_eq!(out[0].1, first_page.to_vec());
        assert_eq!(
            rows(out[0].2.as_ref().unwrap()),
            vec![(0, b"zero".to_vec()), (2, b"two".to_vec()), (3, b"three".to_vec())]
        );
        assert_eq!(rows(out[1].2.as_ref().unwrap()), vec![(0, b"sixty-four".to_vec()), (1, b"sixty-five".to_vec())]);
        assert_eq!(out[2], (Ks::Rows, text_key(1, "t"), Some(Bytes::from(&b"text"[..]))));
    }
}
