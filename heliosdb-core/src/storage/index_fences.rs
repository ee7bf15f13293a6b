//! The fences of index pages at the latest committed state, kept in memory
//! for the writer, so it finds the page that holds a key with a point read.
//!
//! Why: without it the writer finds a page with a forward seek (see
//! [`super::index_pages`]), and fjall's range iterator walks every version
//! of the key it lands on still held in the memtable or not yet compacted.
//! Autocommit writes rewrite the same pages over and over (an index on a
//! rising column rewrites its last page on every insert), so each seek got
//! slower with every commit until a flush: quadratic. A point read finds the
//! newest version directly.
//!
//! An index's fences are loaded (one key scan of the index) once the writer
//! has sought pages in it [`LOAD_AFTER`] times since the database opened, so
//! a short-lived process that writes a few rows does not read a large index
//! whole. The writer updates the set after each commit it publishes; it is
//! only ever read by the writer-lock holder, whose base snapshot is that
//! latest state. Readers at other snapshots seek as before. Sets past
//! [`MAX_FENCES`] fences in all are not kept (the writer keeps seeking).

use std::collections::{BTreeSet, HashMap};

/// Seeks into one index after which its fences are loaded.
pub const LOAD_AFTER: u32 = 64;
/// Fences kept in all indexes together (about 4M index entries; some
/// 40 bytes each): a bound on the memory this cache takes.
pub const MAX_FENCES: usize = 1 << 16;

/// What the writer knows about one index's pages.
enum Known {
    /// Not loaded: how many seeks the writer has made into it.
    Seeks(u32),
    /// Every page's fence at the latest committed state.
    Fences(BTreeSet<Vec<u8>>),
}

/// Where the page that holds a key is, as far as the cache knows.
pub enum Lookup {
    /// The page fenced by this key.
    Page(Vec<u8>),
    /// No page is fenced at or above the key: the index's last page (the
    /// greatest fence), if it has pages.
    Above(Option<Vec<u8>>),
    /// Not known: seek it (and call [`IndexFences::sought`]).
    Unknown,
}

/// The fence sets of the indexes the writer has written to often.
#[derive(Default)]
pub struct IndexFences {
    by_index: HashMap<[u8; 4], Known>,
    kept: usize,
}

fn index_id(key: &[u8]) -> Option<[u8; 4]> {
    key.get(..4)?.try_into().ok()
}

impl IndexFences {
    /// The page that holds `key` at the latest committed state, if known.
    pub fn lookup(&self, key: &[u8]) -> Lookup {
        let Some(id) = index_id(key) else { return Lookup::Unknown };
        match self.by_index.get(&id) {
            Some(Known::Fences(fences)) => match fences.range(key.to_vec()..).next() {
                Some(f) => Lookup::Page(f.clone()),
                None => Lookup::Above(fences.last().cloned()),
            },
            _ => Lookup::Unknown,
        }
    }

    /// Counts a seek into `key`'s index; when its fences should be loaded
    /// now, how many the map has room for (then call [`IndexFences::load`]).
    pub fn sought(&mut self, key: &[u8]) -> Option<usize> {
        let id = index_id(key)?;
        match self.by_index.entry(id).or_insert(Known::Seeks(0)) {
            Known::Seeks(n) => {
                *n = n.saturating_add(1);
                (*n == LOAD_AFTER && self.kept < MAX_FENCES).then(|| MAX_FENCES - self.kept)
            }
            Known::Fences(_) => None,
        }
    }

    /// Keeps the fences of `key`'s index, read whole at the latest
    /// committed state; not kept when that would pass [`MAX_FENCES`].
    pub fn load(&mut self, key: &[u8], fences: BTreeSet<Vec<u8>>) {
        let Some(id) = index_id(key) else { return };
        if self.kept + fences.len() > MAX_FENCES {
            return;
        }
        self.kept += fences.len();
        self.by_index.insert(id, Known::Fences(fences));
    }

    /// Forgets what is known of `key`'s index (a page the cache named was
    /// not there: never expected, but then seeking is the safe answer).
    pub fn forget(&mut self, key: &[u8]) {
        let Some(id) = index_id(key) else { return };
        if let Some(Known::Fences(f)) = self.by_index.remove(&id) {
            self.kept -= f.len();
        }
    }

    /// Records a committed page write: `stored` is whether the page under
    /// `fence` exists after it.
    pub fn committed(&mut self, fence: &[u8], stored: bool) {
        let Some(id) = index_id(fence) else { return };
        if let Some(Known::Fences(fences)) = self.by_index.get_mut(&id) {
            if stored {
                if fences.insert(fence.to_vec()) {
                    self.kept += 1;
                }
            } else if fences.remove(fence) {
                self.kept -= 1;
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

    #[test]
    fn fences_load_after_enough_seeks_and_follow_commits() {
        let mut f = IndexFences::default();
        for _ in 1..LOAD_AFTER {
            assert_eq!(f.sought(&k(1, b"a")), None);
            assert!(matches!(f.lookup(&k(1, b"a")), Lookup::Unknown));
        }
        assert_eq!(f.sought(&k(1, b"a")), Some(MAX_FENCES));
        f.load(&k(1, b""), BTreeSet::from([k(1, b"c"), k(1, b"f")]));
        assert!(matches!(f.lookup(&k(1, b"a")), Lookup::Page(p) if p == k(1, b"c")));
        assert!(matches!(f.lookup(&k(1, b"d")), Lookup::Page(p) if p == k(1, b"f")));
        f.committed(&k(1, b"f"), false);
        assert!(matches!(f.lookup(&k(1, b"d")), Lookup::Above(Some(p)) if p == k(1, b"c")), "the last page");
        f.committed(&k(1, b"c"), false);
        assert!(matches!(f.lookup(&k(1, b"d")), Lookup::Above(None)), "no pages");
        f.committed(&k(1, b"e"), true);
        assert!(matches!(f.lookup(&k(1, b"d")), Lookup::Page(p) if p == k(1, b"e")));
        assert!(matches!(f.lookup(&k(2, b"a")), Lookup::Unknown), "other indexes are not loaded");
        f.forget(&k(1, b""));
        assert!(matches!(f.lookup(&k(1, b"a")), Lookup::Unknown));
        assert_eq!(f.kept, 0);
    }

    #[test]
    fn an_index_larger_than_the_room_left_is_not_kept() {
        let mut f = IndexFences::default();
        let big: BTreeSet<Vec<u8>> = (0..=MAX_FENCES as u32).map(|n| k(3, &n.to_be_bytes())).collect();
        f.load(&k(3, b""), big);
        assert!(matches!(f.lookup(&k(3, b"a")), Lookup::Unknown));
        assert_eq!(f.kept, 0);
    }
}
