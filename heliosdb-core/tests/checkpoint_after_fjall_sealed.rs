//! A checkpoint waits for every memtable, also one fjall sealed by itself.
//!
//! Writes past what fjall keeps in memory make it seal a memtable
//! itself, leaving the active one empty. The checkpoint's own rotation then
//! had nothing to seal, and it used to return at once, before fjall's worker
//! had written the sealed memtable: `CHECKPOINT` and `VACUUM` returned with
//! commits still only in memory and the journal (and `VACUUM` compacted
//! without them).

use heliosdb_core::Connection;

#[test]
fn a_checkpoint_after_more_than_a_memtable_of_writes_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, pad TEXT)").unwrap();
    conn.execute("INSERT INTO t SELECT value, 0, 'padding padding' FROM generate_series(1, 100000)", ()).unwrap();
    // 1,000,000 superseded versions: more than fjall keeps in its memtables.
    for _ in 0..10 {
        conn.execute("UPDATE t SET v = v + 1", ()).unwrap();
    }
    conn.execute_batch("CHECKPOINT").unwrap();
    assert!(conn.history_disk_space() > 0, "CHECKPOINT returned before the versions were in table files");
    let v: i64 = conn.query_row("SELECT sum(v) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(v, 1_000_000);
}
