//! `heliosdb_changes('feed' [, max_rows [, after_scn]])`: a feed's changes
//! after its acknowledged SCN (or `after_scn`), in commit order, whole
//! transactions at a time.
//!
//! The log holds one entry per table per commit, so the tables' entries are
//! merged by SCN, and a transaction's changes to several tables are put back
//! in the order they were made by their position in the transaction.

use super::image;
use crate::catalog::{normalize, TableDef};
use crate::error::{sql_err, Error, Result};
use crate::storage::changes::{self, Change, ChangeOp};
use crate::storage::{keys, Reader};
use crate::types::rowcodec::decode_row;
use crate::types::Value;
use std::collections::HashMap;
use std::iter::Peekable;

/// Its columns.
pub const COLUMNS: [&str; 8] = ["scn", "txid", "commit_time", "table_name", "op", "key", "before", "after"];

/// Rows read when the call does not say.
pub const DEFAULT_MAX_ROWS: i64 = 1000;

fn int(x: u64) -> Value {
    Value::Integer(i64::try_from(x).unwrap_or(i64::MAX))
}

/// The arguments: feed name, row budget, and the SCN to read after.
fn arguments(reader: &dyn Reader, args: &[Value]) -> Result<(crate::catalog::FeedDef, usize, u64)> {
    let name = match args.first() {
        Some(Value::Text(n)) => n.as_str(),
        other => return Err(sql_err!("heliosdb_changes() takes a change feed's name first, not {other:?}")),
    };
    let feed = reader.catalog().feeds.get(&normalize(name)).ok_or_else(|| sql_err!("no such change feed: {name}"))?;
    let max = match args.get(1) {
        None | Some(Value::Null) => DEFAULT_MAX_ROWS,
        Some(Value::Integer(n)) if *n > 0 => *n,
        Some(other) => return Err(sql_err!("heliosdb_changes(): max_rows must be a positive integer, not {other}")),
    };
    let after = match args.get(2) {
        None | Some(Value::Null) => feed.acked_scn,
        Some(Value::Integer(n)) if u64::try_from(*n).is_ok_and(|n| n >= feed.acked_scn) => *n as u64,
        Some(other) => {
            return Err(sql_err!(
                "heliosdb_changes(): after_scn must be an SCN at or after the feed's acknowledged SCN {} \
                 (changes before it may already be gone), not {other}",
                feed.acked_scn
            ))
        }
    };
    Ok(((**feed).clone(), usize::try_from(max).unwrap_or(usize::MAX), after))
}

/// The rows of one call.
///
/// # Errors
/// Bad arguments, no such feed, a damaged log record.
pub fn rows(reader: &dyn Reader, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let (feed, max, after) = arguments(reader, args)?;
    let upto = reader.snapshot_scn();
    let by_id: HashMap<u32, &TableDef> = reader.catalog().tables.values().map(|t| (t.id, &**t)).collect();
    let mut streams: Vec<(u32, Peekable<_>)> =
        feed.tables.iter().map(|id| (*id, changes::commits(reader, *id, after, upto).peekable())).collect();
    // Ties in position (records from before positions were stored) keep table-creation order.
    streams.sort_by_key(|(id, _)| *id);
    let mut out = Vec::new();
    loop {
        let mut next: Option<u64> = None;
        for (_, s) in streams.iter_mut() {
            match s.peek() {
                Some(Ok((scn, _))) if next.is_none_or(|best| *scn < best) => next = Some(*scn),
                Some(Err(_)) => return Err(s.next().and_then(Result::err).unwrap_or_else(damaged)),
                _ => {}
            }
        }
        let Some(scn) = next else { break };
        // Whole transactions only: this one is taken if the budget is not spent yet.
        if out.len() >= max {
            break;
        }
        let mut transaction: Vec<(&TableDef, Change)> = Vec::new();
        for (table_id, stream) in streams.iter_mut() {
            if !matches!(stream.peek(), Some(Ok((s, _))) if *s == scn) {
                continue;
            }
            let Some(Ok((_, commit))) = stream.next() else { continue };
            let table = by_id
                .get(table_id)
                .ok_or_else(|| Error::Corrupt(format!("change feed {} follows a table that is gone", feed.name)))?;
            transaction.extend(commit.into_iter().map(|c| (*table, c)));
        }
        transaction.sort_by_key(|(_, c)| c.seq);
        let (txid, time) = match reader.engine().commit_record(scn) {
            Some(r) => (int(r.txid), Value::Text(crate::exec::datetime::format_us(r.time_us))),
            None => (Value::Null, Value::Null),
        };
        for (table, change) in transaction {
            out.push(row(table, scn, &txid, &time, change)?);
        }
    }
    Ok(out)
}

fn damaged() -> Error {
    Error::Corrupt("change log record is damaged".into())
}

fn row(table: &TableDef, scn: u64, txid: &Value, time: &Value, change: Change) -> Result<Vec<Value>> {
    let ncols = table.columns.len();
    let before = change.old.as_deref().map(|b| decode_row(b, ncols)).transpose()?;
    let after = change.new.as_deref().map(|b| decode_row(b, ncols)).transpose()?;
    let keyed = after.as_ref().or(before.as_ref()).ok_or_else(damaged)?;
    let rowid = keys::decode_rowid(&change.row_key);
    let op = match change.op {
        ChangeOp::Insert => "INSERT",
        ChangeOp::Update => "UPDATE",
        ChangeOp::Delete => "DELETE",
    };
    let json = |r: &Option<Vec<Value>>| r.as_ref().map_or(Value::Null, |r| Value::Text(image::row(table, r)));
    Ok(vec![
        int(scn),
        txid.clone(),
        time.clone(),
        Value::Text(table.name.clone()),
        Value::Text(op.into()),
        Value::Text(image::key(table, keyed, rowid)),
        json(&before),
        json(&after),
    ])
}
