//! A script with mistakes behaves as it does under `sqlite3`: each error is
//! reported with the line its statement began on, the script goes on (or
//! stops with `-bail` / `.bail on`), and the exit status is 1. Both shells
//! run the same scripts here.

mod common;

use common::{heliosdb, sqlite3, text};
use std::process::Output;

const SCRIPT: &str = "\
CREATE TABLE u (a INTEGER PRIMARY KEY);
SELECT * FROM missing;
INSERT INTO u VALUES (1);
INSERT INTO u
  VALUES (1);
SELECT 'after', count(*) FROM u;
";

fn both(args: &[&str], script: &str) -> (Output, Output) {
    let mut ours: Vec<&str> = args.to_vec();
    ours.push(":memory:");
    (heliosdb(&ours, Some(script)), sqlite3(&ours, Some(script)))
}

/// The "X error near line N" prefixes of standard error, in order.
fn error_lines(o: &Output) -> Vec<String> {
    text(&o.stderr)
        .lines()
        .filter(|l| l.contains(" error near line "))
        .map(|l| l.split(':').next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn errors_are_reported_by_line_and_the_script_goes_on() {
    let (ours, theirs) = both(&["-list", "-noheader"], SCRIPT);
    assert_eq!(ours.status.code(), Some(1));
    assert_eq!(ours.status.code(), theirs.status.code());
    assert_eq!(error_lines(&ours), vec!["Parse error near line 2", "Runtime error near line 4"]);
    assert_eq!(error_lines(&ours), error_lines(&theirs), "sqlite3 said: {}", text(&theirs.stderr));
    assert!(text(&ours.stderr).contains("no such table: missing"), "{}", text(&ours.stderr));
    assert!(text(&ours.stderr).contains("UNIQUE constraint failed"), "{}", text(&ours.stderr));
    assert!(text(&ours.stderr).contains("(19)"), "{}", text(&ours.stderr));
    assert_eq!(text(&ours.stdout), "after|1\n");
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));
}

#[test]
fn bail_stops_at_the_first_error() {
    let (ours, theirs) = both(&["-bail", "-list", "-noheader"], SCRIPT);
    assert_eq!(ours.status.code(), Some(1));
    assert_eq!(theirs.status.code(), Some(1));
    assert_eq!(error_lines(&ours), vec!["Parse error near line 2"]);
    assert_eq!(text(&ours.stdout), "");
    let o = heliosdb(&[":memory:"], Some(".bail on\nSELECT nope;\nSELECT 'not reached';\n"));
    assert_eq!(o.status.code(), Some(1));
    assert!(!text(&o.stdout).contains("not reached"));
}

#[test]
fn a_clean_script_exits_zero_and_syntax_errors_say_where() {
    let (ours, theirs) = both(&["-list", "-noheader"], "SELECT 1;\n-- a comment\nSELECT 2;\n");
    assert_eq!((ours.status.code(), theirs.status.code()), (Some(0), Some(0)));
    assert_eq!(text(&ours.stdout), text(&theirs.stdout));
    let (ours, theirs) = both(&[], "SELECT 1;\n\nSELEC 2;\nSELECT 'x;y' -- trailing ; comment\n;\n");
    assert_eq!(error_lines(&ours), vec!["Parse error near line 3"]);
    assert_eq!(error_lines(&ours), error_lines(&theirs));
    assert_eq!(ours.status.code(), Some(1));
    let o = heliosdb(&[":memory:"], Some(".frobnicate\nSELECT 1;\n"));
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("Error near line 1: unknown command or invalid arguments: \".frobnicate\""));
}

/// A piped script is read a line at a time as it runs (a reloaded dump is
/// never held whole): CRLF line ends work, a statement may span lines, and a
/// line that is not UTF-8 stops the script with its line number, after what
/// came before it has run.
#[test]
fn a_piped_script_is_read_as_it_runs() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_heliosdb"))
        .args(["-list", "-noheader", ":memory:"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let script: &[u8] = b"SELECT 1;\r\nSELECT 'a' ||\r\n  'b';\r\nSELECT '\xff';\nSELECT 3;\n";
    child.stdin.take().unwrap().write_all(script).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout), "1\nab\n");
    assert!(text(&out.stderr).contains("Error near line 4: cannot read the script"), "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(1));
}
