//! Interrupts stay with their connection when two connections take turns on
//! one thread: interrupting one never stops the other's statement, and each
//! can still be interrupted after the other ran (the thread keeps the last
//! connection's interrupt counter between statements).

use heliosdb_core::{Connection, Error};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Long enough to be running when another thread interrupts (~100 ms on).
const LONG: &str = "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c \
                    WHERE x < 100000000) SELECT x FROM c)";

/// Runs `LONG` on `conn` while another thread interrupts `target` after 100 ms.
fn long_query_with_interrupt_of(conn: &Connection, target: &Connection) -> heliosdb_core::Result<i64> {
    let handle = target.interrupt_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.interrupt();
    });
    let out = conn.query_row(LONG, (), |r| r.get::<_, i64>(0));
    stopper.join().unwrap();
    out
}

#[test]
fn interrupts_stay_with_their_connection_on_a_shared_thread() {
    let a = Connection::open_in_memory().unwrap();
    let b = Connection::open_in_memory().unwrap();
    // Each interrupted while it runs, right after the other ran.
    for (runs, other) in [(&a, &b), (&b, &a), (&a, &b)] {
        other.execute_batch("SELECT 1").unwrap();
        let e = long_query_with_interrupt_of(runs, runs).unwrap_err();
        assert!(matches!(e, Error::Interrupt(_)), "{e:?}");
    }

    // Interrupting `a` over and over while `b` runs a bounded query right
    // after `a` ran: `b` finishes.
    let stop = Arc::new(AtomicBool::new(false));
    let handle = a.interrupt_handle();
    let nagger = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                handle.interrupt();
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    for _ in 0..3 {
        // `a` may itself be interrupted here: what matters is that it ran
        // on this thread last.
        match a.execute_batch("SELECT 1") {
            Ok(()) | Err(Error::Interrupt(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
        let n: i64 = b
            .query_row(
                "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c \
                 WHERE x < 200000) SELECT x FROM c)",
                (),
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 200000);
    }
    stop.store(true, Ordering::Relaxed);
    nagger.join().unwrap();
    // Both go on working.
    assert_eq!(a.query_row("SELECT 41 + 1", (), |r| r.get::<_, i64>(0)).unwrap(), 42);
    assert_eq!(b.query_row("SELECT 41 + 1", (), |r| r.get::<_, i64>(0)).unwrap(), 42);
}
