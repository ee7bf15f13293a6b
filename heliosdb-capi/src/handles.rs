//! The opaque handles, the registry that makes stale handles harmless, and
//! each thread's last error.
//!
//! A `heliosdb *` or `heliosdb_stmt *` the library gives out is not the
//! address of anything: it is a token, a number drawn from a counter that
//! never repeats, looked up in a registry on every call. So a handle that was
//! closed or finalized stays invalid even when the allocator reuses the
//! memory behind it, a connection token passed where a statement is expected
//! finds nothing, and no call ever dereferences a pointer the caller made up.
//!
//! The registry holds each object behind an `Arc`; a call clones the `Arc`
//! for its duration. `heliosdb_close` racing another thread's call on the
//! same handle therefore only removes the token: the object is freed when the
//! in-flight call returns, never under it.

use heliosdb_core::interrupt::InterruptHandle;
use heliosdb_core::{Connection, PreparedStatement, SpooledRows, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CString;
use std::os::raw::{c_char, c_int};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::thread::ThreadId;

/// A connection to a database (opaque to C; the pointer is a token).
pub struct heliosdb {
    _opaque: [u8; 0],
}

/// A prepared statement (opaque to C; the pointer is a token).
pub struct heliosdb_stmt {
    _opaque: [u8; 0],
}

/// A thread's last error on one handle. The message is kept after a later
/// success (only `code` is cleared), so a pointer heliosdb_errmsg returned
/// stays valid until the next failure replaces it.
struct ErrorSlot {
    code: c_int,
    msg: CString,
}

/// What a `heliosdb *` token stands for.
pub(crate) struct Db {
    conn: Mutex<Connection>,
    /// Stops the running statement without taking `conn`'s lock.
    pub(crate) interrupt: InterruptHandle,
    errors: Mutex<HashMap<ThreadId, ErrorSlot>>,
    /// How many threads' slots hold a failure code: lets a successful call
    /// skip the lock in the common case where nothing failed.
    failing_threads: AtomicUsize,
    pub(crate) live_stmts: AtomicUsize,
    /// The string the last heliosdb_notice call returned (kept for the caller).
    notice: Mutex<Option<CString>>,
}

/// Where a statement is in its life.
pub(crate) enum StepState {
    /// Not yet stepped since prepare, reset or an error.
    Ready,
    /// Executed; `row` is the row the column functions read, `rest` the
    /// rows after it (read back from a temporary file when the result
    /// outgrew the statement's working memory). `epoch` is the connection's
    /// interrupt epoch when the run started.
    Rows { rest: SpooledRows, row: Vec<Value>, epoch: u64 },
    /// Stepped past the last row.
    Done,
}

/// Strings handed out for a statement's columns. Sets replaced after a
/// schema change are retired, not freed: a `column_name` or
/// `column_decltype` pointer stays valid until heliosdb_finalize.
#[derive(Default)]
pub(crate) struct ColumnStrings {
    pub(crate) names: Vec<CString>,
    pub(crate) decltypes: Vec<Option<CString>>,
    retired: Vec<(Vec<CString>, Vec<Option<CString>>)>,
}

impl ColumnStrings {
    /// Installs a new set when it differs from the current one.
    pub(crate) fn update(&mut self, names: &[String], decltypes: &[Option<String>]) {
        let same_names =
            names.len() == self.names.len() && names.iter().zip(&self.names).all(|(a, b)| a.as_bytes() == b.as_bytes());
        let same_types = decltypes.len() == self.decltypes.len()
            && decltypes
                .iter()
                .zip(&self.decltypes)
                .all(|(a, b)| a.as_deref().map(str::as_bytes) == b.as_ref().map(|c| c.as_bytes()));
        if same_names && same_types {
            return;
        }
        let new_names: Vec<CString> = names.iter().map(|n| to_cstring(n)).collect();
        let new_types: Vec<Option<CString>> =
            (0..new_names.len()).map(|i| decltypes.get(i).and_then(Option::as_deref).map(to_cstring)).collect();
        let old = (std::mem::replace(&mut self.names, new_names), std::mem::replace(&mut self.decltypes, new_types));
        if !old.0.is_empty() || !old.1.is_empty() {
            self.retired.push(old);
        }
    }
}

/// What a `heliosdb_stmt *` token stands for.
pub(crate) struct Stmt {
    pub(crate) db: Arc<Db>,
    pub(crate) inner: PreparedStatement,
    pub(crate) bound: Vec<Value>,
    /// The vector the last run's copy of `bound` was moved out of, kept
    /// (emptied) so that the next run's copy reuses its allocation.
    pub(crate) run_values: Vec<Value>,
    pub(crate) state: StepState,
    pub(crate) columns: ColumnStrings,
    /// Parameter names by slot (`None` for `?`/`?N`), for bind_parameter_name.
    pub(crate) param_names: Vec<Option<CString>>,
    /// The plan version `columns` was described from.
    pub(crate) described: Option<u64>,
    /// Set by heliosdb_stmt_interrupt (shared with the [`StmtCell`]).
    pub(crate) stop: Arc<std::sync::atomic::AtomicBool>,
    /// NUL-terminated text/blob renderings of the current row's values, made
    /// at most once per row and column by column_text/blob/bytes and kept
    /// until the next step, reset or finalize.
    pub(crate) buffers: Vec<Option<Box<[u8]>>>,
}

/// A statement behind its lock: one thread runs a call on it at a time
/// (using it from two threads at once is the caller's misuse, but it stays
/// memory-safe). `stop` is outside the lock so that heliosdb_stmt_interrupt
/// can reach a statement while another thread is stepping it.
pub(crate) struct StmtCell {
    pub(crate) stmt: Mutex<Stmt>,
    pub(crate) stop: Arc<std::sync::atomic::AtomicBool>,
}

struct Registry {
    dbs: RwLock<HashMap<usize, Arc<Db>>>,
    stmts: RwLock<HashMap<usize, Arc<StmtCell>>>,
    next: AtomicUsize,
}

fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| Registry {
        dbs: RwLock::new(HashMap::new()),
        stmts: RwLock::new(HashMap::new()),
        // Tokens start high and step by 16, so small integers and NULL are never handles.
        next: AtomicUsize::new(0x1000),
    })
}

fn new_token() -> usize {
    registry().next.fetch_add(16, Ordering::Relaxed)
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers a connection; returns its token.
pub(crate) fn register_db(db: Db) -> *mut heliosdb {
    let token = new_token();
    write(&registry().dbs).insert(token, Arc::new(db));
    token as *mut heliosdb
}

/// Registers a statement; returns its token.
pub(crate) fn register_stmt(st: Stmt) -> *mut heliosdb_stmt {
    let token = new_token();
    let cell = StmtCell { stop: Arc::clone(&st.stop), stmt: Mutex::new(st) };
    write(&registry().stmts).insert(token, Arc::new(cell));
    token as *mut heliosdb_stmt
}

/// The connection behind `db`, if it is an open handle.
pub(crate) fn db_get(db: *const heliosdb) -> Option<Arc<Db>> {
    read(&registry().dbs).get(&(db as usize)).cloned()
}

/// The statement behind `st`, if it is a live handle.
pub(crate) fn stmt_get(st: *const heliosdb_stmt) -> Option<Arc<StmtCell>> {
    read(&registry().stmts).get(&(st as usize)).cloned()
}

/// Removes a connection token if `ok` agrees, under the registry lock (so a
/// concurrent prepare cannot slip in between the check and the removal).
pub(crate) fn unregister_db_if(db: *const heliosdb, ok: impl FnOnce(&Db) -> Result<(), String>) -> CloseResult {
    let mut dbs = write(&registry().dbs);
    let Some(d) = dbs.get(&(db as usize)) else { return CloseResult::NotOpen };
    if let Err(why) = ok(d) {
        return CloseResult::Refused(Arc::clone(d), why);
    }
    match dbs.remove(&(db as usize)) {
        Some(d) => CloseResult::Closed(d),
        None => CloseResult::NotOpen,
    }
}

/// What [`unregister_db_if`] did.
pub(crate) enum CloseResult {
    NotOpen,
    Refused(Arc<Db>, String),
    Closed(Arc<Db>),
}

/// Removes a statement token; the statement itself (if any call still holds
/// it) is freed when that call returns.
pub(crate) fn unregister_stmt(st: *const heliosdb_stmt) -> Option<Arc<StmtCell>> {
    write(&registry().stmts).remove(&(st as usize))
}

pub(crate) fn to_cstring(msg: &str) -> CString {
    CString::new(msg.replace('\0', " ")).unwrap_or_default()
}

static NOT_AN_ERROR: &[u8] = b"not an error\0";

impl Db {
    pub(crate) fn new(conn: Connection) -> Db {
        Db {
            interrupt: conn.interrupt_handle(),
            conn: Mutex::new(conn),
            errors: Mutex::new(HashMap::new()),
            failing_threads: AtomicUsize::new(0),
            live_stmts: AtomicUsize::new(0),
            notice: Mutex::new(None),
        }
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// Records a failure of the calling thread (replacing, so freeing, its previous message).
    pub(crate) fn set_error(&self, code: c_int, msg: &str) {
        let mut errors = lock(&self.errors);
        let previous = errors.insert(std::thread::current().id(), ErrorSlot { code, msg: to_cstring(msg) });
        if previous.is_none_or(|p| p.code == crate::HELIOSDB_OK) {
            self.failing_threads.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Records a success of the calling thread: the code is cleared, the
    /// previous message stays allocated (see [`ErrorSlot`]).
    pub(crate) fn clear_error(&self) {
        if self.failing_threads.load(Ordering::SeqCst) == 0 {
            return; // no thread has a failure recorded: nothing to clear
        }
        if let Some(slot) = lock(&self.errors).get_mut(&std::thread::current().id()) {
            if slot.code != crate::HELIOSDB_OK {
                slot.code = crate::HELIOSDB_OK;
                self.failing_threads.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    pub(crate) fn errmsg_ptr(&self) -> *const c_char {
        match lock(&self.errors).get(&std::thread::current().id()) {
            Some(slot) if slot.code != crate::HELIOSDB_OK => slot.msg.as_ptr(),
            _ => NOT_AN_ERROR.as_ptr().cast(),
        }
    }

    pub(crate) fn errcode(&self) -> c_int {
        lock(&self.errors).get(&std::thread::current().id()).map_or(crate::HELIOSDB_OK, |s| s.code)
    }

    /// The connection's current notice as a C string owned by this handle.
    /// The slot is replaced only when the text changes.
    pub(crate) fn notice_ptr(&self) -> *const c_char {
        let text = self.conn().notice();
        let mut slot = lock(&self.notice);
        let same = match (&*slot, &text) {
            (Some(c), Some(t)) => c.as_bytes() == to_cstring(t).as_bytes(),
            _ => false,
        };
        if !same {
            *slot = text.map(|t| to_cstring(&t));
        }
        slot.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
    }
}

thread_local! {
    /// The calling thread's last failure of a call that had no valid handle.
    static LAST_ERROR: RefCell<ErrorSlot> = RefCell::new(ErrorSlot { code: crate::HELIOSDB_OK, msg: CString::default() });
}

/// Records a failure of a call that had no valid handle.
pub(crate) fn set_global_error(code: c_int, msg: &str) {
    LAST_ERROR.with(|e| *e.borrow_mut() = ErrorSlot { code, msg: to_cstring(msg) });
}

/// Clears the calling thread's handle-less error code (the message stays allocated).
pub(crate) fn clear_global_error() {
    LAST_ERROR.with(|e| e.borrow_mut().code = crate::HELIOSDB_OK);
}

/// The calling thread's last handle-less failure message.
pub(crate) fn global_errmsg_ptr() -> *const c_char {
    LAST_ERROR.with(|e| {
        let e = e.borrow();
        if e.code == crate::HELIOSDB_OK {
            NOT_AN_ERROR.as_ptr().cast()
        } else {
            e.msg.as_ptr()
        }
    })
}

/// The calling thread's last handle-less failure code.
pub(crate) fn global_errcode() -> c_int {
    LAST_ERROR.with(|e| e.borrow().code)
}
