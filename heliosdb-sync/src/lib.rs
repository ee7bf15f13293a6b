//! `heliosdb-sync`: ships a HeliosDB-Lite change feed into PostgreSQL or
//! Kafka, exactly once, through crash and outage on either side.
//!
//! * The source: a change feed (`CREATE CHANGEFEED name FOR TABLE …`) read
//!   with `heliosdb_changes(name, max_rows, after_scn)` in whole
//!   transactions and acknowledged with `heliosdb_ack` ([`source`]).
//! * The target: one PostgreSQL table per source table, with a `source_id`
//!   column so many devices share a table (primary key `(source_id, source
//!   key…)`), and a watermark table `(source_id, feed, last_scn)` written in
//!   the same transaction as the rows ([`target`], [`schema`], [`typemap`]);
//!   or Kafka: Debezium-style JSON events on `<prefix>.<table>` topics, the
//!   watermark committed in the same Kafka transaction (`kafka`, feature
//!   `kafka`). [`sink`] is what the loop needs of either.
//! * The loop: [`run`] (an application's own connection, on a thread beside
//!   its writes) or the `heliosdb-sync` binary (it opens the directory
//!   itself) ([`shipper`]).
//!
//! Settings: [`SyncConfig`], the `[sync]` table of `heliosdb.toml`.

pub mod change;
pub mod config;
pub mod error;
pub mod json;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod plan;
pub mod schema;
pub mod shipper;
pub mod sink;
pub mod source;
pub mod target;
pub mod typemap;

pub use change::{Change, Op};
pub use config::{ConfigFile, SyncConfig};
pub use error::{Result, SyncError};
pub use shipper::{run, run_with_source, SyncReport};
pub use sink::Sink;
pub use source::{ChangeSource, FeedInfo, HeliosSource};
pub use target::PgTarget;
