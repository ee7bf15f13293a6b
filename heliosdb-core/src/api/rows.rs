//! Result rows.

use super::params::{FromSql, RowIndex};
use crate::error::{Error, Result};
use crate::exec::spill::SpooledRows;
use crate::types::Value;
use std::sync::Arc;

/// One result row.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<Vec<String>>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(columns: Arc<Vec<String>>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The value of a column converted to `T`.
    ///
    /// # Errors
    /// Bad index or name (`Range`), or a value that does not convert (`Mismatch`,
    /// naming the column).
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        let i = idx.index(&self.columns)?;
        T::from_sql(&self.values[i]).map_err(|e| match e {
            Error::Mismatch(m) => Error::Mismatch(format!("column {i} ({}): {m}", self.columns[i])),
            other => other,
        })
    }

    /// The raw value of a column.
    ///
    /// # Errors
    /// Bad index or name.
    pub fn get_ref<I: RowIndex>(&self, idx: I) -> Result<&Value> {
        let i = idx.index(&self.columns)?;
        Ok(&self.values[i])
    }

    /// All values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Column names.
    pub fn column_names(&self) -> &[String] {
        &self.columns
    }
}

/// The rows of a query, read with `while let Some(row) = rows.next()? { … }`.
#[derive(Debug)]
pub struct Rows {
    columns: Arc<Vec<String>>,
    iter: SpooledRows,
}

impl Rows {
    pub(crate) fn new(columns: Vec<String>, rows: SpooledRows) -> Rows {
        Rows { columns: Arc::new(columns), iter: rows }
    }

    /// The next row, or `None` at the end.
    ///
    /// # Errors
    /// Results are computed before the first row is returned; a result
    /// larger than the statement's working memory is read back from a
    /// temporary file, and a failed read is [`Error::Io`].
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row>> {
        self.iter.next().transpose().map(|v| v.map(|v| Row::new(Arc::clone(&self.columns), v)))
    }

    /// Column names.
    pub fn column_names(&self) -> &[String] {
        &self.columns
    }

    /// Maps every row through `f`.
    pub fn mapped<T, F: FnMut(&Row) -> Result<T>>(self, f: F) -> MappedRows<F> {
        MappedRows { rows: self, f }
    }
}

/// An iterator of rows mapped through a closure (from `query_map`).
pub struct MappedRows<F> {
    rows: Rows,
    f: F,
}

impl<T, F: FnMut(&Row) -> Result<T>> Iterator for MappedRows<F> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(row)) => Some((self.f)(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
