//! Change-feed functions: read a feed's pending changes as a statement,
//! acknowledge a position. They are the C forms of `heliosdb_changes(…)`
//! and `heliosdb_ack(…)`, so their meaning lives in the engine and these
//! only shape the arguments.

use crate::guard::{fail, misuse, run, str_arg};
use crate::handles::{db_get, heliosdb, heliosdb_stmt};
use crate::stmt::prepare_with;
use crate::{HELIOSDB_OK, HELIOSDB_RANGE};
use heliosdb_core::Value;
use std::os::raw::{c_char, c_int};

/// The columns every feed read returns, in this order.
const COLUMNS: &str = "scn, txid, commit_time, table_name, op, key, before, after";

/// Reads change feed `feed`: on success `*out_stmt` receives a statement
/// (owned by the caller, released with heliosdb_finalize) whose rows are
/// the feed's changes in commit order, with the columns
/// `scn, txid, commit_time, table_name, op, key, before, after`
/// (0 to 7; `op` is 'INSERT', 'UPDATE' or 'DELETE'; `key`, `before` and `after` are JSON
/// text, `before` NULL for an insert and `after` NULL for a delete).
/// Step it with heliosdb_step and read it with the heliosdb_column_*
/// functions like any statement; heliosdb_reset and a new step read again.
///
/// The rows start after the feed's acknowledged SCN, or after `after_scn`
/// when it is ≥ 0 (to read ahead before acknowledging; it may not be below
/// the acknowledged SCN). About `max_rows` rows come back (≥ 1): a
/// transaction is never split, so the last one is returned whole even if it
/// passes the budget. Reading does not move the feed: call
/// heliosdb_feed_ack with the last `scn` applied.
///
/// On any failure `*out_stmt` is set to NULL (whenever `out_stmt` is not
/// NULL). Returns HELIOSDB_OK, HELIOSDB_RANGE (`max_rows` < 1) or
/// HELIOSDB_MISUSE (NULL or closed `db`, NULL `feed` or `out_stmt`, bad
/// UTF-8). An unknown feed, or an `after_scn` below the acknowledged SCN,
/// is reported by the first heliosdb_step as HELIOSDB_ERROR, as for any
/// name a statement reads.
#[no_mangle]
pub extern "C" fn heliosdb_feed_read(
    db: *mut heliosdb,
    feed: *const c_char,
    max_rows: c_int,
    after_scn: i64,
    out_stmt: *mut *mut heliosdb_stmt,
) -> c_int {
    if !out_stmt.is_null() {
        // SAFETY: out_stmt is non-NULL caller storage for one pointer (documented contract).
        unsafe { *out_stmt = std::ptr::null_mut() };
    }
    let Some(d) = db_get(db) else {
        return run(None, || Err(misuse("heliosdb_feed_read: db is NULL or not open")));
    };
    run(Some(&d), || {
        if out_stmt.is_null() {
            return Err(misuse("out_stmt is NULL"));
        }
        let feed = str_arg(feed, "feed")?;
        if max_rows < 1 {
            return Err((HELIOSDB_RANGE, format!("heliosdb_feed_read: max_rows must be at least 1, not {max_rows}")));
        }
        let mut values = vec![Value::from(feed), Value::Integer(i64::from(max_rows))];
        let sql = if after_scn < 0 {
            format!("SELECT {COLUMNS} FROM heliosdb_changes(?1, ?2)")
        } else {
            values.push(Value::Integer(after_scn));
            format!("SELECT {COLUMNS} FROM heliosdb_changes(?1, ?2, ?3)")
        };
        let handle = prepare_with(&d, &sql, Some(values))?;
        // SAFETY: as above.
        unsafe { *out_stmt = handle };
        Ok(HELIOSDB_OK)
    })
}

/// Acknowledges change feed `feed` up to and including SCN `scn`: the
/// changes up to it are consumed, and the log they used is freed in the
/// same commit. Acknowledging is durable and monotonic: an `scn` at or
/// below the acknowledged one changes nothing.
///
/// Call it after the changes are safely applied elsewhere, outside an
/// explicit transaction that has written (COMMIT first).
/// Returns HELIOSDB_OK, HELIOSDB_ERROR (unknown feed, an `scn` past the
/// newest commit or below 0, a transaction that has written is open),
/// HELIOSDB_BUSY (another connection holds the write lock past the busy
/// timeout) or HELIOSDB_MISUSE (NULL or closed `db`, NULL `feed`, bad UTF-8).
#[no_mangle]
pub extern "C" fn heliosdb_feed_ack(db: *mut heliosdb, feed: *const c_char, scn: i64) -> c_int {
    let Some(d) = db_get(db) else {
        return run(None, || Err(misuse("heliosdb_feed_ack: db is NULL or not open")));
    };
    run(Some(&d), || {
        let feed = str_arg(feed, "feed")?;
        let conn = d.conn();
        let mut st = conn.prepare_owned("SELECT heliosdb_ack(?1, ?2)").map_err(fail)?;
        conn.run_prepared(&mut st, vec![Value::from(feed), Value::Integer(scn)]).map_err(fail)?;
        Ok(HELIOSDB_OK)
    })
}
