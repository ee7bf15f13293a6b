//! A process killed after writing far more than the automatic checkpoint's
//! size leaves a journal of a few checkpoints at most (upstream fjall kept
//! up to 64 MB), and so does one killed after many more small commits than
//! a checkpoint allows; the next open has every commit they reported. A
//! clean close after many checkpoints still leaves no journal at all.

mod common;

use heliosdb_core::{Config, Connection};
use std::path::Path;

/// `memory_limit_mb = 4`: a checkpoint every 4 MB written.
fn open(dir: &Path) -> Connection {
    let mut config = Config::default();
    config.database.memory_limit_mb = 4;
    Connection::open_with(dir, &config).unwrap()
}

/// Single-row commits of a row of 2,000 random digits (fjall compresses
/// journaled values of 4 KB and more, such as a page of these rows): 20,000 of them left 60 MB of journal without the
/// automatic checkpoints, 1 MB with them.
const COMMITS: i64 = 20_000;
const PAD: usize = 2000;
const DIR_VAR: &str = "HELIOSDB_BOUNDED_DIR";

#[test]
#[ignore = "child process of a_killed_writer_leaves_a_short_journal"]
fn child_writer() {
    let dir = std::env::var(DIR_VAR).expect("run by a_killed_writer_leaves_a_short_journal");
    let conn = open(Path::new(&dir));
    conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER, pad TEXT)").unwrap();
    let mut st = conn.prepare("INSERT INTO t VALUES (?, 1, ?)").unwrap();
    let mut rng = common::Rng(7);
    for k in 1.. {
        // Random digits: a page of zeros would journal compressed.
        let pad: String = (0..PAD).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
        st.execute((k, format!("{pad}{k}"))).unwrap();
        println!("committed {k}");
    }
}

#[test]
fn a_killed_writer_leaves_a_short_journal() {
    let dir = tempfile::tempdir().unwrap();
    let child = common::spawn_child("child_writer", DIR_VAR, dir.path());
    let last = common::kill_after_commit(child, COMMITS).expect("the child committed");

    let journal = common::journal_bytes(dir.path());
    assert!(journal <= 24 << 20, "{journal} bytes of journal after about 60 MB written, checkpoints every 4 MB");

    let conn = open(dir.path());
    let (n, sum): (i64, i64) =
        conn.query_row("SELECT count(*), sum(v) FROM t", (), |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert!(n >= last, "every reported commit survives: {n} rows, {last} reported");
    assert_eq!(sum, n);
    let pad: String = conn.query_row("SELECT pad FROM t WHERE k = ?", [last], |r| r.get(0)).unwrap();
    assert_eq!(pad.len(), PAD + last.to_string().len());
    assert!(pad.ends_with(&last.to_string()));
    let points: i64 = conn.query_row("SELECT count(*) FROM heliosdb_snapshots()", (), |r| r.get(0)).unwrap();
    assert_eq!(points, n + 1, "one commit point a row, and the CREATE");
}

const SMALL_COMMITS: i64 = 175_000;
const SMALL_DIR_VAR: &str = "HELIOSDB_BOUNDED_SMALL_DIR";

#[test]
#[ignore = "child process of many_small_commits_leave_a_short_journal"]
fn child_small_writer() {
    let dir = std::env::var(SMALL_DIR_VAR).expect("run by many_small_commits_leave_a_short_journal");
    // The default memory limit: 64 MB between checkpoints, more than these
    // commits write, so only their number checkpoints.
    let conn = Connection::open(&dir).unwrap();
    conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)").unwrap();
    let mut st = conn.prepare("INSERT INTO t VALUES (?, ?)").unwrap();
    for k in 1.. {
        st.execute((k, k % 1000)).unwrap();
        println!("committed {k}");
    }
}

#[test]
fn many_small_commits_leave_a_short_journal() {
    let dir = tempfile::tempdir().unwrap();
    let child = common::spawn_child("child_small_writer", SMALL_DIR_VAR, dir.path());
    let last = common::kill_after_commit(child, SMALL_COMMITS).expect("the child committed");
    let journal = common::journal_bytes(dir.path());
    // Without a checkpoint every 25,000 commits: about 52 MB; with them, the
    // commits since the last one and perhaps the file it sealed.
    assert!(journal <= 32 << 20, "{journal} bytes of journal after {last} commits");
    let conn = Connection::open(dir.path()).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert!(n >= last, "every reported commit survives: {n} rows, {last} reported");
}

#[test]
fn a_clean_close_after_checkpoints_leaves_no_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = common::Rng(11);
    {
        let conn = open(dir.path());
        conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER, pad TEXT)").unwrap();
        let mut st = conn.prepare("INSERT INTO t VALUES (?, 1, ?)").unwrap();
        // 8,000 rows of 2 KB, their pages rewritten commit by commit: many
        // times the 4 MB between checkpoints, so several run before the close.
        for k in 1..=8000 {
            let pad: String = (0..PAD).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
            st.execute((k, pad)).unwrap();
        }
    }
    assert_eq!(common::journal_bytes(dir.path()), 0, "the close flushed everything and emptied the journal");
    let conn = open(dir.path());
    let n: i64 = conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 8000);
}
