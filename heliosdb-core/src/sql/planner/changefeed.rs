//! `CREATE CHANGEFEED` / `DROP CHANGEFEED`, which the token rewrite
//! (`statement_syntax`) turns into `SET heliosdb_…_changefeed = name, tables…`.

use crate::error::{sql_err, Result};
use crate::sql::plan::StmtPlan;
use crate::sql::statement_syntax::{CREATE_CHANGEFEED, DROP_CHANGEFEED};
use sqlparser::ast;

/// A name written as an identifier (quoted or not) or a string literal.
fn name_of(e: &ast::Expr) -> Result<String> {
    match e {
        ast::Expr::Identifier(id) => Ok(id.value.clone()),
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) => Ok(s.clone()),
            other => Err(sql_err!("expected a name, not {other}")),
        },
        other => Err(sql_err!("expected a name, not {other}")),
    }
}

/// Plans the statement carried as `SET variable = values`.
///
/// # Errors
/// A missing `FOR TABLE` list, or something other than names in it.
pub fn plan(variable: &str, values: &[ast::Expr]) -> Result<StmtPlan> {
    let var = variable.to_ascii_lowercase();
    let Some((first, rest)) = values.split_first() else {
        return Err(sql_err!("a change feed needs a name"));
    };
    let name = name_of(first)?;
    if let Some(guard) = var.strip_prefix(DROP_CHANGEFEED) {
        if !rest.is_empty() {
            return Err(sql_err!("DROP CHANGEFEED takes one name"));
        }
        return Ok(StmtPlan::DropChangefeed { name, if_exists: guard == "_if_exists" });
    }
    let if_not_exists = var.strip_prefix(CREATE_CHANGEFEED) == Some("_if_not_exists");
    if rest.is_empty() {
        return Err(sql_err!("CREATE CHANGEFEED {name} needs the tables it follows: FOR TABLE a, b"));
    }
    let tables = rest.iter().map(name_of).collect::<Result<Vec<_>>>()?;
    Ok(StmtPlan::CreateChangefeed { name, tables, if_not_exists })
}
