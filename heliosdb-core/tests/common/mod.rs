//! Helpers shared by the integration tests of this crate.
#![allow(dead_code)]

/// A small deterministic xorshift generator, so every randomized test
/// replays exactly from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next raw 64-bit value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Every row `sql` returns, as values.
pub fn rows(conn: &heliosdb_core::Connection, sql: &str) -> Vec<Vec<heliosdb_core::Value>> {
    let mut st = conn.prepare(sql).unwrap();
    let mut rows = st.query(()).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        out.push(r.values().to_vec());
    }
    out
}

/// Re-runs this test binary as a child process that runs only the
/// `#[ignore]`d test `test`, with `var` set to `value` in its environment
/// and its standard output piped back: the way the crash tests get a
/// process they can kill.
pub fn spawn_child(test: &str, var: &str, value: &std::path::Path) -> std::process::Child {
    use std::process::{Command, Stdio};
    Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", test, "--ignored", "--nocapture", "--test-threads=1"])
        .env(var, value)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the child test")
}

/// Bytes the journal files hold on disk (allocated blocks: fjall creates a
/// journal as a sparse 64 MB file, so its length says nothing).
pub fn journal_bytes(dir: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "jnl"))
        .map(|e| e.metadata().unwrap().blocks() * 512)
        .sum()
}

/// Reads a child's `committed N` lines until N reaches `upto`, then kills it
/// (SIGKILL: no close, no checkpoint); returns the last N it reported.
pub fn kill_after_commit(mut child: std::process::Child, upto: i64) -> Option<i64> {
    use std::io::{BufRead, BufReader};
    let mut last = None;
    let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    while let Some(Ok(l)) = lines.next() {
        if let Some(n) = l.strip_prefix("committed ") {
            last = Some(n.trim().parse::<i64>().expect("a commit number"));
            if last >= Some(upto) {
                break;
            }
        }
    }
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
    last
}
