//! The one error type of the engine.
//!
//! Every variant maps to exactly one status code of the C ABI (SQLite's
//! numbers where one fits), so a binding can translate without a table of
//! special cases. The message always names the object involved and, for
//! syntax errors, the position in the SQL text.

use std::fmt;

/// Every error HeliosDB returns.
///
/// The variants are deliberately coarse: callers branch on the kind (a
/// constraint was violated, the database is busy, …) and show the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// SQL error: syntax error, unknown table or column, bad argument. C code 1.
    Sql(String),
    /// Another connection or process holds the lock. C code 5.
    Busy(String),
    /// An allocation failed or a configured memory limit was hit. C code 7.
    NoMem(String),
    /// A write was attempted where writing is not allowed. C code 8.
    ReadOnly(String),
    /// The operating system reported an I/O failure. C code 10.
    Io(String),
    /// The files on disk are not a HeliosDB database this version can read. C code 11.
    Corrupt(String),
    /// NOT NULL, UNIQUE, PRIMARY KEY (later CHECK, FOREIGN KEY) violated. C code 19.
    Constraint(String),
    /// A value does not fit the column or operand type. C code 20.
    Mismatch(String),
    /// The API was used in a way it does not allow (wrong order of calls, bad handle). C code 21.
    Misuse(String),
    /// A parameter or column index is out of range. C code 25.
    Range(String),
    /// `query_row` found no row. C code 101 (`HELIOSDB_DONE`: the statement finished without a row).
    QueryReturnedNoRows,
    /// A time-travel point older than what retention kept. C code 1001.
    SnapshotTooOld(String),
    /// The statement was stopped by an interrupt (see
    /// [`crate::interrupt::InterruptHandle`]); it changed nothing. C code 9.
    Interrupt(String),
}

impl Error {
    /// The C ABI status code of this error.
    pub fn code(&self) -> i32 {
        match self {
            Error::Sql(_) => 1,
            Error::Busy(_) => 5,
            Error::NoMem(_) => 7,
            Error::ReadOnly(_) => 8,
            Error::Io(_) => 10,
            Error::Corrupt(_) => 11,
            Error::Constraint(_) => 19,
            Error::Mismatch(_) => 20,
            Error::Misuse(_) => 21,
            Error::Range(_) => 25,
            Error::QueryReturnedNoRows => 101,
            Error::SnapshotTooOld(_) => 1001,
            Error::Interrupt(_) => 9,
        }
    }

    /// The human-readable message, without the kind prefix.
    pub fn message(&self) -> &str {
        match self {
            Error::Sql(m)
            | Error::Busy(m)
            | Error::NoMem(m)
            | Error::ReadOnly(m)
            | Error::Io(m)
            | Error::Corrupt(m)
            | Error::Constraint(m)
            | Error::Mismatch(m)
            | Error::Misuse(m)
            | Error::Range(m)
            | Error::SnapshotTooOld(m)
            | Error::Interrupt(m) => m,
            Error::QueryReturnedNoRows => "query returned no rows",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

impl From<fjall::Error> for Error {
    fn from(e: fjall::Error) -> Self {
        match e {
            fjall::Error::Locked => Error::Busy("database is locked: another process has it open".into()),
            fjall::Error::Io(io) => Error::Io(format!("I/O error: {io}")),
            other => Error::Io(format!("storage error: {other}")),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(format!("I/O error: {e}"))
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds an [`Error::Sql`] from format arguments.
macro_rules! sql_err {
    ($($arg:tt)*) => { $crate::error::Error::Sql(format!($($arg)*)) };
}
pub(crate) use sql_err;
