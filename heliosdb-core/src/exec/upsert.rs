//! Running an INSERT's `ON CONFLICT` clause for one row: finding the row it
//! conflicts with on the clause's target, then skipping the new row or
//! updating the existing one.
//!
//! The update goes through [`super::dml::update_row`], the path of UPDATE
//! itself, so constraints, UPDATE triggers, time-travel versions and the
//! change log (one update record, which materialized views rely on) are
//! exactly those of an UPDATE. Conflicts on other constraints are left to
//! the INSERT's ordinary handling (they fail the statement).

use super::dml::{stored_row, update_row, RowWriter};
use super::eval::eval;
use super::write::index_holder;
use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::sql::plan::{Upsert, UpsertAction, UpsertTarget};
use crate::storage::{Ks, Reader, WriteTx};
use crate::types::cast::truthy;
use crate::types::Value;

/// What became of a row an UPSERT tried to insert.
pub(super) enum Resolved {
    /// No conflict on the target: insert it as usual.
    Insert,
    /// DO NOTHING, or a DO UPDATE whose WHERE is not true.
    Skip,
    /// The existing row was updated to this.
    Updated(Vec<Value>),
}

/// The key of the stored row that `row` (under `key`) conflicts with on
/// `target`. That may be the row under `key` itself: a new row whose key and
/// unique values are both taken by one existing row conflicts with it on
/// either constraint.
fn conflicting(
    tx: &WriteTx,
    table: &TableDef,
    target: UpsertTarget,
    row: &[Value],
    key: &[u8],
    generated: bool,
) -> Result<Option<Vec<u8>>> {
    // A generated rowid is new by construction: no primary-key read needed.
    let on_key = |tx: &WriteTx| -> Result<Option<Vec<u8>>> {
        Ok((!generated && tx.get(Ks::Rows, key)?.is_some()).then(|| key.to_vec()))
    };
    match target {
        UpsertTarget::PrimaryKey => on_key(tx),
        UpsertTarget::Unique(i) => match table.indexes.get(i) {
            Some(ix) => index_holder(tx, ix, row, key),
            None => Err(Error::Misuse(format!("ON CONFLICT target of {} has no index {i}", table.name))),
        },
        UpsertTarget::Any => {
            for c in sqlite_check_order(table) {
                let k = match c {
                    UpsertTarget::Unique(i) => index_holder(tx, &table.indexes[i], row, key)?,
                    _ => on_key(tx)?,
                };
                if k.is_some() {
                    return Ok(k);
                }
            }
            Ok(None)
        }
    }
}

/// The order SQLite 3.40 checks a table's uniqueness constraints in, which
/// decides the row a DO UPDATE without a target updates when the new row
/// conflicts with several: an INTEGER PRIMARY KEY (the rowid) first, then
/// the constraint indexes newest first (SQLite prepends each index it
/// creates to the table's list). Any other primary key is such an index,
/// created where it is declared; the catalog does not keep that place, so
/// it is inferred: after the single-column UNIQUE constraints on earlier
/// columns (inline ones, created as their column is read) and before every
/// other constraint and every CREATE UNIQUE INDEX.
fn sqlite_check_order(table: &TableDef) -> Vec<UpsertTarget> {
    let unique = |i: &usize| table.indexes[*i].unique;
    if table.rowid_alias || table.primary_key.is_empty() {
        let mut order = vec![UpsertTarget::PrimaryKey];
        order.extend((0..table.indexes.len()).rev().filter(unique).map(UpsertTarget::Unique));
        return order;
    }
    let declared_before_pk = |ix: &crate::catalog::IndexDef| match (ix.sql.is_none(), ix.columns.as_slice()) {
        (true, [(c, _)]) => match table.primary_key.as_slice() {
            [pk] => c < pk,
            _ => true,
        },
        _ => false,
    };
    let before = table.indexes.iter().take_while(|ix| declared_before_pk(ix)).count();
    let mut created: Vec<UpsertTarget> = (0..before).map(UpsertTarget::Unique).collect();
    created.push(UpsertTarget::PrimaryKey);
    created.extend((before..table.indexes.len()).map(UpsertTarget::Unique));
    created.into_iter().rev().filter(|t| !matches!(t, UpsertTarget::Unique(i) if !unique(i))).collect()
}

/// Applies `up` to `row` (already checked and given its rowid; `generated`
/// when the rowid is known to be new).
///
/// # Errors
/// Errors evaluating DO UPDATE, and those of the update itself
/// (a DO UPDATE that breaks a constraint fails the statement).
pub(super) fn resolve(
    tx: &mut WriteTx,
    w: &RowWriter<'_>,
    up: &Upsert,
    row: &[Value],
    key: &[u8],
    generated: bool,
    params: &[Value],
) -> Result<Resolved> {
    let table = w.table;
    let Some(existing_key) = conflicting(tx, table, up.target, row, key, generated)? else {
        return Ok(Resolved::Insert);
    };
    let UpsertAction::Update { assignments, pred } = &up.action else { return Ok(Resolved::Skip) };
    let (old, scn) = stored_row(tx, table, &existing_key)?
        .ok_or_else(|| Error::Corrupt(format!("index of {} points at a missing row", table.name)))?;
    // DO UPDATE sees the existing row, then `excluded` (the row not inserted).
    let new = {
        let mut both = old.clone();
        both.extend_from_slice(row);
        let ctx = w.firing.ctx(params, w.clock, Some(&*tx));
        if let Some(p) = pred {
            if truthy(&eval(p, &both, &ctx)?) != Some(true) {
                return Ok(Resolved::Skip);
            }
        }
        let mut new = old.clone();
        for (pos, e) in assignments {
            new[*pos] = eval(e, &both, &ctx)?;
        }
        new
    };
    let set: Vec<usize> = assignments.iter().map(|(pos, _)| *pos).collect();
    Ok(Resolved::Updated(update_row(tx, w, &set, &old, new, Some(scn))?))
}
