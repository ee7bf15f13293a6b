//! Commit numbering: the one module that hands out SCNs, transaction ids and
//! commit times, and keeps the list of commits.
//!
//! Every committed write transaction gets the next SCN (strictly increasing),
//! a commit time in microseconds that never goes backwards even when the wall
//! clock does, and is recorded beside its transaction id. Time travel,
//! incremental refresh, staleness and GC are all readers of this log.

use crate::error::{Error, Result};
use std::time::{SystemTime, UNIX_EPOCH};

/// One committed transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitRecord {
    /// Commit number.
    pub scn: u64,
    /// Transaction id.
    pub txid: u64,
    /// Commit time, microseconds since the Unix epoch (UTC).
    pub time_us: i64,
}

impl CommitRecord {
    /// Serialized value stored under the SCN key.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(16);
        v.extend_from_slice(&self.txid.to_be_bytes());
        v.extend_from_slice(&self.time_us.to_be_bytes());
        v
    }

    /// Reads a record back from its key and value.
    ///
    /// # Errors
    /// `Corrupt` when either is the wrong size.
    pub fn decode(key: &[u8], value: &[u8]) -> Result<CommitRecord> {
        let bad = || Error::Corrupt("commit record is damaged".into());
        let scn = u64::from_be_bytes(key.try_into().map_err(|_| bad())?);
        let txid = u64::from_be_bytes(value.get(..8).ok_or_else(bad)?.try_into().map_err(|_| bad())?);
        let time_us = i64::from_be_bytes(value.get(8..16).ok_or_else(bad)?.try_into().map_err(|_| bad())?);
        Ok(CommitRecord { scn, txid, time_us })
    }
}

/// The in-memory commit history of one database.
#[derive(Debug, Default)]
pub struct CommitLog {
    records: Vec<CommitRecord>,
    next_txid: u64,
}

/// Wall-clock microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX)).unwrap_or(0)
}

impl CommitLog {
    /// Rebuilds the log from stored records (in SCN order).
    pub fn from_records(records: Vec<CommitRecord>) -> CommitLog {
        let next_txid = records.iter().map(|r| r.txid).max().unwrap_or(0) + 1;
        CommitLog { records, next_txid }
    }

    /// The SCN of the latest commit (0 before the first).
    pub fn last_scn(&self) -> u64 {
        self.records.last().map_or(0, |r| r.scn)
    }

    /// Hands out a transaction id for a transaction that may write.
    pub fn begin_txid(&mut self) -> u64 {
        let id = self.next_txid;
        self.next_txid += 1;
        id
    }

    /// The record the next commit of `txid` gets: the next SCN and a commit
    /// time no earlier than the previous commit's.
    pub fn prepare(&self, txid: u64) -> CommitRecord {
        let last_time = self.records.last().map_or(i64::MIN, |r| r.time_us);
        CommitRecord { scn: self.last_scn() + 1, txid, time_us: now_micros().max(last_time) }
    }

    /// Appends a record once its batch is durable.
    pub fn push(&mut self, rec: CommitRecord) {
        self.records.push(rec);
    }

    /// All records, oldest first.
    pub fn records(&self) -> &[CommitRecord] {
        &self.records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scns_increase_and_times_never_go_back() {
        let mut log = CommitLog::default();
        let t1 = log.begin_txid();
        let mut r1 = log.prepare(t1);
        r1.time_us = i64::MAX - 10; // a clock far in the future
        log.push(r1);
        let t2 = log.begin_txid();
        let r2 = log.prepare(t2);
        assert_eq!(r2.scn, r1.scn + 1);
        assert!(r2.time_us >= r1.time_us, "commit time went backwards");
        assert_ne!(t1, t2);
    }

    #[test]
    fn records_round_trip() {
        let r = CommitRecord { scn: 7, txid: 9, time_us: 1_700_000_000_000_000 };
        let back = CommitRecord::decode(&7u64.to_be_bytes(), &r.encode()).unwrap();
        assert_eq!(r, back);
        assert!(CommitRecord::decode(&[1, 2], &r.encode()).is_err());
    }
}
