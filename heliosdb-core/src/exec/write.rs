//! Writing and removing one row together with its index entries, and the
//! uniqueness checks. Every DML path goes through here.

use crate::catalog::{IndexDef, TableDef};
use crate::error::{Error, Result};
use crate::storage::changes::{self, ChangeOp};
use crate::storage::versions::{self, EndedBy};
use crate::storage::{keys, Ks, Reader, WriteTx};
use crate::types::rowcodec::{encode_row, encode_row_into};
use crate::types::Value;

/// The row key of a row (`row` = columns, then the rowid for rowid tables).
pub fn row_key_of(table: &TableDef, row: &[Value]) -> Vec<u8> {
    if table.has_rowid() {
        let rowid = row.get(table.columns.len()).cloned().unwrap_or(Value::Null);
        return keys::row_key(table.id, &[&rowid]);
    }
    let pk: Vec<&Value> = table.primary_key.iter().map(|i| &row[*i]).collect();
    keys::row_key(table.id, &pk)
}

/// The entry of `row` in index `ix`: (key, whether it is the unique form).
pub fn index_entry(ix: &IndexDef, row: &[Value], row_key: &[u8]) -> (Vec<u8>, bool) {
    let values: Vec<(&Value, bool)> = ix.columns.iter().map(|(c, desc)| (&row[*c], *desc)).collect();
    let unique_form = ix.unique && values.iter().all(|(v, _)| !v.is_null());
    (keys::index_key(ix.id, &values, row_key, unique_form), unique_form)
}

/// Writes a row image and its index entries (no constraint checks).
///
/// # Errors
/// `Mismatch` when the row key or an index key is longer than
/// [`keys::MAX_KEY_LEN`]; nothing is written then.
pub fn put_row(tx: &mut WriteTx, table: &TableDef, key: Vec<u8>, row: &[Value]) -> Result<()> {
    keys::check_key_len(&key, &table.name, "the primary key")?;
    let entries: Vec<Vec<u8>> = table.indexes.iter().map(|ix| index_entry(ix, row, &key).0).collect();
    for (ik, ix) in entries.iter().zip(&table.indexes) {
        keys::check_key_len(ik, &table.name, &format!("the entry in index {}", ix.name))?;
    }
    for ik in entries {
        tx.put(Ks::Index, ik, key.clone())?;
    }
    let scn = tx.scn();
    let mut image = tx.image_buffer();
    encode_row_into(&mut image, scn, &row[..table.columns.len()]);
    if table.track_changes {
        match tx.take_update(&key) {
            Some(old) => changes::log(tx, table.id, ChangeOp::Update, &key, Some(&old), Some(&image)),
            None => changes::log(tx, table.id, ChangeOp::Insert, &key, None, Some(&image)),
        }
    }
    tx.put_image(key, image)
}

/// Removes a row image and its index entries. Under time travel the
/// committed image is kept as a version first; `ended_by` says whether a new
/// image under the same key replaces it (an UPDATE) or not. `scn` is the
/// stored image's SCN stamp when the caller read it (see `ScanPlan::with_scn`).
///
/// # Errors
/// Storage errors reading the image being superseded.
pub fn delete_row(
    tx: &mut WriteTx,
    table: &TableDef,
    key: Vec<u8>,
    row: &[Value],
    ended_by: EndedBy,
    scn: Option<u64>,
) -> Result<()> {
    if table.time_travel {
        let known = scn.map(|s| (s, &row[..table.columns.len()]));
        versions::supersede(tx, &key, ended_by, known)?;
    }
    if table.track_changes {
        let old = encode_row(scn.unwrap_or(0), &row[..table.columns.len()]);
        match ended_by {
            EndedBy::Update => tx.stash_update(key.clone(), old),
            EndedBy::Delete => changes::log(tx, table.id, ChangeOp::Delete, &key, Some(&old), None),
        }
    }
    for ix in &table.indexes {
        let (ik, _) = index_entry(ix, row, &key);
        tx.delete(Ks::Index, ik)?;
    }
    tx.delete(Ks::Rows, key)?;
    Ok(())
}

/// Names the columns of a constraint for its error message (`t.a, t.b`).
pub fn constraint_columns(table: &TableDef, cols: impl Iterator<Item = usize>) -> String {
    cols.map(|c| format!("{}.{}", table.name, table.columns.get(c).map_or("rowid", |x| x.name.as_str())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error for a duplicate primary key.
pub fn pk_violation(table: &TableDef) -> Error {
    let cols: Vec<usize> =
        if table.primary_key.is_empty() { vec![table.columns.len()] } else { table.primary_key.clone() };
    Error::Constraint(format!(
        "UNIQUE constraint failed: {} (primary key)",
        constraint_columns(table, cols.into_iter())
    ))
}

/// Finds a row key that conflicts with `row` on a unique index, if any.
///
/// # Errors
/// Storage errors.
pub fn unique_conflict(tx: &WriteTx, table: &TableDef, row: &[Value], key: &[u8]) -> Result<Option<(usize, Vec<u8>)>> {
    for (i, ix) in table.indexes.iter().enumerate().filter(|(_, ix)| ix.unique) {
        if let Some(other) = index_conflict(tx, ix, row, key)? {
            return Ok(Some((i, other)));
        }
    }
    Ok(None)
}

/// The key of another row that has `row`'s values in unique index `ix`
/// (none when `ix` is not unique or `row` has a NULL in it).
///
/// # Errors
/// Storage errors.
pub fn index_conflict(tx: &WriteTx, ix: &IndexDef, row: &[Value], key: &[u8]) -> Result<Option<Vec<u8>>> {
    Ok(index_holder(tx, ix, row, key)?.filter(|other| other != key))
}

/// The key of the row, possibly the one under `key` itself, that holds
/// `row`'s values in unique index `ix` (none when `ix` is not unique or
/// `row` has a NULL in it).
///
/// # Errors
/// Storage errors.
pub fn index_holder(tx: &WriteTx, ix: &IndexDef, row: &[Value], key: &[u8]) -> Result<Option<Vec<u8>>> {
    let (ik, unique_form) = index_entry(ix, row, key);
    if !ix.unique || !unique_form {
        return Ok(None);
    }
    Ok(tx.get(Ks::Index, &ik)?.map(|holder| holder.to_vec()))
}

/// The error for a unique-index violation.
pub fn unique_violation(table: &TableDef, index: usize) -> Error {
    let ix = &table.indexes[index];
    Error::Constraint(format!(
        "UNIQUE constraint failed: {}",
        constraint_columns(table, ix.columns.iter().map(|(c, _)| *c))
    ))
}
