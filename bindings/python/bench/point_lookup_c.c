/* Engine-only cost of the Python benchmark's point lookup, for the per-call
 * overhead figure: the same table and query through libheliosdb's and
 * SQLite's C APIs (prepare once; then per lookup bind, step, read the 3
 * columns, reset). Built as a shared library by bench_vs_sqlite.py (when a C
 * compiler and sqlite3.h exist) and called once per round through ctypes, so
 * its rounds take turns with the Python drivers' rounds under the same load.
 * Each function returns microseconds per lookup, or -1 on error. */
#include <heliosdb.h>
#include <sqlite3.h>
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
