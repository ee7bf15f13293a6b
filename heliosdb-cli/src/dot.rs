//! Dot-commands: splitting a `.command arg 'quoted arg'` line and running it.
//! Settings are handled here; commands that read the database live in
//! `inspect`, `dump` and `import`.

use crate::output::{Mode, MODE_NAMES};
use crate::shell::{Flow, Shell};

/// `.help`: one line per command, each with an example.
pub const HELP: &str = "\
.backup DIR              online backup into the new directory DIR     .backup /mnt/usb/db-copy
.bail on|off             stop scripts at the first error              .bail on
.changes on|off          print rows changed after each statement      .changes on
.dump [TABLE..] [--as-of SCN]  SQL text that recreates the database   .dump orders --as-of 120
.exit / .quit            leave the shell
.headers on|off          header line in csv, list and tabs modes      .headers off
.help                    this text
.history TABLE KEY..     every version of one row, with SCNs and times .history orders 42
.import FILE TABLE [--skip N]  load CSV (a missing TABLE is created from the header)
.indexes [TABLE]         list indexes                                 .indexes orders
.mode MODE               output mode: table, box, markdown, csv, json, line, list, tabs
.mv                      materialized views with strategy and staleness
.nullvalue TEXT          text shown for NULL                          .nullvalue NULL
.once FILE               send the next result to FILE                 .once /tmp/top.csv
.output [FILE]           send results to FILE (no FILE: back to the screen)
.read FILE               run the SQL and dot-commands in FILE
.schema [TABLE]          CREATE statements                            .schema orders
.show                    current settings
.tables                  list tables and views
.timer on|off            time, CPU and peak memory of each statement
SQL statements end with ';' and may span several lines. Ctrl-C stops a running query.";

/// Splits a dot-command line into words; `'…'` and `\"…\"` group words with spaces.
pub fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '\'' || c == '"' {
            chars.next();
            for d in chars.by_ref() {
                if d == c {
                    break;
                }
                word.push(d);
            }
        } else {
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() {
                    break;
                }
                word.push(d);
                chars.next();
            }
        }
        words.push(word);
    }
    words
}

fn on_off(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" => Ok(true),
        "off" | "no" | "false" | "0" => Ok(false),
        _ => Err(format!("ERROR: Not a boolean value: \"{v}\". Assuming \"no\".")),
    }
}

impl Shell {
    /// Runs a dot-command line.
    ///
    /// # Errors
    /// A message for the user.
    pub fn dot(&mut self, line: &str) -> Result<Flow, String> {
        let words = split(line);
        let cmd = words.first().map(String::as_str).unwrap_or("");
        let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        let result = self.dot_command(cmd, &args, line);
        if !matches!(cmd, ".once" | ".output") {
            self.out.statement_done();
        }
        result
    }

    fn dot_command(&mut self, cmd: &str, args: &[&str], line: &str) -> Result<Flow, String> {
        match (cmd, args) {
            (".quit" | ".exit", _) => return Ok(Flow::Quit),
            (".help", _) => self.print(&format!("{HELP}\n"))?,
            (".tables", _) => self.tables()?,
            (".schema", rest) => self.schema(rest.first().copied())?,
            (".indexes" | ".indices", rest) => self.indexes(rest.first().copied())?,
            (".mv", []) => self.materialized_views()?,
            (".history", [table, key @ ..]) if !key.is_empty() => self.history(table, key)?,
            (".show", []) => self.show()?,
            (".dump", rest) => self.dump(rest)?,
            (".mode", [m]) => {
                self.style.mode = Mode::parse(m).ok_or_else(|| format!("unknown mode {m}: use {MODE_NAMES}"))?
            }
            (".headers" | ".header", [v]) => self.style.headers = on_off(v)?,
            (".nullvalue", [v]) => self.style.nullvalue = Some(v.to_string()),
            (".timer", [v]) => self.timer = on_off(v)?,
            (".changes", [v]) => self.changes = on_off(v)?,
            (".bail", [v]) => self.bail = on_off(v)?,
            (".output", []) => self.out.close(),
            (".output", [file]) => self.out.redirect(file, false)?,
            (".once", [file]) => self.out.redirect(file, true)?,
            (".read", [file]) => {
                let f = std::fs::File::open(file).map_err(|e| format!("cannot open \"{file}\": {e}"))?;
                let ran = crate::script::run_lines(self, &mut std::io::BufReader::new(f));
                if ran.quit {
                    return Ok(Flow::Quit);
                }
                if ran.failed {
                    return Err(format!("{file} had errors"));
                }
            }
            (".backup", [dir]) => {
                let sql = format!("VACUUM INTO '{}'", dir.replace('\'', "''"));
                self.conn.execute_batch(&sql).map_err(|e| e.to_string())?;
                if let Some(notice) = self.conn.notice() {
                    self.print(&format!("-- {notice}\n"))?;
                }
            }
            (".import", [file, table]) => self.import(file, table, 0)?,
            (".import", [file, table, "--skip", n]) | (".import", ["--skip", n, file, table]) => {
                let n = n.parse().map_err(|_| format!("--skip needs a number, not {n}"))?;
                self.import(file, table, n)?
            }
            _ => {
                return Err(format!(
                    "unknown command or invalid arguments: \"{}\". Enter \".help\" for help",
                    line.trim()
                ))
            }
        }
        Ok(Flow::Continue)
    }

    fn show(&mut self) -> Result<(), String> {
        let onoff = |b: bool| if b { "on" } else { "off" };
        let null = self.style.nullvalue.clone().unwrap_or_else(|| "(mode default)".into());
        let text = format!(
            "   headers: {}\n      mode: {}\n nullvalue: \"{}\"\n    output: {}\n     timer: {}\n   changes: {}\n      bail: {}\n  filename: {}\n",
            onoff(self.style.headers),
            self.style.mode.name(),
            null,
            self.out.describe(),
            onoff(self.timer),
            onoff(self.changes),
            onoff(self.bail),
            self.filename
        );
        self.print(&text)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_words_keep_their_spaces() {
        assert_eq!(super::split(".once 'my file.csv'"), vec![".once", "my file.csv"]);
        assert_eq!(super::split(" .nullvalue \"\" "), vec![".nullvalue", ""]);
        assert_eq!(super::split(".history t 42"), vec![".history", "t", "42"]);
    }
}
