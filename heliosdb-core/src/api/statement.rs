//! [`Statement`]: a parsed statement, executed any number of times.

use super::connection::Connection;
use super::params::{Params, ToSql};
use super::rows::{MappedRows, Row, Rows};
use super::session::{Outcome, PlanCache};
use crate::error::{Error, Result};
use crate::sql::parser::Parsed;
use crate::types::Value;

/// A prepared statement. It re-plans against the current schema at each
/// execution, so it stays valid across schema changes.
pub struct Statement<'conn> {
    conn: &'conn Connection,
    parsed: Parsed,
    bound: Vec<Value>,
    cache: PlanCache,
}

impl<'conn> Statement<'conn> {
    pub(crate) fn new(conn: &'conn Connection, parsed: Parsed) -> Statement<'conn> {
        let bound = vec![Value::Null; parsed.params.count()];
        Statement { conn, parsed, bound, cache: None }
    }

    fn run(&mut self, values: Vec<Value>) -> Result<Outcome> {
        self.conn.session.borrow_mut().execute(&self.parsed, values, Some(&mut self.cache))
    }

    /// Executes with `params`; returns rows changed.
    ///
    /// # Errors
    /// As [`Connection::execute`].
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.into_values(&self.parsed.params)?;
        Ok(self.run(values)?.changes as usize)
    }

    /// Runs the query with `params`.
    ///
    /// # Errors
    /// As [`Connection::execute`].
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows> {
        let values = params.into_values(&self.parsed.params)?;
        let out = self.run(values)?;
        Ok(Rows::new(out.columns, out.rows))
    }

    /// Runs the query and maps each row through `f`.
    ///
    /// # Errors
    /// As [`Statement::query`]; `f`'s errors come through the iterator.
    pub fn query_map<T, P: Params, F: FnMut(&Row) -> Result<T>>(&mut self, params: P, f: F) -> Result<MappedRows<F>> {
        Ok(self.query(params)?.mapped(f))
    }

    /// Runs the query and maps its first row.
    ///
    /// # Errors
    /// `QueryReturnedNoRows` when there is none.
    pub fn query_row<T, P: Params, F: FnOnce(&Row) -> Result<T>>(&mut self, params: P, f: F) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(row) => f(&row),
            None => Err(Error::QueryReturnedNoRows),
        }
    }

    /// Result column names (planned against the current schema).
    ///
    /// # Errors
    /// The statement no longer plans (a table it reads was dropped).
    pub fn column_names(&self) -> Result<Vec<String>> {
        Ok(self.conn.session.borrow().plan(&self.parsed)?.columns())
    }

    /// Number of parameter slots.
    pub fn parameter_count(&self) -> usize {
        self.parsed.params.count()
    }

    /// 1-based slot of a named parameter (`":name"`) or `"?N"`.
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        match self.parsed.params.index_of(name) {
            0 => None,
            i => Some(i),
        }
    }

    /// Binds one parameter (1-based) for [`Statement::raw_execute`].
    ///
    /// # Errors
    /// `Range` for a bad index.
    pub fn raw_bind_parameter<T: ToSql>(&mut self, index: usize, value: T) -> Result<()> {
        let slot = index.checked_sub(1).filter(|i| *i < self.bound.len()).ok_or_else(|| {
            Error::Range(format!("parameter index {index} is out of range (1 to {})", self.bound.len()))
        })?;
        self.bound[slot] = value.to_sql()?;
        Ok(())
    }

    /// Resets every bound parameter to NULL.
    pub fn clear_bindings(&mut self) {
        self.bound.iter_mut().for_each(|v| *v = Value::Null);
    }

    /// Executes with the raw-bound parameters (unbound ones are NULL).
    ///
    /// # Errors
    /// As [`Connection::execute`].
    pub fn raw_execute(&mut self) -> Result<Outcome> {
        let values = self.bound.clone();
        self.run(values)
    }
}
