//! Leases: a running query or an open transaction that reads a point in the
//! past holds a lease on its SCN, and GC never removes history a leased
//! point still needs. (No "snapshot too old" half-way through a report.)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The leased SCNs of one database, with how many holders each has.
#[derive(Debug, Default)]
pub struct LeaseTable {
    held: Mutex<BTreeMap<u64, usize>>,
}

/// A held lease; dropping it releases the point.
#[derive(Debug)]
pub struct Lease {
    table: Arc<LeaseTable>,
    scn: u64,
}

impl LeaseTable {
    /// Leases `scn` until the returned guard is dropped.
    pub fn acquire(self: &Arc<Self>, scn: u64) -> Lease {
        *crate::storage::engine::lock(&self.held).entry(scn).or_insert(0) += 1;
        Lease { table: Arc::clone(self), scn }
    }

    /// The oldest leased SCN, if any.
    pub fn oldest(&self) -> Option<u64> {
        crate::storage::engine::lock(&self.held).keys().next().copied()
    }
}

impl Lease {
    /// The leased SCN.
    pub fn scn(&self) -> u64 {
        self.scn
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut held = crate::storage::engine::lock(&self.table.held);
        if let Some(n) = held.get_mut(&self.scn) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.scn);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_lease_holds_until_its_last_holder_goes() {
        let t = Arc::new(LeaseTable::default());
        let a = t.acquire(5);
        let b = t.acquire(5);
        let c = t.acquire(9);
        assert_eq!(t.oldest(), Some(5));
        drop(a);
        assert_eq!(t.oldest(), Some(5));
        drop(b);
        assert_eq!(t.oldest(), Some(9));
        drop(c);
        assert_eq!(t.oldest(), None);
    }
}
