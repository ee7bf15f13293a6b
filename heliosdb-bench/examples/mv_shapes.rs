//! Incremental vs full refresh for the view shapes the scenarios use, in one
//! run: `cargo run --release -p heliosdb-bench --example mv_shapes [ROWS]`
//! (default 1,000,000 rows per table).
//!
//! * `orders` grouped by 50 regions with MIN/MAX (and COUNT/SUM/AVG);
//! * a sliding-window hourly rollup (S2: rows over 30 days, window 7 days,
//!   index on the time column; the clock advances 10 minutes per round);
//! * products ranked per category (S4: `RANK() OVER (PARTITION BY
//!   category …)`, 100 categories, index on (category, sales_count)).
//!
//! Each change is 1% of the table in one transaction: 60% updates, 20%
//! inserts, 20% deletes of random rows (for the ranking, also a change
//! confined to 3 categories). Reported: incremental refresh, full refresh,
//! the view's query run alone, and the ratios.
//!
//! `holders`: the `orders` view again, where each change also deletes the
//! 40 smallest and 40 largest amounts of 5 regions, so their MIN/MAX
//! reserves (32 values) run empty and the groups must be re-read: without
//! an index (a pass over the table), then with one on (region, amount).

use heliosdb_bench::Rng;
use heliosdb_core::storage::commit_log::set_clock_override;
use heliosdb_core::{Connection, Value};
use std::time::Instant;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn time(conn: &Connection, sql: &str) -> f64 {
    let t = Instant::now();
    conn.execute(sql, ()).unwrap_or_else(|e| panic!("{sql}: {e}"));
    ms(t)
}

fn query_ms(conn: &Connection, sql: &str) -> f64 {
    let t = Instant::now();
    let mut st = conn.prepare(sql).expect("prepare");
    let n = st.query_map((), |_| Ok(())).expect("query").count();
    assert!(n > 0);
    ms(t)
}

/// Best of three: (incremental after a change, full after a change of the same size, the query alone).
/// `MV_PROFILE=N` instead runs N changes, each followed by an incremental
/// refresh, and reports their mean (so a profiler sees mostly the refresh).
fn measure(conn: &Connection, view: &str, query: &str, change: &mut dyn FnMut(&Connection)) -> (f64, f64, f64) {
    let (mut inc, mut full, mut q) = (f64::MAX, f64::MAX, f64::MAX);
    if let Some(n) = std::env::var("MV_PROFILE").ok().and_then(|n| n.parse::<u32>().ok()) {
        let mut total = 0.0;
        for _ in 0..n {
            change(conn);
            total += time(conn, &format!("REFRESH MATERIALIZED VIEW {view} INCREMENTALLY"));
        }
        return (total / f64::from(n.max(1)), f64::NAN, f64::NAN);
    }
    for _ in 0..3 {
        change(conn);
        inc = inc.min(time(conn, &format!("REFRESH MATERIALIZED VIEW {view} INCREMENTALLY")));
        assert_eq!(conn.notice(), None, "{view}: incremental refresh fell back to full");
        change(conn);
        full = full.min(time(conn, &format!("REFRESH MATERIALIZED VIEW {view}")));
        q = q.min(query_ms(conn, query));
    }
    (inc, full, q)
}

fn report(name: &str, (inc, full, q): (f64, f64, f64)) {
    println!(
        "{name:<34} incremental {inc:>8.1} ms   full {full:>8.1} ms   query {q:>8.1} ms   \
         full/incremental {:>6.1}×   full/query {:.2}",
        full / inc,
        full / q
    );
}

/// A 1% mixed change of table `t` (ids 1..=rows, plus those inserted):
/// 60% updates, 20% inserts, 20% deletes; `update`, `insert` and `delete`
/// take the id as ?1 and a random number as ?2.
struct Mixed<'a> {
    rows: i64,
    next_id: i64,
    rng: Rng,
    update: &'a str,
    insert: &'a str,
    delete: &'a str,
}

impl Mixed<'_> {
    fn run(&mut self, conn: &Connection) {
        let tx = conn.transaction().expect("begin");
        for i in 0..self.rows / 100 {
            let r = self.rng.next_u64();
            let id = Value::Integer((r % self.rows as u64) as i64 + 1);
            let x = Value::Integer(((r >> 20) % 1_000_000) as i64);
            let res = match i % 10 {
                0..=5 => tx.execute(self.update, vec![id, x]),
                6 | 7 => {
                    self.next_id += 1;
                    tx.execute(self.insert, vec![Value::Integer(self.next_id), x])
                }
                _ => tx.execute(self.delete, vec![id]),
            };
            res.expect("change");
        }
        tx.commit().expect("commit");
    }
}

fn orders_min_max(rows: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let conn = Connection::open(dir.path()).expect("open");
    conn.execute_batch(heliosdb_bench::SCHEMA).expect("schema");
    heliosdb_bench::helios_insert(&conn, 0, rows);
    let query = "SELECT region, min(amount) AS lo, max(amount) AS hi, count(*) AS n, sum(amount) AS total, \
                 avg(amount) AS mean FROM orders GROUP BY region";
    conn.execute(&format!("CREATE MATERIALIZED VIEW extremes AS {query}"), ()).expect("create");
    let mut m = Mixed {
        rows,
        next_id: rows + 10,
        rng: Rng(7),
        update: "UPDATE orders SET amount = ?2 / 10.0 WHERE id = ?1",
        insert: "INSERT INTO orders VALUES (?1, 'region-' || (?2 % 50), ?2 / 10.0, 0)",
        delete: "DELETE FROM orders WHERE id = ?1",
    };
    report("orders MIN/MAX by region", measure(&conn, "extremes", query, &mut |c| m.run(c)));
}

/// MIN/MAX holders leaving: the groups' reserves run empty every change.
fn min_max_holders(rows: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let conn = Connection::open(dir.path()).expect("open");
    conn.execute_batch(heliosdb_bench::SCHEMA).expect("schema");
    heliosdb_bench::helios_insert(&conn, 0, rows);
    let query = "SELECT region, min(amount) AS lo, max(amount) AS hi, count(*) AS n FROM orders GROUP BY region";
    conn.execute(&format!("CREATE MATERIALIZED VIEW holders AS {query}"), ()).expect("create");
    let mut m = Mixed {
        rows,
        next_id: rows + 10,
        rng: Rng(29),
        update: "UPDATE orders SET amount = ?2 / 10.0 WHERE id = ?1",
        insert: "INSERT INTO orders VALUES (?1, 'region-' || (?2 % 50), ?2 / 10.0, 0)",
        delete: "DELETE FROM orders WHERE id = ?1",
    };
    let mut rng = Rng(31);
    for indexed in [false, true] {
        if indexed {
            conn.execute("CREATE INDEX orders_region_amount ON orders (region, amount)", ()).expect("index");
        }
        let (mut inc, mut full, mut q) = (f64::MAX, f64::MAX, f64::MAX);
        let mut notice = None;
        let mut change = |c: &Connection| {
            m.run(c);
            for _ in 0..5 {
                let region = Value::Text(format!("region-{}", rng.next_u64() % 50));
                for dir in ["", "DESC"] {
                    let sql = format!(
                        "DELETE FROM orders WHERE id IN \
                         (SELECT id FROM orders WHERE region = ?1 ORDER BY amount {dir} LIMIT 40)"
                    );
                    c.execute(&sql, vec![region.clone()]).expect("delete holders");
                }
            }
        };
        for _ in 0..3 {
            change(&conn);
            inc = inc.min(time(&conn, "REFRESH MATERIALIZED VIEW holders INCREMENTALLY"));
            notice = conn.notice();
            change(&conn);
            full = full.min(time(&conn, "REFRESH MATERIALIZED VIEW holders"));
            q = q.min(query_ms(&conn, query));
        }
        let name = if indexed { "holders leave, index (region, amount)" } else { "holders leave, no index" };
        report(name, (inc, full, q));
        println!("  notice: {}", notice.as_deref().unwrap_or("(none)"));
    }
}

const DAY: i64 = 86_400;

fn sliding_hourly(rows: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let conn = Connection::open(dir.path()).expect("open");
    let mut now = 1_800_000_000i64;
    set_clock_override(Some(now * 1_000_000));
    conn.execute_batch(
        "CREATE TABLE readings (id INTEGER PRIMARY KEY, device_id INTEGER, sensor TEXT, value REAL, ts INTEGER);
         CREATE INDEX readings_ts ON readings (ts);",
    )
    .expect("schema");
    let tx = conn.transaction().expect("begin");
    {
        let mut st = tx.prepare("INSERT INTO readings VALUES (?1, ?2, ?3, ?4, ?5)").expect("prepare");
        let mut rng = Rng(11);
        for i in 1..=rows {
            let r = rng.next_u64();
            let ts = now - 30 * DAY + (i * 30 * DAY / rows);
            let sensor = ["temp", "humidity", "co2"][(r % 3) as usize];
            st.execute(vec![
                Value::Integer(i),
                Value::Integer(((r >> 8) % 50) as i64),
                Value::Text(sensor.into()),
                Value::Real(((r >> 16) % 10_000) as f64 / 100.0),
                Value::Integer(ts),
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
    let query = "SELECT device_id, sensor, (ts / 3600) * 3600 AS hour, count(*) AS n, avg(value) AS mean, \
                 min(value) AS lo, max(value) AS hi, stddev(value) AS sd FROM readings \
                 WHERE ts > strftime('%s', 'now', '-7 days') GROUP BY device_id, sensor, (ts / 3600) * 3600";
    conn.execute(&format!("CREATE MATERIALIZED VIEW hourly AS {query}"), ()).expect("create");
    let mut rng = Rng(13);
    let mut next_id = rows + 1;
    // New readings arrive at the current time; 60% updates and 20% deletes hit random rows.
    let mut change = |c: &Connection| {
        now += 600;
        set_clock_override(Some(now * 1_000_000));
        let tx = c.transaction().expect("begin");
        for i in 0..rows / 100 {
            let r = rng.next_u64();
            let id = Value::Integer((r % rows as u64) as i64 + 1);
            let v = Value::Real(((r >> 16) % 10_000) as f64 / 100.0);
            match i % 10 {
                0..=5 => tx.execute("UPDATE readings SET value = ?2 WHERE id = ?1", vec![id, v]),
                6 | 7 => {
                    next_id += 1;
                    tx.execute(
                        "INSERT INTO readings VALUES (?1, ?2, 'temp', ?3, ?4)",
                        vec![Value::Integer(next_id), Value::Integer((r % 50) as i64), v, Value::Integer(now)],
                    )
                }
                _ => tx.execute("DELETE FROM readings WHERE id = ?1", vec![id]),
            }
            .expect("change");
        }
        tx.commit().expect("commit");
    };
    report("sliding 7-day hourly rollup (S2)", measure(&conn, "hourly", query, &mut change));
    set_clock_override(None);
}

fn ranked_products(rows: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let conn = Connection::open(dir.path()).expect("open");
    conn.execute_batch(
        "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, category INTEGER, price REAL, sales_count INTEGER);
         CREATE INDEX products_category ON products (category, sales_count);",
    )
    .expect("schema");
    let tx = conn.transaction().expect("begin");
    {
        let mut st = tx.prepare("INSERT INTO products VALUES (?1, ?2, ?3, ?4, ?5)").expect("prepare");
        let mut rng = Rng(17);
        for i in 1..=rows {
            let r = rng.next_u64();
            st.execute(vec![
                Value::Integer(i),
                Value::Text(format!("product-{i}")),
                Value::Integer((r % 100) as i64),
                Value::Real(((r >> 8) % 10_000) as f64 / 100.0),
                Value::Integer(((r >> 24) % 5000) as i64),
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
    let query = "SELECT id, category, sales_count, RANK() OVER (PARTITION BY category ORDER BY sales_count DESC) AS r \
                 FROM products WHERE sales_count > 0";
    conn.execute(&format!("CREATE MATERIALIZED VIEW ranked AS {query}"), ()).expect("create");
    let mut m = Mixed {
        rows,
        next_id: rows + 10,
        rng: Rng(19),
        update: "UPDATE products SET sales_count = sales_count + ?2 % 5 WHERE id = ?1",
        insert: "INSERT INTO products VALUES (?1, 'new', ?2 % 100, 9.99, ?2 % 5000)",
        delete: "DELETE FROM products WHERE id = ?1",
    };
    report("ranked products, 1% over 100 cats (S4)", measure(&conn, "ranked", query, &mut |c| m.run(c)));
    // The S4 endpoint: the top 10 of one category, from the view and from the query.
    let top = |from: &str| {
        let sql = format!("SELECT id, r FROM {from} WHERE category = ?1 AND r <= 10");
        let t = Instant::now();
        for cat in 0..20i64 {
            let mut st = conn.prepare(&sql).expect("prepare");
            assert!(st.query_map(vec![Value::Integer(cat)], |_| Ok(())).expect("query").count() >= 10);
        }
        ms(t) / 20.0
    };
    println!(
        "ranked products, top 10 of a category: from the view {:.2} ms, from the query {:.1} ms",
        top("ranked"),
        top(&format!("({query})"))
    );
    // The same volume confined to 3 categories (a flash sale): only those are recomputed.
    let mut m3 = Mixed {
        rows,
        next_id: rows * 2,
        rng: Rng(23),
        update: "UPDATE products SET sales_count = sales_count + ?2 % 2 WHERE id = ?1 AND category < 3",
        insert: "INSERT INTO products VALUES (?1, 'new', ?2 % 3, 9.99, ?2 % 5000)",
        delete: "DELETE FROM products WHERE id = ?1 AND category < 3",
    };
    report("ranked products, change in 3 cats", measure(&conn, "ranked", query, &mut |c| m3.run(c)));
}

fn main() {
    let rows: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    // MV_SHAPES=orders|holders|sliding|ranked runs one scenario (for profilers).
    let only = std::env::var("MV_SHAPES").unwrap_or_default();
    let run = |name: &str| only.is_empty() || only == name;
    println!("materialized view shapes, {rows} rows per table, 1% mixed changes (best of 3)");
    if run("orders") {
        orders_min_max(rows);
    }
    if run("holders") {
        min_max_holders(rows);
    }
    if run("sliding") {
        sliding_hourly(rows);
    }
    if run("ranked") {
        ranked_products(rows);
    }
}
