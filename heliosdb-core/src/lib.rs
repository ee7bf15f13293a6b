//! HeliosDB-Lite: an embedded SQL database with materialized views that keep
//! themselves fresh and time travel, on the fjall LSM store.
//!
//! ```
//! use heliosdb_core::{params, Connection};
//! let conn = Connection::open_in_memory()?;
//! conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")?;
//! conn.execute("INSERT INTO t (name) VALUES (?)", params!["alice"])?;
//! let name: String = conn.query_row("SELECT name FROM t WHERE id = ?1", [1], |r| r.get(0))?;
//! assert_eq!(name, "alice");
//! # Ok::<(), heliosdb_core::Error>(())
//! ```
//!
//! Layers (see DESIGN.md): [`sql`] parses, binds and plans; [`exec`] runs
//! plans; [`storage`] owns keys, transactions and commit numbering;
//! [`catalog`] the schema; [`types`] values and encodings.
#![warn(missing_docs)]

pub mod api;
pub mod catalog;
pub mod config;
pub mod error;
pub mod exec;
pub mod feed;
pub mod interrupt;
pub mod mv;
pub mod sql;
pub mod storage;
pub mod temporal;
pub mod types;

pub use api::{
    Connection, FromSql, IntoConfig, MappedRows, MemoryUse, OpenTarget, Outcome, Params, PreparedStatement, Row,
    RowIndex, Rows, SchemaObject, Statement, ToSql, Transaction,
};
pub use config::Config;
pub use error::{Error, Result};
pub use exec::spill::SpooledRows;
pub use rust_decimal::Decimal;
pub use storage::gc::GcReport;
pub use storage::BackupHistory;
pub use types::{DataType, Value};

/// The library version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Positional parameters of mixed types: `params![1, "a", 2.5]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[&dyn $crate::ToSql] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::ToSql),+] as &[&dyn $crate::ToSql] };
}

/// Named parameters: `named_params! { ":id": 1, ":name": "a" }`.
#[macro_export]
macro_rules! named_params {
    () => { &[] as &[(&str, &dyn $crate::ToSql)] };
    ($($name:literal : $p:expr),+ $(,)?) => { &[$(($name, &$p as &dyn $crate::ToSql)),+] as &[(&str, &dyn $crate::ToSql)] };
}
