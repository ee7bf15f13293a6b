//! Row triggers: compiling a table's triggers for one statement, and firing
//! them around each row the statement inserts, updates or deletes.
//!
//! A trigger body is planned with the row as an enclosing scope: `NEW.col`
//! and `OLD.col` are correlated references to the row `NEW ‖ OLD` (each the
//! table's columns and rowid; NULLs where the event has no such row). Body
//! statements run in the same transaction and fire their own tables'
//! triggers (but not the trigger that is running, as in SQLite), up to
//! [`MAX_DEPTH`] levels.

use super::clock::StmtClock;
use super::dml::{self, Firing};
use super::eval::{eval, EvalCtx};
use crate::catalog::{Catalog, TableDef, TriggerEvent, TriggerTiming};
use crate::error::{sql_err, Result};
use crate::sql::binder::{Binder, QueryCtx};
use crate::sql::expr::Expr;
use crate::sql::plan::StmtPlan;
use crate::sql::planner::select::table_scope;
use crate::sql::scope::Scope;
use crate::storage::WriteTx;
use crate::types::cast::truthy;
use crate::types::Value;

/// How deep triggers may fire triggers (SQLite's limit is similar).
pub const MAX_DEPTH: usize = 32;

/// The kind of change a row underwent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// Inserted.
    Insert,
    /// Updated; the positions of the columns the UPDATE sets.
    Update(&'a [usize]),
    /// Deleted.
    Delete,
}

/// One trigger, planned for the current schema.
pub struct Compiled {
    name: String,
    timing: TriggerTiming,
    event: TriggerEvent,
    when: Option<Expr>,
    body: Vec<StmtPlan>,
}

/// The scope a trigger's WHEN and body see: `new.*` then `old.*`.
fn row_scope(table: &TableDef) -> Scope {
    let mut scope = table_scope(table, "new");
    scope.columns.extend(table_scope(table, "old").columns);
    scope
}

/// Plans the triggers of `table`.
///
/// # Errors
/// A trigger whose WHEN or body no longer plans (the message names it).
#[inline]
pub fn compile(table: &TableDef, catalog: &Catalog) -> Result<Vec<Compiled>> {
    // Inlined, so a table without triggers (every statement's common case)
    // costs no call and no `Result<Vec>` moved back through memory.
    if table.triggers.is_empty() {
        return Ok(Vec::new());
    }
    compile_all(table, catalog)
}

fn compile_all(table: &TableDef, catalog: &Catalog) -> Result<Vec<Compiled>> {
    let scope = row_scope(table);
    let mut out = Vec::new();
    for t in &table.triggers {
        let named = |e: crate::error::Error| sql_err!("trigger {}: {e}", t.name);
        let when = match &t.when {
            Some(text) => {
                let ast = crate::sql::planner::ddl::parse_expr(text).map_err(named)?;
                Some(Binder::new(&scope).bind(&ast).map_err(named)?)
            }
            None => None,
        };
        let qctx = QueryCtx { outer: vec![&scope], ..QueryCtx::root(catalog) };
        let mut body = Vec::new();
        for text in &t.body {
            for parsed in crate::sql::parser::parse(text).map_err(named)? {
                body.push(crate::sql::planner::plan_statement_in(&parsed.ast, &qctx).map_err(named)?);
            }
        }
        out.push(Compiled { name: t.name.clone(), timing: t.timing, event: t.event.clone(), when, body });
    }
    Ok(out)
}

/// Runs the triggers of `table` that match `timing` and `change` for one
/// row (`old`/`new` as the statement sees them, rowid last).
///
/// # Errors
/// Errors of the WHEN condition or the body; too deep a chain of triggers.
#[allow(clippy::too_many_arguments)]
pub fn fire(
    tx: &mut WriteTx,
    table: &TableDef,
    compiled: &[Compiled],
    timing: TriggerTiming,
    change: Change<'_>,
    old: Option<&[Value]>,
    new: Option<&[Value]>,
    firing: &Firing<'_>,
    clock: &StmtClock,
) -> Result<()> {
    let matching: Vec<&Compiled> = compiled
        .iter()
        .filter(|c| c.timing == timing && !firing.active.contains(&c.name))
        .filter(|c| match (&c.event, change) {
            (TriggerEvent::Insert, Change::Insert) | (TriggerEvent::Delete, Change::Delete) => true,
            (TriggerEvent::Update(cols), Change::Update(set)) => {
                cols.is_empty() || cols.iter().any(|c| set.contains(c))
            }
            _ => false,
        })
        .collect();
    if matching.is_empty() {
        return Ok(());
    }
    if firing.depth >= MAX_DEPTH {
        return Err(sql_err!("too many levels of trigger recursion (more than {MAX_DEPTH})"));
    }
    let width = table.columns.len() + usize::from(table.has_rowid());
    let half = |r: Option<&[Value]>| -> Vec<Value> {
        let mut v: Vec<Value> = r.map(<[Value]>::to_vec).unwrap_or_default();
        v.resize(width, Value::Null);
        v
    };
    let mut row = half(new);
    row.extend(half(old));
    for c in matching {
        let active: Vec<String> = firing.active.iter().cloned().chain([c.name.clone()]).collect();
        let inner = Firing { outer: Some(&row), depth: firing.depth + 1, active: &active, session: firing.session };
        if let Some(w) = &c.when {
            let ctx = EvalCtx::new(&[], clock, None);
            if truthy(&eval(w, &row, &ctx)?) != Some(true) {
                continue;
            }
        }
        for plan in &c.body {
            match plan {
                StmtPlan::Insert(p) => drop(dml::insert(tx, p, &mut [], false, clock, &inner)?),
                StmtPlan::Update(p) => drop(dml::update(tx, p, &[], clock, &inner)?),
                StmtPlan::Delete(p) => drop(dml::delete(tx, p, &[], clock, &inner)?),
                StmtPlan::Query(q) => {
                    let ctx = EvalCtx::new(&[], clock, Some(&*tx)).with_outer(&row);
                    for r in super::query::run(&q.plan, &*tx, &ctx)? {
                        r?;
                    }
                }
                _ => return Err(sql_err!("a trigger body holds SELECT, INSERT, UPDATE and DELETE statements only")),
            }
        }
    }
    Ok(())
}
