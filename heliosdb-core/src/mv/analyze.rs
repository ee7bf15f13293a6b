//! Deciding how a materialized view is maintained: which query shapes are
//! kept up to date from the change log, and, for the others, the part of the
//! query that forces a full recomputation (reported at CREATE time and by
//! `pg_mv_staleness()`).

use super::sliding::{self, Sliding};
use crate::catalog::mv::{AggState, IncrementalShape, RankKind, RankedLayout};
use crate::catalog::{normalize, Catalog, Strategy, TableDef};
use crate::error::{sql_err, Result};
use crate::sql::binder::QueryCtx;
use crate::sql::binder::{object_name, Binder};
use crate::sql::expr::{AggFunc, Expr, Func, WindowFunc};
use crate::sql::plan::Plan;
use crate::sql::planner::select::{plan_from_where, table_scope};
use crate::sql::scope::Scope;
use sqlparser::ast;
use std::sync::Arc;

/// One visible column of an aggregate view.
#[derive(Debug, Clone)]
pub enum Item {
    /// The `i`-th GROUP BY expression.
    Group(usize),
    /// An aggregate over the base rows (`arg` is `None` for COUNT(*)).
    Agg {
        /// Which aggregate.
        func: AggFunc,
        /// Its argument, bound against the base table.
        arg: Option<Expr>,
        /// `COUNT(DISTINCT x)`.
        distinct: bool,
    },
}

/// The bound pieces incremental maintenance evaluates on base rows.
#[derive(Debug, Clone)]
pub struct Maintained {
    /// Where the rows come from.
    pub source: Source,
    /// The WHERE clause (for a join it is part of the source plan).
    pub filter: Option<Expr>,
    /// The WHERE's `now`-relative bounds on one column, if it has any.
    pub sliding: Option<Sliding>,
    /// The shape.
    pub shape: Shape,
}

/// The rows a maintained view is computed from.
#[derive(Debug, Clone)]
pub enum Source {
    /// One table.
    Table(Arc<TableDef>),
    /// Inner joins of distinct tables: the FROM/WHERE plan (rows are every
    /// table's columns and rowid, in FROM order), maintained by delta rules.
    Join {
        /// The tables in FROM order.
        tables: Vec<Arc<TableDef>>,
        /// The FROM/WHERE plan.
        plan: Plan,
    },
}

/// The maintained shapes, bound.
#[derive(Debug, Clone)]
pub enum Shape {
    /// One view row per qualifying base row: the select expressions.
    Project(Vec<Expr>),
    /// One view row per qualifying base row, stored in the order of one
    /// window and ranked when read (see [`super::ranked`]).
    Ranked {
        /// The select expressions; a ranking function's place holds NULL.
        exprs: Vec<Expr>,
        /// PARTITION BY.
        partition: Vec<Expr>,
        /// ORDER BY: (expression, descending, nulls first).
        order: Vec<(Expr, bool, bool)>,
    },
    /// One view row per group.
    Aggregate {
        /// GROUP BY expressions.
        groups: Vec<Expr>,
        /// The visible columns.
        items: Vec<Item>,
    },
}

impl Shape {
    /// Whether the view keeps a row per base row (its input events carry
    /// the base row's key).
    pub fn keyed(&self) -> bool {
        matches!(self, Shape::Project(_) | Shape::Ranked { .. })
    }
}

/// Hidden column holding a stored row's key (base row key or group key).
pub const KEY_COLUMN: &str = "heliosdb_key";
/// Hidden column counting the base rows of a group.
pub const COUNT_COLUMN: &str = "heliosdb_rows";
/// Hidden columns per aggregate: a [`crate::exec::aggregate::Sum`]'s four parts,
/// or the extreme and the count of non-NULL values for MIN/MAX.
pub const STATE_WIDTH: usize = 4;

/// The base tables a query reads (every table name in it that is a table).
pub fn base_tables(q: &ast::Query, catalog: &Catalog) -> Vec<Arc<TableDef>> {
    let mut out: Vec<Arc<TableDef>> = Vec::new();
    let _ = ast::visit_relations(q, |name| {
        if let Ok(t) = catalog.table(&object_name(name)) {
            if !out.iter().any(|x| x.id == t.id) {
                out.push(Arc::clone(t));
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    out
}

/// Whether `e` calls something whose result changes with every call.
fn volatile(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| {
        found |= matches!(
            x,
            Expr::Func(
                Func::Random
                    | Func::RandomBlob
                    | Func::CurrentScn
                    | Func::LastTxid
                    | Func::LastInsertRowid
                    | Func::Changes
                    | Func::TotalChanges
                    | Func::Gc
                    | Func::Ack,
                _
            )
        )
    });
    found
}

/// Why a bound expression cannot be maintained, if it cannot; with
/// `time_ok`, `now`-relative parts are left to [`sliding::classify`].
fn obstacle(e: &Expr, time_ok: bool) -> Option<String> {
    let mut why = None;
    e.walk(&mut |x| match x {
        Expr::Subquery(_) => why = why.take().or(Some("a subquery in an expression".to_string())),
        Expr::Window(_) => why = why.take().or(Some("a window function".to_string())),
        _ => {}
    });
    why.or_else(|| {
        volatile(e).then(|| "a random or SCN-dependent expression (its result changes without any row changing)".into())
    })
    .or_else(|| {
        (!time_ok && sliding::uses_now(e))
            .then(|| "a now()-relative expression outside WHERE (its result changes without any row changing)".into())
    })
}

/// Why a bound expression cannot be maintained, if it cannot.
fn expr_obstacle(e: &Expr) -> Option<String> {
    obstacle(e, false)
}

/// How a view with defining query `q` is maintained, with the bound pieces
/// when incrementally.
///
/// # Errors
/// Binding errors in the query (the caller has already planned it, so these
/// would be bugs rather than user errors).
pub fn classify(q: &ast::Query, catalog: &Catalog) -> Result<(Strategy, Option<Maintained>)> {
    match shape_of(q, catalog)? {
        Ok((m, shape)) => Ok((Strategy::Incremental(shape), Some(m))),
        Err(reason) => Ok((Strategy::Full { reason }, None)),
    }
}

type Classified = std::result::Result<(Maintained, IncrementalShape), String>;

fn shape_of(q: &ast::Query, catalog: &Catalog) -> Result<Classified> {
    if q.with.is_some() {
        return Ok(Err("a WITH clause".into()));
    }
    if q.limit_clause.is_some() || q.fetch.is_some() {
        return Ok(Err("LIMIT/OFFSET".into()));
    }
    let ast::SetExpr::Select(sel) = q.body.as_ref() else {
        return Ok(Err("UNION/INTERSECT/EXCEPT".into()));
    };
    if matches!(sel.distinct, Some(ast::Distinct::On(_))) {
        return Ok(Err("DISTINCT ON".into()));
    }
    if sel.having.is_some() {
        return Ok(Err("HAVING".into()));
    }
    if sel.from.is_empty() {
        return Ok(Err("no FROM table".into()));
    }
    if sel.from.len() > 1 || !sel.from[0].joins.is_empty() {
        return join_shape(sel, catalog);
    }
    let (table, qualifier) = match base_table(&sel.from[0].relation, catalog)? {
        Ok(t) => t,
        Err(why) => return Ok(Err(why)),
    };
    let scope = table_scope(&table, &qualifier);
    let (filter, sliding) = match &sel.selection {
        Some(w) => {
            let e = Binder::new(&scope).bind(w).map_err(|e| sql_err!("{e}"))?;
            if let Some(why) = obstacle(&e, true) {
                return Ok(Err(format!("{why} in WHERE")));
            }
            match sliding::classify(&e) {
                Ok(s) => (Some(e), s),
                Err(why) => return Ok(Err(format!("{why} in WHERE"))),
            }
        }
        None => (None, None),
    };
    select_shape(sel, &scope, Source::Table(table), filter, sliding)
}

/// The shape of the select list over `scope` (projection or aggregation).
fn select_shape(
    sel: &ast::Select,
    scope: &Scope,
    source: Source,
    filter: Option<Expr>,
    sliding: Option<Sliding>,
) -> Result<Classified> {
    let group_asts: Vec<&ast::Expr> = match &sel.group_by {
        ast::GroupByExpr::Expressions(exprs, mods) if mods.is_empty() => exprs.iter().collect(),
        _ => return Ok(Err("GROUP BY ALL or grouping modifiers".into())),
    };
    let mut groups = Vec::new();
    for g in &group_asts {
        let e = Binder::new(scope).bind(g)?;
        if let Some(why) = expr_obstacle(&e) {
            return Ok(Err(format!("{why} in GROUP BY")));
        }
        groups.push(e);
    }
    let mut binder = Binder::new(scope).with_windows(&sel.named_window);
    binder.allow_aggregates = true;
    let mut bound = Vec::new();
    for item in &sel.projection {
        match item {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                bound.push(binder.bind(e)?);
            }
            ast::SelectItem::ExprWithAliases { .. } => return Ok(Err("a select item with several aliases".into())),
            ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                if !groups.is_empty() {
                    return Ok(Err("* in an aggregate query".into()));
                }
                bound.extend(scope.columns.iter().enumerate().filter(|(_, c)| !c.hidden).map(|(i, _)| Expr::Column(i)));
            }
        }
    }
    let has_aggs = bound.iter().any(Expr::has_aggregate);
    if groups.is_empty() && !has_aggs && sel.distinct.is_none() && bound.iter().any(Expr::has_window) {
        if let Some((shape, layout)) = ranked_shape(&bound) {
            let m = Maintained { source, filter, sliding, shape };
            return Ok(Ok((m, IncrementalShape::Ranked(layout))));
        }
    }
    if groups.is_empty() && !has_aggs {
        if let Some(why) = bound.iter().find_map(expr_obstacle) {
            return Ok(Err(why));
        }
        if sel.distinct.is_none() {
            let m = Maintained { source, filter, sliding, shape: Shape::Project(bound) };
            return Ok(Ok((m, IncrementalShape::Project)));
        }
        // SELECT DISTINCT is a grouping on every select item: a row per
        // distinct tuple, present while its count of base rows is positive.
        let items: Vec<Item> = (0..bound.len()).map(Item::Group).collect();
        let columns = vec![None; bound.len()];
        let m = Maintained { source, filter, sliding, shape: Shape::Aggregate { groups: bound, items } };
        return Ok(Ok((m, IncrementalShape::Aggregate { columns })));
    }
    if sel.distinct.is_some() {
        return Ok(Err("DISTINCT over an aggregate".into()));
    }
    let mut items = Vec::new();
    let mut columns = Vec::new();
    let mut next_state = bound.len() + 2; // after the visible columns, the key and the row count
    for e in bound {
        if let Some(i) = groups.iter().position(|g| *g == e) {
            items.push(Item::Group(i));
            columns.push(None);
            continue;
        }
        let Expr::Agg(call) = &e else {
            return Ok(Err(if e.has_aggregate() {
                "an aggregate inside a larger expression (such as sum(x) * 2)".into()
            } else {
                "a select item that is neither a GROUP BY expression nor an aggregate".into()
            }));
        };
        let name = match call.func {
            AggFunc::CountStar => "count_star",
            AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Total => "total",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::VarSamp => "var_samp",
            AggFunc::VarPop => "var_pop",
            AggFunc::StddevSamp => "stddev_samp",
            AggFunc::StddevPop => "stddev_pop",
            other => return Ok(Err(format!("{other:?} is not maintained incrementally"))),
        };
        let name = if call.distinct && call.func == AggFunc::Count { "count_distinct" } else { name };
        if call.distinct && !matches!(call.func, AggFunc::Count | AggFunc::Min | AggFunc::Max) {
            return Ok(Err("SUM/AVG/TOTAL/VARIANCE with DISTINCT are not maintained incrementally".into()));
        }
        if call.filter.is_some() {
            // The maintained state has no place for FILTER: such views are recomputed.
            return Ok(Err("an aggregate with FILTER".into()));
        }
        if let Some(why) = call.arg.as_ref().and_then(expr_obstacle) {
            return Ok(Err(why));
        }
        // DISTINCT changes nothing for MIN and MAX.
        let distinct = call.distinct && call.func == AggFunc::Count;
        items.push(Item::Agg { func: call.func, arg: call.arg.clone(), distinct });
        columns.push(Some(AggState { func: name.into(), state: next_state }));
        next_state += STATE_WIDTH;
    }
    let m = Maintained { source, filter, sliding, shape: Shape::Aggregate { groups, items } };
    Ok(Ok((m, IncrementalShape::Aggregate { columns })))
}

/// The select list as a ranked shape: every window call is RANK(),
/// DENSE_RANK() or ROW_NUMBER() standing alone as a select item, all over
/// one window, and nothing else needs a window or changes on its own.
/// `None` when the list is not of that form.
fn ranked_shape(bound: &[Expr]) -> Option<(Shape, RankedLayout)> {
    let mut window: Option<(&Vec<Expr>, &Vec<(Expr, bool, bool)>)> = None;
    let mut exprs = Vec::with_capacity(bound.len());
    let mut ranks = Vec::new();
    for (i, e) in bound.iter().enumerate() {
        if let Expr::Window(w) = e {
            let kind = match w.func {
                WindowFunc::Rank => RankKind::Rank,
                WindowFunc::DenseRank => RankKind::DenseRank,
                WindowFunc::RowNumber => RankKind::RowNumber,
                _ => return None,
            };
            if !w.args.is_empty() || w.filter.is_some() {
                return None;
            }
            match window {
                None => window = Some((&w.partition, &w.order)),
                Some((p, o)) if *p == w.partition && *o == w.order => {}
                Some(_) => return None,
            }
            ranks.push((i, kind));
            exprs.push(Expr::Literal(crate::types::Value::Null));
        } else if e.has_window() || expr_obstacle(e).is_some() {
            return None;
        } else {
            exprs.push(e.clone());
        }
    }
    let (partition, order) = window?;
    if partition.iter().chain(order.iter().map(|(e, _, _)| e)).any(|e| expr_obstacle(e).is_some()) {
        return None;
    }
    let part_columns: Vec<usize> = partition.iter().filter_map(|p| exprs.iter().position(|e| e == p)).collect();
    let part_columns = if part_columns.len() == partition.len() { part_columns } else { Vec::new() };
    let layout = RankedLayout { ranks, part: bound.len(), order: bound.len() + 1, part_columns };
    Some((Shape::Ranked { exprs, partition: partition.clone(), order: order.clone() }, layout))
}

/// A FROM item that is a base table (with the name it is referred to by),
/// or why it cannot be maintained.
fn base_table(f: &ast::TableFactor, catalog: &Catalog) -> Result<std::result::Result<(Arc<TableDef>, String), String>> {
    let (name, alias) = match f {
        ast::TableFactor::Table { name, alias, args: None, version: None, .. } => (name, alias),
        ast::TableFactor::Table { version: Some(_), .. } => return Ok(Err("AS OF in the query".into())),
        ast::TableFactor::Derived { .. } => {
            return Ok(Err("a subquery in FROM (every row may depend on it, so a change recomputes the view)".into()))
        }
        other => return Ok(Err(format!("the FROM item {other}"))),
    };
    let tname = object_name(name);
    if catalog.views.contains_key(&normalize(&tname)) {
        return Ok(Err(format!("it reads the view {tname}")));
    }
    let table = catalog.table(&tname)?;
    if table.mv.is_some() {
        return Ok(Err(format!("it reads the materialized view {tname}")));
    }
    let qualifier = alias.as_ref().map_or(table.name.clone(), |a| a.name.value.clone());
    Ok(Ok((Arc::clone(table), qualifier)))
}

/// Inner joins of distinct tables that keep history: maintained by delta rules.
fn join_shape(sel: &ast::Select, catalog: &Catalog) -> Result<Classified> {
    let mut tables: Vec<Arc<TableDef>> = Vec::new();
    for twj in &sel.from {
        let mut factors = vec![&twj.relation];
        for j in &twj.joins {
            use ast::JoinOperator as J;
            if !matches!(j.join_operator, J::Join(_) | J::Inner(_) | J::CrossJoin(_)) {
                return Ok(Err("an outer join".into()));
            }
            factors.push(&j.relation);
        }
        for f in factors {
            let (table, _) = match base_table(f, catalog)? {
                Ok(t) => t,
                Err(why) => return Ok(Err(why)),
            };
            let tname = table.name.clone();
            if tables.iter().any(|t| t.id == table.id) {
                return Ok(Err(format!("the table {tname} appears twice in FROM")));
            }
            if !table.time_travel {
                return Ok(Err(format!("a join over {tname}, which keeps no history (time_travel = false)")));
            }
            tables.push(table);
        }
    }
    let (plan, scope) = plan_from_where(sel, &QueryCtx::root(catalog))?;
    if let Some(w) = &sel.selection {
        if let Some(why) = expr_obstacle(&Binder::new(&scope).bind(w)?) {
            return Ok(Err(format!("{why} in WHERE")));
        }
    }
    select_shape(sel, &scope, Source::Join { tables, plan }, None, None)
}
