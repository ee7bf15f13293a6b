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
        // SQLite checks the primary key first, then the unique indexes in order.
        UpsertTarget::Any => {
            if let Some(k) = on_key(tx)? {
                return Ok(Some(k));
            }
            for ix in &table.indexes {
                if let Some(k) = index_holder(tx, ix, row, key)? {
                    return Ok(Some(k));
                }
            }
            Ok(None)
        }
    }
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
        let ctx = w.firing.ctx(params, w.now_us, Some(&*tx));
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
