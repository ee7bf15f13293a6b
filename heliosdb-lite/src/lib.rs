//! HeliosDB-Lite for Rust: an embedded SQL database with materialized views
//! that keep themselves fresh and time travel (`AS OF`), in your process,
//! data in one directory.
//!
//! This crate is the product's Rust API under the product's name; the
//! engine lives in `heliosdb-core`, re-exported here item by item.
//!
//! Open a database from a path, from a [`Config`], or from a configuration
//! file, as the product's documents show:
//!
//! ```
//! use heliosdb_lite::{Connection, Config, Result};
//!
//! fn main() -> Result<()> {
//! #   let io = |e: std::io::Error| heliosdb_lite::Error::Io(e.to_string());
//! #   let dir = tempfile::tempdir().map_err(io)?;
//! #   std::env::set_current_dir(dir.path()).map_err(io)?;
//! #   std::fs::create_dir_all("path/to").map_err(io)?;
//! #   let toml = "[database]\npath = \"./mydata\"\nmemory_limit_mb = 32\n";
//! #   std::fs::write("heliosdb.toml", toml).map_err(io)?;
//! #   std::fs::write("path/to/heliosdb.toml", toml).map_err(io)?;
//!     let config = Config::from_file("heliosdb.toml")?;
//!     let conn = Connection::open(config)?;
//!     conn.execute_batch("CREATE TABLE readings (id INTEGER PRIMARY KEY, value REAL)")?;
//!     conn.execute("INSERT INTO readings (value) VALUES (?1)", [21.5])?;
//!     drop(conn);
//!
//!     let conn = Connection::open_with_config("path/to/heliosdb.toml")?;
//!     let n: i64 = conn.query_row("SELECT count(*) FROM readings", (), |r| r.get(0))?;
//!     assert_eq!(n, 1);
//!     Ok(())
//! }
//! ```
//!
//! A path opens with default settings (`":memory:"` is a private temporary
//! database); [`Connection::open_with`] takes a path and a [`Config`]:
//!
//! ```
//! use heliosdb_lite::{params, Connection};
//! let conn = Connection::open(":memory:")?;
//! conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")?;
//! conn.execute("INSERT INTO t (name) VALUES (?)", params!["alice"])?;
//! let scn: i64 = conn.query_row("SELECT heliosdb_current_scn()", (), |r| r.get(0))?;
//! conn.execute("UPDATE t SET name = 'bob' WHERE id = 1", ())?;
//! let then: String = conn.query_row("SELECT name FROM t AS OF SCN ?1 WHERE id = 1", [scn], |r| r.get(0))?;
//! assert_eq!(then, "alice");
//! # Ok::<(), heliosdb_lite::Error>(())
//! ```
//!
//! The README's "Use it from Rust" section is the guide; errors are one
//! `#[non_exhaustive]` enum, [`Error`], whose `code()` matches the C ABI's.
#![warn(missing_docs)]

pub use heliosdb_core::{
    config, named_params, params, BackupHistory, Config, Connection, DataType, Decimal, Error, FromSql, GcReport,
    IntoConfig, MappedRows, MemoryUse, OpenTarget, Outcome, Params, PreparedStatement, Result, Row, RowIndex, Rows,
    SchemaObject, SpooledRows, Statement, ToSql, Transaction, Value, VERSION,
};

/// Stops a connection's running statements from another thread
/// (from [`Connection::interrupt_handle`]).
pub use heliosdb_core::interrupt::InterruptHandle;
