//! A clean close leaves an empty journal, so the next open replays nothing;
//! the reopened database has every row, its history, and numbers new
//! commits after the old ones; commits written into the emptied journal
//! survive a killed process.

mod common;

use heliosdb_core::{Connection, Value};

fn last_scn(conn: &Connection) -> i64 {
    conn.query_row("SELECT max(scn) FROM heliosdb_snapshots()", (), |r| r.get(0)).unwrap()
}

/// Some megabytes of journal: 2,000 single-row commits, then updates of every row.
fn fill(conn: &Connection) {
    conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER, pad TEXT)").unwrap();
    let mut st = conn.prepare("INSERT INTO t VALUES (?, 0, printf('%0500d', 1))").unwrap();
    for k in 1..=2000 {
        st.execute([k]).unwrap();
    }
    conn.execute("UPDATE t SET v = v + 1", ()).unwrap();
}

#[test]
fn a_clean_close_empties_the_journal_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (before, mid) = {
        let conn = Connection::open(dir.path()).unwrap();
        fill(&conn);
        let mid = last_scn(&conn);
        conn.execute("UPDATE t SET v = v + 1 WHERE k <= 10", ()).unwrap();
        // (Not all of them: the fill wrote past two automatic checkpoints.)
        assert!(common::journal_bytes(dir.path()) > 0, "the last commits are in the journal while open");
        (last_scn(&conn), mid)
    };
    assert_eq!(common::journal_bytes(dir.path()), 0, "every item was flushed, so the journal was emptied");

    let conn = Connection::open(dir.path()).unwrap();
    assert_eq!(last_scn(&conn), before, "the commit log survives");
    let sum: i64 = conn.query_row("SELECT sum(v) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(sum, 2000 + 10);
    let past: i64 = conn.query_row("SELECT sum(v) FROM t AS OF SCN ?", [mid], |r| r.get(0)).unwrap();
    assert_eq!(past, 2000, "history read from table files");
    conn.execute("INSERT INTO t VALUES (5000, 7, 'x')", ()).unwrap();
    assert!(last_scn(&conn) > before, "new commits are numbered after the old ones");
    let got: Vec<Value> = conn.query_row("SELECT v FROM t WHERE k = 5000", (), |r| Ok(r.values().to_vec())).unwrap();
    assert_eq!(got, [Value::Integer(7)]);
    drop(conn);

    // And once more: what was written after the emptied journal survives too.
    let conn = Connection::open(dir.path()).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 2001);
}

const DIR_VAR: &str = "HELIOSDB_TRIM_DIR";

#[test]
#[ignore = "child process of commits_after_an_emptied_journal_survive_a_kill"]
fn child_writer() {
    let dir = std::env::var(DIR_VAR).expect("run by commits_after_an_emptied_journal_survive_a_kill");
    let conn = Connection::open(&dir).unwrap();
    for n in 10_000.. {
        conn.execute("INSERT INTO t VALUES (?, 1, 'after')", [n]).unwrap();
        println!("committed {n}");
    }
}

#[test]
fn commits_after_an_emptied_journal_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path()).unwrap();
        fill(&conn);
    }
    assert_eq!(common::journal_bytes(dir.path()), 0);
    let child = common::spawn_child("child_writer", DIR_VAR, dir.path());
    let last = common::kill_after_commit(child, 10_200).expect("the child committed");
    let conn = Connection::open(dir.path()).unwrap();
    let after: i64 =
        conn.query_row("SELECT count(*) FROM t WHERE k >= 10000 AND k <= ?", [last], |r| r.get(0)).unwrap();
    assert_eq!(after, last - 10_000 + 1, "every reported commit is there, replayed from the new journal");
    let before: i64 = conn.query_row("SELECT sum(v) FROM t WHERE k <= 2000", (), |r| r.get(0)).unwrap();
    assert_eq!(before, 2000, "and so is everything from before the trim");
}
