//! The crash tests' source workload: three tables in S10's shape (a
//! rowid table of readings, an integer key, a composite text key), random
//! transactions over them (inserts, updates, deletes, upserts, primary-key
//! moves, rollbacks), and a bounded wait for a child process.

use heliosdb_lite::{params, Connection, Decimal};
use rand::rngs::StdRng;
use rand::Rng;
use std::process::Child;
use std::time::{Duration, Instant};

pub const SCHEMA: &str = "
    CREATE TABLE sensor_readings (device TEXT, sensor INTEGER, temperature REAL, pressure DECIMAL(8,2),
                                  vibration REAL, status TEXT, ts TIMESTAMP, synced BOOLEAN, payload BLOB);
    CREATE TABLE incidents (id INTEGER PRIMARY KEY, sensor INTEGER, note TEXT);
    CREATE TABLE settings (k TEXT, scope INTEGER, v TEXT, PRIMARY KEY (k, scope));
    CREATE CHANGEFEED f FOR TABLE sensor_readings, incidents, settings;";
pub const TABLES: [&str; 3] = ["sensor_readings", "incidents", "settings"];

pub fn random_transaction(conn: &Connection, rng: &mut StdRng, inserted: &mut i64) {
    let tx = conn.transaction().unwrap();
    for _ in 0..rng.gen_range(1..40) {
        match rng.gen_range(0..12) {
            0..=4 => {
                *inserted += 1;
                let payload: Option<Vec<u8>> =
                    rng.gen_bool(0.7).then(|| (0..rng.gen_range(0..24)).map(|_| rng.gen()).collect());
                tx.execute(
                    "INSERT INTO sensor_readings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    params![
                        format!("gw-{}", rng.gen_range(0..4)),
                        rng.gen_range(0..50),
                        rng.gen_bool(0.9).then(|| rng.gen_range(-40.0..120.0f64)),
                        Decimal::new(rng.gen_range(-999_999..999_999), 2),
                        rng.gen::<f64>() * 10f64.powi(rng.gen_range(-300..300)),
                        ["ok", "warn", "fault", "it's \"odd\""][rng.gen_range(0..4)],
                        format!(
                            "2024-06-01 {:02}:{:02}:{:02}.{:06}",
                            rng.gen_range(0..24),
                            rng.gen_range(0..60),
                            rng.gen_range(0..60),
                            rng.gen_range(0..1_000_000)
                        ),
                        false,
                        payload
                    ],
                )
                .unwrap();
            }
            5 => {
                let r = rng.gen_range(1..=*inserted.max(&mut 1));
                tx.execute(
                    "UPDATE sensor_readings SET temperature = ?, status = 'edited' WHERE rowid = ?",
                    params![rng.gen_range(-1.0..1.0f64), r],
                )
                .unwrap();
            }
            6 => {
                let r = rng.gen_range(1..=*inserted.max(&mut 1));
                tx.execute("DELETE FROM sensor_readings WHERE rowid = ?", [r]).unwrap();
            }
            7 => {
                // S10's sync loop: mark a run of readings synced.
                let r = rng.gen_range(1..=*inserted.max(&mut 1));
                tx.execute("UPDATE sensor_readings SET synced = true WHERE rowid BETWEEN ? AND ?", [r, r + 30])
                    .unwrap();
            }
            8 => {
                tx.execute(
                    "INSERT INTO incidents VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET note = excluded.note",
                    params![rng.gen_range(1..300), rng.gen_range(0..50), format!("n{}", rng.gen::<u16>())],
                )
                .unwrap();
            }
            9 => {
                let (a, b) = (rng.gen_range(1..300), rng.gen_range(1..300));
                if rng.gen_bool(0.5) {
                    tx.execute("DELETE FROM incidents WHERE id = ?", [a]).unwrap();
                } else {
                    // A primary-key move.
                    tx.execute("UPDATE incidents SET id = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM incidents WHERE id = ?)", [b, a, b]).unwrap();
                }
            }
            _ => {
                let k = format!("key{}", rng.gen_range(0..20));
                let scope = rng.gen_range(0..5);
                match rng.gen_range(0..3) {
                    0 => {
                        tx.execute(
                            "INSERT INTO settings VALUES (?, ?, ?) ON CONFLICT (k, scope) DO UPDATE SET v = excluded.v",
                            params![k, scope, format!("v{}", rng.gen::<u32>())],
                        )
                        .unwrap();
                    }
                    1 => {
                        tx.execute("DELETE FROM settings WHERE k = ? AND scope = ?", params![k, scope]).unwrap();
                    }
                    _ => {
                        let to = rng.gen_range(0..5);
                        tx.execute(
                            "UPDATE settings SET scope = ? WHERE k = ? AND scope = ? AND NOT EXISTS (SELECT 1 FROM settings WHERE k = ? AND scope = ?)",
                            params![to, k, scope, k, to],
                        )
                        .unwrap();
                    }
                }
            }
        }
    }
    if rng.gen_bool(0.1) {
        tx.rollback().unwrap(); // never shipped
    } else {
        tx.commit().unwrap();
    }
}

/// Waits for a child at most `limit`; kills it and fails past that.
pub fn wait(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("heliosdb-sync did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
