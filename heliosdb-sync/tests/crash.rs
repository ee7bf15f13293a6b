//! The crash test: rounds of random writes to the source, each shipped by
//! the `heliosdb-sync` binary that is SIGKILLed at a random moment, aborted
//! between PostgreSQL's commit and the source's acknowledgement, or left
//! to finish, while PostgreSQL itself is crashed (`immediate` stop) and
//! restarted under it in some rounds. At the end a drain with `--once`, and
//! every PostgreSQL table must equal its source table `AS OF SCN` the
//! watermark that PostgreSQL holds: nothing missing, nothing twice.
//!
//! Seed: `HELIOSDB_SYNC_SEED` (default 42); rounds: `HELIOSDB_SYNC_ROUNDS` (default 16).

mod common;

use common::workload::{random_transaction, wait, SCHEMA, TABLES};
use common::{check_against_source, run_ok, sync_command, PgServer};
use heliosdb_lite::Connection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn crashes_on_either_side_neither_lose_nor_duplicate_a_change() {
    let Some(pg) = PgServer::start("crash_test") else { return };
    let seed: u64 = std::env::var("HELIOSDB_SYNC_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(42);
    let rounds: usize = std::env::var("HELIOSDB_SYNC_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(16);
    eprintln!("crash test: seed {seed}, {rounds} rounds");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        conn.close().unwrap();
    }
    // Short retries, so a PostgreSQL restart is noticed quickly; the rest are flags.
    let toml = dir.path().join("heliosdb.toml");
    std::fs::write(&toml, "[sync]\nretry_initial_ms = 20\nretry_max_ms = 200\n").unwrap();
    let toml = toml.to_str().unwrap().to_string();
    let mut inserted = 0i64;
    let (mut killed_running, mut aborted, mut finished, mut pg_crashes, mut retried_rounds) = (0, 0, 0, 0, 0);
    for round in 0..rounds {
        {
            let conn = Connection::open(&db).unwrap();
            for _ in 0..rng.gen_range(10..40) {
                random_transaction(&conn, &mut rng, &mut inserted);
            }
            conn.close().unwrap();
        }
        let batch = ["5", "20", "64"][rng.gen_range(0..3)];
        let mut cmd = sync_command(&db, &pg, "gw", &["--once", "--batch", batch, "--config", &toml]);
        let mode = round % 4;
        let log = dir.path().join(format!("round-{round}.log"));
        cmd.stderr(if mode == 1 { Stdio::from(std::fs::File::create(&log).unwrap()) } else { Stdio::null() });
        if mode == 3 {
            cmd.env("HELIOSDB_SYNC_ABORT_AT_ACK", rng.gen_range(1..6).to_string());
        }
        let mut child = cmd.spawn().unwrap();
        match mode {
            0 => {
                // SIGKILL at a random moment early in the round (a round takes
                // the shipper some 50-300 ms, depending on the machine).
                std::thread::sleep(Duration::from_millis(rng.gen_range(0..50)));
                if child.try_wait().unwrap().is_none() {
                    killed_running += 1;
                }
                child.kill().unwrap();
                wait(&mut child, Duration::from_secs(10));
            }
            1 => {
                // PostgreSQL crashes under it, comes back; then the shipper is killed or finishes.
                std::thread::sleep(Duration::from_millis(rng.gen_range(0..60)));
                pg.stop("immediate");
                pg_crashes += 1;
                std::thread::sleep(Duration::from_millis(rng.gen_range(50..400)));
                pg.start_again();
                if rng.gen_bool(0.5) {
                    std::thread::sleep(Duration::from_millis(rng.gen_range(0..150)));
                    if child.try_wait().unwrap().is_none() {
                        killed_running += 1;
                    }
                    child.kill().unwrap();
                    wait(&mut child, Duration::from_secs(10));
                } else {
                    assert!(
                        wait(&mut child, Duration::from_secs(60)).success(),
                        "round {round}: drain after a PostgreSQL crash"
                    );
                    finished += 1;
                }
                if std::fs::read_to_string(&log).unwrap_or_default().contains("retrying") {
                    retried_rounds += 1;
                }
            }
            2 => {
                let t0 = Instant::now();
                assert!(wait(&mut child, Duration::from_secs(60)).success(), "round {round}: a clean drain");
                eprintln!("round {round}: clean drain in {:?} (batch {batch})", t0.elapsed());
                finished += 1;
            }
            _ => {
                // Aborts after PostgreSQL committed a batch, before the source is acknowledged.
                if !wait(&mut child, Duration::from_secs(60)).success() {
                    aborted += 1;
                }
            }
        }
    }
    let err = run_ok(sync_command(&db, &pg, "gw", &["--once", "--batch", "50"]));
    eprintln!(
        "crash test: {killed_running} kills mid-run, {aborted} aborts before an ack, {pg_crashes} PostgreSQL crashes \
         ({retried_rounds} under a connected shipper), {finished} clean drains; final drain: {}",
        err.lines().last().unwrap_or("")
    );
    assert!(killed_running >= rounds / 8, "too few kills landed while the shipper was running");
    assert!(aborted >= 1, "no abort between commit and acknowledgement happened");
    assert!(retried_rounds >= 1, "PostgreSQL never went away under a running shipper");
    let conn = Connection::open(&db).unwrap();
    let mut client = pg.client();
    let w = check_against_source(&conn, &mut client, &TABLES, "gw", "f");
    let (acked, pending): (i64, i64) = conn
        .query_row("SELECT acked_scn, pending_changes FROM heliosdb_changefeeds WHERE name = 'f'", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(acked as u64, w, "the source is acknowledged up to PostgreSQL's watermark");
    assert_eq!(pending, 0);
    let after: i64 =
        conn.query_row(&format!("SELECT count(*) FROM heliosdb_changes('f', 1000, {w})"), (), |r| r.get(0)).unwrap();
    assert_eq!(after, 0, "nothing committed after the watermark is left unshipped");
}
