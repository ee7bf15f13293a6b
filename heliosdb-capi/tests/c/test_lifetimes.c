/* Every pointer the library hands out, used the way SQLite users and
 * binding writers use it, read again later inside its documented lifetime.
 * Under valgrind a pointer freed early is an "Invalid read"; without it, the
 * content checks catch a buffer that was re-rendered or moved.
 * Usage: test_lifetimes DIR */
#include "heliosdb.h"
#include "check.h"

#include <stdlib.h>

static heliosdb *db;

static heliosdb_stmt *prepare(const char *sql) {
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, sql, &st), HELIOSDB_OK);
    return st;
}

/* The snippet from the bug report: text first, then its length. */
static void text_then_bytes(void) {
    heliosdb_stmt *st = prepare("SELECT 'table t29 row 6', x'00ff10', 12.5, 7, NULL");
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    const char *p = heliosdb_column_text(st, 0);
    int n = heliosdb_column_bytes(st, 0); /* must not free p */
    CHECK(n == 15);
    CHECK(p != NULL && n == 15 && memcmp(p, "table t29 row 6", 15) == 0);
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", n, p);
    CHECK(strcmp(buf, "table t29 row 6") == 0);

    /* blob -> bytes (the header tells users to read a blob's length this way) */
    const unsigned char *b = heliosdb_column_blob(st, 1);
    int bn = heliosdb_column_bytes(st, 1);
    CHECK(bn == 3 && b != NULL && b[0] == 0x00 && b[1] == 0xff && b[2] == 0x10);

    /* bytes -> text, text -> text, text -> blob, blob -> text: one buffer */
    int tn = heliosdb_column_bytes(st, 2);
    const char *t1 = heliosdb_column_text(st, 2);
    const char *t2 = heliosdb_column_text(st, 2);
    const void *t3 = heliosdb_column_blob(st, 2);
    CHECK(tn == 4 && t1 == t2 && t3 == (const void *)t1 && strcmp(t1, "12.5") == 0);
    const char *bt = heliosdb_column_text(st, 1);
    CHECK((const void *)bt == (const void *)b);
    CHECK(b[1] == 0xff); /* still readable after the text call */

    /* Numbers in between change nothing either. */
    CHECK(heliosdb_column_int64(st, 3) == 7 && heliosdb_column_double(st, 2) == 12.5);
    CHECK(heliosdb_column_text(st, 4) == NULL && heliosdb_column_bytes(st, 4) == 0);
    CHECK(strcmp(p, "table t29 row 6") == 0 && strcmp(t1, "12.5") == 0);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
}

/* Hold column 0's text while reading columns 1..n, for every row. */
static void hold_first_column(void) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE wide (k TEXT PRIMARY KEY, a TEXT, b BLOB, c REAL, d DECIMAL(15,2))"),
             HELIOSDB_OK);
    heliosdb_stmt *ins = prepare("INSERT INTO wide VALUES (?, ?, ?, ?, ?)");
    for (int i = 0; i < 50; i++) {
        char k[32], a[64];
        snprintf(k, sizeof k, "key-%03d", i);
        snprintf(a, sizeof a, "value %d of a longer text column", i * 7);
        heliosdb_bind_text(ins, 1, k, -1);
        heliosdb_bind_text(ins, 2, a, -1);
        heliosdb_bind_blob(ins, 3, a, (int)strlen(a));
        heliosdb_bind_double(ins, 4, i / 4.0);
        heliosdb_bind_text(ins, 5, "1234.50", -1);
        CHECK_RC(heliosdb_step(ins), HELIOSDB_DONE);
        heliosdb_reset(ins);
    }
    heliosdb_finalize(ins);
    heliosdb_stmt *st = prepare("SELECT k, a, b, c, d, a || k FROM wide ORDER BY k");
    int rows = 0, good = 0;
    while (heliosdb_step(st) == HELIOSDB_ROW) {
        const char *k = heliosdb_column_text(st, 0);
        char expect[32];
        snprintf(expect, sizeof expect, "key-%03d", rows);
        for (int c = 1; c < heliosdb_column_count(st); c++) {
            (void)heliosdb_column_text(st, c);
            (void)heliosdb_column_bytes(st, c);
            (void)heliosdb_column_blob(st, c);
        }
        const char *d = heliosdb_column_text(st, 4);
        if (strcmp(k, expect) == 0 && strcmp(d, "1234.50") == 0) good++;
        rows++;
    }
    CHECK(rows == 50 && good == 50);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
}

/* column_name pointers live until finalize, across steps and re-plans. */
static void names_across_steps_and_schema_changes(const char *dir) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE shape (a INTEGER PRIMARY KEY, b TEXT); INSERT INTO shape VALUES (1, 'x')"),
             HELIOSDB_OK);
    heliosdb_stmt *st = prepare("SELECT * FROM shape");
    const char *n0 = heliosdb_column_name(st, 0);
    const char *n1 = heliosdb_column_name(st, 1);
    const char *d0 = heliosdb_column_decltype(st, 0); /* held until finalize, like the names */
    const char *d1 = heliosdb_column_decltype(st, 1);
    CHECK(contains(d0, "INTEGER") && contains(d1, "TEXT"));
    CHECK(heliosdb_column_count(st) == 2 && strcmp(n0, "a") == 0 && strcmp(n1, "b") == 0);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK(strcmp(n0, "a") == 0 && strcmp(n1, "b") == 0);

    /* ADD COLUMN from a second handle on the same path changes the count. */
    heliosdb *other = NULL;
    CHECK_RC(heliosdb_open(dir, &other), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(other, "ALTER TABLE shape ADD COLUMN c REAL"), HELIOSDB_OK);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK(heliosdb_column_count(st) == 3);
    CHECK(strcmp(heliosdb_column_name(st, 2), "c") == 0);
    CHECK(strcmp(n0, "a") == 0 && strcmp(n1, "b") == 0); /* old pointers still valid */

    /* RENAME COLUMN keeps the count: the names must still be refreshed. */
    CHECK_RC(heliosdb_exec(other, "ALTER TABLE shape RENAME COLUMN b TO bee"), HELIOSDB_OK);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK(strcmp(heliosdb_column_name(st, 1), "bee") == 0);
    CHECK(strcmp(n1, "b") == 0);

    /* DROP + CREATE with other types: decltypes follow. */
    CHECK_RC(heliosdb_exec(other, "DROP TABLE shape; CREATE TABLE shape (a TEXT PRIMARY KEY, bee DECIMAL(9,3), c BLOB);"
                                  "INSERT INTO shape VALUES ('k', 1.5, x'01')"),
             HELIOSDB_OK);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK(contains(heliosdb_column_decltype(st, 1), "DECIMAL(9,3)"));
    CHECK(strcmp(heliosdb_column_text(st, 1), "1.500") == 0);
    CHECK(strcmp(n0, "a") == 0);
    /* The decltypes handed out before the re-plan still read their old text. */
    CHECK(strcmp(d0, "INTEGER") == 0 && strcmp(d1, "TEXT") == 0);
    CHECK_RC(heliosdb_close(other), HELIOSDB_OK);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
}

/* errmsg survives later successful calls (and column accessors). */
static void errmsg_after_success(void) {
    CHECK_RC(heliosdb_exec(db, "SELECT * FROM no_such_table"), HELIOSDB_ERROR);
    const char *msg = heliosdb_errmsg(db);
    CHECK(heliosdb_errcode(db) == HELIOSDB_ERROR);
    CHECK_RC(heliosdb_exec(db, "SELECT 1"), HELIOSDB_OK);
    heliosdb_stmt *st = prepare("SELECT 'v'");
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    (void)heliosdb_column_text(st, 5); /* out of range: records nothing */
    (void)heliosdb_column_int64(st, -1);
    char *json = heliosdb_query_json(db, "SELECT 2", NULL);
    heliosdb_free(json);
    CHECK(contains(msg, "no such table: no_such_table")); /* the old pointer is still readable */
    CHECK(heliosdb_errcode(db) == HELIOSDB_OK);
    CHECK(strcmp(heliosdb_errmsg(db), "not an error") == 0);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK(contains(msg, "no such table"));
}

/* bind_parameter_name and notice pointers. */
static void parameter_names_and_notice(void) {
    heliosdb_stmt *st = prepare("SELECT :alpha, ?, @beta, $gamma, ?7");
    const char *a = heliosdb_bind_parameter_name(st, 1);
    CHECK(a != NULL && strcmp(a, ":alpha") == 0);
    CHECK(heliosdb_bind_parameter_name(st, 2) == NULL);
    CHECK(contains(heliosdb_bind_parameter_name(st, 3), "@beta"));
    CHECK(heliosdb_bind_parameter_index(st, "@beta") == 3);
    CHECK(contains(heliosdb_bind_parameter_name(st, 4), "$gamma"));
    CHECK(heliosdb_bind_parameter_name(st, 0) == NULL && heliosdb_bind_parameter_name(st, 8) == NULL);
    CHECK(heliosdb_bind_parameter_count(st) == 7);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK(strcmp(a, ":alpha") == 0);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);

    CHECK_RC(heliosdb_exec(db, "CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL);"
                               "CREATE MATERIALIZED VIEW by_region AS SELECT region, sum(amount) AS s FROM sales "
                               "GROUP BY region"),
             HELIOSDB_OK);
    const char *n1 = heliosdb_notice(db);
    const char *n2 = heliosdb_notice(db); /* same text: same pointer, still valid */
    CHECK(n1 == n2 && contains(n1, "incrementally"));
    CHECK(strcmp(heliosdb_version(), heliosdb_version()) == 0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    CHECK_RC(heliosdb_open(argv[1], &db), HELIOSDB_OK);
    text_then_bytes();
    hold_first_column();
    names_across_steps_and_schema_changes(argv[1]);
    errmsg_after_success();
    parameter_names_and_notice();
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    return report();
}
