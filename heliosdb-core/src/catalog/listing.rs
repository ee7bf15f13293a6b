//! The catalog as a list of schema objects with their CREATE statements:
//! what the shell's `.tables`/`.schema` and `sqlite_schema` show.

use super::Catalog;

/// One schema object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaObject {
    /// `"table"`, `"view"`, `"index"` or `"trigger"` (a materialized view,
    /// whose rows are stored, is a `"table"`).
    pub kind: String,
    /// Object name.
    pub name: String,
    /// The table it belongs to (itself for tables and views).
    pub table: String,
    /// Its CREATE statement (`None` for the indexes of UNIQUE constraints).
    pub sql: Option<String>,
}

impl Catalog {
    /// Tables, views, triggers and indexes, in that order, each by name.
    pub fn schema_objects(&self) -> Vec<SchemaObject> {
        let object = |kind: &str, name: &str, table: &str, sql: Option<&String>| SchemaObject {
            kind: kind.into(),
            name: name.into(),
            table: table.into(),
            sql: sql.cloned(),
        };
        let mut out = Vec::new();
        out.extend(self.tables.values().map(|t| object("table", &t.name, &t.name, Some(&t.sql))));
        out.extend(self.views.values().map(|v| object("view", &v.name, &v.name, Some(&v.sql))));
        for t in self.tables.values() {
            out.extend(t.triggers.iter().map(|tr| object("trigger", &tr.name, &t.name, Some(&tr.sql))));
        }
        for t in self.tables.values() {
            out.extend(t.indexes.iter().map(|ix| object("index", &ix.name, &t.name, ix.sql.as_ref())));
        }
        out
    }
}
