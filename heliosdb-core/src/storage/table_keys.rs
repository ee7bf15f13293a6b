//! The stored keys of small, often-written tables (their `rows` entries)
//! and indexes (their `index` pages) at each published state, kept in
//! memory so a scan of such a table or index reads each entry with a point
//! `get` instead of walking a key range.
//!
//! Why: every commit rewrites the page (or loose row) it changes, and fjall
//! keeps every rewrite in the memtable until it is flushed (at 64 MB). A
//! range read walks every version of each key it returns (lsm-tree's
//! `MvccStream` drains them one by one), so a 100-row table updated 40,000
//! times by autocommit scanned a thousand times slower than after a flush:
//! its cost followed its history, not its rows. A point read seeks to the
//! newest visible version directly, whatever lies below it. An index of such
//! a table has the same history (each change rewrites an index page), and
//! its range reads and lookups (which find a key's page with a range read)
//! the same cure.
//!
//! A table's (or index's) keys are loaded (one key scan, stopped past [`MAX_TABLE_KEYS`])
//! after [`LOAD_AFTER`] commits have written it since the database opened,
//! so a bulk load or a short-lived process never pays for it; a table found
//! too large is tried again only after twice as many more commits. The
//! writer updates the sets after each batch it writes, and each published
//! state carries its own immutable [`KeyDirectory`] (sets shared between
//! states until a commit adds or removes a key), so a reader's directory
//! always describes exactly its own snapshot.

use super::kv::Ks;
use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;

/// Commits writing a table (or index) after which its keys are loaded.
pub const LOAD_AFTER: u32 = 64;
/// The most keys one table or index may have to be kept: 256 pages of 64
/// rows or index entries, or 256 rows stored one to an entry. A point read
/// costs more than a step of a range read over clean data, so larger ones
/// keep range reads.
pub const MAX_OBJECT_KEYS: usize = 256;
/// Keys kept for all tables and indexes together (a bound on the memory taken).
pub const MAX_KEYS: usize = 1 << 16;

/// A table's or an index's id: the first four bytes of each of its keys.
pub type ObjectId = [u8; 4];

/// A table (its entries in `rows`) or an index (its pages in `index`).
pub type Object = (Ks, ObjectId);

fn id_of(key: &[u8]) -> Option<ObjectId> {
    key.get(..4)?.try_into().ok()
}

/// The keys of the kept tables and indexes at one published state.
/// Immutable once published.
#[derive(Clone, Default)]
pub struct KeyDirectory {
    by_object: HashMap<Object, Arc<BTreeSet<Vec<u8>>>>,
}

impl KeyDirectory {
    /// The stored keys of `ks` between `lo` and `hi`, in ascending order,
    /// when the range lies within one object whose keys are kept; `None`
    /// otherwise (then read the range).
    pub fn keys_in(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> Option<Vec<Vec<u8>>> {
        Some(self.range(ks, lo, hi)?.cloned().collect())
    }

    /// The first (or with `last`, the last) stored key of `ks` between `lo`
    /// and `hi` when the range lies within one kept object (`Some(None)`:
    /// none there); `None` otherwise.
    pub fn edge(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>, last: bool) -> Option<Option<Vec<u8>>> {
        let mut keys = self.range(ks, lo, hi)?;
        Some(if last { keys.next_back() } else { keys.next() }.cloned())
    }

    fn range(
        &self,
        ks: Ks,
        lo: &Bound<Vec<u8>>,
        hi: &Bound<Vec<u8>>,
    ) -> Option<Box<dyn DoubleEndedIterator<Item = &Vec<u8>> + '_>> {
        if self.by_object.is_empty() {
            return None;
        }
        let (Bound::Included(l) | Bound::Excluded(l)) = lo else { return None };
        let id = id_of(l)?;
        let keys = self.by_object.get(&(ks, id))?;
        let within = match hi {
            Bound::Included(h) | Bound::Excluded(h) if h.get(..4) == Some(&id[..]) => true,
            // A whole object's range ends before the next object's prefix.
            Bound::Excluded(h) => {
                h.len() == 4 && u32::from_be_bytes(id).checked_add(1) == Some(u32::from_be_bytes(id_of(h)?))
            }
            _ => false,
        };
        if !within {
            return None;
        }
        if super::engine::bounds_empty(lo, hi) {
            return Some(Box::new(std::iter::empty()));
        }
        Some(Box::new(keys.range::<Vec<u8>, _>((lo.clone(), hi.clone()))))
    }
}

/// What the writer knows about one table or index.
enum Known {
    /// Not kept: commits that wrote it since open, and the count at which
    /// to load its keys.
    Counting { commits: u32, load_at: u32 },
    /// Kept in the directory.
    Kept,
}

/// The writer's side: which objects are kept, and the directory to publish.
pub struct TableKeys {
    objects: HashMap<Object, Known>,
    directory: Arc<KeyDirectory>,
    kept: usize,
}

impl Default for TableKeys {
    fn default() -> TableKeys {
        TableKeys { objects: HashMap::new(), directory: Arc::new(KeyDirectory::default()), kept: 0 }
    }
}

impl TableKeys {
    /// The directory of the latest state recorded.
    pub fn directory(&self) -> Arc<KeyDirectory> {
        Arc::clone(&self.directory)
    }

    /// Records a written batch's `rows` and `index` entries (each keyspace,
    /// key, and whether the key is stored after the batch). Returns the
    /// objects whose keys should be loaded now (then call
    /// [`TableKeys::load`] for each).
    pub fn committed<'a>(&mut self, writes: impl Iterator<Item = (Ks, &'a [u8], bool)> + Clone) -> Vec<Object> {
        let mut touched: Vec<Object> = Vec::new();
        for object in writes.clone().filter_map(|(ks, k, _)| Some((ks, id_of(k)?))) {
            if touched.last() != Some(&object) {
                touched.push(object); // (an object's writes come together)
            }
        }
        touched.sort_unstable_by_key(|(ks, id)| (*ks as u8, *id));
        touched.dedup();
        let mut load = Vec::new();
        let mut next: Option<KeyDirectory> = None;
        for object in touched {
            match self.objects.entry(object).or_insert(Known::Counting { commits: 0, load_at: LOAD_AFTER }) {
                Known::Counting { commits, load_at } => {
                    *commits = commits.saturating_add(1);
                    if *commits >= *load_at {
                        load.push(object);
                    }
                }
                Known::Kept => {
                    let Some(set) = self.directory.by_object.get(&object) else { continue };
                    let changes = writes.clone().filter(|(ks, k, stored)| {
                        (*ks, id_of(k)) == (object.0, Some(object.1)) && set.contains(*k) != *stored
                    });
                    if changes.clone().next().is_none() {
                        continue; // rewrites only (the common case): nothing to copy
                    }
                    let dir = next.get_or_insert_with(|| (*self.directory).clone());
                    let Some(set) = dir.by_object.get_mut(&object) else { continue };
                    let set = Arc::make_mut(set);
                    let before = set.len();
                    for (_, k, stored) in changes {
                        if stored {
                            set.insert(k.to_vec());
                        } else {
                            set.remove(k);
                        }
                    }
                    self.kept = self.kept + set.len() - before;
                    if set.len() > MAX_OBJECT_KEYS || self.kept > MAX_KEYS {
                        self.kept -= set.len();
                        dir.by_object.remove(&object);
                        self.objects.insert(object, Known::Counting { commits: 0, load_at: LOAD_AFTER });
                    }
                }
            }
        }
        if let Some(dir) = next {
            self.directory = Arc::new(dir);
        }
        load
    }

    /// Keeps `object`'s keys, read whole at the state just recorded; `None`
    /// when it had more than [`MAX_OBJECT_KEYS`]. An object not kept is
    /// tried again after twice as many commits as the last time.
    pub fn load(&mut self, object: Object, keys: Option<BTreeSet<Vec<u8>>>) {
        match keys {
            Some(keys) if self.kept + keys.len() <= MAX_KEYS => {
                self.kept += keys.len();
                let mut dir = (*self.directory).clone();
                dir.by_object.insert(object, Arc::new(keys));
                self.directory = Arc::new(dir);
                self.objects.insert(object, Known::Kept);
            }
            _ => {
                let load_at = match self.objects.get(&object) {
                    Some(Known::Counting { load_at, .. }) => load_at.saturating_mul(2),
                    _ => LOAD_AFTER,
                };
                self.objects.insert(object, Known::Counting { commits: 0, load_at });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(id: u8, rest: &[u8]) -> Vec<u8> {
        let mut key = vec![0, 0, 0, id];
        key.extend_from_slice(rest);
        key
    }

    fn whole(id: u8) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
        (Bound::Included(vec![0, 0, 0, id]), Bound::Excluded(vec![0, 0, 0, id + 1]))
    }

    fn rows<'a>(keys: &'a [(&'a [u8], bool)]) -> impl Iterator<Item = (Ks, &'a [u8], bool)> + Clone {
        keys.iter().map(|(k, stored)| (Ks::Rows, *k, *stored))
    }

    #[test]
    fn keys_are_loaded_after_enough_commits_and_follow_later_ones() {
        let mut t = TableKeys::default();
        let a = k(1, b"a");
        for _ in 1..LOAD_AFTER {
            assert!(t.committed(rows(&[(&a, true)])).is_empty());
        }
        assert_eq!(t.committed(rows(&[(&a, true), (&k(2, b"x"), true)])), vec![(Ks::Rows, [0, 0, 0, 1])]);
        let (lo, hi) = whole(1);
        assert_eq!(t.directory().keys_in(Ks::Rows, &lo, &hi), None, "not loaded yet");
        t.load((Ks::Rows, [0, 0, 0, 1]), Some(BTreeSet::from([a.clone(), k(1, b"c")])));
        let before = t.directory();
        assert_eq!(before.keys_in(Ks::Rows, &lo, &hi), Some(vec![a.clone(), k(1, b"c")]));
        assert_eq!(before.keys_in(Ks::Index, &lo, &hi), None, "an index with the same id is another object");

        assert!(t.committed(rows(&[(&a, true)])).is_empty());
        assert!(Arc::ptr_eq(&before, &t.directory()), "a rewrite publishes the same directory");

        t.committed(rows(&[(&k(1, b"b"), true), (&a, false)]));
        let after = t.directory();
        assert_eq!(after.keys_in(Ks::Rows, &lo, &hi), Some(vec![k(1, b"b"), k(1, b"c")]));
        assert_eq!(
            before.keys_in(Ks::Rows, &lo, &hi),
            Some(vec![a.clone(), k(1, b"c")]),
            "a published directory never changes"
        );
        let from_b = (Bound::Excluded(k(1, b"b")), Bound::Included(k(1, b"z")));
        assert_eq!(after.keys_in(Ks::Rows, &from_b.0, &from_b.1), Some(vec![k(1, b"c")]));
        assert_eq!(after.edge(Ks::Rows, &lo, &hi, false), Some(Some(k(1, b"b"))));
        assert_eq!(after.edge(Ks::Rows, &lo, &hi, true), Some(Some(k(1, b"c"))));
        assert_eq!(after.edge(Ks::Rows, &Bound::Included(k(1, b"d")), &hi, false), Some(None), "none there");
        assert_eq!(after.keys_in(Ks::Rows, &lo, &Bound::Unbounded), None, "a range past the table");
        assert_eq!(after.keys_in(Ks::Rows, &Bound::Unbounded, &hi), None);
        let (lo2, hi2) = whole(2);
        assert_eq!(after.keys_in(Ks::Rows, &lo2, &hi2), None, "other tables are not kept");
        assert_eq!(t.kept, 2);
    }

    #[test]
    fn an_object_too_large_is_dropped_and_tried_again_later() {
        let mut t = TableKeys::default();
        let a = k(3, b"a");
        let index = |keys: &[(Vec<u8>, bool)]| -> Vec<(Ks, Vec<u8>, bool)> {
            keys.iter().map(|(k, s)| (Ks::Index, k.clone(), *s)).collect()
        };
        let one = index(&[(a.clone(), true)]);
        let once = || one.iter().map(|(ks, k, s)| (*ks, k.as_slice(), *s));
        for _ in 0..LOAD_AFTER {
            t.committed(once());
        }
        t.load((Ks::Index, [0, 0, 0, 3]), None);
        for _ in 1..2 * LOAD_AFTER {
            assert!(t.committed(once()).is_empty(), "backs off");
        }
        assert_eq!(t.committed(once()), vec![(Ks::Index, [0, 0, 0, 3])]);
        t.load((Ks::Index, [0, 0, 0, 3]), Some(BTreeSet::from([a.clone()])));
        let many = index(&(0..MAX_OBJECT_KEYS as u32).map(|n| (k(3, &n.to_be_bytes()), true)).collect::<Vec<_>>());
        t.committed(many.iter().map(|(ks, k, s)| (*ks, k.as_slice(), *s)));
        let (lo, hi) = whole(3);
        assert_eq!(t.directory().keys_in(Ks::Index, &lo, &hi), None, "grew past the limit");
        assert_eq!(t.kept, 0);
    }
}
