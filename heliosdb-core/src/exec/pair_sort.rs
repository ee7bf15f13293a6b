//! Sorting (key, value) byte strings by key bytes, in memory while the
//! statement's working memory allows and as an external merge sort past it.
//!
//! [`super::sort::Sorter`] sorts rows of [`Value`](crate::types::Value)s
//! under a comparison function, which ORDER BY and windows need. Keys that
//! are already order-preserving encodings (a materialized view's stored row
//! keys) sort by plain byte comparison, and their values are stored images
//! that are only carried along. Sorting those as `Value::Blob` rows cost two
//! allocations a row to wrap them, the row codec to spill them, two more to
//! read them back, and a quarter of the budget in per-value overhead (so
//! four times the runs): `perf` put 42% of a ranked view's full refresh
//! there. [`PairSorter`] keeps every pair in one byte arena with a small
//! index entry each, sorts the index, and spills runs as length-prefixed
//! bytes.
//!
//! The sort is stable (equal keys keep the order pushed): runs hold
//! consecutive stretches of the input and the merge breaks ties by run.

use super::memory::{Grant, WorkMemory};
use super::sort::merge_down;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

/// Read and write buffer of one run file.
const BUF_BYTES: usize = 64 * 1024;

/// One pushed pair: where it starts in the arena and its two lengths.
#[derive(Clone, Copy)]
struct Entry {
    at: usize,
    key_len: u32,
    value_len: u32,
}

/// Sorted (key, value) pairs.
pub type BytePairs<'a> = Box<dyn Iterator<Item = Result<(Vec<u8>, Vec<u8>)>> + 'a>;

fn io_err(e: std::io::Error) -> Error {
    Error::Io(format!("temporary file: {e}"))
}

fn len_u32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::NoMem("a key or value too large to sort".into()))
}

/// A sort of (key, value) byte pairs by key bytes that spills sorted runs
/// when the statement's working memory runs out.
pub struct PairSorter {
    grant: Grant,
    arena: Vec<u8>,
    entries: Vec<Entry>,
    runs: Vec<Run>,
}

impl PairSorter {
    /// An empty sort drawing on `mem`.
    pub fn new(mem: &Arc<WorkMemory>) -> PairSorter {
        PairSorter { grant: mem.grant(), arena: Vec::new(), entries: Vec::new(), runs: Vec::new() }
    }

    /// Adds `value` under `key`.
    ///
    /// # Errors
    /// Writing a run failed; a key or value past 4 GiB.
    pub fn push(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        len_u32(key.len())?;
        len_u32(value.len())?;
        // Counted as held: the bytes and the index entry (the arena's and the
        // index's spare capacity is the estimate's slack).
        let bytes = (key.len() + value.len() + std::mem::size_of::<Entry>()) as u64;
        if !self.grant.try_grow(bytes) {
            self.spill_run()?;
            // Other operators may hold the budget: then this pair is a run
            // alone, as with `Sorter`.
            let fits = self.grant.try_grow(bytes);
            self.hold(key, value);
            return if fits { Ok(()) } else { self.spill_run() };
        }
        self.hold(key, value);
        Ok(())
    }

    fn hold(&mut self, key: &[u8], value: &[u8]) {
        let at = self.arena.len();
        self.arena.extend_from_slice(key);
        self.arena.extend_from_slice(value);
        // Lengths were checked by `push`.
        self.entries.push(Entry { at, key_len: key.len() as u32, value_len: value.len() as u32 });
    }

    fn key(&self, e: &Entry) -> &[u8] {
        &self.arena[e.at..e.at + e.key_len as usize]
    }

    fn value(&self, e: &Entry) -> &[u8] {
        let from = e.at + e.key_len as usize;
        &self.arena[from..from + e.value_len as usize]
    }

    fn sort_held(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| self.key(a).cmp(self.key(b)));
        self.entries = entries;
    }

    fn spill_run(&mut self) -> Result<()> {
        if self.entries.is_empty() {
            return Ok(());
        }
        self.sort_held();
        let mut w = RunWriter::new(self.grant.memory())?;
        for e in &self.entries {
            w.push(self.key(e), self.value(e))?;
        }
        self.arena = Vec::new();
        self.entries = Vec::new();
        self.grant.release();
        self.runs.push(w.finish()?);
        Ok(())
    }

    /// The pairs in key order, ties in the order pushed.
    ///
    /// # Errors
    /// Writing or merging runs failed.
    pub fn finish(mut self) -> Result<BytePairs<'static>> {
        if self.runs.is_empty() {
            self.sort_held();
            let mut i = 0;
            return Ok(Box::new(std::iter::from_fn(move || {
                let e = *self.entries.get(i)?;
                i += 1;
                Some(Ok((self.key(&e).to_vec(), self.value(&e).to_vec())))
            })));
        }
        self.spill_run()?;
        let mem = Arc::clone(self.grant.memory());
        let runs = merge_down(std::mem::take(&mut self.runs), |group| {
            let mut w = RunWriter::new(&mem)?;
            let mut merge = Merge::new(group)?;
            while let Some((k, v)) = merge.next_pair()? {
                w.push(&k, &v)?;
            }
            w.finish()
        })?;
        let mut merge = Merge::new(runs)?;
        Ok(Box::new(std::iter::from_fn(move || merge.next_pair().transpose())))
    }
}

/// A run being written: each pair as key length, value length (u32, little
/// endian), key, value, to an unlinked temporary file.
struct RunWriter {
    out: BufWriter<File>,
    mem: Arc<WorkMemory>,
}

impl RunWriter {
    fn new(mem: &Arc<WorkMemory>) -> Result<RunWriter> {
        let file = tempfile::tempfile_in(mem.dir()).map_err(io_err)?;
        Ok(RunWriter { out: BufWriter::with_capacity(BUF_BYTES, file), mem: Arc::clone(mem) })
    }

    fn push(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        self.out.write_all(&len_u32(key.len())?.to_le_bytes()).map_err(io_err)?;
        self.out.write_all(&len_u32(value.len())?.to_le_bytes()).map_err(io_err)?;
        self.out.write_all(key).map_err(io_err)?;
        self.out.write_all(value).map_err(io_err)?;
        self.mem.note_spilled((8 + key.len() + value.len()) as u64);
        Ok(())
    }

    fn finish(self) -> Result<Run> {
        let mut file = self.out.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        Ok(Run { input: BufReader::with_capacity(BUF_BYTES, file) })
    }
}

/// A run being read back.
struct Run {
    input: BufReader<File>,
}

impl Run {
    fn next_pair(&mut self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let mut lens = [0u8; 8];
        // A clean end of file falls between pairs; anything else is damage.
        match self.input.read(&mut lens[..1]).map_err(io_err)? {
            0 => return Ok(None),
            _ => self.input.read_exact(&mut lens[1..]).map_err(io_err)?,
        }
        let [k0, k1, k2, k3, v0, v1, v2, v3] = lens;
        let mut key = vec![0u8; u32::from_le_bytes([k0, k1, k2, k3]) as usize];
        let mut value = vec![0u8; u32::from_le_bytes([v0, v1, v2, v3]) as usize];
        self.input.read_exact(&mut key).map_err(io_err)?;
        self.input.read_exact(&mut value).map_err(io_err)?;
        Ok(Some((key, value)))
    }
}

/// A merge of sorted runs; ties go to the earlier run.
struct Merge {
    runs: Vec<Run>,
    heads: Vec<Option<(Vec<u8>, Vec<u8>)>>,
}

impl Merge {
    fn new(mut runs: Vec<Run>) -> Result<Merge> {
        let heads = runs.iter_mut().map(Run::next_pair).collect::<Result<Vec<_>>>()?;
        Ok(Merge { runs, heads })
    }

    fn next_pair(&mut self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let mut best: Option<(usize, &[u8])> = None;
        for (i, h) in self.heads.iter().enumerate() {
            let Some((k, _)) = h else { continue };
            // Strictly less: an equal key in a later run waits.
            if best.is_none_or(|(_, bk)| k.as_slice() < bk) {
                best = Some((i, k));
            }
        }
        let Some((b, _)) = best else { return Ok(None) };
        let next = self.runs[b].next_pair()?;
        Ok(std::mem::replace(&mut self.heads[b], next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::sort::FAN_IN;

    fn pairs(n: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
        // Keys with many repeats (stability shows) and values of varied length.
        (0..n)
            .map(|i| (((u64::from(i) * 7919) % 101).to_be_bytes().to_vec(), vec![(i % 251) as u8; (i % 40) as usize]))
            .collect()
    }

    fn sorted(input: &[(Vec<u8>, Vec<u8>)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut want = input.to_vec();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        want
    }

    #[test]
    fn an_external_byte_sort_is_stable_and_equals_an_in_memory_sort() {
        let dir = tempfile::tempdir().unwrap();
        // A 1 MiB budget: 600,000 pairs (about 24 MB) make more than FAN_IN runs.
        let mem = WorkMemory::new(4, Some(dir.path().to_path_buf()));
        let input = pairs(600_000);
        let mut s = PairSorter::new(&mem);
        for (k, v) in &input {
            s.push(k, v).unwrap();
        }
        assert!(s.runs.len() > FAN_IN, "the test must merge in more than one pass");
        let got = s.finish().unwrap().collect::<Result<Vec<_>>>().unwrap();
        assert_eq!(got, sorted(&input));
        assert!(mem.peak() <= mem.limit());
        assert!(mem.spilled() > 0);
    }

    #[test]
    fn a_sort_that_fits_stays_in_memory() {
        let input = pairs(1_000);
        let mut s = PairSorter::new(WorkMemory::unlimited());
        for (k, v) in &input {
            s.push(k, v).unwrap();
        }
        assert!(s.runs.is_empty());
        assert_eq!(s.finish().unwrap().collect::<Result<Vec<_>>>().unwrap(), sorted(&input));
    }
}
