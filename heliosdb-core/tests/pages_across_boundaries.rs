//! Row pages against a model: inserts, updates and deletes of single rows and
//! of ranges that cross page boundaries (64 rowids per page, negative rowids
//! and the extremes of the integer range included), in transactions that
//! commit or roll back, with reopens in between. After every round the
//! table read forwards, backwards, by ranges whose bounds sit on and beside
//! page edges, and row by row equals the model, and so does the table
//! `AS OF` every earlier round.

mod common;

use common::{rows, Rng};
use heliosdb_core::{Config, Connection, Value};
use std::collections::BTreeMap;

type Model = BTreeMap<i64, i64>;

/// Rowids the test draws from: around zero (both signs, several pages) and
/// at the ends of the integer range.
fn draw(rng: &mut Rng) -> i64 {
    match rng.below(20) {
        0 => i64::MAX - rng.below(70) as i64,
        1 => i64::MIN + rng.below(70) as i64,
        _ => rng.below(400) as i64 - 150,
    }
}

fn config() -> Config {
    let mut c = Config::default();
    c.snapshot.min_retention_seconds = 0;
    c.snapshot.max_snapshots = 10_000;
    c.snapshot.auto_gc_enabled = false;
    c
}

fn as_model(rows: Vec<Vec<Value>>) -> Vec<(i64, i64)> {
    rows.into_iter()
        .map(|r| match (&r[0], &r[1]) {
            (Value::Integer(k), Value::Integer(v)) => (*k, *v),
            other => panic!("unexpected row {other:?}"),
        })
        .collect()
}

fn check(conn: &Connection, model: &Model, what: &str) {
    let all: Vec<(i64, i64)> = model.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(as_model(rows(conn, "SELECT id, v FROM t ORDER BY id")), all, "{what}: forwards");
    let mut backwards = all.clone();
    backwards.reverse();
    assert_eq!(as_model(rows(conn, "SELECT id, v FROM t ORDER BY id DESC")), backwards, "{what}: backwards");
    // Bounds on, just inside and just outside page edges.
    for (lo, hi) in [(-65, -64), (-64, 63), (0, 64), (63, 64), (64, 127), (-1, 0), (100, 100), (-150, 250)] {
        let want: Vec<(i64, i64)> = model.range(lo..=hi).map(|(k, v)| (*k, *v)).collect();
        let sql = format!("SELECT id, v FROM t WHERE id BETWEEN {lo} AND {hi} ORDER BY id");
        assert_eq!(as_model(rows(conn, &sql)), want, "{what}: {sql}");
        let sql = format!("SELECT id, v FROM t WHERE id > {lo} AND id < {hi} ORDER BY id DESC");
        let want: Vec<(i64, i64)> =
            model.iter().filter(|(k, _)| **k > lo && **k < hi).rev().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(as_model(rows(conn, &sql)), want, "{what}: {sql}");
    }
    for k in [-129, -128, -65, -64, -1, 0, 1, 63, 64, 65, 127, 128, i64::MAX, i64::MIN] {
        let got = rows(conn, &format!("SELECT v FROM t WHERE id = {k}"));
        let want: Vec<Vec<Value>> = model.get(&k).map(|v| vec![Value::Integer(*v)]).into_iter().collect();
        assert_eq!(got, want, "{what}: id = {k}");
    }
}

/// One transaction of a few random statements; returns whether it committed.
fn round(conn: &Connection, rng: &mut Rng, model: &mut Model, serial: &mut i64) -> bool {
    let mut next = model.clone();
    conn.execute_batch("BEGIN").unwrap();
    for _ in 0..1 + rng.below(6) {
        *serial += 1;
        let a = draw(rng);
        match rng.below(6) {
            0 | 1 => {
                conn.execute(
                    "INSERT OR REPLACE INTO t VALUES (?1, ?2)",
                    vec![Value::Integer(a), Value::Integer(*serial)],
                )
                .unwrap();
                next.insert(a, *serial);
            }
            2 => {
                // A run of rows across a page edge.
                let (lo, n) = (a.min(i64::MAX - 200), rng.below(150) as i64);
                conn.execute(
                    "INSERT OR REPLACE INTO t SELECT ?1 + value, ?2 FROM generate_series(0, ?3)",
                    vec![Value::Integer(lo), Value::Integer(*serial), Value::Integer(n)],
                )
                .unwrap();
                for k in lo..=lo + n {
                    next.insert(k, *serial);
                }
            }
            3 => {
                let (lo, hi) = (a, a.saturating_add(rng.below(140) as i64));
                conn.execute(
                    "UPDATE t SET v = v + 1000000 WHERE id BETWEEN ?1 AND ?2",
                    vec![Value::Integer(lo), Value::Integer(hi)],
                )
                .unwrap();
                for (_, v) in next.range_mut(lo..=hi) {
                    *v += 1_000_000;
                }
            }
            4 => {
                let (lo, hi) = (a, a.saturating_add(rng.below(200) as i64));
                conn.execute("DELETE FROM t WHERE id BETWEEN ?1 AND ?2", vec![Value::Integer(lo), Value::Integer(hi)])
                    .unwrap();
                let doomed: Vec<i64> = next.range(lo..=hi).map(|(k, _)| *k).collect();
                for k in doomed {
                    next.remove(&k);
                }
            }
            _ => {
                conn.execute("DELETE FROM t WHERE id = ?1", vec![Value::Integer(a)]).unwrap();
                next.remove(&a);
            }
        }
    }
    let commit = !rng.chance(20);
    conn.execute_batch(if commit { "COMMIT" } else { "ROLLBACK" }).unwrap();
    if commit {
        *model = next;
    }
    commit
}

#[test]
fn fills_updates_and_deletes_across_pages_match_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9a6e_5eed_0017);
    let mut model = Model::new();
    let mut serial = 0i64;
    let mut past: Vec<(u64, Model)> = Vec::new();
    let mut conn = Connection::open_with(dir.path(), &config()).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)").unwrap();
    for r in 0..120 {
        if round(&conn, &mut rng, &mut model, &mut serial) {
            past.push((conn.current_scn(), model.clone()));
        }
        if r % 10 == 9 {
            check(&conn, &model, &format!("round {r}"));
        }
        if r % 40 == 39 {
            drop(conn);
            conn = Connection::open_with(dir.path(), &config()).unwrap();
            check(&conn, &model, &format!("round {r}, reopened"));
        }
    }
    assert!(model.len() > 100, "the table spans many pages ({} rows)", model.len());
    for (scn, then) in past.iter().step_by(7) {
        let got = as_model(rows(&conn, &format!("SELECT id, v FROM t AS OF SCN {scn} ORDER BY id")));
        let want: Vec<(i64, i64)> = then.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(got, want, "AS OF SCN {scn}");
    }
    // Emptying the table empties every page.
    conn.execute_batch("DELETE FROM t").unwrap();
    check(&conn, &Model::new(), "emptied");
    drop(conn);
    let conn = Connection::open_with(dir.path(), &config()).unwrap();
    check(&conn, &Model::new(), "emptied, reopened");
}

#[test]
fn integer_and_other_keys_share_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE m (k PRIMARY KEY, v INTEGER);
         INSERT INTO m SELECT value, value FROM generate_series(-70, 140);
         INSERT INTO m VALUES ('a', 1), ('b', 2), (2.5, 3), (x'00', 4);
         DELETE FROM m WHERE k BETWEEN 10 AND 80;",
    )
    .unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM m", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 211 - 71 + 4);
    assert_eq!(rows(&conn, "SELECT v FROM m WHERE k = 'b'"), vec![vec![Value::Integer(2)]]);
    assert_eq!(rows(&conn, "SELECT v FROM m WHERE k = 81"), vec![vec![Value::Integer(81)]]);
    assert_eq!(rows(&conn, "SELECT v FROM m WHERE k = 80"), Vec::<Vec<Value>>::new());
    let ints: i64 = conn.query_row("SELECT count(*) FROM m WHERE typeof(k) = 'integer'", (), |r| r.get(0)).unwrap();
    assert_eq!(ints, 211 - 71);
}
