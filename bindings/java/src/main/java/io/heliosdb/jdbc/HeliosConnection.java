// HeliosConnection.java — java.sql.Connection over one io.heliosdb.Database: auto-commit
// (a lazy BEGIN before the first statement when it is off), commit/rollback, savepoints, read-only
// mode, validity, and closing that closes every statement and result set first.
package io.heliosdb.jdbc;

import io.heliosdb.Database;
import io.heliosdb.HeliosDBException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDBC connection. Auto-commit is on by default; with it off, a transaction begins
 * before the next statement and ends at {@link #commit()} or {@link #rollback()}. A
 * read-only connection refuses statements that could change data (SQLState 25006).
 * Isolation is what the engine gives every transaction (snapshot reads, one writer at a
 * time), reported as {@code TRANSACTION_SERIALIZABLE}. With auto-commit off,
 * {@link #setSavepoint()}, {@link #rollback(Savepoint)} and {@link #releaseSavepoint(Savepoint)}
 * run the engine's SAVEPOINT, ROLLBACK TO and RELEASE.
 *
 * <p>Threads: a connection may be shared if each thread uses its own Statement (the
 * engine serializes calls); auto-commit state, {@code getGeneratedKeys} and update
 * counts are per connection, so threads that need those should not share one.
 */
public final class HeliosConnection extends AbstractConnection {
    final Database db;
    private final String url;
    private final Set<HeliosStatement> statements = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile boolean autoCommit = true;
    private volatile boolean readOnly;
    private final AtomicInteger savepointIds = new AtomicInteger();

    HeliosConnection(Database db, String url) {
        this.db = db;
        this.url = url;
    }

    /** The underlying plain-API database (for notice(), queryJson(), interrupt()). */
    public Database database() {
        return db;
    }

    String url() {
        return url;
    }

    void checkOpen() throws SQLException {
        if (closed || db.isClosed()) throw SqlStates.closed("connection");
    }

    void register(HeliosStatement st) {
        statements.add(st);
    }

    void unregister(HeliosStatement st) {
        statements.remove(st);
    }

    /**
     * Called before each statement runs: refuses writes on a read-only connection and
     * opens the transaction when auto-commit is off.
     */
    void beforeExecute(io.heliosdb.Statement st, String sql) throws SQLException {
        checkOpen();
        try {
            if (readOnly && !st.isReadOnly()) {
                throw new SQLException("connection is read-only: " + firstWord(sql) + " refused", "25006");
            }
            if (!autoCommit && db.isAutoCommit() && !isTransactionControl(sql)) db.execute("BEGIN");
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    static String firstWord(String sql) {
        String s = stripLeadingComments(sql);
        int i = 0;
        while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
        return s.substring(0, i).toUpperCase(Locale.ROOT);
    }

    static String stripLeadingComments(String sql) {
        String s = sql.strip();
        while (true) {
            if (s.startsWith("--")) {
                int nl = s.indexOf('\n');
                s = nl < 0 ? "" : s.substring(nl + 1).strip();
            } else if (s.startsWith("/*")) {
                int end = s.indexOf("*/");
                s = end < 0 ? "" : s.substring(end + 2).strip();
            } else {
                return s;
            }
        }
    }

    private static boolean isTransactionControl(String sql) {
        switch (firstWord(sql)) {
            case "BEGIN", "COMMIT", "ROLLBACK", "END", "START":
                return true;
            default:
                return false;
        }
    }

    @Override
    public Statement createStatement() throws SQLException {
        checkOpen();
        return new HeliosStatement(this);
    }

    @Override
    public Statement createStatement(int type, int concurrency) throws SQLException {
        checkResultSetKind(type, concurrency);
        return createStatement();
    }

    @Override
    public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
        checkResultSetKind(type, concurrency);
        return createStatement();
    }

    private static void checkResultSetKind(int type, int concurrency) throws SQLException {
        if (type != ResultSet.TYPE_FORWARD_ONLY || concurrency != ResultSet.CONCUR_READ_ONLY) {
            throw new SQLFeatureNotSupportedException("only TYPE_FORWARD_ONLY, CONCUR_READ_ONLY result sets are supported");
        }
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        checkOpen();
        return new HeliosPreparedStatement(this, sql, false);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        checkOpen();
        return new HeliosPreparedStatement(this, sql, autoGeneratedKeys == Statement.RETURN_GENERATED_KEYS);
    }

    /** Generated keys are the inserted rowid whatever columns are named. */
    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
    }

    /** Generated keys are the inserted rowid whatever columns are named. */
    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int type, int concurrency) throws SQLException {
        checkResultSetKind(type, concurrency);
        return prepareStatement(sql);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability) throws SQLException {
        checkResultSetKind(type, concurrency);
        return prepareStatement(sql);
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        checkOpen();
        return sql;
    }

    @Override
    public void setAutoCommit(boolean on) throws SQLException {
        checkOpen();
        if (on && !autoCommit) {
            try {
                if (!db.isAutoCommit()) db.execute("COMMIT"); // JDBC: switching auto-commit on commits
            } catch (HeliosDBException e) {
                throw SqlStates.of(e);
            }
        }
        autoCommit = on;
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit;
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (autoCommit) throw new SQLException("commit() with auto-commit on", "25000");
        endTransaction("COMMIT");
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (autoCommit) throw new SQLException("rollback() with auto-commit on", "25000");
        endTransaction("ROLLBACK");
    }

    private void endTransaction(String sql) throws SQLException {
        try {
            if (!db.isAutoCommit()) db.execute(sql);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    /**
     * An unnamed savepoint in the current transaction (begun now if none is open yet).
     * Fails with SQLState 25000 in auto-commit mode, as the JDBC specification says.
     */
    @Override
    public Savepoint setSavepoint() throws SQLException {
        return startSavepoint(null);
    }

    /** A named savepoint in the current transaction; see {@link #setSavepoint()}. */
    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        if (name == null) throw new SQLException("savepoint name is null", "HY009");
        if (name.isEmpty()) throw new SQLException("savepoint name is empty", "HY024");
        return startSavepoint(name);
    }

    private Savepoint startSavepoint(String name) throws SQLException {
        checkOpen();
        if (autoCommit) throw new SQLException("setSavepoint() with auto-commit on", "25000");
        HeliosSavepoint sp = new HeliosSavepoint(this, savepointIds.incrementAndGet(), name);
        try {
            // Inside BEGIN: outside a transaction the engine's SAVEPOINT would begin one that
            // releasing this savepoint commits, which JDBC leaves to commit().
            if (db.isAutoCommit()) db.execute("BEGIN");
            db.execute("SAVEPOINT " + sp.sqlName());
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        return sp;
    }

    /**
     * Undoes everything done since {@code savepoint} was set; it stays valid (later
     * savepoints do not), and the transaction stays open. A savepoint released, or ended
     * with its transaction, fails with the engine's "no such savepoint" (SQLState 3B001).
     */
    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        savepointCommand("ROLLBACK TO SAVEPOINT ", savepoint, "rollback(Savepoint)");
    }

    /** Forgets {@code savepoint} and every later one, keeping their changes in the transaction. */
    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        savepointCommand("RELEASE SAVEPOINT ", savepoint, "releaseSavepoint()");
    }

    private void savepointCommand(String sql, Savepoint savepoint, String what) throws SQLException {
        checkOpen();
        if (autoCommit) throw new SQLException(what + " with auto-commit on", "25000");
        if (savepoint == null) throw new SQLException("savepoint is null", "HY009");
        if (!(savepoint instanceof HeliosSavepoint sp) || sp.connection != this) {
            throw new SQLException("the savepoint belongs to another connection", "3B001");
        }
        try {
            db.execute(sql + sp.sqlName());
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    /** Closes every statement (and result set) of this connection, rolls back an open transaction and closes it. */
    @Override
    public void close() throws SQLException {
        if (closed) return;
        closed = true;
        SQLException first = null;
        try {
            db.interrupt(); // a statement running in another thread stops, so closing does not wait for it
        } catch (HeliosDBException ignored) {
            // closed already
        }
        for (HeliosStatement st : new ArrayList<>(statements)) {
            try {
                st.close();
            } catch (SQLException e) {
                if (first == null) first = e;
            }
        }
        try {
            db.close();
        } catch (HeliosDBException e) {
            if (first == null) first = SqlStates.of(e);
        }
        if (first != null) throw first;
    }

    @Override
    public boolean isClosed() {
        return closed || db.isClosed();
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        checkOpen();
        return new HeliosDatabaseMetaData(this);
    }

    /** Refuses writes from now on (SQLState 25006); reads, including {@code AS OF}, still work. */
    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        this.readOnly = readOnly;
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return readOnly;
    }

    /** No catalogs: ignored, as JDBC allows. */
    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        return null;
    }

    /** Every level is served by the engine's one isolation level (reported as SERIALIZABLE). */
    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        if (level == Connection.TRANSACTION_NONE) throw new SQLException("TRANSACTION_NONE is not a settable level", "HY024");
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return Connection.TRANSACTION_SERIALIZABLE;
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
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        if (holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT && holdability != ResultSet.HOLD_CURSORS_OVER_COMMIT) {
            throw new SQLException("bad holdability " + holdability, "HY092");
        }
    }

    /** Rows are materialized when a query runs, so they outlive a commit. */
    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    /** Runs {@code SELECT 1}; false once closed or if that fails. */
    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) throw new SQLException("negative timeout", "HY000");
        if (isClosed()) return false;
        try (io.heliosdb.Statement st = db.prepare("SELECT 1"); io.heliosdb.Rows r = st.query()) {
            return r.next() && r.getLong(0) == 1;
        } catch (HeliosDBException e) {
            return false;
        }
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        checkOpen();
        return new Properties();
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        return null;
    }

    /** No schemas: ignored, as JDBC allows. */
    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
    }

    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        return null;
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) throw new SQLException("null executor", "HY009");
        close();
    }

    /** Embedded: there is no network, so the timeout is accepted and has nothing to do. */
    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        return 0;
    }
}
