// NativeCursor.java — a Cursor over io.heliosdb.Rows; the first row may already have been
// stepped (the statement runs at its first step), so next() hands that one out first.
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import io.heliosdb.Rows;
import java.math.BigDecimal;

/** Reads a query's rows; closing it closes the Rows and, when owned, the statement. */
final class NativeCursor implements Cursor {
    private final Rows rows;
    private final io.heliosdb.Statement owned;
    private final String[] names;
    private final String[] decl;
    private Boolean pending; // result of the step already taken, not yet handed out
    private boolean onRow;

    NativeCursor(Rows rows, boolean firstRow, io.heliosdb.Statement owned) throws HeliosDBException {
        this.rows = rows;
        this.owned = owned;
        this.pending = firstRow;
        int n = rows.columnCount();
        names = new String[n];
        decl = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = rows.columnName(i);
            decl[i] = rows.columnDeclType(i);
        }
    }

    @Override
    public boolean next() throws HeliosDBException {
        if (pending != null) {
            onRow = pending;
            pending = null;
            return onRow;
        }
        onRow = rows.next();
        return onRow;
    }

    @Override
    public int columnCount() {
        return names.length;
    }

    @Override
    public String columnName(int i) throws HeliosDBException {
        check(i);
        return names[i];
    }

    @Override
    public String declType(int i) throws HeliosDBException {
        check(i);
        return decl[i];
    }

    private void check(int i) throws HeliosDBException {
        if (i < 0 || i >= names.length) throw new HeliosDBException(HeliosDBException.RANGE, "column index out of range: " + (i + 1));
    }

    @Override
    public int valueType(int i) throws HeliosDBException {
        return onRow ? rows.columnType(i) : Rows.NULL;
    }

    @Override
    public long getLong(int i) throws HeliosDBException {
        return rows.getLong(i);
    }

    @Override
    public double getDouble(int i) throws HeliosDBException {
        return rows.getDouble(i);
    }

    @Override
    public String getString(int i) throws HeliosDBException {
        return rows.getString(i);
    }

    @Override
    public byte[] getBytes(int i) throws HeliosDBException {
        return rows.getBytes(i);
    }

    @Override
    public BigDecimal getBigDecimal(int i) throws HeliosDBException {
        return rows.getBigDecimal(i);
    }

    @Override
    public boolean getBoolean(int i) throws HeliosDBException {
        return rows.getBoolean(i);
    }

    @Override
    public Object getObject(int i) throws HeliosDBException {
        return rows.getObject(i);
    }

    @Override
    public boolean wasNull() {
        return rows.wasNull();
    }

    @Override
    public void close() throws HeliosDBException {
        try {
            rows.close();
        } finally {
            if (owned != null) owned.close();
        }
    }
}
