//! Scenario S5 (../shared/SCENARIOS.md): an energy monitor in a building.
//!
//! Sensors report power every 10 s into `energy_readings`. Two materialized
//! views feed the display:
//! * `floor_power`: per floor and 5-minute bucket, average / peak / minimum
//!   power and sample count over the last 24 hours;
//! * `anomalies`: readings of the last hour whose deviation from that hour's
//!   average exceeds 500 W (a CROSS JOIN with a one-row subquery).
//!
//! Inside a view, `now` is the commit time of the state it reflects.
//! `floor_power` is a sliding window (`ts > now − 1 day`): it is maintained
//! incrementally — new readings enter through the change log, old ones leave
//! through the index on `ts`. Every row of `anomalies` depends on the hour's
//! average, so any new reading recomputes it, and CREATE says so.
//!
//! Run: `cargo run --release -p heliosdb-lite --example energy_monitor`
//! (its output is checked against `energy_monitor.expected` by scripts/test.sh;
//! readings are placed relative to the clock, so only clock-independent
//! figures are printed).

use heliosdb_lite::{Connection, Result, Value};

const SENSORS: i64 = 200;
const FLOORS: i64 = 5;

fn main() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| heliosdb_lite::Error::Io(e.to_string()))?;
    let conn = Connection::open(dir.path())?;
    conn.execute_batch(
        "CREATE TABLE energy_readings (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             sensor_id INTEGER NOT NULL,
             floor INTEGER NOT NULL,
             watts REAL NOT NULL,
             ts INTEGER NOT NULL);
         CREATE INDEX readings_ts ON energy_readings (ts);",
    )?;
    // The last 50 minutes: every sensor every 10 s (60,000 readings). A few
    // sensors spike to 3,000 W in one reading.
    let now: i64 = conn.query_row("SELECT unixepoch('now')", (), |r| r.get(0))?;
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare("INSERT INTO energy_readings (sensor_id, floor, watts, ts) VALUES (?1, ?2, ?3, ?4)")?;
        for step in 0..300i64 {
            for sensor in 0..SENSORS {
                let spike = sensor % 50 == 7 && step == 120;
                let watts = if spike { 3000.0 } else { 400.0 + ((sensor * 37 + step * 11) % 200) as f64 };
                let ts = now - 3000 + step * 10;
                st.execute(vec![
                    Value::Integer(sensor),
                    Value::Integer(sensor % FLOORS),
                    Value::Real(watts),
                    Value::Integer(ts),
                ])?;
            }
        }
    }
    tx.commit()?;

    conn.execute(
        "CREATE MATERIALIZED VIEW floor_power AS
         SELECT floor, (ts / 300) * 300 AS bucket, avg(watts) AS avg_watts, max(watts) AS peak_watts,
                min(watts) AS min_watts, count(*) AS samples
         FROM energy_readings
         WHERE ts > CAST(strftime('%s', 'now', '-1 day') AS INTEGER)
         GROUP BY floor, (ts / 300) * 300",
        (),
    )?;
    println!("{}", conn.notice().unwrap_or_default());
    conn.execute(
        "CREATE MATERIALIZED VIEW anomalies AS
         SELECT r.sensor_id, r.floor, r.watts, r.watts - h.avg_watts AS deviation
         FROM energy_readings r
         CROSS JOIN (SELECT avg(watts) AS avg_watts FROM energy_readings
                     WHERE ts > CAST(strftime('%s', 'now', '-1 hour') AS INTEGER)) h
         WHERE r.ts > CAST(strftime('%s', 'now', '-1 hour') AS INTEGER) AND abs(r.watts - h.avg_watts) > 500",
        (),
    )?;
    println!("{}", conn.notice().unwrap_or_default());

    println!("\n== Per floor over the last 24 hours (from floor_power)");
    let mut st = conn.prepare(
        "SELECT floor, sum(samples), max(peak_watts), min(min_watts), round(sum(avg_watts * samples) / sum(samples), 1)
         FROM floor_power GROUP BY floor ORDER BY floor",
    )?;
    for row in st.query_map((), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, f64>(2)?, r.get::<_, f64>(3)?, r.get::<_, f64>(4)?))
    })? {
        let (floor, samples, peak, min, avg) = row?;
        println!("floor {floor}: {samples} samples, avg {avg} W, peak {peak} W, min {min} W");
    }

    println!("\n== Anomalies in the last hour");
    let mut st = conn.prepare("SELECT sensor_id, floor, watts, round(deviation) FROM anomalies ORDER BY sensor_id")?;
    for row in
        st.query_map((), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, f64>(2)?, r.get::<_, f64>(3)?)))?
    {
        let (sensor, floor, watts, dev) = row?;
        println!("sensor {sensor:>3} on floor {floor}: {watts} W ({dev:+} W from the hour's average)");
    }

    // A new spike arrives; the display refreshes both views.
    conn.execute(
        "INSERT INTO energy_readings (sensor_id, floor, watts, ts) VALUES (199, 4, 2500, unixepoch('now'))",
        (),
    )?;
    let (pending, strategy, reason): (i64, String, String) = conn.query_row(
        "SELECT pending_changes, refresh_strategy, reason FROM pg_mv_staleness() WHERE view_name = 'anomalies'",
        (),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    println!("\nanomalies: {pending} pending change, {strategy} refresh because of {reason}");
    conn.execute("REFRESH MATERIALIZED VIEW anomalies INCREMENTALLY", ())?;
    println!("{}", conn.notice().unwrap_or_default());
    let n: i64 = conn.query_row("SELECT count(*) FROM anomalies", (), |r| r.get(0))?;
    println!("anomalies now: {n}");
    conn.execute("REFRESH MATERIALIZED VIEW floor_power INCREMENTALLY", ())?;
    let (strategy, status, peak): (String, String, f64) = conn.query_row(
        "SELECT refresh_strategy, status, (SELECT max(peak_watts) FROM floor_power WHERE floor = 4)
         FROM pg_mv_staleness() WHERE view_name = 'floor_power'",
        (),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    println!("floor_power: {strategy} refresh, {status}; floor 4 peak now {peak} W");
    Ok(())
}
