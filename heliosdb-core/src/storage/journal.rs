//! fjall's journal: kept short while the database is open, emptied after a
//! clean close, so no open replays much of it.
//!
//! fjall replays its journal files at every open, item by item, also the
//! items that were flushed into table files long ago. Upstream starts a new
//! journal file only at a flush once the active one passes 64 MB, so a
//! killed process left up to 64 MB to replay (0.44 s for 160,000 one-row
//! commits), and a database that took 100,000 small commits and closed
//! cleanly spent about a second of every open re-reading a 15 MB journal
//! whose every item was already in table files.
//!
//! **While open**, [`AutoCheckpoint`] counts what is written, and every
//! [`CHECKPOINT_COMMITS`] (25,000) commits, and with a `memory_limit_mb`
//! below 64 also every `memory_limit_mb` written, the store seals the active journal file
//! and every memtable with it (the vendored fjall's `rotate_journal`,
//! vendor/README.md). fjall's worker flushes the memtables and then deletes
//! the sealed file, so what a reopen after a killed process replays stays
//! within about twice that. Small commits are what make a journal slow to
//! replay (160,000 one-row commits, 57 MB: 0.28 s), while a bulk load is
//! one commit whose memtables are better left to fjall's own size limit and
//! its rotation past 64 MB: sealing them right after a 1,000,000-row load
//! and index build made the reads that follow 1.5× slower while the worker
//! wrote and compacted them. On a small machine the bytes a replay loads
//! into memory count more. Like SQLite's
//! `wal_autocheckpoint`, the checkpoint is done by the writer that crossed
//! the line, and costs it one sync of the sealed file.
//!
//! **After a clean close**, which flushes every memtable (the checkpoint),
//! nothing in the journal is needed any more, and [`JournalTrim`] empties
//! the file once fjall has let go of the directory. An empty journal is a state
//! fjall's own recovery produces (its reader truncates a journal to the last
//! valid entry, so a torn first write leaves an empty file); it then takes
//! its sequence numbers from the table files. The trim is done only when:
//!
//! * every memtable was empty after the flush (nothing lives only in the journal);
//! * fjall's directory lock could be taken, i.e. no fjall handle is left open
//!   in this process or another (a reader still holding a snapshot keeps it);
//! * there is exactly one journal file (older, sealed ones are fjall's to retire).
//!
//! A crash during the trim leaves either the old journal (every item of which
//! fjall skips as already flushed) or an empty one; both open correctly.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// fjall's lock file in the database directory.
const FJALL_LOCK_FILE: &str = "lock";
/// fjall's journal files end in this.
const JOURNAL_EXTENSION: &str = "jnl";

/// Estimates how much journal a database carries, and empties the journal
/// when dropped after [`JournalTrim::arm`]. Declared after every field that
/// holds a fjall handle, so it drops once they are gone.
#[derive(Debug)]
pub(crate) struct JournalTrim {
    dir: PathBuf,
    /// Journal bytes found at open (fjall's recovery has cut the file to its
    /// last valid entry by then).
    at_open: u64,
    armed: AtomicBool,
}

impl JournalTrim {
    /// For the database in `dir`, opened just now; `new_database` when the
    /// open created it (fjall's fresh journal is preallocated, so its file
    /// length says nothing).
    pub(crate) fn new(dir: &Path, new_database: bool) -> JournalTrim {
        let at_open = if new_database { 0 } else { journal_files(dir).iter().map(|(_, len)| len).sum() };
        JournalTrim { dir: dir.to_path_buf(), at_open, armed: AtomicBool::new(false) }
    }

    /// About how many bytes the next open would replay from the journal,
    /// given the bytes written since open.
    pub(crate) fn estimated_bytes(&self, written: u64) -> u64 {
        self.at_open.saturating_add(written)
    }

    /// Every item of the journal is in table files: empty it once fjall closes.
    pub(crate) fn arm(&self) {
        self.armed.store(true, Ordering::Relaxed);
    }
}

impl Drop for JournalTrim {
    fn drop(&mut self) {
        if self.armed.load(Ordering::Relaxed) {
            // Failing leaves the journal as it is: the next open replays it.
            let _ = trim(&self.dir);
        }
    }
}

/// Commits between two automatic checkpoints at most: a killed process
/// then leaves at most about two such runs to replay (50,000 one-row
/// commits, 20 MB: 90 ms to open).
pub(crate) const CHECKPOINT_COMMITS: u64 = 25_000;

/// Counts the commits and bytes written to the journal and says when the
/// store is due to seal it (see the module documentation).
#[derive(Debug)]
pub(crate) struct AutoCheckpoint {
    every_bytes: u64,
    every_commits: u64,
    /// Bytes in the low 40 bits, commits above them: one atomic word, so
    /// one writer sees the line crossed and resets both.
    since: AtomicU64,
}

const BYTES_BITS: u32 = 40;
const BYTES_MASK: u64 = (1 << BYTES_BITS) - 1;

impl AutoCheckpoint {
    /// A checkpoint every `every_bytes` bytes or `every_commits` commits
    /// written, whichever comes first.
    pub(crate) fn new(every_bytes: u64, every_commits: u64) -> AutoCheckpoint {
        AutoCheckpoint {
            every_bytes: every_bytes.min(BYTES_MASK),
            every_commits: every_commits.min(u64::MAX >> BYTES_BITS),
            since: AtomicU64::new(0),
        }
    }

    /// Notes a commit of `bytes`; `true` when that makes a checkpoint due
    /// (the counts then start again).
    pub(crate) fn wrote(&self, bytes: u64) -> bool {
        let add = (1 << BYTES_BITS) | bytes.min(self.every_bytes);
        let since = self.since.fetch_add(add, Ordering::Relaxed).wrapping_add(add);
        let due = since & BYTES_MASK >= self.every_bytes || since >> BYTES_BITS >= self.every_commits;
        // Two writers crossing the line together: one of them wins the reset.
        due && self.since.compare_exchange(since, 0, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    }
}

/// The journal files in `dir` with their lengths.
fn journal_files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == JOURNAL_EXTENSION))
        .map(|p| {
            let len = p.metadata().map(|m| m.len()).unwrap_or(0);
            (p, len)
        })
        .collect()
}

/// Empties the only journal file of the closed database in `dir`; returns
/// whether it did.
fn trim(dir: &Path) -> std::io::Result<bool> {
    let lock = File::open(dir.join(FJALL_LOCK_FILE))?;
    if lock.try_lock().is_err() {
        return Ok(false); // fjall is still open on the directory somewhere
    }
    let files = journal_files(dir);
    let [(path, len)] = files.as_slice() else { return Ok(false) };
    if *len > 0 {
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(0)?;
        file.sync_all()?;
    }
    Ok(true) // the lock is released when `lock` closes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_due_once_per_every_bytes_or_commits() {
        let c = AutoCheckpoint::new(100, 5);
        assert!(!c.wrote(60));
        assert!(c.wrote(60), "120 bytes since the start");
        assert!(!c.wrote(90), "the count started again");
        assert!(c.wrote(10));
        assert!(c.wrote(1000), "one large batch");
        for _ in 0..4 {
            assert!(!c.wrote(1));
        }
        assert!(c.wrote(1), "the fifth small commit");
        assert!(!c.wrote(0), "both counts started again");
    }

    #[test]
    fn trims_only_a_lone_journal_of_an_unlocked_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FJALL_LOCK_FILE), b"").unwrap();
        std::fs::write(dir.path().join("3.jnl"), vec![7u8; 100]).unwrap();
        let held = File::open(dir.path().join(FJALL_LOCK_FILE)).unwrap();
        held.lock().unwrap();
        assert!(!trim(dir.path()).unwrap(), "a held lock means fjall is open");
        held.unlock().unwrap();
        std::fs::write(dir.path().join("2.jnl"), vec![7u8; 10]).unwrap();
        assert!(!trim(dir.path()).unwrap(), "sealed journals are fjall's to retire");
        std::fs::remove_file(dir.path().join("2.jnl")).unwrap();
        assert!(trim(dir.path()).unwrap());
        assert_eq!(std::fs::metadata(dir.path().join("3.jnl")).unwrap().len(), 0);
    }
}
