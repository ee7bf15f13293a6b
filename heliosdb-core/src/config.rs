//! `heliosdb.toml` (or the same structure as JSON): every setting, its default,
//! and validation that names the offending key.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The whole configuration. Every field has a documented default, so an empty
/// file (or `Config::default()`) is valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[database]`
    pub database: DatabaseConfig,
    /// `[storage]`
    pub storage: StorageConfig,
    /// `[snapshot]`
    pub snapshot: SnapshotConfig,
    /// `[materialized_views]`
    pub materialized_views: MaterializedViewConfig,
    /// `[scheduler]`
    pub scheduler: SchedulerConfig,
    /// `[sync]`: the settings of `heliosdb-sync`, which reads them itself.
    /// The engine keeps the table as it is and does not interpret it, so one
    /// `heliosdb.toml` serves the application and its sync process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<toml::Table>,
}

/// `[database]`: where the data lives and how durable a commit is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Data directory (`:memory:` for a private temporary database). Default: none
    /// (the path given to `open` wins; one of the two is required).
    pub path: Option<String>,
    /// Memory budget in MiB; sets the block cache size (half of it). Default 64.
    pub memory_limit_mb: u64,
    /// Write the journal on every commit so a killed process loses nothing.
    /// Default true. When false, the latest commits may be lost on a crash.
    pub enable_wal: bool,
    /// fsync (fdatasync) every commit: survives power loss, ~1000× slower
    /// commits on typical disks. Default false.
    pub sync_on_commit: bool,
    /// How long a writer waits for another connection's write lock, in
    /// milliseconds, before failing with "database is locked". Default 5000.
    pub busy_timeout_ms: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            path: None,
            memory_limit_mb: 64,
            enable_wal: true,
            sync_on_commit: false,
            busy_timeout_ms: 5000,
        }
    }
}

/// `[storage]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Keep superseded row versions for `AS OF` queries: the default for new
    /// tables (`CREATE TABLE … WITH (time_travel = …)` overrides it). Default true.
    pub time_travel_enabled: bool,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig { time_travel_enabled: true }
    }
}

/// `[snapshot]`: retention of history for time travel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SnapshotConfig {
    /// Keep history at least this many seconds. Default 2592000 (30 days).
    pub min_retention_seconds: u64,
    /// Beyond the retention period, keep at most this many commit points
    /// (see `temporal::retention`). Default 1000.
    pub max_snapshots: u64,
    /// Remove expired history in the background. Default true.
    pub auto_gc_enabled: bool,
    /// Seconds between background GC runs. Default 300.
    pub gc_interval_sec: u64,
}

impl Default for SnapshotConfig {
    fn default() -> Self {
        SnapshotConfig {
            min_retention_seconds: 2_592_000,
            max_snapshots: 1000,
            auto_gc_enabled: true,
            gc_interval_sec: 300,
        }
    }
}

/// `[materialized_views]`: defaults for new materialized views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaterializedViewConfig {
    /// Allow materialized views. Default true.
    pub enabled: bool,
    /// New views refresh themselves in the background. Default false.
    pub default_auto_refresh: bool,
    /// A view is stale after this many seconds of pending changes. Default 300.
    pub default_staleness_threshold_sec: u64,
    /// Refresh only while system CPU use is below this fraction. Default 0.5.
    pub default_cpu_threshold: f64,
}

impl Default for MaterializedViewConfig {
    fn default() -> Self {
        MaterializedViewConfig {
            enabled: true,
            default_auto_refresh: false,
            default_staleness_threshold_sec: 300,
            default_cpu_threshold: 0.5,
        }
    }
}

/// `[scheduler]`: the background refresh scheduler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerConfig {
    /// Seconds between checks. Default 60.
    pub check_interval_sec: u64,
    /// Refreshes running at once. Default 1.
    pub max_concurrent_refreshes: u64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig { check_interval_sec: 60, max_concurrent_refreshes: 1 }
    }
}

fn bad(key: &str, why: &str) -> Error {
    Error::Sql(format!("configuration: invalid value for {key}: {why}"))
}

impl Config {
    /// Reads a `heliosdb.toml` file (or the same structure as JSON: a file
    /// whose text starts with `{`).
    ///
    /// # Errors
    /// `Io` when the file cannot be read; `Sql` when it is not valid TOML or
    /// JSON, has an unknown key, or a value out of range (the message names
    /// the key).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Config> {
        let path = path.as_ref();
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
        Config::parse(&text)
    }

    /// Parses TOML text.
    ///
    /// # Errors
    /// As [`Config::from_file`].
    pub fn from_toml(text: &str) -> Result<Config> {
        let de = toml::Deserializer::new(text);
        let cfg: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let msg = inner.message().to_string();
            // Errors of the TOML syntax itself (such as an integer past i64)
            // come before any key is known: name the line instead.
            let key = match (key.as_str(), inner.span()) {
                (".", Some(span)) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count();
                    let source = text.lines().nth(line).unwrap_or("").trim();
                    format!("line {} ({source})", line + 1)
                }
                _ => key,
            };
            Error::Sql(format!("configuration: {key}: {msg}"))
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parses JSON text of the same structure (as the C ABI and bindings pass it).
    ///
    /// # Errors
    /// As [`Config::from_file`].
    pub fn from_json(text: &str) -> Result<Config> {
        let mut de = serde_json::Deserializer::from_str(text);
        let cfg: Config = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let key = e.path().to_string();
            Error::Sql(format!("configuration: {key}: {}", e.into_inner()))
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parses either JSON (text starting with `{`) or TOML.
    ///
    /// # Errors
    /// As [`Config::from_file`].
    pub fn parse(text: &str) -> Result<Config> {
        if text.trim_start().starts_with('{') {
            Config::from_json(text)
        } else {
            Config::from_toml(text)
        }
    }

    /// Checks ranges that the types alone do not.
    ///
    /// # Errors
    /// The first out-of-range value, naming its key.
    pub fn validate(&self) -> Result<()> {
        // Upper bounds keep every derived quantity (bytes, microseconds,
        // milliseconds in a C int) free of overflow.
        const YEAR: u64 = 366 * 86_400;
        let ranges: [(&str, u64, u64, u64); 8] = [
            ("database.memory_limit_mb", self.database.memory_limit_mb, 4, 1 << 20),
            ("database.busy_timeout_ms", self.database.busy_timeout_ms, 0, i32::MAX as u64),
            ("snapshot.min_retention_seconds", self.snapshot.min_retention_seconds, 0, 100 * YEAR),
            ("snapshot.max_snapshots", self.snapshot.max_snapshots, 1, 1 << 40),
            ("snapshot.gc_interval_sec", self.snapshot.gc_interval_sec, 1, YEAR),
            (
                "materialized_views.default_staleness_threshold_sec",
                self.materialized_views.default_staleness_threshold_sec,
                0,
                100 * YEAR,
            ),
            ("scheduler.check_interval_sec", self.scheduler.check_interval_sec, 1, YEAR),
            ("scheduler.max_concurrent_refreshes", self.scheduler.max_concurrent_refreshes, 1, 1024),
        ];
        for (key, value, lo, hi) in ranges {
            if value < lo || value > hi {
                return Err(bad(key, &format!("{value} is outside {lo}..={hi}")));
            }
        }
        let cpu = self.materialized_views.default_cpu_threshold;
        if !(cpu > 0.0 && cpu <= 1.0) {
            return Err(bad("materialized_views.default_cpu_threshold", "must be in (0, 1]"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_gives_defaults() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
        assert_eq!(Config::from_json("{}").unwrap(), Config::default());
    }

    #[test]
    fn sections_are_read() {
        let c = Config::from_toml("[database]\nmemory_limit_mb = 128\n[snapshot]\nmin_retention_seconds = 7776000\n")
            .unwrap();
        assert_eq!(c.database.memory_limit_mb, 128);
        assert_eq!(c.snapshot.min_retention_seconds, 7_776_000);
        let j = Config::from_json(r#"{"scheduler":{"check_interval_sec":5}}"#).unwrap();
        assert_eq!(j.scheduler.check_interval_sec, 5);
    }

    #[test]
    fn unknown_key_is_named() {
        let e = Config::from_toml("[database]\nmemory_limt_mb = 1\n").unwrap_err();
        assert!(e.to_string().contains("memory_limt_mb"), "{e}");
        let e = Config::from_json(r#"{"bogus": 1}"#).unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
    }

    #[test]
    fn bad_value_is_named() {
        let e = Config::from_toml("[database]\nmemory_limit_mb = \"lots\"\n").unwrap_err();
        assert!(e.to_string().contains("database.memory_limit_mb"), "{e}");
        let e = Config::from_toml("[materialized_views]\ndefault_cpu_threshold = 3.0\n").unwrap_err();
        assert!(e.to_string().contains("default_cpu_threshold"), "{e}");
    }

    #[test]
    fn huge_values_are_refused_with_the_key_named() {
        let e = Config::from_toml("[database]\nmemory_limit_mb = 17592186044416\n").unwrap_err();
        assert!(e.to_string().contains("database.memory_limit_mb"), "{e}");
        let e = Config::from_toml("[database]\nmemory_limit_mb = 18446744073709551615\n").unwrap_err();
        assert!(e.to_string().contains("memory_limit_mb"), "{e}");
        let e = Config::from_json(r#"{"database":{"busy_timeout_ms":18446744073709551615}}"#).unwrap_err();
        assert!(e.to_string().contains("database.busy_timeout_ms"), "{e}");
        let e = Config::from_json(r#"{"snapshot":{"gc_interval_sec":0}}"#).unwrap_err();
        assert!(e.to_string().contains("snapshot.gc_interval_sec"), "{e}");
    }
}
