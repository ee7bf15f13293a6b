// ListCursor.java — a Cursor over rows held in Java (metadata results, generated keys).
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import io.heliosdb.Rows;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Rows of Long, Double, String, byte[], Boolean or null values. */
final class ListCursor implements Cursor {
    private final String[] names;
    private final String[] types;
    private final List<Object[]> data;
    private int pos = -1;
    private boolean wasNull;

    /** {@code types} are declared types such as INTEGER or TEXT (one per name). */
    ListCursor(String[] names, String[] types, List<Object[]> data) {
        this.names = names;
        this.types = types;
        this.data = data;
    }

    @Override
    public boolean next() {
        if (pos < data.size()) pos++;
        return pos < data.size();
    }

    private Object value(int i) throws HeliosDBException {
        if (pos < 0 || pos >= data.size()) throw new HeliosDBException(HeliosDBException.MISUSE, "no current row (call next() first)");
        if (i < 0 || i >= names.length) throw new HeliosDBException(HeliosDBException.RANGE, "column index out of range: " + (i + 1));
        Object v = data.get(pos)[i];
        wasNull = v == null;
        return v;
    }

    private static HeliosDBException mismatch(Object v, String target) {
        return new HeliosDBException(HeliosDBException.MISMATCH, "cannot read " + v + " as " + target);
    }

    @Override
    public int columnCount() {
        return names.length;
    }

    @Override
    public String columnName(int i) throws HeliosDBException {
        if (i < 0 || i >= names.length) throw new HeliosDBException(HeliosDBException.RANGE, "column index out of range: " + (i + 1));
        return names[i];
    }

    @Override
    public String declType(int i) throws HeliosDBException {
        columnName(i);
        return types[i];
    }

    @Override
    public int valueType(int i) throws HeliosDBException {
        if (pos < 0 || pos >= data.size()) return Rows.NULL;
        Object v = value(i);
        if (v == null) return Rows.NULL;
        if (v instanceof Long || v instanceof Integer || v instanceof Boolean) return Rows.INTEGER;
        if (v instanceof Double) return Rows.FLOAT;
        if (v instanceof byte[]) return Rows.BLOB;
        return Rows.TEXT;
    }

    @Override
    public long getLong(int i) throws HeliosDBException {
        Object v = value(i);
        if (v == null) return 0;
        if (v instanceof Number n) return n.longValue();
        if (v instanceof Boolean b) return b ? 1 : 0;
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw mismatch(v, "an integer");
        }
    }

    @Override
    public double getDouble(int i) throws HeliosDBException {
        Object v = value(i);
        if (v == null) return 0;
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw mismatch(v, "a number");
        }
    }

    @Override
    public String getString(int i) throws HeliosDBException {
        Object v = value(i);
        if (v == null) return null;
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (v instanceof Boolean b) return b ? "1" : "0";
        return v.toString();
    }

    @Override
    public byte[] getBytes(int i) throws HeliosDBException {
        Object v = value(i);
        if (v == null) return null;
        return v instanceof byte[] b ? b.clone() : getString(i).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public BigDecimal getBigDecimal(int i) throws HeliosDBException {
        Object v = value(i);
        if (v == null) return null;
        try {
            return new BigDecimal(v.toString().trim());
        } catch (NumberFormatException e) {
            throw mismatch(v, "a decimal");
        }
    }

    @Override
    public boolean getBoolean(int i) throws HeliosDBException {
        Object v = value(i);
        if (v == null) return false;
        if (v instanceof Boolean b) return b;
        return getLong(i) != 0;
    }

    @Override
    public Object getObject(int i) throws HeliosDBException {
        Object v = value(i);
        return v instanceof byte[] b ? b.clone() : v;
    }

    @Override
    public boolean wasNull() {
        return wasNull;
    }

    @Override
    public void close() {
        pos = data.size();
    }
}
