//! `heliosdb`: the HeliosDB-Lite shell.
//!
//! ```text
//! heliosdb [DIR]              interactive prompt (DIR defaults to a temporary database)
//! heliosdb DIR "SQL"          run SQL (or -c "SQL") and exit; exit code 1 on error
//! heliosdb DIR < file.sql     run a script from standard input (errors are
//!                             reported by line and the script goes on; -bail stops it)
//! heliosdb --demo             a short tour on a temporary database
//! ```

mod args;
mod complete;
mod demo;
mod dot;
mod dump;
mod import;
mod inspect;
mod interactive;
mod output;
mod script;
mod shell;
mod sink;
mod timer;

use heliosdb_core::{Config, Connection};
use shell::Shell;
use std::io::IsTerminal;

fn open(args: &args::Args) -> Result<(Connection, String), String> {
    let config = match &args.config {
        Some(f) => Config::from_file(f).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    let path = args.dir.clone().or_else(|| config.database.path.clone()).unwrap_or_else(|| ":memory:".into());
    let conn = Connection::open_with(&path, &config).map_err(|e| format!("cannot open {path}: {e}"))?;
    Ok((conn, path))
}

fn main() {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Some(info) = &args.info {
        println!("{info}");
        return;
    }
    if args.demo {
        if let Err(e) = demo::run() {
            eprintln!("demo failed: {e}");
            std::process::exit(1);
        }
        return;
    }
    let (conn, filename) = match open(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::exit(1);
        }
    };
    let mut shell = Shell::new(conn, filename);
    shell.bail = args.bail;
    if let Some(m) = args.mode {
        shell.style.mode = m;
    }
    if let Some(h) = args.headers {
        shell.style.headers = h;
    }
    shell.style.nullvalue = args.nullvalue.clone();
    for cmd in &args.init {
        let ran = script::run(&mut shell, cmd);
        if ran.quit || (ran.failed && shell.bail) {
            drop(shell);
            std::process::exit(i32::from(ran.failed));
        }
    }
    let ran = if let Some(c) = &args.command {
        // SQL given on the command line stops at its first error, as in sqlite3.
        shell.bail = true;
        script::run(&mut shell, c)
    } else if !std::io::stdin().is_terminal() {
        // Read as it runs: a dump piped in is never held in memory whole.
        script::run_lines(&mut shell, &mut std::io::stdin().lock())
    } else {
        return interactive::run(shell);
    };
    shell.out.close();
    drop(shell);
    if ran.failed {
        std::process::exit(1);
    }
}
