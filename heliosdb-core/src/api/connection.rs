//! [`Connection`]: one handle on a database.

use super::open::{IntoConfig, OpenTarget};
use super::params::Params;
use super::rows::Row;
use super::session::Session;
use super::statement::Statement;
use super::transaction::Transaction;
use crate::catalog::SchemaObject;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::exec::memory::MemoryUse;
use crate::sql::parser::{parse, Parsed};
use crate::storage::Engine;
use std::cell::RefCell;

/// A connection to a HeliosDB database.
///
/// Connections on the same path in one process share one engine; each has
/// its own transaction state. A connection is `Send` but not `Sync`: use one
/// per thread, or guard it with a mutex (the C ABI does).
pub struct Connection {
    pub(crate) session: RefCell<Session>,
}

impl Connection {
    /// Opens (creating if needed) a database: a directory path with default
    /// settings (`":memory:"` opens a private temporary database), or a
    /// [`Config`] whose `database.path` names the directory.
    ///
    /// ```no_run
    /// # use heliosdb_core::{Config, Connection};
    /// let conn = Connection::open("./mydata")?;
    /// let conn = Connection::open(Config::from_file("heliosdb.toml")?)?;
    /// # Ok::<(), heliosdb_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `Busy` if another process has it open; `Corrupt` if the directory is
    /// not a HeliosDB database; `Io` on file-system errors; `Misuse` for a
    /// configuration without `database.path`; `Sql` for an invalid one.
    pub fn open(target: impl OpenTarget) -> Result<Connection> {
        match target.into_target() {
            (Some(path), None) => Connection::open_inner(&path, None),
            (path, Some(config)) => Connection::open_config(path, config),
            (None, None) => Err(Error::Misuse("nothing to open".into())),
        }
    }

    /// Opens a private temporary database, deleted when the connection closes.
    ///
    /// # Errors
    /// `Io` when no temporary directory can be created.
    pub fn open_in_memory() -> Result<Connection> {
        Connection::open_with(":memory:", &Config::default())
    }

    /// Opens the database that a configuration names in `database.path`:
    /// a [`Config`] value, or the path of a `heliosdb.toml` (or JSON) file.
    ///
    /// ```no_run
    /// # use heliosdb_core::Connection;
    /// let conn = Connection::open_with_config("path/to/heliosdb.toml")?;
    /// # Ok::<(), heliosdb_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Config::from_file`] for a file; `Misuse` when the configuration
    /// has no path; otherwise as [`Connection::open`].
    pub fn open_with_config(config: impl IntoConfig) -> Result<Connection> {
        Connection::open_config(None, config.into_config()?)
    }

    fn open_config(path: Option<std::path::PathBuf>, config: Config) -> Result<Connection> {
        let path = match path.or_else(|| config.database.path.clone().map(Into::into)) {
            Some(p) => p,
            None => return Err(Error::Misuse("configuration has no database.path".into())),
        };
        Connection::open_with(path, &config)
    }

    /// Opens `path` with `config` (its `database.path`, if any, is ignored).
    ///
    /// # Errors
    /// As [`Connection::open`]; `Sql` for an invalid configuration; `Misuse`
    /// when the database is already open in this process with other settings
    /// (`database.busy_timeout_ms` may differ: it is per connection).
    pub fn open_with(path: impl AsRef<std::path::Path>, config: &Config) -> Result<Connection> {
        config.validate()?;
        Connection::open_inner(path.as_ref(), Some(config))
    }

    fn open_inner(path: &std::path::Path, config: Option<&Config>) -> Result<Connection> {
        let p = path.to_str().ok_or_else(|| Error::Misuse("database path is not valid UTF-8".into()))?;
        let engine = Engine::open(p, config)?;
        let session = Session::new(engine);
        let conn = Connection { session: RefCell::new(session) };
        if let Some(c) = config {
            conn.set_busy_timeout(std::time::Duration::from_millis(c.database.busy_timeout_ms));
        }
        Ok(conn)
    }

    pub(crate) fn parse_one(sql: &str) -> Result<Parsed> {
        let mut stmts = parse(sql)?;
        match stmts.len() {
            1 => Ok(stmts.remove(0)),
            0 => Err(Error::Misuse("no SQL statement given".into())),
            n => Err(Error::Misuse(format!("{n} statements given where one was expected; use execute_batch"))),
        }
    }

    /// Runs one statement with parameters; returns the number of rows changed.
    ///
    /// # Errors
    /// Syntax, binding, constraint and storage errors; the statement then changed nothing.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        let parsed = Connection::parse_one(sql)?;
        let values = params.into_values(&parsed.params)?;
        let out = self.session.borrow_mut().execute(&parsed, values, None)?;
        Ok(out.changes as usize)
    }

    /// Runs one or more `;`-separated statements without parameters,
    /// discarding result rows. Stops at the first error.
    ///
    /// # Errors
    /// The first failing statement's error (earlier statements stay applied).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        for parsed in parse(sql)? {
            if parsed.params.count() > 0 {
                return Err(Error::Misuse("execute_batch does not take parameters".into()));
            }
            self.session.borrow_mut().execute(&parsed, Vec::new(), None)?;
        }
        Ok(())
    }

    /// Runs one or more `;`-separated statements, handing each statement's
    /// outcome (columns, rows, changes) to `f`. Stops at the first error.
    ///
    /// # Errors
    /// The first failing statement's error, or `f`'s.
    pub fn execute_each(&self, sql: &str, mut f: impl FnMut(crate::Outcome) -> Result<()>) -> Result<()> {
        for parsed in parse(sql)? {
            if parsed.params.count() > 0 {
                return Err(Error::Misuse("statements run this way take no parameters".into()));
            }
            let out = self.session.borrow_mut().execute(&parsed, Vec::new(), None)?;
            f(out)?;
        }
        Ok(())
    }

    /// Prepares one statement for repeated execution.
    ///
    /// # Errors
    /// Syntax errors; `Misuse` for zero or several statements.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement::new(self, Connection::parse_one(sql)?))
    }

    /// Runs a query and maps its first row through `f`.
    ///
    /// # Errors
    /// `QueryReturnedNoRows` when there is no row; any error of `f`.
    pub fn query_row<T, P: Params, F: FnOnce(&Row) -> Result<T>>(&self, sql: &str, params: P, f: F) -> Result<T> {
        self.prepare(sql)?.query_row(params, f)
    }

    /// Starts a transaction; it rolls back when dropped without `commit()`.
    ///
    /// # Errors
    /// `Sql` if a transaction is already open; `Busy` if another connection writes.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Transaction::new(self))
    }

    /// Rows changed by the latest INSERT, UPDATE or DELETE.
    pub fn changes(&self) -> u64 {
        self.session.borrow().changes
    }

    /// Rows changed since the connection opened.
    pub fn total_changes(&self) -> u64 {
        self.session.borrow().total_changes
    }

    /// Rowid of the latest row inserted into a rowid table (0 if none).
    pub fn last_insert_rowid(&self) -> i64 {
        self.session.borrow().last_rowid
    }

    /// Id of this connection's latest committed write transaction (0 if none).
    pub fn last_txid(&self) -> u64 {
        self.session.borrow().last_txid
    }

    /// SCN of the latest commit in the database.
    pub fn current_scn(&self) -> u64 {
        self.session.borrow().engine.current_scn()
    }

    /// Removes the history the retention policy (`[snapshot]`) no longer
    /// keeps, now (the background thread does the same every
    /// `gc_interval_sec` when `auto_gc_enabled`). Same as `SELECT heliosdb_gc()`.
    ///
    /// # Errors
    /// Storage errors.
    pub fn gc(&self) -> Result<crate::GcReport> {
        self.session.borrow().engine.gc()
    }

    /// Moves what the engine holds in memory into table files, so the next
    /// open has no journal to replay and disk usage figures are complete
    /// (SQL: `CHECKPOINT`, `PRAGMA wal_checkpoint`). Committed data is
    /// already safe without it (the journal holds it). A clean close does
    /// the same.
    ///
    /// # Errors
    /// I/O errors.
    pub fn checkpoint(&self) -> Result<()> {
        self.session.borrow().engine.checkpoint()
    }

    /// Starts a [`Connection::checkpoint`] and returns without waiting for
    /// the table files to be written (a second core writes them). It waits
    /// only for the checkpoint started before, if that one is still being
    /// written. A bulk load calls this every few MB: its committed rows then
    /// leave memory as it goes, at no cost to its own thread.
    ///
    /// # Errors
    /// I/O errors; `Storage` when the background writer has failed.
    pub fn checkpoint_behind(&self) -> Result<()> {
        self.session.borrow().engine.checkpoint_behind()
    }

    /// Writes a consistent copy of the database as of its latest commit into
    /// the new directory `dest`, while other connections keep reading and
    /// writing, and returns the SCN the copy holds (SQL: `VACUUM INTO 'dest'
    /// [WITHOUT HISTORY]`). The copy opens as a normal database; with
    /// [`BackupHistory::Drop`](crate::BackupHistory) it keeps no history
    /// older than that SCN.
    ///
    /// # Errors
    /// `Sql` when `dest` exists and is not an empty directory, or overlaps
    /// this database's directory; `Io` for file-system failures (no `dest`
    /// is left behind, and this database is untouched).
    pub fn backup(&self, dest: impl AsRef<std::path::Path>, history: crate::BackupHistory) -> Result<u64> {
        let engine = std::sync::Arc::clone(&self.session.borrow().engine);
        engine.backup(dest.as_ref(), history)
    }

    /// Bytes the kept row-version history occupies in table files (after a
    /// [`Connection::checkpoint`], everything).
    pub fn history_disk_space(&self) -> u64 {
        self.session.borrow().engine.history_disk_space()
    }

    /// A message about the last statement that is not an error, if it left
    /// one: CREATE MATERIALIZED VIEW says whether the view is maintained
    /// incrementally and, if not, which part of its query prevents it;
    /// `REFRESH … INCREMENTALLY` says when it had to refresh fully.
    pub fn notice(&self) -> Option<String> {
        self.session.borrow().notice.clone()
    }

    /// What the last query (or the read phase of the last INSERT, UPDATE or
    /// DELETE) held in working memory and wrote to temporary files: its sorts, hash tables, window partitions and result rows
    /// share a budget of a quarter of `memory_limit_mb`, and spill to
    /// temporary files in the database directory past it.
    pub fn last_memory_use(&self) -> MemoryUse {
        self.session.borrow().memory
    }

    /// Runs one auto-refresh check now with `cpu` as the load source, as the
    /// background scheduler does every `[scheduler] check_interval_sec`;
    /// returns the views it refreshed. For embedders that drive refreshes
    /// from their own loop, and for tests that simulate load.
    pub fn run_scheduler_check(&self, cpu: &mut dyn crate::mv::scheduler::CpuSource) -> Vec<String> {
        let engine = std::sync::Arc::clone(&self.session.borrow().engine);
        let backoff = std::sync::Mutex::new(crate::mv::scheduler::Backoff::default());
        crate::mv::scheduler::tick(&engine, cpu, &backoff, crate::storage::commit_log::now_micros())
    }

    /// A handle that stops this connection's running statement from any
    /// thread (the statement fails with [`Error::Interrupt`] and changes nothing).
    pub fn interrupt_handle(&self) -> crate::interrupt::InterruptHandle {
        self.session.borrow().interrupt.clone()
    }

    /// How long a write waits for another connection's write transaction
    /// before failing with [`Error::Busy`] (default: `database.busy_timeout_ms`).
    pub fn set_busy_timeout(&self, timeout: std::time::Duration) {
        self.session.borrow_mut().busy_timeout = timeout;
    }

    /// Whether no explicit transaction is open.
    pub fn is_autocommit(&self) -> bool {
        !self.session.borrow().in_transaction()
    }

    /// Tables, views, triggers and indexes, in that order, each by name
    /// (what `sqlite_schema` lists).
    pub fn schema_objects(&self) -> Vec<SchemaObject> {
        self.session.borrow().catalog().schema_objects()
    }

    /// Closes the connection, rolling back an open transaction.
    ///
    /// # Errors
    /// Never today; kept for API symmetry with the C ABI.
    pub fn close(self) -> Result<()> {
        drop(self);
        Ok(())
    }
}
