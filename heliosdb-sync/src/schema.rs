//! [`TableSchema`]: a source table's columns and key, and the PostgreSQL
//! table made from it: `source_id` first, then the hidden `rowid` for a
//! table without a declared primary key, then every column; primary key
//! `(source_id, key columns…)`, so devices share one table without clashing.

use crate::change::JsonRow;
use crate::error::{Result, SyncError};
use crate::typemap::{pg_type_for, PgType};
use serde_json::Value as Json;

/// The column every target table starts with.
pub const SOURCE_ID: &str = "source_id";
/// The key column of a source table without a declared primary key.
pub const ROWID: &str = "rowid";

/// One source column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its declared type, as `pragma_table_info` reports it.
    pub declared: String,
    /// The PostgreSQL type chosen for it.
    pub pg: PgType,
    /// 1-based position in the primary key, 0 when not in it.
    pub pk: u32,
}

/// A source table as the target sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    /// The table name, as declared.
    pub name: String,
    /// Its columns in order.
    pub columns: Vec<Column>,
    /// The key columns in key order (`["rowid"]` when there is no primary key).
    pub key: Vec<String>,
    /// Whether the key is the hidden rowid.
    pub rowid: bool,
}

impl TableSchema {
    /// Builds the schema from `pragma_table_info` rows: (name, declared type, pk position).
    ///
    /// # Errors
    /// `Data` for a table with no columns, or one whose columns collide with
    /// `source_id` (or `rowid` when that is the key).
    pub fn new(name: &str, cols: Vec<(String, String, u32)>) -> Result<TableSchema> {
        if cols.is_empty() {
            return Err(SyncError::Data(format!("table {name} not found in the source (or has no columns)")));
        }
        let columns: Vec<Column> = cols
            .into_iter()
            .map(|(n, declared, pk)| Column { pg: pg_type_for(&declared), name: n, declared, pk })
            .collect();
        let mut keyed: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
        keyed.sort_by_key(|c| c.pk);
        let rowid = keyed.is_empty();
        let key = if rowid { vec![ROWID.to_string()] } else { keyed.iter().map(|c| c.name.clone()).collect() };
        for c in &columns {
            if c.name == SOURCE_ID || (rowid && c.name.eq_ignore_ascii_case(ROWID)) {
                return Err(SyncError::Data(format!(
                    "table {name}: column {} collides with the target's own {} column",
                    c.name, c.name
                )));
            }
        }
        Ok(TableSchema { name: name.to_string(), columns, key, rowid })
    }

    /// The target columns in order with their types: `source_id`, `rowid`
    /// when it is the key, then the source columns.
    pub fn target_columns(&self) -> Vec<(&str, PgType)> {
        let mut out = vec![(SOURCE_ID, PgType::Text)];
        if self.rowid {
            out.push((ROWID, PgType::BigInt));
        }
        out.extend(self.columns.iter().map(|c| (c.name.as_str(), c.pg.clone())));
        out
    }

    /// The type of a key column.
    pub fn key_types(&self) -> Vec<PgType> {
        self.key
            .iter()
            .map(|k| self.columns.iter().find(|c| &c.name == k).map_or(PgType::BigInt, |c| c.pg.clone()))
            .collect()
    }

    /// `CREATE TABLE IF NOT EXISTS` for the target, in schema `pg_schema`.
    pub fn create_sql(&self, pg_schema: &str) -> String {
        let cols: Vec<String> = self
            .target_columns()
            .iter()
            .map(|(n, t)| {
                let not_null = if *n == SOURCE_ID || self.key.iter().any(|k| k == n) { " NOT NULL" } else { "" };
                format!("{} {}{not_null}", ident(n), t.sql())
            })
            .collect();
        let mut pk = vec![ident(SOURCE_ID)];
        pk.extend(self.key.iter().map(|k| ident(k)));
        format!(
            "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))",
            qualified(pg_schema, &self.name),
            cols.join(", "),
            pk.join(", ")
        )
    }

    /// `ALTER TABLE … ADD COLUMN IF NOT EXISTS` for every source column (a
    /// column added to the source later appears in the target too).
    pub fn add_columns_sql(&self, pg_schema: &str) -> String {
        let adds: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("ADD COLUMN IF NOT EXISTS {} {}", ident(&c.name), c.pg.sql()))
            .collect();
        format!("ALTER TABLE {} {}", qualified(pg_schema, &self.name), adds.join(", "))
    }

    /// Whether every column of an image is known.
    pub fn knows_all(&self, row: &JsonRow) -> bool {
        row.keys().all(|k| self.columns.iter().any(|c| &c.name == k))
    }

    /// The key values of a row image (or, for a rowid table or a missing
    /// image, of the change's `key` object).
    ///
    /// # Errors
    /// `Data` when a key column is missing.
    pub fn key_of(&self, image: Option<&JsonRow>, key: &JsonRow) -> Result<Vec<Json>> {
        let from = match image {
            Some(img) if !self.rowid => img,
            _ => key,
        };
        self.key
            .iter()
            .map(|k| {
                from.get(k)
                    .or_else(|| key.get(k))
                    .cloned()
                    .ok_or_else(|| SyncError::Data(format!("table {}: a change has no key column {k}", self.name)))
            })
            .collect()
    }
}

/// A PostgreSQL identifier, always quoted (case and odd characters kept).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"schema"."table"`.
pub fn qualified(schema: &str, table: &str) -> String {
    format!("{}.{}", ident(schema), ident(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(v: &[(&str, &str, u32)]) -> Vec<(String, String, u32)> {
        v.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), *c)).collect()
    }

    #[test]
    fn composite_key_and_ddl() {
        let s =
            TableSchema::new("Readings", cols(&[("dev", "TEXT", 2), ("ts", "INTEGER", 1), ("v", "REAL", 0)])).unwrap();
        assert_eq!(s.key, vec!["ts", "dev"]);
        assert_eq!(
            s.create_sql("public"),
            "CREATE TABLE IF NOT EXISTS \"public\".\"Readings\" (\"source_id\" text NOT NULL, \"dev\" text NOT NULL, \
             \"ts\" bigint NOT NULL, \"v\" double precision, PRIMARY KEY (\"source_id\", \"ts\", \"dev\"))"
        );
    }

    #[test]
    fn rowid_tables_and_collisions() {
        let s = TableSchema::new("t", cols(&[("a", "", 0)])).unwrap();
        assert!(s.rowid);
        assert_eq!(s.target_columns().len(), 3);
        assert!(TableSchema::new("t", cols(&[("source_id", "TEXT", 1)])).is_err());
        assert!(TableSchema::new("t", cols(&[("rowid", "INTEGER", 0)])).is_err());
        assert!(TableSchema::new("t", vec![]).is_err());
    }

    #[test]
    fn keys_come_from_images() {
        let s = TableSchema::new("t", cols(&[("id", "INTEGER", 1), ("v", "TEXT", 0)])).unwrap();
        let key: JsonRow = serde_json::from_str(r#"{"id": 1}"#).unwrap();
        let after: JsonRow = serde_json::from_str(r#"{"id": 2, "v": "x"}"#).unwrap();
        assert_eq!(s.key_of(Some(&after), &key).unwrap(), vec![Json::from(2)]);
        assert_eq!(s.key_of(None, &key).unwrap(), vec![Json::from(1)]);
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    }
}
