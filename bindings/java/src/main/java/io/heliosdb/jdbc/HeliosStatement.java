// HeliosStatement.java — java.sql.Statement: runs SQL text (one statement, or a script
// without results), holds the current result set or update count, batches of SQL text,
// generated keys, cancel() and setQueryTimeout() through heliosdb_stmt_interrupt.
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * A JDBC statement. Result sets are forward-only and read-only; a statement has at most
 * one open result set (running it again closes the previous one). {@link #cancel()} and
 * {@link #setQueryTimeout(int)} stop a running statement through the engine's interrupt,
 * which stops whatever is running on the connection at that moment.
 */
public class HeliosStatement extends AbstractStatement {
    final HeliosConnection conn;
    private volatile boolean closed;
    HeliosResultSet current;
    long updateCount = -1;
    private int queryTimeout;
    private long maxRows;
    private int fetchSize;
    private boolean closeOnCompletion;
    private boolean poolable;
    private final List<String> batch = new ArrayList<>();
    /** Keys for getGeneratedKeys: the rowids the last INSERT added (one row each), or none. */
    List<Object[]> generatedKeys = List.of();
    /**
     * Guards {@link #runId}/{@link #running}: an interrupt is sent only while the run
     * it was meant for is still in the engine, so a late cancel or timer never stops a
     * later statement.
     */
    private final Object runLock = new Object();
    private long runId;
    private boolean running;
    /** The native statement of the run in progress: cancel() interrupts it alone. */
    private io.heliosdb.Statement runningStmt;
    private volatile boolean timedOut;

    HeliosStatement(HeliosConnection conn) {
        this.conn = conn;
        conn.register(this);
    }

    void checkOpen() throws SQLException {
        if (closed) throw SqlStates.closed("statement");
        conn.checkOpen();
    }

    void closeCurrent() throws SQLException {
        HeliosResultSet rs = current;
        current = null;
        if (rs != null) rs.close();
        updateCount = -1;
    }

    /**
     * Runs a prepared native statement: leaves either {@link #current} (a query, or
     * RETURNING) or {@link #updateCount}. {@code owned} statements are finalized when
     * their result set closes (or at once when there is none).
     */
    void run(io.heliosdb.Statement st, String sql, boolean owned) throws SQLException {
        checkOpen();
        closeCurrent();
        generatedKeys = List.of();
        io.heliosdb.Rows rows = null;
        ScheduledFuture<?> timer = null;
        timedOut = false;
        boolean keep = false;
        try {
            conn.beforeExecute(st, sql); // inside the try: a refused statement is still finalized
            rows = st.query();
            long id = begin(st);
            timer = startTimer(id);
            boolean first = rows.next(); // the first step runs the whole statement
            end();
            String word = HeliosConnection.firstWord(sql);
            boolean inserts = word.equals("INSERT") || word.equals("REPLACE");
            boolean dml = inserts || word.equals("UPDATE") || word.equals("DELETE");
            if (inserts && st.columnCount() == 0 && conn.db.changes() > 0) {
                generatedKeys = List.<Object[]>of(new Object[] {conn.db.lastInsertRowid()});
            }
            if (st.columnCount() > 0) {
                current = new HeliosResultSet(this, new NativeCursor(rows, first, owned ? st : null), maxRows);
                keep = true;
            } else {
                updateCount = dml ? conn.db.changes() : 0;
            }
        } catch (HeliosDBException e) {
            throw SqlStates.of(e, timedOut);
        } finally {
            end();
            if (timer != null) timer.cancel(false);
            if (!keep) {
                try {
                    if (rows != null) rows.close();
                    if (owned) st.close();
                } catch (HeliosDBException ignored) {
                    // the statement's own failure (if any) is what the caller sees
                }
            }
        }
    }

    private long begin(io.heliosdb.Statement st) {
        synchronized (runLock) {
            running = true;
            runningStmt = st;
            return ++runId;
        }
    }

    private void end() {
        synchronized (runLock) {
            running = false;
            runningStmt = null;
        }
    }

    /** Interrupts run {@code id} if it is still running (any run when id is 0). */
    private void interruptIfRunning(long id, boolean timeout) {
        synchronized (runLock) {
            if (!running || (id != 0 && id != runId)) return;
            if (timeout) timedOut = true;
            // This statement only (heliosdb_stmt_interrupt): the connection's other
            // result sets keep their rows.
            if (runningStmt != null) runningStmt.interrupt();
        }
    }

    /** Prepares {@code sql}; a script of several statements runs through exec (no results). */
    private void runText(String sql) throws SQLException {
        runText(sql, false);
    }

    /** {@code query}: refuse (before running it) a statement that can only give an update count. */
    private void runText(String sql, boolean query) throws SQLException {
        checkOpen();
        io.heliosdb.Statement st;
        try {
            st = conn.db.prepare(sql);
        } catch (HeliosDBException e) {
            if (e.getCode() == HeliosDBException.MISUSE && e.getMessage().contains("statements") && sql.indexOf(';') >= 0) {
                runScript(sql);
                return;
            }
            throw SqlStates.of(e);
        }
        if (query) refuseIfNoResult(st, sql);
        run(st, sql, true);
    }

    private void runScript(String sql) throws SQLException {
        closeCurrent();
        conn.checkOpen();
        if (conn.isReadOnly()) throw new SQLException("connection is read-only: scripts are refused", "25006");
        try {
            if (!conn.getAutoCommit() && conn.db.isAutoCommit()) conn.db.execute("BEGIN");
            conn.db.execute(sql);
            updateCount = 0;
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    /**
     * Statements with no result columns that may write are refused before they run.
     * (Names are resolved at the first step, so a query on an unknown table has no
     * columns yet; it is read-only, runs, and fails with "no such table".)
     */
    static void refuseIfNoResult(io.heliosdb.Statement st, String sql) throws SQLException {
        try {
            if (st.columnCount() == 0 && !st.isReadOnly()) {
                st.close();
                throw new SQLException("executeQuery on a statement that returns no result set: " + sql, "HY000");
            }
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        runText(sql, true);
        if (current == null) throw new SQLException("the statement returned no result set: " + sql, "HY000");
        return current;
    }

    /** Runs a statement; a statement with rows (RETURNING) has them discarded and returns its changes. */
    @Override
    public int executeUpdate(String sql) throws SQLException {
        return (int) executeLargeUpdate(sql);
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        runText(sql);
        return drainUpdateCount();
    }

    long drainUpdateCount() throws SQLException {
        if (current != null) {
            closeCurrent();
            try {
                updateCount = conn.db.changes();
            } catch (HeliosDBException e) {
                throw SqlStates.of(e);
            }
        }
        return updateCount;
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        runText(sql);
        return current != null;
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return executeUpdate(sql);
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return executeUpdate(sql);
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return executeUpdate(sql);
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return execute(sql);
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return execute(sql);
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return execute(sql);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        checkOpen();
        return current;
    }

    @Override
    public int getUpdateCount() throws SQLException {
        checkOpen();
        return (int) updateCount;
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        checkOpen();
        return updateCount;
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        checkOpen();
        closeCurrent();
        return false;
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        return getMoreResults();
    }

    /**
     * The rowids the last INSERT of this statement added, column GENERATED_KEY: every row
     * for a PreparedStatement made with RETURN_GENERATED_KEYS (read through
     * {@code RETURNING rowid}), otherwise the last inserted rowid; no rows after other statements.
     */
    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        checkOpen();
        return new HeliosResultSet(null, new ListCursor(new String[] {"GENERATED_KEY"}, new String[] {"INTEGER"}, generatedKeys), 0);
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        checkOpen();
        batch.add(sql);
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        batch.clear();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        long[] l = executeLargeBatch();
        int[] r = new int[l.length];
        for (int i = 0; i < l.length; i++) r[i] = (int) l[i];
        return r;
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        long[] counts = new long[batch.size()];
        try {
            for (int i = 0; i < counts.length; i++) {
                try {
                    counts[i] = executeLargeUpdate(batch.get(i));
                } catch (SQLException e) {
                    long[] done = java.util.Arrays.copyOf(counts, i);
                    throw new BatchUpdateException(e.getMessage(), e.getSQLState(), e.getErrorCode(), done, e);
                }
            }
            return counts;
        } finally {
            batch.clear();
        }
    }

    /** Stops this statement if it is running (its execute throws SQLState 57014). */
    @Override
    public void cancel() throws SQLException {
        checkOpen();
        interruptIfRunning(0, false);
    }

    private ScheduledFuture<?> startTimer(long id) {
        if (queryTimeout <= 0) return null;
        return Timeouts.schedule(() -> interruptIfRunning(id, true), queryTimeout);
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        checkOpen();
        if (seconds < 0) throw new SQLException("negative query timeout", "HY000");
        queryTimeout = seconds;
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        checkOpen();
        return queryTimeout;
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        setLargeMaxRows(max);
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        checkOpen();
        if (max < 0) throw new SQLException("negative max rows", "HY000");
        maxRows = max;
    }

    @Override
    public int getMaxRows() throws SQLException {
        return (int) getLargeMaxRows();
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        checkOpen();
        return maxRows;
    }

    /** A hint only: rows are materialized by the engine when the statement runs. */
    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) throw new SQLException("negative fetch size", "HY000");
        fetchSize = rows;
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD) throw new SQLFeatureNotSupportedException("only FETCH_FORWARD is supported");
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return ResultSet.FETCH_FORWARD;
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        checkOpen();
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getResultSetType() throws SQLException {
        checkOpen();
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        checkOpen();
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        checkOpen();
        return 0;
    }

    /** Accepted and ignored: values are never truncated. */
    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        checkOpen();
        if (max < 0) throw new SQLException("negative max field size", "HY000");
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        checkOpen();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return null;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
    }

    @Override
    public Connection getConnection() throws SQLException {
        checkOpen();
        return conn;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        checkOpen();
        this.poolable = poolable;
    }

    @Override
    public boolean isPoolable() throws SQLException {
        checkOpen();
        return poolable;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        checkOpen();
        closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        checkOpen();
        return closeOnCompletion;
    }

    /** Called by a result set of this statement when it closes. */
    void resultSetClosed(HeliosResultSet rs) throws SQLException {
        if (current == rs) current = null;
        if (closeOnCompletion && !closed) close();
    }

    /** Closes the open result set and the native statement(s). Idempotent. */
    @Override
    public void close() throws SQLException {
        if (closed) return;
        closed = true;
        try {
            HeliosResultSet rs = current;
            current = null;
            if (rs != null) rs.close();
            closeNative();
        } finally {
            conn.unregister(this);
        }
    }

    /** Subclasses release their own native statement here. */
    void closeNative() throws SQLException {}
}
