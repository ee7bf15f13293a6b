//! `heliosdb-sync`: ships a HeliosDB-Lite change feed into PostgreSQL or Kafka.
//!
//! ```text
//! heliosdb-sync --db DIR --feed NAME --postgres "host=… port=… user=… dbname=…" --source-id ID
//! heliosdb-sync --db DIR --feed NAME --kafka host:9092 [--topic-prefix P] [--kafka-property k=v…] --source-id ID
//!               [--batch N] [--once] [--create-feed-for t1,t2] [--target-schema S]
//!               [--poll-ms N] [--progress-sec N] [--config heliosdb.toml]
//! ```
//!
//! Flags override the `[sync]` table of `--config`; the file's other
//! sections are the database's own settings. The database directory is
//! opened by this process, so the application must not have it open (use
//! the library's `heliosdb_sync::run` inside the application instead).
//! SIGINT/SIGTERM finish the batch in flight and exit 0 (a second one exits
//! at once). Exit 2: bad flags or configuration; 1: a failure.

use heliosdb_sync::change::Change;
use heliosdb_sync::schema::TableSchema;
use heliosdb_sync::source::{ChangeSource, FeedInfo};
use heliosdb_sync::{config::split_list, ConfigFile, HeliosSource, SyncConfig, SyncError};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

const USAGE: &str = "usage: heliosdb-sync --db DIR --feed NAME (--postgres CONNINFO | --kafka BROKERS) --source-id ID
                     [--batch N] [--once] [--create-feed-for t1,t2] [--target-schema SCHEMA]
                     [--poll-ms N] [--progress-sec N] [--config heliosdb.toml]

  --db DIR               the HeliosDB-Lite directory (else [sync].db, else [database].path)
  --feed NAME            the change feed to ship
  --postgres CONNINFO    \"host=… port=… user=… dbname=…\" or postgresql://…
  --kafka BROKERS        ship into Kafka instead: bootstrap servers host:port,…
  --topic-prefix P       Kafka topics are P.<table> (default heliosdb)
  --kafka-property K=V   a librdkafka setting (repeatable: SASL, TLS, timeouts…)
  --source-id ID         this source's id in the target rows and the watermark
  --batch N              changes per PostgreSQL or Kafka transaction (whole source transactions; default 1000)
  --once                 drain the feed, then exit
  --create-feed-for T,…  create the feed for these tables if it does not exist
  --target-schema S      PostgreSQL schema of the target tables (default public)
  --poll-ms N            wait between empty polls (default 500)
  --progress-sec N       a progress line on stderr every N s (default 10; 0: none)
  --config FILE          heliosdb.toml with a [sync] table (same keys)";

struct Args {
    config: Option<String>,
    sets: Vec<(String, String)>,
    once: bool,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args { config: None, sets: Vec::new(), once: false };
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        match flag.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--once" => args.once = true,
            "--db" | "--feed" | "--postgres" | "--source-id" | "--batch" | "--create-feed-for" | "--target-schema"
            | "--poll-ms" | "--progress-sec" | "--config" | "--kafka" | "--topic-prefix" | "--kafka-property" => {
                let v = match inline {
                    Some(v) => v,
                    None => it.next().ok_or_else(|| format!("{flag} needs a value"))?,
                };
                if flag == "--config" {
                    args.config = Some(v);
                } else {
                    args.sets.push((flag, v));
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("{flag} needs a number, not {v:?}"))
}

/// The settings: the file's `[sync]`, then the flags; and the database's own settings.
fn settings(args: &Args) -> Result<(SyncConfig, heliosdb_lite::Config), String> {
    let (mut cfg, db_config) = match &args.config {
        Some(path) => {
            let f = ConfigFile::read(std::path::Path::new(path)).map_err(|e| e.to_string())?;
            (f.sync, f.database.unwrap_or_default())
        }
        None => (SyncConfig::default(), heliosdb_lite::Config::default()),
    };
    for (flag, v) in &args.sets {
        match flag.as_str() {
            "--db" => cfg.db = Some(v.clone()),
            "--feed" => cfg.feed = v.clone(),
            "--postgres" => cfg.postgres = v.clone(),
            "--kafka" => cfg.kafka = v.clone(),
            "--topic-prefix" => cfg.topic_prefix = v.clone(),
            "--kafka-property" => {
                let (k, val) =
                    v.split_once('=').ok_or_else(|| format!("--kafka-property needs KEY=VALUE, not {v:?}"))?;
                cfg.kafka_properties.insert(k.trim().to_string(), val.trim().to_string());
            }
            "--source-id" => cfg.source_id = v.clone(),
            "--batch" => cfg.batch = number(flag, v)?,
            "--create-feed-for" => cfg.create_feed_for = split_list(v),
            "--target-schema" => cfg.target_schema = v.clone(),
            "--poll-ms" => cfg.poll_interval_ms = number(flag, v)?,
            "--progress-sec" => cfg.progress_interval_sec = number(flag, v)?,
            _ => {}
        }
    }
    cfg.once |= args.once;
    if cfg.db.is_none() {
        cfg.db = db_config.database.path.clone();
    }
    if cfg.db.is_none() {
        return Err("configuration: no database directory (--db, or db in [sync], or path in [database])".into());
    }
    cfg.validate().map_err(|e| e.to_string())?;
    Ok((cfg, db_config))
}

fn main() {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                std::process::exit(0);
            }
            eprintln!("heliosdb-sync: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let (cfg, db_config) = match settings(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("heliosdb-sync: {e}");
            std::process::exit(2);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // The first signal sets the flag (finish the batch, exit 0); a second one exits at once.
        let registered = signal_hook::flag::register_conditional_shutdown(sig, 130, Arc::clone(&stop))
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&stop)));
        if let Err(e) = registered {
            eprintln!("heliosdb-sync: cannot install a signal handler: {e}");
            std::process::exit(1);
        }
    }
    let dir = cfg.db.clone().unwrap_or_default();
    if !std::path::Path::new(&dir).is_dir() {
        eprintln!("heliosdb-sync: no database directory at {dir}");
        std::process::exit(2);
    }
    let conn = match heliosdb_lite::Connection::open_with(&dir, &db_config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("heliosdb-sync: cannot open {dir}: {e}");
            std::process::exit(1);
        }
    };
    let mut source = FaultySource { inner: HeliosSource::new(&conn), abort_at_ack: abort_at_ack() };
    match heliosdb_sync::run_with_source(&mut source, &cfg, &stop) {
        Ok(r) => {
            eprintln!(
                "heliosdb-sync: done: {} changes in {} transactions ({} batches), watermark scn {}",
                r.changes, r.transactions, r.batches, r.watermark
            );
            if let Err(e) = conn.close() {
                eprintln!("heliosdb-sync: closing {dir}: {e}");
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("heliosdb-sync: {e}");
            std::process::exit(if matches!(e, SyncError::Config(_)) { 2 } else { 1 });
        }
    }
}

/// Fault injection for the crash test: `HELIOSDB_SYNC_ABORT_AT_ACK=N` aborts
/// the process at its N-th acknowledgement, after the sink committed the
/// batch and before the source hears of it (the window a random kill
/// rarely hits).
fn abort_at_ack() -> Option<u64> {
    std::env::var("HELIOSDB_SYNC_ABORT_AT_ACK").ok().and_then(|v| v.parse().ok())
}

struct FaultySource<'c> {
    inner: HeliosSource<'c>,
    abort_at_ack: Option<u64>,
}

impl ChangeSource for FaultySource<'_> {
    fn feed(&mut self, name: &str) -> heliosdb_sync::Result<Option<FeedInfo>> {
        self.inner.feed(name)
    }
    fn create_feed(&mut self, name: &str, tables: &[String]) -> heliosdb_sync::Result<()> {
        self.inner.create_feed(name, tables)
    }
    fn changes(&mut self, feed: &str, after_scn: u64, max_rows: usize) -> heliosdb_sync::Result<Vec<Change>> {
        self.inner.changes(feed, after_scn, max_rows)
    }
    fn ack(&mut self, feed: &str, scn: u64) -> heliosdb_sync::Result<u64> {
        if let Some(n) = self.abort_at_ack.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                eprintln!("heliosdb-sync: HELIOSDB_SYNC_ABORT_AT_ACK: aborting before acknowledging scn {scn}");
                std::process::abort();
            }
        }
        self.inner.ack(feed, scn)
    }
    fn table_schema(&mut self, table: &str) -> heliosdb_sync::Result<TableSchema> {
        self.inner.table_schema(table)
    }
    fn snapshot(
        &mut self,
        table: &TableSchema,
        scn: u64,
        each: &mut dyn FnMut(Change) -> heliosdb_sync::Result<()>,
    ) -> heliosdb_sync::Result<()> {
        self.inner.snapshot(table, scn, each)
    }
}
