//! The shell's state around one connection, and how it runs SQL: results
//! through the output style into the current sink, then notices, `.changes`
//! and `.timer` lines.

use crate::output::{render, Mode, Style};
use crate::sink::Sink;
use crate::timer::Stopwatch;
use heliosdb_core::{Connection, Error};
use std::io::Write;

/// Shell state around one connection.
pub struct Shell {
    /// The open database.
    pub conn: Connection,
    /// What the database was opened as (`.show`'s filename).
    pub filename: String,
    /// Output mode, headers, NULL text.
    pub style: Style,
    /// `.timer on`.
    pub timer: bool,
    /// `.changes on`: print row counts after each change.
    pub changes: bool,
    /// `.bail on` / `-bail`: a script stops at its first error.
    pub bail: bool,
    /// Where results go.
    pub out: Sink,
}

/// What a line of input asks the shell to do next.
pub enum Flow {
    /// Keep reading.
    Continue,
    /// `.quit`.
    Quit,
}

impl Shell {
    /// A shell in table mode writing to standard output.
    pub fn new(conn: Connection, filename: String) -> Shell {
        Shell {
            conn,
            filename,
            style: Style::default(),
            timer: false,
            changes: false,
            bail: false,
            out: Sink::stdout(),
        }
    }

    /// Runs SQL text (one or more statements), printing each result.
    ///
    /// # Errors
    /// The first failing statement's error; the statements before it have run.
    pub fn run_sql(&mut self, sql: &str) -> Result<(), Error> {
        let Shell { conn, style, timer, changes, out, .. } = self;
        let mut watch = timer.then(Stopwatch::start);
        let result = conn.execute_each(sql, |o| {
            if !o.columns.is_empty() {
                print_rows(out, style, &o.columns, o.rows)?;
            }
            if let Some(notice) = conn.notice() {
                let _ = writeln!(out, "-- {notice}");
            }
            if *changes && o.columns.is_empty() {
                let _ = writeln!(out, "changes: {}   total_changes: {}", o.changes, conn.total_changes());
            }
            if let Some(w) = &watch {
                let spilled = conn.last_memory_use().spilled_bytes;
                let spill =
                    if spilled > 0 { format!(" spilled {:.1} MB", spilled as f64 / 1048576.0) } else { String::new() };
                let _ = writeln!(out, "{}{spill}", w.report());
                watch = Some(Stopwatch::start());
            }
            Ok(())
        });
        self.out.statement_done();
        result
    }

    /// Writes text to the current output.
    ///
    /// # Errors
    /// The output cannot be written.
    pub fn print(&mut self, s: &str) -> Result<(), String> {
        self.out.write_all(s.as_bytes()).map_err(|e| format!("cannot write output: {e}"))
    }
}

/// How `sqlite3` words a failed statement: errors found before the statement
/// runs (syntax, unknown names) are "Parse error", the rest "Runtime error"
/// with the result code.
pub fn describe_error(e: &Error, line: Option<usize>) -> String {
    let parse = matches!(e, Error::Sql(_));
    let kind = if parse { "Parse error" } else { "Runtime error" };
    let near = line.map(|n| format!(" near line {n}")).unwrap_or_default();
    if parse {
        format!("{kind}{near}: {e}")
    } else {
        format!("{kind}{near}: {e} ({})", e.code())
    }
}

/// Writes a result: in list, CSV and tab modes a thousand rows at a time
/// (a result larger than the working memory is read back from disk as it
/// prints); the grid modes size their columns over every row.
fn print_rows(
    out: &mut Sink,
    style: &Style,
    columns: &[String],
    mut rows: heliosdb_core::SpooledRows,
) -> Result<(), Error> {
    const CHUNK: usize = 1024;
    if !matches!(style.mode, Mode::Csv | Mode::List | Mode::Tabs) {
        let all = rows.into_vec()?;
        let _ = out.write_all(render(style, columns, &all).as_bytes());
        return Ok(());
    }
    let mut chunk_style = style.clone();
    loop {
        let chunk = rows.by_ref().take(CHUNK).collect::<Result<Vec<_>, Error>>()?;
        let _ = out.write_all(render(&chunk_style, columns, &chunk).as_bytes());
        chunk_style.headers = false;
        if chunk.len() < CHUNK {
            return Ok(());
        }
    }
}
