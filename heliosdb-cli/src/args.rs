//! Command-line arguments, in `sqlite3`'s spelling where it has one
//! (`-json`, `-cmd`, `-bail`, a second positional argument as SQL) plus
//! HeliosDB's own (`-c`, `--config`, `--demo`).

use crate::output::Mode;

/// Usage text for `--help` and argument errors.
pub const USAGE: &str = "\
usage: heliosdb [OPTIONS] [DIR] [SQL]
  DIR                  database directory (default: a temporary database)
  SQL                  run this SQL (or one dot-command) and exit; also -c SQL
  -cmd COMMAND         run COMMAND (SQL or a dot-command) before reading input; repeatable
  -bail                stop a script at its first error
  -header, -noheader   turn headers on or off (csv, list and tabs modes)
  -nullvalue TEXT      text for NULL values
  -table -box -markdown -csv -json -line -list -tabs   output mode
  --config FILE        read settings from a heliosdb.toml (or .json) file
  --demo               a short tour on a temporary database
  -h, --help           this text
  -V, --version        the version";

/// Parsed command line.
#[derive(Debug, Default)]
pub struct Args {
    /// Database directory.
    pub dir: Option<String>,
    /// SQL to run instead of reading standard input.
    pub command: Option<String>,
    /// `-cmd` commands, in order.
    pub init: Vec<String>,
    /// `--config FILE`.
    pub config: Option<String>,
    /// `--demo`.
    pub demo: bool,
    /// `-bail`.
    pub bail: bool,
    /// `-header` / `-noheader`.
    pub headers: Option<bool>,
    /// `-nullvalue TEXT`.
    pub nullvalue: Option<String>,
    /// A mode flag.
    pub mode: Option<Mode>,
    /// `--help` or `--version` was given: print this and exit 0.
    pub info: Option<String>,
}

/// Parses `argv` (without the program name).
///
/// # Errors
/// A message (with usage) for an unknown option or a missing value.
pub fn parse(argv: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = argv.into_iter();
    let mut positional = Vec::new();
    while let Some(a) = it.next() {
        // sqlite3 accepts -opt and --opt alike.
        let flag = if a.starts_with("--") { &a[1..] } else { a.as_str() };
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match flag {
            "-c" => args.command = Some(value("-c")?),
            "-cmd" => args.init.push(value("-cmd")?),
            "-config" => args.config = Some(value("--config")?),
            "-nullvalue" => args.nullvalue = Some(value("-nullvalue")?),
            "-demo" => args.demo = true,
            "-bail" => args.bail = true,
            "-header" | "-headers" => args.headers = Some(true),
            "-noheader" | "-noheaders" => args.headers = Some(false),
            "-h" | "-help" => args.info = Some(USAGE.to_string()),
            "-V" | "-version" => args.info = Some(format!("heliosdb {}", heliosdb_core::VERSION)),
            f if f.starts_with('-') && f.len() > 1 => match Mode::parse(&f[1..]) {
                Some(m) => args.mode = Some(m),
                None => return Err(format!("unknown option {a}\n{USAGE}")),
            },
            _ => positional.push(a),
        }
    }
    let mut positional = positional.into_iter();
    args.dir = positional.next();
    if let Some(sql) = positional.next() {
        if args.command.replace(sql).is_some() {
            return Err(format!("SQL given both as an argument and with -c\n{USAGE}"));
        }
    }
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument {extra}\n{USAGE}"));
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Args, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn sqlite3_style_flags() {
        let a = p(&["-json", "-cmd", ".timer on", "--cmd", "SELECT 1;", "-noheader", "db", "SELECT 2;"]).unwrap();
        assert_eq!(a.mode, Some(Mode::Json));
        assert_eq!(a.init, vec![".timer on", "SELECT 1;"]);
        assert_eq!(a.headers, Some(false));
        assert_eq!(a.dir.as_deref(), Some("db"));
        assert_eq!(a.command.as_deref(), Some("SELECT 2;"));
        assert!(p(&["-csv", "--box"]).unwrap().mode == Some(Mode::Box));
    }

    #[test]
    fn mistakes_are_errors() {
        assert!(p(&["--bogus"]).unwrap_err().contains("unknown option --bogus"));
        assert!(p(&["-cmd"]).unwrap_err().contains("-cmd needs a value"));
        assert!(p(&["db", "SELECT 1", "extra"]).is_err());
        assert!(p(&["db", "SELECT 1", "-c", "SELECT 2"]).is_err());
    }
}
