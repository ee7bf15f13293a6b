//! Connection-level functions: open, close, exec, errors, counters, JSON.

use crate::guard::{fail, misuse, run, run_value, str_arg, Fail};
use crate::handles::{db_ref, global_errmsg_ptr, heliosdb, register, unregister};
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
        let cfg = if config.is_null() {
            Config::default()
        } else {
            Config::parse(str_arg(config, "config")?).map_err(fail)?
        };
        let path = if path.is_null() {
            cfg.database
                .path
                .clone()
                .ok_or_else(|| misuse("path is NULL and the configuration has no database.path"))?
        } else {
            str_arg(path, "path")?.to_string()
        };
        let conn = Connection::open_with(&path, &cfg).map_err(fail)?;
        let handle = Box::into_raw(Box::new(heliosdb::new(conn)));
        register(handle as usize);
        // SAFETY: as above.
        unsafe { *out_db = handle };
        Ok(HELIOSDB_OK)
    })
}

/// Opens (creating if needed) the database in directory `path`; ":memory:"
/// opens a private temporary database deleted at close.
///
/// On success `*out_db` receives a handle owned by the caller, to be released
/// with heliosdb_close. On failure `*out_db` is set to NULL and
/// heliosdb_errmsg(NULL) describes the error.
/// Returns HELIOSDB_OK, HELIOSDB_BUSY ("database is locked" by another
/// process), HELIOSDB_CORRUPT (not a HeliosDB directory), HELIOSDB_IOERR,
/// or HELIOSDB_MISUSE (NULL arguments, path not UTF-8).
#[no_mangle]
pub extern "C" fn heliosdb_open(path: *const c_char, out_db: *mut *mut heliosdb) -> c_int {
    open_impl(path, std::ptr::null(), out_db)
}

/// Like heliosdb_open, with a configuration given as TOML or JSON text (the
/// structure of heliosdb.toml; NULL = defaults). `path` may be NULL when the
/// configuration sets database.path. A bad configuration returns
/// HELIOSDB_ERROR with a message naming the key.
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
#[no_mangle]
pub extern "C" fn heliosdb_close(db: *mut heliosdb) -> c_int {
    if db.is_null() {
        return HELIOSDB_OK;
    }
    let Some(d) = db_ref(db) else {
        return run(None, || Err(misuse("heliosdb_close: the handle is not an open database")));
    };
    let pending = d.live_stmts.load(Ordering::SeqCst);
    if pending > 0 {
        return run(Some(d), || Err((HELIOSDB_BUSY, format!("cannot close: {pending} statement(s) not finalized"))));
    }
    run(None, || {
        if !unregister(db as usize) {
            return Err(misuse("heliosdb_close: the handle is not an open database"));
        }
        // SAFETY: the handle was created by Box::into_raw in open and has just
        // been removed from the registry, so no other call can reach it.
        drop(unsafe { Box::from_raw(db) });
        Ok(HELIOSDB_OK)
    })
}

/// Runs one or more ';'-separated statements, discarding result rows.
/// Stops at the first failing statement (earlier ones stay applied).
/// Returns HELIOSDB_OK or the failing statement's error code.
#[no_mangle]
pub extern "C" fn heliosdb_exec(db: *mut heliosdb, sql: *const c_char) -> c_int {
    let Some(d) = db_ref(db) else {
        return run(None, || Err(misuse("heliosdb_exec: db is NULL or not open")));
    };
    run(Some(d), || {
        let sql = str_arg(sql, "sql")?;
        d.conn().execute_each(sql, |_| Ok(())).map_err(fail)?;
        d.clear_error();
        Ok(HELIOSDB_OK)
    })
}

/// The message of the calling thread's last failed call on `db` (or, for
/// db = NULL or a handle that is not open, of its last call that had no valid
/// handle, such as a failed heliosdb_open). "not an error" if there is none.
/// The string is owned by the library and valid until the next failing call
/// on the same handle from the same thread, or until heliosdb_close.
#[no_mangle]
pub extern "C" fn heliosdb_errmsg(db: *mut heliosdb) -> *const c_char {
    match db_ref(db) {
        Some(d) => d.errmsg_ptr(),
        None => global_errmsg_ptr(),
    }
}

/// The notice the last statement run on `db` left, or NULL if it left none
/// (also NULL for a NULL or closed handle). CREATE MATERIALIZED VIEW says
/// whether the view is maintained incrementally and, if not, which part of
/// its query prevents it; REFRESH … INCREMENTALLY says when it had to refresh
/// fully. The string is owned by the library and valid until the next
/// heliosdb_notice call on the same handle, or until heliosdb_close.
#[no_mangle]
pub extern "C" fn heliosdb_notice(db: *mut heliosdb) -> *const c_char {
    let Some(d) = db_ref(db) else { return std::ptr::null() };
    run_value(Some(d), std::ptr::null(), || Ok(d.notice_ptr()))
}

/// Rows changed by the latest INSERT, UPDATE or DELETE on this connection
/// (0 for a NULL or closed handle).
#[no_mangle]
pub extern "C" fn heliosdb_changes(db: *mut heliosdb) -> i64 {
    let Some(d) = db_ref(db) else { return 0 };
    run_value(Some(d), 0, || Ok(i64::try_from(d.conn().changes()).unwrap_or(i64::MAX)))
}

/// Rowid of the latest row inserted into a rowid table on this connection (0 if none).
#[no_mangle]
pub extern "C" fn heliosdb_last_insert_rowid(db: *mut heliosdb) -> i64 {
    let Some(d) = db_ref(db) else { return 0 };
    run_value(Some(d), 0, || Ok(d.conn().last_insert_rowid()))
}

/// The library version, e.g. "0.1.0". Static storage: never free it.
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
/// Returns a string the caller owns and must release with heliosdb_free, or
/// NULL on error (then heliosdb_errmsg(db) says why).
#[no_mangle]
pub extern "C" fn heliosdb_query_json(
    db: *mut heliosdb,
    sql: *const c_char,
    params_json: *const c_char,
) -> *mut c_char {
    let Some(d) = db_ref(db) else {
        return run_value(None, std::ptr::null_mut(), || Err(misuse("heliosdb_query_json: db is NULL or not open")));
    };
    run_value(Some(d), std::ptr::null_mut(), || {
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
        let rows: Vec<serde_json::Value> =
            out.rows.iter().map(|r| serde_json::Value::Array(r.iter().map(Value::to_json).collect())).collect();
        let doc = serde_json::json!({ "columns": out.columns, "rows": rows, "changes": out.changes });
        d.clear_error();
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
