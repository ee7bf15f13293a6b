/* A result larger than the statement's working memory, stepped through the
 * C ABI the way a user's loop reads any result: the rows come back from the
 * temporary file in order, each text pointer (read before column_bytes, as
 * SQLite's documentation has it) stays valid until the next step, a reset
 * in the middle re-runs the query, finalizing in the middle is fine, and a
 * query that cannot run within the memory returns HELIOSDB_NOMEM naming
 * memory_limit_mb.
 * Usage: test_memory DIR (DIR is empty; the test works inside it) */
#include "heliosdb.h"
#include "check.h"
#include <stdlib.h>

static heliosdb *db;

#define ROWS 15000

/* Steps `st` to the end (or `stop` rows), checking the ORDER BY s DESC order
 * and that each row's text is what its id says; returns the rows read. */
static int read_rows(heliosdb_stmt *st, int stop) {
    int n = 0, rc;
    char prev[64] = "~";
    while (n < stop && (rc = heliosdb_step(st)) == HELIOSDB_ROW) {
        long long id = heliosdb_column_int64(st, 0);
        const char *s = heliosdb_column_text(st, 1);
        int bytes = heliosdb_column_bytes(st, 1);
        char want[64];
        snprintf(want, sizeof want, "row %05lld padded to some length", id);
        CHECK(s != NULL && bytes == (int)strlen(want) && strcmp(s, want) == 0);
        CHECK(strcmp(s, prev) < 0);
        snprintf(prev, sizeof prev, "%s", s);
        n++;
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/db", argv[1]);
    /* 1 MiB of working memory: a quarter of 4 MB. */
    CHECK_RC(heliosdb_open_with_config(path, "[database]\nmemory_limit_mb = 4\n", &db), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT);"
                               "INSERT INTO t SELECT value, printf('row %05d padded to some length', value)"
                               "  FROM generate_series(1, 15000);"),
             HELIOSDB_OK);

    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT id, s FROM t ORDER BY s DESC", &st), HELIOSDB_OK);
    CHECK(read_rows(st, ROWS + 1) == ROWS);
    CHECK_RC(heliosdb_step(st), HELIOSDB_MISUSE); /* stepped past DONE */

    /* A reset halfway re-runs the query from its first row. */
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK(read_rows(st, ROWS / 2) == ROWS / 2);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK(read_rows(st, ROWS + 1) == ROWS);
    /* Finalizing halfway drops the rest of the result. */
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK(read_rows(st, 10) == 10);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);

    /* GROUP BY over 15,000 groups, DISTINCT and a hash join all spill and agree. */
    CHECK(one_int(db, "SELECT count(*) FROM (SELECT s, count(*) FROM t GROUP BY s)") == ROWS);
    CHECK(one_int(db, "SELECT count(*) FROM (SELECT DISTINCT s FROM t)") == ROWS);
    CHECK(one_int(db, "SELECT count(*) FROM t a JOIN t b ON b.s = a.s") == ROWS);

    /* A running sum over one window partition of every row does not fit:
     * NOMEM, not a crash. */
    st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT id, sum(id) OVER (ORDER BY s) FROM t", &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_NOMEM);
    CHECK(contains(heliosdb_errmsg(db), "memory_limit_mb = 4"));
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK(one_int(db, "SELECT count(*) FROM t") == ROWS);

    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    return report();
}
