// Rows.java — the rows of one query run: a forward cursor with typed getters that copy
// each value out of the engine (nothing native outlives the call), NULL tracking and
// type conversions that fail loudly instead of inventing values.
package io.heliosdb;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The result of {@link Statement#query()}: call {@link #next()} before reading each row.
 * Columns are 0-based; getters by name look the column up case-insensitively.
 *
 * <p>Type mapping: INTEGER → long, REAL → double, TEXT → String, BLOB → byte[],
 * DECIMAL → {@link BigDecimal} (exact, from the engine's digits), BOOLEAN → boolean
 * (stored as 1/0). {@link #getObject(int)} uses the declared type to give BigDecimal and
 * Boolean back. A getter asked for a type the value cannot give (text that is not a
 * number read as a long, a BLOB read as a number) throws MISMATCH.
 *
 * <p>A Rows stops working (getters throw MISUSE) when closed, when its statement runs
 * again or is closed, or when its database is closed.
 */
public final class Rows implements AutoCloseable {
    /** Column type of a value: 64-bit integer (also BOOLEAN as 0/1). */
    public static final int INTEGER = 1;
    /** Column type: double (also DECIMAL; read it exactly with {@link #getBigDecimal}). */
    public static final int FLOAT = 2;
    /** Column type: UTF-8 text. */
    public static final int TEXT = 3;
    /** Column type: bytes. */
    public static final int BLOB = 4;
    /** Column type: NULL. */
    public static final int NULL = 5;

    private final Statement statement;
    private final Statement.State state;
    private final int generation;
    private boolean onRow;
    private boolean finished;
    private boolean closed;
    private boolean wasNull;
    private String[] names;
    /** Column count and declared types of this run, read once (they cannot change within a run). */
    private int columns = -1;
    private String[] declTypes;

    Rows(Statement statement, int generation) {
        this.statement = statement;
        this.state = statement.state;
        this.generation = generation;
    }

    /** The statement these rows come from. */
    public Statement statement() {
        return statement;
    }

    private long live() throws HeliosDBException {
        long h = state.handle();
        if (closed || state.generation != generation) {
            throw new HeliosDBException(HeliosDBException.MISUSE, "rows are closed (closed, or the statement ran again)");
        }
        return h;
    }

    /** Moves to the next row (the first call runs the query); false when there are no more. */
    public boolean next() throws HeliosDBException {
        synchronized (state) {
            live();
            if (finished) return false;
            onRow = state.step();
            if (!onRow) finished = true;
            return onRow;
        }
    }

    private long row(int i) throws HeliosDBException {
        long h = live();
        if (!onRow) throw new HeliosDBException(HeliosDBException.MISUSE, "no current row (call next() first)");
        if (columns < 0) columns = NativeDB.columnCount(h);
        if (i < 0 || i >= columns) {
            throw new HeliosDBException(HeliosDBException.RANGE, "column index out of range: " + i);
        }
        return h;
    }

    /** Number of columns. */
    public int columnCount() throws HeliosDBException {
        synchronized (state) {
            return NativeDB.columnCount(live());
        }
    }

    /** Name of column {@code i}. */
    public String columnName(int i) throws HeliosDBException {
        return statement.columnName(i);
    }

    /** Declared type of column {@code i} (such as {@code DECIMAL(15,2)}) or null for expressions. */
    public String columnDeclType(int i) throws HeliosDBException {
        return statement.columnDeclType(i);
    }

    /** 0-based index of the column called {@code name} (case-insensitive); throws RANGE if none. */
    public int findColumn(String name) throws HeliosDBException {
        synchronized (state) {
            long h = live();
            if (names == null) {
                int n = NativeDB.columnCount(h);
                names = new String[n];
                for (int i = 0; i < n; i++) names[i] = Utf8.string(NativeDB.columnName(h, i));
            }
            for (int i = 0; i < names.length; i++) if (names[i].equalsIgnoreCase(name)) return i;
            throw new HeliosDBException(HeliosDBException.RANGE, "no column named " + name);
        }
    }

    /** Type of column {@code i} in the current row: {@link #INTEGER}, {@link #FLOAT}, {@link #TEXT}, {@link #BLOB} or {@link #NULL}. */
    public int columnType(int i) throws HeliosDBException {
        synchronized (state) {
            return NativeDB.columnType(row(i), i);
        }
    }

    /** True when the last value read was SQL NULL. */
    public boolean wasNull() {
        return wasNull;
    }

    private static HeliosDBException mismatch(String value, String target) {
        return new HeliosDBException(HeliosDBException.MISMATCH, "cannot read " + value + " as " + target);
    }

    /** The value as a long (REAL and DECIMAL truncate toward zero, numeric text is parsed; NULL reads 0). */
    public long getLong(int i) throws HeliosDBException {
        synchronized (state) {
            long h = row(i);
            int t = NativeDB.columnType(h, i);
            wasNull = t == NULL;
            switch (t) {
                case INTEGER, FLOAT: return NativeDB.columnLong(h, i);
                case NULL: return 0;
                case TEXT: {
                    String s = Utf8.string(NativeDB.columnText(h, i)).trim();
                    try {
                        return Long.parseLong(s);
                    } catch (NumberFormatException e) {
                        try {
                            return new BigDecimal(s).longValue();
                        } catch (NumberFormatException e2) {
                            throw mismatch("text '" + s + "'", "an integer");
                        }
                    }
                }
                default: throw mismatch("a BLOB", "an integer");
            }
        }
    }

    /** The value as an int; values outside the int range throw MISMATCH. */
    public int getInt(int i) throws HeliosDBException {
        long v = getLong(i);
        if (v != (int) v) throw mismatch(Long.toString(v), "an int");
        return (int) v;
    }

    /** The value as a double (numeric text is parsed; NULL reads 0.0). */
    public double getDouble(int i) throws HeliosDBException {
        synchronized (state) {
            long h = row(i);
            int t = NativeDB.columnType(h, i);
            wasNull = t == NULL;
            switch (t) {
                case INTEGER, FLOAT: return NativeDB.columnDouble(h, i);
                case NULL: return 0.0;
                case TEXT: {
                    String s = Utf8.string(NativeDB.columnText(h, i)).trim();
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw mismatch("text '" + s + "'", "a number");
                    }
                }
                default: throw mismatch("a BLOB", "a number");
            }
        }
    }

    /** The value as text (numbers formatted as the engine prints them, DECIMAL with its exact digits); null for NULL. */
    public String getString(int i) throws HeliosDBException {
        synchronized (state) {
            long h = row(i);
            byte[] b = NativeDB.columnType(h, i) == BLOB ? NativeDB.columnBlob(h, i) : NativeDB.columnText(h, i);
            wasNull = b == null;
            return Utf8.string(b);
        }
    }

    /** The value's bytes (a BLOB's, or text's UTF-8); null for NULL. */
    public byte[] getBytes(int i) throws HeliosDBException {
        synchronized (state) {
            byte[] b = NativeDB.columnBlob(row(i), i);
            wasNull = b == null;
            return b;
        }
    }

    /** The value as an exact decimal (DECIMAL columns give their exact digits); null for NULL. */
    public BigDecimal getBigDecimal(int i) throws HeliosDBException {
        synchronized (state) {
            long h = row(i);
            int t = NativeDB.columnType(h, i);
            wasNull = t == NULL;
            switch (t) {
                case NULL: return null;
                case INTEGER: return BigDecimal.valueOf(NativeDB.columnLong(h, i));
                case FLOAT, TEXT: {
                    String s = Utf8.string(NativeDB.columnText(h, i)).trim();
                    try {
                        return new BigDecimal(s);
                    } catch (NumberFormatException e) {
                        throw mismatch("'" + s + "'", "a decimal");
                    }
                }
                default: throw mismatch("a BLOB", "a decimal");
            }
        }
    }

    /** The value as a boolean: non-zero numbers and 'true' are true; NULL reads false; other text throws MISMATCH. */
    public boolean getBoolean(int i) throws HeliosDBException {
        synchronized (state) {
            long h = row(i);
            int t = NativeDB.columnType(h, i);
            wasNull = t == NULL;
            switch (t) {
                case NULL: return false;
                case INTEGER: return NativeDB.columnLong(h, i) != 0;
                case FLOAT: return NativeDB.columnDouble(h, i) != 0.0;
                case TEXT: {
                    String s = Utf8.string(NativeDB.columnText(h, i)).trim().toLowerCase(Locale.ROOT);
                    switch (s) {
                        case "true", "t", "yes", "1": return true;
                        case "false", "f", "no", "0": return false;
                        default: throw mismatch("text '" + s + "'", "a boolean");
                    }
                }
                default: throw mismatch("a BLOB", "a boolean");
            }
        }
    }

    /**
     * The value as its natural Java type: Long, Double, String, byte[], null — and
     * BigDecimal / Boolean for columns declared DECIMAL/NUMERIC / BOOLEAN.
     */
    public Object getObject(int i) throws HeliosDBException {
        synchronized (state) {
            long h = row(i);
            int t = NativeDB.columnType(h, i);
            wasNull = t == NULL;
            if (t == NULL) return null;
            if (declTypes == null) {
                declTypes = new String[columns];
                for (int k = 0; k < columns; k++) declTypes[k] = Utf8.string(NativeDB.columnDecltype(h, k));
            }
            String decl = declTypes[i];
            if (decl != null && t != BLOB) {
                String d = decl.toUpperCase(Locale.ROOT);
                if (d.startsWith("DECIMAL") || d.startsWith("NUMERIC")) return getBigDecimal(i);
                if (d.startsWith("BOOL")) return getBoolean(i);
            }
            switch (t) {
                case INTEGER: return NativeDB.columnLong(h, i);
                case FLOAT: return NativeDB.columnDouble(h, i);
                case TEXT: return Utf8.string(NativeDB.columnText(h, i));
                default: return NativeDB.columnBlob(h, i);
            }
        }
    }

    /** {@link #getLong(int)} by column name. */
    public long getLong(String column) throws HeliosDBException {
        return getLong(findColumn(column));
    }

    /** {@link #getInt(int)} by column name. */
    public int getInt(String column) throws HeliosDBException {
        return getInt(findColumn(column));
    }

    /** {@link #getDouble(int)} by column name. */
    public double getDouble(String column) throws HeliosDBException {
        return getDouble(findColumn(column));
    }

    /** {@link #getString(int)} by column name. */
    public String getString(String column) throws HeliosDBException {
        return getString(findColumn(column));
    }

    /** {@link #getBytes(int)} by column name. */
    public byte[] getBytes(String column) throws HeliosDBException {
        return getBytes(findColumn(column));
    }

    /** {@link #getBigDecimal(int)} by column name. */
    public BigDecimal getBigDecimal(String column) throws HeliosDBException {
        return getBigDecimal(findColumn(column));
    }

    /** {@link #getBoolean(int)} by column name. */
    public boolean getBoolean(String column) throws HeliosDBException {
        return getBoolean(findColumn(column));
    }

    /** {@link #getObject(int)} by column name. */
    public Object getObject(String column) throws HeliosDBException {
        return getObject(findColumn(column));
    }

    /** True once closed or invalidated. */
    public boolean isClosed() {
        return closed || state.generation != generation || statement.isClosed();
    }

    /** Ends this run of the statement (the statement can run again). Idempotent. */
    @Override
    public void close() throws HeliosDBException {
        synchronized (state) {
            if (closed) return;
            closed = true;
            if (state.generation == generation && !statement.isClosed()) state.reset();
        }
    }
}
