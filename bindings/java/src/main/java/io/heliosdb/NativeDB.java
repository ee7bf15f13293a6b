// NativeDB.java — the native methods, one per C ABI call (implemented in
// src/main/c/heliosdb_jni.c). Strings cross as UTF-8 byte arrays.
package io.heliosdb;

/**
 * Raw JNI entry points. Package-private: only {@link Database}, {@link Statement} and
 * {@link Rows} call them, always with a handle they checked is open. Failing calls throw
 * {@link HeliosDBException} carrying the status code and the engine's message.
 */
final class NativeDB {
    static {
        NativeLoader.load();
    }

    private NativeDB() {}

    static final int ROW = 100;
    static final int DONE = 101;

    static native byte[] version();
    static native long open(byte[] path, byte[] config) throws HeliosDBException;
    static native void close(long db) throws HeliosDBException;
    static native void exec(long db, byte[] sql) throws HeliosDBException;
    static native void interrupt(long db) throws HeliosDBException;
    static native int stmtInterrupt(long st);
    static native void busyTimeout(long db, int ms) throws HeliosDBException;
    static native boolean getAutocommit(long db);
    static native long changes(long db);
    static native long lastInsertRowid(long db);
    static native int errcode(long db);
    static native byte[] notice(long db);
    static native byte[] queryJson(long db, byte[] sql, byte[] params) throws HeliosDBException;

    static native long prepare(long db, byte[] sql) throws HeliosDBException;
    static native void bindNull(long db, long st, int i) throws HeliosDBException;
    static native void bindLong(long db, long st, int i, long v) throws HeliosDBException;
    static native void bindDouble(long db, long st, int i, double v) throws HeliosDBException;
    static native void bindText(long db, long st, int i, byte[] utf8) throws HeliosDBException;
    static native void bindBlob(long db, long st, int i, byte[] b) throws HeliosDBException;
    static native int parameterCount(long st);
    static native int parameterIndex(long st, byte[] name);
    static native byte[] parameterName(long st, int i);
    static native boolean readonly(long st);
    static native int step(long db, long st) throws HeliosDBException;
    static native void reset(long db, long st) throws HeliosDBException;
    static native void clearBindings(long db, long st) throws HeliosDBException;
    static native void finalizeStmt(long db, long st) throws HeliosDBException;

    static native int columnCount(long st);
    static native byte[] columnName(long st, int i);
    static native byte[] columnDecltype(long st, int i);
    static native int columnType(long st, int i);
    static native long columnLong(long st, int i);
    static native double columnDouble(long st, int i);
    static native byte[] columnText(long st, int i);
    static native byte[] columnBlob(long st, int i);
}
