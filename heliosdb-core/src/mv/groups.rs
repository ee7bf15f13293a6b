//! Aggregate views: per-group running state, stored in hidden columns of the
//! view's rows, and the fold that moves it as base rows enter and leave.
//!
//! Per aggregate, [`STATE_WIDTH`] columns hold:
//!
//! | aggregate | state |
//! | --- | --- |
//! | COUNT(*) | — (the group's row count) |
//! | COUNT(x) | non-NULL count |
//! | SUM, TOTAL, AVG | the running [`Sum`]'s four parts |
//! | MIN, MAX | the extreme, the group's best values ([`Reserve`]), non-NULL count |
//! | VARIANCE, STDDEV (…_SAMP, …_POP) | Welford's n, mean, M2; non-NULL count |
//! | COUNT(DISTINCT x) | the group's value multiset (a blob), non-NULL count |
//!
//! Removing a value is exact for counts, sums and the multiset, and the
//! reverse Welford step for the variances. MIN/MAX whose reserve runs empty
//! ([`super::extremes`]) and a sum that overflows on the way mark the group
//! for a recomputation from its rows (only those groups and aggregates are
//! recomputed, through an index where one serves: [`reread`]).

mod reread;

use super::analyze::{Item, Maintained, Shape, STATE_WIDTH};
use super::extremes::Reserve;
use crate::catalog::mv::{AggState, IncrementalShape};
use crate::catalog::{Strategy, TableDef};
use crate::error::{Error, Result};
use crate::exec::aggregate::{avg, Moments, Sum};
use crate::exec::eval::{eval, eval_ref, operand, EvalCtx};
use crate::exec::memory::KeyMap;
use crate::sql::expr::{AggFunc, Expr};
use crate::storage::Reader;
use crate::types::keycode::encode_value;
use crate::types::rowcodec::{encode_row, get_varint, put_varint};
use crate::types::Value;
use std::collections::BTreeMap;

/// The running state of one aggregate in one group.
#[derive(Debug, Clone, Default)]
struct AggRun {
    sum: Sum,
    /// MIN/MAX: the group's best values ([`Reserve`]).
    reserve: Option<Reserve>,
    count: i64,
    moments: Moments,
    distinct: BTreeMap<Vec<u8>, i64>,
    /// A removal left this aggregate unable to name its value (an empty
    /// MIN/MAX reserve, a sum that overflowed on the way): it is re-read
    /// from the group's rows ([`reread`]). Never stored.
    stale: bool,
}

fn encode_multiset(m: &BTreeMap<Vec<u8>, i64>) -> Value {
    let mut out = Vec::new();
    for (v, n) in m {
        put_varint(&mut out, v.len() as u64);
        out.extend_from_slice(v);
        put_varint(&mut out, *n as u64);
    }
    Value::Blob(out)
}

fn decode_multiset(v: &Value) -> Result<BTreeMap<Vec<u8>, i64>> {
    let Value::Blob(b) = v else { return Ok(BTreeMap::new()) };
    let bad = || Error::Corrupt("materialized view state is damaged".into());
    let mut out = BTreeMap::new();
    let mut pos = 0;
    while pos < b.len() {
        let n = usize::try_from(get_varint(b, &mut pos)?).map_err(|_| bad())?;
        let end = pos.checked_add(n).ok_or_else(bad)?;
        let key = b.get(pos..end).ok_or_else(bad)?.to_vec();
        pos = end;
        out.insert(key, get_varint(b, &mut pos)? as i64);
    }
    Ok(out)
}

impl AggRun {
    /// Empty state for `func` (a group with no rows yet).
    fn new(func: Option<AggFunc>) -> AggRun {
        let reserve = match func {
            Some(AggFunc::Min) => Some(Reserve::new(false)),
            Some(AggFunc::Max) => Some(Reserve::new(true)),
            _ => None,
        };
        AggRun { reserve, ..AggRun::default() }
    }

    fn from_state(func: AggFunc, part: &[Value]) -> Result<AggRun> {
        let count = if let Some(Value::Integer(c)) = part.get(3) { *c } else { 0 };
        let mut run = AggRun { count, ..AggRun::default() };
        match func {
            AggFunc::Sum | AggFunc::Total | AggFunc::Avg => run.sum = Sum::from_values(part),
            AggFunc::Min | AggFunc::Max => {
                run.reserve = Some(Reserve::from_value(func == AggFunc::Max, part.get(1).unwrap_or(&Value::Null))?)
            }
            AggFunc::VarSamp | AggFunc::VarPop | AggFunc::StddevSamp | AggFunc::StddevPop => {
                run.moments = Moments::from_values(part)
            }
            AggFunc::Count => {
                if let Some(b @ Value::Blob(_)) = part.first() {
                    run.distinct = decode_multiset(b)?;
                }
            }
            _ => {}
        }
        Ok(run)
    }

    fn to_state(&self, func: AggFunc, distinct: bool) -> [Value; STATE_WIDTH] {
        let count = Value::Integer(self.count);
        match func {
            AggFunc::Sum | AggFunc::Total | AggFunc::Avg => self.sum.to_values(),
            AggFunc::Min | AggFunc::Max => {
                let reserve = self.reserve.as_ref();
                [self.value(func, false, 0), reserve.map_or(Value::Null, Reserve::to_value), Value::Null, count]
            }
            AggFunc::VarSamp | AggFunc::VarPop | AggFunc::StddevSamp | AggFunc::StddevPop => {
                let [n, mean, m2] = self.moments.to_values();
                [n, mean, m2, count]
            }
            AggFunc::Count if distinct => [encode_multiset(&self.distinct), Value::Null, Value::Null, count],
            _ => [Value::Null, Value::Null, Value::Null, count],
        }
    }

    /// Adds (`sign > 0`) or removes a non-NULL value; returns whether the
    /// group must be recomputed from its rows.
    fn apply(&mut self, func: AggFunc, distinct: bool, v: &Value, sign: i64) -> Result<bool> {
        let holds_all = self.reserve.as_ref().is_some_and(|r| r.len() as i64 == self.count);
        self.count += sign;
        match func {
            AggFunc::Total if sign > 0 => self.add_total(v),
            AggFunc::Sum | AggFunc::Total | AggFunc::Avg => {
                // An overflow on the way (a big value in before another
                // leaves) need not be one at the end: recompute the group.
                let step = if sign > 0 { self.sum.add(v) } else { self.sum.remove(v) };
                return Ok(step.is_err());
            }
            AggFunc::Min | AggFunc::Max => {
                if let Some(r) = self.reserve.as_mut() {
                    if sign > 0 {
                        r.add(v, holds_all);
                    } else {
                        r.remove(v);
                    }
                    return Ok(r.exhausted(self.count));
                }
            }
            AggFunc::VarSamp | AggFunc::VarPop | AggFunc::StddevSamp | AggFunc::StddevPop => {
                let x = crate::types::cast::to_numeric(v).as_f64().unwrap_or(0.0);
                if sign > 0 {
                    self.moments.add(x)
                } else {
                    self.moments.remove(x)
                }
            }
            AggFunc::Count if distinct => {
                let key = encode_row(0, std::slice::from_ref(v));
                let n = self.distinct.entry(key.clone()).or_insert(0);
                *n += sign;
                if *n <= 0 {
                    self.distinct.remove(&key);
                }
            }
            _ => {}
        }
        Ok(false)
    }

    /// TOTAL never overflows: past i64 it continues in floating point.
    fn add_total(&mut self, v: &Value) {
        if self.sum.add(v).is_err() {
            self.sum.spill_to_real(v);
        }
    }

    fn value(&self, func: AggFunc, distinct: bool, rows: i64) -> Value {
        match func {
            AggFunc::CountStar => Value::Integer(rows),
            AggFunc::Count if distinct => Value::Integer(self.distinct.len() as i64),
            AggFunc::Count => Value::Integer(self.count),
            AggFunc::Sum => self.sum.value(),
            AggFunc::Total => Value::Real(self.sum.value().as_f64().unwrap_or(0.0)),
            AggFunc::Avg => avg(&self.sum.value(), self.sum.count()),
            AggFunc::Min | AggFunc::Max => {
                self.reserve.as_ref().and_then(Reserve::best).filter(|_| self.count > 0).cloned().unwrap_or(Value::Null)
            }
            f => self.moments.value(f),
        }
    }
}

/// What a fold produces: the rewritten row of every touched key, and a note
/// when groups had to be re-read by a pass over the input ([`reread`]).
pub type Folded = (BTreeMap<Vec<u8>, RowUpdate>, Option<String>);

/// A view row as stored: its values and the SCN stamp of its version.
pub type StoredRow = (Vec<Value>, u64);

/// Reads the stored row of a view key (`None`: no such row).
pub type ReadStored<'a> = &'a dyn Fn(&[u8]) -> Result<Option<StoredRow>>;

/// A keyed view row a refresh rewrites.
#[derive(Debug)]
pub struct RowUpdate {
    /// Its stored state when the refresh already read it (`None`: not
    /// read, as in a full refresh), so writing it needs no second read.
    pub old: Option<Option<StoredRow>>,
    /// The new row (`None`: the row goes).
    pub new: Option<Vec<Value>>,
}

/// One group of an aggregate view.
struct Group {
    values: Vec<Value>,
    rows: i64,
    aggs: Vec<AggRun>,
    recompute: bool,
    /// The stored row it was loaded from (see [`RowUpdate::old`]).
    stored: Option<Option<StoredRow>>,
}

fn state_columns(view: &TableDef) -> Result<&[Option<AggState>]> {
    match view.mv.as_ref().map(|d| &d.strategy) {
        Some(Strategy::Incremental(IncrementalShape::Aggregate { columns })) => Ok(columns),
        _ => Err(Error::Corrupt(format!("materialized view {} lost its maintenance state", view.name))),
    }
}

fn agg_of(item: &Item) -> Option<(AggFunc, bool)> {
    match item {
        Item::Agg { func, distinct, .. } => Some((*func, *distinct)),
        Item::Group(_) => None,
    }
}

fn group_from_row(items: &[Item], cols: &[Option<AggState>], row: &[Value]) -> Result<Group> {
    let rows = if let Some(Value::Integer(r)) = row.get(items.len() + 1) { *r } else { 0 };
    let mut aggs = Vec::with_capacity(items.len());
    for (item, col) in items.iter().zip(cols) {
        aggs.push(match (agg_of(item), col) {
            (Some((func, _)), Some(st)) => {
                let part = row
                    .get(st.state..st.state + STATE_WIDTH)
                    .ok_or_else(|| Error::Corrupt("materialized view state is damaged".into()))?;
                AggRun::from_state(func, part)?
            }
            (func, _) => AggRun::new(func.map(|f| f.0)),
        });
    }
    Ok(Group { values: Vec::new(), rows, aggs, recompute: false, stored: None })
}

fn group_to_row(items: &[Item], cols: &[Option<AggState>], key: &[u8], g: &Group, width: usize) -> Vec<Value> {
    let mut row = vec![Value::Null; width];
    for (i, item) in items.iter().enumerate() {
        row[i] = match item {
            Item::Group(k) => g.values.get(*k).cloned().unwrap_or(Value::Null),
            Item::Agg { func, distinct, .. } => g.aggs[i].value(*func, *distinct, g.rows),
        };
        if let (Some(st), Some((func, distinct))) = (&cols[i], agg_of(item)) {
            for (j, p) in g.aggs[i].to_state(func, distinct).into_iter().enumerate() {
                if let Some(slot) = row.get_mut(st.state + j) {
                    *slot = p;
                }
            }
        }
    }
    row[items.len()] = Value::Blob(key.to_vec());
    row[items.len() + 1] = Value::Integer(g.rows);
    row
}

/// Encodes a row's group key into `key` (column keys are borrowed, not copied).
fn group_key(groups: &[Expr], row: &[Value], ctx: &EvalCtx, key: &mut Vec<u8>) -> Result<()> {
    key.clear();
    for g in groups {
        encode_value(key, eval_ref(g, row, ctx)?.as_ref());
    }
    Ok(())
}

/// Folds input rows entering (`+1`) or leaving (`−1`) an aggregate view
/// into its groups, one row at a time (a full refresh streams the whole
/// table through it without holding the rows).
pub struct Folder<'a> {
    groups: &'a [Expr],
    items: &'a [Item],
    cols: &'a [Option<AggState>],
    width: usize,
    existing: Option<ReadStored<'a>>,
    touched: KeyMap<Vec<u8>, Group>,
    key: Vec<u8>,
    /// For each item, the first item with the same argument (evaluated once per row).
    same_arg: Vec<usize>,
    /// Per-row scratch: each item's argument value.
    args: Vec<Value>,
}

/// Folds one input row into its group `g` (see [`Folder::add`]); `args`
/// is the per-row scratch of computed arguments, `same_arg` which item's
/// argument each item shares.
#[allow(clippy::too_many_arguments)]
fn fold_row(
    g: &mut Group,
    groups: &[Expr],
    items: &[Item],
    same_arg: &[usize],
    args: &mut [Value],
    sign: i64,
    row: &[Value],
    ctx: &EvalCtx,
) -> Result<()> {
    if g.values.is_empty() {
        g.values = groups.iter().map(|e| eval(e, row, ctx)).collect::<Result<Vec<_>>>()?;
    }
    g.rows += sign;
    for (i, item) in items.iter().enumerate() {
        let Item::Agg { func, distinct, arg: Some(arg) } = item else { continue };
        // A column or constant argument is read in place (no copy, no `Cow<Value>`
        // moved through the stack: see BENCHMARKS, "Scans without
        // store-forwarding stalls"); a computed one is evaluated once for
        // every aggregate sharing it.
        let v = match operand(arg, row) {
            Some(v) => v,
            None => {
                let first = same_arg[i];
                if first == i {
                    args[i] = eval(arg, row, ctx)?;
                }
                &args[first]
            }
        };
        if !v.is_null() && g.aggs[i].apply(*func, *distinct, v, sign)? {
            g.aggs[i].stale = true;
            g.recompute = true;
        }
    }
    Ok(())
}

impl<'a> Folder<'a> {
    /// A folder over `view`'s groups; `existing` reads a group's stored row
    /// (a full refresh passes `None`: it starts from empty groups).
    ///
    /// # Errors
    /// The view lost its maintenance state; reading the global group.
    pub fn new(m: &'a Maintained, view: &'a TableDef, existing: Option<ReadStored<'a>>) -> Result<Folder<'a>> {
        let Shape::Aggregate { groups, items } = &m.shape else {
            return Err(Error::Corrupt(format!("materialized view {} is not an aggregate", view.name)));
        };
        let cols = state_columns(view)?;
        let mut f = Folder {
            groups,
            items,
            cols,
            width: view.columns.len(),
            existing,
            touched: KeyMap::default(),
            key: Vec::new(),
            same_arg: items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    let arg = |x: &Item| if let Item::Agg { arg: Some(a), .. } = x { Some(a.clone()) } else { None };
                    let mine = arg(it);
                    items.iter().position(|o| mine.is_some() && arg(o) == mine).unwrap_or(i)
                })
                .collect(),
            args: vec![Value::Null; items.len()],
        };
        if groups.is_empty() {
            // Without GROUP BY there is always exactly one row, even over no rows.
            let g = f.load(&[])?;
            f.touched.insert(Vec::new(), g);
        }
        Ok(f)
    }

    fn load(&self, key: &[u8]) -> Result<Group> {
        let stored = self.existing.map(|read| read(key)).transpose()?;
        let mut g = match stored.as_ref().and_then(Option::as_ref) {
            Some((row, _)) => group_from_row(self.items, self.cols, row)?,
            None => Group {
                values: Vec::new(),
                rows: 0,
                aggs: self.items.iter().map(|i| AggRun::new(agg_of(i).map(|a| a.0))).collect(),
                recompute: false,
                stored: None,
            },
        };
        g.stored = stored;
        Ok(g)
    }

    /// Folds one input row (already known to pass the view's WHERE).
    ///
    /// # Errors
    /// Evaluation errors; damaged state.
    pub fn add(&mut self, sign: i64, row: &[Value], ctx: &EvalCtx) -> Result<()> {
        let mut key = std::mem::take(&mut self.key);
        group_key(self.groups, row, ctx, &mut key)?;
        // One hash lookup for a group already touched (every row but the
        // first of each group in a full refresh).
        let folded = match self.touched.get_mut(&key) {
            Some(g) => fold_row(g, self.groups, self.items, &self.same_arg, &mut self.args, sign, row, ctx),
            None => {
                let g = self.load(&key)?;
                let g = self.touched.entry(key.clone()).or_insert(g);
                fold_row(g, self.groups, self.items, &self.same_arg, &mut self.args, sign, row, ctx)
            }
        };
        self.key = key;
        folded
    }

    /// The new row of every touched group (`None`: the group is gone),
    /// after re-reading the groups whose state could not follow a removal;
    /// with a note when that took a pass over the input (see [`reread`]).
    ///
    /// # Errors
    /// Storage and evaluation errors of the re-read.
    pub fn finish(mut self, m: &Maintained, reader: &dyn Reader, ctx: &EvalCtx) -> Result<Folded> {
        let rescan = self.recompute(m, reader, ctx)?;
        let global = self.groups.is_empty();
        let (items, cols, width) = (self.items, self.cols, self.width);
        let rows = self
            .touched
            .into_iter()
            .map(|(key, mut g)| {
                let new = (g.rows > 0 || global).then(|| group_to_row(items, cols, &key, &g, width));
                (key, RowUpdate { old: g.stored.take(), new })
            })
            .collect();
        Ok((rows, rescan))
    }
}
