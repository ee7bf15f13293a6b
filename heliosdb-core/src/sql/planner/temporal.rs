//! Binding a table reference's time-travel clause (see
//! [`crate::sql::parser::time_travel`] for how the syntax reaches here).

use crate::error::{sql_err, Result};
use crate::sql::binder::{Binder, QueryCtx};
use crate::sql::expr::Expr;
use crate::sql::parser::time_travel::{marker, AS_OF, HISTORY};
use crate::sql::plan::Temporal;
use crate::sql::scope::Scope;
use crate::temporal::PointKind;
use sqlparser::ast;

/// Binds a point expression: a constant or a parameter, read at execution.
pub fn bind_point(e: &ast::Expr, what: &str, qctx: &QueryCtx<'_>) -> Result<Expr> {
    let empty = Scope::default();
    let bound = Binder::with_ctx(&empty, qctx).bind(e).map_err(|err| sql_err!("{what}: {err}"))?;
    if !bound.is_constant() {
        return Err(sql_err!("{what} must be a constant or a parameter"));
    }
    Ok(bound)
}

/// The time-travel clause of a reference to table `table`.
///
/// # Errors
/// A clause that is not one of HeliosDB's forms, or a point that is not constant.
pub fn bind_version(version: &ast::TableVersion, table: &str, qctx: &QueryCtx<'_>) -> Result<Temporal> {
    let ast::TableVersion::ForSystemTimeAsOf(e) = version else {
        return Err(sql_err!("unsupported version clause on {table}: {version}"));
    };
    let what = format!("the AS OF point of {table}");
    match e {
        ast::Expr::BinaryOp { left, op: ast::BinaryOperator::Eq, right } => {
            if let ast::Expr::Identifier(id) = left.as_ref() {
                if let Some(kind) = marker(&id.value, AS_OF) {
                    return Ok(Temporal::AsOf { kind, point: bind_point(right, &what, qctx)? });
                }
            }
        }
        ast::Expr::Between { expr, negated: false, low, high } => {
            if let ast::Expr::Identifier(id) = expr.as_ref() {
                if let Some(kind) = marker(&id.value, HISTORY) {
                    let what = format!("the history bounds of {table}");
                    return Ok(Temporal::History {
                        kind,
                        from: bind_point(low, &what, qctx)?,
                        to: bind_point(high, &what, qctx)?,
                    });
                }
            }
        }
        _ => {}
    }
    // `FOR SYSTEM_TIME AS OF <expr>` (SQL:2011): an instant.
    Ok(Temporal::AsOf { kind: PointKind::Timestamp, point: bind_point(e, &what, qctx)? })
}
