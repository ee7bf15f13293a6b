//! `heliosdb`: the HeliosDB-Lite shell.
//!
//! ```text
//! heliosdb [DIR]            interactive prompt (DIR defaults to a temporary database)
//! heliosdb DIR -c "SQL"     run SQL and exit (exit code 1 on error)
//! heliosdb DIR < file.sql   run a script from standard input
//! heliosdb --demo           a short tour on a temporary database
//! ```

mod csv;
mod demo;
mod output;
mod shell;

use heliosdb_core::{Config, Connection};
use shell::{Flow, Shell};
use std::io::{IsTerminal, Read, Write};

const USAGE: &str = "usage: heliosdb [DIR] [-c SQL] [--config FILE] [--demo] [--help] [--version]";

struct Args {
    dir: Option<String>,
    command: Option<String>,
    config: Option<String>,
    demo: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { dir: None, command: None, config: None, demo: false };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-c" => args.command = Some(it.next().ok_or("-c needs SQL")?),
            "--config" => args.config = Some(it.next().ok_or("--config needs a file")?),
            "--demo" => args.demo = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "-V" | "--version" => {
                println!("heliosdb {}", heliosdb_core::VERSION);
                std::process::exit(0);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            s => {
                if args.dir.replace(s.to_string()).is_some() {
                    return Err(format!("more than one database directory given\n{USAGE}"));
                }
            }
        }
    }
    Ok(args)
}

fn open(args: &Args) -> Result<Connection, String> {
    let config = match &args.config {
        Some(f) => Config::from_file(f).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    let path = args.dir.clone().or_else(|| config.database.path.clone()).unwrap_or_else(|| ":memory:".into());
    Connection::open_with(&path, &config).map_err(|e| format!("cannot open {path}: {e}"))
}

fn interactive(mut shell: Shell) {
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
    println!("HeliosDB-Lite {} — .help for commands, statements end with ';'", heliosdb_core::VERSION);
    let mut buffer = String::new();
    let mut stdout = std::io::stdout();
    loop {
        let prompt = if buffer.is_empty() { "heliosdb> " } else { "     ...> " };
        let line = match editor.readline(prompt) {
            Ok(l) => l,
            Err(rustyline::error::ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(_) => break,
        };
        if buffer.is_empty() && line.trim_start().starts_with('.') {
            let _ = editor.add_history_entry(line.as_str());
            match shell.dot(line.trim(), &mut stdout) {
                Ok(Flow::Quit) => break,
                Ok(Flow::Continue) => {}
                Err(e) => eprintln!("Error: {e}"),
            }
            continue;
        }
        buffer.push_str(&line);
        buffer.push('\n');
        if buffer.trim_end().ends_with(';') {
            let _ = editor.add_history_entry(buffer.trim_end());
            if let Err(e) = shell.run_sql(&buffer, &mut stdout) {
                eprintln!("Error: {e}");
            }
            buffer.clear();
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
}

/// Runs a script: SQL with dot-commands on lines of their own. Stops at the first error.
fn script(shell: &mut Shell, text: &str) -> Result<(), String> {
    let mut out = std::io::stdout();
    let mut buffer = String::new();
    for line in text.lines() {
        if buffer.trim().is_empty() && line.trim_start().starts_with('.') {
            let _ = out.flush();
            if let Flow::Quit = shell.dot(line.trim(), &mut out)? {
                return Ok(());
            }
            continue;
        }
        buffer.push_str(line);
        buffer.push('\n');
        if buffer.trim_end().ends_with(';') {
            shell.run_sql(&buffer, &mut out).map_err(|e| e.to_string())?;
            buffer.clear();
        }
    }
    if !buffer.trim().is_empty() {
        shell.run_sql(&buffer, &mut out).map_err(|e| e.to_string())?;
    }
    let _ = out.flush();
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if args.demo {
        if let Err(e) = demo::run(&mut std::io::stdout()) {
            eprintln!("demo failed: {e}");
            std::process::exit(1);
        }
        return;
    }
    let conn = match open(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::exit(1);
        }
    };
    let mut shell = Shell::new(conn);
    let text = if let Some(c) = &args.command {
        Some(c.clone())
    } else if !std::io::stdin().is_terminal() {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("Error: cannot read standard input: {e}");
            std::process::exit(1);
        }
        Some(s)
    } else {
        None
    };
    match text {
        Some(t) => {
            if let Err(e) = script(&mut shell, &t) {
                eprintln!("Error: {e}");
                std::process::exit(1);
            }
        }
        None => interactive(shell),
    }
}
