//! [`Sink`]: what the shipper needs from the system it ships into, and
//! [`connect`], which picks PostgreSQL ([`crate::target::PgTarget`]) or
//! Kafka (`crate::kafka::KafkaTarget`) from the configuration.
//!
//! The contract that makes shipping exactly once, whatever the sink: a
//! batch's changes and the watermark that covers them become visible
//! together or not at all ([`Sink::apply`]), and [`Sink::watermark`] reads
//! what was last made visible. The shipper reads the source only after that
//! watermark, and acknowledges the source only after a batch is applied.

use crate::change::Change;
use crate::config::SyncConfig;
use crate::error::{Result, SyncError};
use crate::schema::TableSchema;
use crate::target::PgTarget;

/// A system that stores shipped changes and the watermark, atomically.
pub trait Sink: Send {
    /// For messages: `PostgreSQL` or `Kafka`.
    fn name(&self) -> &'static str;

    /// Gets ready for `table`'s changes (PostgreSQL creates or widens the
    /// target table) and remembers its schema.
    ///
    /// # Errors
    /// Failures of the sink; `Data` for a table it cannot take.
    fn ensure_table(&mut self, table: &TableSchema) -> Result<()>;

    /// The schema last given to [`Sink::ensure_table`] for `table`.
    fn table(&self, table: &str) -> Option<&TableSchema>;

    /// The last SCN shipped for this source and feed, `None` before the first batch.
    ///
    /// # Errors
    /// Failures of the sink.
    fn watermark(&mut self) -> Result<Option<u64>>;

    /// Ships `changes` and moves the watermark from `expected` to `new_scn`,
    /// all or nothing.
    ///
    /// # Errors
    /// `Conflict` when another shipper moved the watermark; `Data` for a
    /// change the sink cannot take; failures of the sink (nothing shipped).
    fn apply(&mut self, changes: &[Change], expected: Option<u64>, new_scn: u64, commit_time: &str) -> Result<()>;

    /// The first sync of a source: the rows `rows` hands over page by page
    /// (inserts, a snapshot as of `scn`) replace what the sink holds for it,
    /// and the watermark becomes `scn`, all or nothing. One page is held at
    /// a time, so a table bigger than memory can be copied.
    ///
    /// # Errors
    /// As [`Sink::apply`], and any error of `rows`.
    fn replace_all(&mut self, expected: Option<u64>, scn: u64, rows: &mut SnapshotPages<'_>) -> Result<()>;
}

/// A snapshot handed over in pages: called once, with a function to call
/// for each page of rows (which ships it inside the sink's transaction).
pub type SnapshotPages<'a> = dyn FnMut(&mut dyn FnMut(&[Change]) -> Result<()>) -> Result<()> + 'a;

/// Connects to the sink `config` names (`postgres` or `kafka`).
///
/// # Errors
/// `Config` for a bad setting or Kafka asked of a build without it;
/// failures to reach the sink (transient: retried by the shipper).
pub fn connect(config: &SyncConfig) -> Result<Box<dyn Sink>> {
    if !config.kafka.trim().is_empty() {
        #[cfg(feature = "kafka")]
        return Ok(Box::new(crate::kafka::KafkaTarget::connect(config)?));
        #[cfg(not(feature = "kafka"))]
        return Err(SyncError::Config("this heliosdb-sync was built without Kafka (feature \"kafka\")".into()));
    }
    if config.postgres.trim().is_empty() {
        return Err(SyncError::Config("no sink: give --postgres or --kafka".into()));
    }
    Ok(Box::new(PgTarget::connect(&config.postgres, &config.source_id, &config.feed, &config.target_schema)?))
}

impl Sink for PgTarget {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn ensure_table(&mut self, table: &TableSchema) -> Result<()> {
        PgTarget::ensure_table(self, table)
    }

    fn table(&self, table: &str) -> Option<&TableSchema> {
        PgTarget::table(self, table)
    }

    fn watermark(&mut self) -> Result<Option<u64>> {
        PgTarget::watermark(self)
    }

    fn apply(&mut self, changes: &[Change], expected: Option<u64>, new_scn: u64, commit_time: &str) -> Result<()> {
        PgTarget::apply(self, changes, expected, new_scn, commit_time).map(|_| ())
    }

    fn replace_all(&mut self, expected: Option<u64>, scn: u64, rows: &mut SnapshotPages<'_>) -> Result<()> {
        PgTarget::replace_all(self, expected, scn, rows).map(|_| ())
    }
}
