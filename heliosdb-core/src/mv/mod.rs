//! Materialized views: a table holding a query's result, the SCN it reflects,
//! and the machinery that keeps it fresh.
//!
//! * [`analyze`] — which query shapes are maintained incrementally, and why not;
//! * [`refresh`] — full and incremental refresh against a snapshot, swapped in atomically;
//! * [`source`] — the input rows now, and the delta since a view's SCN (change log, join delta rules);
//! * [`sliding`] — `now`-relative WHERE bounds: rows leaving a window as time passes;
//! * [`groups`] — aggregate state per group and the fold that moves it;
//! * [`extremes`] — MIN/MAX reserves, so removals need no rescan;
//! * [`partial`] — windows, HAVING, outer joins, UNION ALL, top-N: recompute only the partitions that changed;
//! * [`partition_shapes`] — which queries are partitioned, and by what;
//! * [`ranked`] — RANK/DENSE_RANK/ROW_NUMBER views stored in window order, numbered when read;
//! * [`topn`] — whether a change can reach a top-N view;
//! * [`staleness`] — `pg_mv_staleness()`, answered from in-memory change counts;
//! * [`scheduler`] — the CPU-aware auto-refresh thread;
//! * this module — planning and running CREATE / DROP / ALTER MATERIALIZED VIEW.
//!
//! A view's contents live in an ordinary table (so reads, indexes and
//! `AS OF` work unchanged) whose definition carries a [`crate::catalog::MvDef`].
//! Its base tables log their row changes ([`crate::storage::changes`]) while a
//! view consumes them.

pub mod analyze;
pub mod extremes;
pub mod groups;
pub mod partial;
pub mod partition_shapes;
pub mod ranked;
pub mod refresh;
pub mod scheduler;
pub mod sliding;
pub mod source;
pub mod staleness;
pub mod topn;

use crate::catalog::mv::IncrementalShape;
use crate::catalog::mv::WindowInfo;
use crate::catalog::{normalize, Catalog, ColumnDef, MvDef, MvOptions, Strategy, TableDef};
use crate::error::{sql_err, Result};
use crate::sql::binder::object_name;
use crate::sql::plan::StmtPlan;
use crate::storage::WriteTx;
use crate::types::{DataType, Value};
use analyze::{COUNT_COLUMN, KEY_COLUMN, STATE_WIDTH};
use sqlparser::ast;
use std::sync::Arc;

fn column(name: &str, hidden: bool) -> ColumnDef {
    ColumnDef { name: name.into(), ty: DataType::Any, not_null: false, default: None, hidden, decl: None }
}

/// Plans `CREATE MATERIALIZED VIEW`: the query must plan now; the table that
/// will hold the contents is laid out for the maintenance strategy.
///
/// # Errors
/// A query that does not plan; duplicate or mismatched column names.
pub fn plan_create(cv: &ast::CreateView, catalog: &Catalog, sql: &str) -> Result<StmtPlan> {
    let name = object_name(&cv.name);
    let qp = crate::sql::planner::select::plan_query(&cv.query, catalog)?;
    let mut names: Vec<String> = cv.columns.iter().map(|c| c.name.value.clone()).collect();
    if names.is_empty() {
        names = qp.columns.clone();
    } else if names.len() != qp.columns.len() {
        return Err(sql_err!("view {name} names {} columns but its query returns {}", names.len(), qp.columns.len()));
    }
    let mut columns: Vec<ColumnDef> = Vec::new();
    for n in names {
        if columns.iter().any(|c| c.name.eq_ignore_ascii_case(&n)) {
            return Err(sql_err!("materialized view {name} has two columns named {n}: give them distinct aliases"));
        }
        columns.push(column(&n, false));
    }
    let (mut strategy, maintained) = analyze::classify(&cv.query, catalog)?;
    let mut sort_columns = 0;
    if let Strategy::Full { reason } = &strategy {
        if let Ok(p) = partial::analyze(&cv.query, catalog)? {
            if let partial::Unit::TopN { order, .. } = &p.unit {
                sort_columns = order.len();
            }
            strategy = Strategy::Partial { what: p.what, reason: reason.clone() };
        }
    }
    let window = maintained.as_ref().and_then(|m| match (&m.sliding, &m.source) {
        (Some(s), analyze::Source::Table(t)) => Some(WindowInfo {
            column: t.columns.get(s.column).map_or_else(String::new, |c| c.name.clone()),
            indexed: sliding::has_range_access(t, s),
        }),
        _ => None,
    });
    let mut primary_key = Vec::new();
    match &strategy {
        Strategy::Incremental(IncrementalShape::Project) => {
            primary_key.push(columns.len());
            columns.push(column(KEY_COLUMN, true));
        }
        Strategy::Incremental(IncrementalShape::Ranked(layout)) => {
            debug_assert_eq!((layout.part, layout.order), (columns.len(), columns.len() + 1));
            primary_key = vec![columns.len(), columns.len() + 1, columns.len() + 2];
            columns.push(column(partial::PART_COLUMN, true));
            columns.push(column(ranked::ORDER_COLUMN, true));
            columns.push(column(KEY_COLUMN, true));
        }
        Strategy::Incremental(IncrementalShape::Aggregate { columns: aggs }) => {
            primary_key.push(columns.len());
            columns.push(column(KEY_COLUMN, true));
            columns.push(column(COUNT_COLUMN, true));
            for (i, a) in aggs.iter().enumerate().filter(|(_, a)| a.is_some()) {
                for j in 0..STATE_WIDTH {
                    columns.push(column(&format!("heliosdb_state_{i}_{j}"), true));
                }
                debug_assert_eq!(a.as_ref().map(|s| s.state), Some(columns.len() - STATE_WIDTH));
            }
        }
        Strategy::Partial { .. } => {
            for i in 0..sort_columns {
                columns.push(column(&partial::sort_column(i), true));
            }
            primary_key = vec![columns.len(), columns.len() + 1];
            columns.push(column(partial::PART_COLUMN, true));
            columns.push(column(partial::SEQ_COLUMN, true));
        }
        Strategy::Full { .. } => {}
    }
    let no_data = match &cv.options {
        ast::CreateTableOptions::With(opts) => opts.iter().any(|o| {
            matches!(o, ast::SqlOption::KeyValue { key, .. } if key.value.eq_ignore_ascii_case(crate::sql::statement_syntax::NO_DATA))
        }),
        _ => false,
    };
    let base_tables = analyze::base_tables(&cv.query, catalog).iter().map(|t| t.id).collect();
    let table = TableDef {
        id: 0,
        name,
        columns,
        primary_key,
        rowid_alias: false,
        autoincrement: false,
        indexes: Vec::new(),
        checks: Vec::new(),
        foreign_keys: Vec::new(),
        sql: sql.to_string(),
        time_travel: true,
        created_scn: 0,
        altered_scn: None,
        mv: Some(Box::new(MvDef {
            query: cv.query.to_string(),
            base_tables,
            strategy,
            refresh_scn: None,
            refreshed_at_us: None,
            options: MvOptions::default(),
            window,
        })),
        track_changes: false,
        triggers: Vec::new(),
    };
    Ok(StmtPlan::CreateMaterializedView { table, if_not_exists: cv.if_not_exists, with_data: !no_data })
}

/// Turns change logging on or off for `ids` to match whether any consumer
/// (a view, a change feed) reads them.
fn sync_tracking(tx: &mut WriteTx, ids: &[u32]) {
    let cat = tx.catalog_mut();
    cat.sync_tracking(ids);
    cat.version = crate::catalog::next_version();
}

/// What CREATE MATERIALIZED VIEW tells its caller: how the view will be
/// maintained, and what prevents incremental maintenance.
pub fn creation_notice(table: &TableDef) -> Option<String> {
    match &table.mv.as_ref()?.strategy {
        Strategy::Incremental(_) => {
            let def = table.mv.as_ref()?;
            let window = match &def.window {
                None => String::new(),
                Some(w) if w.indexed => format!(
                    " (a sliding window on {}: rows leaving it are found through an index)",
                    w.column
                ),
                Some(w) => format!(
                    " (a sliding window on {c}: without an index on {c}, rows leaving it are found by scanning the table)",
                    c = w.column
                ),
            };
            let ranked = if table.ranked().is_some() {
                " (its rows are kept in window order and their ranks numbered when read, so a change rewrites \
                 only the rows it changes)"
            } else {
                ""
            };
            Some(format!("materialized view {} is maintained incrementally{window}{ranked}", table.name))
        }
        Strategy::Partial { what, reason } => Some(format!(
            "materialized view {} is refreshed partially: only {what} are recomputed \
             (not maintained row by row because of {reason})",
            table.name
        )),
        Strategy::Full { reason } => Some(format!(
            "materialized view {} will be refreshed fully (not incrementally) because of {reason}",
            table.name
        )),
    }
}

/// Creates the view's table and starts change logging on its base tables.
///
/// # Errors
/// The name is taken (by anything but this view with IF NOT EXISTS).
pub fn create(tx: &mut WriteTx, table: TableDef, if_not_exists: bool) -> Result<()> {
    let exists = tx.catalog().tables.get(&normalize(&table.name)).is_some_and(|t| t.mv.is_some());
    if exists && if_not_exists {
        return Ok(());
    }
    let bases = table.mv.as_ref().map(|d| d.base_tables.clone()).unwrap_or_default();
    crate::exec::ddl::create_table(tx, table, false, Some(true))?;
    sync_tracking(tx, &bases);
    Ok(())
}

/// `DROP MATERIALIZED VIEW`: the table and its contents go; base tables stop
/// logging changes nobody reads.
///
/// # Errors
/// No such materialized view (unless IF EXISTS).
pub fn drop(tx: &mut WriteTx, names: &[String], if_exists: bool) -> Result<()> {
    for name in names {
        let Some(t) = tx.catalog().tables.get(&normalize(name)).cloned() else {
            if if_exists {
                continue;
            }
            return Err(sql_err!("no such materialized view: {name}"));
        };
        let Some(def) = &t.mv else {
            return Err(sql_err!("{name} is a table, not a materialized view: use DROP TABLE"));
        };
        crate::exec::ddl::drop_relation(tx, &t)?;
        sync_tracking(tx, &def.base_tables);
        crate::feed::trim_consumed(tx, &def.base_tables)?;
    }
    Ok(())
}

/// `ALTER MATERIALIZED VIEW v SET (…)` / `RESET (…)` (NULL resets a key).
///
/// # Errors
/// Not a materialized view; an unknown option or a bad value (named).
pub fn set_options(tx: &mut WriteTx, name: &str, changes: &[(String, Value)]) -> Result<()> {
    let t = tx.catalog().table(name)?.clone();
    let mut def = (*t).clone();
    let Some(mv) = def.mv.as_mut() else {
        return Err(sql_err!("{name} is not a materialized view: SET (…) applies to materialized views"));
    };
    for (key, v) in changes {
        let o = &mut mv.options;
        let bad = |what: &str| sql_err!("materialized view option {key} must be {what}, not {v}");
        let secs = |v: &Value| match v {
            Value::Null => Ok(None),
            Value::Integer(i) if *i >= 0 => Ok(Some(*i as u64)),
            _ => Err(bad("a number of seconds (≥ 0)")),
        };
        match key.to_ascii_lowercase().as_str() {
            "auto_refresh" => {
                o.auto_refresh = match v {
                    Value::Null => None,
                    Value::Boolean(b) => Some(*b),
                    Value::Integer(i @ (0 | 1)) => Some(*i == 1),
                    Value::Text(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                        Some(s.eq_ignore_ascii_case("true"))
                    }
                    _ => return Err(bad("true or false")),
                }
            }
            "staleness_threshold_sec" => o.staleness_threshold_sec = secs(v)?,
            "max_staleness_sec" => o.max_staleness_sec = secs(v)?,
            "cpu_threshold" => {
                o.cpu_threshold = match v.as_f64() {
                    _ if v.is_null() => None,
                    Some(x) if x > 0.0 && x <= 1.0 => Some(x),
                    _ => return Err(bad("a fraction in (0, 1]")),
                }
            }
            other => {
                return Err(sql_err!(
                    "unknown materialized view option {other} (options: auto_refresh, staleness_threshold_sec, \
                     cpu_threshold, max_staleness_sec)"
                ))
            }
        }
    }
    let cat = tx.catalog_mut();
    cat.tables.insert(normalize(name), Arc::new(def));
    cat.version = crate::catalog::next_version();
    Ok(())
}
