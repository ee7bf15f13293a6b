//! Statement-level functions: prepare, bind, step, columns, reset, finalize.

use crate::guard::{fail, misuse, run, run_value, str_arg, Fail};
use crate::handles::{db_ref, heliosdb, heliosdb_stmt, register, stmt_mut, unregister, StepState};
use crate::{
    HELIOSDB_BLOB, HELIOSDB_DONE, HELIOSDB_FLOAT, HELIOSDB_INTEGER, HELIOSDB_NULL, HELIOSDB_OK, HELIOSDB_RANGE,
    HELIOSDB_ROW, HELIOSDB_TEXT,
};
use heliosdb_core::types::value::format_real;
use heliosdb_core::Value;
use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::Ordering;

/// Prepares one SQL statement. On success `*out_stmt` receives a handle the
/// caller owns and must release with heliosdb_finalize (before heliosdb_close
/// of its connection). On failure `*out_stmt` is NULL.
/// Returns HELIOSDB_OK, HELIOSDB_ERROR (syntax error: the message gives line
/// and column), HELIOSDB_MISUSE (NULL arguments, bad UTF-8, zero or several statements).
#[no_mangle]
pub extern "C" fn heliosdb_prepare(db: *mut heliosdb, sql: *const c_char, out_stmt: *mut *mut heliosdb_stmt) -> c_int {
    let Some(d) = db_ref(db) else {
        return run(None, || Err(misuse("heliosdb_prepare: db is NULL or not open")));
    };
    run(Some(d), || {
        if out_stmt.is_null() {
            return Err(misuse("out_stmt is NULL"));
        }
        // SAFETY: out_stmt is non-NULL caller storage for one pointer.
        unsafe { *out_stmt = std::ptr::null_mut() };
        let sql = str_arg(sql, "sql")?;
        let conn = d.conn();
        let inner = conn.prepare_owned(sql).map_err(fail)?;
        let names = conn.columns_of(&inner).unwrap_or_default();
        drop(conn);
        let names: Vec<CString> =
            names.iter().map(|n| CString::new(n.replace('\0', " ")).unwrap_or_default()).collect();
        let bound = vec![Value::Null; inner.parameter_count()];
        let st = Box::new(heliosdb_stmt {
            db: d as *const heliosdb,
            inner,
            bound,
            state: StepState::Ready,
            buffers: vec![None; names.len()],
            names,
        });
        let handle = Box::into_raw(st);
        register(handle as usize);
        d.live_stmts.fetch_add(1, Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { *out_stmt = handle };
        Ok(HELIOSDB_OK)
    })
}

/// Runs `f` on a live statement, reporting errors on its connection.
fn with_stmt(
    st: *mut heliosdb_stmt,
    what: &str,
    f: impl FnOnce(&mut heliosdb_stmt, &heliosdb) -> Result<c_int, Fail>,
) -> c_int {
    let Some(s) = stmt_mut(st) else {
        return run(None, || Err(misuse(format!("{what}: the statement is NULL or finalized"))));
    };
    let Some(d) = db_ref(s.db) else {
        return run(None, || Err(misuse(format!("{what}: the statement's connection is closed"))));
    };
    run(Some(d), || f(s, d))
}

fn bind(st: *mut heliosdb_stmt, idx: c_int, what: &str, value: impl FnOnce() -> Result<Value, Fail>) -> c_int {
    with_stmt(st, what, |s, _| {
        if matches!(s.state, StepState::Rows { current: Some(_), .. }) {
            return Err(misuse(format!("{what}: the statement is running; call heliosdb_reset first")));
        }
        let n = s.bound.len();
        let slot = usize::try_from(idx)
            .ok()
            .filter(|i| (1..=n).contains(i))
            .ok_or_else(|| (HELIOSDB_RANGE, format!("{what}: parameter index {idx} is out of range (1 to {n})")))?;
        s.bound[slot - 1] = value()?;
        Ok(HELIOSDB_OK)
    })
}

/// Binds NULL to parameter `idx` (1-based). Bindings persist across
/// heliosdb_reset until changed or cleared. Returns HELIOSDB_OK,
/// HELIOSDB_RANGE (bad index) or HELIOSDB_MISUSE (stale handle, statement
/// running: reset it first).
#[no_mangle]
pub extern "C" fn heliosdb_bind_null(st: *mut heliosdb_stmt, idx: c_int) -> c_int {
    bind(st, idx, "heliosdb_bind_null", || Ok(Value::Null))
}

/// Binds a 64-bit integer to parameter `idx` (1-based). Codes as heliosdb_bind_null.
#[no_mangle]
pub extern "C" fn heliosdb_bind_int64(st: *mut heliosdb_stmt, idx: c_int, v: i64) -> c_int {
    bind(st, idx, "heliosdb_bind_int64", || Ok(Value::Integer(v)))
}

/// Binds a double to parameter `idx` (1-based). Codes as heliosdb_bind_null.
#[no_mangle]
pub extern "C" fn heliosdb_bind_double(st: *mut heliosdb_stmt, idx: c_int, v: f64) -> c_int {
    bind(st, idx, "heliosdb_bind_double", || Ok(Value::Real(v)))
}

/// Binds UTF-8 text to parameter `idx` (1-based): `len` bytes, or up to the
/// NUL when `len` < 0. The text is copied; `s` may be freed on return.
/// NULL `s` binds SQL NULL. Invalid UTF-8 returns HELIOSDB_MISUSE.
#[no_mangle]
pub extern "C" fn heliosdb_bind_text(st: *mut heliosdb_stmt, idx: c_int, s: *const c_char, len: c_int) -> c_int {
    bind(st, idx, "heliosdb_bind_text", || {
        if s.is_null() {
            return Ok(Value::Null);
        }
        let bytes: &[u8] = if len < 0 {
            // SAFETY: len < 0 means NUL-terminated (documented contract).
            unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes()
        } else {
            // SAFETY: the caller guarantees `len` readable bytes at `s`.
            unsafe { std::slice::from_raw_parts(s.cast::<u8>(), len as usize) }
        };
        std::str::from_utf8(bytes)
            .map(|t| Value::Text(t.to_string()))
            .map_err(|e| misuse(format!("heliosdb_bind_text: text is not valid UTF-8 (at byte {})", e.valid_up_to())))
    })
}

/// Binds `len` bytes at `p` as a BLOB to parameter `idx` (1-based); copied.
/// NULL `p` with `len` 0 binds an empty blob; a negative `len`, or NULL `p`
/// with `len` > 0, returns HELIOSDB_MISUSE.
#[no_mangle]
pub extern "C" fn heliosdb_bind_blob(st: *mut heliosdb_stmt, idx: c_int, p: *const c_void, len: c_int) -> c_int {
    bind(st, idx, "heliosdb_bind_blob", || {
        if len < 0 || (p.is_null() && len > 0) {
            return Err(misuse(format!("heliosdb_bind_blob: bad pointer/length ({len})")));
        }
        if len == 0 {
            return Ok(Value::Blob(Vec::new()));
        }
        // SAFETY: the caller guarantees `len` readable bytes at `p`.
        Ok(Value::Blob(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len as usize) }.to_vec()))
    })
}

/// Number of parameter slots (the largest parameter number); 0 for a stale handle.
#[no_mangle]
pub extern "C" fn heliosdb_bind_parameter_count(st: *mut heliosdb_stmt) -> c_int {
    stmt_mut(st).map_or(0, |s| c_int::try_from(s.bound.len()).unwrap_or(c_int::MAX))
}

/// 1-based index of the parameter called `name` (":name", "@name", "$name" or
/// "?N"), or 0 when there is none (or a handle or name is invalid).
#[no_mangle]
pub extern "C" fn heliosdb_bind_parameter_index(st: *mut heliosdb_stmt, name: *const c_char) -> c_int {
    let Some(s) = stmt_mut(st) else { return 0 };
    let d = db_ref(s.db);
    run_value(d, 0, || {
        let name = str_arg(name, "name")?;
        Ok(s.inner.parameter_index(name).map_or(0, |i| c_int::try_from(i).unwrap_or(0)))
    })
}

/// Advances the statement: the first call runs it. Returns HELIOSDB_ROW when
/// a result row is ready for the heliosdb_column_* functions, HELIOSDB_DONE
/// when there are no (more) rows, or an error code (the statement can then be
/// stepped again, re-running it). Stepping after HELIOSDB_DONE returns
/// HELIOSDB_MISUSE until heliosdb_reset.
#[no_mangle]
pub extern "C" fn heliosdb_step(st: *mut heliosdb_stmt) -> c_int {
    with_stmt(st, "heliosdb_step", |s, d| {
        s.buffers.iter_mut().for_each(|b| *b = None);
        match &mut s.state {
            StepState::Done => Err(misuse("heliosdb_step: the statement is done; call heliosdb_reset to run it again")),
            StepState::Rows { outcome, current } => {
                let next = current.map_or(0, |c| c + 1);
                if next < outcome.rows.len() {
                    *current = Some(next);
                    Ok(HELIOSDB_ROW)
                } else {
                    s.state = StepState::Done;
                    Ok(HELIOSDB_DONE)
                }
            }
            StepState::Ready => {
                let outcome = d.conn().run_prepared(&mut s.inner, s.bound.clone()).map_err(fail)?;
                d.clear_error();
                if outcome.columns.len() != s.names.len() {
                    s.names = outcome
                        .columns
                        .iter()
                        .map(|n| CString::new(n.replace('\0', " ")).unwrap_or_default())
                        .collect();
                    s.buffers = vec![None; s.names.len()];
                }
                if outcome.rows.is_empty() {
                    s.state = StepState::Done;
                    Ok(HELIOSDB_DONE)
                } else {
                    s.state = StepState::Rows { outcome, current: Some(0) };
                    Ok(HELIOSDB_ROW)
                }
            }
        }
    })
}

/// Number of result columns (0 for statements without results or a stale handle).
#[no_mangle]
pub extern "C" fn heliosdb_column_count(st: *mut heliosdb_stmt) -> c_int {
    stmt_mut(st).map_or(0, |s| c_int::try_from(s.names.len()).unwrap_or(c_int::MAX))
}

/// Name of result column `i` (0-based), owned by the statement and valid
/// until heliosdb_finalize; NULL when `i` is out of range.
#[no_mangle]
pub extern "C" fn heliosdb_column_name(st: *mut heliosdb_stmt, i: c_int) -> *const c_char {
    let Some(s) = stmt_mut(st) else { return std::ptr::null() };
    usize::try_from(i).ok().and_then(|i| s.names.get(i)).map_or(std::ptr::null(), |n| n.as_ptr())
}

/// The current row's value in column `i`, or a reason it is not available.
fn current_value<'a>(s: &'a heliosdb_stmt, i: c_int, what: &str) -> Result<&'a Value, Fail> {
    let StepState::Rows { outcome, current: Some(row) } = &s.state else {
        return Err(misuse(format!("{what}: no current row (heliosdb_step has not returned HELIOSDB_ROW)")));
    };
    let n = s.names.len();
    usize::try_from(i).ok().and_then(|i| outcome.rows.get(*row).and_then(|r| r.get(i))).ok_or_else(|| {
        (HELIOSDB_RANGE, format!("{what}: column index {i} is out of range (0 to {})", n.saturating_sub(1)))
    })
}

/// Runs a column accessor; errors are reported on the connection and give `fallback`.
fn column<T>(
    st: *mut heliosdb_stmt,
    i: c_int,
    what: &str,
    fallback: T,
    f: impl FnOnce(&mut heliosdb_stmt) -> Result<T, Fail>,
) -> T {
    let Some(s) = stmt_mut(st) else {
        return run_value(None, fallback, || Err(misuse(format!("{what}: the statement is NULL or finalized"))));
    };
    let d = db_ref(s.db);
    let _ = i;
    run_value(d, fallback, || f(s))
}

/// Type of column `i` in the current row: HELIOSDB_INTEGER, _FLOAT, _TEXT,
/// _BLOB or _NULL. BOOLEAN values report HELIOSDB_INTEGER (0/1); DECIMAL
/// values report HELIOSDB_FLOAT (heliosdb_column_text gives their exact digits).
/// HELIOSDB_NULL when there is no current row or `i` is out of range.
#[no_mangle]
pub extern "C" fn heliosdb_column_type(st: *mut heliosdb_stmt, i: c_int) -> c_int {
    column(st, i, "heliosdb_column_type", HELIOSDB_NULL, |s| {
        Ok(match current_value(s, i, "heliosdb_column_type")? {
            Value::Null => HELIOSDB_NULL,
            Value::Integer(_) | Value::Boolean(_) => HELIOSDB_INTEGER,
            Value::Real(_) | Value::Decimal(_) => HELIOSDB_FLOAT,
            Value::Text(_) => HELIOSDB_TEXT,
            Value::Blob(_) => HELIOSDB_BLOB,
        })
    })
}

fn text_number(s: &str) -> Value {
    heliosdb_core::types::cast::to_numeric(&Value::Text(s.to_string()))
}

/// Column `i` of the current row as a 64-bit integer, converted as SQLite
/// does: REAL and DECIMAL truncate toward zero, text reads its leading
/// number, NULL reads 0. 0 when there is no current row or `i` is out of range.
#[no_mangle]
pub extern "C" fn heliosdb_column_int64(st: *mut heliosdb_stmt, i: c_int) -> i64 {
    column(st, i, "heliosdb_column_int64", 0, |s| {
        Ok(match current_value(s, i, "heliosdb_column_int64")? {
            Value::Null | Value::Blob(_) => 0,
            Value::Integer(v) => *v,
            Value::Boolean(b) => i64::from(*b),
            Value::Text(t) => match text_number(t) {
                Value::Integer(v) => v,
                other => other.as_f64().map_or(0, |f| f as i64),
            },
            other => other.as_f64().map_or(0, |f| f as i64),
        })
    })
}

/// Column `i` of the current row as a double (text reads its leading number,
/// NULL reads 0.0). 0.0 when there is no current row or `i` is out of range.
#[no_mangle]
pub extern "C" fn heliosdb_column_double(st: *mut heliosdb_stmt, i: c_int) -> f64 {
    column(st, i, "heliosdb_column_double", 0.0, |s| {
        Ok(match current_value(s, i, "heliosdb_column_double")? {
            Value::Null | Value::Blob(_) => 0.0,
            Value::Text(t) => text_number(t).as_f64().unwrap_or(0.0),
            other => other.as_f64().unwrap_or(0.0),
        })
    })
}

/// Renders the current value of column `i` into its NUL-terminated buffer.
fn buffer(s: &mut heliosdb_stmt, i: c_int, what: &str) -> Result<Option<(*const u8, usize)>, Fail> {
    let bytes: Option<Vec<u8>> = match current_value(s, i, what)? {
        Value::Null => None,
        Value::Text(t) => Some(t.as_bytes().to_vec()),
        Value::Blob(b) => Some(b.clone()),
        Value::Real(f) => Some(format_real(*f).into_bytes()),
        other => Some(other.to_string().into_bytes()),
    };
    let Some(mut bytes) = bytes else { return Ok(None) };
    let len = bytes.len();
    bytes.push(0);
    let slot = &mut s.buffers[i as usize];
    *slot = Some(bytes);
    Ok(slot.as_ref().map(|b| (b.as_ptr(), len)))
}

/// Column `i` of the current row as NUL-terminated UTF-8 text (numbers are
/// formatted; a BLOB's bytes are returned as they are). NULL for SQL NULL, no
/// current row, or `i` out of range. The string is owned by the statement and
/// valid until the next heliosdb_step, heliosdb_reset or heliosdb_finalize.
#[no_mangle]
pub extern "C" fn heliosdb_column_text(st: *mut heliosdb_stmt, i: c_int) -> *const c_char {
    column(st, i, "heliosdb_column_text", std::ptr::null(), |s| {
        Ok(buffer(s, i, "heliosdb_column_text")?.map_or(std::ptr::null(), |(p, _)| p.cast()))
    })
}

/// Column `i` of the current row as bytes (text as its UTF-8 bytes). NULL for
/// SQL NULL, an empty value, no current row, or `i` out of range; the length
/// is heliosdb_column_bytes. Valid as for heliosdb_column_text.
#[no_mangle]
pub extern "C" fn heliosdb_column_blob(st: *mut heliosdb_stmt, i: c_int) -> *const c_void {
    column(st, i, "heliosdb_column_blob", std::ptr::null(), |s| {
        Ok(match buffer(s, i, "heliosdb_column_blob")? {
            Some((p, len)) if len > 0 => p.cast(),
            _ => std::ptr::null(),
        })
    })
}

/// Length in bytes of column `i`'s text or blob form (without the NUL); 0 for
/// NULL, no current row, or `i` out of range.
#[no_mangle]
pub extern "C" fn heliosdb_column_bytes(st: *mut heliosdb_stmt, i: c_int) -> c_int {
    column(st, i, "heliosdb_column_bytes", 0, |s| {
        Ok(buffer(s, i, "heliosdb_column_bytes")?.map_or(0, |(_, len)| c_int::try_from(len).unwrap_or(c_int::MAX)))
    })
}

/// Makes the statement ready to run again from the start; bindings are kept.
/// Returns HELIOSDB_OK or HELIOSDB_MISUSE for a stale handle.
#[no_mangle]
pub extern "C" fn heliosdb_reset(st: *mut heliosdb_stmt) -> c_int {
    with_stmt(st, "heliosdb_reset", |s, _| {
        s.state = StepState::Ready;
        s.buffers.iter_mut().for_each(|b| *b = None);
        Ok(HELIOSDB_OK)
    })
}

/// Sets every parameter back to NULL. Returns HELIOSDB_OK or HELIOSDB_MISUSE.
#[no_mangle]
pub extern "C" fn heliosdb_clear_bindings(st: *mut heliosdb_stmt) -> c_int {
    with_stmt(st, "heliosdb_clear_bindings", |s, _| {
        s.bound.iter_mut().for_each(|v| *v = Value::Null);
        Ok(HELIOSDB_OK)
    })
}

/// Destroys a statement; the handle is invalid afterwards. NULL is a no-op
/// returning HELIOSDB_OK; a handle already finalized returns HELIOSDB_MISUSE.
#[no_mangle]
pub extern "C" fn heliosdb_finalize(st: *mut heliosdb_stmt) -> c_int {
    if st.is_null() {
        return HELIOSDB_OK;
    }
    run(None, || {
        if !unregister(st as usize) {
            return Err(misuse("heliosdb_finalize: the statement is not live (finalized twice?)"));
        }
        // SAFETY: created by Box::into_raw in prepare and just removed from the
        // registry, so no other call can reach it.
        let s = unsafe { Box::from_raw(st) };
        if let Some(d) = db_ref(s.db) {
            d.live_stmts.fetch_sub(1, Ordering::SeqCst);
        }
        Ok(HELIOSDB_OK)
    })
}
