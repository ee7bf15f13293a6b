//! [`Transaction`]: a guard that rolls back unless committed.

use super::connection::Connection;
use crate::error::Result;
use std::ops::Deref;

/// An open transaction. Use it like the connection (it derefs to it); call
/// [`Transaction::commit`] to keep the changes. Dropping it rolls back.
pub struct Transaction<'conn> {
    conn: &'conn Connection,
    done: bool,
}

impl<'conn> Transaction<'conn> {
    pub(crate) fn new(conn: &'conn Connection) -> Transaction<'conn> {
        Transaction { conn, done: false }
    }

    /// Commits.
    ///
    /// # Errors
    /// Storage errors; the transaction is then rolled back.
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("COMMIT")
    }

    /// Rolls back.
    ///
    /// # Errors
    /// Never in practice; kept for symmetry.
    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl Deref for Transaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
