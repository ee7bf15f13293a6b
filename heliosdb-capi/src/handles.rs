//! The opaque handles, the registry of live handles, and error messages.
//!
//! Every handle the library gives out is recorded in a process-wide set; each
//! entry point checks its handle against the set before touching it. A NULL,
//! closed, finalized or foreign pointer is therefore reported as
//! `HELIOSDB_MISUSE` instead of being dereferenced.

use heliosdb_core::{Connection, Outcome, PreparedStatement, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ffi::CString;
use std::sync::atomic::AtomicUsize;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::ThreadId;

/// A connection to a database (opaque).
pub struct heliosdb {
    pub(crate) conn: Mutex<Connection>,
    errors: Mutex<HashMap<ThreadId, CString>>,
    pub(crate) live_stmts: AtomicUsize,
    /// The string the last heliosdb_notice call returned (kept alive for the caller).
    notice: Mutex<Option<CString>>,
}

/// Where a statement is in its life.
pub(crate) enum StepState {
    /// Not yet stepped since prepare or reset.
    Ready,
    /// Executed; `current` is the row the column functions read.
    Rows { outcome: Outcome, current: Option<usize> },
    /// Stepped past the last row.
    Done,
}

/// A prepared statement (opaque).
pub struct heliosdb_stmt {
    pub(crate) db: *const heliosdb,
    pub(crate) inner: PreparedStatement,
    pub(crate) bound: Vec<Value>,
    pub(crate) state: StepState,
    pub(crate) names: Vec<CString>,
    /// NUL-terminated text/blob renderings of the current row's values,
    /// made on demand by heliosdb_column_text/blob; cleared at every step.
    pub(crate) buffers: Vec<Option<Vec<u8>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn live() -> &'static Mutex<HashSet<usize>> {
    static LIVE: OnceLock<Mutex<HashSet<usize>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(HashSet::new()))
}

thread_local! {
    /// Message of the calling thread's last failure that had no valid handle.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

pub(crate) fn register(addr: usize) {
    lock(live()).insert(addr);
}

pub(crate) fn unregister(addr: usize) -> bool {
    lock(live()).remove(&addr)
}

fn is_live(addr: usize) -> bool {
    addr != 0 && lock(live()).contains(&addr)
}

/// The connection behind `db`, if it is a live handle.
pub(crate) fn db_ref<'a>(db: *const heliosdb) -> Option<&'a heliosdb> {
    // SAFETY: the registry holds exactly the addresses of boxed handles not yet
    // closed, so a registered address points at a live `heliosdb`.
    is_live(db as usize).then(|| unsafe { &*db })
}

/// The statement behind `st`, if it is a live handle.
pub(crate) fn stmt_mut<'a>(st: *mut heliosdb_stmt) -> Option<&'a mut heliosdb_stmt> {
    // SAFETY: as for `db_ref`; a statement is used by one thread at a time (documented).
    is_live(st as usize).then(|| unsafe { &mut *st })
}

fn to_cstring(msg: &str) -> CString {
    CString::new(msg.replace('\0', " ")).unwrap_or_default()
}

impl heliosdb {
    pub(crate) fn new(conn: Connection) -> heliosdb {
        heliosdb {
            conn: Mutex::new(conn),
            errors: Mutex::new(HashMap::new()),
            live_stmts: AtomicUsize::new(0),
            notice: Mutex::new(None),
        }
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    pub(crate) fn set_error(&self, msg: &str) {
        lock(&self.errors).insert(std::thread::current().id(), to_cstring(msg));
    }

    pub(crate) fn clear_error(&self) {
        lock(&self.errors).remove(&std::thread::current().id());
    }

    /// The connection's current notice as a C string owned by this handle.
    pub(crate) fn notice_ptr(&self) -> *const std::os::raw::c_char {
        let text = self.conn().notice();
        let mut slot = lock(&self.notice);
        *slot = text.map(|t| to_cstring(&t));
        slot.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
    }

    pub(crate) fn errmsg_ptr(&self) -> *const std::os::raw::c_char {
        let mut errors = lock(&self.errors);
        let entry = errors.entry(std::thread::current().id()).or_insert_with(|| to_cstring("not an error"));
        entry.as_ptr()
    }
}

/// Records a failure of a call that had no valid handle.
pub(crate) fn set_global_error(msg: &str) {
    LAST_ERROR.with(|e| *e.borrow_mut() = to_cstring(msg));
}

/// The calling thread's last handle-less failure message.
pub(crate) fn global_errmsg_ptr() -> *const std::os::raw::c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}
