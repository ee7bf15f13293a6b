//! `.import FILE TABLE [--skip N]`: stream a CSV file into a table. A
//! missing table is created from the header line with TEXT columns; into an
//! existing table every record is data (`--skip 1` drops a header line).
//!
//! Memory stays bounded however large the file: records go in through
//! multi-row INSERTs of [`ROWS_PER_INSERT`] rows (one statement's overhead
//! per batch, not per row), and the import commits every [`COMMIT_EVERY`]
//! rows, because a transaction holds its writes in memory until it commits.
//! So an import that fails (or is killed) midway keeps the rows of its last
//! commit; the error says how many, and `--skip` resumes after them. Every
//! [`CHECKPOINT_EVERY`] rows it starts a checkpoint, so the committed rows
//! do not pile up in the store's memtable either; the checkpoint is written
//! on another thread while the import goes on (it waits only for the one
//! before).

use crate::inspect::quote_ident;
use crate::shell::Shell;
use heliosdb_core::{Connection, Statement, Value};
use std::io::{IsTerminal, Write};

/// Records between progress lines on a terminal.
const PROGRESS_EVERY: u64 = 100_000;
/// Rows one INSERT statement carries (fewer for very wide tables, see
/// [`VALUES_PER_INSERT`]).
const ROWS_PER_INSERT: usize = 50;
/// Values one INSERT statement carries at most.
const VALUES_PER_INSERT: usize = 5_000;
/// Rows between commits (a few MB of pending writes; a multiple of
/// [`ROWS_PER_INSERT`], so commits of narrow tables fall on round counts).
const COMMIT_EVERY: u64 = 50_000;
/// Rows between checkpoints: the committed rows wait in the store's
/// memtable until it fills (up to 64 MB at the default `memory_limit_mb`),
/// so a large import moves them into table files every few MB instead.
const CHECKPOINT_EVERY: u64 = 200_000;

/// Rows on their way into one table: a batch for the next INSERT, and the
/// open transaction.
struct Load<'c> {
    conn: &'c Connection,
    table: String,
    width: usize,
    /// Rows per full INSERT.
    rows: usize,
    batch: Vec<Value>,
    full: Statement<'c>,
    in_tx: u64,
    committed: u64,
    /// Rows committed since the last checkpoint.
    unflushed: u64,
    /// The user's own transaction was open: the rows join it, and its
    /// COMMIT or ROLLBACK decides.
    theirs: bool,
}

impl<'c> Load<'c> {
    fn new(conn: &'c Connection, table: &str, width: usize) -> Result<Load<'c>, String> {
        let rows = (VALUES_PER_INSERT / width.max(1)).clamp(1, ROWS_PER_INSERT);
        let full = conn.prepare(&insert_sql(table, width, rows)).map_err(|e| e.to_string())?;
        Ok(Load {
            conn,
            table: table.to_string(),
            width,
            rows,
            batch: Vec::with_capacity(width * rows),
            full,
            in_tx: 0,
            committed: 0,
            unflushed: 0,
            theirs: !conn.is_autocommit(),
        })
    }

    fn push(&mut self, record: impl Iterator<Item = Value>) -> Result<(), String> {
        self.batch.extend(record);
        if self.batch.len() == self.width * self.rows {
            self.insert_batch()?;
        }
        Ok(())
    }

    /// Inserts the pending rows; commits when enough are in the transaction.
    fn insert_batch(&mut self) -> Result<(), String> {
        let rows = self.batch.len() / self.width.max(1);
        if rows == 0 {
            return Ok(());
        }
        if self.in_tx == 0 && !self.theirs {
            self.conn.execute_batch("BEGIN").map_err(|e| e.to_string())?;
        }
        let values = std::mem::take(&mut self.batch);
        let done = if rows == self.rows {
            self.full.execute(values)
        } else {
            self.conn.execute(&insert_sql(&self.table, self.width, rows), values)
        };
        self.batch = Vec::with_capacity(self.width * self.rows);
        if let Err(e) = done {
            if !self.theirs {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.in_tx = 0;
            return Err(e.to_string());
        }
        self.in_tx += rows as u64;
        if self.in_tx >= COMMIT_EVERY {
            self.commit()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), String> {
        if self.in_tx > 0 && !self.theirs {
            self.conn.execute_batch("COMMIT").map_err(|e| e.to_string())?;
            self.committed += self.in_tx;
            self.unflushed += self.in_tx;
            self.in_tx = 0;
            // Counted, not a multiple of `committed`: a wide table's INSERTs
            // carry fewer rows, so its commits do not fall on round counts.
            if self.unflushed >= CHECKPOINT_EVERY {
                // Not waited for: the rows of the next 200,000 go in
                // while the last ones are written.
                self.conn.checkpoint_behind().map_err(|e| e.to_string())?;
                self.unflushed = 0;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.insert_batch()?;
        self.commit()
    }
}

/// `INSERT INTO table VALUES (?, …), …` for `rows` rows of `width` values.
fn insert_sql(table: &str, width: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    format!("INSERT INTO {table} VALUES {}", vec![row; rows].join(", "))
}

impl Shell {
    pub(crate) fn import(&mut self, file: &str, table: &str, skip: u64) -> Result<(), String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(file)
            .map_err(|e| format!("cannot open \"{file}\": {e}"))?;
        // One record read into again and again (`records()` would
        // allocate a new one per line).
        let mut rec = csv::StringRecord::new();
        let bad = |e: csv::Error| format!("{file}: {e}");
        for _ in 0..skip {
            if !reader.read_record(&mut rec).map_err(bad)? {
                break;
            }
        }
        let exists = self.conn.schema_objects().iter().any(|o| o.kind == "table" && o.name.eq_ignore_ascii_case(table));
        let name = quote_ident(table);
        let width = if exists {
            let st = self.conn.prepare(&format!("SELECT * FROM {name} LIMIT 0")).map_err(|e| e.to_string())?;
            st.column_names().map_err(|e| e.to_string())?.len()
        } else {
            if !reader.read_record(&mut rec).map_err(bad)? {
                return Err(format!("{file} is empty"));
            }
            let cols: Vec<String> = rec.iter().map(|h| format!("{} TEXT", quote_ident(h))).collect();
            self.conn
                .execute_batch(&format!("CREATE TABLE {name} ({})", cols.join(", ")))
                .map_err(|e| e.to_string())?;
            rec.len()
        };
        let header_lines = u64::from(!exists);
        let progress = std::io::stderr().is_terminal();
        let mut load = Load::new(&self.conn, &name, width)?;
        let theirs = load.theirs;
        let mut count = 0u64;
        while reader.read_record(&mut rec).map_err(bad)? {
            let line = rec.position().map_or(0, |p| p.line());
            let failed = |e: String, committed: u64| {
                let resume = skip + header_lines + committed;
                let kept = if theirs {
                    "the rows before its batch are in the open transaction".to_string()
                } else if committed == 0 {
                    "nothing was imported".to_string()
                } else {
                    format!("the first {committed} rows are imported (resume with --skip {resume})")
                };
                format!("{file}:{line}: {e}; {kept}")
            };
            if rec.len() != width {
                let e = format!("expected {width} columns but found {}", rec.len());
                return Err(failed(e, load.committed));
            }
            load.push(rec.iter().map(Value::from)).map_err(|e| failed(e, load.committed))?;
            count += 1;
            if progress && count.is_multiple_of(PROGRESS_EVERY) {
                eprint!("\rimported {count} rows…");
            }
        }
        load.finish().map_err(|e| format!("{file}: {e}; the first {} rows are imported", load.committed))?;
        if progress && count >= PROGRESS_EVERY {
            eprint!("\r");
            let _ = std::io::stderr().flush();
        }
        self.print(&format!("imported {count} rows into {table}\n"))
    }
}
