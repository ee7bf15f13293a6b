//! CHECK and FOREIGN KEY enforcement (NOT NULL, UNIQUE and PRIMARY KEY live
//! in [`super::write`] and [`super::dml`]).
//!
//! Foreign keys are checked on every write, as in PostgreSQL (SQLite needs
//! `PRAGMA foreign_keys`). A child row's key must exist in the parent (one
//! point read through the parent's primary key or unique index); deleting a
//! parent row applies each referencing key's ON DELETE action; changing a
//! referenced key while children use it is refused (ON UPDATE RESTRICT).

use super::eval::{eval, EvalCtx};
use super::scan::scan;
use super::write::{delete_row, index_entry, put_row, row_key_of};
use crate::catalog::{normalize, FkAction, ForeignKeyDef, TableDef};
use crate::error::{sql_err, Error, Result};
use crate::sql::binder::Binder;
use crate::sql::expr::Expr;
use crate::sql::planner::ddl::parse_expr;
use crate::sql::planner::select::{full_scan, table_scope};
use crate::storage::versions::EndedBy;
use crate::storage::{keys, Ks, Reader, WriteTx};
use crate::types::cast::{coerce_to_column, truthy};
use crate::types::compare::sql_cmp;
use crate::types::Value;
use std::sync::Arc;

/// How deep ON DELETE CASCADE may recurse (guards against cycles).
const MAX_CASCADE_DEPTH: usize = 32;

/// The CHECK constraints of a table, bound once per statement: (label, expression).
///
/// # Errors
/// A stored CHECK that no longer binds (a column it names was renamed).
#[inline]
pub fn bind_checks(table: &TableDef) -> Result<Vec<(String, Expr)>> {
    if table.checks.is_empty() {
        // (Building the scope clones every column: a quarter of a
        // one-row INSERT's time, for nothing. Inlined, the common case
        // costs no call either.)
        return Ok(Vec::new());
    }
    bind_all_checks(table)
}

fn bind_all_checks(table: &TableDef) -> Result<Vec<(String, Expr)>> {
    let scope = table_scope(table, &table.name);
    table
        .checks
        .iter()
        .map(|c| {
            let e = Binder::new(&scope).bind(&parse_expr(&c.expr)?)?;
            Ok((c.name.clone().unwrap_or_else(|| c.expr.clone()), e))
        })
        .collect()
}

/// Refuses a row for which a CHECK is false (NULL passes, as in SQL).
///
/// # Errors
/// `Constraint` naming the check.
pub fn check_row(table: &TableDef, checks: &[(String, Expr)], row: &[Value], ctx: &EvalCtx<'_>) -> Result<()> {
    for (label, e) in checks {
        if truthy(&eval(e, row, ctx)?) == Some(false) {
            return Err(Error::Constraint(format!("CHECK constraint failed: {} ({label})", table.name)));
        }
    }
    Ok(())
}

fn parent_positions(parent: &TableDef, fk: &ForeignKeyDef) -> Result<Vec<usize>> {
    fk.parent_columns
        .iter()
        .map(|c| {
            parent.column_index(c).ok_or_else(|| sql_err!("foreign key refers to missing column {}.{c}", parent.name))
        })
        .collect()
}

/// Whether `parent` has a row whose `cols` equal `values`.
fn parent_has(tx: &WriteTx, parent: &TableDef, cols: &[usize], values: &[Value]) -> Result<bool> {
    let mut vals = Vec::with_capacity(values.len());
    for (v, c) in values.iter().zip(cols) {
        match coerce_to_column(v.clone(), parent.columns[*c].ty, "", "") {
            Ok(x) => vals.push(x),
            Err(_) => return Ok(false),
        }
    }
    if cols == parent.primary_key.as_slice() {
        let key = keys::row_key(parent.id, &vals.iter().collect::<Vec<_>>());
        return Ok(tx.get(Ks::Rows, &key)?.is_some());
    }
    if let Some(ix) =
        parent.indexes.iter().find(|ix| ix.unique && ix.columns.iter().map(|(c, _)| *c).eq(cols.iter().copied()))
    {
        let mut probe = vec![Value::Null; parent.columns.len()];
        for (v, c) in vals.into_iter().zip(cols) {
            probe[*c] = v;
        }
        let (ik, _) = index_entry(ix, &probe, &keys::object_prefix(parent.id));
        return Ok(tx.get(Ks::Index, &ik)?.is_some());
    }
    Err(sql_err!("foreign key target {} is no longer a key", parent.name))
}

/// Refuses a child row whose foreign-key values have no parent row.
///
/// # Errors
/// `Constraint` naming the key.
pub fn check_parents(tx: &WriteTx, table: &TableDef, row: &[Value]) -> Result<()> {
    for fk in &table.foreign_keys {
        let values: Vec<Value> = fk.columns.iter().map(|c| row[*c].clone()).collect();
        if values.iter().any(Value::is_null) {
            continue;
        }
        let parent = if normalize(&fk.parent) == normalize(&table.name) {
            Arc::new(table.clone())
        } else {
            Arc::clone(tx.catalog().table(&fk.parent)?)
        };
        let cols = parent_positions(&parent, fk)?;
        if !parent_has(tx, &parent, &cols, &values)? {
            return Err(Error::Constraint(format!(
                "FOREIGN KEY constraint failed: {}({}) has no parent row in {}",
                table.name,
                fk.columns.iter().map(|c| table.columns[*c].name.as_str()).collect::<Vec<_>>().join(", "),
                fk.parent
            )));
        }
    }
    Ok(())
}

/// Child tables (with the key) whose foreign keys reference `parent`.
fn referencing(tx: &WriteTx, parent: &TableDef) -> Vec<(Arc<TableDef>, ForeignKeyDef)> {
    let name = normalize(&parent.name);
    tx.catalog()
        .tables
        .values()
        .flat_map(|t| {
            t.foreign_keys.iter().filter(|fk| normalize(&fk.parent) == name).map(move |fk| (Arc::clone(t), fk.clone()))
        })
        .collect()
}

/// Rows of `child` whose key `fk` equals the parent row's referenced values.
fn children_of(
    tx: &WriteTx,
    parent: &TableDef,
    parent_row: &[Value],
    child: &Arc<TableDef>,
    fk: &ForeignKeyDef,
) -> Result<Vec<Vec<Value>>> {
    let cols = parent_positions(parent, fk)?;
    let values: Vec<&Value> = cols.iter().map(|c| &parent_row[*c]).collect();
    if values.iter().any(|v| v.is_null()) {
        return Ok(Vec::new());
    }
    let clock = super::clock::StmtClock::at(0);
    let ctx = EvalCtx::new(&[], &clock, None);
    let sp = full_scan(child);
    let mut out = Vec::new();
    for row in scan(tx, &sp, &ctx)? {
        let row = row?;
        if fk.columns.iter().zip(&values).all(|(c, v)| sql_cmp(&row[*c], v) == Some(std::cmp::Ordering::Equal)) {
            out.push(row);
        }
    }
    Ok(out)
}

/// Applies the ON DELETE actions of every key that references a row about to
/// be deleted from `table`.
///
/// # Errors
/// `Constraint` when a RESTRICT key still has children, or SET NULL meets NOT NULL.
pub fn on_delete(tx: &mut WriteTx, table: &TableDef, row: &[Value], depth: usize) -> Result<()> {
    if depth > MAX_CASCADE_DEPTH {
        return Err(Error::Constraint("FOREIGN KEY cascade is nested too deeply (a cycle?)".into()));
    }
    for (child, fk) in referencing(tx, table) {
        let rows = children_of(tx, table, row, &child, &fk)?;
        if rows.is_empty() {
            continue;
        }
        match fk.on_delete {
            FkAction::Restrict => {
                return Err(Error::Constraint(format!(
                    "FOREIGN KEY constraint failed: {} rows of {} still reference this {} row",
                    rows.len(),
                    child.name,
                    table.name
                )))
            }
            FkAction::Cascade => {
                for r in rows {
                    // A self-referencing cascade may already have removed it.
                    let key = row_key_of(&child, &r);
                    if tx.get(Ks::Rows, &key)?.is_none() {
                        continue;
                    }
                    on_delete(tx, &child, &r, depth + 1)?;
                    delete_row(tx, &child, key, &r, EndedBy::Delete, None)?;
                }
            }
            FkAction::SetNull => {
                for r in rows {
                    let mut new = r.clone();
                    for c in &fk.columns {
                        if child.columns[*c].not_null {
                            return Err(Error::Constraint(format!(
                                "FOREIGN KEY ON DELETE SET NULL failed: NOT NULL constraint on {}.{}",
                                child.name, child.columns[*c].name
                            )));
                        }
                        new[*c] = Value::Null;
                    }
                    delete_row(tx, &child, row_key_of(&child, &r), &r, EndedBy::Update, None)?;
                    put_row(tx, &child, row_key_of(&child, &new), &new)?;
                }
            }
        }
    }
    Ok(())
}

/// Refuses an update that changes a referenced key while children use it.
///
/// # Errors
/// `Constraint`.
pub fn on_key_change(tx: &WriteTx, table: &TableDef, old: &[Value], new: &[Value]) -> Result<()> {
    for (child, fk) in referencing(tx, table) {
        let cols = parent_positions(table, &fk)?;
        let changed = cols.iter().any(|c| sql_cmp(&old[*c], &new[*c]) != Some(std::cmp::Ordering::Equal));
        if changed && !children_of(tx, table, old, &child, &fk)?.is_empty() {
            return Err(Error::Constraint(format!(
                "FOREIGN KEY constraint failed: rows of {} reference the old key of this {} row",
                child.name, table.name
            )));
        }
    }
    Ok(())
}

/// Refuses to drop a table other tables reference.
///
/// # Errors
/// `Constraint` naming a referencing table.
pub fn check_droppable(tx: &WriteTx, table: &TableDef) -> Result<()> {
    if let Some((child, _)) = referencing(tx, table).into_iter().find(|(c, _)| c.id != table.id) {
        return Err(Error::Constraint(format!("cannot drop table {}: table {} references it", table.name, child.name)));
    }
    Ok(())
}
