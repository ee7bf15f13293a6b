//! Differential test of untyped columns and columns of a type name the
//! engine does not know, against SQLite 3.40: an untyped column stores values
//! as given (BLOB affinity), an unknown name (`UUID`) and bare `NUMERIC` have
//! NUMERIC affinity. A mix of integers, reals, numeric text, plain text and
//! blobs is stored in each; what is stored (`typeof`, `quote`), comparisons
//! with literals and with typed columns, ORDER BY, the same through an index,
//! and `CAST` to an unknown name must agree with SQLite.
//!
//! Left out: DATE/TIME/TIMESTAMP columns (SQLite gives them NUMERIC affinity
//! and stores what it is given; HeliosDB normalises them, see README), and
//! booleans (SQLite has none).

mod common;
use common::{helios_rows, results_agree, sqlite_rows};

/// The values stored, each in every column under test.
const VALUES: &[&str] = &[
    "3",
    "3.0",
    "1.5",
    "-7",
    "1e20",
    "'3'",
    "'3.0'",
    "' 12 '",
    "'3.0e+5'",
    "'-0'",
    "'1.'",
    "'0x10'",
    "'9223372036854775808'",
    "'1e400'",
    "'abc'",
    "'b'",
    "'B'",
    "''",
    "'10'",
    "'9'",
    "x'3132'",
    "x''",
    "NULL",
];

/// Literals the columns are compared with.
const LITERALS: &[&str] =
    &["3", "'3'", "3.0", "'3.0'", "10", "'10'", "'9'", "1.5", "'abc'", "'b'", "x'3132'", "''", "300000"];

/// The columns under test.
const COLUMNS: &[&str] = &["x", "y", "z"];

fn setup() -> Vec<String> {
    let mut sql = vec!["CREATE TABLE u (id INTEGER PRIMARY KEY, x, y UUID, z NUMERIC, t TEXT, n INTEGER)".to_string()];
    let texts = ["'3'", "'abc'", "'10'", "'b'", "' 12 '", "'1.5'"];
    for (i, v) in VALUES.iter().enumerate() {
        let t = texts[i % texts.len()];
        let n = (i as i64 % 5) * 3 - 3;
        sql.push(format!("INSERT INTO u VALUES ({i}, {v}, {v}, {v}, {t}, {n})"));
    }
    sql
}

fn queries() -> Vec<(String, bool)> {
    let mut q = vec![(
        "SELECT id, typeof(x), quote(x), typeof(y), quote(y), typeof(z), quote(z) FROM u ORDER BY id".to_string(),
        true,
    )];
    for c in COLUMNS {
        for l in LITERALS {
            for op in ["=", "<", ">=", "<>"] {
                q.push((format!("SELECT id FROM u WHERE {c} {op} {l} ORDER BY id"), true));
            }
            q.push((format!("SELECT id FROM u WHERE {c} IN ({l}, 'zz') ORDER BY id"), true));
        }
        q.push((format!("SELECT id, quote({c}) FROM u ORDER BY {c}, id"), true));
        q.push((format!("SELECT id, quote({c}) FROM u ORDER BY {c} DESC, id"), true));
        q.push((format!("SELECT id FROM u WHERE {c} BETWEEN 2 AND '9' ORDER BY id"), true));
        // Column against column: the pair's affinity decides.
        for other in ["t", "n", "x", "y", "z"] {
            q.push((format!("SELECT id FROM u WHERE {c} = {other} ORDER BY id"), true));
            q.push((format!("SELECT id FROM u WHERE {c} < {other} ORDER BY id"), true));
        }
        q.push((format!("SELECT quote({c}), count(*) FROM u GROUP BY {c}"), false));
        q.push((format!("SELECT typeof({c} + 0), quote({c} || '') FROM u ORDER BY id"), true));
    }
    for v in VALUES {
        q.push((format!("SELECT typeof(CAST({v} AS UUID)), quote(CAST({v} AS UUID))"), true));
    }
    q
}

fn run_all(h: &heliosdb_core::Connection, s: &rusqlite::Connection, phase: &str) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let qs = queries();
    for (sql, ordered) in &qs {
        match (helios_rows(h, sql), sqlite_rows(s, sql)) {
            (Ok(a), Ok(b)) if results_agree(a.clone(), b.clone(), *ordered) => {}
            (a, b) => failures.push(format!("[{phase}] {sql}\n  heliosdb: {a:?}\n  sqlite:   {b:?}")),
        }
    }
    (qs.len(), failures)
}

#[test]
fn untyped_and_unknown_type_columns_agree_with_sqlite() {
    let h = heliosdb_core::Connection::open_in_memory().unwrap();
    let s = rusqlite::Connection::open_in_memory().unwrap();
    for stmt in setup() {
        h.execute(&stmt, ()).unwrap_or_else(|e| panic!("heliosdb: {stmt}: {e}"));
        s.execute(&stmt, []).unwrap_or_else(|e| panic!("sqlite: {stmt}: {e}"));
    }
    let (n, mut failures) = run_all(&h, &s, "scan");
    // The same through indexes on the columns under test.
    for c in COLUMNS {
        let stmt = format!("CREATE INDEX u_{c} ON u ({c})");
        h.execute(&stmt, ()).unwrap();
        s.execute(&stmt, []).unwrap();
    }
    let (m, more) = run_all(&h, &s, "index");
    failures.extend(more);
    assert!(failures.is_empty(), "{} of {} queries disagree:\n{}", failures.len(), n + m, failures.join("\n"));
    eprintln!("{} queries agree", n + m);
}
