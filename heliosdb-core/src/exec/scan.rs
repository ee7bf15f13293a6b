//! Scans: turning an access path into key ranges, and key-value pairs into rows.

use super::eval::{eval, EvalCtx};
use super::index_row::IndexRow;
use super::ranked_scan;
use super::temporal;
use super::RowIter;
use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::sql::plan::{Access, KeyAccess, Plan, ScanPlan, Temporal};
use crate::storage::{keys, reversed, versions, Ks, Reader};
use crate::temporal::leases::Lease;
use crate::types::cast::coerce_to_column;
use crate::types::compare::sql_cmp;
use crate::types::keycode::{encode_value_dir, prefix_successor};
use crate::types::rowcodec::{decode_columns_into, row_scn};
use crate::types::{DataType, Value};
use std::cmp::Ordering;
use std::ops::Bound;

/// Where a scan reads: one key, or a key range.
#[derive(Debug, PartialEq)]
pub(super) enum KeyRange {
    /// Exactly this key (equality on a whole primary key or unique index).
    Point(Vec<u8>),
    /// Every key within the bounds.
    Span(Bound<Vec<u8>>, Bound<Vec<u8>>),
}

impl KeyRange {
    fn start(&self) -> &[u8] {
        match self {
            KeyRange::Point(k) => k,
            KeyRange::Span(Bound::Included(k) | Bound::Excluded(k), _) => k,
            KeyRange::Span(Bound::Unbounded, _) => &[],
        }
    }
}

/// Decodes a stored row: the needed columns, then the rowid for rowid tables.
///
/// # Errors
/// Damaged row data.
pub fn decode_stored_row(table: &TableDef, key: &[u8], value: &[u8], needed: &[bool]) -> Result<Vec<Value>> {
    // Room for the rowid and an SCN stamp without reallocating.
    let mut row = Vec::with_capacity(table.columns.len().max(needed.len()) + 2);
    decode_stored_row_into(table, || keys::decode_rowid(key), value, needed, &mut row)?;
    Ok(row)
}

/// [`decode_stored_row`] into `row`, reusing its values' memory (a batch
/// scan decodes into the same buffers row after row). `rowid` reads the
/// row's rowid from wherever the caller has it (its key, or its page's).
///
/// # Errors
/// Damaged row data.
pub(crate) fn decode_stored_row_into(
    table: &TableDef,
    rowid: impl FnOnce() -> Option<i64>,
    value: &[u8],
    needed: &[bool],
    row: &mut Vec<Value>,
) -> Result<()> {
    let at = table.columns.len().max(needed.len());
    decode_columns_into(value, needed, at, row)?;
    if !table.has_rowid() {
        row.truncate(at);
        return Ok(());
    }
    let rowid = rowid().ok_or_else(|| Error::Corrupt("row key is damaged".into()))?;
    // Row after row of a batch scan the rowid slot is already an integer:
    // overwrite it in place rather than push a new value.
    row.truncate(at + 1);
    match row.get_mut(at) {
        Some(Value::Integer(r)) => *r = rowid,
        Some(slot) => *slot = Value::Integer(rowid),
        None => {
            row.resize(at, Value::Null);
            row.push(Value::Integer(rowid));
        }
    }
    Ok(())
}

/// The one range holding every row of `table`.
fn full_range(table: &TableDef) -> Vec<KeyRange> {
    let (lo, hi) = keys::prefix_bounds(&keys::object_prefix(table.id));
    vec![KeyRange::Span(lo, hi)]
}

/// The key ranges a batch scan (`exec::batch`) reads for `sp`, and the
/// index they are ranges of when it reads a covering index (`None`: the
/// primary key); or `None` when the scan is not one it runs: only reads in
/// key order of one state (the present, or the past `AS OF` a point, which
/// reads the primary key) qualify, through the primary key or an index that
/// holds every column the scan needs (history reads hand out several
/// versions a row, other index reads fetch rows one by one, ranked views
/// number their rows).
///
/// # Errors
/// Evaluation errors in key expressions.
pub(super) fn batch_ranges(sp: &ScanPlan, ctx: &EvalCtx) -> Result<Option<(Vec<KeyRange>, Option<usize>)>> {
    let as_of = match &sp.temporal {
        Some(Temporal::History { .. }) => return Ok(None),
        Some(Temporal::AsOf { .. }) => true,
        None => ctx.as_of_default.is_some(),
    };
    if sp.reverse || sp.table.ranked().is_some() {
        return Ok(None);
    }
    let full = || full_range(&sp.table);
    Ok(match &sp.access {
        Access::Full => Some((full(), None)),
        Access::Key(ka) => match ka.index {
            None => Some((key_ranges(sp, ka, ctx)?.unwrap_or_else(full), None)),
            // Indexes hold the present only: a read of the past uses the primary key.
            Some(_) if as_of => Some((full(), None)),
            // (As `scan_from`: an index access with no usable key reads the table.)
            Some(i) if sp.index_covers(i) => Some(match key_ranges(sp, ka, ctx)? {
                Some(ranges) => (ranges, Some(i)),
                None => (full(), None),
            }),
            Some(_) => None,
        },
    })
}

/// The point a scan reads the past at, leased for as long as the scan
/// holds it: its `AS OF`, else the transaction's (`BEGIN … AS OF`), else
/// `None` (the present; a history read is not a point).
///
/// # Errors
/// A point that cannot be resolved or read (in the future, older than the
/// history kept, before the table existed).
pub(super) fn as_of_lease(reader: &dyn Reader, sp: &ScanPlan, ctx: &EvalCtx) -> Result<Option<Lease>> {
    Ok(match &sp.temporal {
        Some(Temporal::AsOf { kind, point }) => Some(temporal::resolve(reader, &sp.table, *kind, point, ctx)?),
        Some(Temporal::History { .. }) => None,
        None => match ctx.as_of_default {
            Some(scn) => Some(temporal::lease_for(reader, &sp.table, scn)?),
            None => None,
        },
    })
}

fn column_type(table: &TableDef, col: usize) -> DataType {
    table.columns.get(col).map_or(DataType::Integer, |c| c.ty)
}

fn same_family(ty: DataType, v: &Value) -> bool {
    match ty {
        DataType::Integer | DataType::Real | DataType::Decimal { .. } | DataType::Boolean => {
            matches!(v, Value::Integer(_) | Value::Real(_) | Value::Decimal(_) | Value::Boolean(_))
        }
        // Date/time columns hold text; a key is normalised like a stored value.
        DataType::Text | DataType::Json | DataType::Temporal(_) => matches!(v, Value::Text(_)),
        DataType::Blob => matches!(v, Value::Blob(_)),
        DataType::Any | DataType::Numeric => false,
    }
}

/// A key value for a column: `Ok(Some)` exact, `Ok(None)` when no stored value
/// can equal it, `Err(())` when the key cannot be used (fall back to a full scan).
fn key_value(table: &TableDef, col: usize, v: Value) -> std::result::Result<Option<Value>, ()> {
    if v.is_null() {
        return Ok(None);
    }
    let ty = column_type(table, col);
    if !same_family(ty, &v) {
        return Err(());
    }
    match coerce_to_column(v.clone(), ty, "", "") {
        Ok(c) if sql_cmp(&c, &v) == Some(Ordering::Equal) => Ok(Some(c)),
        _ => Ok(None),
    }
}

/// The key ranges of a key access; `None` means "use a full scan instead".
pub(super) fn key_ranges(sp: &ScanPlan, ka: &KeyAccess, ctx: &EvalCtx) -> Result<Option<Vec<KeyRange>>> {
    let table = &sp.table;
    if table.ranked().is_some() {
        // Its key is not its columns' values: partitions, read whole.
        return Ok(match ka.index {
            None => Some(ranked_scan::partitions(table.id, ka, ctx)?),
            Some(_) => None,
        });
    }
    let cols = sp.key_columns(ka.index);
    let id = match ka.index {
        Some(i) => table.indexes[i].id,
        None => table.id,
    };
    let mut ranges = Vec::new();
    'alternatives: for alt in &ka.prefixes {
        let mut prefix = keys::object_prefix(id);
        for (e, (col, desc)) in alt.iter().zip(&cols) {
            match key_value(table, *col, eval(e, &[], ctx)?) {
                Ok(Some(v)) => encode_value_dir(&mut prefix, &v, *desc),
                Ok(None) => continue 'alternatives,
                Err(()) => return Ok(None),
            }
        }
        let whole_key = alt.len() == cols.len() && ka.index.map_or(true, |i| table.indexes[i].unique);
        if whole_key && ka.lo.is_none() && ka.hi.is_none() {
            ranges.push(KeyRange::Point(prefix));
            continue;
        }
        let next = cols.get(alt.len()).copied();
        let bound =
            |b: &Option<(crate::sql::expr::Expr, bool)>| -> Result<std::result::Result<Option<(Vec<u8>, bool)>, ()>> {
                let (Some((e, incl)), Some((col, desc))) = (b, next) else { return Ok(Ok(None)) };
                Ok(match key_value(table, col, eval(e, &[], ctx)?) {
                    Ok(Some(v)) => {
                        let mut k = prefix.clone();
                        encode_value_dir(&mut k, &v, desc);
                        Ok(Some((k, *incl)))
                    }
                    Ok(None) => Ok(None), // e.g. `int_col > 2.5`: the filter decides
                    Err(()) => Err(()),
                })
            };
        let (Ok(lo), Ok(hi)) = (bound(&ka.lo)?, bound(&ka.hi)?) else { return Ok(None) };
        let lo = match lo {
            Some((k, true)) => Bound::Included(k),
            Some((k, false)) => match prefix_successor(&k) {
                Some(s) => Bound::Included(s),
                None => continue,
            },
            None => Bound::Included(prefix.clone()),
        };
        let hi = match hi {
            Some((k, true)) => prefix_successor(&k).map_or(Bound::Unbounded, Bound::Excluded),
            Some((k, false)) => Bound::Excluded(k),
            None => prefix_successor(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
        };
        ranges.push(KeyRange::Span(lo, hi));
    }
    // IN lists may repeat a value or come unordered: read each range once, in key order.
    ranges.sort_by(|a, b| a.start().cmp(b.start()));
    ranges.dedup();
    Ok(Some(ranges))
}

/// Whether the scan under `plan` (through projections and filters) reads
/// one range of an index when it runs: the rows then come in index order.
/// It does not when it reads the past (indexes hold the present only) or
/// when its key values cannot be encoded (it falls back to a full scan).
///
/// # Errors
/// Evaluation errors in key expressions.
pub(super) fn reads_index_in_order(plan: &Plan, ctx: &EvalCtx) -> Result<bool> {
    match plan {
        Plan::Project { input, .. } | Plan::Filter { input, .. } => reads_index_in_order(input, ctx),
        Plan::Scan(sp) => match &sp.access {
            Access::Key(ka) if ka.index.is_some() && sp.temporal.is_none() && ctx.as_of_default.is_none() => {
                Ok(key_ranges(sp, ka, ctx)?.is_some_and(|r| r.len() <= 1))
            }
            _ => Ok(false),
        },
        _ => Ok(false),
    }
}

/// `iter` without its first `n` successful items, which are counted, not
/// used; an error among them still surfaces.
fn skip_ok<T, E>(
    iter: impl Iterator<Item = std::result::Result<T, E>>,
    n: usize,
) -> impl Iterator<Item = std::result::Result<T, E>> {
    let mut to_skip = n;
    iter.filter(move |item| {
        let pass = to_skip > 0 && item.is_ok();
        to_skip -= usize::from(pass);
        !pass
    })
}

/// The entries of `batches` after the first `*to_skip`, which are passed
/// over a batch (a page) at a time: a whole batch by its length, without
/// building an entry or a row (`ORDER BY indexed LIMIT 10 OFFSET 90000`
/// reads 90,000 index entries). Takes what it passed over from `*to_skip`.
/// Read eagerly up to the first entry kept; checks for an interrupt per batch.
fn skip_batches<'a>(mut batches: crate::storage::BatchIter<'a>, to_skip: &mut usize) -> crate::storage::KvIter<'a> {
    while *to_skip > 0 {
        let batch = match batches.next() {
            None => return Box::new(std::iter::empty()),
            Some(Ok(b)) => b,
            Some(Err(e)) => return Box::new(std::iter::once(Err(e))),
        };
        if let Err(e) = crate::interrupt::check() {
            return Box::new(std::iter::once(Err(e)));
        }
        if batch.len() <= *to_skip {
            *to_skip -= batch.len();
            continue;
        }
        let kept: Vec<_> = batch.entries_from(*to_skip).map(Ok).collect();
        *to_skip = 0;
        return Box::new(kept.into_iter().chain(crate::storage::batch::unbatched(batches)));
    }
    crate::storage::batch::unbatched(batches)
}

/// Streams the rows a scan plan selects (before any filter).
///
/// # Errors
/// Evaluation errors in key expressions; an `AS OF` point that cannot be read.
pub fn scan<'a>(reader: &'a dyn Reader, sp: &'a ScanPlan, ctx: &EvalCtx) -> Result<RowIter<'a>> {
    scan_from(reader, sp, ctx, 0)
}

/// [`scan`] without its first `skip` rows, which are passed over without
/// being decoded (through an index: without reading the rows the entries
/// point at). An OFFSET over an index read uses it.
///
/// # Errors
/// As [`scan`].
pub fn scan_from<'a>(reader: &'a dyn Reader, sp: &'a ScanPlan, ctx: &EvalCtx, skip: usize) -> Result<RowIter<'a>> {
    let table = &sp.table;
    if let Some(Temporal::History { kind, from, to }) = &sp.temporal {
        return Ok(Box::new(skip_ok(temporal::history_scan(reader, sp, *kind, from, to, ctx)?, skip)));
    }
    let lease = as_of_lease(reader, sp, ctx)?;
    let as_of = lease.as_ref().map(Lease::scn);
    let full = || full_range(table);
    // A ranked view is numbered over whole partitions in key order.
    let ranked = table.ranked();
    let (ranges, via_index) = match &sp.access {
        Access::Key(ka) if ranked.is_some() && ka.index.is_none() => {
            (key_ranges(sp, ka, ctx)?.unwrap_or_else(full), false)
        }
        _ if ranked.is_some() => (full(), false),
        // Indexes hold the present only: a read of the past uses the primary key.
        Access::Key(ka) if ka.index.is_some() && as_of.is_some() => (full(), false),
        Access::Key(ka) => match key_ranges(sp, ka, ctx)? {
            Some(r) => (r, ka.index.is_some()),
            None => (full(), false),
        },
        Access::Full => (full(), false),
    };
    let ks = if via_index { Ks::Index } else { Ks::Rows };
    let needed = match ranked {
        Some(layout) => ranked_scan::needed(&sp.needed, layout),
        None => sp.needed.clone(),
    };
    // An index access that fell back to the primary key has no order to
    // keep backwards (its sort runs), and reversing would buffer the table.
    let reverse =
        ranked.is_none() && sp.reverse && (via_index || !matches!(&sp.access, Access::Key(ka) if ka.index.is_some()));
    let mut ranges = ranges;
    if reverse {
        ranges.reverse();
    }
    // A read of the present forwards passes over the first `skip` entries a
    // page at a time (see `skip_batches`); any other passes over rows.
    let by_batch = !reverse && as_of.is_none() && ranked.is_none();
    let mut to_skip = if by_batch { skip } else { 0 };
    let entries = ranges.into_iter().flat_map(move |r| -> crate::storage::KvIter<'a> {
        match (r, as_of) {
            (KeyRange::Span(lo, hi), None) if to_skip > 0 => {
                skip_batches(reader.scan_batches(ks, lo, hi), &mut to_skip)
            }
            (KeyRange::Span(lo, hi), None) if reverse => reader.scan_rev(ks, lo, hi),
            (KeyRange::Span(lo, hi), None) => reader.scan(ks, lo, hi),
            // The past is merged forward from the rows and their versions.
            (KeyRange::Span(lo, hi), Some(scn)) if reverse => reversed(versions::scan_as_of(reader, lo, hi, scn)),
            (KeyRange::Span(lo, hi), Some(scn)) => versions::scan_as_of(reader, lo, hi, scn),
            (KeyRange::Point(k), _) => {
                let found = match as_of {
                    None => reader.get(ks, &k),
                    Some(scn) => versions::get_as_of(reader, &k, scn),
                };
                match found {
                    Ok(Some(_)) if to_skip > 0 => {
                        to_skip -= 1;
                        Box::new(std::iter::empty())
                    }
                    Ok(Some(v)) => Box::new(std::iter::once(Ok((crate::storage::Bytes::from(k), v)))),
                    Ok(None) => Box::new(std::iter::empty()),
                    Err(e) => Box::new(std::iter::once(Err(e))),
                }
            }
        }
    });
    let with_scn = sp.with_scn;
    // Index-only: the entry holds every column decoded, so the row is not read.
    let covering = match &sp.access {
        Access::Key(KeyAccess { index: Some(i), .. }) if via_index && sp.index_covers(*i) => {
            Some(IndexRow::new(table, *i)?)
        }
        _ => None,
    };
    // A ranked view's rows are numbered first, then skipped.
    let skip_entries = if ranked.is_some() || by_batch { 0 } else { skip };
    let iter = skip_ok(entries, skip_entries).map(move |kv| {
        let _held = &lease; // the point stays leased while the scan runs
        let (k, v) = kv?;
        if let Some(layout) = &covering {
            if let Some(row) = layout.build(&k, &v)? {
                return Ok(row);
            }
        }
        let (key, image) = if via_index {
            let row = reader
                .get(Ks::Rows, &v)?
                .ok_or_else(|| Error::Corrupt(format!("index of table {} points at a missing row", table.name)))?;
            (v, row)
        } else {
            (k, v)
        };
        let mut row = decode_stored_row(table, &key, &image, &needed)?;
        if with_scn {
            row.push(Value::Integer(row_scn(&image)? as i64));
        }
        Ok(row)
    });
    let Some(layout) = ranked else { return Ok(Box::new(iter)) };
    let numbered = ranked_scan::number(Box::new(iter), layout);
    if !sp.reverse {
        return Ok(Box::new(skip_ok(numbered, skip)));
    }
    // Backwards: numbered forwards, then turned round.
    let mut rows = numbered.collect::<Result<Vec<_>>>()?;
    rows.reverse();
    Ok(Box::new(skip_ok(rows.into_iter().map(Ok), skip)))
}
