//! The clauses around a query's core, shared by SELECT, compound queries
//! and recursive CTEs: ORDER BY keys over output columns, LIMIT and OFFSET,
//! and HAVING's reading of select-list aliases.

use crate::error::{sql_err, Result};
use crate::sql::binder::{Binder, QueryCtx};
use crate::sql::expr::Expr;
use crate::sql::plan::{Plan, SortKey};
use crate::sql::scope::{Scope, ScopeColumn};
use sqlparser::ast;

/// The value of a numeric literal term (an ORDER BY or GROUP BY ordinal).
pub fn const_usize(e: &ast::Expr) -> Option<usize> {
    if let ast::Expr::Value(v) = e {
        if let ast::Value::Number(s, _) = &v.value {
            return s.parse().ok();
        }
    }
    None
}

/// Wraps `plan` in LIMIT/OFFSET when given.
///
/// # Errors
/// As [`bind_constant`].
pub fn with_limit(plan: Plan, limit: Option<&ast::Expr>, offset: Option<&ast::Expr>) -> Result<Plan> {
    if limit.is_none() && offset.is_none() {
        return Ok(plan);
    }
    Ok(Plan::Limit { input: Box::new(plan), limit: bind_constant(limit)?, offset: bind_constant(offset)? })
}

/// A LIMIT or OFFSET expression, bound with no columns in scope.
///
/// # Errors
/// Column references and unsupported syntax.
pub fn bind_constant(e: Option<&ast::Expr>) -> Result<Option<Expr>> {
    let empty = Scope::default();
    e.map(|e| Binder::new(&empty).bind(e)).transpose()
}

/// A query's LIMIT and OFFSET expressions.
pub fn limit_offset(q: &ast::Query) -> (Option<&ast::Expr>, Option<&ast::Expr>) {
    match &q.limit_clause {
        None => (None, None),
        Some(ast::LimitClause::LimitOffset { limit, offset, .. }) => {
            (limit.as_ref(), offset.as_ref().map(|o| &o.value))
        }
        Some(ast::LimitClause::OffsetCommaLimit { offset, limit }) => (Some(limit), Some(offset)),
    }
}

/// ORDER BY keys over a finished result with these output columns: terms
/// are column numbers, output column names, or expressions over them.
///
/// # Errors
/// Out-of-range column numbers, unknown names.
pub fn output_sort_keys(
    columns: &[String],
    order_by: &[ast::OrderByExpr],
    qctx: &QueryCtx<'_>,
) -> Result<Vec<SortKey>> {
    let scope = Scope {
        columns: columns.iter().map(|c| ScopeColumn { table: None, name: c.clone(), ..Default::default() }).collect(),
    };
    let width = columns.len();
    let mut keys = Vec::new();
    for ob in order_by {
        let expr = match const_usize(&ob.expr) {
            Some(n) if n >= 1 && n <= width => Expr::Column(n - 1),
            Some(n) => return Err(sql_err!("ORDER BY term out of range: {n}")),
            None => Binder::with_ctx(&scope, qctx).bind(&ob.expr)?,
        };
        let desc = matches!(ob.options.sort, Some(ast::OrderBySort::Desc));
        keys.push(SortKey { expr, desc, nulls_first: ob.options.nulls_first.unwrap_or(!desc) });
    }
    Ok(keys)
}

/// HAVING as SQLite reads it: a name that is no column of the FROM tables
/// but the alias of a select-list item stands for that item's expression.
pub fn having_with_aliases(h: &ast::Expr, s: &ast::Select, scope: &Scope) -> ast::Expr {
    let mut h = h.clone();
    let _ = ast::visit_expressions_mut(&mut h, |e| {
        if let ast::Expr::Identifier(id) = e {
            let unknown =
                matches!(scope.resolve(None, &id.value), Err(err) if !err.to_string().starts_with("ambiguous"));
            let aliased = s.projection.iter().find_map(|item| match item {
                ast::SelectItem::ExprWithAlias { expr, alias } if alias.value.eq_ignore_ascii_case(&id.value) => {
                    Some(expr)
                }
                _ => None,
            });
            if let (true, Some(x)) = (unknown, aliased) {
                *e = ast::Expr::Nested(Box::new(x.clone()));
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    h
}
