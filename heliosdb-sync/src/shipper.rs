//! The shipping loop: resume from PostgreSQL's watermark, read a page of
//! whole transactions after it, apply it with the new watermark in one
//! PostgreSQL transaction, then acknowledge the source; reconnect with
//! backoff whenever PostgreSQL goes away.
//!
//! Why nothing is lost or duplicated: PostgreSQL holds a batch's rows
//! exactly when it holds the watermark that covers them (one transaction),
//! and reading always starts after that watermark, never after the
//! source's acknowledgement. The acknowledgement only lets the source drop
//! history: it comes after the commit, and a crash between the two is
//! repaired on the next start (the source is acknowledged up to the
//! watermark first). Replaying a batch is impossible, not merely harmless,
//! but upserts would make it harmless too.
//!
//! While PostgreSQL applies a batch (on a scoped thread), the next page is
//! read from the source; it is used only if the batch commits.

use crate::change::Change;
use crate::config::SyncConfig;
use crate::error::{Result, SyncError};
use crate::sink::{self, Sink};
use crate::source::{ChangeSource, FeedInfo, HeliosSource};
use heliosdb_lite::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Changes shipped (before coalescing).
    pub changes: u64,
    /// Source transactions shipped.
    pub transactions: u64,
    /// Batches committed to the sink (PostgreSQL or Kafka transactions).
    pub batches: u64,
    /// Rows copied by an initial snapshot.
    pub snapshot_rows: u64,
    /// The watermark at the end (0 when the sink was never reached).
    pub watermark: u64,
    /// Times the connection to the sink was dropped and made again.
    pub reconnects: u64,
}

/// Ships `config.feed` from `conn` until `stop` is set (or, with
/// `config.once`, until the feed is drained). A batch in flight is finished
/// before stopping. Progress and retries are reported on stderr.
///
/// ```no_run
/// # use std::sync::{atomic::AtomicBool, Arc};
/// let conn = heliosdb_lite::Connection::open("./gateway-data")?;
/// let config = heliosdb_sync::SyncConfig {
///     feed: "plant".into(),
///     postgres: "host=10.0.0.5 user=ingest dbname=plant".into(),
///     source_id: "gateway-17".into(),
///     ..Default::default()
/// };
/// let stop = Arc::new(AtomicBool::new(false));
/// let report = heliosdb_sync::run(&conn, &config, &stop)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// `Config` for a bad configuration or a missing feed; errors that retrying
/// cannot cure (`Data`, a source failure other than `Busy`, PostgreSQL
/// errors other than connection failures). PostgreSQL being unreachable is
/// not an error: it is retried until it comes back or `stop` is set.
pub fn run(conn: &Connection, config: &SyncConfig, stop: &AtomicBool) -> Result<SyncReport> {
    run_with_source(&mut HeliosSource::new(conn), config, stop)
}

/// [`run`] over any [`ChangeSource`] (tests use fabricated ones).
///
/// # Errors
/// As [`run`].
pub fn run_with_source(source: &mut dyn ChangeSource, config: &SyncConfig, stop: &AtomicBool) -> Result<SyncReport> {
    config.validate()?;
    let feed = open_feed(source, config)?;
    let mut s = Shipper {
        source,
        cfg: config,
        stop,
        feed,
        target: None,
        watermark: 0,
        ack_behind: false,
        read_ahead: None,
        report: SyncReport::default(),
        delay: Duration::from_millis(config.retry_initial_ms),
        last_progress: Instant::now(),
        shipped_at_progress: 0,
    };
    s.run()
}

fn open_feed(source: &mut dyn ChangeSource, cfg: &SyncConfig) -> Result<FeedInfo> {
    if let Some(f) = source.feed(&cfg.feed)? {
        return Ok(f);
    }
    if cfg.create_feed_for.is_empty() {
        return Err(SyncError::Config(format!(
            "the source has no changefeed named {} (CREATE CHANGEFEED {} FOR TABLE …, or --create-feed-for t1,t2)",
            cfg.feed, cfg.feed
        )));
    }
    source.create_feed(&cfg.feed, &cfg.create_feed_for)?;
    eprintln!("heliosdb-sync: created changefeed {} for {}", cfg.feed, cfg.create_feed_for.join(", "));
    source.feed(&cfg.feed)?.ok_or_else(|| SyncError::Data(format!("changefeed {} vanished after CREATE", cfg.feed)))
}

enum Step {
    Shipped,
    Idle,
}

struct Shipper<'a> {
    source: &'a mut dyn ChangeSource,
    cfg: &'a SyncConfig,
    stop: &'a AtomicBool,
    feed: FeedInfo,
    target: Option<Box<dyn Sink>>,
    /// The sink's watermark (valid while `target` is connected).
    watermark: u64,
    /// The last acknowledgement failed with a transient error.
    ack_behind: bool,
    /// Changes read ahead while the previous batch was applied: (after which SCN, changes).
    read_ahead: Option<(u64, Vec<Change>)>,
    report: SyncReport,
    delay: Duration,
    last_progress: Instant,
    shipped_at_progress: u64,
}

impl Shipper<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn log(&self, msg: &str) {
        eprintln!("heliosdb-sync [{}]: {msg}", self.cfg.feed);
    }

    fn run(&mut self) -> Result<SyncReport> {
        while !self.stopped() {
            let result = if self.target.is_none() { self.resume().map(|()| Step::Shipped) } else { self.step() };
            match result {
                Ok(Step::Shipped) => {
                    self.delay = Duration::from_millis(self.cfg.retry_initial_ms);
                    self.progress(false);
                }
                Ok(Step::Idle) => {
                    if self.cfg.once {
                        break;
                    }
                    self.progress(false);
                    self.sleep(Duration::from_millis(self.cfg.poll_interval_ms));
                }
                Err(e) if e.is_transient() => {
                    if !matches!(e, SyncError::Source(_)) && self.target.take().is_some() {
                        self.report.reconnects += 1;
                    }
                    self.log(&format!("{e}; retrying in {} ms", self.delay.as_millis()));
                    self.sleep(self.delay);
                    self.delay = (self.delay * 2).min(Duration::from_millis(self.cfg.retry_max_ms));
                }
                Err(e) => return Err(e),
            }
        }
        self.progress(true);
        Ok(self.report.clone())
    }

    /// Sleeps up to `d`, waking early when `stop` is set.
    fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        while !self.stopped() {
            let now = Instant::now();
            if now >= end {
                break;
            }
            std::thread::sleep((end - now).min(Duration::from_millis(50)));
        }
    }

    /// Connects, creates the target tables, reads the watermark (taking the
    /// initial snapshot when there is none) and brings the source's
    /// acknowledgement up to it.
    fn resume(&mut self) -> Result<()> {
        let mut t = sink::connect(self.cfg)?;
        for name in self.feed.tables.clone() {
            let schema = self.source.table_schema(&name)?;
            t.ensure_table(&schema)?;
        }
        let info = self.current_feed()?;
        let w = match t.watermark()? {
            Some(w) => w,
            None => self.bootstrap(t.as_mut(), info.acked_scn)?,
        };
        if w > info.acked_scn {
            let acked = self.source.ack(&self.cfg.feed, w).map_err(|e| match e {
                e if e.is_transient() => e,
                e => SyncError::Data(format!(
                    "{}'s watermark for source {} is scn {w}, but the source cannot be acknowledged that far \
                     ({e}): is this the database that source id was shipped from? (to ship it afresh, delete its \
                     watermark: its row in {} or, in Kafka, its consumer group's offsets)",
                    t.name(),
                    self.cfg.source_id,
                    crate::target::WATERMARK_TABLE
                )),
            })?;
            self.log(&format!(
                "{} was ahead: acknowledged the source up to scn {w} (was {})",
                t.name(),
                info.acked_scn
            ));
            debug_assert!(acked >= w);
        } else if w < info.acked_scn {
            self.log(&format!(
                "{}'s watermark {w} is behind the feed's acknowledged scn {}: reading after {w}",
                t.name(),
                info.acked_scn
            ));
        }
        self.log(&format!("connected to {}; resuming after scn {w}", t.name()));
        self.watermark = w;
        self.report.watermark = w;
        self.target = Some(t);
        Ok(())
    }

    fn current_feed(&mut self) -> Result<FeedInfo> {
        let name = &self.cfg.feed;
        let info = self.source.feed(name)?.ok_or_else(|| SyncError::Data(format!("changefeed {name} was dropped")))?;
        self.feed = info.clone();
        Ok(info)
    }

    /// The first sync of this source: its tables as of the feed's
    /// acknowledged SCN (rows that predate the feed), with the watermark,
    /// streamed into the sink in pages of `batch` rows inside one sink
    /// transaction, so a table need not fit in memory.
    fn bootstrap(&mut self, t: &mut dyn Sink, at: u64) -> Result<u64> {
        let mut schemas = Vec::new();
        if at > 0 {
            for name in &self.feed.tables {
                schemas.push(t.table(name).cloned().ok_or_else(|| SyncError::Data(format!("no schema for {name}")))?);
            }
        }
        let page_rows = self.cfg.batch.max(1);
        let source = &mut *self.source;
        let mut copied = 0u64;
        t.replace_all(None, at, &mut |ship: &mut dyn FnMut(&[Change]) -> Result<()>| {
            let mut page: Vec<Change> = Vec::with_capacity(page_rows.min(4096));
            for schema in &schemas {
                source.snapshot(schema, at, &mut |c| {
                    page.push(c);
                    if page.len() >= page_rows {
                        ship(&page)?;
                        copied += page.len() as u64;
                        page.clear();
                    }
                    Ok(())
                })?;
            }
            if !page.is_empty() {
                ship(&page)?;
                copied += page.len() as u64;
            }
            Ok(())
        })?;
        self.report.snapshot_rows += copied;
        self.log(&format!("initial sync: {copied} rows as of scn {at}"));
        Ok(at)
    }

    /// One batch: read, apply with the watermark, acknowledge.
    fn step(&mut self) -> Result<Step> {
        let feed = self.cfg.feed.clone();
        let changes = match self.read_ahead.take() {
            Some((after, changes)) if after == self.watermark => changes,
            _ => self.source.changes(&feed, self.watermark, self.cfg.batch)?,
        };
        let Some(last) = changes.last() else {
            if self.ack_behind {
                self.source.ack(&feed, self.watermark)?;
                self.ack_behind = false;
            }
            return Ok(Step::Idle);
        };
        let (new_scn, commit_time) = (last.scn, last.commit_time.clone());
        if let Some(bad) = changes.iter().find(|c| c.scn <= self.watermark) {
            return Err(SyncError::Data(format!(
                "heliosdb_changes returned scn {} at or before the requested {}",
                bad.scn, self.watermark
            )));
        }
        self.learn_schemas(&changes)?;
        let Some(mut t) = self.target.take() else { return Ok(Step::Idle) };
        // The sink applies this batch while the next one is read from the
        // source (it starts after this batch; it is kept only if the batch commits).
        let expected = Some(self.watermark);
        let (applied, next) = std::thread::scope(|s| {
            let apply = s.spawn(|| {
                let r = t.apply(&changes, expected, new_scn, &commit_time);
                (r, t)
            });
            let next = self.source.changes(&feed, new_scn, self.cfg.batch);
            (apply.join(), next)
        });
        let (applied, t) = applied.map_err(|_| SyncError::Data("the apply thread panicked".into()))?;
        self.target = Some(t);
        applied?;
        if let Ok(next) = next {
            if !next.is_empty() {
                self.read_ahead = Some((new_scn, next));
            }
        }
        let txs = 1 + changes.windows(2).filter(|w| w[0].scn != w[1].scn).count() as u64;
        self.watermark = new_scn;
        self.report.watermark = new_scn;
        self.report.changes += changes.len() as u64;
        self.report.transactions += txs;
        self.report.batches += 1;
        match self.source.ack(&feed, new_scn) {
            Ok(_) => self.ack_behind = false,
            Err(e) if e.is_transient() => {
                self.ack_behind = true;
                self.log(&format!("acknowledgement of scn {new_scn} deferred: {e}"));
            }
            Err(e) => return Err(e),
        }
        Ok(Step::Shipped)
    }

    /// Makes sure the target knows every table and column the changes use
    /// (a table added to the feed, a column added by `ALTER TABLE`).
    fn learn_schemas(&mut self, changes: &[Change]) -> Result<()> {
        let Some(t) = self.target.as_mut() else { return Ok(()) };
        let mut stale: Vec<&str> = Vec::new();
        for c in changes {
            let known =
                t.table(&c.table).is_some_and(|s| c.after.iter().chain(c.before.iter()).all(|r| s.knows_all(r)));
            if !known && !stale.contains(&c.table.as_str()) {
                stale.push(&c.table);
            }
        }
        for name in stale {
            let schema = self.source.table_schema(name)?;
            t.ensure_table(&schema)?;
        }
        Ok(())
    }

    /// A progress line on stderr every `progress_interval_sec` (and at the end).
    fn progress(&mut self, last: bool) {
        let every = self.cfg.progress_interval_sec;
        if every == 0 || (!last && self.last_progress.elapsed() < Duration::from_secs(every)) {
            return;
        }
        let secs = self.last_progress.elapsed().as_secs_f64().max(1e-3);
        let recent = self.report.changes - self.shipped_at_progress;
        let backlog = match self.current_feed() {
            Ok(f) => format!("pending {} changes, lag {:.1} s", f.pending_changes, f.lag_sec),
            Err(e) => format!("pending unknown ({e})"),
        };
        let r = &self.report;
        self.log(&format!(
            "{}scn {} | shipped {} changes in {} transactions ({} batches, {:.0}/s lately) | {backlog}",
            if last { "stopped at " } else { "" },
            r.watermark,
            r.changes,
            r.transactions,
            r.batches,
            recent as f64 / secs,
        ));
        self.last_progress = Instant::now();
        self.shipped_at_progress = self.report.changes;
    }
}
