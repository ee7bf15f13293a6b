//! `BEGIN READ ONLY` reads one snapshot without taking the writer lock and
//! refuses writes; an interrupt stops a running statement (undoing its
//! writes) and also a statement waiting for the writer lock.

use heliosdb_core::{Connection, Error};
use std::time::{Duration, Instant};

#[test]
fn read_only_transaction_is_a_snapshot_that_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let reader = Connection::open(dir.path()).unwrap();
    let writer = Connection::open(dir.path()).unwrap();
    writer.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)").unwrap();
    reader.execute_batch("BEGIN READ ONLY").unwrap();
    assert!(!reader.is_autocommit());
    // Another connection writes meanwhile: no BUSY, since no lock is held.
    writer.set_busy_timeout(Duration::ZERO);
    writer.execute("INSERT INTO t VALUES (2)", ()).unwrap();
    let n: i64 = reader.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "the read-only transaction keeps its snapshot");
    let e = reader.execute("INSERT INTO t VALUES (3)", ()).unwrap_err();
    assert!(matches!(e, Error::ReadOnly(_)), "{e:?}");
    let e = reader.execute_batch("CREATE TABLE u (y INTEGER)").unwrap_err();
    assert!(matches!(e, Error::ReadOnly(_)), "{e:?}");
    reader.execute_batch("COMMIT").unwrap();
    let n: i64 = reader.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 2, "after COMMIT the present is visible");
    reader.execute_batch("BEGIN READ ONLY; ROLLBACK; INSERT INTO t VALUES (3)").unwrap();
}

#[test]
fn interrupt_stops_a_running_write_and_undoes_it() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)").unwrap();
    let handle = conn.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    let started = Instant::now();
    let e = conn
        .execute(
            "INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) \
             SELECT x FROM c",
            (),
        )
        .unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(e, Error::Interrupt(_)), "{e:?}");
    assert_eq!(e.code(), 9);
    assert!(started.elapsed() < Duration::from_secs(30));
    let n: i64 = conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 0, "an interrupted statement changes nothing");
    // An interrupt with nothing running does not fail the next statement.
    conn.interrupt_handle().interrupt();
    conn.execute("INSERT INTO t VALUES (1)", ()).unwrap();
}

#[test]
fn interrupt_ends_a_wait_for_the_writer_lock() {
    let dir = tempfile::tempdir().unwrap();
    let holder = Connection::open(dir.path()).unwrap();
    let waiter = Connection::open(dir.path()).unwrap();
    holder.execute_batch("CREATE TABLE t (x INTEGER); BEGIN; INSERT INTO t VALUES (1)").unwrap();
    waiter.set_busy_timeout(Duration::from_secs(20));
    let handle = waiter.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        handle.interrupt();
    });
    let started = Instant::now();
    let e = waiter.execute("INSERT INTO t VALUES (2)", ()).unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(e, Error::Interrupt(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "the wait was cut short");
    holder.execute_batch("COMMIT").unwrap();
    waiter.execute("INSERT INTO t VALUES (2)", ()).unwrap();
}
