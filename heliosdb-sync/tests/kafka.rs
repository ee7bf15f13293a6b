//! The Kafka sink against a real broker (Apache Kafka's own jars from Maven
//! Central, KRaft mode, started by scripts/kafka.sh): a source with rows
//! from before its feed (the initial snapshot), rounds of random
//! transactions each shipped by the `heliosdb-sync` binary that is
//! SIGKILLed at a random moment, aborted between Kafka's commit and the
//! source's acknowledgement, or left to finish, with the broker stopped and
//! restarted under a running shipper once, and a second source writing into
//! the same topics. At the end a read-committed consumer must find, per
//! source, each change exactly once (no (scn, position) twice; every
//! update's and delete's `before` equal to the row as the events so far
//! left it), and the rows the events build must equal each source table
//! `AS OF SCN` the watermark Kafka holds.
//!
//! Seed: `HELIOSDB_SYNC_SEED` (default 42); rounds: `HELIOSDB_SYNC_KAFKA_ROUNDS` (default 8).
#![cfg(feature = "kafka")]

mod common;

use common::kafka::KafkaServer;
use common::workload::{random_transaction, wait, SCHEMA, TABLES};
use heliosdb_lite::Connection;
use heliosdb_sync::change::JsonRow;
use heliosdb_sync::source::ChangeSource;
use heliosdb_sync::HeliosSource;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const PREFIX: &str = "plant";

fn sync_command(db: &Path, kafka: &KafkaServer, source_id: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_heliosdb-sync"));
    c.arg("--db")
        .arg(db)
        .args(["--feed", "f", "--kafka", &kafka.brokers(), "--topic-prefix", PREFIX, "--source-id", source_id])
        .args(["--progress-sec", "0", "--poll-ms", "20"])
        // Short retries, so a broker restart is noticed quickly.
        .args(["--kafka-property", "reconnect.backoff.max.ms=200"])
        .args(extra);
    c
}

fn drain(db: &Path, kafka: &KafkaServer, source_id: &str) -> String {
    let out = sync_command(db, kafka, source_id, &["--once", "--batch", "50"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "heliosdb-sync failed ({}):\n{err}", out.status);
    err
}

/// A row's identity in the checks: its table and key columns (no source id).
type RowId = (String, String);

/// The key of a row image under `key_columns` (or the event's own key for a rowid table).
fn image_key(table: &str, key_columns: &[String], image: Option<&JsonRow>, event_key: &JsonRow) -> RowId {
    let mut k = JsonRow::new();
    match image {
        Some(img) if !key_columns.is_empty() => {
            for c in key_columns {
                k.insert(c.clone(), img.get(c).cloned().unwrap_or(Json::Null));
            }
        }
        _ => {
            for (c, v) in event_key {
                if c != "source_id" {
                    k.insert(c.clone(), v.clone());
                }
            }
        }
    }
    (table.to_string(), Json::Object(k).to_string())
}

/// Replays `source_id`'s events in commit order, checking each against the
/// rows built so far; returns the rows and the number of change events.
fn replay(
    events: &[(String, JsonRow, Option<JsonRow>)],
    source_id: &str,
    keys: &HashMap<String, Vec<String>>,
) -> (BTreeMap<RowId, JsonRow>, usize) {
    let mut mine: Vec<(u64, u64, &JsonRow, &JsonRow)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut snapshot_rows = BTreeSet::new();
    for (_, key, value) in events {
        if key.get("source_id") != Some(&Json::String(source_id.into())) {
            continue;
        }
        let Some(v) = value else { continue }; // a tombstone after a delete
        let src = v["source"].as_object().expect("source block");
        let scn = src["scn"].as_u64().expect("scn");
        let order = v["transaction"]["total_order"].as_u64().unwrap_or(0);
        if v["op"] == "r" {
            let table = src["table"].as_str().unwrap().to_string();
            assert!(snapshot_rows.insert((table, Json::Object(key.clone()).to_string())), "a snapshot row twice");
        } else {
            assert!(seen.insert((scn, order)), "{source_id}: the change at scn {scn} #{order} arrived twice");
        }
        mine.push((scn, order, key, v));
    }
    mine.sort_by_key(|(scn, order, _, _)| (*scn, *order));
    let mut rows: BTreeMap<RowId, JsonRow> = BTreeMap::new();
    let changes = mine.iter().filter(|e| e.3["op"] != "r").count();
    for (scn, order, key, v) in mine {
        let table = v["source"]["table"].as_str().unwrap();
        let kc = &keys[table];
        let obj = |f: &str| v[f].as_object().cloned();
        let (before, after) = (obj("before"), obj("after"));
        let what = format!("{source_id} scn {scn} #{order} {} on {table}", v["op"]);
        match v["op"].as_str().unwrap() {
            "r" | "c" => {
                let id = image_key(table, kc, after.as_ref(), key);
                assert!(rows.insert(id, after.unwrap()).is_none(), "{what}: the row already existed");
            }
            "u" | "d" => {
                let old = image_key(table, kc, before.as_ref(), key);
                let had = rows.remove(&old);
                assert_eq!(had.as_ref(), before.as_ref(), "{what}: before differs from the row the events built");
                if let Some(a) = after {
                    let id = image_key(table, kc, Some(&a), key);
                    assert!(rows.insert(id, a).is_none(), "{what}: moved onto an existing row");
                }
            }
            other => panic!("{what}: unknown op {other}"),
        }
    }
    (rows, changes)
}

/// Checks `source_id`'s events against its database; returns (watermark, change events).
fn check(
    kafka: &KafkaServer,
    db: &Path,
    source_id: &str,
    events: &[(String, JsonRow, Option<JsonRow>)],
) -> (u64, usize) {
    let w = kafka.watermark(source_id, "f").expect("a watermark in Kafka");
    let conn = Connection::open(db).unwrap();
    let mut src = HeliosSource::new(&conn);
    let mut keys = HashMap::new();
    let mut expected = BTreeMap::new();
    for name in TABLES {
        let t = src.table_schema(name).unwrap();
        keys.insert(name.to_string(), if t.rowid { Vec::new() } else { t.key.clone() });
        src.snapshot(&t, w, &mut |c| {
            let id = image_key(name, &keys[name], c.after.as_ref(), &c.key);
            expected.insert(id, c.after.unwrap());
            Ok(())
        })
        .unwrap();
    }
    let (rows, changes) = replay(events, source_id, &keys);
    if rows != expected {
        let missing: Vec<_> = expected.keys().filter(|k| !rows.contains_key(*k)).take(3).collect();
        let extra: Vec<_> = rows.keys().filter(|k| !expected.contains_key(*k)).take(3).collect();
        let differ: Vec<_> =
            expected.iter().filter_map(|(k, v)| rows.get(k).filter(|r| *r != v).map(|r| (k, v, r))).take(2).collect();
        panic!("{source_id}: Kafka's rows differ from the source AS OF SCN {w}: missing {missing:?}, extra {extra:?}, differing (row, source, Kafka) {differ:?}");
    }
    let (acked, pending): (i64, i64) = conn
        .query_row("SELECT acked_scn, pending_changes FROM heliosdb_changefeeds WHERE name = 'f'", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(acked as u64, w, "{source_id}: the source is acknowledged up to Kafka's watermark");
    assert_eq!(pending, 0, "{source_id}: nothing left unshipped");
    (w, changes)
}

#[test]
fn kafka_gets_each_change_once_through_kills_and_a_broker_restart() {
    let Some(kafka) = KafkaServer::start("kafka_test") else { return };
    let seed: u64 = std::env::var("HELIOSDB_SYNC_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(42);
    let rounds: usize = std::env::var("HELIOSDB_SYNC_KAFKA_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(8);
    eprintln!("kafka test: seed {seed}, {rounds} rounds");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let (db, db2) = (dir.path().join("db"), dir.path().join("db2"));
    let mut inserted = 0i64;
    {
        // Rows from before the feed: shipped by the initial snapshot.
        let (schema, feed) = SCHEMA.split_once("CREATE CHANGEFEED").unwrap();
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(schema).unwrap();
        for _ in 0..5 {
            random_transaction(&conn, &mut rng, &mut inserted);
        }
        conn.execute_batch(&format!("CREATE CHANGEFEED{feed}")).unwrap();
        conn.close().unwrap();
        let conn2 = Connection::open(&db2).unwrap();
        conn2.execute_batch(SCHEMA).unwrap();
        conn2.close().unwrap();
    }
    let (mut killed_running, mut aborted, mut restarts_under_shipper) = (0, 0, 0);
    for round in 0..rounds {
        {
            let conn = Connection::open(&db).unwrap();
            for _ in 0..rng.gen_range(10..30) {
                random_transaction(&conn, &mut rng, &mut inserted);
            }
            conn.close().unwrap();
        }
        let mode = if round == 1 { 1 } else { [0, 2, 3][round % 3] };
        let batch = if mode == 1 { "5" } else { ["5", "20", "64"][rng.gen_range(0..3)] };
        let mut cmd = sync_command(&db, &kafka, "gw", &["--once", "--batch", batch]);
        let log = dir.path().join(format!("round-{round}.log"));
        cmd.stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
        if mode == 3 {
            cmd.env("HELIOSDB_SYNC_ABORT_AT_ACK", rng.gen_range(1..4).to_string());
        }
        let mut child = cmd.spawn().unwrap();
        match mode {
            0 => {
                // SIGKILL at a random moment, often inside a Kafka transaction.
                std::thread::sleep(Duration::from_millis(rng.gen_range(100..1500)));
                if child.try_wait().unwrap().is_none() {
                    killed_running += 1;
                }
                child.kill().unwrap();
                wait(&mut child, Duration::from_secs(10));
            }
            1 => {
                // The broker goes away under a running shipper (in small
                // batches, once it has connected) and comes back.
                let deadline = std::time::Instant::now() + Duration::from_secs(30);
                while !std::fs::read_to_string(&log).unwrap_or_default().contains("connected to Kafka") {
                    assert!(std::time::Instant::now() < deadline, "round {round}: the shipper never connected");
                    std::thread::sleep(Duration::from_millis(10));
                }
                if child.try_wait().unwrap().is_none() {
                    restarts_under_shipper += 1;
                }
                kafka.stop();
                std::thread::sleep(Duration::from_millis(1000));
                kafka.start_again();
                let ok = wait(&mut child, Duration::from_secs(180)).success();
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                assert!(ok, "round {round}: drain after a broker restart failed:\n{text}");
            }
            2 => {
                assert!(wait(&mut child, Duration::from_secs(120)).success(), "round {round}: a clean drain");
            }
            _ => {
                // Aborts after Kafka committed a batch, before the source is acknowledged.
                if !wait(&mut child, Duration::from_secs(120)).success() {
                    aborted += 1;
                }
            }
        }
        if round % 3 == 0 {
            // The second device ships into the same topics.
            let conn2 = Connection::open(&db2).unwrap();
            for _ in 0..rng.gen_range(3..10) {
                random_transaction(&conn2, &mut rng, &mut 0);
            }
            conn2.close().unwrap();
            drain(&db2, &kafka, "gw2");
        }
    }
    let last = drain(&db, &kafka, "gw");
    eprintln!(
        "kafka test: {killed_running} kills mid-run, {aborted} aborts before an ack, {restarts_under_shipper} broker \
         restarts under a running shipper; final drain: {}",
        last.lines().last().unwrap_or("")
    );
    assert!(killed_running >= 1, "no kill landed while the shipper was running");
    assert!(aborted >= 1, "no abort between commit and acknowledgement happened");
    assert_eq!(restarts_under_shipper, 1, "the broker did not go away under a running shipper");

    let topics: Vec<String> = TABLES.iter().map(|t| format!("{PREFIX}.{t}")).collect();
    let events = kafka.read_all(&topics);
    let (w1, n1) = check(&kafka, &db, "gw", &events);
    let (w2, n2) = check(&kafka, &db2, "gw2", &events);
    eprintln!("kafka test: gw {n1} change events up to scn {w1}; gw2 {n2} up to scn {w2}");
    assert!(n1 > 100 && n2 > 0, "too few changes shipped to mean anything");
    // Deletes are followed by tombstones, keyed like them.
    let tombstones = events.iter().filter(|e| e.2.is_none()).count();
    let deletes = events.iter().filter(|e| e.2.as_ref().is_some_and(|v| v["op"] == "d")).count();
    assert_eq!(tombstones, deletes);
}
