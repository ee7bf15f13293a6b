//! The SQL applications bring, side by side with SQLite in one run: the
//! "latest reading per sensor" UPSERT, savepoints around small writes,
//! JSON payload extraction, TIMESTAMP columns with a range query, and
//! catalog introspection.
//!
//! `cargo run --release -p heliosdb-bench --example app_sql [ROWS]` (default 200,000).

use heliosdb_core::params;
use std::time::Instant;

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64() * 1000.0)
}

fn report(label: &str, h: f64, s: f64) {
    println!("| {label} | {h:.1} | {s:.1} | {:.2} |", h / s);
}

fn main() {
    let rows: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let hdir = tempfile::tempdir().expect("temp dir");
    let sdir = tempfile::tempdir().expect("temp dir");
    let h = heliosdb_core::Connection::open(hdir.path()).expect("open");
    let mut s = rusqlite::Connection::open(sdir.path().join("bench.db")).expect("open");
    s.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536").expect("pragmas");
    let schema = "CREATE TABLE latest (sensor INTEGER PRIMARY KEY, v REAL, ts INTEGER, n INTEGER DEFAULT 1);
                  CREATE TABLE readings (id INTEGER PRIMARY KEY, payload TEXT, at TIMESTAMP);
                  CREATE INDEX readings_at ON readings (at)";
    h.execute_batch(schema).expect("schema");
    s.execute_batch(schema).expect("schema");
    println!("rows = {rows}\n\n| workload | HeliosDB ms | SQLite ms | ratio |\n|---|---:|---:|---:|");

    // 1. UPSERT: `rows` readings from 1,000 sensors into their latest row, one transaction.
    let upsert = "INSERT INTO latest (sensor, v, ts) VALUES (?1, ?2, ?3)
                  ON CONFLICT (sensor) DO UPDATE SET v = excluded.v, ts = excluded.ts, n = n + 1";
    let reading = |i: i64| (i * 7919 % 1000, (i % 997) as f64 / 10.0, 1_767_225_600 + i);
    let (_, th) = time(|| {
        let tx = h.transaction().expect("begin");
        {
            let mut st = tx.prepare(upsert).expect("prepare");
            for i in 0..rows {
                let (a, b, c) = reading(i);
                st.execute(params![a, b, c]).expect("upsert");
            }
        }
        tx.commit().expect("commit");
    });
    let (_, ts) = time(|| {
        let tx = s.transaction().expect("begin");
        {
            let mut st = tx.prepare(upsert).expect("prepare");
            for i in 0..rows {
                let (a, b, c) = reading(i);
                st.execute(rusqlite::params![a, b, c]).expect("upsert");
            }
        }
        tx.commit().expect("commit");
    });
    let hn: i64 = h.query_row("SELECT sum(n) FROM latest", (), |r| r.get(0)).expect("sum");
    let sn: i64 = s.query_row("SELECT sum(n) FROM latest", [], |r| r.get(0)).expect("sum");
    assert_eq!((hn, sn), (rows, rows), "every reading counted once");
    report(&format!("UPSERT {rows} readings into 1,000 sensors (one transaction)"), th, ts);

    // 2. Savepoints: 10,000 × (SAVEPOINT; UPSERT; RELEASE), every 10th rolled back.
    let sp = 10_000;
    let step = |i: i64| -> [String; 3] {
        let end = if i % 10 == 0 { "ROLLBACK TO s; RELEASE s" } else { "RELEASE s" };
        ["SAVEPOINT s".into(), format!("UPDATE latest SET n = n + 1 WHERE sensor = {}", i % 1000), end.into()]
    };
    let (_, th) = time(|| {
        h.execute_batch("BEGIN").expect("begin");
        for i in 0..sp {
            for stmt in step(i) {
                h.execute_batch(&stmt).expect("savepoint step");
            }
        }
        h.execute_batch("COMMIT").expect("commit");
    });
    let (_, ts) = time(|| {
        s.execute_batch("BEGIN").expect("begin");
        for i in 0..sp {
            for stmt in step(i) {
                s.execute_batch(&stmt).expect("savepoint step");
            }
        }
        s.execute_batch("COMMIT").expect("commit");
    });
    let hn: i64 = h.query_row("SELECT sum(n) FROM latest", (), |r| r.get(0)).expect("sum");
    let sn: i64 = s.query_row("SELECT sum(n) FROM latest", [], |r| r.get(0)).expect("sum");
    assert_eq!(hn, sn, "the same updates survived");
    report("10,000 × SAVEPOINT / UPDATE / RELEASE (10% ROLLBACK TO), one transaction", th, ts);

    // 3. JSON payloads and TIMESTAMP values: load, then extract and range-query.
    let insert = "INSERT INTO readings (payload, at) VALUES (?1, ?2)";
    let payload =
        |i: i64| format!(r#"{{"device":"dev-{}","temp":{}.5,"tags":["a","b"],"ok":{}}}"#, i % 50, i % 40, i % 2 == 0);
    let at = |i: i64| format!("2026-01-{:02} {:02}:{:02}:00", 1 + i % 28, i % 24, i % 60);
    let (_, th) = time(|| {
        let tx = h.transaction().expect("begin");
        {
            let mut st = tx.prepare(insert).expect("prepare");
            for i in 0..rows {
                st.execute(params![payload(i), at(i)]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    });
    let (_, ts) = time(|| {
        let tx = s.transaction().expect("begin");
        {
            let mut st = tx.prepare(insert).expect("prepare");
            for i in 0..rows {
                st.execute(rusqlite::params![payload(i), at(i)]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    });
    report(&format!("insert {rows} JSON payloads with a TIMESTAMP (indexed)"), th, ts);

    let q = "SELECT payload ->> '$.device', count(*), avg(json_extract(payload, '$.temp')) FROM readings
             WHERE json_extract(payload, '$.ok') GROUP BY 1 ORDER BY 1 LIMIT 3";
    let (hr, th) = time(|| h.prepare(q).expect("prepare").query_map((), |r| r.get::<_, f64>(2)).expect("q").count());
    let (sr, ts) = time(|| s.prepare(q).expect("prepare").query_map([], |r| r.get::<_, f64>(2)).expect("q").count());
    assert_eq!(hr, sr);
    report(&format!("GROUP BY payload ->> '$.device' over {rows} JSON rows (json_extract filter, avg)"), th, ts);

    let q = "SELECT count(*) FROM readings WHERE at >= '2026-01-10 00:00:00' AND at < '2026-01-11 00:00:00'";
    let (hc, th) = time(|| (0..100).map(|_| h.query_row(q, (), |r| r.get::<_, i64>(0)).expect("q")).sum::<i64>());
    let (sc, ts) = time(|| (0..100).map(|_| s.query_row(q, [], |r| r.get::<_, i64>(0)).expect("q")).sum::<i64>());
    assert_eq!(hc, sc, "engines disagree on the TIMESTAMP range");
    report("100 × one-day TIMESTAMP range count (index)", th, ts);

    // 4. Introspection: what an ORM does at startup.
    let q = "SELECT name, type, pk FROM pragma_table_info('readings')";
    let (_, th) = time(|| {
        (0..10_000)
            .map(|_| h.prepare(q).expect("p").query_map((), |r| r.get::<_, String>(0)).expect("q").count())
            .sum::<usize>()
    });
    let (_, ts) = time(|| {
        (0..10_000)
            .map(|_| s.prepare(q).expect("p").query_map([], |r| r.get::<_, String>(0)).expect("q").count())
            .sum::<usize>()
    });
    report("10,000 × pragma_table_info (prepare and read)", th, ts);
}
