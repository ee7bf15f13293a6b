//! Materialized-view costs, side by side in one run:
//! `cargo run --release -p heliosdb-bench --example mv [ROWS]` (default 1,000,000).
//!
//! On the `orders` table with the `sales_summary` view (GROUP BY region with
//! COUNT/SUM/AVG/MAX):
//! * incremental refresh after a 1% change (inserts, updates, deletes) vs a
//!   full refresh after a change of the same size;
//! * `SELECT * FROM sales_summary` vs running its query;
//! * `pg_mv_staleness()` latency;
//! * write throughput on the base table with and without a dependent view.

use heliosdb_bench::{helios_insert, helios_with_rows, Rng};
use heliosdb_core::{Connection, Value};
use std::time::Instant;

const VIEW: &str = "SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS avg_order, \
                    max(amount) AS biggest FROM orders GROUP BY region";

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// A 1% change: 40% inserts, 30% updates, 30% deletes, in one transaction.
fn change(conn: &Connection, rows: i64, next_id: &mut i64, rng: &mut Rng) {
    let n = rows / 100;
    let tx = conn.transaction().expect("begin");
    for i in 0..n {
        let id = Value::Integer((rng.next_u64() % rows as u64) as i64 + 1);
        match i % 10 {
            0..=3 => {
                *next_id += 1;
                tx.execute(
                    "INSERT INTO orders VALUES (?1, 'region-07', ?2, 0)",
                    vec![Value::Integer(*next_id), Value::Real((i % 997) as f64)],
                )
                .expect("insert");
            }
            4..=6 => {
                tx.execute("UPDATE orders SET amount = amount + 1 WHERE id = ?1", vec![id]).expect("update");
            }
            _ => {
                tx.execute("DELETE FROM orders WHERE id = ?1", vec![id]).expect("delete");
            }
        }
    }
    tx.commit().expect("commit");
}

fn main() {
    let rows: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("materialized views, orders with {rows} rows");
    let (conn, _dir) = helios_with_rows(rows);
    conn.execute(&format!("CREATE MATERIALIZED VIEW sales_summary AS {VIEW}"), ()).expect("create");
    let mut rng = Rng(99);
    let mut next_id = rows + 10;

    change(&conn, rows, &mut next_id, &mut rng);
    let t = Instant::now();
    conn.execute("REFRESH MATERIALIZED VIEW sales_summary INCREMENTALLY", ()).expect("refresh");
    let incremental = ms(t);
    change(&conn, rows, &mut next_id, &mut rng);
    let t = Instant::now();
    conn.execute("REFRESH MATERIALIZED VIEW sales_summary", ()).expect("refresh");
    let full = ms(t);
    println!(
        "refresh after a 1% change: incremental {incremental:.1} ms vs full {full:.1} ms   {:.1}× faster (target ≥ 20×, aim 100×)",
        full / incremental
    );

    let count =
        |sql: &str| conn.prepare(sql).expect("prepare").query_map((), |r| r.get::<_, i64>(1)).expect("q").count();
    let t = Instant::now();
    let reps = 1000;
    for _ in 0..reps {
        count("SELECT * FROM sales_summary");
    }
    let view = ms(t) / reps as f64;
    let t = Instant::now();
    let (a, b) = (count(VIEW), count("SELECT * FROM sales_summary"));
    assert_eq!(a, b, "view and query disagree on the number of groups");
    let query = ms(t);
    println!(
        "SELECT * FROM sales_summary {view:.3} ms vs its query {query:.1} ms   {:.0}× faster (target ≥ 100×)",
        query / view
    );

    let t = Instant::now();
    let reps = 10_000;
    for _ in 0..reps {
        conn.query_row("SELECT pending_changes FROM pg_mv_staleness()", (), |r| r.get::<_, i64>(0)).expect("q");
    }
    let us = ms(t) * 1000.0 / reps as f64;
    println!("pg_mv_staleness() {us:.1} µs per query, SQL included (target < 100 µs)");

    // Writes with and without a dependent view (fresh tables of 100,000 rows, best of 3).
    let mut with = f64::MAX;
    let mut without = f64::MAX;
    for pass in 0..3 {
        for has_view in if pass % 2 == 0 { [true, false] } else { [false, true] } {
            let (c, _d) = helios_with_rows(1000);
            if has_view {
                c.execute(&format!("CREATE MATERIALIZED VIEW s AS {VIEW}"), ()).expect("create");
            }
            let t = Instant::now();
            helios_insert(&c, 2000, 100_000);
            c.execute("UPDATE orders SET amount = amount + 1 WHERE id % 10 = 0", ()).expect("update");
            let e = ms(t);
            if has_view {
                with = with.min(e);
            } else {
                without = without.min(e);
            }
        }
    }
    println!(
        "100,000 inserts + 10,100 updates: with a view {with:.1} ms vs without {without:.1} ms   ratio {:.2} (target ≤ 1.3)",
        with / without
    );
}
