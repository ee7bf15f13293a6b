//! Sorting rows by a key, in memory while the statement's working memory
//! allows and as an external merge sort past it.
//!
//! [`Sorter`] takes (key, row) pairs. While its grant can grow it keeps
//! them; when it cannot, it sorts what it holds into a run on disk and
//! starts again. At the end the runs are merged, [`FAN_IN`] at a time, so
//! however much was sorted only a few read buffers are open at once. The
//! sort is stable: runs hold consecutive stretches of the input and the
//! merge breaks ties by run, so equal keys keep their input order (ORDER BY
//! with ties, and GROUP BY's output, must match an in-memory sort exactly).

use super::memory::{row_bytes, Grant, WorkMemory};
use super::spill::{SpillReader, SpillWriter};
use super::RowIter;
use crate::error::Result;
use crate::types::Value;
use std::cmp::Ordering;
use std::sync::Arc;

/// Runs merged at once.
pub const FAN_IN: usize = 16;

/// The order of two keys.
pub type KeyCmp<'a> = Arc<dyn Fn(&[Value], &[Value]) -> Ordering + 'a>;

/// Sorted (key, row) pairs.
pub type PairIter<'a> = Box<dyn Iterator<Item = Result<(Vec<Value>, Vec<Value>)>> + 'a>;

/// A sort of (key, row) pairs that spills sorted runs when memory runs out.
pub struct Sorter<'a> {
    cmp: KeyCmp<'a>,
    grant: Grant,
    held: Vec<(Vec<Value>, Vec<Value>)>,
    runs: Vec<SpillReader>,
}

impl<'a> Sorter<'a> {
    /// An empty sort drawing on `mem`, ordering keys by `cmp`.
    pub fn new(mem: &Arc<WorkMemory>, cmp: KeyCmp<'a>) -> Sorter<'a> {
        Sorter { cmp, grant: mem.grant(), held: Vec::new(), runs: Vec::new() }
    }

    /// Adds one row under its key.
    ///
    /// # Errors
    /// Writing a run failed.
    pub fn push(&mut self, key: Vec<Value>, row: Vec<Value>) -> Result<()> {
        let bytes = row_bytes(&key) + row_bytes(&row);
        if !self.grant.try_grow(bytes) {
            self.spill_run()?;
            if !self.grant.try_grow(bytes) {
                // Other operators hold the budget: this row is a run alone.
                self.held.push((key, row));
                return self.spill_run();
            }
        }
        self.held.push((key, row));
        Ok(())
    }

    /// Whether any run went to disk.
    pub fn spilled(&self) -> bool {
        !self.runs.is_empty()
    }

    fn sort_held(&mut self) {
        let cmp = &self.cmp;
        self.held.sort_by(|(a, _), (b, _)| cmp(a, b));
    }

    /// Writes what it holds to disk as a run, giving its memory back to the
    /// statement (for an operator that needs the budget next).
    ///
    /// # Errors
    /// Writing the run failed.
    pub fn flush(&mut self) -> Result<()> {
        self.spill_run()
    }

    fn spill_run(&mut self) -> Result<()> {
        if self.held.is_empty() {
            return Ok(());
        }
        self.sort_held();
        let mut w = SpillWriter::new(self.grant.memory())?;
        for (k, r) in self.held.drain(..) {
            w.push_pair(&k, &r)?;
        }
        self.held = Vec::new();
        self.grant.release();
        self.runs.push(w.finish()?);
        Ok(())
    }

    /// The rows in key order, ties in the order pushed.
    ///
    /// # Errors
    /// Writing or merging runs failed.
    pub fn finish(self) -> Result<RowIter<'a>> {
        Ok(Box::new(self.finish_pairs()?.map(|pair| pair.map(|(_, r)| r))))
    }

    /// The (key, row) pairs in key order, ties in the order pushed.
    ///
    /// # Errors
    /// Writing or merging runs failed.
    pub fn finish_pairs(mut self) -> Result<PairIter<'a>> {
        if self.runs.is_empty() {
            self.sort_held();
            let grant = self.grant;
            return Ok(Box::new(self.held.into_iter().map(move |pair| {
                let _held = &grant;
                Ok(pair)
            })));
        }
        self.spill_run()?;
        let mem = Arc::clone(self.grant.memory());
        let cmp = &self.cmp;
        let runs = merge_down(self.runs, |group| {
            let mut w = SpillWriter::new(&mem)?;
            let mut merge = Merge::new(group, Arc::clone(cmp))?;
            while let Some((k, r)) = merge.next_pair()? {
                w.push_pair(&k, &r)?;
            }
            w.finish()
        })?;
        let mut merge = Merge::new(runs, self.cmp)?;
        Ok(Box::new(std::iter::from_fn(move || merge.next_pair().transpose())))
    }
}

/// Merges sorted runs `FAN_IN` at a time with `merge` (a group of
/// consecutive runs into one) until at most `FAN_IN` are left, so the last
/// merge holds only that many read buffers. Groups stay in run order, which
/// keeps a merge that breaks ties by run stable.
///
/// # Errors
/// Those of `merge`.
pub(super) fn merge_down<R>(mut runs: Vec<R>, mut merge: impl FnMut(Vec<R>) -> Result<R>) -> Result<Vec<R>> {
    while runs.len() > FAN_IN {
        let mut next = Vec::with_capacity(runs.len().div_ceil(FAN_IN));
        let mut rest = runs.into_iter().peekable();
        while rest.peek().is_some() {
            next.push(merge(rest.by_ref().take(FAN_IN).collect())?);
        }
        runs = next;
    }
    Ok(runs)
}

/// A merge of sorted runs; ties go to the earlier run.
struct Merge<'a> {
    runs: Vec<SpillReader>,
    heads: Vec<Option<(Vec<Value>, Vec<Value>)>>,
    cmp: KeyCmp<'a>,
}

impl<'a> Merge<'a> {
    fn new(mut runs: Vec<SpillReader>, cmp: KeyCmp<'a>) -> Result<Merge<'a>> {
        let heads = runs.iter_mut().map(SpillReader::next_pair).collect::<Result<Vec<_>>>()?;
        Ok(Merge { runs, heads, cmp })
    }

    fn next_pair(&mut self) -> Result<Option<(Vec<Value>, Vec<Value>)>> {
        let mut best: Option<usize> = None;
        for (i, h) in self.heads.iter().enumerate() {
            let Some((k, _)) = h else { continue };
            best = match best {
                Some(b) => match &self.heads[b] {
                    // Strictly less: an equal key in a later run waits.
                    Some((bk, _)) if (self.cmp)(k, bk) == Ordering::Less => Some(i),
                    _ => Some(b),
                },
                None => Some(i),
            };
        }
        let Some(b) = best else { return Ok(None) };
        let next = self.runs[b].next_pair()?;
        Ok(std::mem::replace(&mut self.heads[b], next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_external_sort_is_stable_and_equals_an_in_memory_sort() {
        let dir = tempfile::tempdir().unwrap();
        let mem = WorkMemory::new(4, Some(dir.path().to_path_buf()));
        let cmp: KeyCmp = Arc::new(|a: &[Value], b: &[Value]| crate::types::compare::total_cmp(&a[0], &b[0]));
        let mut s = Sorter::new(&mem, Arc::clone(&cmp));
        let mut rows = Vec::new();
        for i in 0..120_000i64 {
            let k = vec![Value::Integer((i * 7919) % 101)];
            let r = vec![Value::Integer(i), Value::Text("x".repeat((i % 40) as usize))];
            rows.push((k.clone(), r.clone()));
            s.push(k, r).unwrap();
        }
        assert!(s.runs.len() > FAN_IN, "the test must merge in more than one pass");
        let got = s.finish().unwrap().collect::<Result<Vec<_>>>().unwrap();
        rows.sort_by(|(a, _), (b, _)| cmp(a, b));
        let want: Vec<Vec<Value>> = rows.into_iter().map(|(_, r)| r).collect();
        assert_eq!(got, want);
        assert!(mem.peak() <= mem.limit());
    }
}
