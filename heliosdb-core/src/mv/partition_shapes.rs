//! Which view queries the group fold cannot maintain can still be refreshed
//! partition by partition ([`super::partial`]), and what a partition is:
//!
//! | query | partition |
//! | --- | --- |
//! | window functions `OVER (PARTITION BY p …)` over one table | the values of `p` (shared by every window) |
//! | `GROUP BY g` with HAVING or aggregates the fold cannot keep | the values of `g` |
//! | `a LEFT JOIN b ON a.x = b.y …` (equality conjuncts) | the join key (`a.x` on a's side, `b.y` on b's) |
//! | `q1 UNION ALL q2 …` | the branch |
//! | `… ORDER BY k LIMIT n` over one table | the whole top n, recomputed only when a change reaches it |
//!
//! Every query here reads base tables only and has no subquery, so its
//! result for a partition depends only on the base rows of that partition.

use super::partial::{sort_column, Partitioned, Side, Unit, PART_COLUMN};
use crate::catalog::{normalize, Catalog, TableDef};
use crate::error::Result;
use crate::sql::binder::{object_name, Binder};
use crate::sql::expr::Expr;
use crate::sql::planner::select::table_scope;
use sqlparser::ast;
use std::sync::Arc;

type Found = std::result::Result<Partitioned, String>;

/// Whether view query `q` (which the group fold cannot maintain) can be
/// refreshed by partitions, or why not.
///
/// # Errors
/// Binding errors (the query planned before, so these would be bugs).
pub fn analyze(q: &ast::Query, catalog: &Catalog) -> Result<Found> {
    let no = |why: &str| Ok(Err(why.to_string()));
    if q.with.is_some() || q.fetch.is_some() {
        return no("WITH in the query");
    }
    let mut subquery = false;
    let _ = ast::visit_expressions(q, |e| {
        subquery |= matches!(e, ast::Expr::Subquery(_) | ast::Expr::Exists { .. } | ast::Expr::InSubquery { .. });
        std::ops::ControlFlow::<()>::Continue(())
    });
    if subquery {
        return no("a subquery (its result may depend on any row)");
    }
    let mut reads_view = None;
    let _ = ast::visit_relations(q, |name| {
        let n = object_name(name);
        let is_view = catalog.views.contains_key(&normalize(&n)) || catalog.table(&n).is_ok_and(|t| t.mv.is_some());
        if is_view {
            reads_view = Some(n);
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    if let Some(v) = reads_view {
        return Ok(Err(format!("it reads the view {v}")));
    }
    match q.body.as_ref() {
        ast::SetExpr::SetOperation { .. } => union_all(q, catalog),
        ast::SetExpr::Select(sel) if q.limit_clause.is_some() => top_n(q, sel, catalog),
        ast::SetExpr::Select(sel) => keyed(q, sel, catalog),
        _ => no("a query body that is not a SELECT"),
    }
}

/// A FROM item that is a base table, with the name it is referred to by.
fn table_of(f: &ast::TableFactor, catalog: &Catalog) -> Result<Option<(Arc<TableDef>, String)>> {
    let ast::TableFactor::Table { name, alias, args: None, version: None, .. } = f else { return Ok(None) };
    let table = Arc::clone(catalog.table(&object_name(name))?);
    let qualifier = alias.as_ref().map_or(table.name.clone(), |a| a.name.value.clone());
    Ok(Some((table, qualifier)))
}

/// Binds `exprs` against one table's row, refusing anything that is not a
/// plain, deterministic expression of it.
fn bind_keys(exprs: &[ast::Expr], table: &TableDef, qualifier: &str) -> Option<Vec<Expr>> {
    let scope = table_scope(table, qualifier);
    let mut out = Vec::new();
    for e in exprs {
        let b = Binder::new(&scope).bind(e).ok()?;
        if super::sliding::uses_now(&b) || b.has_aggregate() {
            return None;
        }
        out.push(b);
    }
    Some(out)
}

/// `q` with `exprs` appended to its select list as hidden outputs.
fn with_outputs(q: &ast::Query, exprs: &[ast::Expr], name: &dyn Fn(usize) -> String) -> ast::Query {
    let mut query = q.clone();
    if let ast::SetExpr::Select(s) = query.body.as_mut() {
        for (i, p) in exprs.iter().enumerate() {
            s.projection.push(ast::SelectItem::ExprWithAlias { expr: p.clone(), alias: ast::Ident::new(name(i)) });
        }
    }
    query.order_by = None;
    query
}

fn window_partitions(sel: &ast::Select) -> std::result::Result<Option<Vec<ast::Expr>>, String> {
    let mut common: Option<Vec<ast::Expr>> = None;
    let mut bad = None;
    let _ = ast::visit_expressions(&sel.projection, |e| {
        if let ast::Expr::Function(f) = e {
            match &f.over {
                None => {}
                Some(ast::WindowType::WindowSpec(spec)) if spec.window_name.is_some() => {
                    bad = Some("a named window".to_string())
                }
                Some(ast::WindowType::WindowSpec(spec)) => {
                    // Leave out the marker an EXCLUDE clause leaves there.
                    let mine: Vec<ast::Expr> = spec
                        .partition_by
                        .iter()
                        .filter(|x| crate::sql::window_syntax::exclude_marker(x).is_none())
                        .cloned()
                        .collect();
                    common = Some(match common.take() {
                        None => mine,
                        Some(c) => c.into_iter().filter(|x| mine.contains(x)).collect(),
                    });
                }
                Some(ast::WindowType::NamedWindow(_)) => bad = Some("a named window".to_string()),
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    if let Some(b) = bad {
        return Err(b);
    }
    match common {
        Some(c) if c.is_empty() => Err("a window function without a PARTITION BY shared by every window".into()),
        other => Ok(other),
    }
}

fn part_name(i: usize) -> String {
    format!("{PART_COLUMN}_{i}")
}

/// Window partitions, groups, or a LEFT JOIN's key.
fn keyed(q: &ast::Query, sel: &ast::Select, catalog: &Catalog) -> Result<Found> {
    let no = |why: &str| Ok(Err(why.to_string()));
    if sel.distinct.is_some() || sel.from.len() != 1 {
        return no("DISTINCT, or several FROM items, around a window or HAVING");
    }
    let Some((table, qualifier)) = table_of(&sel.from[0].relation, catalog)? else {
        return no("a FROM item that is not a table");
    };
    if let Some(w) = &sel.selection {
        let scope = table_scope(&table, &qualifier);
        if Binder::new(&scope).bind(w).is_ok_and(|e| super::sliding::uses_now(&e)) {
            return no("a now()-relative WHERE with a window, HAVING or join");
        }
    }
    if !sel.from[0].joins.is_empty() {
        return left_join(q, sel, table, &qualifier, catalog);
    }
    let grouped = match &sel.group_by {
        ast::GroupByExpr::Expressions(g, mods) if mods.is_empty() => g.clone(),
        _ => return no("GROUP BY ALL or grouping modifiers"),
    };
    let windows = match window_partitions(sel) {
        Ok(w) => w,
        Err(why) => return Ok(Err(why)),
    };
    let (parts, what) = match (windows, grouped.is_empty()) {
        (Some(p), true) => {
            let names = p.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            (p, format!("the PARTITION BY {names} partitions whose rows changed"))
        }
        (None, false) => {
            let names = grouped.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            (grouped, format!("the GROUP BY {names} groups whose rows changed"))
        }
        (Some(_), false) => return no("window functions over grouped rows"),
        (None, true) => return no("no partitions"),
    };
    let Some(keys) = bind_keys(&parts, &table, &qualifier) else {
        return no("a partition expression that is not a plain expression of the row");
    };
    let query = with_outputs(q, &parts, &part_name);
    Ok(Ok(Partitioned { unit: Unit::Keys(vec![Side { table, keys }]), query, what }))
}

/// `a LEFT JOIN b ON a.x = b.y [AND …]`: partitioned by the join key.
fn left_join(q: &ast::Query, sel: &ast::Select, left: Arc<TableDef>, lq: &str, catalog: &Catalog) -> Result<Found> {
    let no = |why: &str| Ok(Err(why.to_string()));
    let [j] = sel.from[0].joins.as_slice() else { return no("more than one join around an outer join") };
    use ast::JoinOperator as J;
    let (J::Left(ast::JoinConstraint::On(on)) | J::LeftOuter(ast::JoinConstraint::On(on))) = &j.join_operator else {
        return no("an outer join other than LEFT JOIN … ON");
    };
    let Some((right, rq)) = table_of(&j.relation, catalog)? else {
        return no("a joined FROM item that is not a table");
    };
    if right.id == left.id {
        return no("a self-join");
    }
    let grouped = matches!(&sel.group_by, ast::GroupByExpr::Expressions(g, _) if !g.is_empty());
    if grouped || sel.having.is_some() || sel.distinct.is_some() || window_partitions(sel).ok().flatten().is_some() {
        return no("an outer join with grouping, DISTINCT or windows");
    }
    // The equality conjuncts of ON pairing an expression of each side.
    let mut conjuncts = vec![on];
    let (mut lkeys, mut rkeys) = (Vec::new(), Vec::new());
    while let Some(c) = conjuncts.pop() {
        match c {
            ast::Expr::BinaryOp { left: l, op: ast::BinaryOperator::And, right: r } => {
                conjuncts.push(l);
                conjuncts.push(r);
            }
            ast::Expr::Nested(inner) => conjuncts.push(inner),
            ast::Expr::BinaryOp { left: l, op: ast::BinaryOperator::Eq, right: r } => {
                let pair = |a: &ast::Expr, b: &ast::Expr| {
                    let la = bind_keys(std::slice::from_ref(a), &left, lq)?;
                    let rb = bind_keys(std::slice::from_ref(b), &right, &rq)?;
                    Some((a.clone(), la, rb))
                };
                if let Some((a, la, rb)) = pair(l, r).or_else(|| pair(r, l)) {
                    lkeys.push((a, la));
                    rkeys.extend(rb);
                }
            }
            _ => {}
        }
    }
    if lkeys.is_empty() {
        return no("an outer join without an equality between its two tables in ON");
    }
    let (asts, lbound): (Vec<ast::Expr>, Vec<Vec<Expr>>) = lkeys.into_iter().unzip();
    let what = format!(
        "the rows of {} whose join key ({}) changed on either side",
        left.name,
        asts.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    );
    let query = with_outputs(q, &asts, &part_name);
    let sides = vec![Side { table: left, keys: lbound.concat() }, Side { table: right, keys: rkeys }];
    Ok(Ok(Partitioned { unit: Unit::Keys(sides), query, what }))
}

/// `q1 UNION ALL q2 …`: each branch recomputed when its tables change.
fn union_all(q: &ast::Query, catalog: &Catalog) -> Result<Found> {
    let no = |why: &str| Ok(Err(why.to_string()));
    if q.order_by.is_some() || q.limit_clause.is_some() {
        return no("ORDER BY or LIMIT over a UNION ALL");
    }
    let mut branches = Vec::new();
    let mut stack = vec![q.body.as_ref()];
    while let Some(b) = stack.pop() {
        match b {
            ast::SetExpr::SetOperation {
                op: ast::SetOperator::Union,
                set_quantifier: ast::SetQuantifier::All,
                left,
                right,
            } => {
                stack.push(right);
                stack.push(left);
            }
            ast::SetExpr::SetOperation { .. } => return no("UNION (without ALL), INTERSECT or EXCEPT"),
            other => branches.push(other.clone()),
        }
    }
    let mut queries = Vec::new();
    let mut tables = Vec::new();
    for b in branches {
        let bq = ast::Query { body: Box::new(b), order_by: None, limit_clause: None, ..q.clone() };
        tables.push(super::analyze::base_tables(&bq, catalog).iter().map(|t| t.id).collect());
        queries.push(bq);
    }
    let what = format!("the UNION ALL branches ({}) whose tables changed", queries.len());
    Ok(Ok(Partitioned { unit: Unit::Branches { tables, queries }, query: q.clone(), what }))
}

/// `SELECT … FROM t [WHERE …] ORDER BY k LIMIT n [OFFSET m]`.
fn top_n(q: &ast::Query, sel: &ast::Select, catalog: &Catalog) -> Result<Found> {
    let no = |why: &str| Ok(Err(why.to_string()));
    let grouped = matches!(&sel.group_by, ast::GroupByExpr::Expressions(g, _) if !g.is_empty());
    if sel.distinct.is_some() || grouped || sel.having.is_some() || sel.from.len() != 1 || !sel.from[0].joins.is_empty()
    {
        return no("LIMIT over DISTINCT, grouping or a join");
    }
    let Some((table, qualifier)) = table_of(&sel.from[0].relation, catalog)? else {
        return no("a FROM item that is not a table");
    };
    let Some(limit) = super::topn::constant_limit(q) else { return no("a LIMIT that is not a constant") };
    let Some(ast::OrderByKind::Expressions(order)) = q.order_by.as_ref().map(|o| &o.kind) else {
        return no("LIMIT without ORDER BY");
    };
    let exprs: Vec<ast::Expr> = order.iter().map(|o| o.expr.clone()).collect();
    let Some(keys) = bind_keys(&exprs, &table, &qualifier) else {
        return no("ORDER BY a select-list name or position with LIMIT");
    };
    let mut binder_ok = true;
    let scope = table_scope(&table, &qualifier);
    let filter = match &sel.selection {
        Some(w) => match Binder::new(&scope).bind(w) {
            Ok(e) if !super::sliding::uses_now(&e) => Some(e),
            _ => {
                binder_ok = false;
                None
            }
        },
        None => None,
    };
    let has_window = window_partitions(sel).ok().flatten().is_some();
    let aggregate = sel.projection.iter().any(|p| match p {
        // The binder refuses aggregates unless asked to allow them.
        ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
            Binder::new(&scope).bind(e).is_err()
        }
        _ => false,
    });
    if !binder_ok || has_window || aggregate {
        return no("LIMIT over a window, an aggregate or a now()-relative WHERE");
    }
    if order
        .iter()
        .any(|o| o.options.nulls_first.is_some() || matches!(o.options.sort, Some(ast::OrderBySort::Using(_))))
    {
        return no("ORDER BY … NULLS FIRST/LAST or USING with LIMIT");
    }
    let desc: Vec<bool> = order.iter().map(|o| matches!(o.options.sort, Some(ast::OrderBySort::Desc))).collect();
    let mut query = q.clone();
    if let ast::SetExpr::Select(s) = query.body.as_mut() {
        for (i, p) in exprs.iter().enumerate() {
            s.projection
                .push(ast::SelectItem::ExprWithAlias { expr: p.clone(), alias: ast::Ident::new(sort_column(i)) });
        }
    }
    let what = format!("the top {limit} rows, when a change reaches them,");
    let order = keys.into_iter().zip(desc).collect();
    Ok(Ok(Partitioned { unit: Unit::TopN { table, filter, order, limit }, query, what }))
}
