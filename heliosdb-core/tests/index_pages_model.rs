//! Index pages against a model: a table with an index on an integer column,
//! a descending index on a text column and a unique index, filled, updated
//! and deleted in transactions that commit or roll back (single rows and
//! runs of hundreds, so pages fill, split and empty), with reopens in
//! between. After every few rounds each index is read by ranges forwards
//! and backwards, by equality, and counted, and every answer equals the
//! model's; a duplicate in the unique index is refused and changes nothing.

mod common;

use common::{rows, Rng};
use heliosdb_core::{Connection, Value};
use std::collections::BTreeMap;

/// id → (a, s).
type Model = BTreeMap<i64, (i64, String)>;

fn ids(rows: Vec<Vec<Value>>) -> Vec<i64> {
    rows.into_iter()
        .map(|r| match r.first() {
            Some(Value::Integer(k)) => *k,
            other => panic!("unexpected row {other:?}"),
        })
        .collect()
}

fn s_of(n: i64) -> String {
    format!("s{:04}", n % 1_500)
}

fn check(conn: &Connection, model: &Model, rng: &mut Rng, what: &str) {
    for _ in 0..6 {
        let lo = rng.below(1_200) as i64 - 100;
        let hi = lo + rng.below(300) as i64;
        let mut want: Vec<(i64, i64)> =
            model.iter().filter(|(_, (a, _))| (lo..=hi).contains(a)).map(|(id, (a, _))| (*a, *id)).collect();
        want.sort();
        let sql = format!("SELECT id FROM t WHERE a BETWEEN {lo} AND {hi} ORDER BY a, id");
        assert_eq!(ids(rows(conn, &sql)), want.iter().map(|(_, id)| *id).collect::<Vec<_>>(), "{what}: {sql}");
        let sql = format!("SELECT id FROM t WHERE a < {hi} ORDER BY a DESC, id DESC LIMIT 25");
        let mut below: Vec<(i64, i64)> =
            model.iter().filter(|(_, (a, _))| *a < hi).map(|(id, (a, _))| (*a, *id)).collect();
        below.sort();
        let want_desc: Vec<i64> = below.iter().rev().take(25).map(|(_, id)| *id).collect();
        assert_eq!(ids(rows(conn, &sql)), want_desc, "{what}: {sql}");
        let s = s_of(lo.rem_euclid(1_500));
        let sql = format!("SELECT count(*) FROM t WHERE s >= '{s}'");
        let want_count = model.values().filter(|(_, v)| v.as_str() >= s.as_str()).count() as i64;
        assert_eq!(ids(rows(conn, &sql)), vec![want_count], "{what}: {sql}");
        let sql = format!("SELECT id FROM t WHERE s = '{s}' ORDER BY id");
        let want_eq: Vec<i64> = model.iter().filter(|(_, (_, v))| *v == s).map(|(id, _)| *id).collect();
        assert_eq!(ids(rows(conn, &sql)), want_eq, "{what}: {sql}");
    }
    let all: Vec<i64> = {
        let mut by_a: Vec<(i64, i64)> = model.iter().map(|(id, (a, _))| (*a, *id)).collect();
        by_a.sort();
        by_a.into_iter().map(|(_, id)| id).collect()
    };
    assert_eq!(ids(rows(conn, "SELECT id FROM t ORDER BY a, id")), all, "{what}: whole index");
}

/// One transaction of a few random statements; returns whether it committed.
fn round(conn: &Connection, rng: &mut Rng, model: &mut Model, next_id: &mut i64) -> bool {
    let mut next = model.clone();
    conn.execute_batch("BEGIN").unwrap();
    for _ in 0..1 + rng.below(5) {
        let a = rng.below(1_000) as i64;
        match rng.below(6) {
            0 => {
                *next_id += 1;
                let s = s_of(rng.below(1_500) as i64);
                conn.execute(
                    "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
                    vec![Value::Integer(*next_id), Value::Integer(a), Value::Text(s.clone()), Value::Integer(*next_id)],
                )
                .unwrap();
                next.insert(*next_id, (a, s));
            }
            1 => {
                // A run of rows, spread over the whole index.
                let n = 1 + rng.below(400) as i64;
                let first = *next_id + 1;
                conn.execute(
                    "INSERT INTO t SELECT ?1 + value, (value * 37 + ?2) % 1000, 's' || substr('000' || ((value * 7 + ?2) % 1500), -4), ?1 + value FROM generate_series(0, ?3 - 1)",
                    vec![Value::Integer(first), Value::Integer(a), Value::Integer(n)],
                )
                .unwrap();
                for v in 0..n {
                    next.insert(first + v, ((v * 37 + a) % 1_000, s_of(v * 7 + a)));
                }
                *next_id += n;
            }
            2 => {
                // Moves a band of index entries (deleted here, inserted there).
                let hi = a + rng.below(80) as i64;
                conn.execute(
                    "UPDATE t SET a = a + 500 WHERE a BETWEEN ?1 AND ?2",
                    vec![Value::Integer(a), Value::Integer(hi)],
                )
                .unwrap();
                for (x, _) in next.values_mut() {
                    if (a..=hi).contains(x) {
                        *x += 500;
                    }
                }
            }
            3 => {
                let hi = a + rng.below(150) as i64;
                conn.execute("DELETE FROM t WHERE a BETWEEN ?1 AND ?2", vec![Value::Integer(a), Value::Integer(hi)])
                    .unwrap();
                next.retain(|_, (x, _)| !(a..=hi).contains(x));
            }
            4 => {
                // A duplicate in the unique index is refused whole.
                if let Some((&id, _)) = next.iter().nth(rng.below(next.len().max(1))) {
                    let err = conn.execute(
                        "INSERT INTO t VALUES (?1, 0, 'dup', ?2)",
                        vec![Value::Integer(*next_id + 1_000_000), Value::Integer(id)],
                    );
                    assert!(err.is_err(), "u = {id} is taken");
                }
            }
            _ => {
                let id = rng.below((*next_id).max(1) as usize) as i64;
                conn.execute("DELETE FROM t WHERE id = ?1", vec![Value::Integer(id)]).unwrap();
                next.remove(&id);
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
fn indexes_filled_updated_and_emptied_across_pages_match_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x1dec_5eed_0042);
    let mut model = Model::new();
    let mut next_id = 0i64;
    let mut conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, s TEXT, u INTEGER UNIQUE);
         CREATE INDEX t_a ON t (a);
         CREATE INDEX t_s ON t (s DESC);",
    )
    .unwrap();
    let plan = rows(&conn, "EXPLAIN QUERY PLAN SELECT id FROM t WHERE a BETWEEN 1 AND 2");
    assert!(format!("{plan:?}").contains("t_a"), "the range reads the index: {plan:?}");
    for r in 0..150 {
        round(&conn, &mut rng, &mut model, &mut next_id);
        if r % 10 == 9 {
            check(&conn, &model, &mut rng, &format!("round {r}"));
        }
        if r % 50 == 49 {
            drop(conn);
            conn = Connection::open(dir.path()).unwrap();
            check(&conn, &model, &mut rng, &format!("round {r}, reopened"));
        }
    }
    assert!(model.len() > 2_000, "the indexes span many pages ({} rows)", model.len());
    conn.execute_batch("DELETE FROM t").unwrap();
    check(&conn, &Model::new(), &mut rng, "emptied");
    drop(conn);
    let conn = Connection::open(dir.path()).unwrap();
    check(&conn, &Model::new(), &mut rng, "emptied, reopened");
    conn.execute_batch("INSERT INTO t VALUES (1, 5, 's0005', 1)").unwrap();
    assert_eq!(ids(rows(&conn, "SELECT id FROM t WHERE a = 5")), vec![1], "an emptied index takes new entries");
}

#[test]
fn keys_longer_than_the_store_allows_are_errors_or_misses_never_crashes() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT UNIQUE);
         CREATE INDEX t_s ON t (s DESC);
         INSERT INTO t SELECT value, 's' || value FROM generate_series(1, 500);",
    )
    .unwrap();
    let long = "x".repeat(70_000);
    let err = conn.execute("INSERT INTO t VALUES (501, ?1)", vec![Value::Text(long.clone())]);
    assert!(err.is_err(), "an index key past 64 KiB is refused");
    let got = rows(&conn, &format!("SELECT id FROM t WHERE s = '{long}'"));
    assert!(got.is_empty());
    let got = rows(&conn, &format!("SELECT count(*) FROM t WHERE s < '{long}'"));
    assert_eq!(ids(got), vec![500]);
    assert_eq!(ids(rows(&conn, "SELECT id FROM t WHERE s = 's77'")), vec![77], "still usable");
}
