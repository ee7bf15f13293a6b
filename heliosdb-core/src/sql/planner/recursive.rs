//! `WITH RECURSIVE`: a CTE written `anchor UNION [ALL] step`, where the step
//! reads the CTE itself. It is planned as [`Plan::Recursive`]: the step's
//! references to the CTE read a working table holding the previous round's
//! rows (see `exec::query`).

use super::select::plan_set_expr_in;
use crate::error::{sql_err, Result};
use crate::sql::binder::{object_name, Cte, QueryCtx};
use crate::sql::plan::{Plan, QueryPlan};
use sqlparser::ast;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whether `q` reads a table named `name` (the lower-cased CTE name).
pub fn refers_to(q: &ast::Query, name: &str) -> bool {
    let mut found = false;
    let _ = ast::visit_relations(q, |rel| {
        found |= rel.0.len() == 1 && object_name(rel).eq_ignore_ascii_case(name);
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
}

/// Plans recursive CTE `cte` within `qctx` (which holds the CTEs before it).
///
/// # Errors
/// A CTE that is not `anchor UNION [ALL] step`, or whose parts do not plan.
pub fn plan(cte: &Cte<'_>, qctx: &QueryCtx<'_>) -> Result<QueryPlan> {
    let ast::SetExpr::SetOperation { op: ast::SetOperator::Union, set_quantifier, left, right } =
        cte.query.body.as_ref()
    else {
        return Err(sql_err!("recursive CTE {} must be written: anchor UNION [ALL] recursive part", cte.name));
    };
    if cte.query.order_by.is_some() || cte.query.limit_clause.is_some() {
        return Err(sql_err!("recursive CTE {}: ORDER BY and LIMIT go on the query that reads it", cte.name));
    }
    let anchor = plan_set_expr_in(left, qctx)?;
    let width = anchor.columns.len();
    if !cte.columns.is_empty() && cte.columns.len() != width {
        return Err(sql_err!("{} has {} columns but {} column names were given", cte.name, width, cte.columns.len()));
    }
    static NEXT_ID: AtomicUsize = AtomicUsize::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let columns = if cte.columns.is_empty() { anchor.columns.clone() } else { cte.columns.clone() };
    let mut ctes = qctx.ctes.clone();
    ctes.push(Cte { columns: columns.clone(), working: Some((id, width)), ..cte.clone() });
    let inner =
        QueryCtx { catalog: qctx.catalog, outer: qctx.outer.clone(), outer_used: std::cell::Cell::new(0), ctes };
    let step = plan_set_expr_in(right, &inner)?;
    qctx.note_outer(inner.outer_used.get());
    if step.columns.len() != width {
        return Err(sql_err!(
            "recursive CTE {}: the recursive part returns {} columns, the anchor {}",
            cte.name,
            step.columns.len(),
            width
        ));
    }
    let distinct = !matches!(set_quantifier, ast::SetQuantifier::All);
    let plan = Plan::Recursive { anchor: Box::new(anchor.plan), step: Box::new(step.plan), distinct, id };
    let decltypes = vec![None; columns.len()];
    Ok(QueryPlan { plan, columns, decltypes })
}
