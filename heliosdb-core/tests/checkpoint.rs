//! Checkpoint: `CHECKPOINT`, `PRAGMA wal_checkpoint` and a clean close move
//! what is held in memory into table files, so a reopen replays no journal;
//! `VACUUM` compacts and keeps every row.

use heliosdb_core::{Config, Connection, Value};

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, (), |r| r.get(0)).unwrap()
}

#[test]
fn checkpoint_statements_answer_as_sqlite_does() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t SELECT value FROM generate_series(1, 100)").unwrap();
    conn.execute_batch("CHECKPOINT; checkpoint;").unwrap();
    let mut st = conn.prepare("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    assert_eq!(st.column_names().unwrap(), ["busy", "log", "checkpointed"]);
    let mut rows = st.query(()).unwrap();
    assert_eq!(rows.next().unwrap().unwrap().values(), &[Value::Integer(0), Value::Integer(0), Value::Integer(0)]);
    assert!(rows.next().unwrap().is_none());
    drop(rows);
    drop(st);
    conn.execute_batch("PRAGMA main.wal_checkpoint; VACUUM; VACUUM main;").unwrap();
    assert_eq!(count(&conn, "SELECT sum(a) FROM t"), 5050);
    assert!(conn.execute_batch("CHECKPOINT t").is_err(), "stray words are a syntax error");
}

#[test]
fn a_clean_close_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path()).unwrap();
        conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER, pad TEXT)").unwrap();
        // Enough (a few MB) that a reopen would have real journal to replay.
        for round in 0..5 {
            conn.execute(
                "INSERT OR REPLACE INTO t SELECT value, ?, printf('%0100d', value) FROM generate_series(1, 5000)",
                [round],
            )
            .unwrap();
        }
        assert_eq!(conn.history_disk_space(), 0, "the superseded versions are still in memory");
    } // the last connection closes: the engine checkpoints
    let conn = Connection::open(dir.path()).unwrap();
    assert!(
        conn.history_disk_space() > 0,
        "after a clean close the history is in table files, not replayed from the journal into memory"
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM t WHERE v = 4"), 5000);
}

#[test]
fn without_a_journal_a_clean_close_still_keeps_every_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.database.enable_wal = false;
    {
        let conn = Connection::open_with(dir.path(), &config).unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER)").unwrap();
        for n in 0..200 {
            conn.execute("INSERT INTO t VALUES (?)", [n]).unwrap();
        }
    }
    let conn = Connection::open_with(dir.path(), &config).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM t"), 200);
}
