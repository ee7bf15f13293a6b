//! [`SyncError`]: everything that can stop a sync, and which of it is worth
//! retrying.

use std::fmt;

/// Why a sync step failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SyncError {
    /// A bad setting: a missing feed name, an unparsable connection string…
    /// Never retried.
    Config(String),
    /// The source database refused a statement (`Busy` is retried).
    Source(heliosdb_lite::Error),
    /// PostgreSQL failed: connection-level failures are retried, the rest are not.
    Postgres(postgres::Error),
    /// Kafka failed. `retriable`: the broker was unreachable or a transaction
    /// could not finish (the shipper reconnects, which aborts it); otherwise
    /// fatal, such as another shipper with the same source id and feed
    /// having taken over (fenced).
    Kafka {
        /// librdkafka's description.
        message: String,
        /// Whether reconnecting may cure it.
        retriable: bool,
    },
    /// A change or a table the target cannot take (an unknown column, a key
    /// that cannot be read…). Never retried.
    Data(String),
    /// The watermark in PostgreSQL moved under us (another shipper for the
    /// same source and feed): the batch was rolled back; resume from the
    /// watermark. Retried.
    Conflict(String),
}

impl SyncError {
    /// Whether the shipper should reconnect and try again (after a backoff)
    /// rather than give up.
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Postgres(e) => postgres_transient(e),
            SyncError::Source(e) => matches!(e, heliosdb_lite::Error::Busy(_)),
            SyncError::Conflict(_) => true,
            SyncError::Kafka { retriable, .. } => *retriable,
            SyncError::Config(_) | SyncError::Data(_) => false,
        }
    }
}

/// Connection failures (no SQLSTATE: I/O, refused, closed, timed out) and
/// the SQLSTATE classes that mean "the server is going away or busy".
fn postgres_transient(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.as_db_error() {
        None => true,
        Some(db) => {
            let code = db.code().code();
            // 08 connection exception, 57P0x shutdown/crash/cannot connect now,
            // 53 insufficient resources, 40001/40P01 serialization/deadlock,
            // 23505 a concurrent first watermark (resolved by rereading it).
            code.starts_with("08")
                || code.starts_with("57P")
                || code.starts_with("53")
                || code == "40001"
                || code == "40P01"
                || code == "23505"
        }
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Config(m) => write!(f, "configuration: {m}"),
            SyncError::Source(e) => write!(f, "source database: {e}"),
            SyncError::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "PostgreSQL: {} ({})", db.message(), db.code().code()),
                None => write!(f, "PostgreSQL: {e}"),
            },
            SyncError::Data(m) => write!(f, "data: {m}"),
            SyncError::Conflict(m) => write!(f, "conflict: {m}"),
            SyncError::Kafka { message, .. } => write!(f, "Kafka: {message}"),
        }
    }
}

impl std::error::Error for SyncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SyncError::Source(e) => Some(e),
            SyncError::Postgres(e) => Some(e),
            _ => None,
        }
    }
}

impl From<heliosdb_lite::Error> for SyncError {
    fn from(e: heliosdb_lite::Error) -> Self {
        SyncError::Source(e)
    }
}

impl From<postgres::Error> for SyncError {
    fn from(e: postgres::Error) -> Self {
        SyncError::Postgres(e)
    }
}

/// This crate's result type.
pub type Result<T, E = SyncError> = std::result::Result<T, E>;
