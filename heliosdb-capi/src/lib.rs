//! The C ABI of HeliosDB-Lite (`libheliosdb.so`, `libheliosdb.a`,
//! `include/heliosdb.h`), shaped like sqlite3.h.
//!
//! * [`handles`] — the opaque `heliosdb` / `heliosdb_stmt` tokens, the
//!   registry behind them (so stale, reused or foreign pointers are refused,
//!   never followed) and per-thread error messages;
//! * [`guard`] — the panic fence every entry point runs inside, and C-string helpers;
//! * [`db`] — open, close, exec, errmsg, counters, version, JSON queries, free;
//! * [`stmt`] — prepare, bind, step, column access, reset, finalize;
//! * [`feed`] — read a change feed as a statement, acknowledge it.
//!
//! No Rust panic crosses this boundary: every function catches it and
//! returns `HELIOSDB_ERROR` with the panic message.
#![allow(non_camel_case_types)]
// Every entry point checks its pointers against the live-handle registry
// before use, so the raw-pointer arguments are not a safety precondition.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

pub mod db;
pub mod feed;
pub mod guard;
pub mod handles;
pub mod stmt;

pub use db::*;
pub use feed::*;
pub use handles::{heliosdb, heliosdb_stmt};
pub use stmt::*;

use std::os::raw::c_int;

/// Success.
pub const HELIOSDB_OK: c_int = 0;
/// SQL error or other failure (see heliosdb_errmsg).
pub const HELIOSDB_ERROR: c_int = 1;
/// The database is locked by another connection or process.
pub const HELIOSDB_BUSY: c_int = 5;
/// The statement was stopped by heliosdb_interrupt; it changed nothing.
pub const HELIOSDB_INTERRUPT: c_int = 9;
/// Out of memory.
pub const HELIOSDB_NOMEM: c_int = 7;
/// Attempt to write where writing is not allowed.
pub const HELIOSDB_READONLY: c_int = 8;
/// File-system I/O error.
pub const HELIOSDB_IOERR: c_int = 10;
/// The directory is not a HeliosDB database, or data is damaged.
pub const HELIOSDB_CORRUPT: c_int = 11;
/// A NOT NULL, UNIQUE or PRIMARY KEY constraint failed.
pub const HELIOSDB_CONSTRAINT: c_int = 19;
/// A value does not fit the column type.
pub const HELIOSDB_MISMATCH: c_int = 20;
/// The library was used incorrectly (NULL or stale handle, wrong call order, bad UTF-8).
pub const HELIOSDB_MISUSE: c_int = 21;
/// An index (parameter or column) is out of range.
pub const HELIOSDB_RANGE: c_int = 25;
/// heliosdb_step has a result row ready.
pub const HELIOSDB_ROW: c_int = 100;
/// heliosdb_step has finished executing.
pub const HELIOSDB_DONE: c_int = 101;
/// A time-travel point older than what retention kept.
pub const HELIOSDB_SNAPSHOT_TOO_OLD: c_int = 1001;

/// Column type: 64-bit signed integer (also BOOLEAN values, as 0/1).
pub const HELIOSDB_INTEGER: c_int = 1;
/// Column type: double (also DECIMAL values; read them exactly with heliosdb_column_text).
pub const HELIOSDB_FLOAT: c_int = 2;
/// Column type: UTF-8 text.
pub const HELIOSDB_TEXT: c_int = 3;
/// Column type: bytes.
pub const HELIOSDB_BLOB: c_int = 4;
/// Column type: NULL.
pub const HELIOSDB_NULL: c_int = 5;
