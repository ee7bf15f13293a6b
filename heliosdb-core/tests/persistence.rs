//! Close and reopen: rows, schema, indexes, rowid counters and the commit
//! log all come back; a directory that is not a database is refused.

use heliosdb_core::{Connection, Error};

#[test]
fn everything_survives_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let scn;
    {
        let conn = Connection::open(dir.path()).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, v REAL);
             CREATE INDEX t_v ON t (v DESC);
             INSERT INTO t (name, v) VALUES ('a', 1.5), ('b', 2.5), ('c', 3.5);
             DELETE FROM t WHERE id = 3;
             CREATE VIEW t_names AS SELECT name FROM t WHERE v > 2;",
        )
        .unwrap();
        scn = conn.current_scn();
        assert_eq!(scn, 5);
        conn.close().unwrap();
    }
    let conn = Connection::open(dir.path()).unwrap();
    assert_eq!(conn.current_scn(), scn, "the commit log is reloaded");
    let names: Vec<String> = conn
        .prepare("SELECT name FROM t WHERE v > 1 ORDER BY v DESC")
        .unwrap()
        .query_map((), |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(names, ["b", "a"]);
    // AUTOINCREMENT remembers the deleted id 3.
    conn.execute("INSERT INTO t (name, v) VALUES ('d', 0)", ()).unwrap();
    assert_eq!(conn.last_insert_rowid(), 4);
    // The UNIQUE index is still enforced.
    assert!(matches!(conn.execute("INSERT INTO t (name) VALUES ('a')", ()), Err(Error::Constraint(_))));
    let via_view: String = conn.query_row("SELECT name FROM t_names", (), |r| r.get(0)).unwrap();
    assert_eq!(via_view, "b", "the view definition is reloaded");
    let objects = conn.schema_objects();
    assert!(objects.iter().any(|o| o.kind == "index" && o.name == "t_v"));
}

#[test]
fn a_database_of_another_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = Connection::open(dir.path()).unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER)").unwrap();
    }
    // Damage the format marker by opening the raw store and rewriting it.
    let raw = fjall::Database::builder(dir.path()).open().unwrap();
    let meta = raw.keyspace("meta", fjall::KeyspaceCreateOptions::default).unwrap();
    meta.insert("format_version", "heliosdb-999").unwrap();
    raw.persist(fjall::PersistMode::SyncAll).unwrap();
    drop(meta);
    drop(raw);
    let e = Connection::open(dir.path()).err().expect("must refuse");
    assert!(matches!(e, Error::Corrupt(_)), "{e:?}");
    assert!(e.to_string().contains("heliosdb-999"), "{e}");
}
