//! The shell end to end: -c, scripts on standard input, dot-commands,
//! CSV import, exit codes, the demo.

mod common;

use common::{heliosdb, text};

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

#[test]
fn import_into_an_existing_table_skips_the_header_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("readings.csv");
    std::fs::write(&csv, "device,value\nd1,\"1.5\"\nd2,\"multi\nline\"\n").unwrap();
    let db = dir.path().join("db");
    let d = db.to_str().unwrap();
    let script = format!(
        "CREATE TABLE r (device TEXT, value TEXT);\n.import {0} r --skip 1\n.mode list\n.headers off\nSELECT device, value FROM r ORDER BY device;\n.import {0} r\nSELECT count(*) FROM r;\n",
        csv.display()
    );
    let o = heliosdb(&[d], Some(&script));
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "imported 2 rows into r\nd1|1.5\nd2|multi\nline\nimported 3 rows into r\n5\n");
    std::fs::write(&csv, "a,b\n1\n").unwrap();
    let o = heliosdb(&[d, "-c", &format!(".import {} r", csv.display())], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("readings.csv:2: expected 2 columns but found 1"), "{}", text(&o.stderr));
}

/// A large import commits as it goes: a bad record past the first commit
/// keeps the committed rows, the error names the `--skip` that resumes, and
/// resuming with it (once the record is fixed) loads exactly the rest. Inside
/// the user's own transaction, the rows join it and its ROLLBACK undoes them.
#[test]
fn a_failed_large_import_keeps_its_commits_and_resumes_with_skip() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    let db = dir.path().join("db");
    let d = db.to_str().unwrap();
    let lines = |bad: Option<usize>| {
        let mut s = String::from("id,v\n");
        for i in 1..=60_000usize {
            if Some(i) == bad {
                s.push_str("oops\n");
            } else {
                s.push_str(&format!("{i},v{i}\n"));
            }
        }
        s
    };
    std::fs::write(&csv, lines(Some(55_000))).unwrap();
    let o = heliosdb(&[d, "-c", &format!(".import {} big", csv.display())], None);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("big.csv:55001: expected 2 columns but found 1"), "{err}");
    assert!(err.contains("the first 50000 rows are imported (resume with --skip 50001)"), "{err}");
    let o = heliosdb(&[d, "-c", ".mode list\nSELECT count(*), max(CAST(id AS INTEGER)) FROM big;"], None);
    assert_eq!(text(&o.stdout), "count(*)|max(CAST(id AS INTEGER))\n50000|50000\n");

    std::fs::write(&csv, lines(None)).unwrap();
    let o = heliosdb(&[d, "-c", &format!(".import {} big --skip 50001", csv.display())], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "imported 10000 rows into big\n");
    let o = heliosdb(
        &[d, "-c", ".mode list\n.headers off\nSELECT count(DISTINCT id), sum(CAST(id AS INTEGER)) FROM big;"],
        None,
    );
    assert_eq!(text(&o.stdout), "60000|1800030000\n");

    let script = format!(
        "BEGIN;\n.import {} big --skip 1\nSELECT count(*) FROM big;\nROLLBACK;\nSELECT count(*) FROM big;\n",
        csv.display()
    );
    let o = heliosdb(&[d, "-c", &format!(".mode list\n.headers off\n{script}")], None);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "imported 60000 rows into big\n120000\n60000\n");
}
