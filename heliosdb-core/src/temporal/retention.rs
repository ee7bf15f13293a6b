//! The retention policy: which commit points stay queryable.
//!
//! A commit point is removed when it is older than `min_retention_seconds`
//! **and** at least `max_snapshots` newer points exist. So history younger
//! than the retention period is always kept (the promise an audit relies
//! on), and beyond it at most `max_snapshots` older points linger. The
//! newest point is never removed.

use crate::config::SnapshotConfig;
use crate::storage::commit_log::CommitRecord;

/// How many of `records` (oldest first) the policy lets GC remove from the front.
pub fn removable(records: &[CommitRecord], policy: &SnapshotConfig, now_us: i64) -> usize {
    if records.len() <= 1 {
        return 0;
    }
    let age_limit = now_us
        .saturating_sub(i64::try_from(policy.min_retention_seconds).unwrap_or(i64::MAX / 2).saturating_mul(1_000_000));
    let by_age = records.partition_point(|r| r.time_us < age_limit);
    let keep = usize::try_from(policy.max_snapshots).unwrap_or(usize::MAX).max(1);
    let by_count = records.len().saturating_sub(keep);
    by_age.min(by_count).min(records.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(times: &[i64]) -> Vec<CommitRecord> {
        times
            .iter()
            .enumerate()
            .map(|(i, t)| CommitRecord { scn: i as u64 + 1, txid: i as u64 + 1, time_us: *t })
            .collect()
    }

    #[test]
    fn a_point_goes_only_when_both_old_and_beyond_the_count() {
        let s = 1_000_000;
        let r = recs(&[0, s, 2 * s, 3 * s, 100 * s]);
        let policy = |age, n| SnapshotConfig {
            min_retention_seconds: age,
            max_snapshots: n,
            auto_gc_enabled: true,
            gc_interval_sec: 60,
        };
        assert_eq!(removable(&r, &policy(0, 2), 100 * s), 3);
        assert_eq!(removable(&r, &policy(50, 2), 100 * s), 3);
        assert_eq!(removable(&r, &policy(98, 1), 100 * s), 2);
        assert_eq!(removable(&r, &policy(0, 1000), 100 * s), 0);
        assert_eq!(removable(&r, &policy(0, 0), 100 * s), 4, "the newest point always stays");
    }
}
