//! Running the `heliosdb` binary (and `sqlite3`, to compare) as a user's script would.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `program` with `args`, feeding `stdin` (closed when `None`).
pub fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
    if let Some(s) = stdin {
        child.stdin.take().expect("stdin").write_all(s.as_bytes()).expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

/// Runs the shell.
pub fn heliosdb(args: &[&str], stdin: Option<&str>) -> Output {
    run(env!("CARGO_BIN_EXE_heliosdb"), args, stdin)
}

/// Runs the `sqlite3` command-line shell (CI installs Debian's `sqlite3`).
pub fn sqlite3(args: &[&str], stdin: Option<&str>) -> Output {
    run("sqlite3", args, stdin)
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Standard output of a run that must succeed.
pub fn ok(o: Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status.code(), text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}
