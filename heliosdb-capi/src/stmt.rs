//! Statement-level functions: prepare, bind, step, columns, reset, finalize.

use crate::guard::{fail, misuse, quiet, run, str_arg, Fail};
use crate::handles::{
    db_get, heliosdb, heliosdb_stmt, lock, register_stmt, stmt_get, to_cstring, unregister_stmt, ColumnStrings, Db,
    StepState, Stmt,
};
use crate::{
    HELIOSDB_BLOB, HELIOSDB_DONE, HELIOSDB_ERROR, HELIOSDB_FLOAT, HELIOSDB_INTEGER, HELIOSDB_INTERRUPT, HELIOSDB_NULL,
    HELIOSDB_OK, HELIOSDB_RANGE, HELIOSDB_ROW, HELIOSDB_TEXT,
};
use heliosdb_core::types::value::format_real;
use heliosdb_core::Value;
use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Prepares one SQL statement. On success `*out_stmt` receives a handle the
/// caller owns and must release with heliosdb_finalize (before heliosdb_close
/// of its connection). On any failure `*out_stmt` is set to NULL (whenever
/// `out_stmt` itself is not NULL, also for a NULL or closed `db`).
/// Returns HELIOSDB_OK, HELIOSDB_ERROR (syntax error: the message gives line
/// and column; a parameter such as `?0` out of range; an expression nested
/// deeper than 1000 or a compound SELECT of more than 500 terms),
/// HELIOSDB_MISUSE (NULL or closed `db`, NULL `sql` or `out_stmt`, bad
/// UTF-8, zero or several statements).
///
/// Unlike SQLite, names are resolved when the statement runs, not here: a
/// statement may name a table created after it was prepared, an unknown
/// table or column is reported by the first heliosdb_step, and
/// heliosdb_column_count is 0 until then if the tables it reads did not
/// exist at prepare time.
#[no_mangle]
pub extern "C" fn heliosdb_prepare(db: *mut heliosdb, sql: *const c_char, out_stmt: *mut *mut heliosdb_stmt) -> c_int {
    if !out_stmt.is_null() {
        // SAFETY: out_stmt is non-NULL caller storage for one pointer (documented contract).
        unsafe { *out_stmt = std::ptr::null_mut() };
    }
    let Some(d) = db_get(db) else {
        return run(None, || Err(misuse("heliosdb_prepare: db is NULL or not open")));
    };
    run(Some(&d), || {
        if out_stmt.is_null() {
            return Err(misuse("out_stmt is NULL"));
        }
        let sql = str_arg(sql, "sql")?;
        let handle = prepare_with(&d, sql, None)?;
        // SAFETY: as above.
        unsafe { *out_stmt = handle };
        Ok(HELIOSDB_OK)
    })
}

/// Prepares `sql` on `d` and registers the statement, with `bound` as its
/// parameter values when given (their number must match the statement's).
pub(crate) fn prepare_with(d: &Arc<Db>, sql: &str, bound: Option<Vec<Value>>) -> Result<*mut heliosdb_stmt, Fail> {
    let conn = d.conn();
    let inner = conn.prepare_owned(sql).map_err(fail)?;
    let (names, decltypes) = conn.describe(&inner).unwrap_or_default();
    drop(conn);
    let mut columns = ColumnStrings::default();
    columns.update(&names, &decltypes);
    let param_names = (1..=inner.parameter_count()).map(|i| inner.parameter_name(i).map(to_cstring)).collect();
    let bound = bound.unwrap_or_else(|| vec![Value::Null; inner.parameter_count()]);
    if bound.len() != inner.parameter_count() {
        return Err((
            HELIOSDB_ERROR,
            format!("internal: {} values for {} parameters", bound.len(), inner.parameter_count()),
        ));
    }
    let st = Stmt {
        db: Arc::clone(d),
        bound,
        run_values: Vec::new(),
        inner,
        state: StepState::Ready,
        buffers: vec![None; names.len()],
        columns,
        param_names,
        described: None,
        stop: Arc::default(),
    };
    d.live_stmts.fetch_add(1, Ordering::SeqCst);
    Ok(register_stmt(st))
}

/// Runs `f` on a live statement, reporting errors on its connection.
fn with_stmt(st: *mut heliosdb_stmt, what: &str, f: impl FnOnce(&mut Stmt, &Db) -> Result<c_int, Fail>) -> c_int {
    let Some(cell) = stmt_get(st) else {
        return run(None, || Err(misuse(format!("{what}: the statement is NULL or finalized"))));
    };
    let mut s = lock(&cell.stmt);
    let db = Arc::clone(&s.db);
    run(Some(&db), || f(&mut s, &db))
}

/// Runs an accessor on a live statement; `None` (or a stale handle) gives `fallback`.
fn read_stmt<T>(st: *mut heliosdb_stmt, fallback: T, f: impl FnOnce(&mut Stmt) -> Option<T>) -> T {
    quiet(fallback, || {
        let cell = stmt_get(st)?;
        let mut s = lock(&cell.stmt);
        f(&mut s)
    })
}

fn bind(st: *mut heliosdb_stmt, idx: c_int, what: &str, value: impl FnOnce() -> Result<Value, Fail>) -> c_int {
    with_stmt(st, what, |s, _| {
        if matches!(s.state, StepState::Rows { .. }) {
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
/// NULL `s` binds SQL NULL. Invalid UTF-8 returns HELIOSDB_MISUSE; text may
/// contain NUL bytes when `len` is given.
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
    read_stmt(st, 0, |s| Some(c_int::try_from(s.bound.len()).unwrap_or(c_int::MAX)))
}

/// 1-based index of the parameter called `name` (":name", "@name", "$name" or
/// "?N"), or 0 when there is none (or a handle or name is invalid).
#[no_mangle]
pub extern "C" fn heliosdb_bind_parameter_index(st: *mut heliosdb_stmt, name: *const c_char) -> c_int {
    read_stmt(st, 0, |s| {
        let name = str_arg(name, "name").ok()?;
        Some(s.inner.parameter_index(name).map_or(0, |i| c_int::try_from(i).unwrap_or(0)))
    })
}

/// The name of parameter `idx` (1-based) with its prefix (":name", "@name",
/// "$name"), or NULL for `?`/`?N` parameters, an index out of range or a
/// stale handle. Lifetime: owned by the statement, valid until heliosdb_finalize.
#[no_mangle]
pub extern "C" fn heliosdb_bind_parameter_name(st: *mut heliosdb_stmt, idx: c_int) -> *const c_char {
    read_stmt(st, std::ptr::null(), |s| {
        let slot = usize::try_from(idx).ok()?.checked_sub(1)?;
        s.param_names.get(slot)?.as_ref().map(|c| c.as_ptr())
    })
}

/// 1 when running the statement cannot change the database (a query,
/// EXPLAIN, BEGIN, COMMIT, ROLLBACK), 0 when it may (or for a stale handle).
#[no_mangle]
pub extern "C" fn heliosdb_stmt_readonly(st: *mut heliosdb_stmt) -> c_int {
    read_stmt(st, 0, |s| Some(c_int::from(s.inner.is_read_only())))
}

/// Runs the statement (first step after prepare, reset or an error).
fn start(s: &mut Stmt, d: &Db) -> Result<c_int, Fail> {
    let epoch = d.interrupt.epoch();
    // Bindings outlive the run (as in SQLite): the run takes a copy.
    s.run_values.clone_from(&s.bound);
    let outcome = d.conn().run_prepared_reusing(&mut s.inner, &mut s.run_values).map_err(fail)?;
    if s.described != s.inner.plan_version() || s.columns.names.len() != outcome.columns.len() {
        let decltypes = s.inner.plan_decltypes().unwrap_or_default();
        s.columns.update(&outcome.columns, &decltypes);
        s.described = s.inner.plan_version();
    }
    s.buffers = vec![None; outcome.columns.len()];
    let mut rest = outcome.rows;
    match rest.next().transpose().map_err(fail)? {
        None => {
            s.state = StepState::Done;
            Ok(HELIOSDB_DONE)
        }
        Some(row) => {
            s.state = StepState::Rows { rest, row, epoch };
            Ok(HELIOSDB_ROW)
        }
    }
}

/// Advances the statement: the first call runs it. Returns HELIOSDB_ROW when
/// a result row is ready for the heliosdb_column_* functions, HELIOSDB_DONE
/// when there are no (more) rows, HELIOSDB_INTERRUPT after
/// heliosdb_interrupt, or another error code (the statement can then be
/// stepped again, re-running it). Stepping after HELIOSDB_DONE returns
/// HELIOSDB_MISUSE until heliosdb_reset. The first step computes every
/// row; a result larger than the statement's working memory (a quarter of
/// memory_limit_mb) waits in a temporary file that later steps read (a
/// failed read returns HELIOSDB_IOERR, and the next step re-runs the
/// statement). A query that cannot run within that memory returns
/// HELIOSDB_NOMEM.
#[no_mangle]
pub extern "C" fn heliosdb_step(st: *mut heliosdb_stmt) -> c_int {
    with_stmt(st, "heliosdb_step", |s, d| {
        s.buffers.iter_mut().for_each(|b| *b = None);
        match &mut s.state {
            StepState::Done => Err(misuse("heliosdb_step: the statement is done; call heliosdb_reset to run it again")),
            StepState::Rows { rest, row, epoch } => {
                if d.interrupt.is_interrupted(*epoch) || s.stop.swap(false, Ordering::SeqCst) {
                    s.state = StepState::Ready;
                    return Err((HELIOSDB_INTERRUPT, "interrupted".into()));
                }
                match rest.next() {
                    Some(Ok(next)) => {
                        *row = next;
                        Ok(HELIOSDB_ROW)
                    }
                    None => {
                        s.state = StepState::Done;
                        Ok(HELIOSDB_DONE)
                    }
                    Some(Err(e)) => {
                        // The rows were lost with their temporary file: the
                        // next step runs the statement again.
                        s.state = StepState::Ready;
                        Err(fail(e))
                    }
                }
            }
            StepState::Ready => {
                if s.stop.swap(false, Ordering::SeqCst) {
                    return Err((HELIOSDB_INTERRUPT, "interrupted".into()));
                }
                let stop = Arc::clone(&s.stop);
                let armed = heliosdb_core::interrupt::arm_flag(&stop);
                let result = start(s, d);
                drop(armed);
                if matches!(result, Err((HELIOSDB_INTERRUPT, _))) {
                    stop.store(false, Ordering::SeqCst); // this interrupt is spent
                }
                result
            }
        }
    })
}

/// Interrupts one statement, from any thread, leaving the connection's
/// other statements alone (heliosdb_interrupt stops all of them). If `st` is
/// running, it stops at its next row (or while waiting for the write lock)
/// and its heliosdb_step returns HELIOSDB_INTERRUPT, having changed nothing.
/// If it is not running, its next heliosdb_step returns HELIOSDB_INTERRUPT
/// instead of starting or continuing, unless heliosdb_reset comes first: so
/// a cancellation that lands just before the statement starts is not lost.
/// After that HELIOSDB_INTERRUPT the statement can be stepped again (it
/// re-runs). Returns HELIOSDB_OK, or HELIOSDB_MISUSE for a stale handle.
#[no_mangle]
pub extern "C" fn heliosdb_stmt_interrupt(st: *mut heliosdb_stmt) -> c_int {
    quiet(crate::HELIOSDB_MISUSE, || {
        let cell = stmt_get(st)?;
        cell.stop.store(true, Ordering::SeqCst);
        Some(HELIOSDB_OK)
    })
}

/// Number of result columns (0 for statements without results or a stale handle).
#[no_mangle]
pub extern "C" fn heliosdb_column_count(st: *mut heliosdb_stmt) -> c_int {
    read_stmt(st, 0, |s| Some(c_int::try_from(s.columns.names.len()).unwrap_or(c_int::MAX)))
}

/// Name of result column `i` (0-based); NULL when `i` is out of range.
/// Lifetime: owned by the statement, valid until heliosdb_finalize (also
/// across heliosdb_step and heliosdb_reset; when a schema change gives the
/// statement new column names, pointers returned earlier stay valid and
/// keep their old text).
#[no_mangle]
pub extern "C" fn heliosdb_column_name(st: *mut heliosdb_stmt, i: c_int) -> *const c_char {
    read_stmt(st, std::ptr::null(), |s| Some(s.columns.names.get(usize::try_from(i).ok()?)?.as_ptr()))
}

/// The declared type of result column `i` (0-based) when it reads a table
/// column unchanged ("INTEGER", "TEXT", "DECIMAL(15,2)", "BOOLEAN", …); NULL
/// for expressions, aggregates, `i` out of range or a stale handle.
/// Date/time columns give "DATE", "TIME", "TIMESTAMP" or "DATETIME" (their
/// values are TEXT in ISO-8601: 'YYYY-MM-DD', 'HH:MM:SS[.SSS]',
/// 'YYYY-MM-DD HH:MM:SS[.SSS]', UTC); a type name the engine does not know
/// gives the name as written ("UUID"); a column declared without a type
/// gives NULL, as in SQLite.
/// Lifetime: as heliosdb_column_name.
#[no_mangle]
pub extern "C" fn heliosdb_column_decltype(st: *mut heliosdb_stmt, i: c_int) -> *const c_char {
    read_stmt(st, std::ptr::null(), |s| s.columns.decltypes.get(usize::try_from(i).ok()?)?.as_ref().map(|c| c.as_ptr()))
}

/// The current row's value in column `i`, if there is a current row and `i` is in range.
fn current_value(s: &Stmt, i: c_int) -> Option<&Value> {
    let StepState::Rows { row, .. } = &s.state else { return None };
    row.get(usize::try_from(i).ok()?)
}

/// Type of column `i` in the current row: HELIOSDB_INTEGER, _FLOAT, _TEXT,
/// _BLOB or _NULL. BOOLEAN values report HELIOSDB_INTEGER (0/1); DECIMAL
/// values report HELIOSDB_FLOAT (heliosdb_column_text gives their exact digits).
/// HELIOSDB_NULL when there is no current row or `i` is out of range.
#[no_mangle]
pub extern "C" fn heliosdb_column_type(st: *mut heliosdb_stmt, i: c_int) -> c_int {
    read_stmt(st, HELIOSDB_NULL, |s| {
        Some(match current_value(s, i)? {
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
    read_stmt(st, 0, |s| {
        Some(match current_value(s, i)? {
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
    read_stmt(st, 0.0, |s| {
        Some(match current_value(s, i)? {
            Value::Null | Value::Blob(_) => 0.0,
            Value::Text(t) => text_number(t).as_f64().unwrap_or(0.0),
            other => other.as_f64().unwrap_or(0.0),
        })
    })
}

/// The NUL-terminated text/blob form of column `i`'s current value, rendered
/// on first use and then kept: later calls for the same row return the same
/// bytes at the same address. `None` for NULL, no row, or `i` out of range.
fn rendered(s: &mut Stmt, i: c_int) -> Option<(*const u8, usize)> {
    let col = usize::try_from(i).ok()?;
    if s.buffers.get(col)?.is_none() {
        let mut bytes: Vec<u8> = match current_value(s, i)? {
            Value::Null => return None,
            Value::Text(t) => t.as_bytes().to_vec(),
            Value::Blob(b) => b.clone(),
            Value::Real(f) => format_real(*f).into_bytes(),
            other => other.to_string().into_bytes(),
        };
        bytes.push(0);
        s.buffers[col] = Some(bytes.into_boxed_slice());
    }
    s.buffers[col].as_ref().map(|b| (b.as_ptr(), b.len() - 1))
}

/// Column `i` of the current row as NUL-terminated UTF-8 text (numbers are
/// formatted; a BLOB's bytes are returned as they are). NULL for SQL NULL, no
/// current row, or `i` out of range.
///
/// Lifetime: owned by the statement; valid until the next heliosdb_step,
/// heliosdb_reset or heliosdb_finalize of this statement. Other column_*
/// calls in between (heliosdb_column_bytes, heliosdb_column_blob, on this
/// column or any other) never move or free it: a value's text and blob forms
/// are the same bytes, rendered once per row.
#[no_mangle]
pub extern "C" fn heliosdb_column_text(st: *mut heliosdb_stmt, i: c_int) -> *const c_char {
    read_stmt(st, std::ptr::null(), |s| rendered(s, i).map(|(p, _)| p.cast()))
}

/// Column `i` of the current row as bytes (text as its UTF-8 bytes). NULL for
/// SQL NULL, an empty value, no current row, or `i` out of range; the length
/// is heliosdb_column_bytes. Lifetime: as heliosdb_column_text (the same
/// buffer: heliosdb_column_text and heliosdb_column_blob of one column return
/// the same address).
#[no_mangle]
pub extern "C" fn heliosdb_column_blob(st: *mut heliosdb_stmt, i: c_int) -> *const c_void {
    read_stmt(st, std::ptr::null(), |s| match rendered(s, i) {
        Some((p, len)) if len > 0 => Some(p.cast()),
        _ => None,
    })
}

/// Length in bytes of column `i`'s text or blob form (without the NUL); 0 for
/// NULL, no current row, or `i` out of range. Call it before or after
/// heliosdb_column_text / heliosdb_column_blob: it invalidates nothing.
#[no_mangle]
pub extern "C" fn heliosdb_column_bytes(st: *mut heliosdb_stmt, i: c_int) -> c_int {
    read_stmt(st, 0, |s| rendered(s, i).map(|(_, len)| c_int::try_from(len).unwrap_or(c_int::MAX)))
}

/// Makes the statement ready to run again from the start; bindings are kept,
/// a pending heliosdb_stmt_interrupt is dropped.
/// Returns HELIOSDB_OK or HELIOSDB_MISUSE for a stale handle.
#[no_mangle]
pub extern "C" fn heliosdb_reset(st: *mut heliosdb_stmt) -> c_int {
    with_stmt(st, "heliosdb_reset", |s, _| {
        s.stop.store(false, Ordering::SeqCst);
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

/// Destroys a statement; the handle is invalid afterwards, also if its
/// memory is reused. NULL is a no-op returning HELIOSDB_OK; a handle already
/// finalized (or one that is not a statement) returns HELIOSDB_MISUSE.
#[no_mangle]
pub extern "C" fn heliosdb_finalize(st: *mut heliosdb_stmt) -> c_int {
    if st.is_null() {
        return HELIOSDB_OK;
    }
    run(None, || {
        let cell = unregister_stmt(st)
            .ok_or_else(|| misuse("heliosdb_finalize: the statement is not live (finalized twice?)"))?;
        let db = Arc::clone(&lock(&cell.stmt).db);
        db.live_stmts.fetch_sub(1, Ordering::SeqCst);
        drop(cell);
        Ok(HELIOSDB_OK)
    })
}
