//! Ranked views: `SELECT …, RANK() OVER (PARTITION BY p ORDER BY o) … FROM t`
//! (RANK, DENSE_RANK and ROW_NUMBER over one window) kept row by row.
//!
//! A stored rank would move for every row after an inserted or deleted one,
//! so a 1% change would rewrite nearly the whole view. Instead each base
//! row's view row is stored under (partition, sort key, base row key) — the
//! window's own order — with its rank columns NULL, and a scan numbers them
//! as it passes (`exec::ranked_scan`). A change then writes exactly the view
//! rows of the base rows it changed: an update deletes the old row's entry
//! and puts the new one. The sort key is encoded by
//! [`crate::types::keycode::encode_sort_key`], whose byte order is ORDER BY's
//! and whose equal bytes are peers.

use super::analyze::{Maintained, Shape};
use super::refresh::put_if_changed;
use super::source::Event;
use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::memory::{KeyMap, WorkMemory};
use crate::exec::pair_sort::PairSorter;
use crate::exec::scan::decode_stored_row;
use crate::exec::write::put_row;
use crate::storage::{keys, Ks, Reader, WriteTx};
use crate::types::keycode::{encode_partition_value, encode_sort_key};
use crate::types::rowcodec::{begin_row, decode_row, push_blob, push_field, row_scn};
use crate::types::Value;
use std::sync::Arc;

/// Bytes of a row image before its columns (the SCN stamp).
const STAMP: usize = 8;

/// Hidden column: a row's encoded sort key within its partition.
pub const ORDER_COLUMN: &str = "heliosdb_order";

/// What a refresh does to one stored row.
#[derive(Debug)]
pub struct Change {
    /// Whether the row was stored before the refresh (its first event
    /// removed it), so writing it must first read what is there.
    existed: bool,
    /// The row image to store (stamped 0), or `None` to remove it.
    new: Option<Vec<u8>>,
}

/// What a refresh writes.
pub enum Delta {
    /// Incremental: the stored rows the logged changes put or remove, by key.
    Changes(KeyMap<Vec<u8>, Change>),
    /// Full: every row the view holds now (key, image stamped 0), sorted by
    /// key (in the statement's working memory, spilling past it).
    All(Box<dyn Iterator<Item = Result<(Vec<u8>, Vec<u8>)>>>),
}

/// The stored key and row image (stamped 0) of input row `row` (base key
/// `key`), built without an intermediate `Vec<Value>`: a full refresh
/// holds one of these per row of the view.
fn stored(m: &Maintained, view: &TableDef, row: &[Value], key: &[u8], ctx: &EvalCtx) -> Result<(Vec<u8>, Vec<u8>)> {
    let Shape::Ranked { exprs, partition, order } = &m.shape else {
        return Err(Error::Corrupt(format!("materialized view {} is not a ranked view", view.name)));
    };
    // The key is the three parts side by side, unescaped: the partition and
    // the sort key are self-delimiting encodings, and the base key comes last.
    // Room for typical keys up front: growing it a byte at a time through
    // the encoders reallocated several times per row.
    let mut row_key = Vec::with_capacity(64 + key.len());
    row_key.extend_from_slice(&keys::object_prefix(view.id));
    let start = row_key.len();
    for e in partition {
        encode_partition_value(&mut row_key, &eval(e, row, ctx)?);
    }
    let part_end = row_key.len();
    for (e, desc, nulls_first) in order {
        encode_sort_key(&mut row_key, &eval(e, row, ctx)?, *desc, *nulls_first);
    }
    let order_end = row_key.len();
    row_key.extend_from_slice(key);
    let mut image = Vec::with_capacity(16 + row_key.len() * 2);
    begin_row(&mut image, 0, exprs.len() + 3);
    for e in exprs {
        push_field(&mut image, &eval(e, row, ctx)?);
    }
    push_blob(&mut image, &row_key[start..part_end]);
    push_blob(&mut image, &row_key[part_end..order_end]);
    push_blob(&mut image, key);
    Ok((row_key, image))
}

/// The values of a row image built by [`stored`].
fn values(view: &TableDef, image: &[u8]) -> Result<Vec<Value>> {
    decode_row(image, view.columns.len())
}

/// Folds input events, in order, into the stored rows they put or remove.
///
/// # Errors
/// Evaluation errors, and those `feed` returns.
pub fn changes(
    m: &Maintained,
    view: &TableDef,
    ctx: &EvalCtx,
    feed: &mut dyn FnMut(&mut dyn FnMut(Event) -> Result<()>) -> Result<()>,
) -> Result<Delta> {
    let mut out: KeyMap<Vec<u8>, Change> = KeyMap::default();
    feed(&mut |(sign, row, key)| {
        let (row_key, image) = stored(m, view, row, &key, ctx)?;
        let new = (sign > 0).then_some(image);
        // Events come in order and leave before they enter, and the view
        // held its query's rows at its SCN: a key whose first event adds it
        // was not stored.
        out.entry(row_key).and_modify(|c| c.new = new.clone()).or_insert(Change { existed: sign < 0, new });
        Ok(())
    })?;
    Ok(Delta::Changes(out))
}

/// Every row the view should hold, from a feed of the input rows now
/// (all `+1`), sorted by stored key for [`apply`]'s merge through a sort
/// that spills past `mem` (a full refresh of a large view stays within the
/// statement's working memory).
///
/// # Errors
/// Evaluation errors, those `feed` returns, and spill I/O errors.
pub fn all(
    m: &Maintained,
    view: &TableDef,
    ctx: &EvalCtx,
    mem: &Arc<WorkMemory>,
    feed: &mut dyn FnMut(&mut dyn FnMut(Event) -> Result<()>) -> Result<()>,
) -> Result<Delta> {
    // Stored keys are order-preserving encodings: sorted as bytes.
    let mut sorter = PairSorter::new(mem);
    feed(&mut |(_, row, key)| {
        let (row_key, image) = stored(m, view, row, &key, ctx)?;
        sorter.push(&row_key, &image)
    })?;
    let rows = sorter.finish()?;
    Ok(Delta::All(Box::new(rows)))
}

/// Writes `delta` into the view inside `tx`; returns the rows written or
/// removed. A full refresh merges the new rows with the stored ones in key
/// order: rows stored as they should be (equal encodings past the SCN
/// stamp) are left alone, so a full refresh writes what an incremental one
/// would.
///
/// # Errors
/// Storage errors; damaged rows.
pub fn apply(tx: &mut WriteTx, view: &TableDef, delta: Delta) -> Result<u64> {
    let all = vec![true; view.columns.len()];
    let mut changed = 0;
    let rows = match delta {
        Delta::Changes(rows) => rows,
        Delta::All(rows) => {
            let (lo, hi) = keys::prefix_bounds(&keys::object_prefix(view.id));
            // (key, stored row and its stamp, new row): the writes, decided
            // in one ordered pass and made after it.
            type Write = (Vec<u8>, Option<(Vec<Value>, u64)>, Option<Vec<u8>>);
            let mut writes: Vec<Write> = Vec::new();
            let mut new = rows.peekable();
            for kv in tx.scan(Ks::Rows, lo, hi) {
                let (k, v) = kv?;
                // New rows before this stored one are added.
                loop {
                    match new.peek() {
                        Some(Ok((nk, _))) if nk.as_slice() < &*k => {}
                        Some(Err(_)) => {}
                        _ => break,
                    }
                    if let Some((nk, nr)) = new.next().transpose()? {
                        writes.push((nk, None, Some(nr)));
                    }
                }
                let same_key = matches!(new.peek(), Some(Ok((nk, _))) if nk.as_slice() == &*k);
                let replacement = if same_key { new.next().transpose()?.map(|(_, nr)| nr) } else { None };
                if replacement.as_ref().is_some_and(|nr| nr.get(STAMP..) == v.get(STAMP..)) {
                    continue;
                }
                writes.push((k.to_vec(), Some((decode_stored_row(view, &k, &v, &all)?, row_scn(&v)?)), replacement));
            }
            for rest in new {
                let (nk, nr) = rest?;
                writes.push((nk, None, Some(nr)));
            }
            for (k, old, new) in writes {
                let (old, scn) = old.map_or((None, None), |(row, scn)| (Some(row), Some(scn)));
                let new = new.map(|image| values(view, &image)).transpose()?;
                changed += put_if_changed(tx, view, k, old, new, scn)?;
            }
            return Ok(changed);
        }
    };
    for (k, Change { existed, new }) in rows {
        let new = new.map(|image| values(view, &image)).transpose()?;
        if !existed {
            if let Some(new) = new {
                put_row(tx, view, k, &new)?;
                changed += 1;
            }
            continue;
        }
        let old = match tx.get(Ks::Rows, &k)? {
            Some(v) => Some((decode_stored_row(view, &k, &v, &all)?, row_scn(&v)?)),
            None => None,
        };
        let (old, scn) = old.map_or((None, None), |(row, scn)| (Some(row), Some(scn)));
        changed += put_if_changed(tx, view, k, old, new, scn)?;
    }
    Ok(changed)
}
