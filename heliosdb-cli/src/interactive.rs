//! The interactive prompt: line editing and history (`~/.heliosdb_history`)
//! through rustyline, multi-line statements, and Ctrl-C.
//!
//! Ctrl-C at the prompt drops the statement being typed. While a statement
//! runs the terminal is not in raw mode, so Ctrl-C arrives as SIGINT; the
//! handler asks the connection to stop (`InterruptHandle::interrupt`, the
//! same mechanism as `heliosdb_interrupt`), the statement fails with
//! "interrupted" and the prompt comes back.

use crate::complete::is_complete;
use crate::shell::{describe_error, Flow, Shell};
use rustyline::error::ReadlineError;

/// Runs the prompt until `.quit` or end of input.
pub fn run(mut shell: Shell) {
    let history = std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".heliosdb_history"));
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot start line editor: {e}");
            return;
        }
    };
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let handle = shell.conn.interrupt_handle();
    if let Err(e) = ctrlc::set_handler(move || handle.interrupt()) {
        eprintln!("warning: Ctrl-C will end the shell instead of the query: {e}");
    }
    println!("HeliosDB-Lite {} — .help for commands, statements end with ';'", heliosdb_core::VERSION);
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() { "heliosdb> " } else { "     ...> " };
        let line = match editor.readline(prompt) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(_) => break,
        };
        if buffer.is_empty() && line.trim_start().starts_with('.') {
            let _ = editor.add_history_entry(line.as_str());
            match shell.dot(&line) {
                Ok(Flow::Quit) => break,
                Ok(Flow::Continue) => {}
                Err(e) => eprintln!("Error: {e}"),
            }
            continue;
        }
        if buffer.is_empty() && line.trim().is_empty() {
            continue;
        }
        buffer.push_str(&line);
        buffer.push('\n');
        if is_complete(&buffer) {
            let _ = editor.add_history_entry(buffer.trim_end());
            if let Err(e) = shell.run_sql(&buffer) {
                eprintln!("{}", describe_error(&e, None));
            }
            buffer.clear();
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
}
