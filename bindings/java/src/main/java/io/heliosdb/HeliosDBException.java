// HeliosDBException.java — the checked exception of the plain API: the engine's status
// code (the C ABI's HELIOSDB_* numbers) and its message.
package io.heliosdb;

import java.nio.charset.StandardCharsets;

/** A failed HeliosDB call: {@link #getCode()} is the C ABI status code, the message the engine's. */
public class HeliosDBException extends Exception {
    private static final long serialVersionUID = 1L;

    /** SQL error or other failure. */
    public static final int ERROR = 1;
    /** The database is locked by another connection or process (after the busy timeout). */
    public static final int BUSY = 5;
    /** Out of memory. */
    public static final int NOMEM = 7;
    /** A write where writing is not allowed (a read-only AS OF transaction). */
    public static final int READONLY = 8;
    /** The statement was stopped by {@link Database#interrupt()}; it changed nothing. */
    public static final int INTERRUPT = 9;
    /** File-system I/O error. */
    public static final int IOERR = 10;
    /** Not a HeliosDB database, or damaged data. */
    public static final int CORRUPT = 11;
    /** A NOT NULL, UNIQUE, PRIMARY KEY, CHECK or FOREIGN KEY constraint failed. */
    public static final int CONSTRAINT = 19;
    /** A value does not fit the column type (also: a getter asked for a type the value cannot give). */
    public static final int MISMATCH = 20;
    /** The library was used incorrectly (closed handle, wrong call order). */
    public static final int MISUSE = 21;
    /** A parameter or column index is out of range. */
    public static final int RANGE = 25;
    /** A time-travel point older than what retention kept. */
    public static final int SNAPSHOT_TOO_OLD = 1001;

    private final int code;

    /** An exception with the given status code and message. */
    public HeliosDBException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** The status code: one of the constants of this class. */
    public int getCode() {
        return code;
    }

    /** Called by the JNI glue with the engine's UTF-8 message. */
    static HeliosDBException fromNative(int code, byte[] message) {
        String msg = message == null ? "error " + code : new String(message, StandardCharsets.UTF_8);
        return new HeliosDBException(code, msg);
    }

    @Override
    public String toString() {
        return "HeliosDBException[" + code + "]: " + getMessage();
    }
}
