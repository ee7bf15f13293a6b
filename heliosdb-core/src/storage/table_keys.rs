//! The stored keys of often-rewritten tables (their `rows` entries) and
//! indexes (their pages in `index`) at each published state, kept in memory
//! so a scan of such an object reads each entry with a point `get` instead
//! of walking a key range.
//!
//! Why: every commit rewrites the page (or loose row) it changes, and fjall
//! keeps every rewrite in the memtable until it is flushed (at 64 MB). A
//! range read walks every version of each key it returns (lsm-tree's
//! `MvccStream` drains them one by one), so a 100-row table updated 40,000
//! times by autocommit scanned a thousand times slower than after a flush:
//! its cost followed its history, not its rows. A point read seeks to the
//! newest visible version directly, whatever lies below it.
//!
//! A point read costs more than a step of a range read when there is
//! nothing stale to skip, so the kept keys are used only while the object
//! has had at least [`STALE_PER_KEY`] rewrites per key since the memtables
//! were last flushed (the writer sees a flush as the memtables' byte count
//! falling between two commits, and starts counting again).
//!
//! An object's keys are loaded (one scan, stopped past [`MAX_OBJECT_KEYS`])
//! after [`LOAD_AFTER`] commits have written it since the database opened,
//! so a bulk load or a short-lived process never pays for it; one found too
//! large is tried again only after [`RETRY_FACTOR`] times as many more
//! commits (each try reads up to 4,097 pages: an autocommit writer of a
//! large table tries three times in its first 10,000 commits).
//!
//! The writer updates the sets after each batch it writes, and each
//! published state carries its own immutable [`KeyDirectory`], so a reader's
//! directory always describes exactly its own snapshot. The sets are
//! persistent B-trees (`imbl`): a commit that adds or removes a key copies
//! the few nodes on that key's path and shares the rest with the states
//! before it. That matters for indexes, whose page keys move with most
//! commits (a rising column's last page is fenced by its last key): copying
//! a whole set per commit made autocommit inserts into a table with two
//! indexes 10-60% slower; sharing made no difference measurable beside
//! keeping tables only (BENCHMARKS.md).

use super::kv::Ks;
use std::collections::HashMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Commits writing a table (or index) after which its keys are loaded.
pub const LOAD_AFTER: u32 = 64;
/// The most keys one table or index may have to be kept: 4,096 pages of 64
/// rows or index entries (262,144), or 4,096 rows stored one to an entry.
pub const MAX_OBJECT_KEYS: usize = 4096;
/// Rewrites per kept key since the last flush from which reads use the kept
/// keys (each rewrite left a stale version a range read would walk).
pub const STALE_PER_KEY: u64 = 2;
/// How much longer each failed load waits than the one before.
pub const RETRY_FACTOR: u32 = 8;
/// Keys kept for all tables and indexes together (a bound on the memory taken).
pub const MAX_KEYS: usize = 1 << 16;

/// A table's or an index's id: the first four bytes of each of its keys.
pub type ObjectId = [u8; 4];

/// A table (its entries in `rows`) or an index (its pages in `index`).
pub type Object = (Ks, ObjectId);

/// One object's stored keys: a persistent set, cloned in O(1) and changed
/// by copying one path (keys are shared, so a copied node copies pointers).
pub type KeySet = imbl::OrdSet<Arc<[u8]>>;

fn id_of(key: &[u8]) -> Option<ObjectId> {
    key.get(..4)?.try_into().ok()
}

/// One kept object: its keys at one state, and its rewrites since the last
/// flush (shared by every state's directory: a hint, not part of a state).
#[derive(Clone)]
struct Kept {
    keys: KeySet,
    stale: Arc<AtomicU64>,
}

/// The keys of the kept tables and indexes at one published state.
/// Immutable once published (but for the rewrite counts).
#[derive(Clone, Default)]
pub struct KeyDirectory {
    by_object: HashMap<Object, Kept>,
}

impl KeyDirectory {
    /// The stored keys of `ks` between `lo` and `hi` in ascending order (or
    /// descending with `reverse`), when the range lies within one object
    /// whose keys are kept and worth reading key by key; `None` otherwise
    /// (then read the range). Found one at a time: a read that stops after
    /// the first key (a seek) costs one lookup.
    pub fn keys_in(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>, reverse: bool) -> Option<KeyCursor> {
        let keys = self.kept_for(ks, lo, hi)?.clone();
        Some(KeyCursor { keys, lo: lo.clone(), hi: hi.clone(), reverse })
    }

    /// The first (or with `last`, the last) stored key of `ks` between `lo`
    /// and `hi` when [`KeyDirectory::keys_in`] would read them (`Some(None)`:
    /// none there); `None` otherwise.
    pub fn edge(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>, last: bool) -> Option<Option<Vec<u8>>> {
        let keys = self.kept_for(ks, lo, hi)?;
        Some(step(keys, lo, hi, last))
    }

    /// The kept keys of the object `lo..hi` lies within, if it is kept and
    /// has been rewritten enough since the last flush.
    fn kept_for(&self, ks: Ks, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> Option<&KeySet> {
        if self.by_object.is_empty() {
            return None;
        }
        let (Bound::Included(l) | Bound::Excluded(l)) = lo else { return None };
        let id = id_of(l)?;
        let kept = self.by_object.get(&(ks, id))?;
        if kept.stale.load(Ordering::Relaxed) < STALE_PER_KEY * kept.keys.len() as u64 {
            return None; // little to skip: a range read is cheaper
        }
        let within = match hi {
            Bound::Included(h) | Bound::Excluded(h) if h.get(..4) == Some(&id[..]) => true,
            // A whole object's range ends before the next object's prefix.
            Bound::Excluded(h) => {
                h.len() == 4 && u32::from_be_bytes(id).checked_add(1) == Some(u32::from_be_bytes(id_of(h)?))
            }
            _ => false,
        };
        within.then_some(&kept.keys)
    }
}

/// The first (or with `last`, the last) key of `keys` in `lo..hi`.
fn step(keys: &KeySet, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>, last: bool) -> Option<Vec<u8>> {
    if super::engine::bounds_empty(lo, hi) {
        return None;
    }
    let mut range = keys.range::<_, [u8]>((lo.as_ref().map(Vec::as_slice), hi.as_ref().map(Vec::as_slice)));
    if last { range.next_back() } else { range.next() }.map(|k| k.to_vec())
}

/// The kept keys of a range, one at a time, each found from the last.
pub struct KeyCursor {
    keys: KeySet,
    lo: Bound<Vec<u8>>,
    hi: Bound<Vec<u8>>,
    reverse: bool,
}

impl Iterator for KeyCursor {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        let key = step(&self.keys, &self.lo, &self.hi, self.reverse)?;
        if self.reverse {
            self.hi = Bound::Excluded(key.clone());
        } else {
            self.lo = Bound::Excluded(key.clone());
        }
        Some(key)
    }
}

/// What the writer knows about one table or index.
enum Known {
    /// Not kept: commits that wrote it since open, and the count at which
    /// to load its keys.
    Counting { commits: u32, load_at: u32 },
    /// Kept in the directory, loaded at that count.
    Kept { loaded_at: u32 },
}

/// The writer's side: which objects are kept, and the directory to publish.
pub struct TableKeys {
    objects: HashMap<Object, Known>,
    directory: Arc<KeyDirectory>,
    kept: usize,
    /// The memtables' bytes before the last batch recorded.
    buffered: u64,
}

impl Default for TableKeys {
    fn default() -> TableKeys {
        TableKeys { objects: HashMap::new(), directory: Arc::new(KeyDirectory::default()), kept: 0, buffered: 0 }
    }
}

impl TableKeys {
    /// The directory of the latest state recorded.
    pub fn directory(&self) -> Arc<KeyDirectory> {
        Arc::clone(&self.directory)
    }

    /// Records a written batch's `rows` and `index` entries (each keyspace,
    /// key, and whether the key is stored after the batch, in batch order);
    /// `buffered` is the memtables' bytes before it was written (less than
    /// before the previous batch: a flush, which left no stale versions,
    /// came between). Returns the objects whose keys should be loaded now
    /// (then call [`TableKeys::load`] for each).
    pub fn committed<'a>(
        &mut self,
        writes: impl Iterator<Item = (Ks, &'a [u8], bool)> + Clone,
        buffered: u64,
    ) -> Vec<Object> {
        if buffered < self.buffered {
            for kept in self.directory.by_object.values() {
                kept.stale.store(0, Ordering::Relaxed);
            }
        }
        self.buffered = buffered;
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
                Known::Kept { loaded_at } => {
                    let Some(kept) = self.directory.by_object.get(&object) else { continue };
                    let set = &kept.keys;
                    let mine = writes.clone().filter(|(ks, k, _)| (*ks, id_of(k)) == (object.0, Some(object.1)));
                    // A write of a stored key leaves its old version behind.
                    let rewrites = mine.clone().filter(|(_, k, _)| set.contains(*k)).count();
                    kept.stale.fetch_add(rewrites as u64, Ordering::Relaxed);
                    if mine.clone().all(|(_, k, stored)| set.contains(k) == stored) {
                        continue; // rewrites only (the common case): the same set
                    }
                    let dir = next.get_or_insert_with(|| (*self.directory).clone());
                    let Some(kept) = dir.by_object.get_mut(&object) else { continue };
                    let set = &mut kept.keys;
                    let before = set.len();
                    for (_, k, stored) in mine {
                        // (In batch order against the new set: the last write of a key wins.)
                        if stored && !set.contains(k) {
                            set.insert(Arc::from(k));
                        } else if !stored {
                            set.remove(k);
                        }
                    }
                    self.kept = self.kept + set.len() - before;
                    if set.len() > MAX_OBJECT_KEYS || self.kept > MAX_KEYS {
                        self.kept -= set.len();
                        dir.by_object.remove(&object);
                        let load_at = loaded_at.saturating_mul(RETRY_FACTOR);
                        self.objects.insert(object, Known::Counting { commits: 0, load_at });
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
    /// tried again after [`RETRY_FACTOR`] times as many commits as the last time.
    pub fn load(&mut self, object: Object, keys: Option<KeySet>) {
        let load_at = match self.objects.get(&object) {
            Some(Known::Counting { load_at, .. }) => *load_at,
            _ => LOAD_AFTER,
        };
        match keys {
            Some(keys) if self.kept + keys.len() <= MAX_KEYS => {
                self.kept += keys.len();
                let mut dir = (*self.directory).clone();
                dir.by_object.insert(object, Kept { keys, stale: Arc::new(AtomicU64::new(0)) });
                self.directory = Arc::new(dir);
                self.objects.insert(object, Known::Kept { loaded_at: load_at });
            }
            _ => {
                let load_at = load_at.saturating_mul(RETRY_FACTOR);
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

    fn set(keys: &[Vec<u8>]) -> KeySet {
        keys.iter().map(|k| Arc::<[u8]>::from(k.as_slice())).collect()
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
            assert!(t.committed(rows(&[(&a, true)]), 0).is_empty());
        }
        assert_eq!(t.committed(rows(&[(&a, true), (&k(2, b"x"), true)]), 0), vec![(Ks::Rows, [0, 0, 0, 1])]);
        let (lo, hi) = whole(1);
        assert_eq!(
            t.directory().keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            None,
            "not loaded yet"
        );
        t.load((Ks::Rows, [0, 0, 0, 1]), Some(set(&[a.clone(), k(1, b"c")])));
        for _ in 0..STALE_PER_KEY * 2 - 1 {
            t.committed(rows(&[(&a, true)]), 0);
        }
        assert_eq!(
            t.directory().keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            None,
            "too few rewrites to pay"
        );
        let before = t.directory();

        assert!(t.committed(rows(&[(&a, true)]), 0).is_empty());
        assert!(Arc::ptr_eq(&before, &t.directory()), "a rewrite publishes the same directory");
        assert_eq!(
            before.keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            Some(vec![a.clone(), k(1, b"c")]),
            "enough rewrites now"
        );
        assert_eq!(
            before.keys_in(Ks::Index, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            None,
            "an index with the same id is another object"
        );

        t.committed(rows(&[(&k(1, b"b"), true), (&a, false)]), 0);
        let after = t.directory();
        assert_eq!(
            after.keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            Some(vec![k(1, b"b"), k(1, b"c")])
        );
        assert_eq!(
            before.keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            Some(vec![a.clone(), k(1, b"c")]),
            "a published directory never changes"
        );
        let from_b = (Bound::Excluded(k(1, b"b")), Bound::Included(k(1, b"z")));
        assert_eq!(
            after.keys_in(Ks::Rows, &from_b.0, &from_b.1, false).map(Iterator::collect::<Vec<_>>),
            Some(vec![k(1, b"c")])
        );
        let back: Option<Vec<Vec<u8>>> = after.keys_in(Ks::Rows, &lo, &hi, true).map(Iterator::collect);
        assert_eq!(back, Some(vec![k(1, b"c"), k(1, b"b")]));
        assert_eq!(after.edge(Ks::Rows, &lo, &hi, false), Some(Some(k(1, b"b"))));
        assert_eq!(after.edge(Ks::Rows, &lo, &hi, true), Some(Some(k(1, b"c"))));
        assert_eq!(after.edge(Ks::Rows, &Bound::Included(k(1, b"d")), &hi, false), Some(None), "none there");
        assert_eq!(
            after.keys_in(Ks::Rows, &lo, &Bound::Unbounded, false).map(Iterator::collect::<Vec<_>>),
            None,
            "a range past the table"
        );
        assert_eq!(after.keys_in(Ks::Rows, &Bound::Unbounded, &hi, false).map(Iterator::collect::<Vec<_>>), None);
        let (lo2, hi2) = whole(2);
        assert_eq!(
            after.keys_in(Ks::Rows, &lo2, &hi2, false).map(Iterator::collect::<Vec<_>>),
            None,
            "other tables are not kept"
        );
        assert_eq!(t.kept, 2);
        t.committed(rows(&[(&k(2, b"x"), true)]), 1000);
        assert!(after.keys_in(Ks::Rows, &lo, &hi, false).is_some(), "the memtables grew: no flush");
        t.committed(rows(&[(&k(2, b"x"), true)]), 10);
        assert_eq!(
            after.keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            None,
            "a flush left nothing stale to skip"
        );
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
            t.committed(once(), 0);
        }
        t.load((Ks::Index, [0, 0, 0, 3]), None);
        for _ in 1..RETRY_FACTOR * LOAD_AFTER {
            assert!(t.committed(once(), 0).is_empty(), "backs off");
        }
        assert_eq!(t.committed(once(), 0), vec![(Ks::Index, [0, 0, 0, 3])]);
        t.load((Ks::Index, [0, 0, 0, 3]), Some(set(std::slice::from_ref(&a))));
        let many = index(&(0..MAX_OBJECT_KEYS as u32).map(|n| (k(3, &n.to_be_bytes()), true)).collect::<Vec<_>>());
        t.committed(many.iter().map(|(ks, k, s)| (*ks, k.as_slice(), *s)), 0);
        let (lo, hi) = whole(3);
        assert_eq!(
            t.directory().keys_in(Ks::Index, &lo, &hi, false).map(Iterator::collect::<Vec<_>>),
            None,
            "grew past the limit"
        );
        assert_eq!(t.kept, 0);
    }

    #[test]
    fn an_object_whose_keys_move_with_each_commit_stays_kept_and_each_state_keeps_its_own() {
        let mut t = TableKeys::default();
        let fence = |n: u32| k(4, &n.to_be_bytes());
        for n in 0..LOAD_AFTER {
            t.committed(rows(&[(&fence(n), true), (&fence(n.wrapping_sub(1)), false)]), 0);
        }
        // 31 keys that stay and one that moves with each commit (the last
        // page of an index on a rising column).
        let others: Vec<Vec<u8>> = (1000..1031).map(fence).collect();
        let mut keys = others.clone();
        keys.push(fence(LOAD_AFTER - 1));
        t.load((Ks::Rows, [0, 0, 0, 4]), Some(set(&keys)));
        let (lo, hi) = whole(4);
        let mut states = Vec::new();
        for n in LOAD_AFTER..LOAD_AFTER + 500 {
            // Each commit moves the key and rewrites the others (stale
            // versions, so reads use the keys).
            let mut writes: Vec<(&[u8], bool)> = others.iter().map(|k| (k.as_slice(), true)).collect();
            let (new, old) = (fence(n), fence(n - 1));
            writes.extend([(new.as_slice(), true), (old.as_slice(), false)]);
            t.committed(rows(&writes), 0);
            states.push((n, t.directory()));
        }
        for (n, dir) in &states[1..] {
            assert_eq!(dir.edge(Ks::Rows, &lo, &hi, false), Some(Some(fence(*n))), "kept, at its own state");
            let all: Vec<Vec<u8>> = dir.keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect).unwrap_or_default();
            assert_eq!(all.len(), 32);
            assert_eq!(all.last(), Some(&fence(1030)));
        }
        assert_eq!(t.kept, 32);

        // A key stored and removed in one batch (or the reverse): the last write wins.
        let gone = fence(5000);
        t.committed(rows(&[(&gone, true), (&gone, false)]), 0);
        let back = fence(1000);
        t.committed(rows(&[(&back, false), (&back, true)]), 0);
        let all: Vec<Vec<u8>> =
            t.directory().keys_in(Ks::Rows, &lo, &hi, false).map(Iterator::collect).unwrap_or_default();
        assert!(!all.contains(&gone) && all.contains(&back));
        assert_eq!(t.kept, 32);
    }
}
