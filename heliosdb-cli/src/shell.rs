//! The shell's command processor: SQL statements and dot-commands.

use crate::output::{render, Mode};
use heliosdb_core::{Connection, Error, Value};
use std::io::Write;
use std::time::Instant;

/// Shell state around one connection.
pub struct Shell {
    /// The open database.
    pub conn: Connection,
    /// Output mode.
    pub mode: Mode,
    /// Print elapsed time after each statement.
    pub timer: bool,
}

/// What a line of input asks the shell to do next.
pub enum Flow {
    /// Keep reading.
    Continue,
    /// `.quit`.
    Quit,
}

const HELP: &str = "\
.help                 show this help
.quit / .exit         leave the shell
.tables               list tables
.schema [TABLE]       show CREATE statements
.mode MODE            output mode: table, csv, json, line
.timer on|off         print the time each statement takes
.read FILE            run the SQL in FILE
.import FILE TABLE    load CSV (creates TABLE from the header line if missing)
.backup DIR           online backup into the new directory DIR (VACUUM INTO)
SQL statements end with ';' and may span several lines.";

impl Shell {
    /// A shell in table mode.
    pub fn new(conn: Connection) -> Shell {
        Shell { conn, mode: Mode::Table, timer: false }
    }

    /// Runs SQL text (one or more statements), printing results to `out`.
    ///
    /// # Errors
    /// The first failing statement's error.
    pub fn run_sql(&mut self, sql: &str, out: &mut dyn Write) -> Result<(), Error> {
        let mode = self.mode;
        let timer = self.timer;
        let mut started = Instant::now();
        let conn = &self.conn;
        conn.execute_each(sql, |o| {
            if !o.columns.is_empty() {
                let _ = out.write_all(render(mode, &o.columns, &o.rows).as_bytes());
            }
            if let Some(notice) = conn.notice() {
                let _ = writeln!(out, "-- {notice}");
            }
            if timer {
                let _ = writeln!(out, "Run Time: {:.3} ms", started.elapsed().as_secs_f64() * 1000.0);
                started = Instant::now();
            }
            Ok(())
        })
    }

    /// Runs a dot-command.
    ///
    /// # Errors
    /// A message for the user.
    pub fn dot(&mut self, line: &str, out: &mut dyn Write) -> Result<Flow, String> {
        let mut parts = line.split_whitespace();
        let cmd = parts.next().unwrap_or("");
        let args: Vec<&str> = parts.collect();
        let w = |out: &mut dyn Write, s: &str| out.write_all(s.as_bytes()).map_err(|e| e.to_string());
        match (cmd, args.as_slice()) {
            (".quit" | ".exit", _) => return Ok(Flow::Quit),
            (".help", _) => w(out, &format!("{HELP}\n"))?,
            (".tables", _) => {
                let names: Vec<String> =
                    self.conn.schema_objects().into_iter().filter(|o| o.kind != "index").map(|o| o.name).collect();
                if !names.is_empty() {
                    w(out, &format!("{}\n", names.join("  ")))?;
                }
            }
            (".schema", rest) => {
                let filter = rest.first().map(|s| s.to_ascii_lowercase());
                for o in self.conn.schema_objects() {
                    if filter.as_ref().is_some_and(|f| *f != o.table.to_ascii_lowercase()) {
                        continue;
                    }
                    if let Some(sql) = o.sql {
                        w(out, &format!("{sql};\n"))?;
                    }
                }
            }
            (".mode", [m]) => {
                self.mode = Mode::parse(m).ok_or_else(|| format!("unknown mode {m}: use table, csv, json or line"))?
            }
            (".timer", ["on"]) => self.timer = true,
            (".timer", ["off"]) => self.timer = false,
            (".read", [file]) => {
                let sql = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
                self.run_sql(&sql, out).map_err(|e| e.to_string())?;
            }
            (".backup", [dir]) => {
                let sql = format!("VACUUM INTO '{}'", dir.replace('\'', "''"));
                self.conn.execute_batch(&sql).map_err(|e| e.to_string())?;
                if let Some(notice) = self.conn.notice() {
                    w(out, &format!("-- {notice}\n"))?;
                }
            }
            (".import", [file, table]) => {
                let n = self.import(file, table)?;
                w(out, &format!("imported {n} rows into {table}\n"))?;
            }
            _ => return Err(format!("unknown or malformed command: {line} (try .help)")),
        }
        Ok(Flow::Continue)
    }

    fn import(&mut self, file: &str, table: &str) -> Result<usize, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let mut records = crate::csv::parse(&text).map_err(|e| format!("{file}: {e}"))?.into_iter();
        let exists = self.conn.schema_objects().iter().any(|o| o.kind == "table" && o.name.eq_ignore_ascii_case(table));
        let width = if exists {
            self.conn
                .prepare(&format!("SELECT * FROM \"{table}\" LIMIT 0"))
                .and_then(|s| s.column_names())
                .map_err(|e| e.to_string())?
                .len()
        } else {
            let header = records.next().ok_or_else(|| format!("{file} is empty"))?;
            let cols: Vec<String> = header.iter().map(|h| format!("\"{}\" TEXT", h.replace('"', "\"\""))).collect();
            self.conn
                .execute_batch(&format!("CREATE TABLE \"{table}\" ({})", cols.join(", ")))
                .map_err(|e| e.to_string())?;
            header.len()
        };
        let placeholders = vec!["?"; width].join(", ");
        let tx = self.conn.transaction().map_err(|e| e.to_string())?;
        let mut count = 0;
        {
            let mut st =
                tx.prepare(&format!("INSERT INTO \"{table}\" VALUES ({placeholders})")).map_err(|e| e.to_string())?;
            for (n, rec) in records.enumerate() {
                if rec.len() != width {
                    return Err(format!("{file}: record {} has {} fields, expected {width}", n + 1, rec.len()));
                }
                let values: Vec<Value> = rec.into_iter().map(Value::Text).collect();
                st.execute(values).map_err(|e| format!("{file}: record {}: {e}", n + 1))?;
                count += 1;
            }
        }
        tx.commit().map_err(|e| e.to_string())?;
        Ok(count)
    }
}
