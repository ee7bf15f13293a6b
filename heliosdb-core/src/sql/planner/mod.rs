//! Planning: a parsed statement and the catalog → a [`StmtPlan`].
//!
//! * [`select`] — queries: FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT;
//! * [`access`] — choosing a primary-key or index range from WHERE;
//! * [`clauses`] — ORDER BY over output columns, LIMIT/OFFSET, HAVING aliases;
//! * `order` — an ORDER BY rowid answered by the scan itself (no sort; LIMIT stops the scan);
//! * [`joins`] — join order, predicate pushdown, hash-join keys;
//! * [`table_functions`] — table functions (lateral) and system tables as FROM items;
//! * [`dml`] — INSERT, UPDATE, DELETE;
//! * [`upsert`] — INSERT's ON CONFLICT clause;
//! * [`ddl`] — CREATE/DROP TABLE and INDEX;
//! * [`pragma`] — `PRAGMA` (introspection as catalog queries, settings);
//! * [`maintenance`] — CHECKPOINT, `PRAGMA wal_checkpoint`, VACUUM [INTO].

pub mod access;
mod changefeed;
pub mod clauses;
pub mod ddl;
pub mod dml;
pub mod joins;
pub mod maintenance;
pub mod order;
pub mod outer_refs;
pub mod pragma;
pub mod recursive;
pub mod select;
pub mod table_functions;
pub mod temporal;
pub mod trigger;
pub mod upsert;

use super::plan::StmtPlan;
use crate::catalog::Catalog;
use crate::error::{sql_err, Result};
use sqlparser::ast::{self, Statement};

/// The INSERT, UPDATE or DELETE a query is, when it is one: sqlparser
/// parses `WITH … DELETE FROM t …` as a query whose body is the DELETE.
/// Such a "query" writes: it runs as a write and is not read-only.
pub fn with_dml(q: &ast::Query) -> Option<&Statement> {
    match q.body.as_ref() {
        ast::SetExpr::Insert(dml) | ast::SetExpr::Update(dml) | ast::SetExpr::Delete(dml) => Some(dml),
        _ => None,
    }
}

/// Plans a query or DML statement within `qctx` (a trigger body sees the
/// NEW and OLD rows as an enclosing scope).
///
/// # Errors
/// As [`plan_statement`]; other statements are refused.
pub fn plan_statement_in(stmt: &Statement, qctx: &crate::sql::binder::QueryCtx<'_>) -> Result<StmtPlan> {
    match stmt {
        // `WITH … INSERT | UPDATE | DELETE`: the statement, with the CTEs
        // visible to its source and subqueries (as SQLite has it).
        Statement::Query(q) => match (&q.with, with_dml(q)) {
            (Some(with), Some(dml)) => {
                let inner = select::with_ctes(with, qctx);
                let plan = plan_statement_in(dml, &inner);
                qctx.note_outer(inner.outer_used.get());
                plan
            }
            _ => Ok(StmtPlan::Query(select::plan_query_in(q, qctx)?)),
        },
        Statement::Insert(ins) => dml::plan_insert(ins, qctx),
        Statement::Update(up) => dml::plan_update(up, qctx),
        Statement::Delete(del) => dml::plan_delete(del, qctx),
        other => Err(sql_err!("only SELECT, INSERT, UPDATE and DELETE are allowed here, not: {other}")),
    }
}

/// Plans one statement against `catalog` (result columns written without
/// an alias get rendered names; see [`plan_parsed`]).
///
/// # Errors
/// Unknown objects, type errors, unsupported syntax.
pub fn plan_statement(stmt: &Statement, catalog: &Catalog) -> Result<StmtPlan> {
    plan_with_names(stmt, catalog, &crate::sql::column_names::NO_NAMES)
}

/// Plans a parsed statement against `catalog`, its result columns named
/// from its text as typed, as SQLite names them.
///
/// # Errors
/// As [`plan_statement`].
pub fn plan_parsed(parsed: &crate::sql::parser::Parsed, catalog: &Catalog) -> Result<StmtPlan> {
    plan_with_names(&parsed.ast, catalog, &parsed.names)
}

fn plan_with_names(
    stmt: &Statement,
    catalog: &Catalog,
    names: &crate::sql::column_names::SourceNames,
) -> Result<StmtPlan> {
    match stmt {
        Statement::Query(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
            plan_statement_in(stmt, &crate::sql::binder::QueryCtx::root_named(catalog, names))
        }
        Statement::CreateTable(ct) => ddl::plan_create_table(ct, catalog, &stmt.to_string()),
        Statement::CreateIndex(ci) => ddl::plan_create_index(ci, catalog, &stmt.to_string()),
        Statement::AlterTable(at) => ddl::plan_alter_table(at, catalog),
        Statement::CreateView(cv) => ddl::plan_create_view(cv, catalog, &stmt.to_string()),
        Statement::Drop { object_type, if_exists, names, .. } => ddl::plan_drop(object_type, *if_exists, names),
        Statement::Explain { statement, analyze: false, .. } => {
            Ok(StmtPlan::Explain(Box::new(plan_with_names(statement, catalog, names)?)))
        }
        Statement::Set(sqlparser::ast::Set::SingleAssignment { variable, values, .. })
            if maintenance::is_maintenance(&variable.to_string()) =>
        {
            maintenance::plan(&variable.to_string(), values, catalog)
        }
        Statement::Set(sqlparser::ast::Set::SingleAssignment { variable, values, .. })
            if variable.to_string().eq_ignore_ascii_case(crate::sql::statement_syntax::REINDEX) =>
        {
            let name = values.first().map(ToString::to_string).filter(|n| !n.eq_ignore_ascii_case("NULL"));
            Ok(StmtPlan::Reindex { name })
        }
        Statement::Set(sqlparser::ast::Set::SingleAssignment { variable, values, .. })
            if crate::sql::statement_syntax::changefeed_variable(&variable.to_string()) =>
        {
            changefeed::plan(&variable.to_string(), values)
        }
        Statement::CreateTrigger(ct) => trigger::plan_create(ct, catalog, &stmt.to_string()),
        Statement::DropTrigger(dt) => Ok(trigger::plan_drop(dt)),
        Statement::Pragma { name, value, .. } => {
            pragma::plan(name, value.as_ref(), &crate::sql::binder::QueryCtx::root(catalog))
        }
        Statement::StartTransaction { .. } => Ok(StmtPlan::Begin),
        Statement::Commit { .. } => Ok(StmtPlan::Commit),
        Statement::Rollback { savepoint: None, .. } => Ok(StmtPlan::Rollback),
        Statement::Savepoint { .. } | Statement::ReleaseSavepoint { .. } | Statement::Rollback { .. } => {
            Ok(StmtPlan::Savepoint(stmt.to_string()))
        }
        other => {
            let text = other.to_string();
            let head: String = text.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
            Err(sql_err!("unsupported statement: {head}"))
        }
    }
}
