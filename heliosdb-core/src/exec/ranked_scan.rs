//! Reading a ranked materialized view: its rows are stored in window order
//! (partition, sort key, base row key; see `mv::ranked`), and the ranking
//! columns are numbered here as the rows stream past, so a change to the
//! view writes only the rows whose base rows changed, however many ranks
//! it moves. A scan of such a table therefore always reads whole
//! partitions, forwards: all of them, or those whose PARTITION BY values
//! the WHERE fixes (never an index; see `TableDef::ranked`).

use super::eval::{eval, EvalCtx};
use super::scan::KeyRange;
use super::RowIter;
use crate::catalog::mv::{RankKind, RankedLayout};
use crate::error::{Error, Result};
use crate::sql::plan::KeyAccess;
use crate::storage::keys;
use crate::types::keycode::encode_partition_value;
use crate::types::Value;

/// Where the numbering stands: the partition and sort key of the last row.
struct Numbering {
    layout: RankedLayout,
    part: Option<Vec<u8>>,
    order: Vec<u8>,
    row_number: i64,
    rank: i64,
    dense_rank: i64,
}

impl Numbering {
    fn number(&mut self, mut row: Vec<Value>) -> Result<Vec<Value>> {
        let (Some(Value::Blob(part)), Some(Value::Blob(order))) =
            (row.get(self.layout.part), row.get(self.layout.order))
        else {
            return Err(Error::Corrupt("a ranked materialized view row lost its window key".into()));
        };
        // Compared in place; copied into reused buffers only when they change.
        if self.part.as_deref() != Some(part.as_slice()) {
            let held = self.part.get_or_insert_with(Vec::new);
            held.clear();
            held.extend_from_slice(part);
            (self.row_number, self.rank, self.dense_rank) = (1, 1, 1);
        } else {
            self.row_number += 1;
            if *order != self.order {
                self.rank = self.row_number;
                self.dense_rank += 1;
            }
        }
        if *order != self.order {
            self.order.clear();
            self.order.extend_from_slice(order);
        }
        for (at, kind) in &self.layout.ranks {
            if let Some(slot) = row.get_mut(*at) {
                *slot = Value::Integer(match kind {
                    RankKind::Rank => self.rank,
                    RankKind::DenseRank => self.dense_rank,
                    RankKind::RowNumber => self.row_number,
                });
            }
        }
        Ok(row)
    }
}

/// Numbers the ranking columns of `rows`, a forward scan of a whole ranked
/// view (its partition and sort-key columns decoded).
pub(super) fn number<'a>(rows: RowIter<'a>, layout: &RankedLayout) -> RowIter<'a> {
    let mut state =
        Numbering { layout: layout.clone(), part: None, order: Vec::new(), row_number: 0, rank: 0, dense_rank: 0 };
    Box::new(rows.map(move |row| state.number(row?)))
}

/// The columns a scan of a ranked view must decode: those asked for, and
/// the partition and sort key the numbering reads.
pub(super) fn needed(asked: &[bool], layout: &RankedLayout) -> Vec<bool> {
    let mut needed = asked.to_vec();
    for at in [layout.part, layout.order] {
        if let Some(n) = needed.get_mut(at) {
            *n = true;
        }
    }
    needed
}

/// The key ranges of the partitions `ka` names (values of the view's
/// partition columns, leading ones first; see `planner::access::choose`),
/// each a whole partition or a run of them, in key order without repeats.
///
/// # Errors
/// Evaluation errors in the values.
pub(super) fn partitions(view_id: u32, ka: &KeyAccess, ctx: &EvalCtx) -> Result<Vec<KeyRange>> {
    let mut prefixes = Vec::with_capacity(ka.prefixes.len());
    for values in &ka.prefixes {
        let mut prefix = keys::object_prefix(view_id);
        for e in values {
            encode_partition_value(&mut prefix, &eval(e, &[], ctx)?);
        }
        prefixes.push(prefix);
    }
    prefixes.sort();
    prefixes.dedup();
    Ok(prefixes
        .into_iter()
        .map(|p| {
            let (lo, hi) = keys::prefix_bounds(&p);
            KeyRange::Span(lo, hi)
        })
        .collect())
}
