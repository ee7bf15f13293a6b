// Database.java — a connection to a HeliosDB-Lite database directory (or :memory:):
// opening, closing (which finalizes its statements first), plain execution and the
// connection-wide calls of the C ABI.
package io.heliosdb;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection to a HeliosDB-Lite database. Create it with {@link #open(String)} and
 * close it with {@link #close()} (try-with-resources); closing finalizes every
 * {@link Statement} prepared on it, so later use of those throws instead of crashing.
 *
 * <p>Threads: a {@code Database} may be shared by threads (the engine serializes calls
 * on it); each {@link Statement} and its {@link Rows} belong to one thread at a time.
 * {@link #interrupt()} may be called from any thread.
 *
 * <pre>{@code
 * try (Database db = Database.open("./bank")) {
 *     db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT)");
 *     try (Statement st = db.prepare("INSERT INTO t (name) VALUES (:name)")) {
 *         st.bind(":name", "ada").execute();
 *     }
 *     try (Statement st = db.prepare("SELECT id, name FROM t"); Rows rows = st.query()) {
 *         while (rows.next()) System.out.println(rows.getLong(0) + " " + rows.getString("name"));
 *     }
 * }
 * }</pre>
 */
public final class Database implements AutoCloseable {
    static final Cleaner CLEANER = Cleaner.create();

    /** The native side of a connection; also the Cleaner's action (never references the wrapper). */
    static final class State implements Runnable {
        private volatile long handle;
        private boolean closing; // guarded by this
        final Set<Statement.State> statements = ConcurrentHashMap.newKeySet();

        State(long handle) {
            this.handle = handle;
        }

        long handle() throws HeliosDBException {
            long h = handle;
            if (h == 0) throw new HeliosDBException(HeliosDBException.MISUSE, "database is closed");
            return h;
        }

        boolean isClosed() {
            return handle == 0;
        }

        /** Prepares under the lock so a concurrent close sees every statement it must finalize. */
        synchronized Statement.State prepare(byte[] sql) throws HeliosDBException {
            if (closing) throw new HeliosDBException(HeliosDBException.MISUSE, "database is closed");
            Statement.State st = new Statement.State(this, NativeDB.prepare(handle(), sql));
            statements.add(st);
            return st;
        }

        /** Stops running statements, finalizes every statement, then closes the handle. */
        void close() throws HeliosDBException {
            long h;
            synchronized (this) {
                if (closing) return;
                closing = true;
                h = handle;
            }
            if (h == 0) return;
            try {
                NativeDB.interrupt(h); // a statement stepping in another thread stops and frees its lock
            } catch (HeliosDBException ignored) {
                // the handle is still ours; an interrupt failure changes nothing below
            }
            List<Statement.State> open = new ArrayList<>(statements);
            for (Statement.State st : open) st.close();
            handle = 0;
            NativeDB.close(h);
        }

        @Override
        public void run() {
            try {
                close();
            } catch (HeliosDBException ignored) {
                // backstop for a leaked Database: nothing to report to
            }
        }
    }

    final State state;
    private final Cleaner.Cleanable cleanable;
    private final String path;

    private Database(long handle, String path) {
        this.state = new State(handle);
        this.cleanable = CLEANER.register(this, state);
        this.path = path;
    }

    /** Opens (creating if needed) the database in directory {@code path}; {@code ":memory:"} is a private temporary one. */
    public static Database open(String path) throws HeliosDBException {
        return open(path, null);
    }

    /**
     * Opens with a configuration given as TOML or JSON text (the structure of
     * {@code heliosdb.toml}; null for defaults). {@code path} may be null when the
     * configuration sets {@code database.path}.
     */
    public static Database open(String path, String config) throws HeliosDBException {
        byte[] p = path == null ? null : Utf8.cString(path, "path");
        byte[] c = config == null ? null : Utf8.cString(config, "config");
        return new Database(NativeDB.open(p, c), path);
    }

    /** Opens a private temporary database, deleted at close. */
    public static Database openInMemory() throws HeliosDBException {
        return open(":memory:", null);
    }

    /** The library version, such as {@code "0.1.0"}. */
    public static String version() {
        return Utf8.string(NativeDB.version());
    }

    /** The path this database was opened with (null when the configuration named it). */
    public String path() {
        return path;
    }

    /** Runs one or more {@code ;}-separated statements, discarding rows; stops at the first failure. */
    public void execute(String sql) throws HeliosDBException {
        NativeDB.exec(state.handle(), Utf8.cString(sql, "sql"));
    }

    /** Prepares one statement; close it (or this database) when done. */
    public Statement prepare(String sql) throws HeliosDBException {
        byte[] s = Utf8.cString(sql, "sql");
        return new Statement(this, state.prepare(s));
    }

    /**
     * Runs one statement and returns its result as JSON text
     * ({@code {"columns":[…],"rows":[[…]],"changes":N}}); {@code paramsJson} is null, a
     * JSON array (positional) or an object (named parameters).
     */
    public String queryJson(String sql, String paramsJson) throws HeliosDBException {
        byte[] p = paramsJson == null ? null : Utf8.cString(paramsJson, "params");
        return Utf8.string(NativeDB.queryJson(state.handle(), Utf8.cString(sql, "sql"), p));
    }

    /** Rows changed by the latest INSERT, UPDATE or DELETE on this connection. */
    public long changes() throws HeliosDBException {
        return NativeDB.changes(state.handle());
    }

    /** Rowid of the latest row inserted into a rowid table on this connection (0 if none). */
    public long lastInsertRowid() throws HeliosDBException {
        return NativeDB.lastInsertRowid(state.handle());
    }

    /** True when no explicit transaction (BEGIN … COMMIT) is open. */
    public boolean isAutoCommit() throws HeliosDBException {
        return NativeDB.getAutocommit(state.handle());
    }

    /** The notice the last statement left (such as a materialized view's refresh strategy), or null. */
    public String notice() throws HeliosDBException {
        return Utf8.string(NativeDB.notice(state.handle()));
    }

    /**
     * Stops the statement running on this connection, from any thread: its step fails
     * with {@link HeliosDBException#INTERRUPT} and it changes nothing. {@link Rows} of this
     * database that still have unread rows fail at their next {@link Rows#next()} too (the
     * C ABI's rule). Statements started after this call returns run normally.
     */
    public void interrupt() throws HeliosDBException {
        NativeDB.interrupt(state.handle());
    }

    /** How long a write waits for another connection's write transaction before failing with BUSY (ms; ≤ 0: no wait). */
    public void setBusyTimeout(int ms) throws HeliosDBException {
        NativeDB.busyTimeout(state.handle(), ms);
    }

    /** The body of {@link #inTransaction}: returns a value, may throw its own checked exception. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        /** Runs the work. */
        T run() throws E;
    }

    /**
     * Runs {@code work} between BEGIN and COMMIT; if it throws (or COMMIT fails) the
     * transaction is rolled back and the exception propagates. Nests: called while a
     * transaction is open (inside another {@code inTransaction}, or after BEGIN) it runs
     * {@code work} in a savepoint instead: SAVEPOINT … RELEASE, or ROLLBACK TO + RELEASE
     * when it throws, which undoes only its own work and leaves the outer transaction open.
     */
    public <T, E extends Exception> T inTransaction(Work<T, E> work) throws HeliosDBException, E {
        // One savepoint name for every level: RELEASE and ROLLBACK TO act on the newest
        // savepoint of a name, which is this level's.
        boolean nested = !isAutoCommit();
        execute(nested ? "SAVEPOINT " + SAVEPOINT : "BEGIN");
        boolean done = false;
        try {
            T result = work.run();
            execute(nested ? "RELEASE SAVEPOINT " + SAVEPOINT : "COMMIT");
            done = true;
            return result;
        } finally {
            if (!done && !isClosed() && !isAutoCommit()) {
                if (nested) {
                    execute("ROLLBACK TO SAVEPOINT " + SAVEPOINT);
                    execute("RELEASE SAVEPOINT " + SAVEPOINT);
                } else {
                    execute("ROLLBACK");
                }
            }
        }
    }

    /** The savepoint name of nested {@link #inTransaction} calls (one nobody writes by hand). */
    private static final String SAVEPOINT = "\"heliosdb_in_transaction\"";

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return state.isClosed();
    }

    /** Finalizes every statement of this connection, rolls back an open transaction and closes it. Idempotent. */
    @Override
    public void close() throws HeliosDBException {
        state.close();
        cleanable.clean();
    }
}
