//! Dot-commands that describe the database: `.tables`, `.schema`,
//! `.indexes`, `.mv` and `.history`. Each is a query through the public API.

use crate::output::render;
use crate::shell::Shell;
use heliosdb_core::Value;

/// `"name"` with embedded quotes doubled: an identifier both HeliosDB and SQLite read.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Shell {
    pub(crate) fn tables(&mut self) -> Result<(), String> {
        let names: Vec<String> = self
            .conn
            .schema_objects()
            .into_iter()
            .filter(|o| matches!(o.kind.as_str(), "table" | "view"))
            .map(|o| o.name)
            .collect();
        if names.is_empty() {
            return Ok(());
        }
        self.print(&format!("{}\n", names.join("  ")))
    }

    pub(crate) fn schema(&mut self, table: Option<&str>) -> Result<(), String> {
        let mut text = String::new();
        for o in self.conn.schema_objects() {
            if table.is_some_and(|t| !t.eq_ignore_ascii_case(&o.table)) {
                continue;
            }
            if let Some(sql) = o.sql {
                text.push_str(&format!("{sql};\n"));
            }
        }
        self.print(&text)
    }

    pub(crate) fn indexes(&mut self, table: Option<&str>) -> Result<(), String> {
        let names: Vec<String> = self
            .conn
            .schema_objects()
            .into_iter()
            .filter(|o| o.kind == "index" && table.is_none_or(|t| t.eq_ignore_ascii_case(&o.table)))
            .map(|o| o.name)
            .collect();
        if names.is_empty() {
            return Ok(());
        }
        self.print(&format!("{}\n", names.join("\n")))
    }

    /// Runs `sql` with `params` and prints the result in the current style.
    fn show_query(&mut self, sql: &str, params: Vec<Value>) -> Result<(), String> {
        let mut st = self.conn.prepare(sql).map_err(|e| e.to_string())?;
        let columns = st.column_names().map_err(|e| e.to_string())?;
        let mut rows = st.query(params).map_err(|e| e.to_string())?;
        let mut all = Vec::new();
        while let Some(r) = rows.next().map_err(|e| e.to_string())? {
            all.push(r.values().to_vec());
        }
        drop(rows);
        drop(st);
        let text = render(&self.style, &columns, &all);
        self.print(&text)
    }

    /// `.mv`: every materialized view, its refresh strategy and how stale it is.
    pub(crate) fn materialized_views(&mut self) -> Result<(), String> {
        self.show_query(
            "SELECT view_name, refresh_strategy AS strategy, status, pending_changes, staleness_sec, \
             auto_refresh, reason FROM pg_mv_staleness() ORDER BY view_name",
            Vec::new(),
        )
    }

    /// `.history TABLE KEY..`: every version of the row whose primary key is
    /// KEY (one word per key column; a table without one is keyed by rowid),
    /// oldest first, with the SCN and time each began and how it ended.
    pub(crate) fn history(&mut self, table: &str, key: &[&str]) -> Result<(), String> {
        let mut pk = Vec::new();
        {
            let mut st = self
                .conn
                .prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")
                .map_err(|e| e.to_string())?;
            let mut rows = st.query([table]).map_err(|e| e.to_string())?;
            while let Some(r) = rows.next().map_err(|e| e.to_string())? {
                pk.push(r.get::<_, String>(0).map_err(|e| e.to_string())?);
            }
        }
        if pk.is_empty() {
            pk.push("rowid".into());
        }
        if pk.len() != key.len() {
            return Err(format!("{table}'s primary key is ({}): give {} value(s)", pk.join(", "), pk.len()));
        }
        let filter: Vec<String> =
            pk.iter().enumerate().map(|(i, c)| format!("{} = ?{}", quote_ident(c), i + 1)).collect();
        let sql = format!(
            "SELECT heliosdb_valid_from_scn AS scn, heliosdb_valid_from_time AS valid_from, \
             heliosdb_operation AS op, heliosdb_valid_to_scn AS ended_scn, heliosdb_ended_by AS ended_by, * \
             FROM {} VERSIONS BETWEEN SCN 0 AND {} WHERE {} ORDER BY heliosdb_valid_from_scn",
            quote_ident(table),
            self.conn.current_scn(),
            filter.join(" AND ")
        );
        let params = key.iter().map(|k| k.parse::<i64>().map_or_else(|_| Value::from(*k), Value::Integer)).collect();
        self.show_query(&sql, params)
    }
}
