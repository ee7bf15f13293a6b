/* Engine-only cost of the Python benchmark's point lookup, for the per-call
 * overhead figure: the same table and query through libheliosdb's and
 * SQLite's C APIs (prepare once; bind, step, read 3 columns, reset).
 * Built and run by bench_vs_sqlite.py when a C compiler and sqlite3.h exist.
 * Usage: point_lookup_c HELIOS_DIR SQLITE_FILE ROWS LOOKUPS
 * Prints: "<heliosdb us/lookup> <sqlite us/lookup>" */
#include <heliosdb.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *Q = "SELECT device, value, ts FROM t WHERE id = ?";

int main(int argc, char **argv) {
    if (argc < 5) return 2;
    long rows = atol(argv[3]), n = atol(argv[4]);
    volatile double sink = 0;
    heliosdb *h = NULL;
    heliosdb_stmt *hs = NULL;
    if (heliosdb_open(argv[1], &h) || heliosdb_prepare(h, Q, &hs)) { fprintf(stderr, "%s\n", heliosdb_errmsg(h)); return 1; }
    double best_h = 1e9, best_s = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t = now();
        for (long i = 0; i < n; i++) {
            heliosdb_bind_int64(hs, 1, 1 + i % rows);
            if (heliosdb_step(hs) != HELIOSDB_ROW) return 1;
            sink += heliosdb_column_bytes(hs, 0) + heliosdb_column_double(hs, 1) + heliosdb_column_int64(hs, 2);
            (void)heliosdb_column_text(hs, 0);
            heliosdb_reset(hs);
        }
        double dt = (now() - t) / n * 1e6;
        if (dt < best_h) best_h = dt;
    }
    heliosdb_finalize(hs);
    heliosdb_close(h);
    sqlite3 *s = NULL;
    sqlite3_stmt *ss = NULL;
    if (sqlite3_open(argv[2], &s) || sqlite3_prepare_v2(s, Q, -1, &ss, NULL)) { fprintf(stderr, "%s\n", sqlite3_errmsg(s)); return 1; }
    for (int rep = 0; rep < 3; rep++) {
        double t = now();
        for (long i = 0; i < n; i++) {
            sqlite3_bind_int64(ss, 1, 1 + i % rows);
            if (sqlite3_step(ss) != SQLITE_ROW) return 1;
            sink += sqlite3_column_bytes(ss, 0) + sqlite3_column_double(ss, 1) + sqlite3_column_int64(ss, 2);
            (void)sqlite3_column_text(ss, 0);
            sqlite3_reset(ss);
        }
        double dt = (now() - t) / n * 1e6;
        if (dt < best_s) best_s = dt;
    }
    sqlite3_finalize(ss);
    sqlite3_close(s);
    printf("%.3f %.3f\n", best_h, best_s);
    return sink < 0;
}
