//! A second process opening the same database gets a clear "database is
//! locked" error (and the first keeps working).

use heliosdb_core::{Connection, Error};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const DIR_VAR: &str = "HELIOSDB_LOCK_DIR";

#[test]
#[ignore = "child process of second_process_gets_database_is_locked"]
fn child_holder() {
    let dir = std::env::var(DIR_VAR).expect("run by second_process_gets_database_is_locked");
    let conn = Connection::open(&dir).unwrap();
    conn.execute_batch("CREATE TABLE IF NOT EXISTS t (x INTEGER); INSERT INTO t VALUES (1)").unwrap();
    println!("ready");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line); // hold the database until told to go
    conn.execute("INSERT INTO t VALUES (2)", ()).unwrap();
    println!("done");
}

#[test]
fn second_process_gets_database_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_holder", "--ignored", "--nocapture", "--test-threads=1"])
        .env(DIR_VAR, dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("ready") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "child exited early");
    }
    let e = Connection::open(dir.path()).err().expect("the directory is held by the child");
    assert!(matches!(e, Error::Busy(_)), "{e:?}");
    assert!(e.to_string().contains("database is locked"), "{e}");
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    // Once the child is gone the database opens and holds both rows.
    let conn = Connection::open(dir.path()).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
}
