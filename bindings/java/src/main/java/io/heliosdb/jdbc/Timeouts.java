// Timeouts.java — the one daemon thread that fires Statement.setQueryTimeout deadlines
// (through heliosdb_interrupt), shared by every connection of the process.
package io.heliosdb.jdbc;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Schedules query-timeout interrupts. */
final class Timeouts {
    private static final ScheduledThreadPoolExecutor EXECUTOR;

    static {
        EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "heliosdb-query-timeout");
            t.setDaemon(true);
            return t;
        });
        EXECUTOR.setRemoveOnCancelPolicy(true);
    }

    private Timeouts() {}

    /**
     * Runs {@code task} after {@code seconds}, then every 50 ms until cancelled: an
     * interrupt only stops statements already running, so repeating covers a statement
     * that had not reached the engine yet when the deadline passed.
     */
    static ScheduledFuture<?> schedule(Runnable task, int seconds) {
        return EXECUTOR.scheduleWithFixedDelay(task, TimeUnit.SECONDS.toMillis(seconds), 50, TimeUnit.MILLISECONDS);
    }
}
