//! Planning `INSERT … ON CONFLICT` (UPSERT): resolving the conflict target to
//! the table's primary key or one of its unique indexes, and binding
//! `DO UPDATE SET … WHERE …` over the existing row and `excluded`.
//!
//! sqlparser accepts one ON CONFLICT clause per INSERT, so SQLite 3.35's
//! chains of clauses are refused by the parser; one clause behaves as the
//! last clause of such a chain does in SQLite (its target is optional even
//! for DO UPDATE).

use super::dml::bind_assignments;
use super::select::table_scope;
use crate::catalog::TableDef;
use crate::error::{sql_err, Result};
use crate::sql::binder::{Binder, QueryCtx};
use crate::sql::plan::{Upsert, UpsertAction, UpsertTarget};
use crate::sql::scope::Scope;
use sqlparser::ast;

/// The constraint whose columns are exactly `cols` (in any order).
fn resolve_target(table: &TableDef, cols: &[ast::Ident]) -> Result<UpsertTarget> {
    let mismatch = || sql_err!("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
    let mut positions = Vec::with_capacity(cols.len());
    for c in cols {
        positions.push(table.column_index(&c.value).ok_or_else(|| sql_err!("no such column: {}", c.value))?);
    }
    positions.sort_unstable();
    positions.dedup();
    let same = |other: &mut Vec<usize>| {
        other.sort_unstable();
        *other == positions
    };
    if !table.primary_key.is_empty() && same(&mut table.primary_key.clone()) {
        return Ok(UpsertTarget::PrimaryKey);
    }
    table
        .indexes
        .iter()
        .position(|ix| ix.unique && same(&mut ix.columns.iter().map(|(c, _)| *c).collect()))
        .map(UpsertTarget::Unique)
        .ok_or_else(mismatch)
}

/// The scope of DO UPDATE: the existing row under the table's name (or the
/// INSERT's alias), then `excluded`. The `excluded` columns are hidden so an
/// unqualified name means the existing row's column, as in SQLite, instead
/// of being ambiguous.
fn upsert_scope(table: &TableDef, qualifier: &str) -> Scope {
    let mut scope = table_scope(table, qualifier);
    scope.columns.extend(table_scope(table, "excluded").columns.into_iter().map(|mut c| {
        c.hidden = true;
        c
    }));
    scope
}

/// Plans an INSERT's `ON CONFLICT` clause.
///
/// # Errors
/// `ON DUPLICATE KEY UPDATE`, `ON CONSTRAINT` targets, a target that is not a
/// key, unknown columns in DO UPDATE.
pub fn plan_upsert(on: &ast::OnInsert, table: &TableDef, qualifier: &str, qctx: &QueryCtx<'_>) -> Result<Upsert> {
    let ast::OnInsert::OnConflict(oc) = on else {
        return Err(sql_err!("ON DUPLICATE KEY UPDATE is not supported: use ON CONFLICT (…) DO UPDATE"));
    };
    let target = match &oc.conflict_target {
        None => UpsertTarget::Any,
        Some(ast::ConflictTarget::Columns(cols)) => resolve_target(table, cols)?,
        Some(ast::ConflictTarget::OnConstraint(name)) => {
            return Err(sql_err!("ON CONFLICT ON CONSTRAINT {name} is not supported: name the columns"))
        }
    };
    let action = match &oc.action {
        ast::OnConflictAction::DoNothing => UpsertAction::Nothing,
        ast::OnConflictAction::DoUpdate(du) => {
            let scope = upsert_scope(table, qualifier);
            let b = Binder::with_ctx(&scope, qctx);
            let assignments = bind_assignments(&du.assignments, table, &b)?;
            let pred = du.selection.as_ref().map(|w| b.bind(w)).transpose()?;
            UpsertAction::Update { assignments, pred }
        }
    };
    Ok(Upsert { target, action })
}
