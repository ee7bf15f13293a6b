//! `Connection::checkpoint_behind` starts a checkpoint without waiting for
//! it, and waits for the one before: after two calls, what the first sealed
//! is in table files, while writes and reads go on in between.

use heliosdb_core::Connection;

fn sum(conn: &Connection) -> i64 {
    conn.query_row("SELECT sum(v) FROM t", (), |r| r.get(0)).unwrap()
}

#[test]
fn a_second_checkpoint_behind_finds_the_first_written() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path()).unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)").unwrap();
        conn.execute("INSERT INTO t SELECT value, 1 FROM generate_series(1, 20000)", ()).unwrap();
        // 20,000 superseded versions, held in the versions memtable.
        conn.execute("UPDATE t SET v = v + 1", ()).unwrap();
        assert_eq!(conn.history_disk_space(), 0, "nothing is in table files before a checkpoint");
        conn.checkpoint_behind().unwrap();
        // Called again at once, it waits for the first to be written.
        conn.checkpoint_behind().unwrap();
        assert!(conn.history_disk_space() > 0, "the second call returned before the first checkpoint was written");
        // The writer goes on while a checkpoint is written.
        conn.execute("INSERT INTO t SELECT value, 5 FROM generate_series(20001, 30000)", ()).unwrap();
        conn.checkpoint_behind().unwrap();
        assert_eq!(sum(&conn), 20_000 * 2 + 10_000 * 5);
        conn.execute("UPDATE t SET v = v + 1 WHERE id > 20000", ()).unwrap();
    }
    let conn = Connection::open(dir.path()).unwrap();
    assert_eq!(sum(&conn), 20_000 * 2 + 10_000 * 6);
    let before: i64 = conn.query_row("SELECT count(*) FROM t WHERE v = 6", (), |r| r.get(0)).unwrap();
    assert_eq!(before, 10_000);
}

#[test]
fn checkpoint_behind_with_nothing_written_returns() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.checkpoint_behind().unwrap();
    conn.checkpoint_behind().unwrap();
    conn.execute_batch("CREATE TABLE e (x)").unwrap();
    assert_eq!(conn.query_row("SELECT count(*) FROM e", (), |r| r.get::<_, i64>(0)).unwrap(), 0);
}
