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

use super::analyze::{classify, Maintained, Shape, KEY_COLUMN};
use super::groups::{Folded, Folder, ReadStored, RowUpdate, StoredRow};
use super::partial;
use super::source::Event;
use crate::catalog::{normalize, Catalog, Strategy, TableDef};
use crate::error::{sql_err, Error, Result};
use crate::exec::clock::StmtClock;
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::memory::{MemoryUse, WorkMemory};
use crate::exec::scan::decode_stored_row;
use crate::exec::write::{delete_row, put_row};
use crate::sql::planner::select::plan_query;
use crate::storage::versions::EndedBy;
use crate::storage::{keys, Engine, Ks, Reader, WriteTx};
use crate::types::rowcodec::row_scn;
use crate::types::Value;
use sqlparser::ast;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshOutcome {
    /// `"incremental"`, `"partial"` or `"full"`.
    pub strategy: &'static str,
    /// The SCN the contents now reflect.
    pub scn: u64,
    /// Stored rows written or removed.
    pub rows_changed: u64,
    /// What its sorts held in working memory and spilled (a ranked view's
    /// full refresh sorts every row; other refreshes report nothing here).
    pub memory: MemoryUse,
    /// What an incremental refresh had to re-read by a pass over its base
    /// table, and the index that would spare it (see `groups::reread`).
    pub rescan: Option<String>,
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
    Keyed { rows: BTreeMap<Vec<u8>, RowUpdate>, exclusive: bool },
    /// Replace these partitions' rows; with `exclusive`, also remove every
    /// stored partition not listed.
    /// `positional`: rows are stored in query order (a top-N view);
    /// otherwise by content, so rows that did not change are not rewritten.
    Partitions { rows: BTreeMap<Vec<u8>, Vec<Vec<Value>>>, exclusive: bool, positional: bool },
    /// A ranked view's changed rows, or all its rows.
    Ranked(super::ranked::Delta),
}

/// Folds one input event into a projection view's rows, keyed by base row key.
fn fold_project(
    m: &Maintained,
    (sign, row, key): Event,
    ctx: &EvalCtx,
    out: &mut BTreeMap<Vec<u8>, RowUpdate>,
) -> Result<()> {
    let Shape::Project(exprs) = &m.shape else { return Ok(()) };
    if sign < 0 {
        out.insert(key, RowUpdate { old: None, new: None });
        return Ok(());
    }
    let mut v = exprs.iter().map(|e| eval(e, row, ctx)).collect::<Result<Vec<_>>>()?;
    v.push(Value::Blob(key.clone()));
    out.insert(key, RowUpdate { old: None, new: Some(v) });
    Ok(())
}

/// Folds a stream of input events into the stored rows of the keys they
/// touch; with what had to be re-read by a pass over the input, if anything.
fn fold(
    m: &Maintained,
    view: &TableDef,
    existing: Option<ReadStored<'_>>,
    reader: &dyn Reader,
    ctx: &EvalCtx,
    feed: &mut dyn FnMut(&mut dyn FnMut(Event) -> Result<()>) -> Result<()>,
) -> Result<Folded> {
    match &m.shape {
        Shape::Project(_) => {
            let mut out = BTreeMap::new();
            feed(&mut |e| fold_project(m, e, ctx, &mut out))?;
            Ok((out, None))
        }
        Shape::Ranked { .. } => Err(Error::Corrupt(format!("ranked view {} folded as keyed rows", view.name))),
        Shape::Aggregate { .. } => {
            let mut folder = Folder::new(m, view, existing)?;
            feed(&mut |(sign, row, _)| folder.add(sign, row, ctx))?;
            folder.finish(m, reader, ctx)
        }
    }
}

/// The stored row of a keyed view under `key`, read through `reader`, with
/// its version's SCN stamp.
fn stored(reader: &dyn Reader, view: &TableDef, key: &[u8]) -> Result<Option<StoredRow>> {
    let row_key = keys::row_key(view.id, &[&Value::Blob(key.to_vec())]);
    let all = vec![true; view.columns.len()];
    let Some(v) = reader.get(Ks::Rows, &row_key)? else { return Ok(None) };
    Ok(Some((decode_stored_row(view, &row_key, &v, &all)?, row_scn(&v)?)))
}

/// Computes a view's new contents as of `reader`'s snapshot, how, and
/// what had to be re-read by a pass over a base table.
fn compute(
    reader: &dyn Reader,
    view: &TableDef,
    q: &ast::Query,
    catalog: &Catalog,
    incremental: bool,
    ctx: &EvalCtx,
    mem: &Arc<WorkMemory>,
) -> Result<(Contents, &'static str, Option<String>)> {
    let def = view.mv.as_ref().ok_or_else(|| sql_err!("{} is not a materialized view", view.name))?;
    if matches!(def.strategy, Strategy::Partial { .. }) {
        if let Ok(p) = partial::analyze(q, catalog)? {
            let (contents, how) =
                compute_partial(reader, view, &p, def.refresh_scn.filter(|_| incremental), catalog, ctx)?;
            return Ok((contents, how, None));
        }
    }
    let (_, maintained) = classify(q, catalog)?;
    let Some(m) = maintained.filter(|_| matches!(def.strategy, Strategy::Incremental(_))) else {
        let plan = plan_query(q, catalog)?;
        let rows = crate::exec::query::run(&plan.plan, reader, ctx)?.collect::<Result<Vec<_>>>()?;
        return Ok((Contents::Replace(rows), "full", None));
    };
    let existing = |key: &[u8]| stored(reader, view, key);
    let keyed = m.shape.keyed();
    let ranked = matches!(m.shape, Shape::Ranked { .. });
    // Incremental: the logged changes folded into the stored rows.
    if let Some(from) = def.refresh_scn.filter(|_| incremental) {
        // The old `now` the view's contents were computed with (sliding windows).
        let then_us = reader.engine().commit_time(from);
        let then_clock = then_us.map(StmtClock::at);
        let then = then_clock.as_ref().map(|t| EvalCtx::new(&[], t, Some(reader)));
        if let Some(then) = &then {
            // The changes stream through the fold; nothing is written until
            // `apply`, so a join whose old state is no longer readable
            // drops what it folded and refreshes fully.
            let mut feed =
                |f: &mut dyn FnMut(Event) -> Result<()>| super::source::delta(&m, reader, from, then, ctx, f);
            if ranked {
                match super::ranked::changes(&m, view, ctx, &mut feed) {
                    Ok(delta) => return Ok((Contents::Ranked(delta), "incremental", None)),
                    Err(Error::SnapshotTooOld(_)) => {}
                    Err(e) => return Err(e),
                }
            } else {
                match fold(&m, view, Some(&existing), reader, ctx, &mut feed) {
                    Ok((rows, rescan)) => {
                        return Ok((Contents::Keyed { rows, exclusive: false }, "incremental", rescan))
                    }
                    Err(Error::SnapshotTooOld(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    // Full: every input row folded into empty state (streamed, never held),
    // and stored rows not produced removed.
    let mut present = |f: &mut dyn FnMut(Event) -> Result<()>| super::source::present(&m, reader, ctx, keyed, f);
    if ranked {
        return Ok((Contents::Ranked(super::ranked::all(&m, view, ctx, mem, &mut present)?), "full", None));
    }
    let (rows, _) = fold(&m, view, None, reader, ctx, &mut present)?;
    Ok((Contents::Keyed { rows, exclusive: true }, "full", None))
}

/// A partitioned view's new contents: the partitions changed since `from`,
/// or all of them.
fn compute_partial(
    reader: &dyn Reader,
    view: &TableDef,
    p: &partial::Partitioned,
    from: Option<u64>,
    catalog: &Catalog,
    ctx: &EvalCtx,
) -> Result<(Contents, &'static str)> {
    let positional = matches!(p.unit, partial::Unit::TopN { .. });
    if let Some(from) = from {
        let parts = partial::affected(p, view, reader, from, ctx)?;
        if parts.len() <= partial::MAX_PARTITIONS {
            let rows = partial::compute(p, catalog, reader, ctx, Some(&parts))?;
            return Ok((Contents::Partitions { rows, exclusive: false, positional }, "partial"));
        }
    }
    let rows = partial::compute(p, catalog, reader, ctx, None)?;
    Ok((Contents::Partitions { rows, exclusive: true, positional }, "full"))
}

/// Replaces the stored row under `row_key` (`old`) with `new`; returns
/// whether anything was written. `old_scn`: the SCN stamp of `old` when
/// the caller read it with its image (spares reading it again to keep the
/// superseded version).
pub(super) fn put_if_changed(
    tx: &mut WriteTx,
    view: &TableDef,
    row_key: Vec<u8>,
    old: Option<Vec<Value>>,
    new: Option<Vec<Value>>,
    old_scn: Option<u64>,
) -> Result<u64> {
    match (old, new) {
        (Some(o), Some(n)) if o == n => return Ok(0),
        (Some(o), Some(n)) => {
            delete_row(tx, view, row_key.clone(), &o, EndedBy::Update, old_scn)?;
            put_row(tx, view, row_key, &n)?;
        }
        (None, Some(n)) => put_row(tx, view, row_key, &n)?,
        (Some(o), None) => delete_row(tx, view, row_key, &o, EndedBy::Delete, old_scn)?,
        (None, None) => return Ok(0),
    }
    Ok(1)
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
                put_row(tx, view, keys::rowid_key(view.id, rowid), &row)?;
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
                    rows.entry(key).or_insert(RowUpdate { old: None, new: None });
                }
            }
            for (key, RowUpdate { old, new }) in rows {
                let row_key = keys::row_key(view.id, &[&Value::Blob(key.clone())]);
                // The fold's read stands: the refresh checked under the
                // writer lock that no other refresh wrote the view since.
                let old = match old {
                    Some(known) => known,
                    None => stored(&*tx, view, &key)?,
                };
                let (old, scn) = old.map_or((None, None), |(row, scn)| (Some(row), Some(scn)));
                changed += put_if_changed(tx, view, row_key, old, new, scn)?;
            }
        }
        Contents::Ranked(delta) => changed += super::ranked::apply(tx, view, delta)?,
        Contents::Partitions { mut rows, exclusive, positional } => {
            if exclusive {
                for old in partial::stored_partitions(&*tx, view)? {
                    rows.entry(old).or_default();
                }
            }
            for (part, new_rows) in rows {
                changed += partial::write_partition(tx, view, &part, new_rows, positional)?;
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
    let clock = StmtClock::at(now_us);
    let ctx = EvalCtx::new(&[], &clock, Some(&view));
    // The statement's working memory, as a query gets (see `exec::memory`).
    let mem = WorkMemory::of_engine(engine);
    let (contents, strategy, rescan) = compute(&view, &table, &q, &view.catalog, incremental, &ctx, &mem)?;
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
    crate::feed::trim_consumed(&mut tx, &def.base_tables)?;
    tx.commit()?;
    Ok(RefreshOutcome { strategy, scn, rows_changed, memory: mem.usage(), rescan })
}
