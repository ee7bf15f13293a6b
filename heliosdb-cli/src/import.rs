//! `.import FILE TABLE [--skip N]`: stream a CSV file into a table in one
//! transaction, as `sqlite3`'s `.import` does. A missing table is created
//! from the header line with TEXT columns; into an existing table every
//! record is data (`--skip 1` drops a header line).

use crate::inspect::quote_ident;
use crate::shell::Shell;
use heliosdb_core::Value;
use std::io::{IsTerminal, Write};

/// Records between progress lines on a terminal.
const PROGRESS_EVERY: u64 = 100_000;

impl Shell {
    pub(crate) fn import(&mut self, file: &str, table: &str, skip: u64) -> Result<(), String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(file)
            .map_err(|e| format!("cannot open \"{file}\": {e}"))?;
        let mut records = reader.records();
        let bad = |e: csv::Error| format!("{file}: {e}");
        for _ in 0..skip {
            if records.next().transpose().map_err(bad)?.is_none() {
                break;
            }
        }
        let exists = self.conn.schema_objects().iter().any(|o| o.kind == "table" && o.name.eq_ignore_ascii_case(table));
        let name = quote_ident(table);
        let width = if exists {
            let st = self.conn.prepare(&format!("SELECT * FROM {name} LIMIT 0")).map_err(|e| e.to_string())?;
            st.column_names().map_err(|e| e.to_string())?.len()
        } else {
            let header = records.next().transpose().map_err(bad)?.ok_or_else(|| format!("{file} is empty"))?;
            let cols: Vec<String> = header.iter().map(|h| format!("{} TEXT", quote_ident(h))).collect();
            self.conn
                .execute_batch(&format!("CREATE TABLE {name} ({})", cols.join(", ")))
                .map_err(|e| e.to_string())?;
            header.len()
        };
        let placeholders = vec!["?"; width].join(", ");
        let progress = std::io::stderr().is_terminal();
        let tx = self.conn.transaction().map_err(|e| e.to_string())?;
        let mut count = 0u64;
        {
            let mut st =
                tx.prepare(&format!("INSERT INTO {name} VALUES ({placeholders})")).map_err(|e| e.to_string())?;
            for rec in records {
                let rec = rec.map_err(bad)?;
                let line = rec.position().map_or(0, |p| p.line());
                if rec.len() != width {
                    return Err(format!("{file}:{line}: expected {width} columns but found {}", rec.len()));
                }
                let values: Vec<Value> = rec.iter().map(Value::from).collect();
                st.execute(values).map_err(|e| format!("{file}:{line}: {e}"))?;
                count += 1;
                if progress && count.is_multiple_of(PROGRESS_EVERY) {
                    eprint!("\rimported {count} rows…");
                }
            }
        }
        tx.commit().map_err(|e| e.to_string())?;
        if progress && count >= PROGRESS_EVERY {
            eprint!("\r");
            let _ = std::io::stderr().flush();
        }
        self.print(&format!("imported {count} rows into {table}\n"))
    }
}
