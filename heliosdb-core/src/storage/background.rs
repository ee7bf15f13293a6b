//! The engine's periodic background threads (history GC, the materialized
//! view scheduler): each wakes every interval, runs its job on the engine if
//! the engine still exists, and stops when its handle is dropped (the engine
//! closing) — the drop joins it, so nothing outlives the database.

use super::engine::Engine;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running periodic thread; dropping it stops and joins the thread.
pub(crate) struct Periodic {
    stop: Option<Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

/// Starts thread `name` running `job` on `engine` every `interval`. `None`
/// if the thread cannot be started (the database then works without it).
pub(crate) fn every(
    engine: &Arc<Engine>,
    name: &str,
    interval: Duration,
    mut job: impl FnMut(&Arc<Engine>) + Send + 'static,
) -> Option<Periodic> {
    let (stop, wake) = mpsc::channel::<()>();
    let weak: Weak<Engine> = Arc::downgrade(engine);
    let handle = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || loop {
            match wake.recv_timeout(interval) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return, // stopped, or the engine is gone
            }
            let Some(engine) = weak.upgrade() else { return };
            job(&engine);
        })
        .ok()?;
    Some(Periodic { stop: Some(stop), handle: Some(handle) })
}

impl Drop for Periodic {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(handle) = self.handle.take() {
            // The thread may itself hold the last engine reference mid-run;
            // it must not join itself.
            if handle.thread().id() != std::thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}
