//! `pg_mv_staleness()`: one row per materialized view, from the catalog, the
//! in-memory change counts and the commit log — never from the base tables,
//! so it answers in microseconds whatever their size.

use crate::catalog::{Catalog, Strategy, TableDef};
use crate::config::MaterializedViewConfig;
use crate::storage::Engine;
use crate::types::Value;
use std::collections::HashMap;

/// What the engine knows about a view beyond its definition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runtime {
    /// A refresh is running.
    pub refreshing: bool,
    /// The last refresh failed with this error.
    pub failed: Option<String>,
}

/// The columns of `pg_mv_staleness()`.
pub const COLUMNS: [&str; 11] = [
    "view_name",
    "last_update",
    "pending_changes",
    "staleness_sec",
    "status",
    "auto_refresh",
    "staleness_threshold_sec",
    "cpu_threshold",
    "max_staleness_sec",
    "refresh_strategy",
    "reason",
];

/// A view's pending work at `now_us`: row changes to its base tables since
/// its SCN, and the commit time (µs) of the oldest of them.
///
/// For a view with a sliding time window, time is a source of change too:
/// once its window has moved by the view's staleness threshold since the
/// `now` its contents were computed with, that counts as one pending change
/// dated from then (rows may have aged out although none changed).
pub fn pending(engine: &Engine, view: &TableDef, now_us: i64) -> (u64, Option<i64>) {
    let Some(def) = &view.mv else { return (0, None) };
    let since = def.refresh_scn.unwrap_or(view.created_scn);
    let index = crate::storage::engine::lock(&engine.change_index);
    let mut total = 0;
    let mut oldest: Option<u64> = None;
    for t in &def.base_tables {
        let (n, first) = index.pending(*t, since);
        total += n;
        oldest = match (oldest, first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    drop(index);
    let mut oldest = oldest.and_then(|s| engine.commit_time(s));
    if let (Some(_), Some(scn)) = (&def.window, def.refresh_scn) {
        let threshold = def
            .options
            .staleness_threshold_sec
            .unwrap_or(engine.config().materialized_views.default_staleness_threshold_sec);
        let pinned = engine.commit_time(scn);
        if let Some(p) = pinned.filter(|p| now_us - p >= (threshold.max(1) as i64).saturating_mul(1_000_000)) {
            total += 1;
            oldest = Some(oldest.map_or(p, |o| o.min(p)));
        }
    }
    (total, oldest)
}

/// The rows of `pg_mv_staleness()`, by view name.
pub fn rows(engine: &Engine, catalog: &Catalog, now_us: i64) -> Vec<Vec<Value>> {
    let defaults: &MaterializedViewConfig = &engine.config().materialized_views;
    let runtime: HashMap<u32, Runtime> = crate::storage::engine::lock(&engine.mv_runtime).clone();
    let mut out = Vec::new();
    for view in catalog.tables.values() {
        let Some(def) = &view.mv else { continue };
        let (pending, oldest) = pending(engine, view, now_us);
        let staleness = oldest.map_or(0, |t| (now_us - t).max(0) / 1_000_000);
        let rt = runtime.get(&view.id).cloned().unwrap_or_default();
        let status = if rt.refreshing {
            "refreshing"
        } else if rt.failed.is_some() {
            "failed"
        } else if def.refresh_scn.is_none() {
            "never_refreshed"
        } else if pending > 0 {
            "stale"
        } else {
            "fresh"
        };
        let (strategy, reason) = match &def.strategy {
            Strategy::Incremental(_) => ("incremental", rt.failed.clone().map_or(Value::Null, Value::Text)),
            Strategy::Partial { what, reason } => (
                "partial",
                Value::Text(
                    rt.failed
                        .clone()
                        .unwrap_or_else(|| format!("recomputes only {what}; not row by row because of {reason}")),
                ),
            ),
            Strategy::Full { reason } => ("full", Value::Text(rt.failed.clone().unwrap_or_else(|| reason.clone()))),
        };
        let o = &def.options;
        let int = |x: u64| Value::Integer(i64::try_from(x).unwrap_or(i64::MAX));
        out.push(vec![
            Value::Text(view.name.clone()),
            def.refreshed_at_us.map_or(Value::Null, |t| Value::Integer(t / 1_000_000)),
            int(pending),
            Value::Integer(staleness),
            Value::Text(status.into()),
            Value::Boolean(o.auto_refresh.unwrap_or(defaults.default_auto_refresh)),
            int(o.staleness_threshold_sec.unwrap_or(defaults.default_staleness_threshold_sec)),
            Value::Real(o.cpu_threshold.unwrap_or(defaults.default_cpu_threshold)),
            o.max_staleness_sec.map_or(Value::Null, int),
            Value::Text(strategy.into()),
            reason,
        ]);
    }
    out
}
