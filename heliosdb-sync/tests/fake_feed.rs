//! The shipper and the PostgreSQL side against a fabricated change source
//! (change rows in the feed's JSON format): every value type and key shape,
//! batching, resume without replay, the watermark fence, retries while
//! PostgreSQL is down, a column added to the source, and an initial copy
//! streamed in pages that lands whole or not at all.

mod common;

use common::fake::{schema, Fake};
use common::{assert_same, pg_table, pg_watermark, PgServer};
use heliosdb_sync::change::JsonRow;
use heliosdb_sync::{run_with_source, PgTarget, SyncConfig, SyncError};
use serde_json::json;
use std::sync::atomic::AtomicBool;

fn config(pg: &PgServer, source_id: &str, batch: usize) -> SyncConfig {
    SyncConfig {
        feed: "f".into(),
        postgres: pg.conninfo(),
        source_id: source_id.into(),
        batch,
        once: true,
        progress_interval_sec: 0,
        poll_interval_ms: 20,
        retry_initial_ms: 50,
        retry_max_ms: 400,
        ..Default::default()
    }
}

fn check(pg: &PgServer, fake: &Fake, source_id: &str) -> u64 {
    let mut client = pg.client();
    let w = pg_watermark(&mut client, source_id, "f").expect("a watermark");
    for (name, s) in &fake.schemas {
        assert_same(name, &fake.expected(name, w), &pg_table(&mut client, s, source_id));
    }
    w
}

fn tables() -> Vec<heliosdb_sync::schema::TableSchema> {
    vec![
        schema(
            "readings",
            &[
                ("device", "TEXT", 0),
                ("v", "REAL", 0),
                ("raw", "BLOB", 0),
                ("ok", "BOOLEAN", 0),
                ("price", "DECIMAL(10,2)", 0),
                ("n", "NUMERIC", 0),
                ("note", "", 0),
                ("ts", "TIMESTAMP", 0),
                ("doc", "JSON", 0),
                ("big", "INTEGER", 0),
            ],
        ),
        schema("pairs", &[("a", "TEXT", 1), ("b", "INTEGER", 2), ("v", "TEXT", 0)]),
        schema("Items", &[("id", "INTEGER", 1), ("name", "VARCHAR(20)", 0)]),
    ]
}

fn reading(i: i64) -> serde_json::Value {
    json!({"device": format!("dev-{i}{}", ["", "\ttab", "\nnew\\line\r"][i as usize % 3]), "v": i as f64 * 0.1, "raw": "AP8=", "ok": i % 2 == 0,
           "price": format!("{i}.50"), "n": i, "note": if i % 3 == 0 { json!("x") } else { json!(i) },
           "ts": "2024-06-01 12:00:00.000000", "doc": "{\"k\":[1,2]}", "big": i * 1_000_000_007})
}

#[test]
fn every_type_and_key_shape_ships_with_the_rows_before_the_feed() {
    let Some(pg) = PgServer::start("every_type_and_key_shape") else { return };
    let mut fake = Fake::new(tables());
    // Rows that predate the feed arrive through the initial snapshot.
    fake.insert("readings", reading(1));
    fake.insert("pairs", json!({"a": "x", "b": 1, "v": "old"}));
    fake.commit();
    fake.insert("Items", json!({"id": 1, "name": "first"}));
    fake.commit();
    fake.start_feed();
    // Extremes and NULLs.
    fake.insert(
        "readings",
        json!({"device": "quote ' \" \\ and ünïcödé", "v": 1e300, "raw": "", "ok": false, "price": "-99999999.99",
               "n": "12345678901234567890.123456789", "note": null, "ts": null, "doc": null, "big": i64::MIN}),
    );
    fake.insert(
        "readings",
        json!({"device": null, "v": -0.0, "raw": null, "ok": null, "price": null, "n": null, "note": "AAEC",
               "ts": "2024-01-01", "doc": "[]", "big": i64::MAX}),
    );
    for i in 2..400 {
        fake.insert("readings", reading(i));
    }
    fake.commit();
    let k = fake.insert("pairs", json!({"a": "y", "b": 2, "v": "new"}));
    fake.update("pairs", &k, json!({"v": "newer"}));
    let moved = fake.insert("Items", json!({"id": 2, "name": "moving"}));
    fake.commit();
    let moved = fake.update("Items", &moved, json!({"id": 20}));
    let gone = fake.insert("Items", json!({"id": 3, "name": "short-lived"}));
    fake.delete("Items", &gone);
    fake.commit();
    fake.update("Items", &moved, json!({"id": 21, "name": "moved twice"}));
    let keys = fake.keys("readings");
    for k in keys.iter().step_by(3) {
        fake.delete("readings", k);
    }
    for k in keys.iter().skip(1).step_by(3) {
        fake.update("readings", k, json!({"v": 2.5, "ok": true, "raw": "/w=="}));
    }
    fake.commit();
    fake.commit(); // an empty transaction

    let stop = AtomicBool::new(false);
    let report = run_with_source(&mut fake, &config(&pg, "dev-a", 7), &stop).unwrap();
    assert_eq!(report.snapshot_rows, 3);
    assert_eq!(
        (report.batches, report.transactions),
        (2, 4),
        "batches of about 7 changes, whole transactions: {report:?}"
    );
    let w = check(&pg, &fake, "dev-a");
    assert_eq!(w, 6, "the last transaction with changes");
    assert_eq!(fake.acked, w);
    // The target types are the mapped ones.
    let mut client = pg.client();
    let types: Vec<(String, String)> = client
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = 'readings' ORDER BY ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let want = [
        ("source_id", "text"),
        ("rowid", "bigint"),
        ("device", "text"),
        ("v", "double precision"),
        ("raw", "bytea"),
        ("ok", "boolean"),
        ("price", "numeric"),
        ("n", "numeric"),
        ("note", "text"),
        ("ts", "text"),
        ("doc", "text"),
        ("big", "bigint"),
    ];
    assert_eq!(types, want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());
    let raw: Vec<u8> = client.query_one("SELECT raw FROM readings WHERE device = 'dev-3'", &[]).unwrap().get(0);
    assert!(raw == vec![0, 255] || raw == vec![255], "BLOB bytes arrive as bytes: {raw:?}");
}

#[test]
fn the_initial_copy_streams_in_pages_and_lands_whole_or_not_at_all() {
    let Some(pg) = PgServer::start("initial_copy_in_pages") else { return };
    let mut fake = Fake::new(tables());
    for i in 0..300 {
        fake.insert("readings", reading(i));
    }
    for i in 0..40 {
        fake.insert("Items", json!({"id": i, "name": format!("item {i}")}));
    }
    fake.commit();
    fake.start_feed();
    fake.insert("Items", json!({"id": 1000, "name": "after the feed"}));
    fake.commit();
    // Fails after 250 rows, i.e. after 25 pages of 10 went into PostgreSQL's transaction.
    fake.snapshot_fails_after = Some(250);
    let stop = AtomicBool::new(false);
    let e = run_with_source(&mut fake, &config(&pg, "dev-a", 10), &stop).unwrap_err();
    assert!(e.to_string().contains("injected"), "{e}");
    let mut client = pg.client();
    assert_eq!(pg_watermark(&mut client, "dev-a", "f"), None, "no watermark after a failed first copy");
    let n: i64 = client.query_one("SELECT count(*) FROM readings", &[]).unwrap().get(0);
    assert_eq!(n, 0, "the pages shipped before the failure were rolled back");
    let report = run_with_source(&mut fake, &config(&pg, "dev-a", 10), &stop).unwrap();
    assert_eq!(report.snapshot_rows, 340);
    check(&pg, &fake, "dev-a");
}

#[test]
fn a_restart_resumes_from_the_watermark_and_repairs_a_lost_ack() {
    let Some(pg) = PgServer::start("restart_resumes") else { return };
    let mut fake = Fake::new(tables());
    fake.start_feed();
    for i in 0..10 {
        fake.insert("readings", reading(i));
        fake.commit();
    }
    let stop = AtomicBool::new(false);
    let r = run_with_source(&mut fake, &config(&pg, "dev-a", 3), &stop).unwrap();
    assert_eq!(r.changes, 10);
    // A crash between PostgreSQL's commit and the acknowledgement: the source forgets the last acks.
    fake.acked = 4;
    let mut cfg = config(&pg, "dev-a", 3);
    cfg.batch = 100;
    let r = run_with_source(&mut fake, &cfg, &stop).unwrap();
    assert_eq!((r.changes, r.batches), (0, 0), "nothing is shipped twice");
    assert_eq!(fake.acked, 10, "the source is acknowledged up to PostgreSQL's watermark first");
    // More changes, and a deferred acknowledgement (the source is busy once).
    let k = fake.keys("readings");
    fake.delete("readings", &k[0]);
    fake.commit();
    fake.failing_acks = 1;
    let r = run_with_source(&mut fake, &cfg, &stop).unwrap();
    assert_eq!(r.changes, 1);
    assert_eq!(fake.acked, 11, "a deferred acknowledgement is made on the next idle poll");
    check(&pg, &fake, "dev-a");
}

#[test]
fn a_moved_watermark_refuses_the_batch() {
    let Some(pg) = PgServer::start("moved_watermark") else { return };
    let mut fake = Fake::new(tables());
    fake.start_feed();
    let mut t = PgTarget::connect(&pg.conninfo(), "dev-a", "f", "public").unwrap();
    for s in fake.schemas.values() {
        t.ensure_table(s).unwrap();
    }
    fake.insert("pairs", json!({"a": "p", "b": 1, "v": "v"}));
    fake.commit();
    let batch = fake.log.clone();
    t.replace_all(None, 0, &mut |_| Ok(())).unwrap();
    let err = t.apply(&batch, Some(7), 1, "").unwrap_err();
    assert!(matches!(err, SyncError::Conflict(_)), "{err}");
    assert!(err.is_transient());
    t.apply(&batch, Some(0), 1, "").unwrap();
    let err = t.apply(&batch, Some(0), 1, "").unwrap_err();
    assert!(matches!(err, SyncError::Conflict(_)), "a replayed batch is refused: {err}");
    assert_eq!(t.watermark().unwrap(), Some(1));
    let mut client = pg.client();
    assert_eq!(client.query_one("SELECT count(*) FROM pairs", &[]).unwrap().get::<_, i64>(0), 1);
}

#[test]
fn it_waits_for_postgresql_and_ships_once_it_is_back() {
    let Some(pg) = PgServer::start("waits_for_postgresql") else { return };
    let mut fake = Fake::new(tables());
    fake.start_feed();
    for i in 0..5 {
        fake.insert("readings", reading(i));
        fake.commit();
    }
    pg.stop("immediate");
    let started = std::time::Instant::now();
    let stop = AtomicBool::new(false);
    let r = std::thread::scope(|s| {
        let h = s.spawn(|| run_with_source(&mut fake, &config(&pg, "dev-a", 2), &stop));
        std::thread::sleep(std::time::Duration::from_millis(1500));
        assert!(!h.is_finished(), "the shipper keeps retrying while PostgreSQL is down");
        pg.start_again();
        h.join().unwrap()
    })
    .unwrap();
    assert!(started.elapsed().as_secs() < 30);
    assert_eq!(r.changes, 5);
    check(&pg, &fake, "dev-a");

    // A stop request ends the retry loop cleanly while PostgreSQL is still down.
    pg.stop("fast");
    fake.insert("readings", reading(9));
    fake.commit();
    let stop = AtomicBool::new(false);
    let mut cfg = config(&pg, "dev-a", 2);
    cfg.once = false;
    std::thread::scope(|s| {
        let h = s.spawn(|| run_with_source(&mut fake, &cfg, &stop));
        std::thread::sleep(std::time::Duration::from_millis(600));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let r = h.join().unwrap().unwrap();
        assert_eq!(r.changes, 0);
    });
}

#[test]
fn a_column_added_to_the_source_is_added_to_the_target() {
    let Some(pg) = PgServer::start("column_added") else { return };
    let mut fake = Fake::new(tables());
    fake.start_feed();
    fake.insert("Items", json!({"id": 1, "name": "a"}));
    fake.commit();
    let stop = AtomicBool::new(false);
    run_with_source(&mut fake, &config(&pg, "dev-a", 10), &stop).unwrap();
    // ALTER TABLE Items ADD COLUMN qty INTEGER
    fake.schemas.insert(
        "Items".into(),
        schema("Items", &[("id", "INTEGER", 1), ("name", "VARCHAR(20)", 0), ("qty", "INTEGER", 0)]),
    );
    let k: JsonRow = serde_json::from_value(json!({"id": 1})).unwrap();
    fake.update("Items", &k, json!({"qty": 5}));
    fake.insert("Items", json!({"id": 2, "name": "b", "qty": 7}));
    fake.commit();
    run_with_source(&mut fake, &config(&pg, "dev-a", 10), &stop).unwrap();
    check(&pg, &fake, "dev-a");
}

#[test]
fn bad_configuration_is_refused_before_anything_runs() {
    let mut fake = Fake::new(tables());
    let stop = AtomicBool::new(false);
    let cfg = SyncConfig { feed: "f".into(), postgres: "host=127.0.0.1 port=1".into(), ..Default::default() };
    let err = run_with_source(&mut fake, &cfg, &stop).unwrap_err();
    assert!(matches!(err, SyncError::Config(_)) && err.to_string().contains("source id"), "{err}");
}

#[test]
fn a_watermark_from_another_database_is_refused() {
    let Some(pg) = PgServer::start("another_database") else { return };
    let mut fake = Fake::new(tables());
    fake.start_feed();
    for i in 0..6 {
        fake.insert("readings", reading(i));
        fake.commit();
    }
    let stop = AtomicBool::new(false);
    run_with_source(&mut fake, &config(&pg, "dev-a", 100), &stop).unwrap();
    // A fresh database shipped under the same source id: PostgreSQL is "ahead" of everything it has.
    let mut fresh = Fake::new(tables());
    fresh.start_feed();
    fresh.insert("readings", reading(1));
    fresh.commit();
    let err = run_with_source(&mut fresh, &config(&pg, "dev-a", 100), &stop).unwrap_err();
    assert!(err.to_string().contains("is this the database"), "{err}");
    assert!(!err.is_transient());
    check(&pg, &fake, "dev-a");
}
