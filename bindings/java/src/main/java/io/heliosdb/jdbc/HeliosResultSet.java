// HeliosResultSet.java — java.sql.ResultSet over a Cursor: forward-only, read-only,
// 1-based columns, typed getters with the engine's exact DECIMAL digits, dates parsed
// from the engine's text, and use after close (or after the connection closed) refused.
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A forward-only, read-only result set. Type mapping: INTEGER → getLong/getInt,
 * REAL → getDouble, TEXT → getString, BLOB → getBytes, DECIMAL(p,s) → getBigDecimal
 * (exact), BOOLEAN → getBoolean; getObject gives Long, Double, String, byte[],
 * BigDecimal or Boolean from the declared type, and Timestamp, Date or Time for
 * TIMESTAMP/DATETIME, DATE and TIME columns. Dates and times are read from the engine's
 * UTC text ({@code YYYY-MM-DD[ HH:MM:SS[.f]]}, {@code HH:MM:SS}) in any column, or
 * integer Unix seconds: getTimestamp gives the instant (the text read in UTC, or in a
 * given Calendar's zone); getDate/getTime the day/time of day as Date.valueOf/Time.valueOf.
 */
public final class HeliosResultSet extends AbstractResultSet {
    private final HeliosStatement statement; // null for driver-built results (metadata, keys)
    private final Cursor cursor;
    private final long maxRows;
    private long row;
    private boolean closed;
    private boolean after;
    private Map<String, Integer> columns;

    HeliosResultSet(HeliosStatement statement, Cursor cursor, long maxRows) {
        this.statement = statement;
        this.cursor = cursor;
        this.maxRows = maxRows;
    }

    private void checkOpen() throws SQLException {
        if (closed) throw new SQLException("result set is closed", "24000");
        if (statement != null && statement.conn.isClosed()) throw SqlStates.closed("connection");
    }

    private int col(int columnIndex) throws SQLException {
        checkOpen();
        if (row == 0 || after) throw new SQLException("no current row (call next() first)", "24000");
        int n;
        try {
            n = cursor.columnCount();
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        if (columnIndex < 1 || columnIndex > n) throw new SQLException("column index " + columnIndex + " out of range (1.." + n + ")", "07009");
        return columnIndex - 1;
    }

    @Override
    public boolean next() throws SQLException {
        checkOpen();
        if (after) return false;
        if (maxRows > 0 && row >= maxRows) {
            after = true;
            return false;
        }
        try {
            if (cursor.next()) {
                row++;
                return true;
            }
            after = true;
            return false;
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public void close() throws SQLException {
        if (closed) return;
        closed = true;
        try {
            cursor.close();
        } catch (HeliosDBException e) {
            if (statement == null || !statement.conn.isClosed()) throw SqlStates.of(e);
        } finally {
            if (statement != null) statement.resultSetClosed(this);
        }
    }

    @Override
    public boolean isClosed() {
        return closed || (statement != null && statement.conn.isClosed());
    }

    @Override
    public boolean wasNull() throws SQLException {
        checkOpen();
        return cursor.wasNull();
    }

    @Override
    public int findColumn(String label) throws SQLException {
        checkOpen();
        try {
            if (columns == null) {
                Map<String, Integer> m = new HashMap<>();
                for (int i = cursor.columnCount() - 1; i >= 0; i--) m.put(cursor.columnName(i).toLowerCase(Locale.ROOT), i + 1);
                columns = m;
            }
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        Integer i = label == null ? null : columns.get(label.toLowerCase(Locale.ROOT));
        if (i == null) throw new SQLException("no column named " + label, "42703");
        return i;
    }

    @Override
    public String getString(int i) throws SQLException {
        int c = col(i);
        try {
            return cursor.getString(c);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public boolean getBoolean(int i) throws SQLException {
        int c = col(i);
        try {
            return cursor.getBoolean(c);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public long getLong(int i) throws SQLException {
        int c = col(i);
        try {
            return cursor.getLong(c);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    private long ranged(int i, long min, long max, String what) throws SQLException {
        long v = getLong(i);
        if (v < min || v > max) throw new SQLDataException("value " + v + " does not fit " + what, "22003");
        return v;
    }

    @Override
    public int getInt(int i) throws SQLException {
        return (int) ranged(i, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int");
    }

    @Override
    public short getShort(int i) throws SQLException {
        return (short) ranged(i, Short.MIN_VALUE, Short.MAX_VALUE, "a short");
    }

    @Override
    public byte getByte(int i) throws SQLException {
        return (byte) ranged(i, Byte.MIN_VALUE, Byte.MAX_VALUE, "a byte");
    }

    @Override
    public double getDouble(int i) throws SQLException {
        int c = col(i);
        try {
            return cursor.getDouble(c);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public float getFloat(int i) throws SQLException {
        return (float) getDouble(i);
    }

    @Override
    public BigDecimal getBigDecimal(int i) throws SQLException {
        int c = col(i);
        try {
            return cursor.getBigDecimal(c);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public BigDecimal getBigDecimal(int i, int scale) throws SQLException {
        BigDecimal d = getBigDecimal(i);
        return d == null ? null : d.setScale(scale, RoundingMode.HALF_UP);
    }

    @Override
    public byte[] getBytes(int i) throws SQLException {
        int c = col(i);
        try {
            return cursor.getBytes(c);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public Object getObject(int i) throws SQLException {
        int c = col(i);
        try {
            if (cursor.valueType(c) == io.heliosdb.Rows.TEXT) {
                switch (HeliosResultSetMetaData.typeOf(cursor.declType(c))) {
                    case java.sql.Types.TIMESTAMP: return getTimestamp(i);
                    case java.sql.Types.DATE: return getDate(i);
                    case java.sql.Types.TIME: return getTime(i);
                    default: break;
                }
            }
            return cursor.getObject(c);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    /**
     * Reads a date/time value: the engine's UTC text ({@code YYYY-MM-DD},
     * {@code HH:MM:SS[.SSS]}, {@code YYYY-MM-DD HH:MM:SS[.SSS]}; also with a 'T', or
     * with an offset, which is applied) or integer Unix seconds, as a UTC wall clock.
     */
    private LocalDateTime dateTime(int i) throws SQLException {
        int c = col(i);
        String s = null;
        try {
            int t = cursor.valueType(c);
            if (t == io.heliosdb.Rows.NULL) {
                cursor.getString(c); // records wasNull
                return null;
            }
            if (t == io.heliosdb.Rows.INTEGER) {
                return LocalDateTime.ofEpochSecond(cursor.getLong(c), 0, ZoneOffset.UTC);
            }
            s = cursor.getString(c).trim();
            if (s.length() == 10) return LocalDate.parse(s).atStartOfDay();
            if (s.length() >= 8 && s.charAt(2) == ':') return LocalTime.parse(s).atDate(LocalDate.EPOCH);
            String iso = s.replace(' ', 'T');
            if (iso.endsWith("Z") || iso.lastIndexOf('+') > 10 || iso.lastIndexOf('-') > 10) {
                return java.time.OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            }
            return LocalDateTime.parse(iso);
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        } catch (java.time.DateTimeException e) {
            throw new SQLDataException("not a date/time: '" + s + "'", "22007", e);
        }
    }

    private static ZoneId zone(java.util.Calendar cal) {
        return cal == null ? ZoneOffset.UTC : cal.getTimeZone().toZoneId();
    }

    /** The day as a java.sql.Date (midnight in the JVM's zone, as Date.valueOf). */
    @Override
    public Date getDate(int i) throws SQLException {
        LocalDateTime t = dateTime(i);
        return t == null ? null : Date.valueOf(t.toLocalDate());
    }

    /** The time of day as a java.sql.Time (as Time.valueOf, in the JVM's zone, keeping milliseconds). */
    @Override
    public Time getTime(int i) throws SQLException {
        return getTime(i, java.util.Calendar.getInstance());
    }

    /** The instant the UTC text names. */
    @Override
    public Timestamp getTimestamp(int i) throws SQLException {
        return getTimestamp(i, null);
    }

    /** The day at midnight in cal's zone. */
    @Override
    public Date getDate(int i, java.util.Calendar cal) throws SQLException {
        if (cal == null) return getDate(i);
        LocalDateTime t = dateTime(i);
        return t == null ? null : new Date(t.toLocalDate().atStartOfDay(zone(cal)).toInstant().toEpochMilli());
    }

    /** The time of day on 1970-01-01 in cal's zone. */
    @Override
    public Time getTime(int i, java.util.Calendar cal) throws SQLException {
        if (cal == null) return getTime(i);
        LocalDateTime t = dateTime(i);
        return t == null ? null : new Time(t.toLocalTime().atDate(LocalDate.EPOCH).atZone(zone(cal)).toInstant().toEpochMilli());
    }

    /** The text read as a wall clock in cal's zone (UTC without a Calendar: the engine's zone). */
    @Override
    public Timestamp getTimestamp(int i, java.util.Calendar cal) throws SQLException {
        LocalDateTime t = dateTime(i);
        return t == null ? null : Timestamp.from(t.atZone(zone(cal)).toInstant());
    }

    @Override
    public InputStream getBinaryStream(int i) throws SQLException {
        byte[] b = getBytes(i);
        return b == null ? null : new ByteArrayInputStream(b);
    }

    @Override
    public Reader getCharacterStream(int i) throws SQLException {
        String s = getString(i);
        return s == null ? null : new StringReader(s);
    }

    @Override
    public String getNString(int i) throws SQLException {
        return getString(i);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getObject(int i, Class<T> type) throws SQLException {
        if (type == null) throw new SQLException("null type", "HY009");
        Object v;
        if (type == String.class) v = getString(i);
        else if (type == Long.class) v = getLong(i);
        else if (type == Integer.class) v = getInt(i);
        else if (type == Short.class) v = getShort(i);
        else if (type == Byte.class) v = getByte(i);
        else if (type == Double.class) v = getDouble(i);
        else if (type == Float.class) v = getFloat(i);
        else if (type == Boolean.class) v = getBoolean(i);
        else if (type == BigDecimal.class) v = getBigDecimal(i);
        else if (type == byte[].class) v = getBytes(i);
        else if (type == LocalDateTime.class) v = dateTime(i);
        else if (type == java.time.Instant.class) { LocalDateTime t = dateTime(i); v = t == null ? null : t.toInstant(ZoneOffset.UTC); }
        else if (type == java.time.OffsetDateTime.class) { LocalDateTime t = dateTime(i); v = t == null ? null : t.atOffset(ZoneOffset.UTC); }
        else if (type == LocalDate.class) { LocalDateTime t = dateTime(i); v = t == null ? null : t.toLocalDate(); }
        else if (type == LocalTime.class) { LocalDateTime t = dateTime(i); v = t == null ? null : t.toLocalTime(); }
        else if (type == Timestamp.class) v = getTimestamp(i);
        else if (type == Date.class) v = getDate(i);
        else if (type == Time.class) v = getTime(i);
        else if (type == Object.class) v = getObject(i);
        else throw new SQLFeatureNotSupportedException("getObject as " + type.getName() + " is not supported");
        return wasNull() ? null : (T) v;
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        return new HeliosResultSetMetaData(cursor);
    }

    @Override
    public Statement getStatement() throws SQLException {
        checkOpen();
        return statement;
    }

    @Override
    public int getRow() throws SQLException {
        checkOpen();
        return after ? 0 : (int) row;
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        checkOpen();
        return row == 0 && !after;
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        checkOpen();
        return after && row > 0;
    }

    @Override
    public boolean isFirst() throws SQLException {
        checkOpen();
        return row == 1 && !after;
    }

    @Override
    public int getType() throws SQLException {
        checkOpen();
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public int getConcurrency() throws SQLException {
        checkOpen();
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return ResultSet.FETCH_FORWARD;
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD) throw new SQLFeatureNotSupportedException("only FETCH_FORWARD is supported");
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return 0;
    }

    /** A hint only: the rows are already materialized. */
    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) throw new SQLException("negative fetch size", "HY000");
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

    // ---- by label

    @Override public String getString(String c) throws SQLException { return getString(findColumn(c)); }
    @Override public boolean getBoolean(String c) throws SQLException { return getBoolean(findColumn(c)); }
    @Override public byte getByte(String c) throws SQLException { return getByte(findColumn(c)); }
    @Override public short getShort(String c) throws SQLException { return getShort(findColumn(c)); }
    @Override public int getInt(String c) throws SQLException { return getInt(findColumn(c)); }
    @Override public long getLong(String c) throws SQLException { return getLong(findColumn(c)); }
    @Override public float getFloat(String c) throws SQLException { return getFloat(findColumn(c)); }
    @Override public double getDouble(String c) throws SQLException { return getDouble(findColumn(c)); }
    @Override public BigDecimal getBigDecimal(String c) throws SQLException { return getBigDecimal(findColumn(c)); }
    @Override public BigDecimal getBigDecimal(String c, int scale) throws SQLException { return getBigDecimal(findColumn(c), scale); }
    @Override public byte[] getBytes(String c) throws SQLException { return getBytes(findColumn(c)); }
    @Override public Date getDate(String c) throws SQLException { return getDate(findColumn(c)); }
    @Override public Time getTime(String c) throws SQLException { return getTime(findColumn(c)); }
    @Override public Timestamp getTimestamp(String c) throws SQLException { return getTimestamp(findColumn(c)); }
    @Override public Date getDate(String c, java.util.Calendar cal) throws SQLException { return getDate(findColumn(c), cal); }
    @Override public Time getTime(String c, java.util.Calendar cal) throws SQLException { return getTime(findColumn(c), cal); }
    @Override public Timestamp getTimestamp(String c, java.util.Calendar cal) throws SQLException { return getTimestamp(findColumn(c), cal); }
    @Override public Object getObject(String c) throws SQLException { return getObject(findColumn(c)); }
    @Override public <T> T getObject(String c, Class<T> type) throws SQLException { return getObject(findColumn(c), type); }
    @Override public InputStream getBinaryStream(String c) throws SQLException { return getBinaryStream(findColumn(c)); }
    @Override public Reader getCharacterStream(String c) throws SQLException { return getCharacterStream(findColumn(c)); }
    @Override public String getNString(String c) throws SQLException { return getNString(findColumn(c)); }
}
