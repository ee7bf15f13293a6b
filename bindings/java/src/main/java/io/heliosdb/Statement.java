// Statement.java — a prepared statement: parameters by index or name, execution for
// changes, queries returning Rows. Owns one heliosdb_stmt handle.
package io.heliosdb;

import java.lang.ref.Cleaner;
import java.math.BigDecimal;

/**
 * A prepared SQL statement. Parameters are 1-based ({@code ?}, {@code ?N}) or named
 * ({@code :name}, {@code @name}, {@code $name}); result columns are 0-based, as in the C
 * ABI. Bindings persist across executions until changed or {@link #clearBindings()}.
 *
 * <p>Use a statement from one thread at a time. Closing it (or its {@link Database})
 * makes every later call throw {@link HeliosDBException} with code MISUSE.
 */
public final class Statement implements AutoCloseable {

    /** The native side; also the Cleaner's action, so it never references the wrapper. */
    static final class State implements Runnable {
        final Database.State db;
        private volatile long handle; // written under this; 0 once finalized
        /** Bumped by each reset/new query: a Rows of an older generation is stale. */
        int generation;
        boolean stepped;
        boolean done;
        /** heliosdb_stmt_readonly, asked once (it depends only on the SQL): 0 unknown, 1 yes, 2 no. */
        int readOnly;

        State(Database.State db, long handle) {
            this.db = db;
            this.handle = handle;
        }

        long handle() throws HeliosDBException {
            long h = handle;
            if (h == 0) {
                throw new HeliosDBException(HeliosDBException.MISUSE,
                        db.isClosed() ? "database is closed" : "statement is closed");
            }
            return h;
        }

        /** The handle without checking it (0 once finalized). */
        long handleOrZero() {
            return handle;
        }

        long dbHandle() {
            try {
                return db.handle();
            } catch (HeliosDBException e) {
                return 0; // the ABI answers MISUSE for it, and handle() already refused
            }
        }

        /** Back to the start (keeps bindings); stale Rows stop working. */
        void reset() throws HeliosDBException {
            long h = handle();
            generation++;
            if (stepped) {
                stepped = false;
                done = false;
                NativeDB.reset(dbHandle(), h);
            }
        }

        /** One step; true when a row is ready. */
        boolean step() throws HeliosDBException {
            long h = handle();
            stepped = true;
            int rc = NativeDB.step(dbHandle(), h);
            done = rc == NativeDB.DONE;
            return rc == NativeDB.ROW;
        }

        synchronized void close() throws HeliosDBException {
            long h = handle;
            if (h == 0) return;
            handle = 0;
            generation++;
            db.statements.remove(this);
            NativeDB.finalizeStmt(dbHandle(), h);
        }

        @Override
        public void run() {
            try {
                close();
            } catch (HeliosDBException ignored) {
                // backstop for a leaked Statement
            }
        }
    }

    final Database database;
    final State state;
    private final Cleaner.Cleanable cleanable;

    /** {@code state} is already registered with its database (see Database.State#prepare). */
    Statement(Database database, State state) {
        this.database = database;
        this.state = state;
        this.cleanable = Database.CLEANER.register(this, state);
    }

    /** The database this statement belongs to. */
    public Database database() {
        return database;
    }

    /** Number of parameter slots (the largest parameter number). */
    public int parameterCount() throws HeliosDBException {
        synchronized (state) {
            return NativeDB.parameterCount(state.handle());
        }
    }

    /** 1-based index of the parameter called {@code name} (with its prefix, as in {@code ":id"}); throws RANGE if none. */
    public int parameterIndex(String name) throws HeliosDBException {
        synchronized (state) {
            int i = NativeDB.parameterIndex(state.handle(), Utf8.cString(name, "parameter name"));
            if (i == 0) throw new HeliosDBException(HeliosDBException.RANGE, "no parameter named " + name);
            return i;
        }
    }

    /** The name of parameter {@code index} (1-based) with its prefix, or null for {@code ?} parameters. */
    public String parameterName(int index) throws HeliosDBException {
        synchronized (state) {
            return Utf8.string(NativeDB.parameterName(state.handle(), index));
        }
    }

    /**
     * Stops this statement only, from any thread, without waiting for it: if it is
     * running it ends with {@link HeliosDBException#INTERRUPT} having changed nothing;
     * otherwise its next step does (unless it is reset first). Other statements of the
     * database are not touched. A no-op on a closed statement.
     */
    public void interrupt() {
        long h = state.handleOrZero(); // not under the lock: the running step holds it
        if (h != 0) NativeDB.stmtInterrupt(h);
    }

    /** True when running this statement cannot change the database. */
    public boolean isReadOnly() throws HeliosDBException {
        synchronized (state) {
            return readOnlyLocked();
        }
    }

    private boolean readOnlyLocked() throws HeliosDBException {
        long h = state.handle();
        if (state.readOnly == 0) state.readOnly = NativeDB.readonly(h) ? 1 : 2;
        return state.readOnly == 1;
    }

    /** Number of result columns (0 for statements without results). */
    public int columnCount() throws HeliosDBException {
        synchronized (state) {
            return NativeDB.columnCount(state.handle());
        }
    }

    /** Name of result column {@code index} (0-based). */
    public String columnName(int index) throws HeliosDBException {
        synchronized (state) {
            byte[] n = NativeDB.columnName(state.handle(), index);
            if (n == null) throw new HeliosDBException(HeliosDBException.RANGE, "column index out of range: " + index);
            return Utf8.string(n);
        }
    }

    /** Declared type of result column {@code index} when it reads a table column unchanged (e.g. {@code DECIMAL(15,2)}), else null. */
    public String columnDeclType(int index) throws HeliosDBException {
        synchronized (state) {
            long h = state.handle();
            if (index < 0 || index >= NativeDB.columnCount(h)) {
                throw new HeliosDBException(HeliosDBException.RANGE, "column index out of range: " + index);
            }
            return Utf8.string(NativeDB.columnDecltype(h, index));
        }
    }

    private void prepareBind() throws HeliosDBException {
        if (state.stepped) state.reset(); // binding needs a statement that is not running
    }

    /** Binds SQL NULL to parameter {@code index} (1-based). */
    public Statement bindNull(int index) throws HeliosDBException {
        synchronized (state) {
            long h = state.handle();
            prepareBind();
            NativeDB.bindNull(state.dbHandle(), h, index);
        }
        return this;
    }

    /** Binds a 64-bit integer. */
    public Statement bind(int index, long value) throws HeliosDBException {
        synchronized (state) {
            long h = state.handle();
            prepareBind();
            NativeDB.bindLong(state.dbHandle(), h, index, value);
        }
        return this;
    }

    /** Binds a double. */
    public Statement bind(int index, double value) throws HeliosDBException {
        synchronized (state) {
            long h = state.handle();
            prepareBind();
            NativeDB.bindDouble(state.dbHandle(), h, index, value);
        }
        return this;
    }

    /** Binds a boolean (stored as 1/0, as BOOLEAN columns read it). */
    public Statement bind(int index, boolean value) throws HeliosDBException {
        return bind(index, value ? 1L : 0L);
    }

    /** Binds text (null binds NULL); the text may contain NUL characters. */
    public Statement bind(int index, String value) throws HeliosDBException {
        synchronized (state) {
            long h = state.handle();
            prepareBind();
            NativeDB.bindText(state.dbHandle(), h, index, value == null ? null : Utf8.bytes(value));
        }
        return this;
    }

    /** Binds bytes as a BLOB (null binds NULL). */
    public Statement bind(int index, byte[] value) throws HeliosDBException {
        synchronized (state) {
            long h = state.handle();
            prepareBind();
            NativeDB.bindBlob(state.dbHandle(), h, index, value);
        }
        return this;
    }

    /** Binds an exact decimal (as its digits, which DECIMAL columns store exactly; null binds NULL). */
    public Statement bind(int index, BigDecimal value) throws HeliosDBException {
        return bind(index, value == null ? null : value.toPlainString());
    }

    /**
     * Binds a value by its Java type: null, Long/Integer/Short/Byte, Double/Float,
     * Boolean, String, byte[], BigDecimal; other types throw MISMATCH.
     */
    public Statement bind(int index, Object value) throws HeliosDBException {
        if (value == null) return bindNull(index);
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return bind(index, ((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) return bind(index, ((Number) value).doubleValue());
        if (value instanceof Boolean b) return bind(index, b.booleanValue());
        if (value instanceof String s) return bind(index, s);
        if (value instanceof byte[] b) return bind(index, b);
        if (value instanceof BigDecimal d) return bind(index, d);
        if (value instanceof java.math.BigInteger bi) return bind(index, new BigDecimal(bi));
        throw new HeliosDBException(HeliosDBException.MISMATCH, "cannot bind a " + value.getClass().getName());
    }

    /** Binds a value to the parameter called {@code name} (such as {@code ":id"}). */
    public Statement bind(String name, Object value) throws HeliosDBException {
        return bind(parameterIndex(name), value);
    }

    /** Binds positional values to parameters 1, 2, …. */
    public Statement bindAll(Object... values) throws HeliosDBException {
        for (int i = 0; i < values.length; i++) bind(i + 1, values[i]);
        return this;
    }

    /** Sets every parameter back to NULL. */
    public Statement clearBindings() throws HeliosDBException {
        synchronized (state) {
            long h = state.handle();
            prepareBind();
            NativeDB.clearBindings(state.dbHandle(), h);
        }
        return this;
    }

    /**
     * Runs the statement to completion (discarding any rows) and returns the rows it
     * changed (0 for statements that cannot change data).
     */
    public long execute() throws HeliosDBException {
        synchronized (state) {
            state.reset();
            try {
                while (state.step()) {
                    // rows of a query or RETURNING are discarded
                }
                return readOnlyLocked() ? 0 : NativeDB.changes(state.dbHandle());
            } finally {
                state.reset();
            }
        }
    }

    /** Runs the statement and returns its rows; a previous {@link Rows} of this statement stops working. */
    public Rows query() throws HeliosDBException {
        synchronized (state) {
            state.reset();
            return new Rows(this, state.generation);
        }
    }

    /** Makes the statement ready to run again (bindings are kept). */
    public void reset() throws HeliosDBException {
        synchronized (state) {
            state.reset();
        }
    }

    /** True once closed (by {@link #close()} or by closing its database). */
    public boolean isClosed() {
        return state.handle == 0;
    }

    /** Finalizes the statement. Idempotent; throws nothing once closed. */
    @Override
    public void close() throws HeliosDBException {
        state.close();
        cleanable.clean();
    }
}
