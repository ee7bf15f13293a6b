//! Interrupting a running statement from another thread.
//!
//! A connection owns an epoch counter; [`InterruptHandle::interrupt`] bumps
//! it. A statement records the epoch when it starts ([`arm`]) and the
//! operators that produce rows call [`check`] once per row: when the epoch
//! moved, the statement fails with [`Error::Interrupt`] and its writes are
//! undone like any failed statement's. An interrupt therefore stops the
//! statements running when it is called and never a later one, so a stale
//! interrupt (a cancellation that arrived after its query finished) cannot
//! fail the next statement.
//!
//! The armed epoch lives in a thread-local because statements run on the
//! caller's thread and the row producers are far from the session; a
//! thread with nothing armed (background GC, the view scheduler) never stops.
//! It sits at the crate root, below `exec` and `storage`, because both check
//! it: operators once per row, the writer lock while it waits.

use crate::error::{Error, Result};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Interrupts the statements of one connection; `Send + Sync`, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle {
    epoch: Arc<AtomicU64>,
}

impl InterruptHandle {
    /// Makes the statements running on the connection now stop at their next
    /// row with [`Error::Interrupt`]. Has no effect on statements started later.
    pub fn interrupt(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Stops every statement of the connection, running now or started
    /// later: for a connection being closed while another thread may still be
    /// inside a call on it, so that call returns instead of running on.
    pub fn interrupt_for_good(&self) {
        self.epoch.fetch_or(FOR_GOOD, Ordering::SeqCst);
    }

    /// The current epoch: a statement started now is interrupted once it changes.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Whether a statement that started at epoch `since` must stop now.
    pub fn is_interrupted(&self, since: u64) -> bool {
        stopped(&self.epoch, since)
    }
}

/// The epoch bit [`InterruptHandle::interrupt_for_good`] sets.
const FOR_GOOD: u64 = 1 << 63;

fn stopped(epoch: &AtomicU64, since: u64) -> bool {
    let now = epoch.load(Ordering::Relaxed);
    now != since || now & FOR_GOOD != 0
}

/// What is armed on this thread: the epoch counter and the value a running
/// statement started at (`since`, `None` when no statement runs).
///
/// The counter stays after its statement ends: the next statement of the
/// same connection (the usual case) arms it again without touching its
/// reference count, two atomic operations a statement otherwise (a
/// twentieth of a prepared one-row INSERT). It holds a connection's counter
/// at most until another connection runs on the thread.
struct ArmedState {
    epoch: Option<Arc<AtomicU64>>,
    since: Option<u64>,
}

thread_local! {
    static ARMED: RefCell<ArmedState> = const { RefCell::new(ArmedState { epoch: None, since: None }) };
    /// A flag of one statement (the C ABI's `heliosdb_stmt_interrupt`): when
    /// set, the statement running on this thread stops too.
    static STOP_FLAG: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Restores the previously armed stop flag (if any) when dropped.
pub struct ArmedFlag {
    previous: Option<Arc<AtomicBool>>,
}

impl Drop for ArmedFlag {
    fn drop(&mut self) {
        let previous = self.previous.take();
        STOP_FLAG.with(|f| *f.borrow_mut() = previous);
    }
}

/// Makes the statement about to run on this thread also stop (with
/// [`Error::Interrupt`]) once `flag` is set, from any thread: an interrupt
/// of one statement rather than of the whole connection.
pub fn arm_flag(flag: &Arc<AtomicBool>) -> ArmedFlag {
    let previous = STOP_FLAG.with(|f| f.borrow_mut().replace(Arc::clone(flag)));
    ArmedFlag { previous }
}

/// What a statement armed over, put back when it ends.
enum Previous {
    /// The same counter, with what was running on it (a statement inside
    /// another of its connection, or nothing).
    Same(Option<u64>),
    /// Another connection's counter (or none), with what was running on it.
    Other(Option<Arc<AtomicU64>>, Option<u64>),
}

/// Restores the previously armed statement (if any) when dropped.
pub struct Armed {
    previous: Option<Previous>,
}

impl Drop for Armed {
    fn drop(&mut self) {
        let Some(previous) = self.previous.take() else { return };
        ARMED.with(|a| {
            let mut a = a.borrow_mut();
            match previous {
                Previous::Same(since) => a.since = since,
                Previous::Other(epoch, since) => {
                    // Nothing was running: this counter stays for the next
                    // statement (see `ArmedState`).
                    if since.is_some() {
                        a.epoch = epoch;
                    }
                    a.since = since;
                }
            }
        });
    }
}

/// Arms interruption for the statement about to run on this thread: it stops
/// once `handle`'s epoch differs from `since`.
pub fn arm(handle: &InterruptHandle, since: u64) -> Armed {
    let previous = ARMED.with(|a| {
        let mut a = a.borrow_mut();
        let previous = if a.epoch.as_ref().is_some_and(|e| Arc::ptr_eq(e, &handle.epoch)) {
            Previous::Same(a.since)
        } else {
            Previous::Other(a.epoch.replace(Arc::clone(&handle.epoch)), a.since)
        };
        a.since = Some(since);
        previous
    });
    Armed { previous: Some(previous) }
}

/// Fails with [`Error::Interrupt`] when the running statement was interrupted.
///
/// # Errors
/// `Interrupt` once the armed connection's epoch has moved.
#[inline]
pub fn check() -> Result<()> {
    ARMED.with(|a| match &*a.borrow() {
        ArmedState { epoch: Some(epoch), since: Some(since) } if stopped(epoch, *since) => {
            Err(Error::Interrupt("interrupted".into()))
        }
        _ => Ok(()),
    })?;
    STOP_FLAG.with(|f| match &*f.borrow() {
        Some(flag) if flag.load(Ordering::Relaxed) => Err(Error::Interrupt("interrupted".into())),
        _ => Ok(()),
    })
}

/// How many rows a producer yields between two interrupt checks: often
/// enough to stop within microseconds, rarely enough that a scan does not
/// pay a thread-local read per row.
const CHECK_EVERY: u32 = 64;

/// Wraps a row stream so that it stops with [`Error::Interrupt`] (once) when
/// the statement is interrupted; checked before the first row and then every
/// [`CHECK_EVERY`] rows.
pub fn checked<'a>(rows: crate::exec::RowIter<'a>) -> crate::exec::RowIter<'a> {
    let mut failed = false;
    let mut until_check = 0u32;
    Box::new(rows.map_while(move |row| {
        if failed {
            return None;
        }
        if until_check == 0 {
            until_check = CHECK_EVERY;
            if let Err(e) = check() {
                failed = true;
                return Some(Err(e));
            }
        }
        until_check -= 1;
        Some(row)
    }))
}
