//! The shell end to end: -c, scripts on standard input, dot-commands,
//! CSV import, exit codes, the demo.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn heliosdb(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heliosdb"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn heliosdb");
    if let Some(s) = stdin {
        child.stdin.take().expect("stdin").write_all(s.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn command_flag_runs_sql_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let o = heliosdb(&[d, "-c", "CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');"], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = heliosdb(&[d, "-c", ".mode csv\nSELECT a, b FROM t ORDER BY a;"], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "a,b\n1,x\n2,y\n");
}

#[test]
fn errors_exit_nonzero_with_a_message() {
    let o = heliosdb(&["-c", "SELECT * FROM missing;"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("no such table: missing"), "{}", text(&o.stderr));
}

#[test]
fn stdin_script_with_dot_commands_and_modes() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "name,city\nAda,\"London, UK\"\nGrace,NYC\n").unwrap();
    let script = format!(
        ".import {} people\n.tables\n.mode json\nSELECT name, city FROM people ORDER BY name;\n.mode line\nSELECT count(*) AS n FROM people;\n.schema people\n",
        csv.display()
    );
    let o = heliosdb(&[dir.path().join("db").to_str().unwrap()], Some(&script));
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("imported 2 rows into people"), "{out}");
    assert!(
        out.contains("[{\"city\":\"London, UK\",\"name\":\"Ada\"},{\"city\":\"NYC\",\"name\":\"Grace\"}]"),
        "{out}"
    );
    assert!(out.contains("n = 2"), "{out}");
    assert!(out.contains("CREATE TABLE \"people\" (\"name\" TEXT, \"city\" TEXT);"), "{out}");
}

#[test]
fn demo_runs_and_shows_results() {
    let o = heliosdb(&["--demo"], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("| north  |"), "{out}");
    assert!(out.contains("388.48"), "north revenue should be 19.99+249.00+99.50+19.99: {out}");
}

#[test]
fn bad_option_is_a_usage_error() {
    let o = heliosdb(&["--bogus"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("usage"));
}

#[test]
fn backup_dot_command_writes_a_copy_that_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let copy = dir.path().join("it's a copy");
    let d = db.to_str().unwrap();
    let o = heliosdb(
        &[d, "-c", &format!("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (7);\n.backup {}", copy.display())],
        None,
    );
    // (A path with a space is two arguments to a dot-command, as in sqlite3: use one without.)
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let copy = dir.path().join("copy's");
    let o = heliosdb(&[d, "-c", &format!(".backup {}", copy.display())], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("-- backed up SCN "), "{}", text(&o.stdout));
    let o = heliosdb(&[copy.to_str().unwrap(), "-c", "SELECT a FROM t;"], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains('7'), "{}", text(&o.stdout));
    let o = heliosdb(&[d, "-c", &format!(".backup {}", copy.display())], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("already exists"), "{}", text(&o.stderr));
}
