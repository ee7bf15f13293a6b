//! `last_insert_rowid()`, `changes()` and `total_changes()` in SQL answer
//! what the connection's own methods answer when each run of a statement
//! begins, also from a prepared statement run again and again (nothing is
//! kept from the run that planned it), and in a transaction; `random()` and
//! `randomblob()` give a new value every run and every row.

use heliosdb_core::{Connection, Value};

fn counters(st: &mut heliosdb_core::Statement) -> (i64, i64, i64) {
    st.query_row((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap()
}

#[test]
fn a_reused_statement_sees_the_connection_counters_of_each_run() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").unwrap();
    let mut read = conn.prepare("SELECT last_insert_rowid(), changes(), total_changes()").unwrap();
    assert_eq!(counters(&mut read), (0, 0, 0));
    let mut insert = conn.prepare("INSERT INTO t (v) VALUES (?1)").unwrap();
    let mut total = 0;
    for i in 1..=20i64 {
        insert.execute([Value::Text(format!("v{i}"))]).unwrap();
        total += 1;
        let api = (conn.last_insert_rowid(), conn.changes() as i64, conn.total_changes() as i64);
        assert_eq!(counters(&mut read), api);
        assert_eq!(api, (i, 1, total));
    }
    let updated = conn.execute("UPDATE t SET v = v || '!' WHERE id % 3 = 0", ()).unwrap() as i64;
    assert_eq!(counters(&mut read), (20, updated, total + updated));
    // Inside a transaction, and as a value an INSERT stores.
    conn.execute_batch("BEGIN; INSERT INTO t VALUES (100, 'x')").unwrap();
    conn.execute("INSERT INTO t (v) SELECT 'parent ' || last_insert_rowid()", ()).unwrap();
    conn.execute_batch("COMMIT").unwrap();
    let v: String = conn.query_row("SELECT v FROM t WHERE id = 101", (), |r| r.get(0)).unwrap();
    assert_eq!(v, "parent 100");
}

#[test]
fn random_values_differ_between_runs_and_rows() {
    let conn = Connection::open_in_memory().unwrap();
    let mut st = conn.prepare("SELECT random(), hex(randomblob(8))").unwrap();
    let runs: Vec<(i64, String)> = (0..20).map(|_| st.query_row((), |r| Ok((r.get(0)?, r.get(1)?))).unwrap()).collect();
    let ints: std::collections::HashSet<_> = runs.iter().map(|r| r.0).collect();
    let blobs: std::collections::HashSet<_> = runs.iter().map(|r| r.1.clone()).collect();
    assert_eq!((ints.len(), blobs.len()), (20, 20), "{runs:?}");
    let distinct: i64 =
        conn.query_row("SELECT count(DISTINCT randomblob(4)) FROM generate_series(1, 200)", (), |r| r.get(0)).unwrap();
    assert!(distinct > 190, "{distinct} distinct of 200");
}
