//! Merging a snapshot scan with a transaction's uncommitted writes, so a
//! transaction reads its own writes.

use super::kv::{Bytes, KvIter};
use std::iter::Peekable;

/// The uncommitted writes of one keyspace: `None` marks a deletion.
pub type Overlay = std::collections::BTreeMap<Vec<u8>, Option<Bytes>>;

/// A transaction's writes to one key range, in key order (`None`: deleted).
pub type Writes<'a> = Box<dyn Iterator<Item = (Vec<u8>, Option<Bytes>)> + 'a>;

struct Merge<'a> {
    base: Peekable<KvIter<'a>>,
    over: Peekable<Writes<'a>>,
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
                return Some(Ok((Bytes::from(k), v)));
            }
            // a deletion: skip it and look again
        }
    }
}

/// Streams `base` with `overlay`'s entries (from the same key range) applied on top.
pub fn merge<'a>(base: KvIter<'a>, overlay: impl Iterator<Item = (Vec<u8>, Option<Bytes>)> + 'a) -> KvIter<'a> {
    let over: Writes<'a> = Box::new(overlay);
    Box::new(Merge { base: base.peekable(), over: over.peekable() })
}
