//! The shell's state around one connection, and how it runs SQL: results
//! through the output style into the current sink, then notices, `.changes`
//! and `.timer` lines.

use crate::output::{render, Style};
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
                let _ = out.write_all(render(style, &o.columns, &o.rows).as_bytes());
            }
            if let Some(notice) = conn.notice() {
                let _ = writeln!(out, "-- {notice}");
            }
            if *changes && o.columns.is_empty() {
                let _ = writeln!(out, "changes: {}   total_changes: {}", o.changes, conn.total_changes());
            }
            if let Some(w) = &watch {
                let _ = writeln!(out, "{}", w.report());
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
