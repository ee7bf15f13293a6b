//! A database whose storage has failed under it still closes. Here its
//! directory is removed while it is open (as a temporary-directory guard
//! dropped before the connection does): the close's checkpoint cannot be
//! written, fjall's background worker fails and poisons the store, and the
//! close must give up on the checkpoint instead of waiting forever for it.

use heliosdb_core::Connection;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn closing_after_the_directory_was_removed_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, pad TEXT)").unwrap();
    // More than the close's checkpoint threshold (1 MB journaled), so the close flushes.
    let tx = conn.transaction().unwrap();
    for i in 0..4000 {
        tx.execute("INSERT INTO t VALUES (?1, ?2)", (i, "x".repeat(500))).unwrap();
    }
    tx.commit().unwrap();
    std::fs::remove_dir_all(&path).unwrap();

    let (done, closed) = mpsc::channel();
    std::thread::spawn(move || {
        // A checkpoint fails with an error now, it does not hang either.
        let checkpoint = conn.checkpoint();
        drop(conn);
        done.send(checkpoint.is_err()).ok();
    });
    let failed = closed.recv_timeout(Duration::from_secs(30)).expect("the connection closed within 30 s");
    assert!(failed, "a checkpoint into a removed directory reports an error");
}
