//! Throughput of `heliosdb-sync` into a private, durable PostgreSQL
//! (fsync and synchronous_commit on), against a naive row-at-a-time
//! autocommit INSERT loop of the same rows; then the drain of a 12-hour
//! S10 backlog (1M readings/day → 500,000 rows). Then the same into a
//! private Kafka broker (scripts/kafka.sh: one node, KRaft), against a naive
//! producer that sends one row and waits for its delivery before the next.
//!
//! ```text
//! cargo run --release -p heliosdb-sync --example sync_bench -- [--changes N] [--naive N] [--backlog N] [--batch N]
//!     [--kafka-naive N] [--no-postgres] [--no-kafka]
//! ```
//! Defaults: 100,000 changes, 10,000 naive rows (at one commit each it is
//! slow), a 500,000-row backlog, batch 5,000, 5,000 naive Kafka rows.

use heliosdb_lite::{params, Connection, Decimal};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

struct Pg {
    dir: tempfile::TempDir,
    port: u16,
}

impl Pg {
    fn script() -> String {
        format!("{}/../scripts/pg.sh", env!("CARGO_MANIFEST_DIR"))
    }
    fn start() -> Pg {
        let dir = tempfile::Builder::new().prefix("sync-bench-pg").tempdir().expect("temp dir");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pg = Pg { dir, port };
        let ok = Command::new("bash")
            .args([&Pg::script(), "start", &pg.data(), &port.to_string()])
            .env("PG_OPTS", "") // durable: fsync on
            .status()
            .expect("pg.sh")
            .success();
        assert!(ok, "could not start PostgreSQL (scripts/pg.sh)");
        pg
    }
    fn data(&self) -> String {
        self.dir.path().join("pg").display().to_string()
    }
    fn conninfo(&self) -> String {
        format!("host=127.0.0.1 port={} user=postgres dbname=postgres", self.port)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = Command::new("bash").args([&Pg::script(), "stop", &self.data()]).status();
    }
}

const READINGS: &str =
    "CREATE TABLE sensor_readings (device TEXT, sensor INTEGER, temperature REAL, pressure DECIMAL(8,2),
    vibration REAL, status TEXT, timestamp TIMESTAMP, synced BOOLEAN);
    CREATE INDEX readings_sensor_ts ON sensor_readings (sensor, timestamp);
    CREATE INDEX readings_synced_ts ON sensor_readings (synced, timestamp);
    CREATE CHANGEFEED f FOR TABLE sensor_readings;";

/// `n` S10 readings spread evenly over `span_sec` seconds, committed `per_tx` at a time.
fn write_readings(conn: &Connection, n: usize, span_sec: f64, per_tx: usize) -> f64 {
    let t0 = Instant::now();
    let mut i = 0;
    while i < n {
        let tx = conn.transaction().unwrap();
        {
            let mut st = tx.prepare("INSERT INTO sensor_readings VALUES (?, ?, ?, ?, ?, ?, ?, ?)").unwrap();
            for _ in 0..per_tx.min(n - i) {
                let secs = span_sec * i as f64 / n as f64;
                let ts = format!(
                    "2024-06-01 {:02}:{:02}:{:02}.{:06}",
                    (secs / 3600.0) as u64 % 24,
                    (secs / 60.0) as u64 % 60,
                    secs as u64 % 60,
                    ((secs.fract()) * 1e6) as u64
                );
                st.execute(params![
                    format!("line-{}", i % 8),
                    (i % 200) as i64,
                    20.0 + (i % 1000) as f64 * 0.01,
                    Decimal::new(101_325 + (i % 500) as i64, 2),
                    (i % 97) as f64 * 0.003,
                    if i % 1000 == 0 { "alarm" } else { "ok" },
                    ts,
                    false
                ])
                .unwrap();
                i += 1;
            }
        }
        tx.commit().unwrap();
    }
    t0.elapsed().as_secs_f64()
}

fn config(pg: &Pg, batch: usize) -> heliosdb_sync::SyncConfig {
    heliosdb_sync::SyncConfig {
        feed: "f".into(),
        postgres: pg.conninfo(),
        source_id: "gateway-1".into(),
        batch,
        once: true,
        progress_interval_sec: 0,
        ..Default::default()
    }
}

fn feed_backlog(conn: &Connection) -> (i64, f64) {
    conn.query_row("SELECT pending_changes, lag_sec FROM heliosdb_changefeeds WHERE name = 'f'", (), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?.unwrap_or(0.0)))
    })
    .unwrap()
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.replace('_', "").parse().unwrap_or_else(|_| panic!("{name} needs a number")))
        .unwrap_or(default)
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn main() {
    let changes = arg("--changes", 100_000);
    let backlog = arg("--backlog", 500_000);
    let batch = arg("--batch", 5_000);
    if !flag("--no-postgres") {
        postgres_bench(changes, arg("--naive", 10_000), backlog, batch);
    }
    #[cfg(feature = "kafka")]
    if !flag("--no-kafka") {
        kafka_bench(changes, arg("--kafka-naive", 5_000), backlog, batch);
    }
}

fn postgres_bench(changes: usize, naive: usize, backlog: usize, batch: usize) {
    let pg = Pg::start();
    println!("PostgreSQL: private server, fsync on, synchronous_commit on; batch {batch}");

    // 1. Throughput: the feed of `changes` inserts, against a naive loop.
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("a")).unwrap();
    conn.execute_batch(READINGS).unwrap();
    let wrote = write_readings(&conn, changes, 3600.0, 1000);
    println!("source: {changes} readings written in {wrote:.2} s");
    let stop = AtomicBool::new(false);
    let t0 = Instant::now();
    let report = heliosdb_sync::run(&conn, &config(&pg, batch), &stop).unwrap();
    let sync_secs = t0.elapsed().as_secs_f64();
    assert_eq!(report.changes as usize, changes);
    let sync_rate = changes as f64 / sync_secs;
    println!(
        "heliosdb-sync: {changes} changes in {sync_secs:.2} s = {sync_rate:.0} changes/s ({} PostgreSQL transactions)",
        report.batches
    );

    let rows: Vec<Vec<heliosdb_lite::Value>> = {
        let mut st = conn.prepare(&format!("SELECT rowid, * FROM sensor_readings LIMIT {naive}")).unwrap();
        st.query_map((), |r| Ok(r.values().to_vec())).unwrap().map(Result::unwrap).collect()
    };
    let mut client = postgres::Client::connect(&pg.conninfo(), postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE TABLE naive_readings (source_id text, rowid bigint, device text, sensor bigint, temperature float8,
             pressure numeric(8,2), vibration float8, status text, timestamp text, synced boolean, PRIMARY KEY (source_id, rowid))",
        )
        .unwrap();
    let t0 = Instant::now();
    for r in &rows {
        use heliosdb_lite::Value as V;
        let (int, real, text) = (
            |v: &V| if let V::Integer(i) = v { *i } else { 0 },
            |v: &V| if let V::Real(f) = v { *f } else { 0.0 },
            |v: &V| v.to_string(),
        );
        client
            .execute(
                "INSERT INTO naive_readings VALUES ('gateway-1', $1, $2, $3, $4, $5::text::numeric, $6, $7, $8, $9)",
                &[
                    &int(&r[0]),
                    &text(&r[1]),
                    &int(&r[2]),
                    &real(&r[3]),
                    &text(&r[4]),
                    &real(&r[5]),
                    &text(&r[6]),
                    &text(&r[7]),
                    &matches!(r[8], V::Boolean(true)),
                ],
            )
            .unwrap();
    }
    let naive_secs = t0.elapsed().as_secs_f64();
    let naive_rate = rows.len() as f64 / naive_secs;
    println!(
        "naive row-at-a-time autocommit INSERT: {} rows in {naive_secs:.2} s = {naive_rate:.0} rows/s  → heliosdb-sync is {:.1}× faster",
        rows.len(),
        sync_rate / naive_rate
    );
    conn.close().unwrap();

    // 2. The 12-hour backlog of an S10 gateway that was offline.
    let conn = Connection::open(dir.path().join("b")).unwrap();
    conn.execute_batch(READINGS).unwrap();
    let wrote = write_readings(&conn, backlog, 12.0 * 3600.0, 5000);
    let (pending, lag) = feed_backlog(&conn);
    println!(
        "backlog: {backlog} readings (12 h at {:.0}/day) written in {wrote:.2} s; before: pending {pending}, lag {lag:.1} s",
        backlog as f64 * 2.0
    );
    let t0 = Instant::now();
    let mut cfg = config(&pg, batch);
    cfg.source_id = "gateway-2".into();
    let report = heliosdb_sync::run(&conn, &cfg, &stop).unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let (pending, lag) = feed_backlog(&conn);
    println!(
        "drain: {} changes in {secs:.2} s = {:.0} changes/s ({} PostgreSQL transactions); after: pending {pending}, lag {lag:.1} s",
        report.changes,
        report.changes as f64 / secs,
        report.batches
    );
    conn.close().unwrap();
}

/// The same source workloads shipped into Kafka; the naive side is a plain
/// idempotent producer that waits for each row's delivery before the next
/// (what a hand-written "send, then mark synced" loop does).
#[cfg(feature = "kafka")]
fn kafka_bench(changes: usize, naive: usize, backlog: usize, batch: usize) {
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    let script = format!("{}/../scripts/kafka.sh", env!("CARGO_MANIFEST_DIR"));
    let kdir = tempfile::Builder::new().prefix("sync-bench-kafka").tempdir().expect("temp dir");
    let data = kdir.path().join("kafka").display().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let ok = Command::new("bash").args([&script, "start", &data, &port.to_string()]).status().expect("kafka.sh");
    assert!(ok.success(), "could not start Kafka (scripts/kafka.sh)");
    struct Stop(String, String);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = Command::new("bash").args([&self.0, "stop", &self.1]).status();
        }
    }
    let _stop = Stop(script, data);
    let brokers = format!("127.0.0.1:{port}");
    let config = |source: &str| heliosdb_sync::SyncConfig {
        feed: "f".into(),
        kafka: brokers.clone(),
        topic_prefix: "bench".into(),
        source_id: source.into(),
        batch,
        once: true,
        progress_interval_sec: 0,
        ..Default::default()
    };
    println!("Kafka: private single-node broker (KRaft), acks=all, transactions; batch {batch}");
    let stop = AtomicBool::new(false);
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("a")).unwrap();
    conn.execute_batch(READINGS).unwrap();
    write_readings(&conn, changes, 3600.0, 1000);
    let t0 = Instant::now();
    let report = heliosdb_sync::run(&conn, &config("gateway-1"), &stop).unwrap();
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(report.changes as usize, changes);
    let rate = changes as f64 / secs;
    println!(
        "heliosdb-sync → Kafka: {changes} changes in {secs:.2} s = {rate:.0} changes/s ({} Kafka transactions)",
        report.batches
    );

    let rows: Vec<String> = {
        let mut st = conn.prepare(&format!("SELECT rowid, * FROM sensor_readings LIMIT {naive}")).unwrap();
        st.query_map((), |r| Ok(format!("{:?}", r.values()))).unwrap().map(Result::unwrap).collect()
    };
    let producer: BaseProducer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("enable.idempotence", "true")
        .set("linger.ms", "0")
        .create()
        .unwrap();
    let t0 = Instant::now();
    for (i, r) in rows.iter().enumerate() {
        let key = i.to_string();
        producer.send(BaseRecord::to("bench.naive").key(&key).payload(r)).map_err(|(e, _)| e).unwrap();
        // Wait for this row's delivery report (poll wakes as soon as it arrives).
        while producer.in_flight_count() > 0 {
            producer.poll(std::time::Duration::from_millis(1));
        }
    }
    let naive_secs = t0.elapsed().as_secs_f64();
    let naive_rate = rows.len() as f64 / naive_secs;
    println!(
        "naive send-and-wait producer: {} rows in {naive_secs:.2} s = {naive_rate:.0} rows/s  → heliosdb-sync is {:.1}× faster",
        rows.len(),
        rate / naive_rate
    );
    conn.close().unwrap();

    let conn = Connection::open(dir.path().join("b")).unwrap();
    conn.execute_batch(READINGS).unwrap();
    write_readings(&conn, backlog, 12.0 * 3600.0, 5000);
    let (pending, lag) = feed_backlog(&conn);
    println!("backlog: {backlog} readings over 12 h; before: pending {pending}, lag {lag:.1} s");
    let t0 = Instant::now();
    let report = heliosdb_sync::run(&conn, &config("gateway-2"), &stop).unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let (pending, lag) = feed_backlog(&conn);
    println!(
        "drain into Kafka: {} changes in {secs:.2} s = {:.0} changes/s ({} Kafka transactions); after: pending {pending}, lag {lag:.1} s",
        report.changes,
        report.changes as f64 / secs,
        report.batches
    );
    conn.close().unwrap();
}
