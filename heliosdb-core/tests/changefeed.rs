//! A change feed as its consumer sees it: `CREATE CHANGEFEED`, the rows of
//! `heliosdb_changes` (order, JSON images of every type, keys, whole
//! transactions under a row budget), `heliosdb_ack` (monotonic, durable
//! across a reopen, trimming the log), `heliosdb_changefeeds`, the errors a
//! consumer can meet, and `DROP CHANGEFEED` freeing the log.

mod common;

use common::rows;
use heliosdb_core::{Connection, Value};

fn text(v: &Value) -> &str {
    match v {
        Value::Text(s) => s,
        other => panic!("expected text, got {other:?}"),
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Integer(i) => *i,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn scalar(conn: &Connection, sql: &str) -> Value {
    rows(conn, sql).remove(0).remove(0)
}

/// (op, table, key, before, after) of each row, as text.
fn changes(conn: &Connection, sql: &str) -> Vec<(String, String, String, String, String)> {
    rows(conn, sql)
        .iter()
        .map(|r| {
            let opt = |v: &Value| if v.is_null() { "-".to_string() } else { text(v).to_string() };
            (text(&r[4]).into(), text(&r[3]).into(), text(&r[5]).into(), opt(&r[6]), opt(&r[7]))
        })
        .collect()
}

fn setup() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE readings (sensor TEXT, at INTEGER, temp REAL, ok BOOLEAN, raw BLOB, price DECIMAL(10,2),
                                PRIMARY KEY (sensor, at));
         CREATE TABLE notes (body TEXT);
         CREATE TABLE untracked (x INTEGER);
         INSERT INTO readings VALUES ('before', 0, 1.0, true, NULL, NULL);
         CREATE CHANGEFEED f FOR TABLE readings, notes;",
    )
    .unwrap();
    (dir, conn)
}

#[test]
fn changes_come_in_commit_order_with_json_images() {
    let (_dir, conn) = setup();
    conn.execute_batch(
        "INSERT INTO readings VALUES ('s1', 10, 21.5, true, x'00ff10', 12.30);
         INSERT INTO untracked VALUES (1);
         BEGIN;
         INSERT INTO notes VALUES ('he said \"hi\"');
         UPDATE readings SET temp = 22.0, ok = false WHERE sensor = 's1';
         COMMIT;
         DELETE FROM readings WHERE sensor = 'before';",
    )
    .unwrap();
    let got = changes(&conn, "SELECT * FROM heliosdb_changes('f')");
    let s1 = r#"{"sensor":"s1","at":10}"#;
    let img = |temp: &str, ok: &str| {
        format!(r#"{{"sensor":"s1","at":10,"temp":{temp},"ok":{ok},"raw":"AP8Q","price":"12.30"}}"#)
    };
    let want = vec![
        ("INSERT".into(), "readings".into(), s1.into(), "-".into(), img("21.5", "true")),
        // One transaction, in the order its changes were made across tables.
        ("INSERT".into(), "notes".into(), r#"{"rowid":1}"#.into(), "-".into(), r#"{"body":"he said \"hi\""}"#.into()),
        ("UPDATE".into(), "readings".into(), s1.into(), img("21.5", "true"), img("22.0", "false")),
        (
            "DELETE".into(),
            "readings".into(),
            r#"{"sensor":"before","at":0}"#.into(),
            r#"{"sensor":"before","at":0,"temp":1.0,"ok":true,"raw":null,"price":null}"#.into(),
            "-".into(),
        ),
    ];
    assert_eq!(got, want);

    // scn, txid and commit_time belong to the commit.
    let all = rows(&conn, "SELECT scn, txid, commit_time FROM heliosdb_changes('f')");
    assert_eq!(all[1][0], all[2][0], "one transaction shares its SCN");
    assert_eq!(all[1][1], all[2][1], "and its transaction id");
    assert!(int(&all[0][0]) < int(&all[1][0]) && int(&all[2][0]) < int(&all[3][0]));
    let snaps = rows(&conn, "SELECT scn, txid, commit_time FROM heliosdb_snapshots()");
    for r in &all {
        assert!(snaps.contains(r), "{r:?} is one of the commits");
    }
}

/// A consumer with foreign keys needs a transaction's changes in the order
/// they were made: the parent's row before the child's on insert, the
/// child's before the parent's on delete. A savepoint rolled back takes its
/// changes out without disturbing that order.
#[test]
fn a_transaction_across_tables_comes_in_the_order_it_was_made() {
    let (_dir, conn) = setup();
    conn.execute_batch(
        "BEGIN;
         INSERT INTO notes VALUES ('one');
         INSERT INTO readings VALUES ('a', 1, 1.0, true, NULL, NULL);
         INSERT INTO notes VALUES ('two');
         SAVEPOINT s;
         INSERT INTO readings VALUES ('gone', 1, 1.0, true, NULL, NULL);
         INSERT INTO notes VALUES ('gone');
         ROLLBACK TO s;
         DELETE FROM readings WHERE sensor = 'a';
         UPDATE notes SET body = 'three' WHERE body = 'one';
         DELETE FROM readings WHERE sensor = 'before';
         INSERT INTO notes VALUES ('four');
         COMMIT;",
    )
    .unwrap();
    let got: Vec<(String, String, String)> = changes(&conn, "SELECT * FROM heliosdb_changes('f')")
        .into_iter()
        .map(|(op, table, _key, before, after)| {
            // The row image that names the row (after, or before for a delete), cut short.
            let image = if after == "-" { before } else { after };
            (op, table, image.chars().take(14).collect())
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("INSERT", "notes", r#"{"body":"one"}"#),
        ("INSERT", "readings", r#"{"sensor":"a","#),
        ("INSERT", "notes", r#"{"body":"two"}"#),
        ("DELETE", "readings", r#"{"sensor":"a","#),
        ("UPDATE", "notes", r#"{"body":"three"#),
        ("DELETE", "readings", r#"{"sensor":"bef"#),
        ("INSERT", "notes", r#"{"body":"four""#),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn a_row_budget_never_splits_a_transaction() {
    let (_dir, conn) = setup();
    // The first transaction spans both tables: the log holds it as one entry
    // per table, and a budget of 1 must still bring both.
    conn.execute_batch(
        "BEGIN; INSERT INTO notes VALUES ('a'); INSERT INTO notes VALUES ('b');
                INSERT INTO readings VALUES ('s', 1, 1.0, true, NULL, NULL); COMMIT;
         INSERT INTO notes VALUES ('d');",
    )
    .unwrap();
    let first = rows(&conn, "SELECT table_name FROM heliosdb_changes('f', 1)");
    let tables: Vec<&str> = first.iter().map(|r| text(&r[0])).collect();
    assert_eq!(tables, ["notes", "notes", "readings"], "the whole first transaction, from both tables");
    assert_eq!(rows(&conn, "SELECT * FROM heliosdb_changes('f', 3)").len(), 3);
    assert_eq!(rows(&conn, "SELECT * FROM heliosdb_changes('f', 4)").len(), 4);
    // Reading on past a position without acknowledging it.
    let first = int(&scalar(&conn, "SELECT max(scn) FROM heliosdb_changes('f', 1)"));
    let rest = rows(&conn, &format!("SELECT after FROM heliosdb_changes('f', 10, {first})"));
    assert_eq!(rest, vec![vec![Value::Text(r#"{"body":"d"}"#.into())]]);
}

#[test]
fn acknowledging_moves_the_feed_durably_and_trims_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let scn;
    {
        let conn = Connection::open(dir.path()).unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE CHANGEFEED f FOR TABLE t;")
            .unwrap();
        for i in 0..5 {
            conn.execute("INSERT INTO t VALUES (?1, 'x')", [i]).unwrap();
        }
        let pending = rows(&conn, "SELECT pending_changes FROM heliosdb_changefeeds WHERE name = 'f'");
        assert_eq!(pending, vec![vec![Value::Integer(5)]]);
        let scns: Vec<i64> = rows(&conn, "SELECT scn FROM heliosdb_changes('f')").iter().map(|r| int(&r[0])).collect();
        scn = scns[2];
        assert_eq!(int(&scalar(&conn, &format!("SELECT heliosdb_ack('f', {scn})"))), scn);
        // Older acknowledgements change nothing.
        assert_eq!(int(&scalar(&conn, &format!("SELECT heliosdb_ack('f', {})", scns[0]))), scn);
        assert_eq!(rows(&conn, "SELECT * FROM heliosdb_changes('f')").len(), 2);
        assert_eq!(int(&scalar(&conn, "SELECT pending_changes FROM heliosdb_changefeeds")), 2);
    }
    let conn = Connection::open(dir.path()).unwrap();
    let r = rows(&conn, "SELECT name, tables, acked_scn, pending_changes FROM heliosdb_changefeeds");
    assert_eq!(r, vec![vec!["f".into(), "t".into(), Value::Integer(scn), Value::Integer(2)]]);
    let keys: Vec<String> =
        rows(&conn, "SELECT key FROM heliosdb_changes('f')").iter().map(|r| text(&r[0]).into()).collect();
    assert_eq!(keys, [r#"{"id":3}"#, r#"{"id":4}"#]);
    // Reading before the acknowledged point is refused: that log may be gone.
    let e = conn.prepare(&format!("SELECT * FROM heliosdb_changes('f', 10, {})", scn - 1)).and_then(|mut s| {
        let mut r = s.query(())?;
        r.next().map(|_| ())
    });
    assert!(e.unwrap_err().to_string().contains("acknowledged"));
}

#[test]
fn retention_keeps_what_a_feed_has_not_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = heliosdb_core::Config::default();
    config.snapshot.min_retention_seconds = 0;
    config.snapshot.max_snapshots = 1;
    let conn = Connection::open_with(dir.path(), &config).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE CHANGEFEED f FOR TABLE t;").unwrap();
    let created = int(&scalar(&conn, "SELECT created_scn FROM heliosdb_changefeeds"));
    for i in 0..20 {
        conn.execute("INSERT INTO t VALUES (?1, 'x')", [i]).unwrap();
        conn.execute("UPDATE t SET v = 'y' WHERE id = ?1", [i]).unwrap();
    }
    conn.execute_batch("SELECT heliosdb_gc()").unwrap();
    let got = rows(&conn, "SELECT txid, commit_time FROM heliosdb_changes('f', 1000)");
    assert_eq!(got.len(), 40);
    assert!(
        got.iter().all(|r| !r[0].is_null() && !r[1].is_null()),
        "commit records are kept for unacknowledged changes"
    );
    // The consumer's initial copy point stays readable.
    let n = int(&scalar(&conn, &format!("SELECT count(*) FROM t AS OF SCN {created}")));
    assert_eq!(n, 0);
    let last = int(&scalar(&conn, "SELECT max(scn) FROM heliosdb_changes('f', 1000)"));
    conn.query_row(&format!("SELECT heliosdb_ack('f', {last})"), (), |_| Ok(())).unwrap();
    conn.execute_batch("INSERT INTO t VALUES (100, 'z'); SELECT heliosdb_gc();").unwrap();
    let e = conn.query_row(&format!("SELECT count(*) FROM t AS OF SCN {created}"), (), |r| r.get::<_, i64>(0));
    assert!(e.is_err(), "once acknowledged, history goes by the retention policy again");
}

#[test]
fn misuse_gets_clear_errors() {
    let (_dir, conn) = setup();
    let err = |sql: &str| {
        let r = conn.prepare(sql).and_then(|mut s| {
            let mut rows = s.query(())?;
            while rows.next()?.is_some() {}
            Ok(())
        });
        r.expect_err(sql).to_string()
    };
    assert!(err("SELECT * FROM heliosdb_changes('nope')").contains("no such change feed: nope"));
    assert!(err("SELECT * FROM heliosdb_changes('f', 0)").contains("max_rows"));
    assert!(err("SELECT heliosdb_ack('f', 999999)").contains("newest commit"));
    assert!(err("SELECT heliosdb_ack('nope', 1)").contains("no such change feed"));
    assert!(err("SELECT heliosdb_ack('f', -1)").contains("SCN"));
    assert!(err("CREATE CHANGEFEED f FOR TABLE notes").contains("already exists"));
    assert!(err("CREATE CHANGEFEED g FOR TABLE missing").contains("no such table"));
    assert!(err("CREATE CHANGEFEED g").contains("FOR TABLE"));
    assert!(err("DROP TABLE notes").contains("change feed f follows it"));
    assert!(err("DROP CHANGEFEED nope").contains("no such change feed"));
    conn.execute_batch("CREATE CHANGEFEED IF NOT EXISTS f FOR TABLE notes; DROP CHANGEFEED IF EXISTS nope;").unwrap();
    conn.execute_batch("BEGIN; INSERT INTO notes VALUES ('x');").unwrap();
    assert!(err("SELECT heliosdb_ack('f', 1)").contains("COMMIT first"));
    conn.execute_batch("ROLLBACK").unwrap();
    // A rolled-back transaction left nothing in the feed.
    assert_eq!(rows(&conn, "SELECT * FROM heliosdb_changes('f')").len(), 0);
}

#[test]
fn dropping_a_feed_stops_logging_and_frees_the_log() {
    let (_dir, conn) = setup();
    conn.execute_batch(
        "CREATE MATERIALIZED VIEW n AS SELECT count(*) AS c FROM notes;
         INSERT INTO notes VALUES ('a'); INSERT INTO readings VALUES ('s', 1, 1.0, true, NULL, NULL);
         DROP CHANGEFEED f;",
    )
    .unwrap();
    assert!(rows(&conn, "SELECT * FROM heliosdb_changefeeds").is_empty());
    // The view still has its pending change; readings, with no consumer left, logs nothing.
    let pending = rows(&conn, "SELECT pending_changes FROM pg_mv_staleness()");
    assert_eq!(pending, vec![vec![Value::Integer(1)]]);
    conn.execute_batch("REFRESH MATERIALIZED VIEW n; DROP TABLE readings;").unwrap();
    assert_eq!(int(&scalar(&conn, "SELECT c FROM n")), 1);
    // A new feed starts from its own creation.
    conn.execute_batch("CREATE CHANGEFEED g FOR TABLES notes; INSERT INTO notes VALUES ('b');").unwrap();
    assert_eq!(
        rows(&conn, "SELECT after FROM heliosdb_changes('g')"),
        vec![vec![Value::Text(r#"{"body":"b"}"#.into())]]
    );
}

/// One `heliosdb.toml` serves the application and its sync process: the
/// engine accepts the `[sync]` table without reading it, and a connection
/// opened with a file that lacks it shares the same engine.
#[test]
fn a_sync_table_in_the_configuration_is_accepted_and_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[database]\nmemory_limit_mb = 32\n\n[sync]\nfeed = \"f\"\npostgres = \"host=localhost\"\nbatch = 500\n";
    let with_sync = heliosdb_core::Config::from_toml(text).unwrap();
    assert_eq!(with_sync.database.memory_limit_mb, 32);
    assert_eq!(with_sync.sync.as_ref().and_then(|t| t.get("batch")).and_then(|v| v.as_integer()), Some(500));
    let app = Connection::open_with(dir.path(), &with_sync).unwrap();
    app.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE CHANGEFEED f FOR TABLE t").unwrap();
    let without = heliosdb_core::Config::from_toml("[database]\nmemory_limit_mb = 32\n").unwrap();
    let other = Connection::open_with(dir.path(), &without).unwrap();
    assert_eq!(int(&scalar(&other, "SELECT count(*) FROM heliosdb_changefeeds")), 1);
    // The JSON form the bindings pass carries the table too.
    let json = heliosdb_core::Config::from_json(r#"{"sync": {"feed": "f"}}"#).unwrap();
    assert!(json.sync.is_some());
}
