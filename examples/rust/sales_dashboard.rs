//! Scenario S1 (../shared/SCENARIOS.md): a sales dashboard on a small board.
//!
//! Orders stream into `orders`; the dashboard reads `sales_summary`, a
//! materialized view grouped by region (order count, revenue, average and
//! biggest order), maintained incrementally and refreshed in the background
//! when stale and the CPU is quiet. Beside it, the view's row of
//! `pg_mv_staleness()`.
//!
//! Run: `cargo run --release -p heliosdb-lite --example sales_dashboard`
//! (its output is checked against `sales_dashboard.expected` by scripts/test.sh).

use heliosdb_lite::{Connection, Result, Value};

const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
const PRODUCTS: [&str; 3] = ["widget", "gadget", "gizmo"];

/// A deterministic stream of orders (no clock, no randomness).
fn insert_orders(conn: &Connection, from: i64, n: i64) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "INSERT INTO orders (id, customer_id, region, product, amount, ordered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for i in from..from + n {
            let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
            let amount = format!("{}.{:02}", 5 + h % 495, h % 100);
            st.execute(vec![
                Value::Integer(i),
                Value::Integer((h % 1000) as i64),
                Value::Text(REGIONS[(h % 4) as usize].into()),
                Value::Text(PRODUCTS[(h / 4 % 3) as usize].into()),
                Value::Text(amount),
                Value::Integer(1_735_689_600 + i * 17),
            ])?;
        }
    }
    tx.commit()
}

fn dashboard(conn: &Connection, title: &str) -> Result<()> {
    println!("== {title}");
    let mut st =
        conn.prepare("SELECT region, orders, revenue, avg_order, biggest FROM sales_summary ORDER BY revenue DESC")?;
    for row in st.query_map((), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, heliosdb_lite::Decimal>(2)?,
            r.get::<_, heliosdb_lite::Decimal>(3)?,
            r.get::<_, heliosdb_lite::Decimal>(4)?,
        ))
    })? {
        let (region, orders, revenue, avg, max) = row?;
        println!("{region:<6} {orders:>5} orders  revenue {revenue:>12}  avg {:>8}  max {max:>8}", avg.round_dp(2));
    }
    let (pending, status, strategy): (i64, String, String) = conn.query_row(
        "SELECT pending_changes, status, refresh_strategy FROM pg_mv_staleness() WHERE view_name = 'sales_summary'",
        (),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    println!("sales_summary: {status}, {pending} pending changes, {strategy} refresh\n");
    Ok(())
}

fn main() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| heliosdb_lite::Error::Io(e.to_string()))?;
    let conn = Connection::open(dir.path())?;
    conn.execute_batch(
        "CREATE TABLE orders (
             id INTEGER PRIMARY KEY,
             customer_id INTEGER NOT NULL,
             region TEXT NOT NULL,
             product TEXT NOT NULL,
             amount DECIMAL(10,2) NOT NULL,
             ordered_at INTEGER NOT NULL);
         CREATE INDEX orders_region_time ON orders (region, ordered_at);",
    )?;
    insert_orders(&conn, 1, 20_000)?;

    conn.execute(
        "CREATE MATERIALIZED VIEW sales_summary AS
         SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS avg_order, max(amount) AS biggest
         FROM orders GROUP BY region",
        (),
    )?;
    println!("{}", conn.notice().unwrap_or_default());
    conn.execute(
        "ALTER MATERIALIZED VIEW sales_summary SET (auto_refresh = true, staleness_threshold_sec = 300, cpu_threshold = 0.5)",
        (),
    )?;
    let first_refresh: i64 = conn.query_row("SELECT heliosdb_current_scn()", (), |r| r.get(0))?;
    dashboard(&conn, "dashboard after the first refresh")?;

    // The day goes on: new orders, a correction, a cancellation.
    insert_orders(&conn, 20_001, 500)?;
    conn.execute("UPDATE orders SET amount = amount * 2 WHERE id % 1000 = 7", ())?;
    conn.execute("DELETE FROM orders WHERE id % 997 = 0", ())?;
    dashboard(&conn, "the view before its refresh (the dashboard still answers from it)")?;

    conn.execute("REFRESH MATERIALIZED VIEW sales_summary INCREMENTALLY", ())?;
    dashboard(&conn, "after REFRESH MATERIALIZED VIEW sales_summary INCREMENTALLY")?;

    // The view is a table under time travel: the dashboard as it was.
    let north: heliosdb_lite::Decimal = conn.query_row(
        "SELECT revenue FROM sales_summary AS OF SCN ?1 WHERE region = 'north'",
        [Value::Integer(first_refresh)],
        |r| r.get(0),
    )?;
    println!("north revenue as the first refresh showed it: {north}");
    let check: heliosdb_lite::Decimal =
        conn.query_row("SELECT sum(amount) FROM orders WHERE region = 'north'", (), |r| r.get(0))?;
    println!("north revenue from the orders themselves:     {check}");
    Ok(())
}
