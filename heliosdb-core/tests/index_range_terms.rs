//! A covering-index range read skips the WHERE terms its key range already
//! answers (`exec::implied`) for rows whose value is of the terms'
//! constants' kind. Checked against a twin table without indexes, with
//! what a REAL and an INTEGER column can hold (-0.0 and values a hair
//! either side of a bound, text that converts, NULL, the i64 extremes),
//! constants of every kind (0.0 and -0.0, fractions, an integral REAL
//! against an INTEGER column, TEXT), the constant on either
//! side, bound as parameters or written in, with other terms before, after
//! and between, on a single-column index and on a two-column one. A
//! `count(*)` alone, which counts the entries of an answered kind from
//! their keys, is among the queries; so are INTEGER constants either side
//! of 2^53 against the REAL column (up to 2^53 one stands for its REAL).

mod common;
use common::Rng;
use heliosdb_core::{Connection, Value};

const SCHEMA: &str = "
    CREATE TABLE t (id INTEGER PRIMARY KEY, r REAL, i INTEGER, w INTEGER);
    CREATE INDEX t_r ON t (r);
    CREATE INDEX t_iw ON t (i, w);
    CREATE TABLE t0 (id INTEGER PRIMARY KEY, r REAL, i INTEGER, w INTEGER);";

/// Values stored in `r`: near the constants below, text that converts,
/// NULL, and the i64 extremes (made REAL).
const STORED_REAL: &[&str] = &[
    "-0.0",
    "0.0",
    "0",
    "2.5",
    "-3",
    "5",
    "5.0",
    "4.999999999",
    "5.000000001",
    "7",
    "1e300",
    "-1e300",
    "'5'",
    "NULL",
    "9223372036854775807",
    "-9223372036854775808",
    "9007199254740992",
    "9007199254740994",
    "9e999",
    "-9e999",
];

/// Values stored in `i` (a typed column refuses what does not convert).
const STORED_INT: &[&str] =
    &["0", "-0.0", "5", "5.0", "'5'", "4", "6", "-3", "7", "NULL", "9223372036854775807", "-9223372036854775808"];

/// Constants the terms compare with.
/// (2^53 and 2^53 + 1: the largest INTEGER a REAL holds exactly, and one past it.)
const CONSTANTS: &[&str] = &[
    "0.0",
    "-0.0",
    "0",
    "5",
    "5.0",
    "2.5",
    "-3",
    "7",
    "4.999999999",
    "'5'",
    "1e300",
    "9007199254740992",
    "9007199254740993",
    "-9007199254740992",
];

const OPS: &[&str] = &["=", "<", "<=", ">", ">="];

fn value_of(conn: &Connection, literal: &str) -> Value {
    let mut st = conn.prepare(&format!("SELECT {literal}")).unwrap();
    let mut rows = st.query(()).unwrap();
    rows.next().unwrap().unwrap().values()[0].clone()
}

/// The rows of `sql` with `params`, sorted, as text.
fn answer(conn: &Connection, sql: &str, params: &[Value]) -> Vec<String> {
    let refs: Vec<&dyn heliosdb_core::ToSql> = params.iter().map(|p| p as &dyn heliosdb_core::ToSql).collect();
    let mut st = conn.prepare(sql).unwrap();
    let mut rows = st.query(refs.as_slice()).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        out.push(format!("{:?}", r.values()));
    }
    out.sort();
    out
}

/// A random WHERE on column `col`, with its parameters' values.
fn predicate(conn: &Connection, rng: &mut Rng, col: &str) -> (String, Vec<Value>) {
    let mut terms = Vec::new();
    let mut params = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let c = CONSTANTS[rng.below(CONSTANTS.len())];
        let op = OPS[rng.below(OPS.len())];
        let constant = if rng.chance(40) {
            params.push(value_of(conn, c));
            format!("?{}", params.len())
        } else {
            c.to_string()
        };
        terms.push(if rng.chance(25) {
            // The constant on the left: `5 > r` is `r < 5`.
            let flipped = match op {
                "<" => ">",
                "<=" => ">=",
                ">" => "<",
                ">=" => "<=",
                other => other,
            };
            format!("{constant} {flipped} {col}")
        } else {
            format!("{col} {op} {constant}")
        });
    }
    // Sometimes a term the index does not answer, anywhere in the chain.
    if rng.chance(40) {
        let extra = ["id % 3 <> 0", "w > 2", "w IS NULL"][rng.below(3)];
        let at = rng.below(terms.len() + 1);
        terms.insert(at, extra.to_string());
    }
    (terms.join(" AND "), params)
}

#[test]
fn terms_a_range_answers_agree_with_a_table_without_indexes() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let mut rng = Rng(0x1e_4a9e);
    for id in 0..600 {
        let (r, i) = (STORED_REAL[rng.below(STORED_REAL.len())], STORED_INT[rng.below(STORED_INT.len())]);
        let w = if rng.chance(20) { "NULL".to_string() } else { rng.below(5).to_string() };
        for table in ["t", "t0"] {
            conn.execute(&format!("INSERT INTO {table} VALUES ({id}, {r}, {i}, {w})"), ()).unwrap();
        }
    }
    let (mut covered, mut nonempty) = (0, 0);
    for round in 0..400 {
        let col = if round % 2 == 0 { "r" } else { "i" };
        let (pred, params) = predicate(&conn, &mut rng, col);
        let select = match rng.below(4) {
            0 => format!("count(*), total({col}), min({col}), max({col})"),
            1 => format!("{col}, typeof({col}), id"),
            // Counted from the entries' keys where the range answers the WHERE.
            2 => "count(*)".to_string(),
            _ => "count(*), sum(w)".to_string(),
        };
        let q = format!("SELECT {select} FROM t WHERE {pred}");
        let twin = q.replace(" FROM t ", " FROM t0 ");
        let got = answer(&conn, &q, &params);
        assert_eq!(got, answer(&conn, &twin, &params), "{q} with {params:?}");
        let plan = answer(&conn, &format!("EXPLAIN {q}"), &params).join(" ");
        covered += usize::from(plan.contains("COVERING INDEX"));
        nonempty += usize::from(got.len() > 1 || got.first().is_some_and(|row| !row.starts_with("[Integer(0)")));
    }
    // The comparison is not vacuous: most queries read a covering index's
    // range, and most find rows.
    assert!(covered > 200, "only {covered} of 400 queries read a covering index");
    assert!(nonempty > 200, "only {nonempty} of 400 queries found rows");
}

#[test]
fn a_bound_on_the_values_either_side_is_kept() {
    // The entries a range starts and ends at: equal to a bound, a hair
    // inside and outside it, and -0.0 against 0.0 (one key each, one SQL value).
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let values = "(1, -0.0, 0), (2, 0.0, 0), (3, 5.0, 5), (4, 4.999999999, 4), (5, 5.000000001, 6), (6, '5', '5'),
                  (7, 1e300, 7), (8, NULL, NULL)";
    for table in ["t", "t0"] {
        conn.execute(&format!("INSERT INTO {table} (id, r, i) VALUES {values}"), ()).unwrap();
    }
    let ids = |q: &str| {
        let plan = answer(&conn, &format!("EXPLAIN {q}"), &[]).join(" ");
        assert!(plan.contains("COVERING INDEX"), "{q}: {plan}");
        answer(&conn, q, &[]).join(" ")
    };
    // (SQLite 3.40 answers the same: '5' in a REAL column is 5.0.)
    assert_eq!(ids("SELECT count(*) FROM t WHERE r >= 5 AND r < 5.000000001"), "[Integer(2)]");
    assert_eq!(ids("SELECT count(*) FROM t WHERE r > 5.0 AND r <= 5.000000001"), "[Integer(1)]");
    assert_eq!(ids("SELECT count(*) FROM t WHERE r > 4.999999999 AND r < 5.000000001"), "[Integer(2)]");
    assert_eq!(ids("SELECT count(*) FROM t WHERE r = 5"), "[Integer(2)]");
    assert_eq!(ids("SELECT count(*) FROM t WHERE r >= 0.0 AND r < 1"), "[Integer(2)]");
    assert_eq!(ids("SELECT count(*) FROM t WHERE r <= -0.0"), "[Integer(2)]");
    assert_eq!(ids("SELECT count(*) FROM t WHERE r > 1"), "[Integer(5)]");
    assert_eq!(ids("SELECT count(*) FROM t WHERE i >= 5 AND i < 6"), "[Integer(2)]"); // 5 and '5' made 5
    assert_eq!(ids("SELECT count(*) FROM t WHERE 5 <= i AND 6 > i"), "[Integer(2)]");
    // Two bounds on one side: whichever the range is read to, the other
    // term is answered only when the range is inside it.
    for (col, constants) in [("r", ["5", "5.0", "4.999999999"]), ("i", ["5", "5.0", "6"])] {
        for (a, b) in constants.iter().flat_map(|a| constants.iter().map(move |b| (a, b))) {
            for op1 in OPS {
                for op2 in OPS {
                    let q =
                        format!("SELECT count(*), min(id), max(id) FROM t WHERE {col} {op1} {a} AND {col} {op2} {b}");
                    let twin = q.replace(" FROM t ", " FROM t0 ");
                    assert_eq!(answer(&conn, &q, &[]), answer(&conn, &twin, &[]), "{q}");
                }
            }
        }
    }
}
