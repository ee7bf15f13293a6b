//! A statement's clock: `'now'`, `CURRENT_TIMESTAMP` and every date function
//! of one statement (its triggers included) read one instant, as in SQLite.
//!
//! The instant is taken at the first read, not when the statement starts
//! (SQLite's `sqlite3StmtCurrentTime` does the same): most statements never
//! read it, and a clock read was a twentieth of a prepared one-row INSERT.

use crate::storage::commit_log::now_micros;
use std::cell::Cell;

/// One statement's instant, read from the system clock at first use.
#[derive(Debug, Default)]
pub struct StmtClock {
    at: Cell<Option<i64>>,
}

impl StmtClock {
    /// A clock that reads the system clock at its first use.
    pub fn new() -> StmtClock {
        StmtClock::default()
    }

    /// A clock fixed at `us` (microseconds since the epoch).
    pub fn at(us: i64) -> StmtClock {
        StmtClock { at: Cell::new(Some(us)) }
    }

    /// The statement's instant in microseconds since the epoch: the same
    /// value at every call.
    pub fn now_us(&self) -> i64 {
        match self.at.get() {
            Some(us) => us,
            None => {
                let us = now_micros();
                self.at.set(Some(us));
                us
            }
        }
    }
}
