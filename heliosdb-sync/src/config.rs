//! [`SyncConfig`]: the `[sync]` table of `heliosdb.toml`, which the
//! binary's flags override. It ships into PostgreSQL (`postgres`) or into
//! Kafka (`kafka`), one of the two.
//!
//! ```toml
//! [database]                  # the source database's own settings (optional)
//! path = "/var/lib/gateway"
//!
//! [sync]
//! db = "/var/lib/gateway"     # binary only: the directory to open (else [database].path)
//! feed = "plant"
//! postgres = "host=10.0.0.5 port=5432 user=ingest dbname=plant"
//! source_id = "gateway-17"
//! batch = 1000                # changes per heliosdb_changes page = per PostgreSQL transaction
//! once = false                # drain, then stop
//! create_feed_for = ["sensor_readings", "incidents"]   # create the feed if it does not exist
//! target_schema = "public"
//! poll_interval_ms = 500      # wait between empty polls
//! progress_interval_sec = 10  # a progress line on stderr every N s (0: none)
//! retry_initial_ms = 100      # backoff while PostgreSQL is unreachable…
//! retry_max_ms = 5000         # …doubling up to this
//!
//! # or, instead of postgres:
//! kafka = "broker1:9092,broker2:9092"   # bootstrap servers
//! topic_prefix = "plant"      # topics <topic_prefix>.<table>
//! [sync.kafka_properties]     # any other librdkafka setting (SASL, TLS, timeouts…)
//! "message.max.bytes" = "2000000"
//! ```

use crate::error::{Result, SyncError};
use serde::Deserialize;

/// How to ship one feed into PostgreSQL or Kafka.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// The source directory (used by the binary; the library is handed a connection).
    pub db: Option<String>,
    /// The change feed to ship.
    pub feed: String,
    /// A libpq-style connection string (`host=… port=… user=… dbname=…`) or URL.
    pub postgres: String,
    /// Kafka's bootstrap servers (`host:port,…`), to ship into Kafka instead.
    pub kafka: String,
    /// Kafka topics are `<topic_prefix>.<table>` (Debezium's naming).
    pub topic_prefix: String,
    /// Further librdkafka settings for the producer and the watermark reader.
    pub kafka_properties: std::collections::BTreeMap<String, String>,
    /// This source's id in every target row and in the watermark.
    pub source_id: String,
    /// At most this many changes per read (whole transactions: a bigger one comes whole).
    pub batch: usize,
    /// Stop once the feed is drained.
    pub once: bool,
    /// Create the feed for these tables when it does not exist.
    #[serde(deserialize_with = "list_or_csv")]
    pub create_feed_for: Vec<String>,
    /// The PostgreSQL schema of the target tables and the watermark table.
    pub target_schema: String,
    /// Wait between polls that found nothing, in milliseconds.
    pub poll_interval_ms: u64,
    /// Seconds between progress lines on stderr; 0 prints none.
    pub progress_interval_sec: u64,
    /// First retry delay after a failure, in milliseconds.
    pub retry_initial_ms: u64,
    /// Longest retry delay, in milliseconds.
    pub retry_max_ms: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            db: None,
            feed: String::new(),
            postgres: String::new(),
            kafka: String::new(),
            topic_prefix: "heliosdb".into(),
            kafka_properties: std::collections::BTreeMap::new(),
            source_id: String::new(),
            batch: 1000,
            once: false,
            create_feed_for: Vec::new(),
            target_schema: "public".into(),
            poll_interval_ms: 500,
            progress_interval_sec: 10,
            retry_initial_ms: 100,
            retry_max_ms: 5000,
        }
    }
}

fn list_or_csv<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<String>),
        Csv(String),
    }
    Ok(match Either::deserialize(d)? {
        Either::List(v) => v,
        Either::Csv(s) => split_list(&s),
    })
}

/// `a, b,c` → `["a", "b", "c"]` (empty items dropped).
pub fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

/// A configuration file split in two: the `[sync]` table and, when the file
/// has other sections, the source database's own settings.
#[derive(Debug)]
pub struct ConfigFile {
    /// The `[sync]` table (defaults when absent).
    pub sync: SyncConfig,
    /// The other sections, as the database reads them.
    pub database: Option<heliosdb_lite::Config>,
}

impl ConfigFile {
    /// Reads `heliosdb.toml`.
    ///
    /// # Errors
    /// `Config` when the file cannot be read, is not TOML, has an unknown
    /// `[sync]` key or a bad value, or when its other sections are invalid.
    pub fn read(path: &std::path::Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SyncError::Config(format!("cannot read {}: {e}", path.display())))?;
        ConfigFile::parse(&text).map_err(|e| match e {
            SyncError::Config(m) => SyncError::Config(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Parses the text of `heliosdb.toml`.
    ///
    /// # Errors
    /// As [`ConfigFile::read`].
    pub fn parse(text: &str) -> Result<ConfigFile> {
        let mut table: toml::Table = text.parse().map_err(|e| SyncError::Config(format!("not TOML: {e}")))?;
        let sync = match table.remove("sync") {
            None => SyncConfig::default(),
            Some(v) => {
                v.try_into().map_err(|e: toml::de::Error| SyncError::Config(format!("[sync]: {}", e.message())))?
            }
        };
        let database = if table.is_empty() {
            None
        } else {
            let rest = toml::to_string(&table).map_err(|e| SyncError::Config(e.to_string()))?;
            Some(heliosdb_lite::Config::from_toml(&rest).map_err(|e| SyncError::Config(e.to_string()))?)
        };
        Ok(ConfigFile { sync, database })
    }
}

impl SyncConfig {
    /// Checks that every required setting is there and every number makes sense.
    ///
    /// # Errors
    /// `Config` naming the first bad setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(SyncError::Config(m.to_string()));
        if self.feed.trim().is_empty() {
            return bad("no feed name (--feed, or feed in [sync])");
        }
        let (to_pg, to_kafka) = (!self.postgres.trim().is_empty(), !self.kafka.trim().is_empty());
        if !to_pg && !to_kafka {
            return bad("nowhere to ship: a PostgreSQL connection string (--postgres, or postgres in [sync]) or Kafka's bootstrap servers (--kafka, or kafka in [sync])");
        }
        if to_pg && to_kafka {
            return bad("both postgres and kafka are set: one heliosdb-sync ships into one of them");
        }
        if to_kafka && self.topic_prefix.trim().is_empty() {
            return bad("topic_prefix is empty");
        }
        if self.source_id.trim().is_empty() {
            return bad("no source id (--source-id, or source_id in [sync])");
        }
        if self.batch == 0 {
            return bad("batch must be at least 1");
        }
        if self.target_schema.trim().is_empty() {
            return bad("target_schema is empty");
        }
        if self.retry_initial_ms == 0 || self.retry_max_ms < self.retry_initial_ms {
            return bad("retry_initial_ms must be > 0 and at most retry_max_ms");
        }
        if to_pg {
            self.postgres
                .parse::<postgres::Config>()
                .map_err(|e| SyncError::Config(format!("bad PostgreSQL connection string: {e}")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sync_table_and_keeps_the_rest_for_the_database() {
        let f = ConfigFile::parse(
            "[database]\npath = \"/tmp/x\"\n[sync]\nfeed = \"f\"\npostgres = \"host=h user=u\"\n\
             source_id = \"s\"\ncreate_feed_for = \"a, b\"\nbatch = 50\n",
        )
        .unwrap();
        assert_eq!(f.sync.feed, "f");
        assert_eq!(f.sync.batch, 50);
        assert_eq!(f.sync.create_feed_for, vec!["a", "b"]);
        assert_eq!(f.database.unwrap().database.path.as_deref(), Some("/tmp/x"));
        f.sync.validate().unwrap();
    }

    #[test]
    fn rejects_bad_settings() {
        assert!(ConfigFile::parse("[sync]\nfeeed = \"f\"\n").is_err());
        assert!(ConfigFile::parse("[sync]\nbatch = \"many\"\n").is_err());
        assert!(ConfigFile::parse("[databas]\n").is_err());
        let ok =
            SyncConfig { feed: "f".into(), postgres: "host=h".into(), source_id: "s".into(), ..Default::default() };
        ok.validate().unwrap();
        assert!(SyncConfig { batch: 0, ..ok.clone() }.validate().is_err());
        assert!(SyncConfig { source_id: " ".into(), ..ok.clone() }.validate().is_err());
        assert!(SyncConfig { postgres: "host=h port=nope".into(), ..ok.clone() }.validate().is_err());
        let kafka = SyncConfig { postgres: String::new(), kafka: "localhost:9092".into(), ..ok.clone() };
        kafka.validate().unwrap();
        assert!(SyncConfig { postgres: String::new(), ..ok.clone() }.validate().is_err());
        assert!(SyncConfig { kafka: "localhost:9092".into(), ..ok }.validate().is_err());
        let f = ConfigFile::parse(
            "[sync]\nfeed = \"f\"\nkafka = \"k:9092\"\nsource_id = \"s\"\n[sync.kafka_properties]\n\"linger.ms\" = \"20\"\n",
        )
        .unwrap();
        assert_eq!(f.sync.kafka_properties.get("linger.ms").map(String::as_str), Some("20"));
        f.sync.validate().unwrap();
    }
}
