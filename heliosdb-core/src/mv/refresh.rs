//! Refreshing a materialized view: compute the new contents against a
//! snapshot (no lock held), then swap them in with one short write
//! transaction that also records the view's new SCN. Readers see the old or
//! the new contents, never a mix; a failure leaves the old contents.
//!
//! Maintained shapes share one fold: the stored rows of the touched keys,
//! updated by a stream of base rows entering (+1) or leaving (−1) the view.
//! A full refresh of such a view folds every base row into empty state; an
//! incremental one folds the logged changes since the view's SCN into the
//! stored rows. Other views recompute their query.

use super::analyze::{classify, Item, Maintained, Shape, KEY_COLUMN, STATE_WIDTH};
use crate::catalog::{normalize, Catalog, Strategy, TableDef};
use crate::error::{sql_err, Error, Result};
use crate::exec::aggregate::{avg, Sum};
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::scan::decode_stored_row;
use crate::exec::write::{delete_row, put_row};
use crate::sql::expr::AggFunc;
use crate::sql::planner::select::plan_query;
use crate::storage::changes;
use crate::storage::versions::EndedBy;
use crate::storage::{keys, Engine, Ks, Reader, WriteTx};
use crate::types::cast::truthy;
use crate::types::compare::total_cmp;
use crate::types::keycode::encode_value;
use crate::types::Value;
use sqlparser::ast;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshOutcome {
    /// `"incremental"` or `"full"`.
    pub strategy: &'static str,
    /// The SCN the contents now reflect.
    pub scn: u64,
    /// Stored rows written or removed.
    pub rows_changed: u64,
}

/// The defining query of a view, parsed.
///
/// # Errors
/// A stored query that no longer parses (a bug or a damaged catalog).
pub fn parse_query(text: &str) -> Result<ast::Query> {
    let mut parsed = crate::sql::parser::parse(text)?;
    match parsed.pop().map(|p| p.ast) {
        Some(ast::Statement::Query(q)) if parsed.is_empty() => Ok(*q),
        _ => Err(Error::Corrupt(format!("stored view query is not a query: {text}"))),
    }
}

/// The new contents, as changes to stored rows by key (`None`: remove).
enum Contents {
    /// Replace everything with these rows (a view keyed by hidden rowid).
    Replace(Vec<Vec<Value>>),
    /// Put or remove these keyed rows; with `exclusive`, also remove every
    /// stored row whose key is not listed.
    Keyed { rows: BTreeMap<Vec<u8>, Option<Vec<Value>>>, exclusive: bool },
}

fn passes(m: &Maintained, row: &[Value], ctx: &EvalCtx) -> Result<bool> {
    match &m.filter {
        Some(f) => Ok(truthy(&eval(f, row, ctx)?) == Some(true)),
        None => Ok(true),
    }
}

/// The storage key of a view row: the base row's key, or the group values.
fn group_key(groups: &[crate::sql::expr::Expr], row: &[Value], ctx: &EvalCtx) -> Result<(Vec<u8>, Vec<Value>)> {
    let values = groups.iter().map(|g| eval(g, row, ctx)).collect::<Result<Vec<_>>>()?;
    let mut key = Vec::new();
    for v in &values {
        encode_value(&mut key, v);
    }
    Ok((key, values))
}

/// Running state of one group of an aggregate view, as stored.
struct GroupState {
    values: Vec<Value>,
    rows: i64,
    /// Per visible column: (sum-like parts, or extreme and its count).
    aggs: Vec<(Sum, Option<Value>, i64)>,
    recompute: bool,
}

fn state_from_row(items: &[Item], shape_cols: &[Option<crate::catalog::mv::AggState>], row: &[Value]) -> GroupState {
    let n = items.len();
    let rows = if let Some(Value::Integer(r)) = row.get(n + 1) { *r } else { 0 };
    let aggs = shape_cols
        .iter()
        .map(|c| match c {
            Some(st) => {
                let part = &row[st.state..st.state + STATE_WIDTH];
                let count = if let Value::Integer(c) = part[3] { c } else { 0 };
                (Sum::from_values(part), Some(part[0].clone()).filter(|v| !v.is_null()), count)
            }
            None => (Sum::default(), None, 0),
        })
        .collect();
    GroupState { values: Vec::new(), rows, aggs, recompute: false }
}

fn state_to_row(
    items: &[Item],
    shape_cols: &[Option<crate::catalog::mv::AggState>],
    key: &[u8],
    g: &GroupState,
    width: usize,
) -> Vec<Value> {
    let mut row = vec![Value::Null; width];
    for (i, item) in items.iter().enumerate() {
        let (sum, best, count) = &g.aggs[i];
        row[i] = match item {
            Item::Group(k) => g.values.get(*k).cloned().unwrap_or(Value::Null),
            Item::Agg { func, .. } => match func {
                AggFunc::CountStar => Value::Integer(g.rows),
                AggFunc::Count => Value::Integer(*count),
                AggFunc::Sum => sum.value(),
                AggFunc::Total => Value::Real(sum.value().as_f64().unwrap_or(0.0)),
                AggFunc::Avg => avg(&sum.value(), sum.count()),
                _ => best.clone().filter(|_| *count > 0).unwrap_or(Value::Null),
            },
        };
        if let (Some(st), Item::Agg { func, .. }) = (&shape_cols[i], item) {
            let parts = match func {
                AggFunc::Min | AggFunc::Max => {
                    [best.clone().unwrap_or(Value::Null), Value::Null, Value::Null, Value::Integer(*count)]
                }
                AggFunc::Count | AggFunc::CountStar => [Value::Null, Value::Null, Value::Null, Value::Integer(*count)],
                _ => sum.to_values(),
            };
            for (j, p) in parts.into_iter().enumerate() {
                row[st.state + j] = p;
            }
        }
    }
    row[items.len()] = Value::Blob(key.to_vec());
    row[items.len() + 1] = Value::Integer(g.rows);
    row
}

/// Folds base rows entering (`+1`) or leaving (`-1`) into an aggregate view's groups.
fn fold_aggregate(
    m: &Maintained,
    view: &TableDef,
    existing: &dyn Fn(&[u8]) -> Result<Option<Vec<Value>>>,
    events: Vec<(i64, Vec<Value>)>,
    reader: &dyn Reader,
    ctx: &EvalCtx,
) -> Result<BTreeMap<Vec<u8>, Option<Vec<Value>>>> {
    let Shape::Aggregate { groups, items } = &m.shape else { return Ok(BTreeMap::new()) };
    let Some(crate::catalog::mv::IncrementalShape::Aggregate { columns }) =
        view.mv.as_ref().and_then(|d| if let Strategy::Incremental(s) = &d.strategy { Some(s) } else { None })
    else {
        return Err(Error::Corrupt(format!("materialized view {} lost its maintenance state", view.name)));
    };
    let mut touched: BTreeMap<Vec<u8>, GroupState> = BTreeMap::new();
    let empty_state = || GroupState {
        values: Vec::new(),
        rows: 0,
        aggs: vec![(Sum::default(), None, 0); items.len()],
        recompute: false,
    };
    if groups.is_empty() {
        // Without GROUP BY there is always exactly one row, even over no rows.
        let st = match existing(&[])? {
            Some(stored) => state_from_row(items, columns, &stored),
            None => empty_state(),
        };
        touched.insert(Vec::new(), st);
    }
    for (sign, row) in events {
        if !passes(m, &row, ctx)? {
            continue;
        }
        let (key, values) = group_key(groups, &row, ctx)?;
        if !touched.contains_key(&key) {
            let mut st = match existing(&key)? {
                Some(stored) => state_from_row(items, columns, &stored),
                None => empty_state(),
            };
            st.values = values;
            touched.insert(key.clone(), st);
        }
        let st = touched.get_mut(&key).ok_or_else(|| Error::Corrupt("group vanished".into()))?;
        st.rows += sign;
        for (i, item) in items.iter().enumerate() {
            let Item::Agg { func, arg: Some(arg) } = item else { continue };
            let v = eval(arg, &row, ctx)?;
            if v.is_null() {
                continue;
            }
            let (sum, best, count) = &mut st.aggs[i];
            *count += sign;
            match func {
                AggFunc::Sum | AggFunc::Total | AggFunc::Avg => {
                    if sign > 0 {
                        sum.add(&v)?
                    } else {
                        sum.remove(&v)?
                    }
                }
                AggFunc::Min | AggFunc::Max => {
                    let better = |a: &Value, b: &Value| {
                        let ord = total_cmp(a, b);
                        if *func == AggFunc::Min {
                            ord.is_lt()
                        } else {
                            ord.is_gt()
                        }
                    };
                    if sign > 0 {
                        if best.as_ref().map_or(true, |b| better(&v, b)) {
                            *best = Some(v);
                        }
                    } else if best.as_ref().map_or(true, |b| total_cmp(&v, b).is_eq()) {
                        // The extreme left: only a recomputation of this group can tell the next one.
                        st.recompute = true;
                    }
                }
                _ => {}
            }
        }
    }
    recompute_extremes(m, items, &mut touched, reader, ctx)?;
    let width = view.columns.len();
    let global = groups.is_empty();
    Ok(touched
        .into_iter()
        .map(|(key, st)| {
            let row = (st.rows > 0 || global).then(|| state_to_row(items, columns, &key, &st, width));
            (key, row)
        })
        .collect())
}

/// Recomputes MIN/MAX of the groups whose extreme was removed, in one scan.
fn recompute_extremes(
    m: &Maintained,
    items: &[Item],
    touched: &mut BTreeMap<Vec<u8>, GroupState>,
    reader: &dyn Reader,
    ctx: &EvalCtx,
) -> Result<()> {
    if !touched.values().any(|g| g.recompute && g.rows > 0) {
        return Ok(());
    }
    let Shape::Aggregate { groups, .. } = &m.shape else { return Ok(()) };
    for g in touched.values_mut().filter(|g| g.recompute) {
        for (i, item) in items.iter().enumerate() {
            if matches!(item, Item::Agg { func: AggFunc::Min | AggFunc::Max, .. }) {
                g.aggs[i].1 = None;
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
            let Item::Agg { func: func @ (AggFunc::Min | AggFunc::Max), arg: Some(arg) } = item else { continue };
            let v = eval(arg, &row, ctx)?;
            if v.is_null() {
                continue;
            }
            let best = &mut g.aggs[i].1;
            let ord = best.as_ref().map(|b| total_cmp(&v, b));
            if ord.map_or(true, |o| if *func == AggFunc::Min { o.is_lt() } else { o.is_gt() }) {
                *best = Some(v);
            }
        }
    }
    Ok(())
}

/// Folds base-row events into a projection view's rows, keyed by base row key.
fn fold_project(
    m: &Maintained,
    events: Vec<(i64, Vec<Value>, Vec<u8>)>,
    ctx: &EvalCtx,
) -> Result<BTreeMap<Vec<u8>, Option<Vec<Value>>>> {
    let Shape::Project(exprs) = &m.shape else { return Ok(BTreeMap::new()) };
    let mut out = BTreeMap::new();
    for (sign, row, key) in events {
        if sign < 0 {
            out.insert(key, None);
            continue;
        }
        if !passes(m, &row, ctx)? {
            out.insert(key, None);
            continue;
        }
        let mut v = exprs.iter().map(|e| eval(e, &row, ctx)).collect::<Result<Vec<_>>>()?;
        v.push(Value::Blob(key.clone()));
        out.insert(key, Some(v));
    }
    Ok(out)
}

/// The stored row of a keyed view under `key`, read through `reader`.
fn stored(reader: &dyn Reader, view: &TableDef, key: &[u8]) -> Result<Option<Vec<Value>>> {
    let row_key = keys::row_key(view.id, &[&Value::Blob(key.to_vec())]);
    let all = vec![true; view.columns.len()];
    reader.get(Ks::Rows, &row_key)?.map(|v| decode_stored_row(view, &row_key, &v, &all)).transpose()
}

/// Computes a view's new contents as of `reader`'s snapshot.
fn compute(
    reader: &dyn Reader,
    view: &TableDef,
    q: &ast::Query,
    catalog: &Catalog,
    incremental: bool,
    ctx: &EvalCtx,
) -> Result<(Contents, &'static str)> {
    let def = view.mv.as_ref().ok_or_else(|| sql_err!("{} is not a materialized view", view.name))?;
    let (_, maintained) = classify(q, catalog)?;
    let Some(m) = maintained.filter(|_| matches!(def.strategy, Strategy::Incremental(_))) else {
        let plan = plan_query(q, catalog)?;
        let rows = crate::exec::query::run(&plan.plan, reader, ctx)?.collect::<Result<Vec<_>>>()?;
        return Ok((Contents::Replace(rows), "full"));
    };
    let existing = |key: &[u8]| stored(reader, view, key);
    let none = |_: &[u8]| Ok(None);
    // Incremental: the logged changes folded into the stored rows. Full: every
    // base row folded into empty state, and stored rows not produced removed.
    let (events, stored_rows, exclusive, how): (Vec<_>, &dyn Fn(&[u8]) -> Result<Option<Vec<Value>>>, bool, _) =
        match def.refresh_scn.filter(|_| incremental) {
            // A join whose old state is no longer readable refreshes fully.
            Some(from) => match super::source::delta(&m, reader, from, ctx) {
                Ok(events) => (events, &existing, false, "incremental"),
                Err(Error::SnapshotTooOld(_)) => (super::source::present(&m, reader, ctx)?, &none, true, "full"),
                Err(e) => return Err(e),
            },
            None => (super::source::present(&m, reader, ctx)?, &none, true, "full"),
        };
    let rows = match &m.shape {
        Shape::Project(_) => fold_project(&m, events, ctx)?,
        Shape::Aggregate { .. } => {
            let events = events.into_iter().map(|(s, r, _)| (s, r)).collect();
            fold_aggregate(&m, view, stored_rows, events, reader, ctx)?
        }
    };
    Ok((Contents::Keyed { rows, exclusive }, how))
}

/// Writes new contents into the view's table inside `tx`; returns rows changed.
fn apply(tx: &mut WriteTx, view: &TableDef, contents: Contents) -> Result<u64> {
    let (lo, hi) = keys::prefix_bounds(&keys::object_prefix(view.id));
    let all = vec![true; view.columns.len()];
    let mut changed = 0;
    match contents {
        Contents::Replace(rows) => {
            let old: Vec<(Vec<u8>, Vec<Value>)> = tx
                .scan(Ks::Rows, lo, hi)
                .map(|kv| {
                    let (k, v) = kv?;
                    Ok((k.to_vec(), decode_stored_row(view, &k, &v, &all)?))
                })
                .collect::<Result<_>>()?;
            for (k, row) in old {
                delete_row(tx, view, k, &row, EndedBy::Delete, None)?;
                changed += 1;
            }
            let mut rowid = tx.rowid_high_water(view.id);
            for mut row in rows {
                rowid += 1;
                row.truncate(view.columns.len());
                row.push(Value::Integer(rowid));
                put_row(tx, view, keys::rowid_key(view.id, rowid), &row);
                changed += 1;
            }
            tx.bump_rowid(view.id, rowid);
        }
        Contents::Keyed { mut rows, exclusive } => {
            if exclusive {
                let key_at = view.columns.iter().position(|c| c.name == KEY_COLUMN);
                let stale: Vec<Vec<u8>> = tx
                    .scan(Ks::Rows, lo, hi)
                    .map(|kv| {
                        let (k, v) = kv?;
                        let row = decode_stored_row(view, &k, &v, &all)?;
                        Ok(match key_at.and_then(|i| row.get(i)) {
                            Some(Value::Blob(b)) => b.clone(),
                            _ => Vec::new(),
                        })
                    })
                    .collect::<Result<_>>()?;
                for key in stale {
                    rows.entry(key).or_insert(None);
                }
            }
            for (key, new) in rows {
                let row_key = keys::row_key(view.id, &[&Value::Blob(key.clone())]);
                let old = stored(&*tx, view, &key)?;
                match (old, new) {
                    (Some(o), Some(n)) if o == n => {}
                    (Some(o), Some(n)) => {
                        delete_row(tx, view, row_key.clone(), &o, EndedBy::Update, None)?;
                        put_row(tx, view, row_key, &n);
                        changed += 1;
                    }
                    (None, Some(n)) => {
                        put_row(tx, view, row_key, &n);
                        changed += 1;
                    }
                    (Some(o), None) => {
                        delete_row(tx, view, row_key, &o, EndedBy::Delete, None)?;
                        changed += 1;
                    }
                    (None, None) => {}
                }
            }
        }
    }
    Ok(changed)
}

/// Refreshes view `name` and keeps the engine's runtime status of it
/// ('refreshing' while it runs, 'failed' with the error if it fails).
///
/// # Errors
/// As [`refresh`].
pub fn run(engine: &Arc<Engine>, name: &str, incremental: bool, busy: Duration) -> Result<RefreshOutcome> {
    let id = engine.catalog().table(name).map(|t| t.id).ok();
    let set = |f: &dyn Fn(&mut super::staleness::Runtime)| {
        if let Some(id) = id {
            f(crate::storage::engine::lock(&engine.mv_runtime).entry(id).or_default());
        }
    };
    set(&|r| r.refreshing = true);
    let result = refresh(engine, name, incremental, busy);
    match &result {
        Ok(_) => set(&|r| *r = super::staleness::Runtime::default()),
        Err(e) => {
            let msg = e.to_string();
            set(&|r| {
                r.refreshing = false;
                r.failed = Some(msg.clone());
            });
        }
    }
    result
}

/// Refreshes materialized view `name` (incrementally when asked and
/// possible, else fully), committing its new contents and SCN.
///
/// # Errors
/// No such view; errors evaluating its query; `Busy` when the writer lock
/// stays taken, or another refresh of the same view committed meanwhile.
pub fn refresh(engine: &Arc<Engine>, name: &str, incremental: bool, busy: Duration) -> Result<RefreshOutcome> {
    let view = engine.read_view();
    let table = Arc::clone(view.catalog.table(name)?);
    let def = table.mv.as_ref().ok_or_else(|| sql_err!("{name} is not a materialized view"))?;
    let q = parse_query(&def.query)?;
    let scn = view.snapshot_scn();
    // `now` inside a view is the commit time of the state it reflects, so a
    // refresh is a function of its SCN alone.
    let now_us = engine.commit_time(scn).unwrap_or_else(crate::storage::commit_log::now_micros);
    let ctx = EvalCtx::new(&[], now_us, Some(&view));
    let (contents, strategy) = compute(&view, &table, &q, &view.catalog, incremental, &ctx)?;
    let mut tx = engine.begin_write(busy)?;
    let current = tx.catalog().tables.get(&normalize(name)).cloned();
    let same = current
        .as_ref()
        .is_some_and(|t| t.id == table.id && t.mv.as_ref().map(|d| d.refresh_scn) == Some(def.refresh_scn));
    if !same {
        return Err(Error::Busy(format!("materialized view {name} changed while it was being refreshed; try again")));
    }
    let rows_changed = apply(&mut tx, &table, contents)?;
    let mut updated = (*table).clone();
    if let Some(d) = updated.mv.as_mut() {
        d.refresh_scn = Some(scn);
        d.refreshed_at_us = Some(crate::storage::commit_log::now_micros());
    }
    let cat = tx.catalog_mut();
    cat.tables.insert(normalize(name), Arc::new(updated));
    cat.version = crate::catalog::next_version();
    trim_changes(&mut tx, &def.base_tables)?;
    tx.commit()?;
    Ok(RefreshOutcome { strategy, scn, rows_changed })
}

/// Deletes the logged changes every consumer of each table has applied.
fn trim_changes(tx: &mut WriteTx, tables: &[u32]) -> Result<()> {
    for id in tables {
        let consumers: Vec<u64> = tx
            .catalog()
            .tables
            .values()
            .filter_map(|t| t.mv.as_ref())
            .filter(|d| d.base_tables.contains(id))
            .map(|d| d.refresh_scn.unwrap_or(0))
            .collect();
        if let Some(upto) = consumers.into_iter().min().filter(|u| *u > 0) {
            changes::trim(tx, *id, upto)?;
        }
    }
    Ok(())
}
