//! Change feeds: a durable, ordered stream of a set of tables' committed
//! changes for a consumer outside the database (a sync into PostgreSQL, a
//! message queue).
//!
//! A feed is one more consumer of the change log ([`crate::storage::changes`]),
//! beside materialized views: while it exists its tables log every change,
//! and the log keeps every change after the feed's acknowledged SCN. The
//! consumer reads with `heliosdb_changes('f')` ([`read`]), applies what it
//! read, then acknowledges with `heliosdb_ack('f', scn)` ([`ack`]); the
//! acknowledgement and the log trim it allows commit together.
//!
//! * [`read`] — the rows of `heliosdb_changes`, whole transactions at a time;
//! * [`image`] — row images and keys as JSON;
//! * [`status`] — the `heliosdb_changefeeds` system view (position and lag).

pub mod image;
pub mod read;
pub mod status;

use crate::catalog::{normalize, FeedDef};
use crate::error::{sql_err, Error, Result};
use crate::storage::{changes, Engine, Reader, WriteTx};
use std::sync::Arc;
use std::time::Duration;

/// `CREATE CHANGEFEED name FOR TABLE tables…`: the feed carries every
/// change committed after this transaction.
///
/// # Errors
/// A feed of that name exists (without IF NOT EXISTS); a table is missing
/// or is a materialized view.
pub fn create(tx: &mut WriteTx, name: &str, tables: &[String], if_not_exists: bool) -> Result<()> {
    if tx.catalog().feeds.contains_key(&normalize(name)) {
        if if_not_exists {
            return Ok(());
        }
        return Err(sql_err!("change feed {name} already exists"));
    }
    let mut ids = Vec::with_capacity(tables.len());
    for t in tables {
        let def = tx.catalog().table(t)?;
        if def.mv.is_some() {
            return Err(sql_err!("{t} is a materialized view: a change feed follows tables"));
        }
        if !ids.contains(&def.id) {
            ids.push(def.id);
        }
    }
    // The feed starts at this commit: a consumer copies the tables AS OF it,
    // then applies what comes after.
    let scn = tx.scn();
    let feed = FeedDef { name: name.to_string(), tables: ids.clone(), created_scn: scn, acked_scn: scn };
    let cat = tx.catalog_mut();
    cat.feeds.insert(normalize(name), Arc::new(feed));
    cat.sync_tracking(&ids);
    cat.version = crate::catalog::next_version();
    Ok(())
}

/// `DROP CHANGEFEED name`: stops the logging no other consumer needs and
/// frees the log the feed was holding.
///
/// # Errors
/// No such feed (without IF EXISTS); storage errors trimming the log.
pub fn drop(tx: &mut WriteTx, name: &str, if_exists: bool) -> Result<()> {
    let Some(feed) = tx.catalog().feeds.get(&normalize(name)).cloned() else {
        if if_exists {
            return Ok(());
        }
        return Err(sql_err!("no such change feed: {name}"));
    };
    let cat = tx.catalog_mut();
    cat.feeds.remove(&normalize(name));
    cat.sync_tracking(&feed.tables);
    cat.version = crate::catalog::next_version();
    trim_consumed(tx, &feed.tables)
}

/// Deletes the logged changes of `tables` that every remaining consumer has
/// (all of them when none is left).
///
/// # Errors
/// Storage errors.
pub fn trim_consumed(tx: &mut WriteTx, tables: &[u32]) -> Result<()> {
    for id in tables {
        match tx.catalog().change_floor(*id) {
            None => changes::trim(tx, *id, u64::MAX)?,
            Some(upto) if upto > 0 => changes::trim(tx, *id, upto)?,
            Some(_) => {}
        }
    }
    Ok(())
}

/// `heliosdb_ack('name', scn)`: the consumer has applied every change up to
/// `scn`. Monotonic (an older SCN changes nothing); returns the feed's
/// acknowledged SCN. Runs as its own transaction, durable when it returns
/// (as any commit is under the configured durability).
///
/// # Errors
/// No such feed; `scn` later than the newest commit; the writer lock not
/// free within `busy`; storage errors.
pub fn ack(engine: &Arc<Engine>, name: &str, scn: u64, busy: Duration) -> Result<u64> {
    let mut tx = engine.begin_write(busy)?;
    let feed =
        tx.catalog().feeds.get(&normalize(name)).cloned().ok_or_else(|| sql_err!("no such change feed: {name}"))?;
    let newest = tx.snapshot_scn();
    if scn > newest {
        return Err(Error::Sql(format!(
            "cannot acknowledge SCN {scn} of change feed {name}: the newest commit is SCN {newest}"
        )));
    }
    if scn <= feed.acked_scn {
        return Ok(feed.acked_scn);
    }
    let moved = FeedDef { acked_scn: scn, ..(*feed).clone() };
    let cat = tx.catalog_mut();
    cat.feeds.insert(normalize(name), Arc::new(moved));
    cat.version = crate::catalog::next_version();
    trim_consumed(&mut tx, &feed.tables)?;
    tx.commit()?;
    Ok(scn)
}
