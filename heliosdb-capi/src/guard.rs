//! The fence around every entry point: panics are caught and become
//! `HELIOSDB_ERROR`; errors become a status code plus a message.

use crate::handles::{set_global_error, Db};
use crate::{HELIOSDB_ERROR, HELIOSDB_MISUSE};
use heliosdb_core::Error;
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A failure: status code and message.
pub(crate) type Fail = (c_int, String);

/// Converts an engine error into a status code and message.
pub(crate) fn fail(e: Error) -> Fail {
    (e.code(), e.to_string())
}

/// `HELIOSDB_MISUSE` with a message.
pub(crate) fn misuse(msg: impl Into<String>) -> Fail {
    (HELIOSDB_MISUSE, msg.into())
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    let detail = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("internal error (a bug in HeliosDB, please report it): {detail}")
}

/// Runs `f` for a function that returns a value and reports failure
/// through errmsg (heliosdb_query_json): a failure (error or panic) is
/// recorded on `db` (or the thread's handle-less slot) and gives `fallback`;
/// a success clears the error code.
pub(crate) fn run_value<T>(db: Option<&Db>, fallback: T, f: impl FnOnce() -> Result<T, Fail>) -> T {
    match fence(f) {
        Ok(v) => {
            succeed(db);
            v
        }
        Err((code, msg)) => {
            report(db, code, &msg);
            fallback
        }
    }
}

/// Runs `f` for a status-returning function: a failure gives its code and
/// is recorded for errmsg/errcode; a success clears the code.
pub(crate) fn run(db: Option<&Db>, f: impl FnOnce() -> Result<c_int, Fail>) -> c_int {
    match fence(f) {
        Ok(code) => {
            succeed(db);
            code
        }
        Err((code, msg)) => {
            report(db, code, &msg);
            code
        }
    }
}

/// Runs `f` for an accessor that records nothing (the column_* functions,
/// counters): a failure or panic just gives `fallback`. Accessors leave
/// errmsg alone, so reading columns never frees an error message.
pub(crate) fn quiet<T>(fallback: T, f: impl FnOnce() -> Option<T>) -> T {
    catch_unwind(AssertUnwindSafe(f)).ok().flatten().unwrap_or(fallback)
}

/// Calls `f`, turning a panic into `HELIOSDB_ERROR` so none crosses the boundary.
fn fence<T>(f: impl FnOnce() -> Result<T, Fail>) -> Result<T, Fail> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err((HELIOSDB_ERROR, panic_message(p))))
}

fn report(db: Option<&Db>, code: c_int, msg: &str) {
    match db {
        Some(d) => d.set_error(code, msg),
        None => set_global_error(code, msg),
    }
}

fn succeed(db: Option<&Db>) {
    match db {
        Some(d) => d.clear_error(),
        None => crate::handles::clear_global_error(),
    }
}

/// Reads a NUL-terminated UTF-8 argument.
pub(crate) fn str_arg<'a>(p: *const c_char, what: &str) -> Result<&'a str, Fail> {
    if p.is_null() {
        return Err(misuse(format!("{what} is NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated string (documented contract).
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| misuse(format!("{what} is not valid UTF-8 (at byte {})", e.valid_up_to())))
}
