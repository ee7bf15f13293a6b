/* Engine-only cost of the Python benchmark's point lookup, for the per-call
 * overhead figure: the same table and query through libheliosdb's and
 * SQLite's C APIs (prepare once; then per lookup bind, step, read the 3
 * columns, reset). Built as a shared library by bench_vs_sqlite.py (when a C
 * compiler and sqlite3.h exist) and called once per round through ctypes, so
 * its rounds take turns with the Python drivers' rounds under the same load.
 * The lookup functions return microseconds per lookup, or -1 on error. */
#include <heliosdb.h>
#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *Q = "SELECT device, value, ts FROM t WHERE id = ?";
static volatile double sink;

/* Connections and statements stay open across rounds (warm caches, as the
 * Python drivers' connections are); the process exit releases them. */
static heliosdb *h;
static heliosdb_stmt *hst;
static sqlite3 *s;
static sqlite3_stmt *sst;

double helios_lookups(const char *dir, long rows, long first, long n) {
    if (!h && (heliosdb_open(dir, &h) != HELIOSDB_OK || heliosdb_prepare(h, Q, &hst) != HELIOSDB_OK)) return -1;
    heliosdb_stmt *st = hst;
    double t = now();
    for (long i = 0; i < n; i++) {
        heliosdb_bind_int64(st, 1, ((first + i) * 7919) % rows + 1);
        if (heliosdb_step(st) != HELIOSDB_ROW) return -1;
        sink += heliosdb_column_bytes(st, 0) + heliosdb_column_double(st, 1) + heliosdb_column_int64(st, 2);
        (void)heliosdb_column_text(st, 0);
        heliosdb_reset(st);
    }
    return (now() - t) / n * 1e6;
}

double sqlite_lookups(const char *file, long rows, long first, long n) {
    if (!s && (sqlite3_open(file, &s) != SQLITE_OK || sqlite3_prepare_v2(s, Q, -1, &sst, NULL) != SQLITE_OK)) return -1;
    sqlite3_stmt *st = sst;
    double t = now();
    for (long i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, ((first + i) * 7919) % rows + 1);
        if (sqlite3_step(st) != SQLITE_ROW) return -1;
        sink += sqlite3_column_bytes(st, 0) + sqlite3_column_double(st, 1) + sqlite3_column_int64(st, 2);
        (void)sqlite3_column_text(st, 0);
        sqlite3_reset(st);
    }
    return (now() - t) / n * 1e6;
}

/* The insert workload through each C API: ROWS rows of the same values into a
 * new table named TABLE in one transaction (prepare once; bind 4, step, reset).
 * Returns microseconds per row, or -1 on error. */
static void row_values(long i, char *device, int *len, double *value) {
    *len = snprintf(device, 16, "device-%02ld", (long)(((unsigned long long)i * 2654435761ULL) % 50));
    *value = (double)((i * 40503) % 100000) / 100.0;
}

static void insert_sql(const char *table, char *create, char *insert) {
    snprintf(create, 200, "CREATE TABLE %s (id INTEGER PRIMARY KEY, device TEXT NOT NULL, value DOUBLE NOT NULL, ts INTEGER NOT NULL)", table);
    snprintf(insert, 200, "INSERT INTO %s VALUES (?, ?, ?, ?)", table);
}

double helios_inserts(const char *dir, const char *table, long rows) {
    heliosdb *db = NULL;
    heliosdb_stmt *st = NULL;
    char device[16], create[200], insert[200];
    int len;
    double value;
    insert_sql(table, create, insert);
    if (heliosdb_open(dir, &db) != HELIOSDB_OK || heliosdb_exec(db, create) != HELIOSDB_OK ||
        heliosdb_prepare(db, insert, &st) != HELIOSDB_OK)
        return -1;
    double t = now();
    if (heliosdb_exec(db, "BEGIN") != HELIOSDB_OK) return -1;
    for (long i = 1; i <= rows; i++) {
        row_values(i, device, &len, &value);
        heliosdb_bind_int64(st, 1, i);
        heliosdb_bind_text(st, 2, device, len);
        heliosdb_bind_double(st, 3, value);
        heliosdb_bind_int64(st, 4, 1700000000 + i);
        if (heliosdb_step(st) != HELIOSDB_DONE) return -1;
        heliosdb_reset(st);
    }
    if (heliosdb_exec(db, "COMMIT") != HELIOSDB_OK) return -1;
    t = (now() - t) / rows * 1e6;
    heliosdb_finalize(st);
    heliosdb_close(db);
    return t;
}

double sqlite_inserts(const char *file, const char *table, long rows) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char device[16], create[200], insert[200];
    int len;
    double value;
    insert_sql(table, create, insert);
    if (sqlite3_open(file, &db) != SQLITE_OK || sqlite3_exec(db, create, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, insert, -1, &st, NULL) != SQLITE_OK)
        return -1;
    double t = now();
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return -1;
    for (long i = 1; i <= rows; i++) {
        row_values(i, device, &len, &value);
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_text(st, 2, device, len, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 3, value);
        sqlite3_bind_int64(st, 4, 1700000000 + i);
        if (sqlite3_step(st) != SQLITE_DONE) return -1;
        sqlite3_reset(st);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) return -1;
    t = (now() - t) / rows * 1e6;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return t;
}
