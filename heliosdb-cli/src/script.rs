//! Running a script (standard input, `.read FILE`, `-c`), as `sqlite3` does:
//! dot-commands on lines of their own, SQL gathered until a statement is
//! complete; an error is printed as `Parse error near line N: …` (N is the
//! line the statement began on) and the script goes on unless `.bail on`.

use crate::complete::is_complete;
use crate::shell::{describe_error, Flow, Shell};

/// What running a script came to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ran {
    /// At least one statement or command failed.
    pub failed: bool,
    /// `.quit` was reached.
    pub quit: bool,
}

/// Runs `text`; errors go to standard error.
pub fn run(shell: &mut Shell, text: &str) -> Ran {
    run_lines(shell, &mut text.as_bytes())
}

/// Runs the script `input` holds, a line at a time as it is read, so a
/// reloaded dump of any size is never held in memory whole; errors go to
/// standard error. A line that cannot be read (an I/O error, bad UTF-8)
/// ends the script as failed.
pub fn run_lines(shell: &mut Shell, input: &mut dyn std::io::BufRead) -> Ran {
    let mut ran = Ran::default();
    let mut buffer = String::new();
    let mut start_line = 0;
    let mut read = String::new();
    for lineno in 1.. {
        read.clear();
        match input.read_line(&mut read) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("Error near line {lineno}: cannot read the script: {e}");
                ran.failed = true;
                return ran;
            }
        }
        let line = read.strip_suffix('\n').unwrap_or(&read);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if buffer.trim().is_empty() && line.trim_start().starts_with('.') {
            buffer.clear();
            match shell.dot(line) {
                Ok(Flow::Quit) => {
                    ran.quit = true;
                    return ran;
                }
                Ok(Flow::Continue) => {}
                Err(e) => {
                    eprintln!("Error near line {lineno}: {e}");
                    ran.failed = true;
                    if shell.bail {
                        return ran;
                    }
                }
            }
            continue;
        }
        if buffer.trim().is_empty() {
            start_line = lineno;
        }
        buffer.push_str(line);
        buffer.push('\n');
        if is_complete(&buffer) {
            if !run_statement(shell, &buffer, start_line) {
                ran.failed = true;
                if shell.bail {
                    return ran;
                }
            }
            buffer.clear();
        }
    }
    // A last statement without its ';' still runs, as in sqlite3.
    if !buffer.trim().is_empty() && !only_comments(&buffer) && !run_statement(shell, &buffer, start_line) {
        ran.failed = true;
    }
    ran
}

fn run_statement(shell: &mut Shell, sql: &str, line: usize) -> bool {
    match shell.run_sql(sql) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("{}", describe_error(&e, Some(line)));
            false
        }
    }
}

fn only_comments(sql: &str) -> bool {
    sql.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with("--")
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn comment_only_tail_is_not_a_statement() {
        assert!(super::only_comments("-- the end\n\n"));
        assert!(!super::only_comments("SELECT 1 -- no semicolon"));
    }
}
