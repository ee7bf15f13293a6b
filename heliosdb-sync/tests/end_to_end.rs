//! Against the real change feed of heliosdb-core: the binary's initial sync
//! of every value type and key shape, two devices in the same PostgreSQL
//! tables, the library beside a writer in one process, and the binary's
//! flag and signal handling.

mod common;

use common::{check_against_source, run_ok, sync_command, PgServer};
use heliosdb_lite::{params, Connection, Decimal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SCHEMA: &str = "
    CREATE TABLE readings (device TEXT, sensor INTEGER, temperature REAL, pressure DECIMAL(8,2), ok BOOLEAN,
                           raw BLOB, note, ts TIMESTAMP, doc JSON, n NUMERIC);
    CREATE TABLE pairs (a TEXT, b INTEGER, v TEXT, PRIMARY KEY (a, b));
    CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(20), qty INTEGER);";
const TABLES: [&str; 3] = ["readings", "pairs", "items"];

fn fill(conn: &Connection, from: i64, to: i64) {
    let tx = conn.transaction().unwrap();
    for i in from..to {
        let raw: Option<Vec<u8>> = if i % 5 == 0 { None } else { Some(vec![0, 255, i as u8, b'\n']) };
        let note: heliosdb_lite::Value = match i % 4 {
            0 => heliosdb_lite::Value::Null,
            1 => heliosdb_lite::Value::Integer(i),
            2 => heliosdb_lite::Value::Real(i as f64 / 7.0),
            _ => heliosdb_lite::Value::Text(format!("it's \"{i}\" ünï")),
        };
        tx.execute(
            "INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                format!("dev-{}", i % 3),
                i,
                if i % 7 == 0 { None } else { Some(i as f64 * 1.1e-3 - 20.0) },
                Decimal::new(i * 101, 2),
                i % 2 == 0,
                raw,
                note,
                format!("2024-06-01 12:{:02}:{:02}", i / 60 % 60, i % 60),
                format!("{{\"i\": {i}}}"),
                i * 1_000_000_000_007
            ],
        )
        .unwrap();
        tx.execute("INSERT INTO pairs VALUES (?, ?, ?)", params![format!("k{}", i % 10), i, "v"]).unwrap();
        tx.execute("INSERT INTO items (id, name, qty) VALUES (?, ?, ?)", params![i, format!("item {i}"), i * 2])
            .unwrap();
    }
    tx.commit().unwrap();
}

fn mutate(conn: &Connection) {
    conn.execute_batch(
        "UPDATE readings SET temperature = 1e300, ok = NULL, raw = x'' WHERE sensor % 4 = 1;
         DELETE FROM readings WHERE sensor % 4 = 2;
         UPDATE pairs SET v = 'changed' WHERE b % 3 = 0;
         UPDATE pairs SET a = 'moved' WHERE b = 5;
         DELETE FROM pairs WHERE b % 3 = 1;
         UPDATE items SET id = id + 1000 WHERE id % 5 = 0;
         DELETE FROM items WHERE id % 5 = 1;
         INSERT INTO items (id, name) VALUES (-1, NULL);",
    )
    .unwrap();
}

#[test]
fn the_binary_ships_every_type_and_key_shape_including_rows_before_the_feed() {
    let Some(pg) = PgServer::start("binary_initial_sync") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        fill(&conn, 0, 40);
        conn.close().unwrap();
    }
    // The feed is created by the binary: the 40 rows per table come through the initial sync.
    let err = run_ok(sync_command(
        &db,
        &pg,
        "dev-a",
        &["--once", "--create-feed-for", "readings,pairs,items", "--batch", "25"],
    ));
    assert!(err.contains("initial sync: 120 rows"), "{err}");
    let mut client = pg.client();
    {
        let conn = Connection::open(&db).unwrap();
        check_against_source(&conn, &mut client, &TABLES, "dev-a", "f");
        fill(&conn, 40, 100);
        mutate(&conn);
        conn.close().unwrap();
    }
    run_ok(sync_command(&db, &pg, "dev-a", &["--once", "--batch", "25"]));
    {
        // A column added to the source appears in the target; a renamed one is renamed.
        let conn = Connection::open(&db).unwrap();
        check_against_source(&conn, &mut client, &TABLES, "dev-a", "f");
        conn.execute_batch(
            "ALTER TABLE items ADD COLUMN note TEXT; UPDATE items SET note = 'n' || id WHERE id % 2 = 0;
             ALTER TABLE items RENAME COLUMN name TO title; UPDATE items SET title = 'renamed' WHERE id % 3 = 0;",
        )
        .unwrap();
        conn.close().unwrap();
    }
    run_ok(sync_command(&db, &pg, "dev-a", &["--once", "--batch", "25"]));
    let conn = Connection::open(&db).unwrap();
    let w = check_against_source(&conn, &mut client, &TABLES, "dev-a", "f");
    // Drained: nothing after the watermark. (Not `w == current_scn()`: each
    // acknowledgement is a commit of its own.)
    let after: i64 =
        conn.query_row(&format!("SELECT count(*) FROM heliosdb_changes('f', 1000, {w})"), (), |r| r.get(0)).unwrap();
    assert_eq!(after, 0);
    let (acked, pending): (i64, i64) = conn
        .query_row("SELECT acked_scn, pending_changes FROM heliosdb_changefeeds WHERE name = 'f'", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((acked as u64, pending), (w, 0));
    let raw: Vec<u8> = client.query_one("SELECT raw FROM readings WHERE sensor = 3", &[]).unwrap().get(0);
    assert_eq!(raw, vec![0, 255, 3, b'\n'], "BLOB arrives as bytes");
    let t: String = client.query_one("SELECT pg_typeof(pressure)::text FROM readings LIMIT 1", &[]).unwrap().get(0);
    assert_eq!(t, "numeric");
    // The renamed column was renamed in PostgreSQL too (its old values kept), not added beside it.
    let cols: Vec<String> = client
        .query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(cols, ["source_id", "id", "title", "qty", "note"]);
}

#[test]
fn two_devices_share_the_postgresql_tables() {
    let Some(pg) = PgServer::start("two_devices") else { return };
    let dir = tempfile::tempdir().unwrap();
    let dbs = [dir.path().join("a"), dir.path().join("b")];
    for (n, db) in dbs.iter().enumerate() {
        let conn = Connection::open(db).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute_batch("CREATE CHANGEFEED f FOR TABLE readings, pairs, items").unwrap();
        // The same keys on both devices, different values.
        fill(&conn, 0, 60 + 20 * n as i64);
        if n == 1 {
            mutate(&conn);
        }
        conn.close().unwrap();
    }
    // Both at once, into the same tables.
    let children: Vec<_> = dbs
        .iter()
        .zip(["dev-a", "dev-b"])
        .map(|(db, id)| {
            sync_command(db, &pg, id, &["--once", "--batch", "30"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mut client = pg.client();
    let mut total = 0;
    for (db, id) in dbs.iter().zip(["dev-a", "dev-b"]) {
        let conn = Connection::open(db).unwrap();
        check_against_source(&conn, &mut client, &TABLES, id, "f");
        total += conn.query_row("SELECT count(*) FROM items", (), |r| r.get::<_, i64>(0)).unwrap();
        conn.close().unwrap();
    }
    let in_pg: i64 = client.query_one("SELECT count(*) FROM items", &[]).unwrap().get(0);
    assert_eq!(in_pg, total);
}

#[test]
fn the_library_ships_beside_the_applications_writer() {
    let Some(pg) = PgServer::start("library_mode") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let cfg = heliosdb_sync::SyncConfig {
        feed: "f".into(),
        postgres: pg.conninfo(),
        source_id: "gateway".into(),
        batch: 200,
        create_feed_for: TABLES.iter().map(|s| s.to_string()).collect(),
        poll_interval_ms: 10,
        progress_interval_sec: 0,
        ..Default::default()
    };
    let stop = AtomicBool::new(false);
    let last = std::thread::scope(|s| {
        let shipper = s.spawn(|| {
            let conn = Connection::open(&db).unwrap();
            heliosdb_sync::run(&conn, &cfg, &stop)
        });
        // The application writes meanwhile, on its own connection.
        let writer = s.spawn(|| {
            let conn = Connection::open(&db).unwrap();
            conn.set_busy_timeout(Duration::from_secs(10));
            for round in 0..20 {
                fill(&conn, round * 10, round * 10 + 10);
                conn.execute("UPDATE items SET qty = qty + 1 WHERE id % 3 = ?", [round % 3]).unwrap();
                conn.execute("DELETE FROM pairs WHERE b = ?", [round * 7]).unwrap();
                std::thread::sleep(Duration::from_millis(15));
            }
            conn.execute("INSERT INTO items (id, name) VALUES (?, ?)", params![100_000, "last"]).unwrap();
            conn.current_scn()
        });
        let last = writer.join().unwrap();
        let mut client = pg.client();
        let deadline = Instant::now() + Duration::from_secs(60);
        while common::pg_watermark(&mut client, "gateway", "f").unwrap_or(0) < last {
            assert!(!shipper.is_finished(), "the shipper stopped by itself: {:?}", shipper.join());
            assert!(Instant::now() < deadline, "the shipper did not catch up");
            std::thread::sleep(Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
        let report = shipper.join().unwrap().expect("a clean stop");
        assert!(report.changes > 0 && report.watermark == last, "{report:?}");
        last
    });
    let mut client = pg.client();
    let w = check_against_source(&conn, &mut client, &TABLES, "gateway", "f");
    assert_eq!(w, last);
}

#[test]
fn the_binary_refuses_bad_configuration_and_stops_cleanly_on_sigterm() {
    let bin = env!("CARGO_BIN_EXE_heliosdb-sync");
    let dir = tempfile::tempdir().unwrap();
    let bad = |args: &[&str], says: &str| {
        let out = std::process::Command::new(bin).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?} should say {says:?}: {err}");
    };
    bad(&["--feed"], "--feed needs a value");
    bad(&["--frobnicate"], "unknown argument");
    bad(&["--db", "x", "--feed", "f", "--postgres", "host=h"], "no source id");
    bad(
        &["--db", "x", "--feed", "f", "--postgres", "host=h", "--source-id", "s", "--batch", "lots"],
        "--batch needs a number",
    );
    let toml = dir.path().join("heliosdb.toml");
    std::fs::write(&toml, "[sync]\nfeed = \"f\"\nbatchsize = 3\n").unwrap();
    bad(&["--config", toml.to_str().unwrap()], "unknown field");
    std::fs::write(&toml, "[sync]\nfeed = \"f\"\nsource_id = \"s\"\npostgres = \"host=h\"\n").unwrap();
    bad(&["--config", toml.to_str().unwrap()], "no database directory");

    let Some(pg) = PgServer::start("sigterm") else { return };
    let db = dir.path().join("db");
    {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.close().unwrap();
    }
    // A missing feed is a configuration error.
    let out = sync_command(&db, &pg, "dev", &["--once"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    // All settings from the file, the database's own sections included.
    std::fs::write(
        &toml,
        format!(
            "[database]\npath = \"{}\"\n[sync]\nfeed = \"f\"\nsource_id = \"dev\"\npostgres = \"{}\"\n\
             create_feed_for = [\"items\"]\nprogress_interval_sec = 1\npoll_interval_ms = 20\n",
            db.display(),
            pg.conninfo()
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(bin)
        .args(["--config", toml.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut client = pg.client();
    let deadline = Instant::now() + Duration::from_secs(30);
    while common::pg_watermark(&mut client, "dev", "f").is_none() {
        if child.try_wait().unwrap().is_some() {
            panic!("heliosdb-sync stopped by itself: {:?}", child.wait_with_output());
        }
        assert!(Instant::now() < deadline, "no initial sync");
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc_kill(child.id() as i32, 15) }, 0);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "SIGTERM exits 0: {err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.contains("done:"), "{err}");
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}
