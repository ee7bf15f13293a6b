//! Merging a snapshot scan with a transaction's uncommitted writes, so a
//! transaction reads its own writes.

use super::kv::{Bytes, KvIter};
use std::collections::btree_map;
use std::iter::Peekable;

/// The uncommitted writes of one keyspace: `None` marks a deletion.
pub type Overlay = std::collections::BTreeMap<Vec<u8>, Option<Bytes>>;

struct Merge<'a> {
    base: Peekable<KvIter<'a>>,
    over: Peekable<btree_map::Range<'a, Vec<u8>, Option<Bytes>>>,
}

impl Iterator for Merge<'_> {
    type Item = crate::error::Result<(Bytes, Bytes)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let take_overlay = match (self.base.peek(), self.over.peek()) {
                (None, None) => return None,
                (Some(Err(_)), _) => return self.base.next(),
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(Ok((bk, _))), Some((ok, _))) => {
                    match ok.as_slice().cmp(&bk[..]) {
                        std::cmp::Ordering::Less => true,
                        std::cmp::Ordering::Equal => {
                            self.base.next(); // shadowed by the overlay
                            true
                        }
                        std::cmp::Ordering::Greater => false,
                    }
                }
            };
            if !take_overlay {
                return self.base.next();
            }
            let (k, v) = self.over.next()?;
            if let Some(v) = v {
                return Some(Ok((Bytes::from(k.as_slice()), v.clone())));
            }
            // a deletion: skip it and look again
        }
    }
}

/// Streams `base` with `overlay`'s entries (from the same key range) applied on top.
pub fn merge<'a>(base: KvIter<'a>, overlay: btree_map::Range<'a, Vec<u8>, Option<Bytes>>) -> KvIter<'a> {
    Box::new(Merge { base: base.peekable(), over: overlay.peekable() })
}
