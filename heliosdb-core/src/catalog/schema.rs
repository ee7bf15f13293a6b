//! Definitions of tables, columns and indexes.

use crate::types::DataType;
use serde::{Deserialize, Serialize};

/// One column of a table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnDef {
    /// Name as declared.
    pub name: String,
    /// Declared type.
    pub ty: DataType,
    /// NOT NULL (implied for primary-key columns).
    pub not_null: bool,
    /// DEFAULT expression as SQL text, evaluated at insert time.
    pub default: Option<String>,
    /// Left out of `SELECT *` (a materialized view's maintenance state).
    #[serde(default)]
    pub hidden: bool,
    /// The type name as written in CREATE TABLE (`""` when none was), kept
    /// for the names the engine does not know (see [`ColumnDef::decltype`]).
    /// `None` in catalogs written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decl: Option<String>,
}

impl ColumnDef {
    /// The declared type a result column of this column reports (SQLite's
    /// `sqlite3_column_decltype`). The engine's own types give their canonical
    /// name (`INT` → `INTEGER`: bindings map values by it), as do the date/time
    /// types (`DATE`, `TIME`, `TIMESTAMP`, `DATETIME`); a name the engine does
    /// not know (`UUID`) gives the name as written, and an untyped column `""`
    /// (which the API reports as no declared type, as SQLite does).
    pub fn decltype(&self) -> String {
        match (self.ty, &self.decl) {
            (DataType::Numeric | DataType::Any, Some(d)) => d.clone(),
            (ty, _) => ty.to_string(),
        }
    }
}

/// A secondary index (including the ones UNIQUE constraints create).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexDef {
    /// Storage id: the first bytes of every key of this index.
    pub id: u32,
    /// Name (generated for constraint indexes: `tablename_autoindex_N`).
    pub name: String,
    /// Column positions and whether each is descending.
    pub columns: Vec<(usize, bool)>,
    /// Enforces uniqueness (NULLs are distinct, as in SQLite and PostgreSQL).
    pub unique: bool,
    /// The `CREATE INDEX` text, or `None` for a constraint's index.
    pub sql: Option<String>,
}

/// A CHECK constraint: a row is refused when the expression is false.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckDef {
    /// Constraint name, if given.
    pub name: Option<String>,
    /// The expression as SQL text (over the table's columns).
    pub expr: String,
}

/// What happens to child rows when their parent row is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FkAction {
    /// Refuse the delete (also NO ACTION, the default).
    Restrict,
    /// Delete the child rows too.
    Cascade,
    /// Set the child's key columns to NULL.
    SetNull,
}

/// A FOREIGN KEY: `columns` of this table reference `parent_columns` of `parent`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForeignKeyDef {
    /// Positions of the referencing columns in this table.
    pub columns: Vec<usize>,
    /// The referenced table.
    pub parent: String,
    /// The referenced columns (the parent's primary key or a UNIQUE set).
    pub parent_columns: Vec<String>,
    /// ON DELETE action.
    pub on_delete: FkAction,
}

/// A table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableDef {
    /// Storage id: the first bytes of every row key of this table.
    pub id: u32,
    /// Name as declared.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<ColumnDef>,
    /// Primary-key column positions. Empty: rows are keyed by a hidden rowid.
    pub primary_key: Vec<usize>,
    /// The primary key is a single INTEGER column that aliases the rowid
    /// (assigned automatically when inserted as NULL).
    pub rowid_alias: bool,
    /// `AUTOINCREMENT`: rowids are never reused, even after deletes.
    pub autoincrement: bool,
    /// Secondary indexes.
    pub indexes: Vec<IndexDef>,
    /// CHECK constraints.
    #[serde(default)]
    pub checks: Vec<CheckDef>,
    /// FOREIGN KEY constraints of this (child) table.
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// The `CREATE TABLE` text, shown by `.schema`.
    pub sql: String,
    /// Superseded row versions are kept for `AS OF` queries
    /// (`WITH (time_travel = false)` turns it off for this table).
    #[serde(default = "default_true")]
    pub time_travel: bool,
    /// The SCN of the commit that created the table.
    #[serde(default)]
    pub created_scn: u64,
    /// The SCN of the commit that last changed its shape (`ALTER TABLE`), if any.
    /// `AS OF` a point before it is refused: older rows were written under a
    /// schema that is not kept.
    #[serde(default)]
    pub altered_scn: Option<u64>,
    /// Set when this table holds a materialized view's contents.
    #[serde(default)]
    pub mv: Option<Box<super::mv::MvDef>>,
    /// Changes to this table are logged for consumers (materialized views).
    #[serde(default)]
    pub track_changes: bool,
    /// Row triggers on this table, in creation order.
    #[serde(default)]
    pub triggers: Vec<TriggerDef>,
}

/// When a trigger runs relative to its row's change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerTiming {
    /// Before the row is written or removed.
    Before,
    /// After it.
    After,
}

/// The change a trigger fires on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerEvent {
    /// A row inserted.
    Insert,
    /// A row updated; with columns, only when the UPDATE sets one of them.
    Update(Vec<usize>),
    /// A row deleted.
    Delete,
}

/// A row trigger: `CREATE TRIGGER name [BEFORE | AFTER] event ON table
/// [FOR EACH ROW] [WHEN condition] BEGIN statement; … END`. The body sees the
/// row as `NEW.col` / `OLD.col`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TriggerDef {
    /// Name (unique in the database).
    pub name: String,
    /// Before or after the change.
    pub timing: TriggerTiming,
    /// What it fires on.
    pub event: TriggerEvent,
    /// The WHEN condition as SQL text.
    pub when: Option<String>,
    /// The body's statements as SQL text.
    pub body: Vec<String>,
    /// The CREATE TRIGGER statement.
    pub sql: String,
}

fn default_true() -> bool {
    true
}

impl TableDef {
    /// Position of a column by (case-insensitive) name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// A CREATE TABLE statement that recreates this table's columns and keys
    /// (used after ALTER TABLE, when the original text no longer fits).
    pub fn canonical_sql(&self) -> String {
        let mut parts: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut s = match c.decltype() {
                    ty if ty.is_empty() => format!("\"{}\"", c.name),
                    ty => format!("\"{}\" {ty}", c.name),
                };
                if self.rowid_alias && self.primary_key == [i] {
                    s.push_str(" PRIMARY KEY");
                    if self.autoincrement {
                        s.push_str(" AUTOINCREMENT");
                    }
                } else if c.not_null {
                    s.push_str(" NOT NULL");
                }
                if let Some(d) = &c.default {
                    s.push_str(&format!(" DEFAULT {d}"));
                }
                s
            })
            .collect();
        if !self.primary_key.is_empty() && !self.rowid_alias {
            let cols: Vec<String> = self.primary_key.iter().map(|i| format!("\"{}\"", self.columns[*i].name)).collect();
            parts.push(format!("PRIMARY KEY ({})", cols.join(", ")));
        }
        for ix in self.indexes.iter().filter(|ix| ix.sql.is_none()) {
            let cols: Vec<String> = ix.columns.iter().map(|(c, _)| format!("\"{}\"", self.columns[*c].name)).collect();
            parts.push(format!("UNIQUE ({})", cols.join(", ")));
        }
        for ck in &self.checks {
            match &ck.name {
                Some(n) => parts.push(format!("CONSTRAINT \"{n}\" CHECK ({})", ck.expr)),
                None => parts.push(format!("CHECK ({})", ck.expr)),
            }
        }
        for fk in &self.foreign_keys {
            let cols: Vec<String> = fk.columns.iter().map(|i| format!("\"{}\"", self.columns[*i].name)).collect();
            let parent_cols: Vec<String> = fk.parent_columns.iter().map(|c| format!("\"{c}\"")).collect();
            let action = match fk.on_delete {
                FkAction::Restrict => "",
                FkAction::Cascade => " ON DELETE CASCADE",
                FkAction::SetNull => " ON DELETE SET NULL",
            };
            parts.push(format!(
                "FOREIGN KEY ({}) REFERENCES \"{}\" ({}){action}",
                cols.join(", "),
                fk.parent,
                parent_cols.join(", ")
            ));
        }
        let with = if self.time_travel { "" } else { " WITH (time_travel = false)" };
        format!("CREATE TABLE \"{}\" ({}){with}", self.name, parts.join(", "))
    }

    /// Whether rows are keyed by an integer rowid (hidden or aliased).
    pub fn has_rowid(&self) -> bool {
        self.primary_key.is_empty() || self.rowid_alias
    }

    /// For a materialized view whose ranks are numbered when it is read,
    /// where they come from. Such a table is read whole partitions at a
    /// time, forwards, never through an index (see `exec::ranked_scan`).
    pub fn ranked(&self) -> Option<&super::mv::RankedLayout> {
        match &self.mv.as_ref()?.strategy {
            super::mv::Strategy::Incremental(super::mv::IncrementalShape::Ranked(layout)) => Some(layout),
            _ => None,
        }
    }
}

/// An ordinary (non-materialized) view: a named query expanded where it is read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewDef {
    /// Name as declared.
    pub name: String,
    /// Column names given in `CREATE VIEW v (a, b)`, or empty.
    pub columns: Vec<String>,
    /// The defining query as SQL text.
    pub query: String,
    /// The `CREATE VIEW` statement, shown by `.schema`.
    pub sql: String,
}
