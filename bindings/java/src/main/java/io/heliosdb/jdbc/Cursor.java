// Cursor.java — what a HeliosResultSet reads rows from: the engine's rows of a query
// (NativeCursor) or rows the driver built itself, such as metadata (ListCursor).
package io.heliosdb.jdbc;

import io.heliosdb.HeliosDBException;
import java.math.BigDecimal;

/** A forward cursor with 0-based columns; getters follow {@link io.heliosdb.Rows}. */
interface Cursor {
    boolean next() throws HeliosDBException;
    int columnCount() throws HeliosDBException;
    String columnName(int i) throws HeliosDBException;
    /** Declared type, or null for expressions. */
    String declType(int i) throws HeliosDBException;
    /** io.heliosdb.Rows type of the current row's value (INTEGER … NULL), or NULL without a row. */
    int valueType(int i) throws HeliosDBException;
    long getLong(int i) throws HeliosDBException;
    double getDouble(int i) throws HeliosDBException;
    String getString(int i) throws HeliosDBException;
    byte[] getBytes(int i) throws HeliosDBException;
    BigDecimal getBigDecimal(int i) throws HeliosDBException;
    boolean getBoolean(int i) throws HeliosDBException;
    Object getObject(int i) throws HeliosDBException;
    boolean wasNull();
    void close() throws HeliosDBException;
}
