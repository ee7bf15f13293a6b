//! Hash aggregation (GROUP BY) and DISTINCT, in bounded memory.
//!
//! Both keep a hash table while the statement's working memory allows.
//! When it is full they stop adding keys: rows of keys already in the table
//! are still folded (or dropped as duplicates), and rows of new keys go to
//! one of [`super::spill::PARTITIONS`] temporary files chosen by a hash of the key. Each
//! file is then processed the same way with a fresh table (and a
//! different hash, so a file that is still too big splits again). A key
//! lives in exactly one place: the table, or one file.
//!
//! GROUP BY's output goes through a [`Sorter`] by group key, as SQLite
//! groups by sorting and returns groups in key order.

use super::aggregate::AggState;
use super::batch::Rows;
use super::eval::{eval, eval_predicate, eval_ref, operand, EvalCtx};
use super::memory::{row_bytes, Grant, KeyMap, KeySet, WorkMemory, HASH_ENTRY_OVERHEAD};
use super::sort::{KeyCmp, Sorter};
use super::spill::{PartitionFiles, SpillReader};
use super::RowIter;
use crate::error::Result;
use crate::sql::expr::{AggCall, AggFunc, Expr};
use crate::types::compare::slice_cmp;
use crate::types::Value;
use std::sync::Arc;

/// Passes after which a key set that still does not fit is an error
/// (16^6 partitions: only a single key too large for memory gets there).
const MAX_DEPTH: u32 = 6;

/// The partition files with anything in them.
fn nonempty(files: PartitionFiles) -> Result<Vec<SpillReader>> {
    Ok(files.finish()?.into_iter().filter(|f| f.rows() > 0).collect())
}

/// Groups `input` by `group`, computing `aggs`; one row per group (key
/// values, then aggregate values), in key order.
///
/// # Errors
/// Evaluation errors; a temporary file that cannot be written; a single
/// group too large for the statement's working memory.
pub(super) fn aggregate<'a>(
    mut input: Rows<'a>,
    group: &'a [Expr],
    aggs: &'a [AggCall],
    ctx: &'a EvalCtx,
) -> Result<RowIter<'a>> {
    let agg = Aggregation { keys: group.len(), aggs, ctx };
    let plain_count = |a: &AggCall| a.func == AggFunc::CountStar && a.filter.is_none() && !a.distinct;
    if group.is_empty() && aggs.iter().all(plain_count) {
        // Only `count(*)`: no row's values are needed, so none is decoded.
        let n = i64::try_from(input.count()?).unwrap_or(i64::MAX);
        return Ok(Box::new(std::iter::once(Ok(vec![Value::Integer(n); aggs.len()]))));
    }
    if group.is_empty() {
        let mut states = agg.new_states();
        while let Some(row) = input.next_row()? {
            agg.feed(&mut states, row)?;
        }
        return Ok(Box::new(std::iter::once(Ok(states.iter().map(AggState::finish).collect()))));
    }
    // The key buffer is refilled in place row after row: a text key
    // copies into the string already there instead of allocating, so a row
    // of a group already in the table costs no allocation.
    let key_of = |row: &mut Vec<Value>, key: &mut Vec<Value>| -> Result<()> {
        key.resize(group.len(), Value::Null);
        for (g, slot) in group.iter().zip(key.iter_mut()) {
            match operand(g, row) {
                Some(v) => slot.clone_from(v),
                None => *slot = eval(g, row, ctx)?,
            }
        }
        Ok(())
    };
    let cmp: KeyCmp<'a> = Arc::new(slice_cmp);
    let mut out = Sorter::new(&ctx.mem, cmp);
    agg.pass(input, &key_of, 0, &mut out)?;
    let keyed_out = out.finish()?;
    Ok(keyed_out)
}

struct Aggregation<'a, 'c> {
    /// Number of GROUP BY keys.
    keys: usize,
    aggs: &'a [AggCall],
    ctx: &'a EvalCtx<'c>,
}

impl Aggregation<'_, '_> {
    fn new_states(&self) -> Vec<AggState> {
        self.aggs.iter().map(|a| AggState::new(a.func, a.distinct)).collect()
    }

    fn feed(&self, states: &mut [AggState], row: &[Value]) -> Result<()> {
        for (state, call) in states.iter_mut().zip(self.aggs) {
            if let Some(f) = &call.filter {
                if !eval_predicate(f, row, self.ctx)? {
                    continue;
                }
            }
            // Borrowed where the argument is a column: a text value is not
            // copied. (Matched out rather than passed through an
            // `Option<Cow<Value>>`: moving that enum through the stack cost
            // a store-forwarding stall per aggregate per row, a third of a
            // GROUP BY's own time.)
            let sep = match &call.separator {
                None => None,
                Some(s) => Some(eval_ref(s, row, self.ctx)?),
            };
            match &call.arg {
                None => state.update(None, sep.as_deref())?,
                Some(a) => match operand(a, row) {
                    Some(v) => state.update(Some(v), sep.as_deref())?,
                    None => state.update(Some(&eval(a, row, self.ctx)?), sep.as_deref())?,
                },
            }
        }
        Ok(())
    }

    /// Estimated bytes of one group in the table.
    fn group_bytes(&self, key: &[Value]) -> u64 {
        row_bytes(key)
            + (self.aggs.len() * std::mem::size_of::<AggState>()) as u64
            + std::mem::size_of::<Vec<AggState>>() as u64
            + HASH_ENTRY_OVERHEAD
    }

    /// Folds `rows` into groups (`key_of` copies or computes a row's key into
    /// a buffer reused across rows); finished groups go to `out` as (key,
    /// key ‖ aggregates). Rows of the groups that did not fit go to
    /// partition files as (key, row) record pairs, each file a pass of its own.
    fn pass(&self, mut rows: Rows<'_>, key_of: &KeyOf<'_>, depth: u32, out: &mut Sorter<'_>) -> Result<()> {
        let mem = Arc::clone(&self.ctx.mem);
        if depth > 0 {
            // The groups finished so far wait on disk: this pass needs the budget.
            out.flush()?;
        }
        let mut grant = mem.grant();
        let mut groups: KeyMap<Vec<Value>, Vec<AggState>> = KeyMap::default();
        let mut overflow: Option<PartitionFiles> = None;
        let mut key = Vec::new();
        while let Some(row) = rows.next_row()? {
            key_of(row, &mut key)?;
            if let Some(states) = groups.get_mut(key.as_slice()) {
                self.feed(states, row)?;
                continue;
            }
            let bytes = self.group_bytes(&key);
            if overflow.is_none() {
                let fits = grant.try_grow(bytes);
                if fits || groups.is_empty() {
                    if !fits {
                        grant.grow(bytes, "one group of GROUP BY")?;
                    }
                    let mut states = self.new_states();
                    self.feed(&mut states, row)?;
                    groups.insert(key.clone(), states);
                    continue;
                }
                if depth >= MAX_DEPTH {
                    return Err(mem.exceeded("GROUP BY"));
                }
                overflow = Some(PartitionFiles::new(&mem, depth)?);
            }
            if let Some(o) = &mut overflow {
                o.push(&key, &[&key, row])?;
            }
        }
        emit_groups(groups, &mut grant, |g| self.group_bytes(g), out)?;
        drop(grant);
        if let Some(o) = overflow {
            for file in nonempty(o)? {
                // Each record pair comes back as key ‖ row; the key is split off again.
                let n = self.keys;
                let joined = pairs_of(file).map(|p| {
                    p.map(|(mut k, r)| {
                        k.extend(r);
                        k
                    })
                });
                let split = |row: &mut Vec<Value>, key: &mut Vec<Value>| -> Result<()> {
                    key.clear();
                    key.extend(row.drain(..n));
                    Ok(())
                };
                self.pass(Rows::stream(Box::new(joined)), &split, depth + 1, out)?;
            }
        }
        Ok(())
    }
}

/// Sets a buffer to a row's group key (the row may be taken apart).
type KeyOf<'k> = dyn Fn(&mut Vec<Value>, &mut Vec<Value>) -> Result<()> + 'k;

/// Moves finished groups into the output sort, handing their memory over
/// as it goes.
fn emit_groups(
    groups: KeyMap<Vec<Value>, Vec<AggState>>,
    grant: &mut Grant,
    bytes: impl Fn(&[Value]) -> u64,
    out: &mut Sorter<'_>,
) -> Result<()> {
    for (key, states) in groups {
        grant.shrink(bytes(&key));
        let mut row = key.clone();
        row.extend(states.iter().map(AggState::finish));
        out.push(key, row)?;
    }
    Ok(())
}

/// Reads a file of (key, row) record pairs.
fn pairs_of(mut file: SpillReader) -> impl Iterator<Item = Result<(Vec<Value>, Vec<Value>)>> {
    std::iter::from_fn(move || file.next_pair().transpose())
}

/// SELECT DISTINCT: the first occurrence of each row, streaming while the
/// rows seen fit in memory; past that, new rows wait in partition files
/// and come out after the input ends.
pub struct Distinct<'a> {
    input: RowIter<'a>,
    depth: u32,
    seen: KeySet<Vec<Value>>,
    grant: Grant,
    overflow: Option<PartitionFiles>,
    /// After the input: the partitions still to deduplicate, and the one
    /// being read.
    later: Vec<SpillReader>,
    current: Option<Box<Distinct<'a>>>,
    done: bool,
}

impl<'a> Distinct<'a> {
    /// Distinct rows of `input`.
    pub fn new(input: RowIter<'a>, mem: &Arc<WorkMemory>) -> Distinct<'a> {
        Distinct::at_depth(input, mem, 0)
    }

    fn at_depth(input: RowIter<'a>, mem: &Arc<WorkMemory>, depth: u32) -> Distinct<'a> {
        Distinct {
            input,
            depth,
            seen: KeySet::default(),
            grant: mem.grant(),
            overflow: None,
            later: Vec::new(),
            current: None,
            done: false,
        }
    }

    fn offer(&mut self, row: Vec<Value>) -> Result<Option<Vec<Value>>> {
        if self.seen.contains(&row) {
            return Ok(None);
        }
        if self.overflow.is_none() {
            let bytes = row_bytes(&row) + HASH_ENTRY_OVERHEAD;
            let fits = self.grant.try_grow(bytes);
            if fits || self.seen.is_empty() {
                if !fits {
                    self.grant.grow(bytes, "one row of DISTINCT")?;
                }
                self.seen.insert(row.clone());
                return Ok(Some(row));
            }
            if self.depth >= MAX_DEPTH {
                return Err(self.grant.memory().exceeded("DISTINCT"));
            }
            self.overflow = Some(PartitionFiles::new(self.grant.memory(), self.depth)?);
        }
        if let Some(o) = &mut self.overflow {
            o.push(&row, &[&row])?;
        }
        Ok(None)
    }

    fn step(&mut self) -> Result<Option<Vec<Value>>> {
        while !self.done {
            let Some(row) = self.input.next() else {
                self.done = true;
                self.seen = KeySet::default();
                self.grant.release();
                if let Some(o) = self.overflow.take() {
                    self.later = nonempty(o)?;
                    self.later.reverse();
                }
                break;
            };
            if let Some(r) = self.offer(row?)? {
                return Ok(Some(r));
            }
        }
        loop {
            if let Some(cur) = &mut self.current {
                match cur.step()? {
                    Some(r) => return Ok(Some(r)),
                    None => self.current = None,
                }
            }
            let Some(file) = self.later.pop() else { return Ok(None) };
            let mem = Arc::clone(self.grant.memory());
            self.current = Some(Box::new(Distinct::at_depth(Box::new(file), &mem, self.depth + 1)));
        }
    }
}

impl Iterator for Distinct<'_> {
    type Item = Result<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(r) => r.map(Ok),
            Err(e) => {
                self.done = true;
                self.later.clear();
                self.current = None;
                Some(Err(e))
            }
        }
    }
}
