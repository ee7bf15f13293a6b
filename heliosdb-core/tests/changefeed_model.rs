//! A change feed's consumer keeps a mirror from nothing but the feed:
//! random writes (transactions, rollbacks, savepoints, upserts) on two
//! tables, with aggressive GC and reopens, while a consumer reads random
//! budgets, applies them, and acknowledges — sometimes "crashing" between
//! applying and acknowledging (the next read must repeat exactly those
//! changes) and sometimes reading on past its acknowledgement. Every
//! before-image must match the mirror, and after every acknowledgement the
//! mirror equals the tables `AS OF` the acknowledged SCN.

mod common;

use common::{rows, Rng};
use heliosdb_core::{Config, Connection, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;

type Mirror = BTreeMap<(String, String), Json>;

fn json_of(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(*i),
        Value::Real(r) => Json::from(*r),
        Value::Text(s) => Json::from(s.as_str()),
        other => panic!("unexpected {other:?}"),
    }
}

/// The tables as of `scn`, keyed as the feed keys them.
fn tables_at(conn: &Connection, scn: i64) -> Mirror {
    let mut out = Mirror::new();
    for r in rows(conn, &format!("SELECT id, v, n FROM a AS OF SCN {scn}")) {
        let key = format!(r#"{{"id":{}}}"#, json_of(&r[0]));
        let img = serde_json::json!({"id": json_of(&r[0]), "v": json_of(&r[1]), "n": json_of(&r[2])});
        out.insert(("a".into(), key), img);
    }
    for r in rows(conn, &format!("SELECT k1, k2, x FROM b AS OF SCN {scn}")) {
        let key = format!(r#"{{"k1":{},"k2":{}}}"#, json_of(&r[0]), json_of(&r[1]));
        let img = serde_json::json!({"k1": json_of(&r[0]), "k2": json_of(&r[1]), "x": json_of(&r[2])});
        out.insert(("b".into(), key), img);
    }
    out
}

fn write(conn: &Connection, rng: &mut Rng) {
    let id = rng.below(40) as i64;
    let k1 = ["p", "q", "r"][rng.below(3)];
    let k2 = rng.below(10) as i64;
    let v = rng.below(1000) as i64;
    let sql = match rng.below(7) {
        0 => format!("INSERT OR REPLACE INTO a VALUES ({id}, 'v{v}', {v}.5)"),
        1 => format!("UPDATE a SET v = NULL, n = n + 1 WHERE id % 7 = {}", id % 7),
        2 => format!("DELETE FROM a WHERE id = {id}"),
        3 => format!("INSERT INTO b VALUES ('{k1}', {k2}, {v}) ON CONFLICT (k1, k2) DO UPDATE SET x = excluded.x"),
        4 => format!("UPDATE b SET x = x + 1 WHERE k1 = '{k1}'"),
        5 => format!("DELETE FROM b WHERE k2 = {k2}"),
        _ => format!("INSERT INTO a VALUES ({}, 'new', NULL)", 100 + v),
    };
    let _ = conn.execute(&sql, ()); // a duplicate key is an error, and changes nothing
}

fn transaction(conn: &Connection, rng: &mut Rng) {
    match rng.below(4) {
        0 => {
            conn.execute_batch("BEGIN").unwrap();
            for _ in 0..rng.below(6) {
                write(conn, rng);
            }
            conn.execute_batch(if rng.chance(30) { "ROLLBACK" } else { "COMMIT" }).unwrap();
        }
        1 => {
            conn.execute_batch("BEGIN").unwrap();
            write(conn, rng);
            conn.execute_batch("SAVEPOINT s").unwrap();
            write(conn, rng);
            write(conn, rng);
            conn.execute_batch("ROLLBACK TO s; RELEASE s").unwrap();
            write(conn, rng);
            conn.execute_batch("COMMIT").unwrap();
        }
        _ => write(conn, rng),
    }
}

/// Applies one read batch to the mirror; returns the last SCN in it.
fn apply(mirror: &mut Mirror, batch: &[Vec<Value>]) -> Option<i64> {
    let text = |v: &Value| match v {
        Value::Text(s) => Some(s.clone()),
        _ => None,
    };
    let mut last = None;
    for r in batch {
        let Value::Integer(scn) = r[0] else { panic!("scn {:?}", r[0]) };
        assert!(last.is_none_or(|l| l <= scn), "commit order");
        last = Some(scn);
        let table = text(&r[3]).unwrap();
        let key = text(&r[5]).unwrap();
        let before = text(&r[6]).map(|s| serde_json::from_str::<Json>(&s).unwrap());
        let after = text(&r[7]).map(|s| serde_json::from_str::<Json>(&s).unwrap());
        let slot = (table, key);
        match text(&r[4]).unwrap().as_str() {
            "INSERT" => {
                assert!(mirror.insert(slot.clone(), after.unwrap()).is_none(), "insert of a present row {slot:?}")
            }
            "UPDATE" => {
                let old = mirror.insert(slot.clone(), after.unwrap());
                assert_eq!(old, before, "update's before image of {slot:?}");
            }
            "DELETE" => assert_eq!(mirror.remove(&slot), before, "delete's before image of {slot:?}"),
            op => panic!("op {op}"),
        }
    }
    last
}

#[test]
fn a_mirror_built_from_the_feed_equals_the_tables_at_every_acknowledgement() {
    for seed in [7u64, 1234, 99991] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.snapshot.min_retention_seconds = 0;
        config.snapshot.max_snapshots = 1;
        let mut conn = Connection::open_with(dir.path(), &config).unwrap();
        conn.execute_batch(
            "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT, n REAL);
             CREATE TABLE b (k1 TEXT, k2 INTEGER, x INTEGER, PRIMARY KEY (k1, k2));
             INSERT INTO a VALUES (1, 'before the feed', 0.5);",
        )
        .unwrap();
        conn.execute_batch("CREATE CHANGEFEED f FOR TABLE a, b").unwrap();
        let Value::Integer(start) = rows(&conn, "SELECT acked_scn FROM heliosdb_changefeeds")[0][0] else { panic!() };
        // The initial copy: the tables as of the feed's start.
        let mut mirror = tables_at(&conn, start);
        let mut rng = Rng(seed);
        let mut acks = 0;
        for step in 0..400 {
            for _ in 0..rng.below(4) {
                transaction(&conn, &mut rng);
            }
            if rng.chance(10) {
                conn.execute_batch("SELECT heliosdb_gc()").unwrap();
            }
            if rng.chance(3) {
                drop(conn);
                conn = Connection::open_with(dir.path(), &config).unwrap();
            }
            let budget = 1 + rng.below(12);
            let batch = rows(&conn, &format!("SELECT * FROM heliosdb_changes('f', {budget})"));
            let mut trial = mirror.clone();
            let Some(last) = apply(&mut trial, &batch) else { continue };
            if rng.chance(20) {
                // Applied, then a crash before the ack: the next read repeats it.
                let again = rows(&conn, &format!("SELECT * FROM heliosdb_changes('f', {budget})"));
                assert_eq!(again, batch, "seed {seed} step {step}: an unacknowledged batch is read again");
            }
            let acked = if rng.chance(20) {
                // Reading on past the batch before acknowledging it.
                let next = rows(&conn, &format!("SELECT * FROM heliosdb_changes('f', {budget}, {last})"));
                apply(&mut trial, &next);
                next.last().map_or(last, |r| if let Value::Integer(s) = r[0] { s } else { last })
            } else {
                last
            };
            mirror = trial;
            let got = rows(&conn, &format!("SELECT heliosdb_ack('f', {acked})"));
            assert_eq!(got, vec![vec![Value::Integer(acked)]]);
            acks += 1;
            assert_eq!(mirror, tables_at(&conn, acked), "seed {seed} step {step}: mirror at SCN {acked}");
        }
        // Drain.
        loop {
            let batch = rows(&conn, "SELECT * FROM heliosdb_changes('f', 50)");
            let Some(last) = apply(&mut mirror, &batch) else { break };
            conn.query_row(&format!("SELECT heliosdb_ack('f', {last})"), (), |_| Ok(())).unwrap();
        }
        let now = rows(&conn, "SELECT heliosdb_current_scn()");
        let Value::Integer(now) = now[0][0] else { panic!() };
        assert_eq!(mirror, tables_at(&conn, now), "seed {seed}: drained");
        assert!(acks > 100, "seed {seed}: only {acks} acknowledgements");
        let _ = start;
    }
}
