//! Table functions and system tables as FROM items.
//!
//! A table function is planned as a lateral join onto the FROM items before
//! it: its arguments are bound in their scope, so `FROM readings r,
//! json_each(r.payload)` reads each row's payload, and a function written
//! first runs once over a single empty row. Its columns follow, SQLite's
//! hidden ones (a series' bounds, json_each's input) hidden from `*`.

use super::select::Planned;
use crate::catalog::normalize;
use crate::error::{sql_err, Result};
use crate::sql::binder::{object_name, Binder, QueryCtx};
use crate::sql::plan::Plan;
use crate::sql::scope::{Scope, ScopeColumn};
use crate::sql::table_functions::SystemTable;
use sqlparser::ast;

/// Whether a FROM item is a function call (`name(args…)`).
pub(super) fn is_call(tf: &ast::TableFactor) -> bool {
    matches!(tf, ast::TableFactor::Table { args: Some(_), version: None, .. })
}

/// The scope columns of `table` under `qualifier`, renamed by `names`.
fn columns(table: SystemTable, qualifier: &str, names: &[ast::TableAliasColumnDef]) -> Vec<ScopeColumn> {
    let q = Some(normalize(qualifier));
    table
        .columns()
        .iter()
        .enumerate()
        .map(|(i, c)| ScopeColumn {
            table: q.clone(),
            name: names.get(i).map_or_else(|| (*c).to_string(), |n| n.name.value.clone()),
            hidden: i >= table.visible(),
            decltype: None,
        })
        .collect()
}

/// `name(args…) [AS alias [(cols)]]` after the FROM items `left`.
///
/// # Errors
/// No such function, wrong number or kind of arguments, unknown columns in them.
pub(super) fn plan_call(tf: &ast::TableFactor, left: Planned, qctx: &QueryCtx<'_>) -> Result<Planned> {
    let ast::TableFactor::Table { name, alias, args: Some(args), .. } = tf else {
        return Err(sql_err!("unsupported FROM item: {tf}"));
    };
    let tname = object_name(name);
    let table = SystemTable::function(&normalize(&tname)).ok_or_else(|| sql_err!("no such table function: {tname}"))?;
    let (input, mut scope) = left;
    let bound = {
        let binder = Binder::with_ctx(&scope, qctx);
        args.args
            .iter()
            .map(|a| match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => binder.bind(e),
                other => Err(sql_err!("{tname}() takes plain arguments, not {other}")),
            })
            .collect::<Result<Vec<_>>>()?
    };
    table.check_arity(bound.len())?;
    let qualifier = alias.as_ref().map_or(tname.as_str(), |a| a.name.value.as_str());
    let names = alias.as_ref().map_or(&[][..], |a| a.columns.as_slice());
    if names.len() > table.visible() {
        return Err(sql_err!("{tname}() has {} columns but {} column names were given", table.visible(), names.len()));
    }
    scope.columns.extend(columns(table, qualifier, names));
    Ok((Plan::System { table, input: Box::new(input), args: bound }, scope))
}

/// `… [INNER | CROSS] JOIN name(args…) [ON cond]`: the call, then the condition.
///
/// # Errors
/// As [`plan_call`]; an outer join onto a table function.
pub(super) fn plan_joined_call(left: Planned, j: &ast::Join, qctx: &QueryCtx<'_>) -> Result<Planned> {
    use ast::JoinOperator as J;
    let constraint = match &j.join_operator {
        J::Join(c) | J::Inner(c) | J::CrossJoin(c) => c,
        _ => return Err(sql_err!("only inner joins onto a table function are supported: {}", j.relation)),
    };
    let (plan, scope) = plan_call(&j.relation, left, qctx)?;
    match constraint {
        ast::JoinConstraint::None => Ok((plan, scope)),
        ast::JoinConstraint::On(e) => {
            let pred = Binder::with_ctx(&scope, qctx).bind(e)?;
            Ok((Plan::Filter { input: Box::new(plan), pred }, scope))
        }
        _ => Err(sql_err!("JOIN onto a table function takes ON, not USING or NATURAL: {}", j.relation)),
    }
}

/// A system table read by name (`sqlite_schema`, `information_schema.columns`,
/// or a table function that takes no arguments, such as `pragma_table_list`),
/// unless a CTE, table or view of that name hides it.
///
/// # Errors
/// An `information_schema` table that does not exist.
pub(super) fn plan_system_table(
    name: &ast::ObjectName,
    alias: Option<&ast::TableAlias>,
    qctx: &QueryCtx<'_>,
) -> Result<Option<Planned>> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ast::ObjectNamePart::Identifier(i) => normalize(&i.value),
            ast::ObjectNamePart::Function(f) => normalize(&f.name.value),
        })
        .collect();
    let last = parts.last().cloned().unwrap_or_default();
    let user_object = parts.len() == 1
        && (qctx.ctes.iter().any(|c| c.name == last)
            || qctx.catalog.tables.contains_key(&last)
            || qctx.catalog.views.contains_key(&last));
    let bare_function =
        || (parts.len() == 1).then(|| SystemTable::function(&last)).flatten().filter(|t| t.check_arity(0).is_ok());
    let Some(table) = SystemTable::table(&parts).or_else(bare_function) else {
        if parts.len() == 2 && parts[0] == "information_schema" {
            return Err(sql_err!("no such table: information_schema.{last}"));
        }
        return Ok(None);
    };
    if user_object && table != SystemTable::Schema {
        return Ok(None);
    }
    let qualifier = alias.map_or(last.as_str(), |a| a.name.value.as_str());
    let names = alias.map_or(&[][..], |a| a.columns.as_slice());
    let scope = Scope { columns: columns(table, qualifier, names) };
    Ok(Some((Plan::System { table, input: Box::new(Plan::Empty), args: Vec::new() }, scope)))
}
