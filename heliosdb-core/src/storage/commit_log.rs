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

/// SCNs and transaction ids are reserved durably, this many at a time,
/// before a commit uses them: after a crash that loses commits
/// (`enable_wal = false`, or a power cut without `sync_on_commit`),
/// numbering resumes above every number a client could have seen, so an SCN
/// never names two different states. Each reservation is an fsync: at 1,024
/// a block, 10,000 autocommit inserts paid ten of them, a fifth of their
/// time; a larger block only widens the gap a crash leaves in the numbering.
pub const RESERVE_BLOCK: u64 = 1 << 16;

/// The highest SCN and transaction id that may have been handed out, as
/// made durable (`meta` key [`super::keys::META_RESERVED`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reservation {
    /// Highest SCN that may have been used.
    pub scn: u64,
    /// Highest transaction id that may have been used.
    pub txid: u64,
}

impl Reservation {
    /// The stored value: SCN then transaction id, big-endian.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = self.scn.to_be_bytes().to_vec();
        v.extend_from_slice(&self.txid.to_be_bytes());
        v
    }

    /// Reads a stored value back.
    ///
    /// # Errors
    /// `Corrupt` when it is not 16 bytes.
    pub fn decode(v: &[u8]) -> Result<Reservation> {
        let bad = || Error::Corrupt("SCN reservation record is damaged".into());
        let scn = u64::from_be_bytes(v.get(..8).ok_or_else(bad)?.try_into().map_err(|_| bad())?);
        let txid = u64::from_be_bytes(v.get(8..16).ok_or_else(bad)?.try_into().map_err(|_| bad())?);
        Ok(Reservation { scn, txid })
    }
}

/// The in-memory commit history of one database: every commit point still
/// kept (GC trims the oldest), in SCN order. SCNs are consecutive except
/// across a crash that lost commits: the numbers that may have been handed
/// out before it are skipped ([`CommitLog::lost`]).
#[derive(Debug, Default)]
pub struct CommitLog {
    records: Vec<CommitRecord>,
    next_txid: u64,
    /// History before this SCN has been removed by GC (0: never).
    gc_horizon: u64,
    /// What is durably reserved now.
    reserved: Reservation,
    /// The reserved SCN found at open: no new commit may take it or one below.
    floor: u64,
}

/// The pinned clock of [`set_clock_override`] (`i64::MIN`: none).
static CLOCK_OVERRIDE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(i64::MIN);

/// Pins this process's clock at `us` microseconds since the epoch, or lets
/// it follow the system clock again with `None`. For tests and simulations
/// of time passing (sliding-window views, retention): every database in the
/// process sees the pinned time — statement clocks, commit times, the
/// scheduler. Commit times still never go backwards.
pub fn set_clock_override(us: Option<i64>) {
    CLOCK_OVERRIDE.store(us.unwrap_or(i64::MIN), std::sync::atomic::Ordering::SeqCst);
}

/// Wall-clock microseconds since the Unix epoch (or the pinned time of
/// [`set_clock_override`]).
pub fn now_micros() -> i64 {
    let pinned = CLOCK_OVERRIDE.load(std::sync::atomic::Ordering::SeqCst);
    if pinned != i64::MIN {
        return pinned;
    }
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX)).unwrap_or(0)
}

impl CommitLog {
    /// Rebuilds the log from stored records (in SCN order) and the stored
    /// reservation. GC always keeps the newest record, and the reservation
    /// covers every number handed out, so neither SCNs nor transaction ids
    /// are ever reused.
    pub fn from_records(records: Vec<CommitRecord>, gc_horizon: u64, reserved: Reservation) -> CommitLog {
        let next_txid = records.iter().map(|r| r.txid).max().unwrap_or(0).max(reserved.txid) + 1;
        CommitLog { records, next_txid, gc_horizon, reserved, floor: reserved.scn }
    }

    /// The SCN the next commit gets.
    pub fn next_scn(&self) -> u64 {
        self.floor.max(self.last_scn()) + 1
    }

    /// The reservation a commit of `rec` must make durable before its
    /// numbers can be seen, or `None` when the current one covers them.
    pub fn reservation_for(&self, rec: &CommitRecord) -> Option<Reservation> {
        (rec.scn > self.reserved.scn || rec.txid > self.reserved.txid)
            .then(|| Reservation { scn: rec.scn + RESERVE_BLOCK, txid: rec.txid.max(self.next_txid) + RESERVE_BLOCK })
    }

    /// What is durably reserved now.
    pub fn reserved(&self) -> Reservation {
        self.reserved
    }

    /// Records that `r` is now durable.
    pub fn set_reserved(&mut self, r: Reservation) {
        self.reserved = r;
    }

    /// Exactly the numbers used so far: what a clean close makes durable, so
    /// the next open continues without a gap.
    pub fn used(&self) -> Reservation {
        Reservation { scn: self.next_scn() - 1, txid: self.next_txid.saturating_sub(1) }
    }

    /// Whether `scn` was skipped because of a crash: below the next SCN,
    /// after the oldest kept commit, and no commit has it. (It may have
    /// named a commit a client saw before the crash, so it must not be
    /// read as the state of the commit before it.)
    pub fn lost(&self, scn: u64) -> bool {
        scn > 0
            && scn < self.next_scn()
            && self.records.first().map_or(true, |f| scn > f.scn)
            && self.by_scn(scn).is_none()
    }

    /// History before this SCN has been removed (0 when GC never removed any).
    pub fn gc_horizon(&self) -> u64 {
        self.gc_horizon
    }

    /// The oldest point still kept: (SCN, commit time).
    pub fn oldest(&self) -> Option<(u64, i64)> {
        self.records.first().map(|r| (r.scn, r.time_us))
    }

    /// The record of commit `scn`, if still kept.
    pub fn by_scn(&self, scn: u64) -> Option<&CommitRecord> {
        self.records.binary_search_by_key(&scn, |r| r.scn).ok().map(|i| &self.records[i])
    }

    /// The record of the commit of transaction `txid` (transaction ids grow
    /// with SCNs, since one writer at a time takes an id and commits).
    pub fn by_txid(&self, txid: u64) -> Option<&CommitRecord> {
        let i = self.records.partition_point(|r| r.txid < txid);
        self.records.get(i).filter(|r| r.txid == txid)
    }

    /// The last commit at or before `time_us` among those up to `max_scn`.
    pub fn at_time(&self, time_us: i64, max_scn: u64) -> Option<&CommitRecord> {
        let upto = self.records.partition_point(|r| r.scn <= max_scn);
        let i = self.records[..upto].partition_point(|r| r.time_us <= time_us);
        i.checked_sub(1).map(|i| &self.records[i])
    }

    /// Forgets the `n` oldest records; history before the first one left is gone.
    pub fn remove_oldest(&mut self, n: usize) {
        let n = n.min(self.records.len().saturating_sub(1));
        self.records.drain(..n);
        if let Some(first) = self.records.first() {
            self.gc_horizon = self.gc_horizon.max(first.scn);
        }
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
        CommitRecord { scn: self.next_scn(), txid, time_us: now_micros().max(last_time) }
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
        assert!(log.by_scn(1).is_none());
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
    fn after_a_lost_reservation_numbering_skips_what_may_have_been_seen() {
        let recs = (1..=3).map(|i| CommitRecord { scn: i, txid: i, time_us: i as i64 }).collect();
        // Before the crash SCNs up to 1027 and txids up to 1030 were reserved.
        let mut log = CommitLog::from_records(recs, 0, Reservation { scn: 1027, txid: 1030 });
        assert_eq!(log.next_scn(), 1028);
        let t = log.begin_txid();
        assert_eq!(t, 1031);
        assert!(log.lost(4) && log.lost(1027) && !log.lost(3) && !log.lost(1028) && !log.lost(0));
        let rec = log.prepare(t);
        assert_eq!(rec.scn, 1028);
        let r = log.reservation_for(&rec).expect("1028 is past the reservation");
        assert!(r.scn >= rec.scn && r.txid >= t);
        log.set_reserved(r);
        log.push(rec);
        assert!(log.lost(500), "still lost once later commits exist");
        assert_eq!(log.by_scn(1028).map(|r| r.txid), Some(t));
        assert!(log.by_scn(500).is_none());
        assert_eq!(log.used(), Reservation { scn: 1028, txid: 1031 });
        let next = log.prepare(log.next_txid);
        assert!(log.reservation_for(&next).is_none(), "covered by the block just reserved");
    }

    #[test]
    fn lookups_by_scn_txid_and_time() {
        let recs = (1..=5).map(|i| CommitRecord { scn: i, txid: i * 2, time_us: (i as i64) * 10 }).collect();
        let mut log = CommitLog::from_records(recs, 0, Reservation::default());
        assert_eq!(log.by_scn(3).map(|r| r.txid), Some(6));
        assert!(log.by_scn(6).is_none());
        assert_eq!(log.by_txid(8).map(|r| r.scn), Some(4));
        assert!(log.by_txid(7).is_none(), "txid 7 never committed");
        assert_eq!(log.at_time(35, 5).map(|r| r.scn), Some(3));
        assert_eq!(log.at_time(35, 2).map(|r| r.scn), Some(2), "capped at the reader's SCN");
        assert!(log.at_time(9, 5).is_none());
        log.remove_oldest(2);
        assert_eq!(log.oldest(), Some((3, 30)));
        assert_eq!(log.gc_horizon(), 3);
        assert!(log.by_scn(2).is_none());
        assert_eq!(log.by_scn(3).map(|r| r.txid), Some(6));
        log.remove_oldest(100);
        assert_eq!(log.oldest().map(|o| o.0), Some(5), "the newest point always stays");
    }

    #[test]
    fn records_round_trip() {
        let r = CommitRecord { scn: 7, txid: 9, time_us: 1_700_000_000_000_000 };
        let back = CommitRecord::decode(&7u64.to_be_bytes(), &r.encode()).unwrap();
        assert_eq!(r, back);
        assert!(CommitRecord::decode(&[1, 2], &r.encode()).is_err());
    }
}
