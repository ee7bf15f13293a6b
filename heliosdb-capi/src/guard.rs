//! The fence around every entry point: panics are caught and become
//! `HELIOSDB_ERROR`; errors become a status code plus a message.

use crate::handles::{heliosdb, set_global_error};
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

/// Runs `f` for a value-returning function: a failure (error or panic) is
/// reported on `db` (or the thread's handle-less slot) and gives `fallback`.
pub(crate) fn run_value<T>(db: Option<&heliosdb>, fallback: T, f: impl FnOnce() -> Result<T, Fail>) -> T {
    match fence(f) {
        Ok(v) => v,
        Err((_, msg)) => {
            report(db, &msg);
            fallback
        }
    }
}

/// Runs `f` for a status-returning function: a failure gives its code.
pub(crate) fn run(db: Option<&heliosdb>, f: impl FnOnce() -> Result<c_int, Fail>) -> c_int {
    match fence(f) {
        Ok(code) => code,
        Err((code, msg)) => {
            report(db, &msg);
            code
        }
    }
}

/// Calls `f`, turning a panic into `HELIOSDB_ERROR` so none crosses the boundary.
fn fence<T>(f: impl FnOnce() -> Result<T, Fail>) -> Result<T, Fail> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err((HELIOSDB_ERROR, panic_message(p))))
}

fn report(db: Option<&heliosdb>, msg: &str) {
    match db {
        Some(d) => d.set_error(msg),
        None => set_global_error(msg),
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
