//! The row an index entry stands for, built from the entry alone: the
//! indexed values from its key, the primary-key values (or rowid) from the
//! row key it points at, NULL for every other column (see
//! [`crate::sql::plan::ScanPlan::index_covers`] for when that row is enough).
//!
//! A covering-index scan builds one such row per entry, so what the table
//! and index definitions say (which slot each key value lands in, DESC,
//! a DECIMAL column's scale) is worked out once per scan in an
//! [`IndexRow`], not looked up again per entry.

use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::storage::keys;
use crate::types::keycode::{decode_value_dir_into, KeyDecodeError};
use crate::types::{DataType, Value};

/// Where an index entry's values go in the row it stands for.
pub(super) struct IndexRow<'a> {
    table: &'a TableDef,
    /// Each index key value in key order: its column's slot, whether it is
    /// stored DESC, and the column's DECIMAL scale.
    columns: Vec<(usize, bool, Option<u32>)>,
    /// Rowid tables: `Some(slot of the column aliasing the rowid, if any)`.
    rowid: Option<Option<usize>>,
    /// Other tables: the primary-key columns' slots and scales, in row-key order.
    primary_key: Vec<(usize, Option<u32>)>,
    /// The slots no entry writes: NULL in every row.
    others: Vec<usize>,
    /// The row's length: the columns, and the rowid for a rowid table.
    width: usize,
}

impl<'a> IndexRow<'a> {
    /// The layout of `table`'s index number `index`.
    ///
    /// # Errors
    /// `Corrupt` when the table has no such index or it names a column the
    /// table lacks.
    pub(super) fn new(table: &'a TableDef, index: usize) -> Result<IndexRow<'a>> {
        let ix = table.indexes.get(index).ok_or_else(|| damaged(table))?;
        let n = table.columns.len();
        let scale = |c: usize| match table.columns.get(c).map(|col| col.ty) {
            Some(DataType::Decimal { scale, .. }) => Some(u32::from(scale)),
            _ => None,
        };
        let in_range = |c: usize| if c < n { Ok(c) } else { Err(damaged(table)) };
        let columns =
            ix.columns.iter().map(|(c, desc)| Ok((in_range(*c)?, *desc, scale(*c)))).collect::<Result<Vec<_>>>()?;
        let (rowid, primary_key) = if table.has_rowid() {
            let alias = match (table.rowid_alias, table.primary_key.first()) {
                (true, Some(a)) => Some(in_range(*a)?),
                _ => None,
            };
            (Some(alias), Vec::new())
        } else {
            (None, table.primary_key.iter().map(|c| Ok((in_range(*c)?, scale(*c)))).collect::<Result<Vec<_>>>()?)
        };
        let written = |c: usize| {
            columns.iter().any(|(w, ..)| *w == c)
                || rowid.flatten() == Some(c)
                || primary_key.iter().any(|(w, _)| *w == c)
        };
        let others = (0..n).filter(|c| !written(*c)).collect();
        let width = n + usize::from(rowid.is_some());
        Ok(IndexRow { table, columns, rowid, primary_key, others, width })
    }

    /// The row for the entry `key` → `row_key`, written into `row` (its
    /// values replaced, its allocation reused): the table's columns, then
    /// the rowid for a rowid table. `Ok(false)` when a DECIMAL sits in a
    /// column of another type (the key holds no scale for it): the caller
    /// then reads the row itself.
    ///
    /// # Errors
    /// `Corrupt` when the entry is not a valid key.
    pub(super) fn fill(&self, key: &[u8], row_key: &[u8], row: &mut Vec<Value>) -> Result<bool> {
        // A row this layout filled last time is refilled in place: the
        // slots no entry writes are NULL again (unless a reader changed
        // them), the others are overwritten, an INTEGER or REAL without
        // moving a whole `Value` (see `decode_value_dir_into`). Any other
        // row starts over as all NULLs.
        if row.len() == self.width {
            for &c in &self.others {
                if !row[c].is_null() {
                    row[c] = Value::Null;
                }
            }
        } else {
            row.clear();
            row.resize_with(self.width, || Value::Null);
        }
        let mut input = keys::key_values(key).ok_or_else(|| damaged(self.table))?;
        for &(c, desc, scale) in &self.columns {
            // (Every slot is below `width`: checked when the layout was made.)
            match decode_value_dir_into(&mut input, desc, scale, &mut row[c]) {
                Ok(()) => {}
                Err(KeyDecodeError::NoScale) => return Ok(false),
                Err(KeyDecodeError::Damaged) => return Err(damaged(self.table)),
            }
        }
        match self.rowid {
            Some(alias) => {
                let rowid = keys::decode_rowid(row_key).ok_or_else(|| damaged(self.table))?;
                if let Some(a) = alias {
                    set_integer(&mut row[a], rowid);
                }
                set_integer(&mut row[self.width - 1], rowid);
            }
            None => {
                let mut input = keys::key_values(row_key).ok_or_else(|| damaged(self.table))?;
                for &(c, scale) in &self.primary_key {
                    match decode_value_dir_into(&mut input, false, scale, &mut row[c]) {
                        Ok(()) => {}
                        Err(KeyDecodeError::NoScale) => return Ok(false),
                        Err(KeyDecodeError::Damaged) => return Err(damaged(self.table)),
                    }
                }
            }
        }
        Ok(true)
    }

    /// [`IndexRow::fill`] into a new row; `None` where that answers `false`.
    ///
    /// # Errors
    /// As [`IndexRow::fill`].
    pub(super) fn build(&self, key: &[u8], row_key: &[u8]) -> Result<Option<Vec<Value>>> {
        let mut row = Vec::with_capacity(self.width);
        Ok(self.fill(key, row_key, &mut row)?.then_some(row))
    }
}

/// `slot` made `Integer(i)`, in place when it already is an integer.
fn set_integer(slot: &mut Value, i: i64) {
    match slot {
        Value::Integer(x) => *x = i,
        _ => *slot = Value::Integer(i),
    }
}

fn damaged(table: &TableDef) -> Error {
    Error::Corrupt(format!("an index entry of table {} is damaged", table.name))
}
