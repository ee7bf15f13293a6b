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
//! | MIN, MAX | the extreme, non-NULL count |
//! | VARIANCE, STDDEV (…_SAMP, …_POP) | Welford's n, mean, M2; non-NULL count |
//! | COUNT(DISTINCT x) | the group's value multiset (a blob), non-NULL count |
//!
//! Removing a value is exact for counts, sums and the multiset. MIN/MAX when
//! the extreme leaves, the variances on any removal, and a sum that overflows
//! on the way mark the group for a recomputation from its rows (only those
//! groups are recomputed).

use super::analyze::{Item, Maintained, Shape, STATE_WIDTH};
use super::source::Event;
use crate::catalog::mv::{AggState, IncrementalShape};
use crate::catalog::{Strategy, TableDef};
use crate::error::{Error, Result};
use crate::exec::aggregate::{avg, Moments, Sum};
use crate::exec::eval::{eval, EvalCtx};
use crate::sql::expr::AggFunc;
use crate::storage::Reader;
use crate::types::cast::truthy;
use crate::types::compare::total_cmp;
use crate::types::keycode::encode_value;
use crate::types::rowcodec::{encode_row, get_varint, put_varint};
use crate::types::Value;
use std::collections::BTreeMap;

/// The running state of one aggregate in one group.
#[derive(Debug, Clone, Default)]
struct AggRun {
    sum: Sum,
    best: Option<Value>,
    count: i64,
    moments: Moments,
    distinct: BTreeMap<Vec<u8>, i64>,
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
    fn from_state(func: AggFunc, part: &[Value]) -> Result<AggRun> {
        let count = if let Some(Value::Integer(c)) = part.get(3) { *c } else { 0 };
        let mut run = AggRun { count, ..AggRun::default() };
        match func {
            AggFunc::Sum | AggFunc::Total | AggFunc::Avg => run.sum = Sum::from_values(part),
            AggFunc::Min | AggFunc::Max => run.best = part.first().cloned().filter(|v| !v.is_null()),
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
            AggFunc::Min | AggFunc::Max => [self.best.clone().unwrap_or(Value::Null), Value::Null, Value::Null, count],
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
    fn apply(&mut self, func: AggFunc, distinct: bool, v: Value, sign: i64) -> Result<bool> {
        self.count += sign;
        match func {
            AggFunc::Total if sign > 0 => self.add_total(&v),
            AggFunc::Sum | AggFunc::Total | AggFunc::Avg => {
                // An overflow on the way (a big value in before another
                // leaves) need not be one at the end: recompute the group.
                let step = if sign > 0 { self.sum.add(&v) } else { self.sum.remove(&v) };
                return Ok(step.is_err());
            }
            AggFunc::Min | AggFunc::Max if sign > 0 => self.offer(func, v),
            AggFunc::Min | AggFunc::Max => return Ok(self.best.as_ref().map_or(true, |b| total_cmp(&v, b).is_eq())),
            AggFunc::VarSamp | AggFunc::VarPop | AggFunc::StddevSamp | AggFunc::StddevPop if sign > 0 => {
                self.moments.add(crate::types::cast::to_numeric(&v).as_f64().unwrap_or(0.0))
            }
            AggFunc::VarSamp | AggFunc::VarPop | AggFunc::StddevSamp | AggFunc::StddevPop => return Ok(true),
            AggFunc::Count if distinct => {
                let key = encode_row(0, std::slice::from_ref(&v));
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

    /// MIN/MAX: keeps `v` if it is a new extreme.
    fn offer(&mut self, func: AggFunc, v: Value) {
        let better = self.best.as_ref().map_or(true, |b| {
            let ord = total_cmp(&v, b);
            if func == AggFunc::Min {
                ord.is_lt()
            } else {
                ord.is_gt()
            }
        });
        if better {
            self.best = Some(v);
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
            AggFunc::Min | AggFunc::Max => self.best.clone().filter(|_| self.count > 0).unwrap_or(Value::Null),
            f => self.moments.value(f),
        }
    }
}

/// One group of an aggregate view.
struct Group {
    values: Vec<Value>,
    rows: i64,
    aggs: Vec<AggRun>,
    recompute: bool,
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
            _ => AggRun::default(),
        });
    }
    Ok(Group { values: Vec::new(), rows, aggs, recompute: false })
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

/// Whether an input row passes the view's WHERE.
pub(super) fn passes(m: &Maintained, row: &[Value], ctx: &EvalCtx) -> Result<bool> {
    match &m.filter {
        Some(f) => Ok(truthy(&eval(f, row, ctx)?) == Some(true)),
        None => Ok(true),
    }
}

fn group_key(groups: &[crate::sql::expr::Expr], row: &[Value], ctx: &EvalCtx) -> Result<(Vec<u8>, Vec<Value>)> {
    let values = groups.iter().map(|g| eval(g, row, ctx)).collect::<Result<Vec<_>>>()?;
    let mut key = Vec::new();
    for v in &values {
        encode_value(&mut key, v);
    }
    Ok((key, values))
}

/// Folds input rows entering (`+1`) or leaving (`−1`) into an aggregate
/// view's groups; `existing` reads a group's stored row. Returns the new row
/// of every touched group (`None`: the group is gone).
///
/// # Errors
/// Evaluation errors; damaged state.
pub fn fold(
    m: &Maintained,
    view: &TableDef,
    existing: &dyn Fn(&[u8]) -> Result<Option<Vec<Value>>>,
    events: Vec<Event>,
    reader: &dyn Reader,
    ctx: &EvalCtx,
) -> Result<BTreeMap<Vec<u8>, Option<Vec<Value>>>> {
    let Shape::Aggregate { groups, items } = &m.shape else { return Ok(BTreeMap::new()) };
    let cols = state_columns(view)?;
    let load = |key: &[u8]| -> Result<Group> {
        match existing(key)? {
            Some(stored) => group_from_row(items, cols, &stored),
            None => {
                Ok(Group { values: Vec::new(), rows: 0, aggs: vec![AggRun::default(); items.len()], recompute: false })
            }
        }
    };
    let mut touched: BTreeMap<Vec<u8>, Group> = BTreeMap::new();
    if groups.is_empty() {
        // Without GROUP BY there is always exactly one row, even over no rows.
        touched.insert(Vec::new(), load(&[])?);
    }
    for (sign, row, _) in events {
        if !passes(m, &row, ctx)? {
            continue;
        }
        let (key, values) = group_key(groups, &row, ctx)?;
        if !touched.contains_key(&key) {
            let g = load(&key)?;
            touched.insert(key.clone(), g);
        }
        let g = touched.get_mut(&key).ok_or_else(|| Error::Corrupt("group vanished".into()))?;
        g.values = values;
        g.rows += sign;
        for (i, item) in items.iter().enumerate() {
            let Item::Agg { func, distinct, arg: Some(arg) } = item else { continue };
            let v = eval(arg, &row, ctx)?;
            if !v.is_null() && g.aggs[i].apply(*func, *distinct, v, sign)? {
                g.recompute = true;
            }
        }
    }
    recompute(m, items, &mut touched, reader, ctx)?;
    let width = view.columns.len();
    let global = groups.is_empty();
    Ok(touched
        .into_iter()
        .map(|(key, g)| {
            let row = (g.rows > 0 || global).then(|| group_to_row(items, cols, &key, &g, width));
            (key, row)
        })
        .collect())
}

/// Recomputes MIN/MAX and the variances of the groups marked for it, in one pass over the input.
fn recompute(
    m: &Maintained,
    items: &[Item],
    touched: &mut BTreeMap<Vec<u8>, Group>,
    reader: &dyn Reader,
    ctx: &EvalCtx,
) -> Result<()> {
    if !touched.values().any(|g| g.recompute && g.rows > 0) {
        return Ok(());
    }
    let Shape::Aggregate { groups, .. } = &m.shape else { return Ok(()) };
    let redo = |func: AggFunc| !matches!(func, AggFunc::CountStar | AggFunc::Count);
    for g in touched.values_mut().filter(|g| g.recompute) {
        for (i, item) in items.iter().enumerate() {
            if agg_of(item).is_some_and(|(f, _)| redo(f)) {
                g.aggs[i].best = None;
                g.aggs[i].moments = Moments::default();
                g.aggs[i].sum = Sum::default();
            }
        }
    }
    for (_, row, _) in super::source::present(m, reader, ctx)? {
        if !passes(m, &row, ctx)? {
            continue;
        }
        let (key, _) = group_key(groups, &row, ctx)?;
        let Some(g) = touched.get_mut(&key).filter(|g| g.recompute) else { continue };
        for (i, item) in items.iter().enumerate() {
            let Item::Agg { func, arg: Some(arg), .. } = item else { continue };
            if !redo(*func) {
                continue;
            }
            let v = eval(arg, &row, ctx)?;
            if v.is_null() {
                continue;
            }
            match func {
                AggFunc::Min | AggFunc::Max => g.aggs[i].offer(*func, v),
                AggFunc::Total => g.aggs[i].add_total(&v),
                AggFunc::Sum | AggFunc::Avg => g.aggs[i].sum.add(&v)?,
                _ => g.aggs[i].moments.add(crate::types::cast::to_numeric(&v).as_f64().unwrap_or(0.0)),
            }
        }
    }
    Ok(())
}
