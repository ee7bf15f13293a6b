//! Row batches: a range read of `rows` handed out a page at a time.
//!
//! [`super::Reader::scan`] yields one `(key, image)` pair per row, and for a
//! paged table that means a key built, an image slice counted into the
//! page's shared memory and two reference counts dropped, per row. A
//! [`RowBatch`] instead holds a page once and hands out its rows as plain
//! slices, so the executor's batch scan (`exec::batch`) pays the per-row
//! costs of neither the storage iterator nor its own. What a batch holds is
//! exactly what the row-at-a-time scan would have yielded, in the same
//! order: the two are interchangeable.

use super::keys::{decode_rowid, page_row_key, INT_ROW_KEY_LEN, PAGE_KEY_LEN, PAGE_SLOTS};
use super::kv::{Bytes, KvIter};
use crate::error::Result;
use std::ops::{Deref, Range};

/// A stream of row batches, in key order.
pub type BatchIter<'a> = Box<dyn Iterator<Item = Result<RowBatch>> + 'a>;

/// Some rows of a range read, in key order: the in-range rows of one page,
/// or up to 64 rows stored one per entry.
pub struct RowBatch {
    inner: Inner,
}

enum Inner {
    Page {
        key: [u8; PAGE_KEY_LEN],
        /// The rowid of the page's slot 0 (a row's is this plus its slot).
        base: Option<i64>,
        bytes: Bytes,
        /// (slot, image range within `bytes`) of each row handed out.
        rows: Vec<(u8, Range<usize>)>,
    },
    Entries(Vec<(Bytes, Bytes)>),
    /// Entries lying in one stored value (an index page): each entry's key
    /// and value ranges within `bytes`, so handing one out slices nothing.
    Ranges {
        bytes: Bytes,
        entries: Vec<(Range<usize>, Range<usize>)>,
    },
    /// Rows picked from several stored values (a read of the past merges
    /// current rows with versions): each row's key and image.
    Picked(Vec<(OwnedRowKey, Bytes)>),
}

/// The key of a row a batch picked: a paged row's, built from its page key
/// and slot without allocating, or one stored as it is.
#[derive(Debug, Clone)]
pub enum OwnedRowKey {
    /// A row of a page.
    Paged([u8; INT_ROW_KEY_LEN]),
    /// Any other row key.
    Stored(Bytes),
}

impl Deref for OwnedRowKey {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            OwnedRowKey::Paged(k) => k,
            OwnedRowKey::Stored(k) => k,
        }
    }
}

/// The key of one row of a batch: built from its page's key and slot, or
/// stored with it.
pub enum RowKey<'a> {
    /// A row of a page.
    Paged([u8; INT_ROW_KEY_LEN]),
    /// A row stored in its own entry.
    Stored(&'a [u8]),
}

impl Deref for RowKey<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            RowKey::Paged(k) => k,
            RowKey::Stored(k) => k,
        }
    }
}

impl RowBatch {
    /// The rows `rows` (slot, image range) of the page stored under `key`.
    pub(super) fn page(key: [u8; PAGE_KEY_LEN], bytes: Bytes, rows: Vec<(u8, Range<usize>)>) -> RowBatch {
        let base = decode_rowid(&page_row_key(&key, 0));
        RowBatch { inner: Inner::Page { key, base, bytes, rows } }
    }

    /// Rows as a row-at-a-time scan yields them.
    pub fn entries(entries: Vec<(Bytes, Bytes)>) -> RowBatch {
        RowBatch { inner: Inner::Entries(entries) }
    }

    /// Rows picked from several stored values, in key order.
    pub fn picked(rows: Vec<(OwnedRowKey, Bytes)>) -> RowBatch {
        RowBatch { inner: Inner::Picked(rows) }
    }

    /// The key of row `i`, to keep beyond the batch.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn owned_key(&self, i: usize) -> OwnedRowKey {
        match &self.inner {
            Inner::Page { key, rows, .. } => OwnedRowKey::Paged(page_row_key(key, rows[i].0)),
            Inner::Entries(e) => OwnedRowKey::Stored(e[i].0.clone()),
            Inner::Ranges { bytes, entries } => OwnedRowKey::Stored(slice(bytes, entries[i].0.clone())),
            Inner::Picked(p) => p[i].0.clone(),
        }
    }

    /// The stored image of row `i`, sharing the batch's memory.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn image_bytes(&self, i: usize) -> Bytes {
        match &self.inner {
            Inner::Page { bytes, rows, .. } => slice(bytes, rows[i].1.clone()),
            Inner::Entries(e) => e[i].1.clone(),
            Inner::Ranges { bytes, entries } => slice(bytes, entries[i].1.clone()),
            Inner::Picked(p) => p[i].1.clone(),
        }
    }

    /// Rows `from..` as (key, image) entries, sharing the batch's memory.
    pub fn entries_from(&self, from: usize) -> impl Iterator<Item = (Bytes, Bytes)> + '_ {
        (from..self.len()).map(|i| (Bytes::from(&self.key(i)[..]), self.image_bytes(i)))
    }

    /// Entries stored together in `bytes`, at the (key, value) ranges
    /// `entries` gives.
    pub(super) fn ranges(bytes: Bytes, entries: Vec<(Range<usize>, Range<usize>)>) -> RowBatch {
        RowBatch { inner: Inner::Ranges { bytes, entries } }
    }

    /// How many rows the batch holds.
    pub fn len(&self) -> usize {
        match &self.inner {
            Inner::Page { rows, .. } => rows.len(),
            Inner::Entries(e) => e.len(),
            Inner::Ranges { entries, .. } => entries.len(),
            Inner::Picked(p) => p.len(),
        }
    }

    /// Whether the batch holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key of row `i`.
    ///
    /// # Panics
    /// When `i >= self.len()` (a caller's indexing bug, like a slice's).
    pub fn key(&self, i: usize) -> RowKey<'_> {
        match &self.inner {
            Inner::Page { key, rows, .. } => RowKey::Paged(page_row_key(key, rows[i].0)),
            Inner::Entries(e) => RowKey::Stored(&e[i].0),
            Inner::Ranges { bytes, entries } => RowKey::Stored(&bytes[entries[i].0.clone()]),
            Inner::Picked(p) => match &p[i].0 {
                OwnedRowKey::Paged(k) => RowKey::Paged(*k),
                OwnedRowKey::Stored(k) => RowKey::Stored(k),
            },
        }
    }

    /// The rowid row `i`'s key holds (`None` when it holds something else),
    /// without building the key: a page's rows are its first rowid plus
    /// their slot.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn rowid(&self, i: usize) -> Option<i64> {
        match &self.inner {
            Inner::Page { base, rows, .. } => base.map(|b| b | i64::from(rows[i].0)),
            Inner::Entries(e) => decode_rowid(&e[i].0),
            Inner::Ranges { bytes, entries } => decode_rowid(&bytes[entries[i].0.clone()]),
            Inner::Picked(p) => decode_rowid(&p[i].0),
        }
    }

    /// The stored image of row `i`.
    ///
    /// # Panics
    /// When `i >= self.len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        match &self.inner {
            Inner::Page { bytes, rows, .. } => &bytes[rows[i].1.clone()],
            Inner::Entries(e) => &e[i].1,
            Inner::Ranges { bytes, entries } => &bytes[entries[i].1.clone()],
            Inner::Picked(p) => &p[i].1,
        }
    }
}

/// `range` of `bytes`, sharing its memory.
fn slice(bytes: &Bytes, range: Range<usize>) -> Bytes {
    Bytes::from(byteview::ByteView::from(bytes.clone()).slice(range))
}

/// `iter`'s rows in batches of up to a page's worth: for readers whose
/// rows do not come in pages (a transaction's own writes merged over its
/// snapshot, a row-per-entry table).
pub fn batched(iter: KvIter<'_>) -> BatchIter<'_> {
    let mut iter = iter.fuse();
    Box::new(std::iter::from_fn(move || {
        let mut entries = Vec::with_capacity(PAGE_SLOTS);
        for kv in iter.by_ref() {
            match kv {
                Ok(kv) => entries.push(kv),
                Err(e) => return Some(Err(e)),
            }
            if entries.len() == PAGE_SLOTS {
                break;
            }
        }
        (!entries.is_empty()).then(|| Ok(RowBatch::entries(entries)))
    }))
}

/// The rows of `batches` one at a time, as [`super::Reader::scan`] yields
/// them (the inverse of [`batched`]).
pub fn unbatched(batches: BatchIter<'_>) -> KvIter<'_> {
    Box::new(batches.flat_map(|batch| -> Vec<Result<(Bytes, Bytes)>> {
        match batch {
            Ok(b) => b.entries_from(0).map(Ok).collect(),
            Err(e) => vec![Err(e)],
        }
    }))
}
