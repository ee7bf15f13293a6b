//! `WITH RECURSIVE`: a CTE written `setup UNION [ALL] recursive-select
//! [UNION [ALL] recursive-select …] [ORDER BY …] [LIMIT …]`, where the
//! recursive SELECTs (the trailing terms that read the CTE itself) follow
//! the non-recursive setup, as in SQLite. It is planned as
//! [`Plan::Recursive`]: the recursive SELECTs' references to the CTE read a
//! working table holding the rows being stepped (see `exec::recursive`).
//! As in SQLite, the operator before the last recursive SELECT decides
//! between UNION (no row queued twice) and UNION ALL.

use super::clauses::{bind_constant, limit_offset, output_sort_keys};
use super::select::plan_set_expr_in;
use crate::error::{sql_err, Result};
use crate::sql::binder::{object_name, Cte, QueryCtx};
use crate::sql::plan::{Plan, QueryPlan, RecursiveQueue, SetOpKind};
use sqlparser::ast;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whether `q` reads a table named `name` (the lower-cased CTE name).
pub fn refers_to<V: ast::Visit>(q: &V, name: &str) -> bool {
    let mut found = false;
    let _ = ast::visit_relations(q, |rel| {
        found |= rel.0.len() == 1 && object_name(rel).eq_ignore_ascii_case(name);
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
}

/// Whether the top of a SELECT's plan aggregates or computes window functions
/// (which SQLite refuses in a recursive SELECT).
fn aggregates(plan: &Plan) -> bool {
    match plan {
        Plan::Aggregate { .. } | Plan::Window { .. } => true,
        Plan::Project { input, .. }
        | Plan::Filter { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Limit { input, .. }
        | Plan::Distinct { input } => aggregates(input),
        _ => false,
    }
}

/// Splits the CTE body into its setup and its recursive SELECTs (in order),
/// and whether the recursion is UNION (distinct).
fn split<'q>(cte: &Cte<'q>) -> Result<(&'q ast::SetExpr, Vec<&'q ast::SetExpr>, bool)> {
    let body = cte.query.body.as_ref();
    let distinct = match body {
        ast::SetExpr::SetOperation { op: ast::SetOperator::Union, set_quantifier, .. } => {
            !matches!(set_quantifier, ast::SetQuantifier::All)
        }
        _ => return Err(sql_err!("recursive CTE {} must be written: anchor UNION [ALL] recursive part", cte.name)),
    };
    let last_op = |n: &ast::SetExpr| match n {
        ast::SetExpr::SetOperation { op, set_quantifier, .. } => {
            Some((op.clone(), matches!(set_quantifier, ast::SetQuantifier::All)))
        }
        _ => None,
    };
    // The recursive SELECTs are the trailing terms that read the CTE and are
    // joined by the same operator as the last one; everything before is the
    // setup, which may not read the CTE (SQLite: "circular reference").
    let top = last_op(body);
    let mut steps = Vec::new();
    let mut node = body;
    while let ast::SetExpr::SetOperation { left, right, .. } = node {
        if last_op(node) != top || !refers_to(right.as_ref(), &cte.name) {
            break;
        }
        steps.push(right.as_ref());
        node = left.as_ref();
    }
    if steps.is_empty() || refers_to(node, &cte.name) {
        return Err(sql_err!("circular reference: {}", cte.name));
    }
    steps.reverse();
    Ok((node, steps, distinct))
}

/// Plans recursive CTE `cte` within `qctx` (which holds the CTEs before it).
///
/// # Errors
/// A CTE not of the form above, recursive SELECTs that aggregate, parts
/// whose column counts differ, or parts that do not plan.
pub fn plan(cte: &Cte<'_>, qctx: &QueryCtx<'_>) -> Result<QueryPlan> {
    let (setup, steps, distinct) = split(cte)?;
    let anchor = plan_set_expr_in(setup, qctx)?;
    let width = anchor.columns.len();
    if !cte.columns.is_empty() && cte.columns.len() != width {
        return Err(sql_err!("{} has {} columns but {} column names were given", cte.name, width, cte.columns.len()));
    }
    static NEXT_ID: AtomicUsize = AtomicUsize::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let columns = if cte.columns.is_empty() { anchor.columns.clone() } else { cte.columns.clone() };
    let mut ctes = qctx.ctes.clone();
    ctes.push(Cte { columns: columns.clone(), working: Some((id, width)), ..cte.clone() });
    let inner = QueryCtx {
        catalog: qctx.catalog,
        outer: qctx.outer.clone(),
        outer_used: std::cell::Cell::new(0),
        ctes,
        names: qctx.names,
    };
    let several_steps = steps.len() > 1;
    let mut step: Option<Plan> = None;
    for s in steps {
        let qp = plan_set_expr_in(s, &inner)?;
        if qp.columns.len() != width {
            return Err(sql_err!(
                "recursive CTE {}: the recursive part returns {} columns, the anchor {}",
                cte.name,
                qp.columns.len(),
                width
            ));
        }
        if aggregates(&qp.plan) {
            return Err(sql_err!("recursive aggregate queries not supported"));
        }
        // Several recursive SELECTs run one after the other on each row.
        step = Some(match step {
            None => qp.plan,
            Some(prev) => {
                Plan::SetOp { op: SetOpKind::Union, all: true, left: Box::new(prev), right: Box::new(qp.plan) }
            }
        });
    }
    qctx.note_outer(inner.outer_used.get());
    let step = step.ok_or_else(|| sql_err!("recursive CTE {} has no recursive part", cte.name))?;
    let order_by: &[ast::OrderByExpr] = match &cte.query.order_by {
        Some(ast::OrderBy { kind: ast::OrderByKind::Expressions(v), .. }) => v,
        Some(_) => return Err(sql_err!("ORDER BY ALL is not supported")),
        None => &[],
    };
    let (limit, offset) = limit_offset(cte.query);
    // Rounds give SQLite's rows; its order too unless several recursive
    // SELECTs interleave per row, or ORDER BY/LIMIT/OFFSET pick rows.
    let queue = if !several_steps && order_by.is_empty() && limit.is_none() && offset.is_none() {
        None
    } else {
        Some(Box::new(RecursiveQueue {
            order: output_sort_keys(&anchor.columns, order_by, qctx)?,
            limit: bind_constant(limit)?,
            offset: bind_constant(offset)?,
        }))
    };
    let plan = Plan::Recursive { anchor: Box::new(anchor.plan), step: Box::new(step), distinct, id, queue };
    let decltypes = vec![None; columns.len()];
    Ok(QueryPlan { plan, columns, decltypes })
}
