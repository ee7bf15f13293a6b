//! Change feed definitions: which tables a feed follows and how far its
//! consumer has acknowledged. Like a materialized view's refresh SCN, the
//! acknowledged SCN is catalog state, so it moves atomically with the
//! change-log trim it allows.

use super::Catalog;
use serde::{Deserialize, Serialize};

/// One `CREATE CHANGEFEED`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedDef {
    /// The name as written.
    pub name: String,
    /// Ids of the tables it follows, in the order named.
    pub tables: Vec<u32>,
    /// The commit that created it: it carries changes committed after this.
    pub created_scn: u64,
    /// The consumer has every change up to this SCN (starts at `created_scn`).
    pub acked_scn: u64,
}

impl Catalog {
    /// The oldest SCN whose later changes to `table_id` some consumer (a
    /// materialized view or a change feed) still needs, or `None` when the
    /// table has no consumer. Changes at or before it may be deleted.
    pub fn change_floor(&self, table_id: u32) -> Option<u64> {
        let views = self
            .tables
            .values()
            .filter_map(|t| t.mv.as_ref())
            .filter(|d| d.base_tables.contains(&table_id))
            .map(|d| d.refresh_scn.unwrap_or(0));
        let feeds = self.feeds.values().filter(|f| f.tables.contains(&table_id)).map(|f| f.acked_scn);
        views.chain(feeds).min()
    }

    /// Whether any consumer reads `table_id`'s change log.
    pub fn has_change_consumer(&self, table_id: u32) -> bool {
        self.change_floor(table_id).is_some()
    }
}

impl Catalog {
    /// Turns change logging on or off for `ids` to match whether a consumer
    /// reads them (a table's `track_changes` flag).
    pub fn sync_tracking(&mut self, ids: &[u32]) {
        for id in ids {
            let wanted = self.has_change_consumer(*id);
            let found = self.tables.iter().find(|(_, t)| t.id == *id).map(|(k, t)| (k.clone(), t.clone()));
            if let Some((key, t)) = found {
                if t.track_changes != wanted {
                    let mut t = (*t).clone();
                    t.track_changes = wanted;
                    self.tables.insert(key, std::sync::Arc::new(t));
                }
            }
        }
    }
}
