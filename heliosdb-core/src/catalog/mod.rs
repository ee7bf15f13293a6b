//! The catalog: tables, their columns, primary keys and indexes, views and
//! change feeds.
//!
//! The catalog is an immutable value shared through `Arc`: readers hold the
//! version that matches their snapshot; a write transaction edits a private
//! copy and publishes it at commit. It is persisted in the `meta` keyspace,
//! one record per table, written in the same atomic batch as the rows.

pub mod feed;
mod listing;
pub mod mv;
mod schema;

pub use feed::FeedDef;
pub use listing::SchemaObject;
pub use mv::{MvDef, MvOptions, Strategy};
pub use schema::{
    CheckDef, ColumnDef, FkAction, ForeignKeyDef, IndexDef, TableDef, TriggerDef, TriggerEvent, TriggerTiming, ViewDef,
};

use crate::error::{sql_err, Result};

use std::collections::BTreeMap;
use std::sync::Arc;

/// Every schema object of one database.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Tables by lower-cased name.
    pub tables: BTreeMap<String, Arc<TableDef>>,
    /// Views by lower-cased name (tables and views share one namespace).
    pub views: BTreeMap<String, Arc<ViewDef>>,
    /// Change feeds by lower-cased name (a namespace of their own).
    pub feeds: BTreeMap<String, Arc<FeedDef>>,
    /// Next id for a table or index (ids are never reused, so stale keys of a
    /// dropped table can never be mistaken for a new one's).
    pub next_object_id: u32,
    /// Identifies this exact schema: every change takes a fresh number from
    /// [`next_version`] (process-wide, never reused), so a plan cached under
    /// one version can never be mistaken for one of another schema, even
    /// across rolled-back transactions or other databases.
    pub version: u64,
}

/// A schema version number no catalog in this process has had before.
pub fn next_version() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Catalog names are case-insensitive, like SQL identifiers.
pub fn normalize(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl Catalog {
    /// The table called `name`.
    ///
    /// # Errors
    /// No such table.
    pub fn table(&self, name: &str) -> Result<&Arc<TableDef>> {
        self.tables.get(&normalize(name)).ok_or_else(|| sql_err!("no such table: {name}"))
    }

    /// Finds an index by name, with its table.
    pub fn index(&self, name: &str) -> Option<(&Arc<TableDef>, &IndexDef)> {
        let key = normalize(name);
        self.tables.values().find_map(|t| t.indexes.iter().find(|i| normalize(&i.name) == key).map(|i| (t, i)))
    }

    /// Hands out a fresh object id.
    pub fn allocate_id(&mut self) -> u32 {
        self.next_object_id += 1;
        self.next_object_id
    }
}
