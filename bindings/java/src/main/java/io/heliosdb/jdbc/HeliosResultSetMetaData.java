// HeliosResultSetMetaData.java — column names and types of a result: the JDBC type comes
// from the declared type (DECIMAL(15,2) → DECIMAL with precision 15, scale 2), or from
// the current row's value for expressions, which have none.
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import io.heliosdb.Rows;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Metadata of a HeliosDB result set (1-based columns). */
public final class HeliosResultSetMetaData extends AbstractResultSetMetaData {
    private static final Pattern PRECISION = Pattern.compile("\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");
    private final Cursor cursor;

    HeliosResultSetMetaData(Cursor cursor) {
        this.cursor = cursor;
    }

    private int c(int column) throws SQLException {
        try {
            if (column < 1 || column > cursor.columnCount()) throw new SQLException("column index " + column + " out of range", "07009");
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
        return column - 1;
    }

    private String decl(int column) throws SQLException {
        try {
            return cursor.declType(c(column));
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    /** java.sql.Types for a declared type name (HeliosDB's affinity rules, as in README's type table). */
    static int typeOf(String decl) {
        if (decl == null) return Types.OTHER;
        String d = decl.toUpperCase(Locale.ROOT).trim();
        switch (d) {
            case "DATE": return Types.DATE;
            case "TIME": return Types.TIME;
            case "TIMESTAMP", "DATETIME": return Types.TIMESTAMP;
            default: break;
        }
        if (d.startsWith("BOOL")) return Types.BOOLEAN;
        if (d.startsWith("DECIMAL") || d.startsWith("NUMERIC")) return Types.DECIMAL;
        if (d.contains("INT")) return Types.BIGINT;
        if (d.contains("CHAR") || d.contains("TEXT") || d.contains("CLOB")) return Types.VARCHAR;
        if (d.contains("BLOB")) return Types.BLOB;
        if (d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB")) return Types.DOUBLE;
        return Types.OTHER;
    }

    private static int typeOfValue(int valueType) {
        switch (valueType) {
            case Rows.INTEGER: return Types.BIGINT;
            case Rows.FLOAT: return Types.DOUBLE;
            case Rows.TEXT: return Types.VARCHAR;
            case Rows.BLOB: return Types.BLOB;
            default: return Types.NULL;
        }
    }

    @Override
    public int getColumnCount() throws SQLException {
        try {
            return cursor.columnCount();
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
        return getColumnName(column);
    }

    @Override
    public String getColumnName(int column) throws SQLException {
        try {
            return cursor.columnName(c(column));
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        String d = decl(column);
        if (d != null) return typeOf(d);
        try {
            int t = typeOfValue(cursor.valueType(c(column)));
            return t == Types.NULL ? Types.OTHER : t;
        } catch (HeliosDBException e) {
            throw SqlStates.of(e);
        }
    }

    /** The declared type as written (e.g. {@code DECIMAL(15,2)}); for expressions the current value's type, or "". */
    @Override
    public String getColumnTypeName(int column) throws SQLException {
        String d = decl(column);
        if (d != null) return d;
        switch (getColumnType(column)) {
            case Types.BIGINT: return "INTEGER";
            case Types.DOUBLE: return "REAL";
            case Types.VARCHAR: return "TEXT";
            case Types.BLOB: return "BLOB";
            default: return "";
        }
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        switch (getColumnType(column)) {
            case Types.BOOLEAN: return Boolean.class.getName();
            case Types.DECIMAL: return java.math.BigDecimal.class.getName();
            case Types.BIGINT: return Long.class.getName();
            case Types.DOUBLE: return Double.class.getName();
            case Types.VARCHAR: return String.class.getName();
            case Types.BLOB: return byte[].class.getName();
            case Types.TIMESTAMP: return java.sql.Timestamp.class.getName();
            case Types.DATE: return java.sql.Date.class.getName();
            case Types.TIME: return java.sql.Time.class.getName();
            default: return Object.class.getName();
        }
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        String d = decl(column);
        if (d != null) {
            Matcher m = PRECISION.matcher(d);
            if (m.find()) return Integer.parseInt(m.group(1));
        }
        switch (getColumnType(column)) {
            case Types.BIGINT: return 19;
            case Types.DOUBLE: return 17;
            case Types.DECIMAL: return 28;
            case Types.BOOLEAN: return 1;
            case Types.DATE: return 10;
            case Types.TIME: return 12;
            case Types.TIMESTAMP: return 23;
            default: return 0;
        }
    }

    @Override
    public int getScale(int column) throws SQLException {
        String d = decl(column);
        if (d != null) {
            Matcher m = PRECISION.matcher(d);
            if (m.find() && m.group(2) != null) return Integer.parseInt(m.group(2));
        }
        return 0;
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        int p = getPrecision(column);
        return p == 0 ? Integer.MAX_VALUE : p + 2;
    }

    @Override
    public int isNullable(int column) throws SQLException {
        c(column);
        return ResultSetMetaData.columnNullableUnknown;
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        c(column);
        return false;
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        return getColumnType(column) == Types.VARCHAR;
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
        c(column);
        return true;
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        c(column);
        return false;
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        int t = getColumnType(column);
        return t == Types.BIGINT || t == Types.DOUBLE || t == Types.DECIMAL;
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
        c(column);
        return "";
    }

    @Override
    public String getTableName(int column) throws SQLException {
        c(column);
        return "";
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
        c(column);
        return "";
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
        c(column);
        return true;
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
        c(column);
        return false;
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        c(column);
        return false;
    }
}
