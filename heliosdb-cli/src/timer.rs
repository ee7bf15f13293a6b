//! `.timer on`: wall-clock, CPU time and peak memory of each statement.
//!
//! Peak memory is the process's high-water mark of resident memory while
//! the statement ran: Linux lets a process reset that mark (`5` written to
//! `/proc/self/clear_refs`) and reports it as `VmHWM`. Elsewhere the line
//! leaves memory out.

use std::time::Instant;

/// Measures one statement.
pub struct Stopwatch {
    started: Instant,
    cpu: Option<(f64, f64)>,
}

impl Stopwatch {
    /// Starts measuring now, resetting the peak-memory mark.
    pub fn start() -> Stopwatch {
        // Failure only means the peak is the process's, not the statement's.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Stopwatch { started: Instant::now(), cpu: cpu_seconds() }
    }

    /// The line `.timer on` prints: `Run Time: real 0.012 user 0.010 sys 0.001 peak 14.2 MB`.
    pub fn report(&self) -> String {
        let mut line = format!("Run Time: real {:.3}", self.started.elapsed().as_secs_f64());
        if let (Some((u0, s0)), Some((u1, s1))) = (self.cpu, cpu_seconds()) {
            line.push_str(&format!(" user {:.6} sys {:.6}", u1 - u0, s1 - s0));
        }
        if let Some(kb) = peak_rss_kb() {
            line.push_str(&format!(" peak {:.1} MB", kb as f64 / 1024.0));
        }
        line
    }
}

/// User and system CPU seconds of this process so far (Linux).
fn cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = 100.0; // USER_HZ, fixed at 100 on Linux for /proc
    let user: f64 = fields.get(11)?.parse().ok()?;
    let sys: f64 = fields.get(12)?.parse().ok()?;
    Some((user / ticks, sys / ticks))
}

/// Peak resident memory since the last reset, in KiB (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
