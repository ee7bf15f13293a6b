//! Connection-level functions: open, close, exec, errors, counters, JSON.

use crate::guard::{fail, misuse, quiet, run, run_value, str_arg, Fail};
use crate::handles::{
    db_get, global_errcode, global_errmsg_ptr, heliosdb, register_db, unregister_db_if, CloseResult, Db,
};
use crate::{HELIOSDB_BUSY, HELIOSDB_OK};
use heliosdb_core::{Config, Connection, Value};
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::Ordering;

fn open_impl(path: *const c_char, config: *const c_char, out_db: *mut *mut heliosdb) -> c_int {
    run(None, || {
        if out_db.is_null() {
            return Err(misuse("out_db is NULL"));
        }
        // SAFETY: out_db is non-NULL and points at caller storage for one pointer.
        unsafe { *out_db = std::ptr::null_mut() };
        let cfg = if config.is_null() { None } else { Some(Config::parse(str_arg(config, "config")?).map_err(fail)?) };
        let path = if path.is_null() {
            cfg.as_ref()
                .and_then(|c| c.database.path.clone())
                .ok_or_else(|| misuse("path is NULL and the configuration has no database.path"))?
        } else {
            str_arg(path, "path")?.to_string()
        };
        let conn = match &cfg {
            Some(c) => Connection::open_with(&path, c),
            None => Connection::open(&path),
        }
        .map_err(fail)?;
        let handle = register_db(Db::new(conn));
        // SAFETY: as above.
        unsafe { *out_db = handle };
        Ok(HELIOSDB_OK)
    })
}

/// Opens (creating if needed) the database in directory `path`; ":memory:"
/// opens a private temporary database deleted at close. A path already open
/// in this process shares its engine (and its settings).
///
/// On success `*out_db` receives a handle owned by the caller, to be released
/// with heliosdb_close. On failure `*out_db` is set to NULL and
/// heliosdb_errmsg(NULL) describes the error.
///
/// A handle is a token, not an address: once closed it stays invalid even if
/// the memory it once named is reused, and every later call with it returns
/// HELIOSDB_MISUSE.
/// Returns HELIOSDB_OK, HELIOSDB_BUSY ("database is locked" by another
/// process), HELIOSDB_CORRUPT (not a HeliosDB directory), HELIOSDB_IOERR,
/// or HELIOSDB_MISUSE (NULL arguments, path not UTF-8).
#[no_mangle]
pub extern "C" fn heliosdb_open(path: *const c_char, out_db: *mut *mut heliosdb) -> c_int {
    open_impl(path, std::ptr::null(), out_db)
}

/// Like heliosdb_open, with a configuration given as TOML or JSON text (the
/// structure of heliosdb.toml; NULL = defaults). `path` may be NULL when the
/// configuration sets database.path. A bad configuration (unknown key, wrong
/// type, value out of range) returns HELIOSDB_ERROR with a message naming the
/// key. When the path is already open in this process with different
/// settings, returns HELIOSDB_MISUSE (the settings of an open database cannot
/// change; `database.busy_timeout_ms` may differ, it is per connection).
#[no_mangle]
pub extern "C" fn heliosdb_open_with_config(
    path: *const c_char,
    config: *const c_char,
    out_db: *mut *mut heliosdb,
) -> c_int {
    open_impl(path, config, out_db)
}

/// Closes a connection and rolls back its open transaction. NULL is a no-op
/// returning HELIOSDB_OK. Returns HELIOSDB_BUSY (and closes nothing) while
/// statements prepared on it are not finalized, HELIOSDB_MISUSE for a handle
/// that is not open. After HELIOSDB_OK the handle is invalid.
///
/// Closing while another thread's call on the same handle is in flight is
/// safe: the handle becomes invalid at once (later calls get
/// HELIOSDB_MISUSE), the call in flight stops at its next row with
/// HELIOSDB_INTERRUPT (a write it was making is undone), and the connection
/// is released when that call returns.
#[no_mangle]
pub extern "C" fn heliosdb_close(db: *mut heliosdb) -> c_int {
    if db.is_null() {
        return HELIOSDB_OK;
    }
    run(None, || {
        let outcome = unregister_db_if(db, |d| match d.live_stmts.load(Ordering::SeqCst) {
            0 => Ok(()),
            n => Err(format!("cannot close: {n} statement(s) not finalized")),
        });
        match outcome {
            CloseResult::Closed(d) => {
                // A call still running on another thread stops and releases it.
                d.interrupt.interrupt_for_good();
                drop(d);
                Ok(HELIOSDB_OK)
            }
            CloseResult::Refused(d, why) => {
                d.set_error(HELIOSDB_BUSY, &why);
                Err((HELIOSDB_BUSY, why))
            }
            CloseResult::NotOpen => Err(misuse("heliosdb_close: the handle is not an open database")),
        }
    })
}

/// Runs one or more ';'-separated statements, discarding result rows.
/// The whole text is parsed first: a syntax error anywhere runs nothing.
/// Then the statements run in order and stop at the first one that fails
/// (earlier ones stay applied; an open transaction stays open).
/// Returns HELIOSDB_OK or the failing statement's error code.
#[no_mangle]
pub extern "C" fn heliosdb_exec(db: *mut heliosdb, sql: *const c_char) -> c_int {
    let Some(d) = db_get(db) else {
        return run(None, || Err(misuse("heliosdb_exec: db is NULL or not open")));
    };
    run(Some(&d), || {
        let sql = str_arg(sql, "sql")?;
        d.conn().execute_each(sql, |_| Ok(())).map_err(fail)?;
        Ok(HELIOSDB_OK)
    })
}

/// Checkpoint: moves what the engine holds in memory into table files, so
/// the next open has no journal to replay (the same as the SQL `CHECKPOINT`
/// or `PRAGMA wal_checkpoint`; closing the last handle on a database does it
/// too). Committed data is safe without it. Other connections keep working
/// meanwhile.
/// Returns HELIOSDB_OK, HELIOSDB_IOERR, or HELIOSDB_MISUSE for a handle
/// that is not open.
#[no_mangle]
pub extern "C" fn heliosdb_checkpoint(db: *mut heliosdb) -> c_int {
    let Some(d) = db_get(db) else {
        return run(None, || Err(misuse("heliosdb_checkpoint: db is NULL or not open")));
    };
    run(Some(&d), || {
        d.conn().checkpoint().map_err(fail)?;
        Ok(HELIOSDB_OK)
    })
}

/// Online backup: writes a consistent copy of the database as of its latest
/// commit into the directory `dest_dir` (UTF-8 path; it must not exist, or
/// be empty), while this and other connections keep reading and writing.
/// The copy opens with heliosdb_open as a normal database, with its
/// time-travel history and materialized views. It is built beside
/// `dest_dir` under the name `dest_dir` + ".partial" and renamed into place
/// when complete, so after a crash `dest_dir` is either absent or whole.
/// The same as the SQL `VACUUM INTO 'dest_dir'`, which also reports the
/// copy's SCN through heliosdb_notice and takes `WITHOUT HISTORY` for a
/// compact copy. Does not touch an open transaction of `db`.
/// Returns HELIOSDB_OK; HELIOSDB_ERROR when `dest_dir` exists and is not
/// empty or overlaps the database's own directory; HELIOSDB_IOERR;
/// HELIOSDB_MISUSE for NULL arguments, a path that is not UTF-8, or a handle
/// that is not open.
#[no_mangle]
pub extern "C" fn heliosdb_backup(db: *mut heliosdb, dest_dir: *const c_char) -> c_int {
    let Some(d) = db_get(db) else {
        return run(None, || Err(misuse("heliosdb_backup: db is NULL or not open")));
    };
    run(Some(&d), || {
        let dest = str_arg(dest_dir, "dest_dir")?;
        d.conn().backup(dest, heliosdb_core::BackupHistory::Keep).map_err(fail)?;
        Ok(HELIOSDB_OK)
    })
}

/// The message of the calling thread's last failed call on `db` (or, for
/// db = NULL or a handle that is not open, of its last call that had no valid
/// handle, such as a failed heliosdb_open); "not an error" when the calling
/// thread's latest status-returning call on it succeeded.
///
/// Lifetime: the string is owned by the library and stays valid until this
/// thread's next *failing* call on the same handle (a function returning an
/// error status, or heliosdb_query_json returning NULL), or until
/// heliosdb_close. Successful calls, column accessors and counters never
/// free it, so it may be read after a later successful call.
#[no_mangle]
pub extern "C" fn heliosdb_errmsg(db: *mut heliosdb) -> *const c_char {
    quiet(std::ptr::null(), || {
        Some(match db_get(db) {
            Some(d) => d.errmsg_ptr(),
            None => global_errmsg_ptr(),
        })
    })
}

/// The status code of the calling thread's latest status-returning call on
/// `db` that failed, or HELIOSDB_OK when its latest such call succeeded (for
/// db = NULL or a handle that is not open: of its calls that had no valid
/// handle). For bindings that read the code after the fact, beside
/// heliosdb_errmsg.
#[no_mangle]
pub extern "C" fn heliosdb_errcode(db: *mut heliosdb) -> c_int {
    quiet(crate::HELIOSDB_ERROR, || {
        Some(match db_get(db) {
            Some(d) => d.errcode(),
            None => global_errcode(),
        })
    })
}

/// The notice the last statement run on `db` left, or NULL if it left none
/// (also NULL for a NULL or closed handle). CREATE MATERIALIZED VIEW says
/// whether the view is maintained incrementally and, if not, which part of
/// its query prevents it; REFRESH … INCREMENTALLY says when it had to refresh
/// fully.
///
/// Lifetime: owned by the library; valid until a heliosdb_notice call on the
/// same handle returns a different text (or NULL), or until heliosdb_close.
#[no_mangle]
pub extern "C" fn heliosdb_notice(db: *mut heliosdb) -> *const c_char {
    quiet(std::ptr::null(), || db_get(db).map(|d| d.notice_ptr()))
}

/// Stops the statement running on `db`, from any thread: it stops at its
/// next row and its heliosdb_step (or heliosdb_exec, heliosdb_query_json)
/// returns HELIOSDB_INTERRUPT; a write statement stopped this way changed
/// nothing, and the connection stays usable. A statement that has already
/// returned rows gets HELIOSDB_INTERRUPT at its next heliosdb_step. Only the
/// statements running (or holding unread rows) when it is called are
/// affected: statements started after it returns run normally, so a late
/// cancellation never fails the next statement.
/// Returns HELIOSDB_OK, or HELIOSDB_MISUSE for a handle that is not open.
#[no_mangle]
pub extern "C" fn heliosdb_interrupt(db: *mut heliosdb) -> c_int {
    quiet(crate::HELIOSDB_MISUSE, || {
        Some(match db_get(db) {
            Some(d) => {
                d.interrupt.interrupt();
                HELIOSDB_OK
            }
            None => crate::HELIOSDB_MISUSE,
        })
    })
}

/// How long a write on `db` waits, in milliseconds, for another
/// connection's write transaction to finish before failing with
/// HELIOSDB_BUSY. `ms` <= 0 means do not wait. The default is the
/// configuration's `database.busy_timeout_ms` (5000).
/// Returns HELIOSDB_OK or HELIOSDB_MISUSE for a handle that is not open.
#[no_mangle]
pub extern "C" fn heliosdb_busy_timeout(db: *mut heliosdb, ms: c_int) -> c_int {
    let Some(d) = db_get(db) else {
        return run(None, || Err(misuse("heliosdb_busy_timeout: db is NULL or not open")));
    };
    run(Some(&d), || {
        let ms = u64::try_from(ms).unwrap_or(0);
        d.conn().set_busy_timeout(std::time::Duration::from_millis(ms));
        Ok(HELIOSDB_OK)
    })
}

/// 1 when no explicit transaction is open on `db` (each statement commits
/// by itself), 0 inside BEGIN … COMMIT/ROLLBACK; 0 for a handle that is not open.
#[no_mangle]
pub extern "C" fn heliosdb_get_autocommit(db: *mut heliosdb) -> c_int {
    quiet(0, || db_get(db).map(|d| c_int::from(d.conn().is_autocommit())))
}

/// Rows changed by the latest INSERT, UPDATE or DELETE on this connection
/// (0 for a NULL or closed handle).
#[no_mangle]
pub extern "C" fn heliosdb_changes(db: *mut heliosdb) -> i64 {
    quiet(0, || db_get(db).map(|d| i64::try_from(d.conn().changes()).unwrap_or(i64::MAX)))
}

/// Rowid of the latest row inserted into a rowid table on this connection (0 if none).
#[no_mangle]
pub extern "C" fn heliosdb_last_insert_rowid(db: *mut heliosdb) -> i64 {
    quiet(0, || db_get(db).map(|d| d.conn().last_insert_rowid()))
}

/// The library version, e.g. "0.1.0". Lifetime: static storage, valid for
/// the life of the process; never free it.
#[no_mangle]
pub extern "C" fn heliosdb_version() -> *const c_char {
    static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

fn json_param(v: &serde_json::Value) -> Result<Value, Fail> {
    Ok(match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => return Err(misuse(format!("parameter {other} is not a scalar"))),
    })
}

/// Runs one statement and returns its result as JSON text:
/// `{"columns":["a",…],"rows":[[1,"x"],…],"changes":N}`. `params_json` is NULL,
/// a JSON array (positional parameters) or an object (named: ":name" or
/// "name"). DECIMAL values come back as strings (exact), BLOBs as lowercase
/// hex strings, BOOLEANs as true/false.
/// Lifetime: the returned string is the caller's; it lives until the caller
/// releases it with heliosdb_free. NULL on error (then heliosdb_errmsg(db)
/// says why).
#[no_mangle]
pub extern "C" fn heliosdb_query_json(
    db: *mut heliosdb,
    sql: *const c_char,
    params_json: *const c_char,
) -> *mut c_char {
    let Some(d) = db_get(db) else {
        return run_value(None, std::ptr::null_mut(), || Err(misuse("heliosdb_query_json: db is NULL or not open")));
    };
    run_value(Some(&d), std::ptr::null_mut(), || {
        let sql = str_arg(sql, "sql")?;
        let conn = d.conn();
        let mut st = conn.prepare_owned(sql).map_err(fail)?;
        let mut values = vec![Value::Null; st.parameter_count()];
        if !params_json.is_null() {
            let text = str_arg(params_json, "params_json")?;
            let parsed: serde_json::Value =
                serde_json::from_str(text).map_err(|e| misuse(format!("params_json is not valid JSON: {e}")))?;
            match parsed {
                serde_json::Value::Array(items) => {
                    if items.len() != values.len() {
                        return Err((
                            crate::HELIOSDB_RANGE,
                            format!("the statement has {} parameter(s) but {} were given", values.len(), items.len()),
                        ));
                    }
                    for (slot, item) in values.iter_mut().zip(&items) {
                        *slot = json_param(item)?;
                    }
                }
                serde_json::Value::Object(map) => {
                    for (k, v) in &map {
                        let name = if k.starts_with([':', '@', '$', '?']) { k.clone() } else { format!(":{k}") };
                        let i = st
                            .parameter_index(&name)
                            .ok_or_else(|| (crate::HELIOSDB_RANGE, format!("no parameter named {name}")))?;
                        values[i - 1] = json_param(v)?;
                    }
                }
                serde_json::Value::Null => {}
                _ => return Err(misuse("params_json must be an array, an object or null")),
            }
        }
        let out = conn.run_prepared(&mut st, values).map_err(fail)?;
        let rows = out
            .rows
            .map(|r| r.map(|r| serde_json::Value::Array(r.iter().map(Value::to_json).collect())))
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        let doc = serde_json::json!({ "columns": out.columns, "rows": rows, "changes": out.changes });
        let text = CString::new(doc.to_string()).map_err(|_| misuse("result contains a NUL byte"))?;
        Ok(text.into_raw())
    })
}

/// Releases a string the library allocated (the result of heliosdb_query_json).
/// NULL is a no-op. Passing any other pointer is undefined behaviour.
#[no_mangle]
pub extern "C" fn heliosdb_free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: documented contract: `p` came from CString::into_raw in this library.
        drop(unsafe { CString::from_raw(p.cast()) });
    });
}
