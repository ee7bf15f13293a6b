/* CHECK / CHECK_RC for the C test programs: count passes and failures, and
 * print "N passed, M failed" at the end (the line c_suite.rs looks for).
 * CHECK_RC prints heliosdb_errmsg of a variable `db` in scope on failure. */
#ifndef HELIOSDB_TEST_CHECK_H
#define HELIOSDB_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int passed = 0, failed = 0;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (cond) {                                                             \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                                       \
    } while (0)

#define CHECK_RC(expr, want)                                                    \
    do {                                                                        \
        int rc_ = (expr);                                                       \
        if (rc_ == (want)) {                                                    \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            fprintf(stderr, "FAIL %s:%d: %s returned %d, want %d (%s)\n",       \
                    __FILE__, __LINE__, #expr, rc_, (want), heliosdb_errmsg(db)); \
        }                                                                       \
    } while (0)

static inline int contains(const char *s, const char *needle) {
    return s != NULL && strstr(s, needle) != NULL;
}

#ifdef HELIOSDB_H
/* The first column of the first row of `sql` as an integer, or -1. */
static inline long long one_int(heliosdb *h, const char *sql) {
    heliosdb_stmt *st = NULL;
    long long v = -1;
    if (heliosdb_prepare(h, sql, &st) == HELIOSDB_OK && heliosdb_step(st) == HELIOSDB_ROW) {
        v = heliosdb_column_int64(st, 0);
    }
    heliosdb_finalize(st);
    return v;
}
#endif

static inline int report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
