//! Several connections on one path in one process share one engine: writes
//! are visible to all, one writer at a time (with a busy timeout), and
//! readers never see a half-done transaction.

use heliosdb_core::{Config, Connection, Error};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

#[test]
fn connections_on_one_path_share_data() {
    let dir = tempfile::tempdir().unwrap();
    let a = Connection::open(dir.path()).unwrap();
    let b = Connection::open(dir.path()).unwrap();
    a.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)").unwrap();
    let n: i64 = b.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_second_writer_waits_then_reports_busy() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::default();
    cfg.database.busy_timeout_ms = 100;
    let a = Connection::open_with(dir.path(), &cfg).unwrap();
    let b = Connection::open_with(dir.path(), &cfg).unwrap();
    a.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    a.execute_batch("BEGIN; INSERT INTO t VALUES (1)").unwrap();
    let e = b.execute("INSERT INTO t VALUES (2)", ()).unwrap_err();
    assert!(matches!(e, Error::Busy(_)) && e.to_string().contains("locked"), "{e:?}");
    // The reader does not wait for the writer and sees only committed data.
    let n: i64 = b.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    a.execute_batch("COMMIT").unwrap();
    b.execute("INSERT INTO t VALUES (2)", ()).unwrap();
    let n: i64 = a.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
}

#[test]
fn readers_always_see_a_consistent_total() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Connection::open(dir.path()).unwrap();
    setup.execute_batch("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL)").unwrap();
    for i in 0..20 {
        setup.execute("INSERT INTO acct VALUES (?, 100)", [i]).unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    // Transfers committed so far: the readers keep reading until there have
    // been some (on a busy machine the writer thread may start late).
    let done = Arc::new(AtomicU64::new(0));
    let path = dir.path().to_path_buf();
    let writer = {
        let (stop, done) = (Arc::clone(&stop), Arc::clone(&done));
        let path = path.clone();
        std::thread::spawn(move || {
            let w = Connection::open(&path).unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let (from, to) = (n % 20, (n * 7 + 3) % 20);
                let tx = w.transaction().unwrap();
                tx.execute("UPDATE acct SET bal = bal - 5 WHERE id = ?", [from]).unwrap();
                tx.execute("UPDATE acct SET bal = bal + 5 WHERE id = ?", [to]).unwrap();
                tx.commit().unwrap();
                n += 1;
                done.store(n, Ordering::Relaxed);
            }
            n
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (path, done) = (path.clone(), Arc::clone(&done));
            std::thread::spawn(move || {
                let r = Connection::open(&path).unwrap();
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
                let mut reads = 0;
                while reads < 200 || (done.load(Ordering::Relaxed) < 20 && std::time::Instant::now() < deadline) {
                    let total: i64 = r.query_row("SELECT sum(bal) FROM acct", (), |row| row.get(0)).unwrap();
                    assert_eq!(total, 2000, "a reader saw a half-done transfer");
                    reads += 1;
                }
            })
        })
        .collect();
    for r in readers {
        r.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let transfers = writer.join().unwrap();
    assert!(transfers >= 20, "the writer committed {transfers} transfers while the readers read");
}
