//! Recursive CTEs. Without its own ORDER BY/LIMIT/OFFSET a CTE runs in
//! rounds: the step reads the whole previous round at once (the same rows
//! as SQLite's first-in-first-out queue, fewer step runs). With them it runs
//! as SQLite does: rows leave a queue one at a time (smallest first under
//! ORDER BY, ties first in first out), each is yielded (after OFFSET, up to
//! LIMIT) and then stepped alone, its results joining the queue.

use super::eval::{eval, EvalCtx};
use super::query::{keys_cmp, limit_count, run as run_plan};
use super::RowIter;
use crate::error::Result;
use crate::sql::plan::{Plan, RecursiveQueue};
use crate::storage::Reader;
use crate::types::Value;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::rc::Rc;

/// Runs recursive CTE `id` (see the module docs).
///
/// # Errors
/// Errors of the anchor, the step or the LIMIT/OFFSET values.
pub fn run<'a>(
    anchor: &'a Plan,
    step: &'a Plan,
    distinct: bool,
    id: usize,
    queue: Option<&'a RecursiveQueue>,
    reader: &'a dyn Reader,
    ctx: &'a EvalCtx,
) -> Result<RowIter<'a>> {
    let mut seen: HashSet<Vec<Value>> = HashSet::new();
    // UNION: a row joins the queue only if no equal row has joined it before.
    let mut keep = move |rows: Vec<Vec<Value>>| -> Vec<Vec<Value>> {
        if distinct {
            rows.into_iter().filter(|r| seen.insert(r.to_vec())).collect()
        } else {
            rows
        }
    };
    let step_rows = move |rows: Vec<Vec<Value>>| -> Result<Vec<Vec<Value>>> {
        ctx.working.borrow_mut().insert(id, Rc::new(rows));
        run_plan(step, reader, ctx)?.collect()
    };
    let first = keep(run_plan(anchor, reader, ctx)?.collect::<Result<Vec<_>>>()?);
    let Some(q) = queue else {
        let mut round: std::vec::IntoIter<Vec<Value>> = first.clone().into_iter();
        let mut previous = Some(first);
        return Ok(Box::new(std::iter::from_fn(move || loop {
            if let Some(row) = round.next() {
                return Some(Ok(row));
            }
            let prev = previous.take().filter(|p| !p.is_empty())?;
            let next = match step_rows(prev) {
                Ok(rows) => keep(rows),
                Err(e) => return Some(Err(e)),
            };
            round = next.clone().into_iter();
            previous = Some(next);
        })));
    };
    let mut limit = limit_count(q.limit.as_ref(), ctx)?.filter(|l| *l >= 0).map_or(usize::MAX, |l| l as usize);
    let mut offset = limit_count(q.offset.as_ref(), ctx)?.map_or(0, |o| o.max(0) as usize);
    let mut pending = Pending::new(q);
    pending.push_all(first, ctx)?;
    Ok(Box::new(std::iter::from_fn(move || loop {
        if limit == 0 {
            return None;
        }
        let row = pending.pop()?;
        let yielded = if offset > 0 {
            offset -= 1;
            false
        } else {
            limit -= 1;
            true
        };
        // SQLite stops before stepping the row that reaches the LIMIT.
        if limit > 0 {
            let next = match step_rows(vec![row.clone()]) {
                Ok(rows) => keep(rows),
                Err(e) => return Some(Err(e)),
            };
            if let Err(e) = pending.push_all(next, ctx) {
                return Some(Err(e));
            }
        }
        if yielded {
            return Some(Ok(row));
        }
    })))
}

/// The queue of rows waiting to be yielded and stepped.
enum Pending<'a> {
    /// First in, first out.
    Fifo(VecDeque<Vec<Value>>),
    /// Smallest ORDER BY key first; the sequence number keeps ties in order.
    Ordered { q: &'a RecursiveQueue, rows: BTreeMap<OrderedKey<'a>, Vec<Value>>, seq: u64 },
}

/// A row's ORDER BY values and arrival number, ordered by the CTE's keys.
struct OrderedKey<'a> {
    keys: Vec<Value>,
    seq: u64,
    q: &'a RecursiveQueue,
}

impl PartialEq for OrderedKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for OrderedKey<'_> {}
impl PartialOrd for OrderedKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrderedKey<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        keys_cmp(&self.keys, &other.keys, &self.q.order).then(self.seq.cmp(&other.seq))
    }
}

impl<'a> Pending<'a> {
    fn new(q: &'a RecursiveQueue) -> Pending<'a> {
        if q.order.is_empty() {
            Pending::Fifo(VecDeque::new())
        } else {
            Pending::Ordered { q, rows: BTreeMap::new(), seq: 0 }
        }
    }

    /// Queues rows.
    ///
    /// # Errors
    /// An ORDER BY key that fails to evaluate.
    fn push_all(&mut self, rows: Vec<Vec<Value>>, ctx: &EvalCtx) -> Result<()> {
        match self {
            Pending::Fifo(fifo) => fifo.extend(rows),
            Pending::Ordered { q, rows: queued, seq } => {
                for row in rows {
                    let keys = q.order.iter().map(|k| eval(&k.expr, &row, ctx)).collect::<Result<Vec<_>>>()?;
                    *seq += 1;
                    queued.insert(OrderedKey { keys, seq: *seq, q }, row);
                }
            }
        }
        Ok(())
    }

    fn pop(&mut self) -> Option<Vec<Value>> {
        match self {
            Pending::Fifo(fifo) => fifo.pop_front(),
            Pending::Ordered { rows, .. } => rows.pop_first().map(|(_, row)| row),
        }
    }
}
