//! Planning queries: FROM → WHERE → GROUP BY/aggregates → HAVING →
//! projection → DISTINCT → ORDER BY → LIMIT.

use super::access;
use super::clauses::{const_usize, having_with_aliases, limit_offset, output_sort_keys, with_limit};
use super::joins::{and_all, flatten_inner, hash_joins, push_down, reorder_joins, width};
use crate::catalog::{normalize, Catalog, TableDef, ViewDef};
use crate::error::{sql_err, Result};
use crate::sql::binder::{object_name, Binder, QueryCtx};
use crate::sql::expr::{AggCall, AggFunc, Expr, SubqueryKind};
use crate::sql::plan::{Access, JoinKind, Plan, QueryPlan, ScanPlan, SetOpKind, SortKey, Temporal, HISTORY_COLUMNS};
use crate::sql::scope::{Scope, ScopeColumn};
use crate::types::Value;
use sqlparser::ast;
use std::sync::Arc;

/// A planned FROM item: its rows and the columns they hold.
pub(super) type Planned = (Plan, Scope);

/// Scope of one table's scan rows: its columns, then the hidden rowid.
pub fn table_scope(table: &TableDef, qualifier: &str) -> Scope {
    let q = Some(normalize(qualifier));
    let mut columns: Vec<ScopeColumn> = table
        .columns
        .iter()
        .map(|c| ScopeColumn { table: q.clone(), name: c.name.clone(), hidden: c.hidden, decltype: Some(c.decltype()) })
        .collect();
    if table.has_rowid() {
        columns.push(ScopeColumn { table: q, name: "rowid".into(), hidden: true, decltype: Some("INTEGER".into()) });
    }
    Scope { columns }
}

/// A full scan of `table` decoding every column.
pub fn full_scan(table: &Arc<TableDef>) -> ScanPlan {
    ScanPlan {
        table: Arc::clone(table),
        access: Access::Full,
        needed: vec![true; table.columns.len()],
        temporal: None,
        with_scn: false,
        reverse: false,
    }
}

/// A query used as a FROM item (a derived table or a CTE), as a plan and a
/// scope whose columns are the query's outputs, renamed by `names` if given.
fn derived(qp: QueryPlan, qualifier: Option<&str>, names: &[String]) -> Result<(Plan, Scope)> {
    if !names.is_empty() && names.len() != qp.columns.len() {
        return Err(sql_err!(
            "{} has {} columns but {} column names were given",
            qualifier.unwrap_or("subquery"),
            qp.columns.len(),
            names.len()
        ));
    }
    let table = qualifier.map(normalize);
    let columns = qp
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| ScopeColumn {
            table: table.clone(),
            name: names.get(i).cloned().unwrap_or_else(|| c.clone()),
            hidden: false,
            decltype: qp.decltypes.get(i).cloned().flatten(),
        })
        .collect();
    Ok((qp.plan, Scope { columns }))
}

/// Plans a stored view's query.
///
/// # Errors
/// The view no longer works (a table or column it reads is gone).
pub fn plan_view(view: &ViewDef, catalog: &Catalog) -> Result<QueryPlan> {
    let query = parse_view_query(&view.query)?;
    plan_query(&query, catalog).map_err(|e| sql_err!("view {} no longer works: {e}", view.name))
}

/// Parses a stored view query.
fn parse_view_query(text: &str) -> Result<ast::Query> {
    let dialect = crate::sql::parser::HeliosDialect::default();
    sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_query())
        .map(|q| *q)
        .map_err(|e| sql_err!("stored view query does not parse: {e}"))
}

fn plan_table_factor(tf: &ast::TableFactor, qctx: &QueryCtx<'_>) -> Result<(Plan, Scope)> {
    match tf {
        ast::TableFactor::Table { name, alias, args: None, version: Some(version), .. } => {
            let tname = object_name(name);
            let temporal = super::temporal::bind_version(version, &tname, qctx)?;
            let table = qctx.catalog.table(&tname).map_err(|_| {
                if qctx.catalog.views.contains_key(&normalize(&tname)) {
                    sql_err!("AS OF reads tables, and {tname} is a view: put AS OF on the tables in its query")
                } else {
                    sql_err!("no such table: {tname} (AS OF reads tables that exist now; a dropped table's history is not kept)")
                }
            })?;
            let qualifier = alias.as_ref().map_or(table.name.clone(), |a| a.name.value.clone());
            let mut scope = table_scope(table, &qualifier);
            if matches!(temporal, Temporal::History { .. }) {
                let q = Some(normalize(&qualifier));
                scope.columns.extend(HISTORY_COLUMNS.iter().map(|c| ScopeColumn {
                    table: q.clone(),
                    name: (*c).into(),
                    hidden: true,
                    decltype: None,
                }));
            }
            let scan = ScanPlan { temporal: Some(temporal), ..full_scan(table) };
            Ok((Plan::Scan(scan), scope))
        }
        ast::TableFactor::Table { args: Some(_), version: None, .. } => {
            super::table_functions::plan_call(tf, (Plan::Empty, Scope::default()), qctx)
        }
        ast::TableFactor::Table { name, alias, args: None, version: None, .. } => {
            let tname = object_name(name);
            if let Some(planned) = super::table_functions::plan_system_table(name, alias.as_ref(), qctx)? {
                return Ok(planned);
            }
            if name.0.len() == 1 {
                if let Some(pos) = qctx.ctes.iter().rposition(|c| c.name == normalize(&tname)) {
                    let cte = &qctx.ctes[pos];
                    let qualifier = alias.as_ref().map_or(tname.clone(), |a| a.name.value.clone());
                    if let Some((id, width)) = cte.working {
                        let q = Some(normalize(&qualifier));
                        let columns = (0..width)
                            .map(|i| ScopeColumn {
                                table: q.clone(),
                                name: cte.columns.get(i).cloned().unwrap_or_else(|| format!("column{}", i + 1)),
                                ..Default::default()
                            })
                            .collect();
                        return Ok((Plan::Working { id, width }, Scope { columns }));
                    }
                    // A CTE sees the CTEs defined before it (and, if recursive, itself).
                    let inner = QueryCtx {
                        catalog: qctx.catalog,
                        outer: qctx.outer.clone(),
                        outer_used: std::cell::Cell::new(0),
                        ctes: qctx.ctes[..pos].to_vec(),
                        names: qctx.names,
                    };
                    let qp = if cte.recursive {
                        super::recursive::plan(cte, &inner)?
                    } else {
                        plan_query_in(cte.query, &inner)?
                    };
                    qctx.note_outer(inner.outer_used.get());
                    return derived(qp, Some(&qualifier), &cte.columns);
                }
            }
            if let Some(view) = qctx.catalog.views.get(&normalize(&tname)) {
                let qp = plan_view(view, qctx.catalog)?;
                let qualifier = alias.as_ref().map_or(view.name.clone(), |a| a.name.value.clone());
                return derived(qp, Some(&qualifier), &view.columns);
            }
            let table = qctx.catalog.table(&tname)?;
            let qualifier = alias.as_ref().map_or(table.name.clone(), |a| a.name.value.clone());
            Ok((Plan::Scan(full_scan(table)), table_scope(table, &qualifier)))
        }
        ast::TableFactor::NestedJoin { table_with_joins, alias: None } => plan_from_item(table_with_joins, None, qctx),
        ast::TableFactor::Derived { lateral: false, subquery, alias, .. } => {
            let qp = plan_query_in(subquery, qctx)?;
            let names: Vec<String> =
                alias.iter().flat_map(|a| a.columns.iter().map(|c| c.name.value.clone())).collect();
            derived(qp, alias.as_ref().map(|a| a.name.value.as_str()), &names)
        }
        other => Err(sql_err!("unsupported FROM item: {other}")),
    }
}

fn join(
    left: (Plan, Scope),
    right: (Plan, Scope),
    on: Option<&ast::Expr>,
    kind: JoinKind,
    qctx: &QueryCtx<'_>,
) -> Result<(Plan, Scope)> {
    let (lp, mut scope) = left;
    let (rp, rscope) = right;
    let right_width = rscope.columns.len();
    scope.columns.extend(rscope.columns);
    let on = match on {
        Some(e) => Some(Binder::with_ctx(&scope, qctx).bind(e)?),
        None => None,
    };
    let plan = Plan::Join { left: Box::new(lp), right: Box::new(rp), on, kind, right_width, equi: Vec::new() };
    Ok((plan, scope))
}

/// `JOIN … USING (cols)` / `NATURAL JOIN`: equality on the named columns;
/// the right side's copies are hidden, so `*` shows each column once and an
/// unqualified name means the left side's (the preserved side of a LEFT JOIN).
fn join_using(left: (Plan, Scope), right: (Plan, Scope), names: &[String], kind: JoinKind) -> Result<(Plan, Scope)> {
    let (lp, mut scope) = left;
    let (rp, mut rscope) = right;
    let lw = scope.columns.len();
    let mut preds = Vec::new();
    for name in names {
        let li =
            scope.resolve(None, name).map_err(|_| sql_err!("cannot join using column {name}: not on the left side"))?;
        let ri = rscope
            .resolve(None, name)
            .map_err(|_| sql_err!("cannot join using column {name}: not on the right side"))?;
        rscope.columns[ri].hidden = true;
        preds.push(Expr::Binary(
            crate::sql::expr::BinaryOp::Eq,
            Box::new(Expr::Column(li)),
            Box::new(Expr::Column(lw + ri)),
        ));
    }
    let right_width = rscope.columns.len();
    scope.columns.extend(rscope.columns);
    let plan =
        Plan::Join { left: Box::new(lp), right: Box::new(rp), on: and_all(preds), kind, right_width, equi: Vec::new() };
    Ok((plan, scope))
}

/// Plans one FROM item (a table and its JOINs); `left` holds the items
/// before it, which a table function's arguments may read.
fn plan_from_item(
    twj: &ast::TableWithJoins,
    left: Option<(Plan, Scope)>,
    qctx: &QueryCtx<'_>,
) -> Result<(Plan, Scope)> {
    let mut acc = match left {
        Some(left) if super::table_functions::is_call(&twj.relation) => {
            super::table_functions::plan_call(&twj.relation, left, qctx)?
        }
        Some(left) => {
            let right = plan_table_factor(&twj.relation, qctx)?;
            join(left, right, None, JoinKind::Inner, qctx)?
        }
        None => plan_table_factor(&twj.relation, qctx)?,
    };
    for j in &twj.joins {
        use ast::JoinOperator as J;
        if super::table_functions::is_call(&j.relation) {
            acc = super::table_functions::plan_joined_call(acc, j, qctx)?;
            continue;
        }
        let right = plan_table_factor(&j.relation, qctx)?;
        let (constraint, kind) = match &j.join_operator {
            J::Join(c) | J::Inner(c) => (c, JoinKind::Inner),
            J::CrossJoin(c) => (c, JoinKind::Inner),
            J::Left(c) | J::LeftOuter(c) => (c, JoinKind::LeftOuter),
            other => return Err(sql_err!("unsupported join: {other:?}")),
        };
        acc = match constraint {
            ast::JoinConstraint::On(e) => join(acc, right, Some(e), kind, qctx)?,
            ast::JoinConstraint::None => join(acc, right, None, kind, qctx)?,
            ast::JoinConstraint::Using(names) => {
                let names: Vec<String> = names.iter().map(object_name).collect();
                join_using(acc, right, &names, kind)?
            }
            ast::JoinConstraint::Natural => {
                let names: Vec<String> = right
                    .1
                    .columns
                    .iter()
                    .filter(|c| {
                        !c.hidden && acc.1.columns.iter().any(|l| !l.hidden && l.name.eq_ignore_ascii_case(&c.name))
                    })
                    .map(|c| c.name.clone())
                    .collect();
                join_using(acc, right, &names, kind)?
            }
        };
    }
    Ok(acc)
}

fn plan_from(from: &[ast::TableWithJoins], qctx: &QueryCtx<'_>) -> Result<(Plan, Scope)> {
    let mut acc: Option<(Plan, Scope)> = None;
    for item in from {
        acc = Some(plan_from_item(item, acc, qctx)?);
    }
    acc.ok_or_else(|| sql_err!("empty FROM clause"))
}

/// The FROM and WHERE of a SELECT as a plan whose rows are the FROM scope's
/// rows (every table's columns and rowid, in FROM order), with the WHERE
/// conditions applied and joins ordered and hashed as for any query. This is
/// what materialized-view maintenance evaluates its expressions on.
///
/// # Errors
/// Unknown tables or columns, unsupported FROM items.
pub fn plan_from_where(s: &ast::Select, qctx: &QueryCtx<'_>) -> Result<(Plan, Scope)> {
    let (input, scope) = plan_from(&s.from, qctx)?;
    let conj: Vec<Expr> = match &s.selection {
        Some(w) => access::conjuncts(&Binder::with_ctx(&scope, qctx).bind(w)?).into_iter().cloned().collect(),
        None => Vec::new(),
    };
    let plan = match input {
        join @ Plan::Join { .. } => match flatten_inner(join) {
            Ok((scans, ons)) => reorder_joins(scans, conj.into_iter().chain(ons).collect()),
            Err(joined) => push_down(joined, conj),
        },
        other => match and_all(conj) {
            Some(pred) => {
                let mut other = other;
                if let Plan::Scan(scan) = &mut other {
                    scan.access = access::choose(&scan.table, &pred);
                }
                Plan::Filter { input: Box::new(other), pred }
            }
            None => other,
        },
    };
    Ok((hash_joins(plan), scope))
}

/// Sets the columns each table of an (unreordered) join tree decodes: those
/// `used` marks over the FROM scope, plus those its join conditions read.
/// `base` is where `plan`'s columns start in the scope.
fn prune_join_columns(plan: &mut Plan, base: usize, used: &mut Vec<bool>) {
    match plan {
        Plan::Join { left, right, on, equi, .. } => {
            let mut mark = |e: &Expr| {
                e.walk(&mut |x| {
                    if let Expr::Column(i) = x {
                        if let Some(slot) = used.get_mut(base + i) {
                            *slot = true;
                        }
                    }
                })
            };
            on.iter().for_each(&mut mark);
            for (l, r) in equi.iter() {
                mark(l);
                mark(r);
            }
            let left_width = width(left);
            prune_join_columns(left, base, used);
            prune_join_columns(right, base + left_width, used);
        }
        Plan::Scan(scan) => {
            let n = scan.table.columns.len();
            scan.needed = (base..base + n).map(|i| used.get(i).copied().unwrap_or(true)).collect();
        }
        _ => {} // derived tables decode what their own query needs
    }
}

/// Calls `f` on every table scan in `plan`.
pub fn for_each_scan(plan: &mut Plan, f: &mut impl FnMut(&mut ScanPlan)) {
    for_each_scan_node(plan, &mut |node| {
        if let Plan::Scan(sp) = node {
            f(sp)
        }
    });
}

/// Calls `f` on every `Plan::Scan` node of `plan` (outside subqueries), as
/// a node it may replace (with a filter over the scan, say).
pub fn for_each_scan_node(plan: &mut Plan, f: &mut impl FnMut(&mut Plan)) {
    match plan {
        Plan::Scan(_) => f(plan),
        Plan::Empty | Plan::Values(_) | Plan::Working { .. } => {}
        Plan::System { input, .. } => for_each_scan_node(input, f),
        Plan::Join { left, right, .. }
        | Plan::SetOp { left, right, .. }
        | Plan::Recursive { anchor: left, step: right, .. } => {
            for_each_scan_node(left, f);
            for_each_scan_node(right, f);
        }
        Plan::Filter { input, .. }
        | Plan::Project { input, .. }
        | Plan::Aggregate { input, .. }
        | Plan::Window { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Distinct { input }
        | Plan::Limit { input, .. } => for_each_scan_node(input, f),
    }
}

/// Name of an output column written without an alias, as SQLite names it:
/// a column reference (also in parentheses) by the column's name in its
/// table or subquery, anything else by its text as typed (`typed`, see
/// [`crate::sql::column_names`]), else as rendered.
fn output_name<'t>(e: &ast::Expr, bound: &Expr, scope: &Scope, typed: impl FnOnce() -> Option<&'t str>) -> String {
    let mut inner = e;
    while let ast::Expr::Nested(x) = inner {
        inner = x;
    }
    let column = if let Expr::Column(i) = bound { scope.columns.get(*i) } else { None };
    match (inner, column) {
        (ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_), Some(c)) => c.name.clone(),
        (ast::Expr::Identifier(i), None) => i.value.clone(),
        (ast::Expr::CompoundIdentifier(parts), None) => parts.last().map(|p| p.value.clone()).unwrap_or_default(),
        _ => typed().map_or_else(|| crate::sql::window_syntax::unmark(e.to_string()), str::to_owned),
    }
}

/// Rewrites an expression over input rows into one over aggregate output rows
/// (`group values ‖ aggregate results`).
fn rewrite_agg(e: Expr, groups: &[Expr], aggs: &mut Vec<AggCall>) -> Result<Expr> {
    if let Some(i) = groups.iter().position(|g| *g == e) {
        return Ok(Expr::Column(i));
    }
    let push = |call: AggCall, aggs: &mut Vec<AggCall>| {
        let idx = match aggs.iter().position(|a| *a == call) {
            Some(i) => i,
            None => {
                aggs.push(call);
                aggs.len() - 1
            }
        };
        Expr::Column(groups.len() + idx)
    };
    match e {
        Expr::Agg(call) => Ok(push(*call, aggs)),
        Expr::Column(c) => Ok(push(
            AggCall {
                func: AggFunc::First,
                arg: Some(Expr::Column(c)),
                distinct: false,
                separator: None,
                filter: None,
            },
            aggs,
        )),
        Expr::Subquery(mut sq) if sq.correlated => {
            // It reads the input row; give it the group's values instead: each
            // column it reads becomes a group column or a bare-column (First)
            // aggregate of the output row, as a bare column would.
            let mut at = |i: usize| match rewrite_agg(Expr::Column(i), groups, aggs) {
                Ok(Expr::Column(k)) => k,
                _ => i,
            };
            super::outer_refs::remap_plan(&mut sq.plan, 0, &mut at);
            if let SubqueryKind::In(left) = sq.kind {
                sq.kind = SubqueryKind::In(Box::new(rewrite_agg(*left, groups, aggs)?));
            }
            Ok(Expr::Subquery(sq))
        }
        other => other.try_map_children(&mut |c| rewrite_agg(c, groups, aggs)),
    }
}

/// Replaces window calls by columns of the window operator's output
/// (`base` input columns, then one per call).
fn extract_windows(e: Expr, base: usize, calls: &mut Vec<crate::sql::expr::WindowCall>) -> Expr {
    match e {
        Expr::Window(w) => {
            calls.push(*w);
            Expr::Column(base + calls.len() - 1)
        }
        other => other
            .try_map_children(&mut |c| Ok::<_, std::convert::Infallible>(extract_windows(c, base, calls)))
            .unwrap_or_else(|never| match never {}),
    }
}

enum OrderTarget {
    Output(usize),
    Hidden(Expr),
}

/// Builds ORDER BY keys for the given output-column targets.
fn sort_keys(targets: &[(usize, &ast::OrderByExpr)]) -> Vec<SortKey> {
    targets
        .iter()
        .map(|(col, ob)| {
            let desc = matches!(ob.options.sort, Some(ast::OrderBySort::Desc));
            SortKey { expr: Expr::Column(*col), desc, nulls_first: ob.options.nulls_first.unwrap_or(!desc) }
        })
        .collect()
}

/// Plans a top-level query.
///
/// # Errors
/// Unknown names, unsupported constructs.
pub fn plan_query(q: &ast::Query, catalog: &Catalog) -> Result<QueryPlan> {
    plan_query_in(q, &QueryCtx::root(catalog))
}

/// Plans one side of a set operation (a recursive CTE's anchor or step).
///
/// # Errors
/// Unknown names, unsupported constructs.
pub(super) fn plan_set_expr_in(body: &ast::SetExpr, qctx: &QueryCtx<'_>) -> Result<QueryPlan> {
    plan_set_expr(body, qctx)
}

/// Plans a query within `qctx` (a subquery sees its enclosing scopes and CTEs).
///
/// # Errors
/// Unknown names, unsupported constructs.
pub fn plan_query_in(q: &ast::Query, qctx: &QueryCtx<'_>) -> Result<QueryPlan> {
    if let Some(with) = &q.with {
        let inner = with_ctes(with, qctx);
        let plan = plan_query_body(q, &inner);
        qctx.note_outer(inner.outer_used.get());
        return plan;
    }
    plan_query_body(q, qctx)
}

/// `qctx` with the CTEs `with` names added, for the query or statement
/// (`WITH … INSERT | UPDATE | DELETE`) it prefixes. The caller passes the
/// new context's `outer_used` back with [`QueryCtx::note_outer`].
pub(super) fn with_ctes<'a>(with: &'a ast::With, qctx: &QueryCtx<'a>) -> QueryCtx<'a> {
    let mut ctes = qctx.ctes.clone();
    for cte in &with.cte_tables {
        let name = normalize(&cte.alias.name.value);
        let recursive = with.recursive && super::recursive::refers_to(&cte.query, &name);
        let columns = cte.alias.columns.iter().map(|c| c.name.value.clone()).collect();
        ctes.push(crate::sql::binder::Cte { name, query: &cte.query, columns, recursive, working: None });
    }
    QueryCtx {
        catalog: qctx.catalog,
        outer: qctx.outer.clone(),
        outer_used: std::cell::Cell::new(0),
        ctes,
        names: qctx.names,
    }
}

fn plan_query_body(q: &ast::Query, qctx: &QueryCtx<'_>) -> Result<QueryPlan> {
    let order_by: &[ast::OrderByExpr] = match &q.order_by {
        Some(ast::OrderBy { kind: ast::OrderByKind::Expressions(v), .. }) => v,
        Some(_) => return Err(sql_err!("ORDER BY ALL is not supported")),
        None => &[],
    };
    let (limit, offset) = limit_offset(q);
    match q.body.as_ref() {
        ast::SetExpr::Select(s) => plan_select(s, order_by, limit, offset, qctx),
        ast::SetExpr::Query(inner) if order_by.is_empty() && limit.is_none() && offset.is_none() => {
            plan_query_in(inner, qctx)
        }
        body => {
            let qp = plan_set_expr(body, qctx)?;
            order_output(qp, order_by, limit, offset, qctx)
        }
    }
}

/// Plans VALUES, a nested query or a set operation (without ORDER BY/LIMIT).
fn plan_set_expr(body: &ast::SetExpr, qctx: &QueryCtx<'_>) -> Result<QueryPlan> {
    match body {
        ast::SetExpr::Select(s) => plan_select(s, &[], None, None, qctx),
        ast::SetExpr::Values(v) => plan_values(v),
        ast::SetExpr::Query(q) => plan_query_in(q, qctx),
        ast::SetExpr::SetOperation { left, op, set_quantifier, right } => {
            let l = plan_set_expr(left, qctx)?;
            let r = plan_set_expr(right, qctx)?;
            if l.columns.len() != r.columns.len() {
                return Err(sql_err!(
                    "SELECTs to the left and right of {op} do not have the same number of result columns"
                ));
            }
            let kind = match op {
                ast::SetOperator::Union => SetOpKind::Union,
                ast::SetOperator::Intersect => SetOpKind::Intersect,
                ast::SetOperator::Except | ast::SetOperator::Minus => SetOpKind::Except,
            };
            let all = matches!(set_quantifier, ast::SetQuantifier::All);
            Ok(QueryPlan {
                plan: Plan::SetOp { op: kind, all, left: Box::new(l.plan), right: Box::new(r.plan) },
                columns: l.columns,
                // A declared type only where every term reads the same type.
                decltypes: l
                    .decltypes
                    .into_iter()
                    .zip(r.decltypes)
                    .map(|(a, b)| a.filter(|t| Some(t) == b.as_ref()))
                    .collect(),
            })
        }
        other => Err(sql_err!("unsupported query: {other}")),
    }
}

/// ORDER BY and LIMIT over a finished result: terms are column numbers,
/// output column names, or expressions over the output columns.
fn order_output(
    qp: QueryPlan,
    order_by: &[ast::OrderByExpr],
    limit: Option<&ast::Expr>,
    offset: Option<&ast::Expr>,
    qctx: &QueryCtx<'_>,
) -> Result<QueryPlan> {
    let mut plan = qp.plan;
    if !order_by.is_empty() {
        plan = Plan::Sort {
            input: Box::new(plan),
            keys: output_sort_keys(&qp.columns, order_by, qctx)?,
            presorted: false,
        };
    }
    Ok(QueryPlan { plan: with_limit(plan, limit, offset)?, columns: qp.columns, decltypes: qp.decltypes })
}

fn plan_values(v: &ast::Values) -> Result<QueryPlan> {
    let empty = Scope::default();
    let b = Binder::new(&empty);
    let mut rows = Vec::new();
    let width = v.rows.first().map_or(0, |r| r.len());
    for r in &v.rows {
        if r.len() != width {
            return Err(sql_err!("all VALUES rows must have the same number of values"));
        }
        rows.push(r.iter().map(|e| b.bind(e)).collect::<Result<Vec<_>>>()?);
    }
    let columns: Vec<String> = (1..=width).map(|i| format!("column{i}")).collect();
    let decltypes = vec![None; width];
    Ok(QueryPlan { plan: Plan::Values(rows), columns, decltypes })
}

fn plan_select(
    s: &ast::Select,
    order_by: &[ast::OrderByExpr],
    limit: Option<&ast::Expr>,
    offset: Option<&ast::Expr>,
    qctx: &QueryCtx<'_>,
) -> Result<QueryPlan> {
    let (mut input, scope) =
        if s.from.is_empty() { (Plan::Empty, Scope::default()) } else { plan_from(&s.from, qctx)? };
    let plain = Binder::with_ctx(&scope, qctx);
    let mut agg_binder = Binder::with_ctx(&scope, qctx).with_windows(&s.named_window);
    agg_binder.allow_aggregates = true;

    let where_expr = s.selection.as_ref().map(|w| plain.bind(w)).transpose()?;

    // Projection.
    let mut items: Vec<(Expr, String)> = Vec::new();
    for (written, item) in s.projection.iter().enumerate() {
        match item {
            ast::SelectItem::Wildcard(_) => {
                if s.from.is_empty() {
                    return Err(sql_err!("SELECT * with no tables specified"));
                }
                for (i, c) in scope.columns.iter().enumerate().filter(|(_, c)| !c.hidden) {
                    items.push((Expr::Column(i), c.name.clone()));
                }
            }
            ast::SelectItem::QualifiedWildcard(kind, _) => {
                let t = match kind {
                    ast::SelectItemQualifiedWildcardKind::ObjectName(n) => object_name(n),
                    ast::SelectItemQualifiedWildcardKind::Expr(e) => e.to_string(),
                };
                if !scope.has_table(&t) {
                    return Err(sql_err!("no such table: {t}"));
                }
                let t = normalize(&t);
                for (i, c) in scope.columns.iter().enumerate() {
                    if !c.hidden && c.table.as_deref() == Some(t.as_str()) {
                        items.push((Expr::Column(i), c.name.clone()));
                    }
                }
            }
            ast::SelectItem::UnnamedExpr(e) => {
                let bound = agg_binder.bind(e)?;
                let name = output_name(e, &bound, &scope, || {
                    qctx.names.item(s.select_token.0.span.start, written, s.projection.len())
                });
                items.push((bound, name));
            }
            ast::SelectItem::ExprWithAlias { expr, alias } => items.push((agg_binder.bind(expr)?, alias.value.clone())),
            other => return Err(sql_err!("unsupported select item: {other}")),
        }
    }

    let alias_of = |name: &str| -> Option<usize> { items.iter().position(|(_, n)| n.eq_ignore_ascii_case(name)) };
    let is_plain_column = |e: &ast::Expr| match e {
        ast::Expr::Identifier(i) => scope.resolve(None, &i.value).is_ok(),
        _ => false,
    };

    // GROUP BY: expressions, output ordinals, or output aliases.
    let group_asts: &[ast::Expr] = match &s.group_by {
        ast::GroupByExpr::Expressions(v, _) => v,
        ast::GroupByExpr::All(_) => return Err(sql_err!("GROUP BY ALL is not supported")),
    };
    let mut groups = Vec::new();
    for g in group_asts {
        let bound = if let Some(n) = const_usize(g) {
            let (e, _) = items.get(n.wrapping_sub(1)).ok_or_else(|| sql_err!("GROUP BY term out of range: {n}"))?;
            e.clone()
        } else if let (ast::Expr::Identifier(id), false) = (g, is_plain_column(g)) {
            match alias_of(&id.value) {
                Some(i) => items[i].0.clone(),
                None => plain.bind(g)?,
            }
        } else {
            plain.bind(g)?
        };
        if bound.has_aggregate() {
            return Err(sql_err!("aggregate functions are not allowed in GROUP BY"));
        }
        groups.push(bound);
    }
    let having = s.having.as_ref().map(|h| agg_binder.bind(&having_with_aliases(h, s, &scope))).transpose()?;

    // ORDER BY: output ordinals, output aliases, select-list expressions, or hidden keys.
    let mut order_targets = Vec::new();
    for ob in order_by {
        let target = if let Some(n) = const_usize(&ob.expr) {
            if n == 0 || n > items.len() {
                return Err(sql_err!("ORDER BY term out of range: {n}"));
            }
            OrderTarget::Output(n - 1)
        } else if let (ast::Expr::Identifier(id), Some(i)) = (&ob.expr, alias_of(ob.expr.to_string().trim_matches('"')))
        {
            let _ = id;
            OrderTarget::Output(i)
        } else {
            let e = agg_binder.bind(&ob.expr)?;
            match items.iter().position(|(x, _)| *x == e) {
                Some(i) => OrderTarget::Output(i),
                None => OrderTarget::Hidden(e),
            }
        };
        order_targets.push((target, ob));
    }

    let is_agg = !groups.is_empty()
        || having.is_some()
        || items.iter().any(|(e, _)| e.has_aggregate())
        || order_targets.iter().any(|(t, _)| matches!(t, OrderTarget::Hidden(e) if e.has_aggregate()));

    let correlated = where_expr.as_ref().is_some_and(Expr::has_correlated_subquery)
        || items.iter().any(|(e, _)| e.has_correlated_subquery())
        || having.as_ref().is_some_and(Expr::has_correlated_subquery)
        || order_targets.iter().any(|(t, _)| matches!(t, OrderTarget::Hidden(e) if e.has_correlated_subquery()));

    // The columns the query reads, over the FROM scope.
    let mut used = vec![false; scope.columns.len() + 1];
    {
        let mut mark = |e: &Expr| e.mark_columns(&mut used);
        where_expr.iter().for_each(&mut mark);
        items.iter().for_each(|(e, _)| mark(e));
        groups.iter().for_each(&mut mark);
        having.iter().for_each(&mut mark);
        for (t, _) in &order_targets {
            if let OrderTarget::Hidden(e) = t {
                mark(e);
            }
        }
    }
    // Joined tables decode only the columns something reads (a correlated
    // subquery reads the row by position, so then everything is decoded).
    if matches!(input, Plan::Join { .. }) && !correlated {
        prune_join_columns(&mut input, 0, &mut used);
    }

    // Single-table scans: pick the access path and the columns to decode.
    if let Plan::Scan(scan) = &mut input {
        let mut needed = used.clone();
        needed.truncate(scan.table.columns.len());
        // A correlated subquery reads the row through references the marking
        // above does not see: decode everything.
        scan.needed = if correlated { vec![true; scan.table.columns.len()] } else { needed };
        if let Some(w) = &where_expr {
            scan.access = access::choose(&scan.table, w);
        }
    }

    let mut plan = input;
    if let Some(w) = where_expr {
        plan = if matches!(plan, Plan::Join { .. }) {
            // Conjuncts with correlated subqueries read the row by position:
            // they stay above the join, where the original layout is restored.
            let (late, mut conj): (Vec<Expr>, Vec<Expr>) =
                access::conjuncts(&w).into_iter().cloned().partition(Expr::has_correlated_subquery);
            let joined = match flatten_inner(plan) {
                Ok((scans, ons)) => {
                    conj.extend(ons);
                    reorder_joins(scans, conj)
                }
                Err(joined) => push_down(joined, conj),
            };
            match and_all(late) {
                Some(p) => Plan::Filter { input: Box::new(joined), pred: p },
                None => joined,
            }
        } else {
            Plan::Filter { input: Box::new(plan), pred: w }
        };
    }

    let mut plan = hash_joins(plan);
    let mut out_exprs: Vec<Expr> = items.iter().map(|(e, _)| e.clone()).collect();
    let decltypes: Vec<Option<String>> = items
        .iter()
        .map(|(e, _)| match e {
            Expr::Column(i) => scope.columns.get(*i).and_then(|c| c.decltype.clone()),
            _ => None,
        })
        .collect();
    let columns: Vec<String> = items.into_iter().map(|(_, n)| n).collect();
    let mut hidden: Vec<Expr> = order_targets
        .iter()
        .filter_map(|(t, _)| match t {
            OrderTarget::Hidden(e) => Some(e.clone()),
            OrderTarget::Output(_) => None,
        })
        .collect();

    if is_agg {
        let mut aggs = Vec::new();
        out_exprs = out_exprs.into_iter().map(|e| rewrite_agg(e, &groups, &mut aggs)).collect::<Result<_>>()?;
        hidden = hidden.into_iter().map(|e| rewrite_agg(e, &groups, &mut aggs)).collect::<Result<_>>()?;
        let having = having.map(|h| rewrite_agg(h, &groups, &mut aggs)).transpose()?;
        plan = Plan::Aggregate { input: Box::new(plan), group: groups, aggs };
        if let Some(h) = having {
            plan = Plan::Filter { input: Box::new(plan), pred: h };
        }
    }

    if out_exprs.iter().chain(&hidden).any(Expr::has_window) {
        let base = width(&plan);
        let mut calls = Vec::new();
        out_exprs = out_exprs.into_iter().map(|e| extract_windows(e, base, &mut calls)).collect();
        hidden = hidden.into_iter().map(|e| extract_windows(e, base, &mut calls)).collect();
        plan = Plan::Window { input: Box::new(plan), calls };
    }

    let visible = out_exprs.len();
    let n_hidden = hidden.len();
    out_exprs.extend(hidden);
    plan = Plan::Project { input: Box::new(plan), exprs: out_exprs };

    if matches!(s.distinct, Some(ast::Distinct::Distinct)) {
        if n_hidden > 0 {
            return Err(sql_err!("for SELECT DISTINCT, ORDER BY expressions must appear in the select list"));
        }
        plan = Plan::Distinct { input: Box::new(plan) };
    } else if matches!(s.distinct, Some(ast::Distinct::On(_))) {
        return Err(sql_err!("DISTINCT ON is not supported"));
    }

    if !order_targets.is_empty() {
        let mut next_hidden = visible;
        let targets: Vec<(usize, &ast::OrderByExpr)> = order_targets
            .iter()
            .map(|(t, ob)| match t {
                OrderTarget::Output(i) => (*i, *ob),
                OrderTarget::Hidden(_) => {
                    next_hidden += 1;
                    (next_hidden - 1, *ob)
                }
            })
            .collect();
        plan = super::order::sort_or_scan_order(plan, sort_keys(&targets), limit.is_some());
    }
    plan = with_limit(plan, limit, offset)?;
    if n_hidden > 0 {
        plan = Plan::Project { input: Box::new(plan), exprs: (0..visible).map(Expr::Column).collect() };
    }
    Ok(QueryPlan { plan, columns, decltypes })
}

/// A literal NULL expression (used for missing values).
pub fn null() -> Expr {
    Expr::Literal(Value::Null)
}
