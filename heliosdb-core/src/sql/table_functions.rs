//! The relations the engine computes instead of reading a table: table
//! functions (`generate_series(1, 10)`, `json_each(j)`, `pragma_table_info('t')`,
//! `heliosdb_snapshots()`, `pg_mv_staleness()`, `heliosdb_changes('f')`) and
//! the system tables (`sqlite_schema`, `information_schema.tables`,
//! `heliosdb_changefeeds`, …).
//!
//! This module knows their names, argument counts and columns, which is all
//! planning needs; `exec::system` computes their rows.

use crate::error::{sql_err, Result};

/// A relation computed at execution time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemTable {
    /// `heliosdb_snapshots()`: (scn, txid, commit_time) of every queryable point.
    Snapshots,
    /// `pg_mv_staleness()`: one row per materialized view.
    MvStaleness,
    /// `heliosdb_changes(feed[, max_rows[, after_scn]])`: a change feed's changes.
    Changes,
    /// `heliosdb_changefeeds`: one row per change feed, with its lag.
    Changefeeds,
    /// `generate_series(start, stop[, step])`: integers.
    GenerateSeries,
    /// `json_each(json[, path])`: the members of one object or array.
    JsonEach,
    /// `json_tree(json[, path])`: every node under one, depth first.
    JsonTree,
    /// `sqlite_schema` / `sqlite_master`: one row per schema object.
    Schema,
    /// `pragma_table_info(table)` / `PRAGMA table_info(table)`.
    TableInfo,
    /// `pragma_index_list(table)`.
    IndexList,
    /// `pragma_index_info(index)`.
    IndexInfo,
    /// `pragma_foreign_key_list(table)`.
    ForeignKeyList,
    /// `pragma_table_list` (optionally one table).
    TableList,
    /// `pragma_database_list`.
    DatabaseList,
    /// `information_schema.tables`.
    InfoTables,
    /// `information_schema.columns`.
    InfoColumns,
    /// `information_schema.views`.
    InfoViews,
    /// `information_schema.key_column_usage`.
    InfoKeyColumnUsage,
}

impl SystemTable {
    /// The table function called `name` (lower-cased), if there is one.
    pub fn function(name: &str) -> Option<SystemTable> {
        Some(match name {
            "heliosdb_snapshots" => SystemTable::Snapshots,
            "pg_mv_staleness" => SystemTable::MvStaleness,
            "heliosdb_changes" => SystemTable::Changes,
            "heliosdb_changefeeds" => SystemTable::Changefeeds,
            "generate_series" => SystemTable::GenerateSeries,
            "json_each" => SystemTable::JsonEach,
            "json_tree" => SystemTable::JsonTree,
            other => SystemTable::pragma(other.strip_prefix("pragma_")?)?,
        })
    }

    /// The introspection pragma called `name` (`table_info`, …), if there is one.
    pub fn pragma(name: &str) -> Option<SystemTable> {
        Some(match name {
            "table_info" => SystemTable::TableInfo,
            "index_list" => SystemTable::IndexList,
            "index_info" => SystemTable::IndexInfo,
            "foreign_key_list" => SystemTable::ForeignKeyList,
            "table_list" => SystemTable::TableList,
            "database_list" => SystemTable::DatabaseList,
            _ => return None,
        })
    }

    /// The system table read by `name` (its parts lower-cased: `["sqlite_schema"]`,
    /// `["main", "sqlite_master"]`, `["information_schema", "tables"]`), if any.
    pub fn table(parts: &[String]) -> Option<SystemTable> {
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let name = match parts.as_slice() {
            [name] | ["main", name] => *name,
            ["information_schema", name] => {
                return Some(match *name {
                    "tables" => SystemTable::InfoTables,
                    "columns" => SystemTable::InfoColumns,
                    "views" => SystemTable::InfoViews,
                    "key_column_usage" => SystemTable::InfoKeyColumnUsage,
                    _ => return None,
                })
            }
            _ => return None,
        };
        match name {
            "sqlite_schema" | "sqlite_master" => Some(SystemTable::Schema),
            "heliosdb_changefeeds" => Some(SystemTable::Changefeeds),
            _ => None,
        }
    }

    /// Its output columns; those from [`Self::visible`] on are hidden from `*`.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            SystemTable::Snapshots => &["scn", "txid", "commit_time"],
            SystemTable::MvStaleness => &crate::mv::staleness::COLUMNS,
            SystemTable::Changes => &crate::feed::read::COLUMNS,
            SystemTable::Changefeeds => &crate::feed::status::COLUMNS,
            SystemTable::GenerateSeries => &["value", "start", "stop", "step"],
            SystemTable::JsonEach | SystemTable::JsonTree => &crate::exec::json::EACH_COLUMNS,
            SystemTable::Schema => &["type", "name", "tbl_name", "rootpage", "sql"],
            SystemTable::TableInfo => &["cid", "name", "type", "notnull", "dflt_value", "pk"],
            SystemTable::IndexList => &["seq", "name", "unique", "origin", "partial"],
            SystemTable::IndexInfo => &["seqno", "cid", "name"],
            SystemTable::ForeignKeyList => &["id", "seq", "table", "from", "to", "on_update", "on_delete", "match"],
            SystemTable::TableList => &["schema", "name", "type", "ncol", "wr", "strict"],
            SystemTable::DatabaseList => &["seq", "name", "file"],
            SystemTable::InfoTables => &["table_catalog", "table_schema", "table_name", "table_type"],
            SystemTable::InfoColumns => &[
                "table_catalog",
                "table_schema",
                "table_name",
                "column_name",
                "ordinal_position",
                "column_default",
                "is_nullable",
                "data_type",
            ],
            SystemTable::InfoViews => &["table_catalog", "table_schema", "table_name", "view_definition"],
            SystemTable::InfoKeyColumnUsage => &[
                "constraint_catalog",
                "constraint_schema",
                "constraint_name",
                "table_catalog",
                "table_schema",
                "table_name",
                "column_name",
                "ordinal_position",
            ],
        }
    }

    /// How many of [`Self::columns`] `SELECT *` shows (the rest are SQLite's
    /// hidden columns: a series' bounds, json_each's input).
    pub fn visible(self) -> usize {
        match self {
            SystemTable::GenerateSeries => 1,
            SystemTable::JsonEach | SystemTable::JsonTree => 8,
            other => other.columns().len(),
        }
    }

    /// The name it is called by, for messages and EXPLAIN.
    pub fn name(self) -> &'static str {
        match self {
            SystemTable::Snapshots => "heliosdb_snapshots",
            SystemTable::MvStaleness => "pg_mv_staleness",
            SystemTable::Changes => "heliosdb_changes",
            SystemTable::Changefeeds => "heliosdb_changefeeds",
            SystemTable::GenerateSeries => "generate_series",
            SystemTable::JsonEach => "json_each",
            SystemTable::JsonTree => "json_tree",
            SystemTable::Schema => "sqlite_schema",
            SystemTable::TableInfo => "pragma_table_info",
            SystemTable::IndexList => "pragma_index_list",
            SystemTable::IndexInfo => "pragma_index_info",
            SystemTable::ForeignKeyList => "pragma_foreign_key_list",
            SystemTable::TableList => "pragma_table_list",
            SystemTable::DatabaseList => "pragma_database_list",
            SystemTable::InfoTables => "information_schema.tables",
            SystemTable::InfoColumns => "information_schema.columns",
            SystemTable::InfoViews => "information_schema.views",
            SystemTable::InfoKeyColumnUsage => "information_schema.key_column_usage",
        }
    }

    /// Checks the number of arguments a call passes.
    ///
    /// # Errors
    /// Too few or too many, naming what the function takes.
    pub fn check_arity(self, n: usize) -> Result<()> {
        let (lo, hi, takes) = match self {
            SystemTable::GenerateSeries => (2, 3, "2 or 3 arguments (start, stop[, step])"),
            SystemTable::JsonEach | SystemTable::JsonTree => (1, 2, "1 or 2 arguments (json[, path])"),
            SystemTable::TableInfo | SystemTable::IndexList | SystemTable::ForeignKeyList => {
                (1, 1, "1 argument (a table name)")
            }
            SystemTable::IndexInfo => (1, 1, "1 argument (an index name)"),
            SystemTable::Changes => (1, 3, "1 to 3 arguments (feed[, max_rows[, after_scn]])"),
            SystemTable::TableList => (0, 1, "at most 1 argument (a table name)"),
            _ => (0, 0, "no arguments"),
        };
        if (lo..=hi).contains(&n) {
            Ok(())
        } else {
            Err(sql_err!("{}() takes {takes}", self.name()))
        }
    }
}
