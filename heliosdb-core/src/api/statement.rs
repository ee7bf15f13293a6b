//! [`Statement`]: a parsed statement, executed any number of times.

use super::connection::Connection;
use super::params::{Params, ToSql};
use super::rows::{MappedRows, Row, Rows};
use super::session::{Outcome, PlanCache};
use crate::error::{Error, Result};
use crate::sql::parser::Parsed;
use crate::types::Value;

/// A parsed statement that belongs to no connection borrow: what the C ABI
/// and other long-lived handles keep. Run it with [`Connection::run_prepared`].
/// It re-plans against the current schema when the schema changed.
#[derive(Debug)]
pub struct PreparedStatement {
    parsed: Parsed,
    cache: PlanCache,
}

impl PreparedStatement {
    /// Number of parameter slots.
    pub fn parameter_count(&self) -> usize {
        self.parsed.params.count()
    }

    /// 1-based slot of a named parameter (`":name"`) or `"?N"`; `None` if absent.
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        match self.parsed.params.index_of(name) {
            0 => None,
            i => Some(i),
        }
    }

    /// The catalog version of the plan the last run used (`None` before the
    /// first run): it changes exactly when a schema change re-planned it.
    pub fn plan_version(&self) -> Option<u64> {
        self.cache.as_ref().map(|(v, _)| *v)
    }

    /// The declared types of the result columns of the plan the last run
    /// used (see [`Connection::describe`]); `None` before the first run.
    pub fn plan_decltypes(&self) -> Option<Vec<Option<String>>> {
        self.cache.as_ref().map(|(_, p)| p.decltypes())
    }

    /// The name (with its prefix, `":name"`) of 1-based parameter slot
    /// `index`; `None` for `?`/`?N` parameters and out-of-range slots.
    pub fn parameter_name(&self, index: usize) -> Option<&str> {
        self.parsed.params.names.get(index.checked_sub(1)?)?.as_deref()
    }

    /// Whether running the statement cannot change the database: queries,
    /// EXPLAIN and transaction control (as SQLite's `sqlite3_stmt_readonly`).
    pub fn is_read_only(&self) -> bool {
        use sqlparser::ast::Statement as Ast;
        match &self.parsed.ast {
            Ast::Query(q) => crate::sql::planner::with_dml(q).is_none(),
            Ast::Explain { .. } | Ast::StartTransaction { .. } | Ast::Commit { .. } => true,
            Ast::Rollback { .. } | Ast::Savepoint { .. } | Ast::ReleaseSavepoint { .. } => true,
            // `BEGIN … AS OF` is carried as a SET marker; other SETs are statements
            // HeliosDB adds (REFRESH, REINDEX) that write.
            Ast::Set(sqlparser::ast::Set::SingleAssignment { variable, .. }) => {
                crate::sql::parser::time_travel::marker(
                    &variable.to_string().to_ascii_lowercase(),
                    crate::sql::parser::time_travel::BEGIN_AS_OF,
                )
                .is_some()
            }
            _ => false,
        }
    }
}

impl Connection {
    /// Parses one statement into an owned [`PreparedStatement`].
    ///
    /// # Errors
    /// Syntax errors; `Misuse` for zero or several statements.
    pub fn prepare_owned(&self, sql: &str) -> Result<PreparedStatement> {
        Ok(PreparedStatement { parsed: Connection::parse_one(sql)?, cache: None })
    }

    /// Runs a prepared statement with one value per parameter slot.
    ///
    /// # Errors
    /// As [`Connection::execute`].
    pub fn run_prepared(&self, st: &mut PreparedStatement, values: Vec<Value>) -> Result<Outcome> {
        let mut values = values;
        self.run_prepared_reusing(st, &mut values)
    }

    /// [`Connection::run_prepared`] with the values in `values`, which is
    /// left empty with its allocation (whatever the outcome), for the next
    /// run to fill: a caller running one statement many times allocates
    /// its parameter vector once.
    ///
    /// # Errors
    /// As [`Connection::execute`].
    pub fn run_prepared_reusing(&self, st: &mut PreparedStatement, values: &mut Vec<Value>) -> Result<Outcome> {
        if let Err(e) = super::params::check_count(values.len(), &st.parsed.params) {
            values.clear();
            return Err(e);
        }
        self.session.borrow_mut().execute_reusing(&st.parsed, values, Some(&mut st.cache))
    }

    /// Result column names of a prepared statement under the current schema.
    ///
    /// # Errors
    /// The statement no longer plans (a table it reads was dropped).
    pub fn columns_of(&self, st: &PreparedStatement) -> Result<Vec<String>> {
        Ok(self.describe(st)?.0)
    }

    /// Result column names and declared types (`Some("DECIMAL(15,2)")` for
    /// a column read unchanged from a table, `None` for expressions) of a
    /// prepared statement under the current schema.
    ///
    /// # Errors
    /// The statement no longer plans (a table it reads was dropped).
    pub fn describe(&self, st: &PreparedStatement) -> Result<(Vec<String>, Vec<Option<String>>)> {
        let plan = self.session.borrow().plan(&st.parsed)?;
        Ok((plan.columns(), plan.decltypes()))
    }
}

/// A prepared statement bound to its connection (the rusqlite shape).
pub struct Statement<'conn> {
    conn: &'conn Connection,
    inner: PreparedStatement,
    bound: Vec<Value>,
    /// The last run's parameter vector, emptied: the next run fills it.
    spare: Vec<Value>,
}

impl<'conn> Statement<'conn> {
    pub(crate) fn new(conn: &'conn Connection, parsed: Parsed) -> Statement<'conn> {
        let bound = vec![Value::Null; parsed.params.count()];
        Statement { conn, inner: PreparedStatement { parsed, cache: None }, bound, spare: Vec::new() }
    }

    /// Runs with `params`, written into the spare parameter vector.
    fn run<P: Params>(&mut self, params: P) -> Result<Outcome> {
        let mut values = std::mem::take(&mut self.spare);
        let out = params
            .write_values(&self.inner.parsed.params, &mut values)
            .and_then(|()| self.conn.run_prepared_reusing(&mut self.inner, &mut values));
        values.clear();
        self.spare = values;
        out
    }

    /// Executes with `params`; returns rows changed.
    ///
    /// # Errors
    /// As [`Connection::execute`].
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        Ok(self.run(params)?.changes as usize)
    }

    /// Runs the query with `params`.
    ///
    /// # Errors
    /// As [`Connection::execute`].
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows> {
        let out = self.run(params)?;
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
        self.conn.columns_of(&self.inner)
    }

    /// Number of parameter slots.
    pub fn parameter_count(&self) -> usize {
        self.inner.parameter_count()
    }

    /// 1-based slot of a named parameter (`":name"`) or `"?N"`.
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        self.inner.parameter_index(name)
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
        let mut values = std::mem::take(&mut self.spare);
        values.clone_from(&self.bound);
        let out = self.conn.run_prepared_reusing(&mut self.inner, &mut values);
        self.spare = values;
        out
    }
}
