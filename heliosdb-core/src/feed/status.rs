//! The `heliosdb_changefeeds` system view: each feed's tables, position and
//! lag, so an operator sees what a feed holds back from retention.

use crate::catalog::Catalog;
use crate::storage::engine::lock;
use crate::storage::Engine;
use crate::types::Value;

/// Its columns.
pub const COLUMNS: [&str; 6] = ["name", "tables", "created_scn", "acked_scn", "pending_changes", "lag_sec"];

/// One row per feed, by name: `pending_changes` counts the logged row
/// changes after its acknowledged SCN; `lag_sec` is the age at `now_us` of
/// the oldest of them (0 when none is pending).
pub fn rows(engine: &Engine, catalog: &Catalog, now_us: i64) -> Vec<Vec<Value>> {
    let int = |x: u64| Value::Integer(i64::try_from(x).unwrap_or(i64::MAX));
    let mut out = Vec::with_capacity(catalog.feeds.len());
    for feed in catalog.feeds.values() {
        let (mut pending, mut oldest) = (0u64, None::<u64>);
        {
            let index = lock(&engine.change_index);
            for t in &feed.tables {
                let (n, first) = index.pending(*t, feed.acked_scn);
                pending += n;
                oldest = match (oldest, first) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        let lag_us = oldest.and_then(|s| engine.commit_time(s)).map_or(0, |t| (now_us - t).max(0));
        let names: Vec<&str> = feed
            .tables
            .iter()
            .filter_map(|id| catalog.tables.values().find(|t| t.id == *id).map(|t| t.name.as_str()))
            .collect();
        out.push(vec![
            Value::Text(feed.name.clone()),
            Value::Text(names.join(", ")),
            int(feed.created_scn),
            int(feed.acked_scn),
            int(pending),
            Value::Real(lag_us as f64 / 1e6),
        ]);
    }
    out
}
