//! Differential test of UPSERT and savepoints: seeded random sequences of
//! `INSERT … ON CONFLICT … DO NOTHING | DO UPDATE SET … [WHERE …]` (with
//! `excluded.`, RETURNING, several rows per statement), plain inserts that
//! may violate the primary key, the UNIQUE column, NOT NULL or a CHECK,
//! updates and deletes, DDL (a unique index that comes and goes, so
//! `ROLLBACK TO` must restore the schema), and `SAVEPOINT` / `RELEASE` /
//! `ROLLBACK TO` / `BEGIN` / `COMMIT` / `ROLLBACK`, over a rowid table and a
//! text-keyed one with a composite UNIQUE, run on HeliosDB and on SQLite 3.40.
//! After every step both engines must agree on success or failure, on the
//! RETURNING rows, and on the whole table.

use heliosdb_core::Connection;

mod common;
use common::{helios_rows, results_agree, sqlite_rows, Pick, Rng};

/// A rowid table (INTEGER PRIMARY KEY) with a UNIQUE column, and a table
/// keyed by text with a two-column UNIQUE constraint.
const TABLES: [&str; 2] = [
    "CREATE TABLE t (id INTEGER PRIMARY KEY, u INTEGER UNIQUE, v INTEGER NOT NULL CHECK (v < 400), w TEXT)",
    "CREATE TABLE k (name TEXT NOT NULL PRIMARY KEY, a INTEGER, b INTEGER, n INTEGER NOT NULL, UNIQUE (a, b))",
];

/// An UPSERT on `k`: text keys, a composite target in either order.
fn upsert_k(r: &mut Rng) -> String {
    let n = 1 + r.below(3);
    let rows: Vec<String> = (0..n)
        .map(|_| {
            let a = if r.chance(10) { "NULL".to_string() } else { r.int_in(0, 2).to_string() };
            format!("('{}', {a}, {}, {})", r.pick(&["p", "q", "r", "s", "px"]), r.int_in(0, 2), r.int_in(0, 9))
        })
        .collect();
    let target = r.pick(&["", "(name)", "(a, b)", "(b, a)"]);
    let clause = if r.chance(30) {
        format!("ON CONFLICT {target} DO NOTHING")
    } else {
        let set = r.pick(&[
            "n = n + excluded.n",
            "a = excluded.a",
            "name = excluded.name || 'x'",
            "b = NULL, n = k.n * 2",
            "a = excluded.b, b = excluded.a",
        ]);
        let filter = if r.chance(25) { " WHERE excluded.n > k.n" } else { "" };
        format!("ON CONFLICT {target} DO UPDATE SET {set}{filter}")
    };
    let returning = if r.chance(30) { " RETURNING *" } else { "" };
    format!("INSERT INTO k VALUES {} {clause}{returning}", rows.join(", "))
}

/// One row of VALUES: keys from small ranges so conflicts are common.
fn values_row(r: &mut Rng) -> String {
    let u = if r.chance(10) { "NULL".to_string() } else { r.int_in(0, 12).to_string() };
    let v = if r.chance(4) { "NULL".to_string() } else { r.int_in(0, 60).to_string() };
    format!("({}, {u}, {v}, '{}')", r.int_in(0, 12), r.pick(&["a", "b", "c"]))
}

/// A DO UPDATE's SET list.
fn assignments(r: &mut Rng) -> String {
    let one = |r: &mut Rng| {
        r.pick(&[
            "v = excluded.v",
            "v = v + excluded.v",
            "v = t.v * 2",
            "u = excluded.u",
            "u = NULL",
            "w = excluded.w || w",
            "id = excluded.id + 20",
            "v = excluded.v + excluded.id",
        ])
        .to_string()
    };
    let mut parts = vec![one(r)];
    if r.chance(30) {
        let p = one(r);
        if p.split('=').next() != parts[0].split('=').next() {
            parts.push(p);
        }
    }
    parts.join(", ")
}

fn upsert(r: &mut Rng) -> String {
    let n = 1 + r.below(3);
    let rows: Vec<String> = (0..n).map(|_| values_row(r)).collect();
    let target = r.pick(&["", "(id)", "(u)"]);
    let clause = if r.chance(35) {
        format!("ON CONFLICT {target} DO NOTHING")
    } else {
        let target = if target.is_empty() && r.chance(50) { "(id)" } else { target };
        let mut c = format!("ON CONFLICT {target} DO UPDATE SET {}", assignments(r));
        if r.chance(30) {
            c.push_str(" WHERE ");
            c.push_str(r.pick(&["excluded.v > t.v", "t.w <> excluded.w", "excluded.u IS NULL", "v % 2 = 0"]));
        }
        c
    };
    let returning = if r.chance(30) { " RETURNING id, u, v, w" } else { "" };
    format!("INSERT INTO t VALUES {} {clause}{returning}", rows.join(", "))
}

fn statement(r: &mut Rng) -> String {
    let name = |r: &mut Rng| r.pick(&["a", "b", "c", "A", "B"]).to_string();
    match r.below(100) {
        0..=39 => upsert(r),
        40..=52 => upsert_k(r),
        53..=54 => r
            .pick(&["CREATE UNIQUE INDEX kn ON k (n)", "DROP INDEX kn", "CREATE TABLE x (y INTEGER)", "DROP TABLE x"])
            .into(),
        55..=64 => format!("INSERT INTO t VALUES {}", values_row(r)),
        65..=68 => format!("UPDATE t SET v = v + 1, u = u + 1 WHERE id = {}", r.int_in(0, 12)),
        69..=71 => format!("DELETE FROM t WHERE id % 5 = {}", r.int_in(0, 4)),
        72..=80 => format!("SAVEPOINT {}", name(r)),
        81..=86 => format!("ROLLBACK TO {}{}", r.pick(&["", "SAVEPOINT "]), name(r)),
        87..=92 => format!("RELEASE {}{}", r.pick(&["", "SAVEPOINT "]), name(r)),
        93..=94 => "BEGIN".into(),
        95..=97 => "COMMIT".into(),
        _ => "ROLLBACK".into(),
    }
}

/// Runs `steps` random statements on fresh databases from `seed`.
fn run(seed: u64, steps: usize) {
    let h = Connection::open_in_memory().unwrap();
    let s = rusqlite::Connection::open_in_memory().unwrap();
    for table in TABLES {
        h.execute_batch(table).unwrap();
        s.execute_batch(&format!("{table} STRICT")).unwrap();
    }
    let mut r = Rng(seed);
    let (mut ok, mut failed, mut nonempty_returning) = (0, 0, 0);
    let mut log: Vec<String> = Vec::new();
    for step in 0..steps {
        let sql = statement(&mut r);
        log.push(sql.clone());
        let a = helios_rows(&h, &sql);
        let b = sqlite_rows(&s, &sql);
        let context = || log[log.len().saturating_sub(12)..].join(";\n");
        match (&a, &b) {
            (Ok(x), Ok(y)) => {
                assert!(
                    results_agree(x.clone(), y.clone(), false),
                    "seed {seed:#x} step {step}: {sql}\nHeliosDB {x:?}\nSQLite {y:?}\nlast statements:\n{}",
                    context()
                );
                ok += 1;
                nonempty_returning += usize::from(!x.is_empty());
            }
            (Err(_), Err(_)) => failed += 1,
            _ => panic!(
                "seed {seed:#x} step {step}: {sql}\nHeliosDB {a:?}\nSQLite {b:?}\nlast statements:\n{}",
                context()
            ),
        }
        for q in ["SELECT id, u, v, w FROM t ORDER BY id", "SELECT * FROM k ORDER BY name"] {
            let (x, y) = (helios_rows(&h, q).unwrap(), sqlite_rows(&s, q).unwrap());
            assert!(
                results_agree(x.clone(), y.clone(), true),
                "seed {seed:#x} step {step}: after {sql}\nHeliosDB {x:?}\nSQLite {y:?}\nlast statements:\n{}",
                context()
            );
        }
        assert_eq!(h.is_autocommit(), s.is_autocommit(), "seed {seed:#x} step {step}: after {sql}: autocommit");
    }
    eprintln!(
        "seed {seed:#x}: {steps} steps: {ok} succeeded, {failed} failed on both, {nonempty_returning} returned rows"
    );
    assert!(ok > steps / 2 && failed > steps / 20, "{ok} ok, {failed} failed: the mix is off");
}

#[test]
fn heliosdb_agrees_with_sqlite_on_upsert_and_savepoints() {
    for seed in [0xC0FF_EE12_3456_789B, 0x0BAD_CAFE_F00D_0001, 0x7777_1111_2222_3333] {
        run(seed, 2000);
    }
}
