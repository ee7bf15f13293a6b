//! `PRAGMA`: the introspection pragmas as queries over the catalog tables
//! (`PRAGMA table_info(t)` is `SELECT * FROM pragma_table_info('t')`), a
//! few settings answered with what HeliosDB does, and the rest accepted and
//! ignored, as SQLite ignores pragmas it does not know, so the setup code
//! applications bring (`PRAGMA journal_mode = WAL`, `PRAGMA synchronous = NORMAL`)
//! runs unchanged.

use crate::error::{sql_err, Result};
use crate::sql::binder::{Binder, QueryCtx};
use crate::sql::expr::Expr;
use crate::sql::plan::{Plan, QueryPlan, StmtPlan};
use crate::sql::scope::Scope;
use crate::sql::table_functions::SystemTable;
use crate::types::Value;
use sqlparser::ast;

fn one_value(column: &str, v: Value) -> StmtPlan {
    StmtPlan::Query(QueryPlan {
        plan: Plan::Values(vec![vec![Expr::Literal(v)]]),
        columns: vec![column.to_string()],
        decltypes: vec![None],
    })
}

/// Plans `PRAGMA [schema.]name [= value | (value)]`.
///
/// # Errors
/// A schema other than `main`; turning off foreign keys (always enforced);
/// a journal mode other than WAL.
pub fn plan(name: &ast::ObjectName, value: Option<&ast::ValueWithSpan>, qctx: &QueryCtx<'_>) -> Result<StmtPlan> {
    let parts: Vec<String> = name.0.iter().map(|p| p.to_string().trim_matches('"').to_ascii_lowercase()).collect();
    let pragma = match parts.as_slice() {
        [p] | [_, p] if parts.len() == 1 || parts[0] == "main" => p.as_str(),
        _ => return Err(sql_err!("unknown database {}", parts[0])),
    };
    let arg =
        value.map(|v| Binder::with_ctx(&Scope::default(), qctx).bind(&ast::Expr::Value(v.clone()))).transpose()?;
    let literal = value.map(|v| match &v.value {
        ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s.to_ascii_lowercase(),
        other => other.to_string(),
    });
    if let Some(table) = SystemTable::pragma(pragma) {
        let args: Vec<Expr> = arg.into_iter().collect();
        table.check_arity(args.len())?;
        return Ok(StmtPlan::Query(QueryPlan {
            plan: Plan::System { table, input: Box::new(Plan::Empty), args },
            columns: table.columns()[..table.visible()].iter().map(|c| (*c).to_string()).collect(),
            decltypes: vec![None; table.visible()],
        }));
    }
    match (pragma, literal.as_deref()) {
        ("foreign_keys", None) => Ok(one_value("foreign_keys", Value::Integer(1))),
        ("foreign_keys", Some("on" | "1" | "true" | "yes")) => Ok(none()),
        ("foreign_keys", Some(_)) => {
            Err(sql_err!("foreign keys are always enforced in HeliosDB: PRAGMA foreign_keys cannot turn them off"))
        }
        ("journal_mode", None | Some("wal")) => Ok(one_value("journal_mode", Value::Text("wal".into()))),
        ("journal_mode", Some(other)) => {
            Err(sql_err!("journal_mode {other} is not supported: HeliosDB always logs ahead (see enable_wal)"))
        }
        _ => Ok(none()),
    }
}

/// A statement with no result rows.
fn none() -> StmtPlan {
    StmtPlan::Query(QueryPlan { plan: Plan::Values(Vec::new()), columns: Vec::new(), decltypes: Vec::new() })
}
