//! Long histories against a model: one row updated hundreds of times, keys
//! deleted and inserted again, GC cutting through the middle of every
//! history, and reopens. After each phase, every key read `AS OF` every
//! retained commit point (a point lookup, which takes the one-read path for
//! the state just before the present and the reverse seek for older ones)
//! and the whole table `AS OF` a sample of points equal the model; points
//! GC removed are "snapshot too old".

mod common;

use common::Rng;
use heliosdb_core::{Config, Connection, Error, Value};
use std::collections::BTreeMap;

/// The table at one commit point: key → value.
type State = BTreeMap<i64, i64>;

const KEYS: i64 = 12;

/// The id of the k-th key (1..=KEYS): spread over several row pages (64
/// rowids each), negative ids included, so pages fill and empty too.
fn id(k: i64) -> i64 {
    if k == 1 {
        1
    } else {
        k * 37 - 150
    }
}

fn config() -> Config {
    let mut c = Config::default();
    c.snapshot.min_retention_seconds = 0;
    c.snapshot.max_snapshots = 250;
    c.snapshot.auto_gc_enabled = false;
    c
}

/// One random autocommit change; key 1 changes half of the time, so it
/// builds a history of hundreds of versions.
fn change(conn: &Connection, rng: &mut Rng, now: &mut State) {
    let key = id(if rng.chance(50) { 1 } else { 1 + rng.below(KEYS as usize) as i64 });
    let value = rng.below(1_000_000) as i64;
    match (now.contains_key(&key), rng.below(10)) {
        (true, 0) => {
            conn.execute("DELETE FROM t WHERE id = ?", [Value::Integer(key)]).unwrap();
            now.remove(&key);
        }
        (true, _) => {
            conn.execute("UPDATE t SET v = ? WHERE id = ?", vec![Value::Integer(value), Value::Integer(key)]).unwrap();
            now.insert(key, value);
        }
        (false, _) => {
            conn.execute("INSERT INTO t VALUES (?, ?)", vec![Value::Integer(key), Value::Integer(value)]).unwrap();
            now.insert(key, value);
        }
    }
}

fn lookup(conn: &Connection, key: i64, scn: u64) -> heliosdb_core::Result<Option<i64>> {
    let mut st = conn.prepare("SELECT v FROM t AS OF SCN ? WHERE id = ?")?;
    let mut rows = st.query(vec![Value::Integer(scn as i64), Value::Integer(key)])?;
    let first = rows.next()?.map(|r| r.get::<_, i64>(0)).transpose()?;
    assert!(rows.next()?.is_none(), "one row per key");
    Ok(first)
}

fn scan(conn: &Connection, scn: u64) -> heliosdb_core::Result<State> {
    let mut st = conn.prepare("SELECT id, v FROM t AS OF SCN ? ORDER BY id")?;
    let mut rows = st.query([Value::Integer(scn as i64)])?;
    let mut out = State::new();
    while let Some(r) = rows.next()? {
        out.insert(r.get(0)?, r.get(1)?);
    }
    Ok(out)
}

/// Every retained point answers as the model says; every removed one is an error.
fn check(conn: &Connection, history: &[(u64, State)], phase: &str) {
    let oldest: i64 = conn.query_row("SELECT min(scn) FROM heliosdb_snapshots()", (), |r| r.get(0)).unwrap();
    for (i, (scn, state)) in history.iter().enumerate() {
        if (*scn as i64) < oldest {
            assert!(matches!(lookup(conn, 1, *scn), Err(Error::SnapshotTooOld(_))), "{phase}: SCN {scn} was collected");
            continue;
        }
        for key in (1..=KEYS).map(id) {
            assert_eq!(lookup(conn, key, *scn).unwrap(), state.get(&key).copied(), "{phase}: key {key} AS OF {scn}");
        }
        if i % 7 == 0 {
            assert_eq!(&scan(conn, *scn).unwrap(), state, "{phase}: the table AS OF {scn}");
        }
    }
}

#[test]
fn long_histories_deletes_gc_and_reopens_match_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_1e57);
    let mut now = State::new();
    let mut history: Vec<(u64, State)> = Vec::new();
    let conn = Connection::open_with(dir.path(), &config()).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)").unwrap();
    for _ in 0..400 {
        change(&conn, &mut rng, &mut now);
        history.push((conn.current_scn(), now.clone()));
    }
    let versions_of_1: i64 = conn
        .query_row("SELECT count(*) FROM t VERSIONS BETWEEN SCN 1 AND 1000000 WHERE id = 1", (), |r| r.get(0))
        .unwrap();
    assert!(versions_of_1 > 150, "key 1 has a long history ({versions_of_1} versions)");
    check(&conn, &history, "before GC");

    // GC keeps the newest 250 points: it cuts through the middle of key 1's history.
    let report = conn.gc().unwrap();
    assert!(report.commits_removed > 100 && report.versions_removed > 50, "{report:?}");
    check(&conn, &history, "after GC");

    // More history on top of the cut, then a reopen.
    for _ in 0..200 {
        change(&conn, &mut rng, &mut now);
        history.push((conn.current_scn(), now.clone()));
    }
    check(&conn, &history, "after more changes");
    drop(conn);
    let conn = Connection::open_with(dir.path(), &config()).unwrap();
    check(&conn, &history, "after a reopen");
    conn.gc().unwrap();
    drop(conn);
    let conn = Connection::open_with(dir.path(), &config()).unwrap();
    check(&conn, &history, "after a second GC and reopen");
}
