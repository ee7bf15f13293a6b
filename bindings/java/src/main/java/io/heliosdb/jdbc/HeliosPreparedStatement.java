// HeliosPreparedStatement.java — java.sql.PreparedStatement over one native statement:
// parameter values are kept in Java and bound at each execution (so batches and
// clearParameters are simple), batches run in one pass of bind/step/reset.
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.BatchUpdateException;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A JDBC prepared statement. Parameters are 1-based ({@code ?}, {@code ?N}, and named
 * {@code :name} parameters by their position). Dates and times are bound as text in the
 * engine's format: Timestamp, Instant, OffsetDateTime and ZonedDateTime as the instant in
 * UTC ({@code YYYY-MM-DD HH:MM:SS[.fff]}, what TIMESTAMP columns and {@code AS OF
 * TIMESTAMP} take), LocalDateTime as is, Date/LocalDate as {@code YYYY-MM-DD},
 * Time/LocalTime as {@code HH:MM:SS}; BigDecimal as its exact digits; booleans as 1/0.
 */
public class HeliosPreparedStatement extends AbstractPreparedStatement {
    private static final Object UNSET = new Object();
    /** The engine's TIMESTAMP text: {@code YYYY-MM-DD HH:MM:SS}, then the fraction's significant digits. */
    static final DateTimeFormatter SQL_TIMESTAMP = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 0, 9, true)
            .toFormatter(java.util.Locale.ROOT);

    private final String sql;
    /** INSERT/REPLACE: the batch records the last inserted rowid for getGeneratedKeys. */
    private final boolean inserts;
    /**
     * With RETURN_GENERATED_KEYS on an INSERT without RETURNING: the same statement with
     * {@code RETURNING rowid}, so every inserted row's key comes back; null when not (or
     * no longer) usable, e.g. a table with a composite primary key has no rowid.
     */
    private io.heliosdb.Statement keys;
    private final io.heliosdb.Statement st;
    /** RETURN_GENERATED_KEYS asked (keys are recorded either way, as the last inserted rowid). */
    private final boolean wantKeys;
    private final Object[] params;
    private final List<Object[]> batch = new ArrayList<>();

    HeliosPreparedStatement(HeliosConnection conn, String sql, boolean wantKeys) throws SQLException {
        super(conn);
        this.sql = sql;
        this.wantKeys = wantKeys;
        String word = HeliosConnection.firstWord(sql);
        this.inserts = word.equals("INSERT") || word.equals("REPLACE");
        try {
            this.st = conn.db.prepare(sql);
            this.params = new Object[st.parameterCount()];
        } catch (HeliosDBException e) {
            conn.unregister(this);
            throw SqlStates.of(e);
        }
        Arrays.fill(params, UNSET);
        if (wantKeys && inserts && !sql.toUpperCase(java.util.Locale.ROOT).contains("RETURNING")) {
            String body = sql.strip();
            while (body.endsWith(";")) body = body.substring(0, body.length() - 1).strip();
            try {
                keys = conn.db.prepare(body + " RETURNING rowid");
            } catch (HeliosDBException e) {
                keys = null; // not expressible: fall back to the last inserted rowid
            }
        }
    }

    /** True when a failure says the keys statement cannot work here (then the plain statement runs). */
    private boolean keysUnusable(SQLException e) {
        return e.getErrorCode() == HeliosDBException.ERROR && e.getMessage() != null && e.getMessage().contains("rowid");
    }

    private void dropKeys() {
        try {
            keys.close();
        } catch (HeliosDBException ignored) {
            // closing a statement that failed: nothing to report
        }
        keys = null;
    }

    /** Runs the RETURNING rowid form; false when it cannot (the caller runs the plain statement). */
    private boolean runWithKeys() throws SQLException {
        bindAll(keys, params);
        try {
            run(keys, sql, false);
        } catch (SQLException e) {
            if (!keysUnusable(e)) throw e;
            dropKeys();
            return false;
        }
        List<Object[]> got = new ArrayList<>();
        try (ResultSet rs = current) {
            while (rs.next()) got.add(new Object[] {rs.getLong(1)});
        }
        current = null;
        try {
            updateCount = conn.db.changes();
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        generatedKeys = got;
        return true;
    }

    /** The native statement (for column metadata without running it). */
    io.heliosdb.Statement nativeStatement() {
        return st;
    }

    boolean wantsGeneratedKeys() {
        return wantKeys;
    }

    private void set(int index, Object value) throws SQLException {
        checkOpen();
        if (index < 1 || index > params.length) {
            throw new SQLException("parameter index " + index + " out of range (1.." + params.length + ")", "07009");
        }
        params[index - 1] = value;
    }

    /** Binds the kept values; an unset parameter is an error, as JDBC asks. */
    private void bindAll(Object[] values) throws SQLException {
        bindAll(st, values);
    }

    private static void bindAll(io.heliosdb.Statement target, Object[] values) throws SQLException {
        try {
            for (int i = 0; i < values.length; i++) {
                Object v = values[i];
                if (v == UNSET) throw new SQLException("parameter " + (i + 1) + " is not set", "07002");
                target.bind(i + 1, toBindable(v));
            }
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    /** Java values the plain API does not take, as the text or number the engine stores. */
    static Object toBindable(Object v) throws SQLException {
        if (v == null || v instanceof String || v instanceof Long || v instanceof Integer || v instanceof Double
                || v instanceof byte[] || v instanceof BigDecimal || v instanceof Boolean || v instanceof Short
                || v instanceof Byte || v instanceof Float || v instanceof BigInteger) {
            return v;
        }
        if (v instanceof Character c) return c.toString();
        if (v instanceof Timestamp t) return utc(t.toInstant());
        if (v instanceof Date d) return d.toString();
        if (v instanceof Time t) return t.toLocalTime().format(SQL_TIME);
        if (v instanceof LocalDateTime t) return t.format(SQL_TIMESTAMP);
        if (v instanceof OffsetDateTime t) return utc(t.toInstant());
        if (v instanceof java.time.ZonedDateTime t) return utc(t.toInstant());
        if (v instanceof java.time.Instant t) return utc(t);
        if (v instanceof LocalTime t) return t.format(SQL_TIME);
        if (v instanceof LocalDate) return v.toString();
        if (v instanceof java.util.UUID) return v.toString();
        throw new SQLFeatureNotSupportedException("cannot bind a " + v.getClass().getName());
    }

    private static final DateTimeFormatter SQL_TIME = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("HH:mm:ss")
            .appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 0, 9, true)
            .toFormatter(java.util.Locale.ROOT);

    /** An instant as the engine's TIMESTAMP text in UTC. */
    static String utc(java.time.Instant t) {
        return LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(SQL_TIMESTAMP);
    }

    private void runPrepared() throws SQLException {
        checkOpen();
        if (keys != null && runWithKeys()) return;
        bindAll(params);
        run(st, sql, false);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        checkOpen();
        try {
            if (st.columnCount() == 0 && !st.isReadOnly()) throw new SQLException("the statement returns no result set: " + sql, "HY000");
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        runPrepared();
        if (current == null) throw new SQLException("the statement returned no result set: " + sql, "HY000");
        return current;
    }

    @Override
    public int executeUpdate() throws SQLException {
        return (int) executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        runPrepared();
        return drainUpdateCount();
    }

    @Override
    public boolean execute() throws SQLException {
        runPrepared();
        return current != null;
    }

    @Override
    public void addBatch() throws SQLException {
        checkOpen();
        batch.add(params.clone());
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        batch.clear();
    }

    /** Runs every parameter set; on a failure throws BatchUpdateException with the counts of the sets before it. */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        closeCurrent();
        long[] counts = new long[batch.size()];
        List<Object[]> got = new ArrayList<>();
        generatedKeys = List.of();
        try {
            if (counts.length > 0) conn.beforeExecute(st, sql);
            for (int i = 0; i < counts.length; i++) {
                try {
                    if (keys != null) {
                        try {
                            counts[i] = executeWithKeys(batch.get(i), got);
                            continue;
                        } catch (HeliosDBException e) {
                            if (e.getCode() != HeliosDBException.ERROR || !e.getMessage().contains("rowid")) throw e;
                            dropKeys(); // this table has no rowid: plain statement from now on
                        }
                    }
                    bindAll(batch.get(i));
                    counts[i] = st.execute();
                } catch (HeliosDBException | SQLException e) {
                    SQLException s = e instanceof SQLException q ? q : SqlStates.of((HeliosDBException) e);
                    throw new BatchUpdateException(s.getMessage(), s.getSQLState(), s.getErrorCode(), Arrays.copyOf(counts, i), s);
                }
            }
            if (!got.isEmpty()) generatedKeys = got;
            else if (inserts && counts.length > 0 && counts[counts.length - 1] > 0) {
                generatedKeys = List.<Object[]>of(new Object[] {conn.db.lastInsertRowid()});
            }
            return counts;
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        } finally {
            batch.clear();
        }
    }

    /** One parameter set through the RETURNING rowid form; adds its keys to {@code got}. */
    private long executeWithKeys(Object[] values, List<Object[]> got) throws SQLException, HeliosDBException {
        bindAll(keys, values);
        try (io.heliosdb.Rows r = keys.query()) {
            while (r.next()) got.add(new Object[] {r.getLong(0)});
        }
        return conn.db.changes();
    }

    @Override
    public void clearParameters() throws SQLException {
        checkOpen();
        Arrays.fill(params, UNSET);
    }

    /** Columns of the result, without running the statement (types from the declared types). */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        try {
            int n = st.columnCount();
            String[] names = new String[n];
            String[] decl = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = st.columnName(i);
                decl[i] = st.columnDeclType(i);
            }
            return new HeliosResultSetMetaData(new ListCursor(names, decl, List.of()));
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    void closeNative() throws SQLException {
        try {
            if (keys != null) keys.close();
            st.close();
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    // ---- the statement's own SQL only: Statement's execute(String) forms are refused, as JDBC says

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        throw new SQLException("executeQuery(String) on a PreparedStatement", "HY000");
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        throw new SQLException("executeUpdate(String) on a PreparedStatement", "HY000");
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        throw new SQLException("execute(String) on a PreparedStatement", "HY000");
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        throw new SQLException("addBatch(String) on a PreparedStatement", "HY000");
    }

    // ---- setters

    @Override
    public void setNull(int i, int sqlType) throws SQLException {
        set(i, null);
    }

    @Override
    public void setNull(int i, int sqlType, String typeName) throws SQLException {
        set(i, null);
    }

    @Override
    public void setBoolean(int i, boolean x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setByte(int i, byte x) throws SQLException {
        set(i, (long) x);
    }

    @Override
    public void setShort(int i, short x) throws SQLException {
        set(i, (long) x);
    }

    @Override
    public void setInt(int i, int x) throws SQLException {
        set(i, (long) x);
    }

    @Override
    public void setLong(int i, long x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setFloat(int i, float x) throws SQLException {
        set(i, (double) x);
    }

    @Override
    public void setDouble(int i, double x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setBigDecimal(int i, BigDecimal x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setString(int i, String x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setNString(int i, String x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setBytes(int i, byte[] x) throws SQLException {
        set(i, x == null ? null : x.clone());
    }

    @Override
    public void setDate(int i, Date x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setDate(int i, Date x, java.util.Calendar cal) throws SQLException {
        // The day x's instant falls on in cal's zone.
        set(i, x == null || cal == null ? x
                : java.time.Instant.ofEpochMilli(x.getTime()).atZone(cal.getTimeZone().toZoneId()).toLocalDate().toString());
    }

    @Override
    public void setTime(int i, Time x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setTime(int i, Time x, java.util.Calendar cal) throws SQLException {
        // The time of day x's instant has in cal's zone.
        set(i, x == null || cal == null ? x
                : java.time.Instant.ofEpochMilli(x.getTime()).atZone(cal.getTimeZone().toZoneId()).toLocalTime().toString());
    }

    @Override
    public void setTimestamp(int i, Timestamp x) throws SQLException {
        set(i, x);
    }

    @Override
    public void setTimestamp(int i, Timestamp x, java.util.Calendar cal) throws SQLException {
        // x's wall clock in cal's zone (without a Calendar: the instant in UTC).
        set(i, x == null || cal == null ? x
                : x.toInstant().atZone(cal.getTimeZone().toZoneId()).toLocalDateTime().format(SQL_TIMESTAMP));
    }

    @Override
    public void setObject(int i, Object x) throws SQLException {
        toBindable(x); // refuse unknown types now, not at execute
        set(i, x instanceof byte[] b ? b.clone() : x);
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType) throws SQLException {
        set(i, convert(x, targetSqlType));
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType, int scale) throws SQLException {
        Object v = convert(x, targetSqlType);
        if (v instanceof BigDecimal d) v = d.setScale(scale, java.math.RoundingMode.HALF_UP);
        set(i, v);
    }

    /** setObject with a target type: numbers, booleans and text converted as JDBC's conversion table asks. */
    private static Object convert(Object x, int type) throws SQLException {
        if (x == null) return null;
        try {
            switch (type) {
                case Types.BOOLEAN, Types.BIT:
                    if (x instanceof Boolean) return x;
                    if (x instanceof Number n) return n.doubleValue() != 0;
                    return Boolean.parseBoolean(x.toString().trim()) || x.toString().trim().equals("1");
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT:
                    if (x instanceof Boolean b) return b ? 1L : 0L;
                    if (x instanceof Number n) return n.longValue();
                    return Long.parseLong(x.toString().trim());
                case Types.REAL, Types.FLOAT, Types.DOUBLE:
                    if (x instanceof Number n) return n.doubleValue();
                    return Double.parseDouble(x.toString().trim());
                case Types.DECIMAL, Types.NUMERIC:
                    if (x instanceof BigDecimal) return x;
                    if (x instanceof Boolean b) return b ? BigDecimal.ONE : BigDecimal.ZERO;
                    return new BigDecimal(x.toString().trim());
                case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.CLOB:
                    return x instanceof byte[] ? x : toBindable(x).toString();
                default:
                    toBindable(x);
                    return x;
            }
        } catch (NumberFormatException e) {
            throw new java.sql.SQLDataException("cannot convert " + x + " to SQL type " + type, "22018", e);
        }
    }

    @Override
    public void setBinaryStream(int i, java.io.InputStream x) throws SQLException {
        try {
            set(i, x == null ? null : x.readAllBytes());
        } catch (java.io.IOException e) {
            throw new SQLException("reading the stream failed: " + e.getMessage(), "HY000", e);
        }
    }

    @Override
    public void setBinaryStream(int i, java.io.InputStream x, int length) throws SQLException {
        setBinaryStream(i, x, (long) length);
    }

    @Override
    public void setBinaryStream(int i, java.io.InputStream x, long length) throws SQLException {
        try {
            set(i, x == null ? null : x.readNBytes((int) Math.min(length, Integer.MAX_VALUE)));
        } catch (java.io.IOException e) {
            throw new SQLException("reading the stream failed: " + e.getMessage(), "HY000", e);
        }
    }

    @Override
    public void setCharacterStream(int i, java.io.Reader x) throws SQLException {
        try {
            if (x == null) {
                set(i, null);
                return;
            }
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = x.read(buf)) > 0; ) sb.append(buf, 0, n);
            set(i, sb.toString());
        } catch (java.io.IOException e) {
            throw new SQLException("reading the stream failed: " + e.getMessage(), "HY000", e);
        }
    }
}
