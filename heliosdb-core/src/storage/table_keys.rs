//! The stored `rows` keys of small, often-written tables at each published
//! state, kept in memory so a scan of such a table reads each entry with a
//! point `get` instead of walking a key range.
//!
//! Why: every commit rewrites the page (or loose row) it changes, and fjall
//! keeps every rewrite in the memtable until it is flushed (at 64 MB). A
//! range read walks every version of each key it returns (lsm-tree's
//! `MvccStream` drains them one by one), so a 100-row table updated 40,000
//! times by autocommit scanned a thousand times slower than after a flush:
//! its cost followed its history, not its rows. A point read seeks to the
//! newest visible version directly, whatever lies below it.
//!
//! A table's keys are loaded (one key scan, stopped past [`MAX_TABLE_KEYS`])
//! after [`LOAD_AFTER`] commits have written it since the database opened,
//! so a bulk load or a short-lived process never pays for it; a table found
//! too large is tried again only after twice as many more commits. The
//! writer updates the sets after each batch it writes, and each published
//! state carries its own immutable [`KeyDirectory`] (sets shared between
//! states until a commit adds or removes a key), so a reader's directory
//! always describes exactly its own snapshot.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;

/// Commits writing a table after which its keys are loaded.
pub const LOAD_AFTER: u32 = 64;
/// The most keys one table may have to be kept: 256 pages of 64 rows, or
/// 256 rows stored one to an entry. A point read costs more than a step of a
/// range read over a clean table, so larger tables keep range reads.
pub const MAX_TABLE_KEYS: usize = 256;
/// Keys kept for all tables together (a bound on the memory taken).
pub const MAX_KEYS: usize = 1 << 16;

/// A table's id: the first four bytes of each of its keys.
type TableId = [u8; 4];

fn table_of(key: &[u8]) -> Option<TableId> {
    key.get(..4)?.try_into().ok()
}

/// The keys of the kept tables at one published state. Immutable once
/// published.
#[derive(Clone, Default)]
pub struct KeyDirectory {
    by_table: HashMap<TableId, Arc<BTreeSet<Vec<u8>>>>,
}

impl KeyDirectory {
    /// The stored keys between `lo` and `hi`, in ascending order, when the
    /// range lies within one table whose keys are kept; `None` otherwise
    /// (then read the range).
    pub fn keys_in(&self, lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> Option<Vec<Vec<u8>>> {
        if self.by_table.is_empty() {
            return None;
        }
        let (Bound::Included(l) | Bound::Excluded(l)) = lo else { return None };
        let id = table_of(l)?;
        let keys = self.by_table.get(&id)?;
        let within = match hi {
            Bound::Included(h) | Bound::Excluded(h) if h.get(..4) == Some(&id[..]) => true,
            // A whole table's range ends before the next table's prefix.
            Bound::Excluded(h) => {
                h.len() == 4 && u32::from_be_bytes(id).checked_add(1) == Some(u32::from_be_bytes(table_of(h)?))
            }
            _ => false,
        };
        if !within {
            return None;
        }
        if super::engine::bounds_empty(lo, hi) {
            return Some(Vec::new());
        }
        Some(keys.range::<Vec<u8>, _>((lo.clone(), hi.clone())).cloned().collect())
    }
}

/// What the writer knows about one table.
enum Known {
    /// Not kept: commits that wrote it since open, and the count at which
    /// to load its keys.
    Counting { commits: u32, load_at: u32 },
    /// Kept in the directory.
    Kept,
}

/// The writer's side: which tables are kept, and the directory to publish.
pub struct TableKeys {
    tables: HashMap<TableId, Known>,
    directory: Arc<KeyDirectory>,
    kept: usize,
}

impl Default for TableKeys {
    fn default() -> TableKeys {
        TableKeys { tables: HashMap::new(), directory: Arc::new(KeyDirectory::default()), kept: 0 }
    }
}

impl TableKeys {
    /// The directory of the latest state recorded.
    pub fn directory(&self) -> Arc<KeyDirectory> {
        Arc::clone(&self.directory)
    }

    /// Records a written batch's `rows` entries (each key, and whether it
    /// is stored after the batch). Returns the tables whose keys should be
    /// loaded now (then call [`TableKeys::load`] for each).
    pub fn committed<'a>(&mut self, writes: impl Iterator<Item = (&'a [u8], bool)> + Clone) -> Vec<TableId> {
        let mut touched: Vec<TableId> = Vec::new();
        for id in writes.clone().filter_map(|(k, _)| table_of(k)) {
            if touched.last() != Some(&id) {
                touched.push(id); // (a table's writes come together)
            }
        }
        touched.sort_unstable();
        touched.dedup();
        let mut load = Vec::new();
        let mut next: Option<KeyDirectory> = None;
        for id in touched {
            match self.tables.entry(id).or_insert(Known::Counting { commits: 0, load_at: LOAD_AFTER }) {
                Known::Counting { commits, load_at } => {
                    *commits = commits.saturating_add(1);
                    if *commits >= *load_at {
                        load.push(id);
                    }
                }
                Known::Kept => {
                    let Some(set) = self.directory.by_table.get(&id) else { continue };
                    let changes =
                        writes.clone().filter(|(k, stored)| table_of(k) == Some(id) && set.contains(*k) != *stored);
                    if changes.clone().next().is_none() {
                        continue; // rewrites only (the common case): nothing to copy
                    }
                    let dir = next.get_or_insert_with(|| (*self.directory).clone());
                    let Some(set) = dir.by_table.get_mut(&id) else { continue };
                    let set = Arc::make_mut(set);
                    let before = set.len();
                    for (k, stored) in changes {
                        if stored {
                            set.insert(k.to_vec());
                        } else {
                            set.remove(k);
                        }
                    }
                    self.kept = self.kept + set.len() - before;
                    if set.len() > MAX_TABLE_KEYS || self.kept > MAX_KEYS {
                        self.kept -= set.len();
                        dir.by_table.remove(&id);
                        self.tables.insert(id, Known::Counting { commits: 0, load_at: LOAD_AFTER });
                    }
                }
            }
        }
        if let Some(dir) = next {
            self.directory = Arc::new(dir);
        }
        load
    }

    /// Keeps table `id`'s keys, read whole at the state just recorded;
    /// `None` when it had more than [`MAX_TABLE_KEYS`]. A table not kept is
    /// tried again after twice as many commits as the last time.
    pub fn load(&mut self, id: TableId, keys: Option<BTreeSet<Vec<u8>>>) {
        let retry = |tables: &mut HashMap<TableId, Known>| {
            let load_at = match tables.get(&id) {
                Some(Known::Counting { load_at, .. }) => load_at.saturating_mul(2),
                _ => LOAD_AFTER,
            };
            tables.insert(id, Known::Counting { commits: 0, load_at });
        };
        match keys {
            Some(keys) if self.kept + keys.len() <= MAX_KEYS => {
                self.kept += keys.len();
                let mut dir = (*self.directory).clone();
                dir.by_table.insert(id, Arc::new(keys));
                self.directory = Arc::new(dir);
                self.tables.insert(id, Known::Kept);
            }
            _ => retry(&mut self.tables),
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

    fn table(id: u8) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
        (Bound::Included(vec![0, 0, 0, id]), Bound::Excluded(vec![0, 0, 0, id + 1]))
    }

    #[test]
    fn keys_are_loaded_after_enough_commits_and_follow_later_ones() {
        let mut t = TableKeys::default();
        let a = k(1, b"a");
        for _ in 1..LOAD_AFTER {
            assert!(t.committed([(&a[..], true)].into_iter()).is_empty());
        }
        assert_eq!(t.committed([(&a[..], true), (&k(2, b"x")[..], true)].into_iter()), vec![[0, 0, 0, 1]]);
        let (lo, hi) = table(1);
        assert_eq!(t.directory().keys_in(&lo, &hi), None, "not loaded yet");
        t.load([0, 0, 0, 1], Some(BTreeSet::from([a.clone(), k(1, b"c")])));
        let before = t.directory();
        assert_eq!(before.keys_in(&lo, &hi), Some(vec![a.clone(), k(1, b"c")]));

        assert!(t.committed([(&a[..], true)].into_iter()).is_empty());
        assert!(Arc::ptr_eq(&before, &t.directory()), "a rewrite publishes the same directory");

        t.committed([(&k(1, b"b")[..], true), (&a[..], false)].into_iter());
        let after = t.directory();
        assert_eq!(after.keys_in(&lo, &hi), Some(vec![k(1, b"b"), k(1, b"c")]));
        assert_eq!(before.keys_in(&lo, &hi), Some(vec![a.clone(), k(1, b"c")]), "a published directory never changes");
        assert_eq!(after.keys_in(&Bound::Excluded(k(1, b"b")), &Bound::Included(k(1, b"z"))), Some(vec![k(1, b"c")]));
        assert_eq!(after.keys_in(&lo, &Bound::Unbounded), None, "a range past the table");
        assert_eq!(after.keys_in(&Bound::Unbounded, &hi), None);
        let (lo2, hi2) = table(2);
        assert_eq!(after.keys_in(&lo2, &hi2), None, "other tables are not kept");
        assert_eq!(t.kept, 2);
    }

    #[test]
    fn a_table_too_large_is_dropped_and_tried_again_later() {
        let mut t = TableKeys::default();
        let a = k(3, b"a");
        for _ in 0..LOAD_AFTER {
            t.committed([(&a[..], true)].into_iter());
        }
        t.load([0, 0, 0, 3], None);
        for _ in 1..2 * LOAD_AFTER {
            assert!(t.committed([(&a[..], true)].into_iter()).is_empty(), "backs off");
        }
        assert_eq!(t.committed([(&a[..], true)].into_iter()).len(), 1);
        t.load([0, 0, 0, 3], Some(BTreeSet::from([a.clone()])));
        let many: Vec<Vec<u8>> = (0..MAX_TABLE_KEYS as u32).map(|n| k(3, &n.to_be_bytes())).collect();
        let writes: Vec<(&[u8], bool)> = many.iter().map(|k| (k.as_slice(), true)).collect();
        t.committed(writes.into_iter());
        let (lo, hi) = table(3);
        assert_eq!(t.directory().keys_in(&lo, &hi), None, "grew past the limit");
        assert_eq!(t.kept, 0);
    }
}
