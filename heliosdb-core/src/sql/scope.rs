//! The columns an expression can see, and name resolution against them.

use crate::error::{sql_err, Result};

/// One visible column.
#[derive(Debug, Clone, Default)]
pub struct ScopeColumn {
    /// Table name or alias it belongs to (lower-cased), if any.
    pub table: Option<String>,
    /// Column name as declared.
    pub name: String,
    /// Hidden columns (a table's rowid) resolve by name but `*` skips them.
    pub hidden: bool,
    /// The declared type of the table column it reads, if it reads one
    /// unchanged (what `heliosdb_column_decltype` reports).
    pub decltype: Option<String>,
}

/// The input row of an expression: its columns in order.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Columns, at the positions the row has them.
    pub columns: Vec<ScopeColumn>,
}

impl Scope {
    /// Resolves `[table.]name` to a position.
    ///
    /// # Errors
    /// No such column, or more than one match ("ambiguous column name").
    pub fn resolve(&self, table: Option<&str>, name: &str) -> Result<usize> {
        let table_lc = table.map(str::to_ascii_lowercase);
        let mut found: Option<usize> = None;
        let mut hidden_match: Option<usize> = None;
        for (i, c) in self.columns.iter().enumerate() {
            if !c.name.eq_ignore_ascii_case(name) {
                continue;
            }
            if let Some(t) = &table_lc {
                if c.table.as_deref() != Some(t.as_str()) {
                    continue;
                }
            }
            if c.hidden {
                hidden_match.get_or_insert(i);
                continue;
            }
            if found.is_some() {
                return Err(sql_err!("ambiguous column name: {name}"));
            }
            found = Some(i);
        }
        found.or(hidden_match).ok_or_else(|| match table {
            Some(t) => sql_err!("no such column: {t}.{name}"),
            None => sql_err!("no such column: {name}"),
        })
    }

    /// Whether a table name or alias is in scope.
    pub fn has_table(&self, table: &str) -> bool {
        let t = table.to_ascii_lowercase();
        self.columns.iter().any(|c| c.table.as_deref() == Some(t.as_str()))
    }
}
