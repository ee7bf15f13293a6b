//! The auto-refresh scheduler: a background thread owned by the database
//! (stopped when it closes) that, every `check_interval_sec`, refreshes the
//! views with `auto_refresh` whose oldest pending change is older than their
//! `staleness_threshold_sec`, most stale first — but only while system CPU
//! use is at most the view's `cpu_threshold`, unless the view is older than
//! its `max_staleness_sec` (a hard deadline that wins over load). At most
//! `max_concurrent_refreshes` views refresh per check. A failing refresh marks
//! the view 'failed' and is retried with exponential backoff.
//!
//! CPU use comes from a [`CpuSource`], so tests can simulate load.

use super::refresh;
use super::staleness::pending;
use crate::storage::engine::lock;
use crate::storage::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the scheduler learns how busy the machine is.
pub trait CpuSource: Send {
    /// System CPU use since the previous call, as a fraction in `[0, 1]`;
    /// `None` when it cannot be measured (refreshes are then not held back).
    fn usage(&mut self) -> Option<f64>;
}

/// CPU use from `/proc/stat` (Linux): busy time over total time between samples.
#[derive(Debug, Default)]
pub struct ProcStat {
    last: Option<(u64, u64)>,
}

impl ProcStat {
    fn sample() -> Option<(u64, u64)> {
        let text = std::fs::read_to_string("/proc/stat").ok()?;
        let line = text.lines().find(|l| l.starts_with("cpu "))?;
        let v: Vec<u64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
        let idle = v.get(3)? + v.get(4).unwrap_or(&0); // idle + iowait
        Some((idle, v.iter().sum()))
    }
}

impl CpuSource for ProcStat {
    fn usage(&mut self) -> Option<f64> {
        let now = ProcStat::sample()?;
        let prev = self.last.replace(now)?;
        let total = now.1.saturating_sub(prev.1);
        if total == 0 {
            return Some(0.0);
        }
        let idle = now.0.saturating_sub(prev.0);
        Some(1.0 - idle as f64 / total as f64)
    }
}

/// Failure bookkeeping: when each failing view may be tried again.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: HashMap<u32, (u32, i64)>,
}

/// Runs one scheduler check at `now_us`; returns the views it refreshed.
/// (The background thread calls this every interval; embedders and tests can
/// call it with their own CPU source.)
pub fn tick(engine: &Arc<Engine>, cpu: &mut dyn CpuSource, backoff: &Mutex<Backoff>, now_us: i64) -> Vec<String> {
    let defaults = engine.config().materialized_views.clone();
    let catalog = engine.catalog();
    let mut due: Vec<(i64, bool, String, u32)> = Vec::new();
    for view in catalog.tables.values() {
        let Some(def) = &view.mv else { continue };
        let o = &def.options;
        if !o.auto_refresh.unwrap_or(defaults.default_auto_refresh) {
            continue;
        }
        let (count, oldest) = pending(engine, view, now_us);
        let never = def.refresh_scn.is_none();
        if count == 0 && !never {
            continue;
        }
        let age = oldest.map_or(0, |t| (now_us - t).max(0) / 1_000_000);
        let threshold = o.staleness_threshold_sec.unwrap_or(defaults.default_staleness_threshold_sec) as i64;
        if age < threshold && !never {
            continue;
        }
        if lock(backoff).failures.get(&view.id).is_some_and(|(_, until)| *until > now_us) {
            continue;
        }
        let deadline = o.max_staleness_sec.is_some_and(|m| age >= m as i64);
        due.push((age, deadline, view.name.clone(), view.id));
    }
    if due.is_empty() {
        return Vec::new();
    }
    due.sort_by(|a, b| b.0.cmp(&a.0)); // most stale first
    let load = cpu.usage();
    let busy = engine.config().database.busy_timeout_ms;
    let max = engine.config().scheduler.max_concurrent_refreshes.max(1) as usize;
    let interval_us = engine.config().scheduler.check_interval_sec as i64 * 1_000_000;
    let mut done = Vec::new();
    for (_, deadline, name, id) in due {
        if done.len() >= max {
            break;
        }
        let limit = catalog
            .table(&name)
            .ok()
            .and_then(|t| t.mv.as_ref().and_then(|d| d.options.cpu_threshold))
            .unwrap_or(defaults.default_cpu_threshold);
        if !deadline && load.is_some_and(|l| l > limit) {
            continue; // busy: wait for a quieter check
        }
        match refresh::run(engine, &name, true, Duration::from_millis(busy)) {
            Ok(_) => {
                lock(backoff).failures.remove(&id);
                done.push(name);
            }
            Err(_) => {
                let mut b = lock(backoff);
                let entry = b.failures.entry(id).or_insert((0, 0));
                entry.0 += 1;
                let wait = interval_us.saturating_mul(1 << entry.0.min(6)).min(3_600_000_000);
                entry.1 = now_us + wait;
            }
        }
    }
    done
}

/// Starts the scheduler thread for `engine` (when materialized views are
/// enabled); dropping the handle stops it.
pub(crate) fn start(engine: &Arc<Engine>) -> Option<crate::storage::background::Periodic> {
    if !engine.config().materialized_views.enabled {
        return None;
    }
    let interval = Duration::from_secs(engine.config().scheduler.check_interval_sec.max(1));
    let mut cpu = ProcStat::default();
    let _ = cpu.usage(); // the first sample only sets the baseline
    let backoff = Mutex::new(Backoff::default());
    crate::storage::background::every(engine, "heliosdb-mv-scheduler", interval, move |engine| {
        tick(engine, &mut cpu, &backoff, crate::storage::commit_log::now_micros());
    })
}
