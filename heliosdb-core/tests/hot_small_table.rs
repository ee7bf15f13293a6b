//! Small tables written by many autocommit statements, against a model.
//! Past 64 commits such a table's stored keys are kept in memory and, once
//! it has been rewritten enough, its scans read entry by entry (see
//! `storage/table_keys.rs`); here pages and loose rows appear and disappear
//! after that, a reader in `BEGIN READ ONLY` keeps reading the state it
//! began with while the writer goes on, a table grows by hundreds of pages
//! in one statement and shrinks back, rows are appended one a commit (new
//! pages, a moving last index fence), and the database is reopened. Every scan (forwards, backwards, by ranges, by key) equals the
//! model throughout, and so does every read through the index on `t.v`.

mod common;

use common::{rows, Rng};
use heliosdb_core::{Connection, Value};
use std::collections::BTreeMap;

/// `t`'s rows (rowid → v) and `m`'s (text key → v).
#[derive(Clone, Default, PartialEq, Debug)]
struct Model {
    t: BTreeMap<i64, i64>,
    m: BTreeMap<String, i64>,
}

fn pairs(rows: Vec<Vec<Value>>) -> Vec<(Value, i64)> {
    rows.into_iter()
        .map(|r| match &r[..] {
            [k, Value::Integer(v)] => (k.clone(), *v),
            other => panic!("unexpected row {other:?}"),
        })
        .collect()
}

fn check(conn: &Connection, model: &Model, what: &str) {
    let t: Vec<(Value, i64)> = model.t.iter().map(|(k, v)| (Value::Integer(*k), *v)).collect();
    assert_eq!(pairs(rows(conn, "SELECT id, v FROM t ORDER BY id")), t, "{what}: t forwards");
    let back: Vec<(Value, i64)> = t.iter().rev().cloned().collect();
    assert_eq!(pairs(rows(conn, "SELECT id, v FROM t ORDER BY id DESC")), back, "{what}: t backwards");
    for (lo, hi) in [(0, 63), (64, 200), (-1, 1), (130, 130), (300, 700)] {
        let want: Vec<(Value, i64)> = model.t.range(lo..=hi).map(|(k, v)| (Value::Integer(*k), *v)).collect();
        let sql = format!("SELECT id, v FROM t WHERE id BETWEEN {lo} AND {hi} ORDER BY id");
        assert_eq!(pairs(rows(conn, &sql)), want, "{what}: {sql}");
    }
    let sum: i64 = model.t.values().sum();
    let want = vec![vec![Value::Integer(model.t.len() as i64), Value::Integer(sum)]];
    let got = rows(conn, "SELECT count(*), coalesce(sum(v), 0) FROM t");
    assert_eq!(got, want, "{what}: t count and sum");
    // Through the index on v: ranges both ways, and lookups of one value.
    let mut by_v: Vec<(i64, i64)> = model.t.iter().map(|(k, v)| (*v, *k)).collect();
    by_v.sort_unstable();
    let mid = by_v.get(by_v.len() / 2).map_or(0, |(v, _)| *v);
    let want: Vec<(Value, i64)> =
        by_v.iter().filter(|(v, _)| *v >= mid).map(|(v, k)| (Value::Integer(*k), *v)).collect();
    let sql = format!("SELECT id, v FROM t WHERE v >= {mid} ORDER BY v, id");
    assert_eq!(pairs(rows(conn, &sql)), want, "{what}: {sql}");
    let want: Vec<(Value, i64)> =
        by_v.iter().rev().filter(|(v, _)| *v < mid).take(5).map(|(v, k)| (Value::Integer(*k), *v)).collect();
    let sql = format!("SELECT id, v FROM t WHERE v < {mid} ORDER BY v DESC, id DESC LIMIT 5");
    assert_eq!(pairs(rows(conn, &sql)), want, "{what}: {sql}");
    for (v, k) in by_v.iter().step_by(7) {
        let sql = format!("SELECT id, v FROM t WHERE v = {v} AND id = {k}");
        assert_eq!(pairs(rows(conn, &sql)), vec![(Value::Integer(*k), *v)], "{what}: {sql}");
    }
    let m: Vec<(Value, i64)> = model.m.iter().map(|(k, v)| (Value::Text(k.clone()), *v)).collect();
    assert_eq!(pairs(rows(conn, "SELECT k, v FROM m ORDER BY k")), m, "{what}: m");
    let want: Vec<(Value, i64)> =
        model.m.range("k5".to_string()..).map(|(k, v)| (Value::Text(k.clone()), *v)).collect();
    assert_eq!(pairs(rows(conn, "SELECT k, v FROM m WHERE k >= 'k5' ORDER BY k")), want, "{what}: m from k5");
}

/// One autocommit statement on `t` or `m`, applied to the model too.
fn write(conn: &Connection, rng: &mut Rng, model: &mut Model, serial: i64) {
    // Rowids over ten pages, so pages are created and emptied often.
    let a = rng.below(640) as i64;
    let v = Value::Integer(serial);
    match rng.below(8) {
        0..=2 => {
            conn.execute("INSERT OR REPLACE INTO t VALUES (?1, ?2)", vec![Value::Integer(a), v]).unwrap();
            model.t.insert(a, serial);
        }
        3 => {
            let hi = a + rng.below(20) as i64;
            conn.execute("DELETE FROM t WHERE id BETWEEN ?1 AND ?2", vec![Value::Integer(a), Value::Integer(hi)])
                .unwrap();
            model.t.retain(|k, _| !(a..=hi).contains(k));
        }
        4 => {
            conn.execute("UPDATE t SET v = v + 1 WHERE id >= ?1", vec![Value::Integer(a)]).unwrap();
            model.t.range_mut(a..).for_each(|(_, v)| *v += 1);
        }
        5 | 6 => {
            let k = format!("k{}", rng.below(40));
            conn.execute("INSERT OR REPLACE INTO m VALUES (?1, ?2)", vec![Value::Text(k.clone()), v]).unwrap();
            model.m.insert(k, serial);
        }
        _ => {
            let k = format!("k{}", rng.below(40));
            conn.execute("DELETE FROM m WHERE k = ?1", vec![Value::Text(k.clone())]).unwrap();
            model.m.remove(&k);
        }
    }
}

#[test]
fn often_written_small_tables_read_like_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5ca1_ab1e);
    let mut model = Model::default();
    let mut w = Connection::open(dir.path()).unwrap();
    w.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); CREATE INDEX t_v ON t (v);
         CREATE TABLE m (k TEXT PRIMARY KEY, v INTEGER)",
    )
    .unwrap();
    let mut serial = 0;
    for round in 0..3 {
        let r = Connection::open(dir.path()).unwrap();
        for step in 0..400 {
            serial += 1;
            write(&w, &mut rng, &mut model, serial);
            if step % 50 == 49 {
                check(&w, &model, &format!("round {round} step {step}"));
            }
            if step % 100 == 99 {
                // A reader keeps its snapshot while pages come and go.
                r.execute_batch("BEGIN READ ONLY").unwrap();
                let then = model.clone();
                for _ in 0..40 {
                    serial += 1;
                    write(&w, &mut rng, &mut model, serial);
                }
                check(&r, &then, &format!("round {round} step {step}, a reader's snapshot"));
                r.execute_batch("COMMIT").unwrap();
                check(&r, &model, &format!("round {round} step {step}, the reader afterwards"));
            }
        }
        // Hundreds of pages added in one commit, and removed in another.
        w.execute("INSERT INTO t SELECT value, 0 FROM generate_series(1000, 18000)", ()).unwrap();
        (1000..=18000).for_each(|k| {
            model.t.insert(k, 0);
        });
        check(&w, &model, &format!("round {round}, grown"));
        for _ in 0..150 {
            serial += 1;
            write(&w, &mut rng, &mut model, serial);
        }
        w.execute("DELETE FROM t WHERE id >= 1000", ()).unwrap();
        model.t.retain(|k, _| *k < 1000);
        check(&w, &model, &format!("round {round}, shrunk"));
        // Appends at the end, one a commit: a new page every 64 rows, and the
        // index's last page fence moving with each (v rises), read while a
        // reader holds a state from halfway through.
        let base = 20_000 + round * 1_000;
        let mut then = None;
        for i in 0..300 {
            serial += 1;
            let v = 1_000_000 + serial;
            w.execute("INSERT INTO t VALUES (?1, ?2)", vec![Value::Integer(base + i), Value::Integer(v)]).unwrap();
            model.t.insert(base + i, v);
            if i == 150 {
                r.execute_batch("BEGIN READ ONLY").unwrap();
                then = Some(model.clone());
            }
            if i % 75 == 74 {
                check(&w, &model, &format!("round {round}, {} appended", i + 1));
            }
        }
        check(&r, &then.unwrap(), &format!("round {round}, a reader's snapshot amid the appends"));
        r.execute_batch("COMMIT").unwrap();
        w.execute("DELETE FROM t WHERE id >= 20000", ()).unwrap();
        model.t.retain(|k, _| *k < 20_000);
        check(&w, &model, &format!("round {round}, appends removed"));
        drop(r);
        if round == 1 {
            drop(w);
            w = Connection::open(dir.path()).unwrap();
            check(&w, &model, "reopened");
        }
    }
    assert!(
        model.t.len() > 64 && !model.m.is_empty(),
        "the tables span several pages and entries ({} rows)",
        model.t.len()
    );
}
