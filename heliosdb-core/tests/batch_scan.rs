//! Scans of the present run a page of rows at a time, decoding into row
//! buffers that are reused from row to row (`exec::batch`). They must
//! return what the row-at-a-time path returns. The reference is the same
//! query `AS OF SCN` the current commit, which reads through the versions
//! merge one row at a time, and, inside a transaction, a backwards scan
//! (never batched) and sums computed here.
//!
//! The data is made to catch a reused buffer leaking a value: rows written
//! before a column was added (shorter images) beside rows written after
//! it, text and blobs whose lengths change from row to row, NULLs, deleted
//! rows leaving holes in pages, key ranges that cut pages, a table keyed
//! by text (no pages). An interrupt stops a batch scan in both of its
//! paths.

mod common;
use common::{rows, Rng};
use heliosdb_core::{Connection, Value};

fn fill(conn: &Connection, rng: &mut Rng) {
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, s TEXT, b BLOB, x REAL);
         CREATE TABLE u (name TEXT PRIMARY KEY, k INTEGER, s TEXT);",
    )
    .unwrap();
    let text = |rng: &mut Rng| -> Value {
        match rng.below(5) {
            0 => Value::Null,
            n => Value::Text("abcdefghij".repeat(rng.below(4) + 2)[..n * 3 + rng.below(3)].to_string()),
        }
    };
    let tx = conn.transaction().unwrap();
    for id in 1..=700i64 {
        let k = if rng.chance(10) { Value::Null } else { Value::Integer(rng.below(40) as i64) };
        let b = if rng.chance(30) { Value::Null } else { Value::Blob(vec![id as u8; rng.below(20)]) };
        let x = Value::Real(rng.below(10_000) as f64 / 7.0);
        let s = text(rng);
        tx.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", (id, k.clone(), s.clone(), b, x)).unwrap();
        tx.execute("INSERT INTO u VALUES (?, ?, ?)", (format!("n{:04}", rng.below(100_000)), k, s)).ok();
    }
    tx.commit().unwrap();
    // Rows written from here on have one more field than those before.
    conn.execute_batch("ALTER TABLE t ADD COLUMN c TEXT").unwrap();
    for id in (1..=700i64).filter(|id| id % 3 == 0) {
        let c = text(rng);
        conn.execute("UPDATE t SET c = ? WHERE id = ?", (c, id)).unwrap();
    }
    conn.execute_batch(
        "DELETE FROM t WHERE id % 7 = 0 OR id BETWEEN 200 AND 270;
         INSERT INTO t (id, k, s, c) VALUES (5000, 1, 'late', 'c'), (5001, NULL, NULL, NULL);",
    )
    .unwrap();
}

const QUERIES: &[&str] = &[
    "SELECT * FROM t",
    "SELECT id, c, s FROM t WHERE k > 20",
    "SELECT id, c FROM t WHERE id BETWEEN 30 AND 640",
    "SELECT id, b FROM t WHERE id > 63 AND id < 129",
    "SELECT * FROM t WHERE id IN (1, 64, 65, 699, 5000, 9999)",
    "SELECT * FROM t WHERE id = 76",
    "SELECT s, count(*), sum(k), min(x), max(b), group_concat(c) FROM t GROUP BY s",
    "SELECT c, count(*), max(s) FROM t GROUP BY c",
    "SELECT k % 5, count(*), total(x) FROM t WHERE s IS NOT NULL GROUP BY 1",
    "SELECT count(*), sum(x), avg(k), min(s), max(c) FROM t WHERE s LIKE 'a%'",
    "SELECT count(*) FROM t WHERE id >= 640",
    "SELECT * FROM t ORDER BY x DESC LIMIT 7",
    "SELECT s, c FROM t WHERE k < 10 ORDER BY s, id LIMIT 25 OFFSET 3",
    "SELECT DISTINCT s FROM t",
    "SELECT * FROM u",
    "SELECT s, count(*), sum(k) FROM u WHERE name > 'n05' GROUP BY s",
    "SELECT * FROM u ORDER BY k DESC, name LIMIT 9",
];

/// `sql` reading every table `AS OF SCN scn`.
fn as_of(sql: &str, scn: u64) -> String {
    sql.replace("FROM t", &format!("FROM t AS OF SCN {scn}")).replace("FROM u", &format!("FROM u AS OF SCN {scn}"))
}

#[test]
fn batch_scans_return_what_row_at_a_time_reads_return() {
    let conn = Connection::open_in_memory().unwrap();
    fill(&conn, &mut Rng(0x0ba7_c4e5));
    let scn = conn.current_scn();
    for sql in QUERIES {
        let got = rows(&conn, sql);
        let want = rows(&conn, &as_of(sql, scn));
        assert!(!want.is_empty(), "{sql}");
        assert_eq!(got, want, "{sql}");
    }
    // The columns added later read NULL in the rows written before.
    let c_of = |id: i64| rows(&conn, &format!("SELECT c FROM t WHERE id = {id}"))[0][0].clone();
    assert_eq!(c_of(1), Value::Null);
    assert_eq!(c_of(5000), Value::Text("c".into()));
}

#[test]
fn a_transaction_sees_its_own_writes_in_batch_scans() {
    let conn = Connection::open_in_memory().unwrap();
    fill(&conn, &mut Rng(0x0dd_ba7c));
    let tx = conn.transaction().unwrap();
    tx.execute_batch(
        "INSERT INTO t (id, k, s) VALUES (100000, 7, 'own'), (700, 7, 'own');
         UPDATE t SET s = 'moved', k = 39 WHERE id BETWEEN 60 AND 70;
         DELETE FROM t WHERE id BETWEEN 400 AND 450;",
    )
    .unwrap();
    let forward = rows(&tx, "SELECT id, k, s FROM t");
    let mut backward = rows(&tx, "SELECT id, k, s FROM t ORDER BY id DESC");
    backward.reverse();
    assert_eq!(forward, backward);
    assert!(forward.iter().any(|r| r[0] == Value::Integer(100000)));
    assert!(!forward.iter().any(|r| r[0] == Value::Integer(420)));
    let int = |v: &Value| if let Value::Integer(i) = v { *i } else { 0 };
    let moved = forward.iter().filter(|r| r[2] == Value::Text("moved".into())).count();
    let k_sum: i64 = forward.iter().map(|r| int(&r[1])).sum();
    let got = rows(&tx, "SELECT count(*), sum(k) FROM t WHERE s = 'moved'");
    assert_eq!(got[0][0], Value::Integer(moved as i64));
    assert_eq!(rows(&tx, "SELECT sum(k) FROM t")[0][0], Value::Integer(k_sum));
    tx.rollback().unwrap();
    assert!(rows(&conn, "SELECT * FROM t WHERE s = 'moved'").is_empty());
}

/// A database with `t (id INTEGER PRIMARY KEY, v)` holding `v = id` for 1..=n.
fn series(n: u32) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v);
         INSERT INTO t SELECT value, value FROM generate_series(1, {n});"
    ))
    .unwrap();
    conn
}

#[test]
fn a_limit_stops_before_rows_its_where_would_fail_on() {
    let conn = series(200);
    // abs() overflows for id = 50 only; the page holding it is decoded
    // with row 1, but its WHERE is evaluated only for the rows handed out.
    let failing = "abs(id - 9223372036854775807 - 51) > 0";
    assert_eq!(rows(&conn, &format!("SELECT id FROM t WHERE {failing} LIMIT 1")), vec![vec![Value::Integer(1)]]);
    let err = conn.query_row(&format!("SELECT count(*) FROM t WHERE {failing}"), (), |_| Ok(())).unwrap_err();
    assert!(err.to_string().contains("integer overflow"), "{err}");
    // The statement after the failed one scans normally.
    assert_eq!(rows(&conn, "SELECT count(*) FROM t WHERE id > 100"), vec![vec![Value::Integer(100)]]);
}

#[test]
fn an_interrupt_stops_a_batch_scan() {
    use heliosdb_core::Error;
    use std::time::{Duration, Instant};
    let conn = series(200_000);
    // Far slower per row than the interrupt takes to arrive: folded in
    // place (an aggregate) and handed out as owned rows (a sort).
    let slow = "length(replace(printf('%.4000d', v), '0', 'ab'))";
    for sql in [format!("SELECT sum({slow}) FROM t WHERE v > 0"), format!("SELECT {slow} AS n FROM t ORDER BY n")] {
        let handle = conn.interrupt_handle();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            handle.interrupt();
        });
        let started = Instant::now();
        let mut st = conn.prepare(&sql).unwrap();
        let e = st.query(()).and_then(|mut rows| rows.next().map(|_| ())).unwrap_err();
        stopper.join().unwrap();
        assert!(matches!(e, Error::Interrupt(_)), "{sql}: {e:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{sql}: {:?}", started.elapsed());
    }
    assert_eq!(rows(&conn, "SELECT count(*) FROM t"), vec![vec![Value::Integer(200000)]]);
}
