//! The superseded row versions a write transaction keeps until commit.
//!
//! An UPDATE of a whole table supersedes every row, so this buffer takes one
//! version per row written. It is append-only: keys (`row key ‖ !to_scn`)
//! and values sit back to back in one byte arena, with a small index entry
//! each. A version then costs a copy into the arena, not two allocations
//! (a key and a value `Vec`) and their frees at commit, and the commit reads
//! the versions in place when it groups them into page records
//! ([`super::super::versions::commit_writes`]).

/// Where one version lies in the arena: its key, then its value.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: usize,
    value_start: usize,
    end: usize,
}

/// Row versions in the order they were kept, each `(key, value)`.
#[derive(Debug, Default)]
pub struct VersionBuffer {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

impl VersionBuffer {
    /// Keeps a version under `row key ‖ !to_scn`; `value` appends the value
    /// to the buffer it is given (and must append nothing else).
    pub fn push(&mut self, row_key: &[u8], to_scn: u64, value: impl FnOnce(&mut Vec<u8>)) {
        // Room for a typical version at once: a one-row commit then
        // allocates the arena once, not once per doubling.
        self.bytes.reserve(row_key.len() + 8 + 64);
        let start = self.bytes.len();
        crate::storage::keys::push_version_key(&mut self.bytes, row_key, to_scn);
        let value_start = self.bytes.len();
        value(&mut self.bytes);
        self.entries.push(Entry { start, value_start, end: self.bytes.len() });
    }

    /// Keeps a version whose key is already encoded.
    pub fn push_encoded(&mut self, key: &[u8], value: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        let value_start = self.bytes.len();
        self.bytes.extend_from_slice(value);
        self.entries.push(Entry { start, value_start, end: self.bytes.len() });
    }

    /// How many versions are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no version is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops the versions kept after the first `len` (a failed statement's).
    pub fn truncate(&mut self, len: usize) {
        if let Some(first_dropped) = self.entries.get(len) {
            self.bytes.truncate(first_dropped.start);
            self.entries.truncate(len);
        }
    }

    /// Forgets the versions whose keys start with any of `prefixes` (those
    /// of tables dropped by the transaction). Their bytes stay in the arena
    /// unread.
    pub fn forget_prefixed(&mut self, prefixes: &[Vec<u8>]) {
        let bytes = &self.bytes;
        self.entries.retain(|e| !prefixes.iter().any(|p| bytes[e.start..e.value_start].starts_with(p)));
    }

    /// Version `i`: its key and value.
    ///
    /// # Panics
    /// When `i` is not below [`VersionBuffer::len`].
    pub fn get(&self, i: usize) -> (&[u8], &[u8]) {
        let e = self.entries[i];
        (&self.bytes[e.start..e.value_start], &self.bytes[e.value_start..e.end])
    }

    /// The positions `0..len()` ordered by key; of versions with equal
    /// keys, the one kept later comes later (the sort is stable).
    pub fn sorted_by_key(&self) -> Vec<usize> {
        let key = |i: usize| -> &[u8] {
            let e = self.entries[i];
            &self.bytes[e.start..e.value_start]
        };
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        // Rows are mostly superseded in key order (an UPDATE scans its
        // table so), so this mostly finds one run.
        order.sort_by(|a, b| key(*a).cmp(key(*b)));
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(row: &[u8], to: u64) -> Vec<u8> {
        crate::storage::keys::version_key(row, to)
    }

    #[test]
    fn keeps_keys_and_values_back_to_back() {
        let mut b = VersionBuffer::default();
        b.push(b"row-b", 7, |out| out.extend_from_slice(b"Uimage-b"));
        b.push(b"row-a", 7, |out| out.extend_from_slice(b"Dimage-a"));
        b.push_encoded(&key(b"row-c", 9), b"Ux");
        assert_eq!(b.len(), 3);
        assert_eq!(b.get(0), (&key(b"row-b", 7)[..], &b"Uimage-b"[..]));
        assert_eq!(b.get(1), (&key(b"row-a", 7)[..], &b"Dimage-a"[..]));
        assert_eq!(b.get(2), (&key(b"row-c", 9)[..], &b"Ux"[..]));
        assert_eq!(b.sorted_by_key(), vec![1, 0, 2]);
    }

    #[test]
    fn equal_keys_keep_the_order_they_were_kept_in() {
        let mut b = VersionBuffer::default();
        for (i, row) in [b"k2", b"k1", b"k2", b"k1"].iter().enumerate() {
            b.push(&row[..], 5, |out| out.push(i as u8));
        }
        let values: Vec<u8> = b.sorted_by_key().into_iter().map(|i| b.get(i).1[0]).collect();
        assert_eq!(values, vec![1, 3, 0, 2]);
    }

    #[test]
    fn truncate_drops_a_failed_statements_versions() {
        let mut b = VersionBuffer::default();
        b.push(b"kept", 3, |out| out.extend_from_slice(b"U1"));
        let mark = b.len();
        b.push(b"undone", 3, |out| out.extend_from_slice(b"U2"));
        b.truncate(mark);
        b.truncate(5); // past the end: nothing to drop
        b.push(b"after", 3, |out| out.extend_from_slice(b"U3"));
        assert_eq!(b.len(), 2);
        assert_eq!(b.get(1), (&key(b"after", 3)[..], &b"U3"[..]));
        // The undone version's bytes are gone too: "kept" and "after", each with an 8-byte SCN and a 2-byte value.
        assert_eq!(b.bytes.len(), (4 + 8 + 2) + (5 + 8 + 2));
    }

    #[test]
    fn forgets_the_versions_of_dropped_tables() {
        let mut b = VersionBuffer::default();
        b.push(b"t1-row", 3, |out| out.push(b'U'));
        b.push(b"t2-row", 3, |out| out.push(b'D'));
        b.push(b"t1-other", 3, |out| out.push(b'U'));
        b.forget_prefixed(&[b"t1".to_vec()]);
        assert_eq!(b.len(), 1);
        assert_eq!(b.get(0), (&key(b"t2-row", 3)[..], &b"D"[..]));
    }
}
