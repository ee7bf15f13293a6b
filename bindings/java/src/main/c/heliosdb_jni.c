/*
 * heliosdb_jni.c — the JNI glue of the Java binding: one static native method of
 * io.heliosdb.NativeDB per C ABI call, calling only functions of include/heliosdb.h.
 *
 * Rules kept here (see NativeDB.java for the Java side):
 *  - Handles travel as jlong tokens. The ABI refuses NULL, closed and finalized
 *    tokens with HELIOSDB_MISUSE, so a stale value can never crash the JVM; the
 *    Java classes also refuse closed handles before calling.
 *  - A failing call throws io.heliosdb.HeliosDBException built from its status and
 *    heliosdb_errmsg, read in the same native call on the same OS thread (errmsg is
 *    per thread and lives only until that thread's next failing call).
 *  - Every string crosses as UTF-8 bytes (byte[]), never as JNI "modified UTF-8":
 *    Java decodes with the length, so text may hold NUL and characters outside the BMP.
 *  - Pointers from column_text/blob are copied into a Java array before returning;
 *    nothing the library owns outlives the native call.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heliosdb.h"

static jclass exc_class;       /* io.heliosdb.HeliosDBException (global ref) */
static jmethodID exc_factory;  /* static HeliosDBException fromNative(int, byte[]) */

#define DB(h) ((heliosdb *)(intptr_t)(h))
#define ST(h) ((heliosdb_stmt *)(intptr_t)(h))
#define FN(name) Java_io_heliosdb_NativeDB_##name

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    jclass c = (*env)->FindClass(env, "io/heliosdb/HeliosDBException");
    if (c == NULL) return JNI_ERR;
    exc_class = (*env)->NewGlobalRef(env, c);
    exc_factory = (*env)->GetStaticMethodID(env, c, "fromNative", "(I[B)Lio/heliosdb/HeliosDBException;");
    if (exc_class == NULL || exc_factory == NULL) return JNI_ERR;
    return JNI_VERSION_1_8;
}

/* A Java byte[] of `len` bytes at `p` (an empty array for len 0); NULL when p is NULL. */
static jbyteArray bytes_of(JNIEnv *env, const void *p, int len) {
    if (p == NULL && len <= 0) return NULL;
    if (len < 0) len = 0;
    jbyteArray a = (*env)->NewByteArray(env, len);
    if (a != NULL && len > 0) (*env)->SetByteArrayRegion(env, a, 0, len, (const jbyte *)p);
    return a;
}

static jbyteArray cstr_bytes(JNIEnv *env, const char *s) {
    return s == NULL ? NULL : bytes_of(env, s, (int)strlen(s));
}

/* Throws HeliosDBException(rc, errmsg(db)); errmsg is read now, on this thread. */
static void throw_rc(JNIEnv *env, heliosdb *db, int rc) {
    if ((*env)->ExceptionCheck(env)) return;
    jbyteArray msg = cstr_bytes(env, heliosdb_errmsg(db));
    if ((*env)->ExceptionCheck(env)) return;
    jobject e = (*env)->CallStaticObjectMethod(env, exc_class, exc_factory, (jint)rc, msg);
    if (e != NULL && !(*env)->ExceptionCheck(env)) (*env)->Throw(env, (jthrowable)e);
}

/* A malloc'ed NUL-terminated copy of a Java byte[] (NULL for a null array);
 * *len receives its length. Sets an OutOfMemoryError and returns NULL on failure. */
static char *copy_in(JNIEnv *env, jbyteArray a, int *len) {
    if (a == NULL) { if (len) *len = 0; return NULL; }
    jsize n = (*env)->GetArrayLength(env, a);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL) {
        jclass oom = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
        if (oom) (*env)->ThrowNew(env, oom, "heliosdb: native buffer");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)buf);
    buf[n] = 0;
    if (len) *len = (int)n;
    return buf;
}

JNIEXPORT jbyteArray JNICALL FN(version)(JNIEnv *env, jclass c) {
    (void)c;
    return cstr_bytes(env, heliosdb_version());
}

JNIEXPORT jlong JNICALL FN(open)(JNIEnv *env, jclass c, jbyteArray path, jbyteArray config) {
    (void)c;
    char *p = copy_in(env, path, NULL);
    if ((*env)->ExceptionCheck(env)) return 0;
    char *cfg = copy_in(env, config, NULL);
    if ((*env)->ExceptionCheck(env)) { free(p); return 0; }
    heliosdb *db = NULL;
    int rc = cfg == NULL ? heliosdb_open(p, &db) : heliosdb_open_with_config(p, cfg, &db);
    free(p);
    free(cfg);
    if (rc != HELIOSDB_OK) { throw_rc(env, NULL, rc); return 0; }
    return (jlong)(intptr_t)db;
}

JNIEXPORT void JNICALL FN(close)(JNIEnv *env, jclass c, jlong db) {
    (void)c;
    int rc = heliosdb_close(DB(db));
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(exec)(JNIEnv *env, jclass c, jlong db, jbyteArray sql) {
    (void)c;
    char *s = copy_in(env, sql, NULL);
    if ((*env)->ExceptionCheck(env)) return;
    int rc = heliosdb_exec(DB(db), s);
    free(s);
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(interrupt)(JNIEnv *env, jclass c, jlong db) {
    (void)c;
    int rc = heliosdb_interrupt(DB(db));
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

/* Stops one statement (sticky until its next step or reset); a finalized
 * statement's token is simply refused, so no lock is needed around it. */
JNIEXPORT jint JNICALL FN(stmtInterrupt)(JNIEnv *env, jclass c, jlong st) {
    (void)env; (void)c;
    return heliosdb_stmt_interrupt(ST(st));
}

JNIEXPORT void JNICALL FN(busyTimeout)(JNIEnv *env, jclass c, jlong db, jint ms) {
    (void)c;
    int rc = heliosdb_busy_timeout(DB(db), ms);
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT jboolean JNICALL FN(getAutocommit)(JNIEnv *env, jclass c, jlong db) {
    (void)env; (void)c;
    return heliosdb_get_autocommit(DB(db)) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL FN(changes)(JNIEnv *env, jclass c, jlong db) {
    (void)env; (void)c;
    return heliosdb_changes(DB(db));
}

JNIEXPORT jlong JNICALL FN(lastInsertRowid)(JNIEnv *env, jclass c, jlong db) {
    (void)env; (void)c;
    return heliosdb_last_insert_rowid(DB(db));
}

JNIEXPORT jint JNICALL FN(errcode)(JNIEnv *env, jclass c, jlong db) {
    (void)env; (void)c;
    return heliosdb_errcode(DB(db));
}

JNIEXPORT jbyteArray JNICALL FN(notice)(JNIEnv *env, jclass c, jlong db) {
    (void)c;
    return cstr_bytes(env, heliosdb_notice(DB(db)));
}

JNIEXPORT jbyteArray JNICALL FN(queryJson)(JNIEnv *env, jclass c, jlong db, jbyteArray sql, jbyteArray params) {
    (void)c;
    char *s = copy_in(env, sql, NULL);
    if ((*env)->ExceptionCheck(env)) return NULL;
    char *p = copy_in(env, params, NULL);
    if ((*env)->ExceptionCheck(env)) { free(s); return NULL; }
    char *out = heliosdb_query_json(DB(db), s, p);
    free(s);
    free(p);
    if (out == NULL) {
        int rc = heliosdb_errcode(DB(db));
        throw_rc(env, DB(db), rc == HELIOSDB_OK ? HELIOSDB_ERROR : rc);
        return NULL;
    }
    jbyteArray r = cstr_bytes(env, out);
    heliosdb_free(out);
    return r;
}

JNIEXPORT jlong JNICALL FN(prepare)(JNIEnv *env, jclass c, jlong db, jbyteArray sql) {
    (void)c;
    char *s = copy_in(env, sql, NULL);
    if ((*env)->ExceptionCheck(env)) return 0;
    heliosdb_stmt *st = NULL;
    int rc = heliosdb_prepare(DB(db), s, &st);
    free(s);
    if (rc != HELIOSDB_OK) { throw_rc(env, DB(db), rc); return 0; }
    return (jlong)(intptr_t)st;
}

JNIEXPORT void JNICALL FN(bindNull)(JNIEnv *env, jclass c, jlong db, jlong st, jint i) {
    (void)c;
    int rc = heliosdb_bind_null(ST(st), i);
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(bindLong)(JNIEnv *env, jclass c, jlong db, jlong st, jint i, jlong v) {
    (void)c;
    int rc = heliosdb_bind_int64(ST(st), i, v);
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(bindDouble)(JNIEnv *env, jclass c, jlong db, jlong st, jint i, jdouble v) {
    (void)c;
    int rc = heliosdb_bind_double(ST(st), i, v);
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(bindText)(JNIEnv *env, jclass c, jlong db, jlong st, jint i, jbyteArray utf8) {
    (void)c;
    int len;
    char *s = copy_in(env, utf8, &len);
    if ((*env)->ExceptionCheck(env)) return;
    int rc = s == NULL ? heliosdb_bind_null(ST(st), i) : heliosdb_bind_text(ST(st), i, s, len);
    free(s);
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(bindBlob)(JNIEnv *env, jclass c, jlong db, jlong st, jint i, jbyteArray b) {
    (void)c;
    int len;
    char *p = copy_in(env, b, &len);
    if ((*env)->ExceptionCheck(env)) return;
    int rc = p == NULL ? heliosdb_bind_null(ST(st), i) : heliosdb_bind_blob(ST(st), i, p, len);
    free(p);
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT jint JNICALL FN(parameterCount)(JNIEnv *env, jclass c, jlong st) {
    (void)env; (void)c;
    return heliosdb_bind_parameter_count(ST(st));
}

JNIEXPORT jint JNICALL FN(parameterIndex)(JNIEnv *env, jclass c, jlong st, jbyteArray name) {
    (void)c;
    char *n = copy_in(env, name, NULL);
    if ((*env)->ExceptionCheck(env) || n == NULL) return 0;
    int idx = heliosdb_bind_parameter_index(ST(st), n);
    free(n);
    return idx;
}

JNIEXPORT jbyteArray JNICALL FN(parameterName)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)c;
    return cstr_bytes(env, heliosdb_bind_parameter_name(ST(st), i));
}

JNIEXPORT jboolean JNICALL FN(readonly)(JNIEnv *env, jclass c, jlong st) {
    (void)env; (void)c;
    return heliosdb_stmt_readonly(ST(st)) ? JNI_TRUE : JNI_FALSE;
}

/* HELIOSDB_ROW or HELIOSDB_DONE; anything else throws. */
JNIEXPORT jint JNICALL FN(step)(JNIEnv *env, jclass c, jlong db, jlong st) {
    (void)c;
    int rc = heliosdb_step(ST(st));
    if (rc != HELIOSDB_ROW && rc != HELIOSDB_DONE) throw_rc(env, DB(db), rc);
    return rc;
}

JNIEXPORT void JNICALL FN(reset)(JNIEnv *env, jclass c, jlong db, jlong st) {
    (void)c;
    int rc = heliosdb_reset(ST(st));
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(clearBindings)(JNIEnv *env, jclass c, jlong db, jlong st) {
    (void)c;
    int rc = heliosdb_clear_bindings(ST(st));
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT void JNICALL FN(finalizeStmt)(JNIEnv *env, jclass c, jlong db, jlong st) {
    (void)c;
    int rc = heliosdb_finalize(ST(st));
    if (rc != HELIOSDB_OK) throw_rc(env, DB(db), rc);
}

JNIEXPORT jint JNICALL FN(columnCount)(JNIEnv *env, jclass c, jlong st) {
    (void)env; (void)c;
    return heliosdb_column_count(ST(st));
}

JNIEXPORT jbyteArray JNICALL FN(columnName)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)c;
    return cstr_bytes(env, heliosdb_column_name(ST(st), i));
}

JNIEXPORT jbyteArray JNICALL FN(columnDecltype)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)c;
    return cstr_bytes(env, heliosdb_column_decltype(ST(st), i));
}

JNIEXPORT jint JNICALL FN(columnType)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)env; (void)c;
    return heliosdb_column_type(ST(st), i);
}

JNIEXPORT jlong JNICALL FN(columnLong)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)env; (void)c;
    return heliosdb_column_int64(ST(st), i);
}

JNIEXPORT jdouble JNICALL FN(columnDouble)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)env; (void)c;
    return heliosdb_column_double(ST(st), i);
}

/* The column's text as UTF-8 bytes (text first, then its length, as the header
 * allows); null for SQL NULL. */
JNIEXPORT jbyteArray JNICALL FN(columnText)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)c;
    const char *s = heliosdb_column_text(ST(st), i);
    if (s == NULL) return NULL;
    return bytes_of(env, s, heliosdb_column_bytes(ST(st), i));
}

/* The column's bytes; an empty array for an empty value, null for SQL NULL. */
JNIEXPORT jbyteArray JNICALL FN(columnBlob)(JNIEnv *env, jclass c, jlong st, jint i) {
    (void)c;
    if (heliosdb_column_type(ST(st), i) == HELIOSDB_NULL) return NULL;
    const void *p = heliosdb_column_blob(ST(st), i);
    int n = heliosdb_column_bytes(ST(st), i);
    if (p == NULL || n <= 0) return (*env)->NewByteArray(env, 0);
    return bytes_of(env, p, n);
}
