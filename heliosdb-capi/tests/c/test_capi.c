/* Exercises every function of heliosdb.h and its error paths.
 * Prints "N passed, M failed" and exits non-zero on any failure.
 * Usage: test_capi DIR   (DIR: an empty directory for the database) */
#include "heliosdb.h"
#include "check.h"

#include <stdlib.h>

static void test_open_errors(const char *dir) {
    heliosdb *db = NULL;
    heliosdb *out = (heliosdb *)0x1;
    CHECK_RC(heliosdb_open(NULL, &out), HELIOSDB_MISUSE);
    CHECK(out == NULL);
    CHECK(contains(heliosdb_errmsg(NULL), "path is NULL"));
    CHECK_RC(heliosdb_open(dir, NULL), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_open("\xff\xfe", &out), HELIOSDB_MISUSE);
    CHECK(contains(heliosdb_errmsg(NULL), "not valid UTF-8"));
    CHECK_RC(heliosdb_open_with_config(":memory:", "[database]\nmemory_limt_mb = 8\n", &out), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(NULL), "memory_limt_mb"));
    CHECK_RC(heliosdb_open_with_config(":memory:", "{\"database\": {\"memory_limit_mb\": \"x\"}}", &out), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(NULL), "database.memory_limit_mb"));
    CHECK_RC(heliosdb_open_with_config(":memory:", "{\"database\": {\"memory_limit_mb\": 16}}", &out), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(out), HELIOSDB_OK);
    /* NULL and stale handles */
    CHECK_RC(heliosdb_close(NULL), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(out), HELIOSDB_MISUSE); /* closed twice */
    CHECK_RC(heliosdb_exec(NULL, "SELECT 1"), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_exec(out, "SELECT 1"), HELIOSDB_MISUSE);
    CHECK(heliosdb_changes(NULL) == 0);
    CHECK(heliosdb_last_insert_rowid(NULL) == 0);
    (void)db;
}

static void test_exec_and_errors(heliosdb *db) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE acct (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE, "
                               "balance DECIMAL(15,2) NOT NULL, active BOOLEAN, photo BLOB, score REAL)"),
             HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "INSERT INTO acct (owner, balance, active) VALUES ('ada', 10.50, true); "
                               "INSERT INTO acct (owner, balance, active) VALUES ('bob', 20, false)"),
             HELIOSDB_OK);
    CHECK(heliosdb_changes(db) == 1);
    CHECK(heliosdb_last_insert_rowid(db) == 2);
    CHECK_RC(heliosdb_exec(db, "SELEC 1"), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "syntax error"));
    CHECK(contains(heliosdb_errmsg(db), "Line: 1"));
    CHECK_RC(heliosdb_exec(db, "INSERT INTO acct (owner, balance) VALUES ('ada', 1)"), HELIOSDB_CONSTRAINT);
    CHECK(contains(heliosdb_errmsg(db), "UNIQUE constraint failed: acct.owner"));
    CHECK_RC(heliosdb_exec(db, "INSERT INTO acct (owner, balance) VALUES (NULL, 1)"), HELIOSDB_CONSTRAINT);
    CHECK_RC(heliosdb_exec(db, "INSERT INTO acct (owner, balance) VALUES ('x', 'lots')"), HELIOSDB_MISMATCH);
    CHECK_RC(heliosdb_exec(db, "SELECT * FROM nope"), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "no such table: nope"));
    CHECK_RC(heliosdb_exec(db, NULL), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_exec(db, "SELECT '\xc3\x28'"), HELIOSDB_MISUSE);
    /* The database is unchanged by the failures. */
    char *json = heliosdb_query_json(db, "SELECT count(*) AS n FROM acct", NULL);
    CHECK(json != NULL && strcmp(json, "{\"changes\":0,\"columns\":[\"n\"],\"rows\":[[2]]}") == 0);
    heliosdb_free(json);
    heliosdb_free(NULL);
}

static void test_prepare_bind_step(heliosdb *db) {
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "INSERT INTO acct (owner, balance, photo, score) VALUES (?1, ?2, :photo, ?4)", &st),
             HELIOSDB_OK);
    CHECK(heliosdb_bind_parameter_count(st) == 4);
    CHECK(heliosdb_bind_parameter_index(st, ":photo") == 3);
    CHECK(heliosdb_bind_parameter_index(st, "?2") == 2);
    CHECK(heliosdb_bind_parameter_index(st, ":nope") == 0);
    CHECK(heliosdb_bind_parameter_index(st, NULL) == 0);
    CHECK(heliosdb_column_count(st) == 0);
    const char name[] = "cy\0ignored";
    unsigned char photo[3] = {0x00, 0xff, 0x10};
    CHECK_RC(heliosdb_bind_text(st, 1, name, 2), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_double(st, 2, 30.25), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_blob(st, 3, photo, 3), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_int64(st, 4, 7), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_int64(st, 0, 1), HELIOSDB_RANGE);
    CHECK_RC(heliosdb_bind_int64(st, 5, 1), HELIOSDB_RANGE);
    CHECK(contains(heliosdb_errmsg(db), "out of range"));
    CHECK_RC(heliosdb_bind_text(st, 1, "\xc3\x28", -1), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_bind_blob(st, 3, NULL, 4), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_bind_text(st, 1, "cy", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK(heliosdb_changes(db) == 1);
    CHECK_RC(heliosdb_step(st), HELIOSDB_MISUSE); /* step after DONE */
    CHECK(contains(heliosdb_errmsg(db), "heliosdb_reset"));
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_text(st, 1, "dee", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_clear_bindings(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_text(st, 1, "dee", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_CONSTRAINT); /* balance is NULL now */
    CHECK(contains(heliosdb_errmsg(db), "NOT NULL constraint failed: acct.balance"));
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_finalize(NULL), HELIOSDB_OK);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_MISUSE);  /* finalized twice: detected */
    CHECK_RC(heliosdb_step(st), HELIOSDB_MISUSE);      /* use after finalize: detected */
    CHECK_RC(heliosdb_bind_null(st, 1), HELIOSDB_MISUSE);
    CHECK(heliosdb_column_count(st) == 0);

    CHECK_RC(heliosdb_prepare(db, "SELECT 1; SELECT 2", &st), HELIOSDB_MISUSE);
    CHECK(st == NULL);
    CHECK_RC(heliosdb_prepare(db, "SELECT FROM WHERE", &st), HELIOSDB_ERROR);
    CHECK_RC(heliosdb_prepare(db, "SELECT 1", NULL), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_prepare(NULL, "SELECT 1", &st), HELIOSDB_MISUSE);
}

static void test_columns(heliosdb *db) {
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT id, owner, balance, active, photo, score, NULL AS nothing "
                                  "FROM acct WHERE id >= ? ORDER BY id",
                              &st),
             HELIOSDB_OK);
    CHECK(heliosdb_column_count(st) == 7);
    CHECK(strcmp(heliosdb_column_name(st, 1), "owner") == 0);
    CHECK(heliosdb_column_name(st, 7) == NULL);
    CHECK(heliosdb_column_name(st, -1) == NULL);
    /* No current row yet. */
    CHECK(heliosdb_column_int64(st, 0) == 0);
    CHECK(heliosdb_errcode(db) == HELIOSDB_OK); /* accessors record no error */
    CHECK_RC(heliosdb_bind_int64(st, 1, 1), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK_RC(heliosdb_bind_int64(st, 1, 2), HELIOSDB_MISUSE); /* binding to a running statement */
    CHECK(heliosdb_column_type(st, 0) == HELIOSDB_INTEGER);
    CHECK(heliosdb_column_int64(st, 0) == 1);
    CHECK(heliosdb_column_type(st, 1) == HELIOSDB_TEXT);
    CHECK(strcmp(heliosdb_column_text(st, 1), "ada") == 0);
    CHECK(heliosdb_column_bytes(st, 1) == 3);
    CHECK(heliosdb_column_type(st, 2) == HELIOSDB_FLOAT); /* DECIMAL reports FLOAT */
    CHECK(strcmp(heliosdb_column_text(st, 2), "10.50") == 0); /* exact digits */
    CHECK(heliosdb_column_double(st, 2) == 10.5);
    CHECK(heliosdb_column_int64(st, 2) == 10);
    CHECK(heliosdb_column_type(st, 3) == HELIOSDB_INTEGER); /* BOOLEAN reports INTEGER */
    CHECK(heliosdb_column_int64(st, 3) == 1);
    CHECK(heliosdb_column_type(st, 4) == HELIOSDB_NULL);
    CHECK(heliosdb_column_blob(st, 4) == NULL);
    CHECK(heliosdb_column_text(st, 6) == NULL);
    CHECK(heliosdb_column_int64(st, 6) == 0);
    CHECK(heliosdb_column_double(st, 6) == 0.0);
    CHECK(heliosdb_column_type(st, 7) == HELIOSDB_NULL); /* out of range */
    CHECK(heliosdb_column_text(st, 99) == NULL);
    CHECK(contains(heliosdb_errmsg(db), "reset first")); /* accessors leave the last error alone */
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW); /* bob */
    CHECK(strcmp(heliosdb_column_text(st, 0), "2") == 0); /* integers format as text */
    CHECK(heliosdb_column_double(st, 0) == 2.0);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW); /* cy */
    CHECK(heliosdb_column_type(st, 4) == HELIOSDB_BLOB);
    CHECK(heliosdb_column_bytes(st, 4) == 3);
    const unsigned char *b = (const unsigned char *)heliosdb_column_blob(st, 4);
    CHECK(b != NULL && b[0] == 0x00 && b[1] == 0xff && b[2] == 0x10);
    CHECK(heliosdb_column_type(st, 5) == HELIOSDB_FLOAT);
    CHECK(heliosdb_column_double(st, 5) == 7.0);
    CHECK(strcmp(heliosdb_column_text(st, 5), "7.0") == 0);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_int64(st, 1, 3), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK(strcmp(heliosdb_column_text(st, 1), "cy") == 0);
    /* Closing with a live statement is refused. */
    CHECK_RC(heliosdb_close(db), HELIOSDB_BUSY);
    CHECK(contains(heliosdb_errmsg(db), "not finalized"));
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
}

static void test_transactions_and_json(heliosdb *db) {
    CHECK_RC(heliosdb_exec(db, "BEGIN; UPDATE acct SET balance = balance + 1; ROLLBACK"), HELIOSDB_OK);
    char *json = heliosdb_query_json(db, "SELECT owner, balance, active FROM acct WHERE balance > ? ORDER BY id", "[15]");
    CHECK(json != NULL);
    if (json) {
        CHECK(strcmp(json, "{\"changes\":0,\"columns\":[\"owner\",\"balance\",\"active\"],"
                           "\"rows\":[[\"bob\",\"20.00\",false],[\"cy\",\"30.25\",null]]}") == 0);
        if (failed) fprintf(stderr, "json: %s\n", json);
    }
    heliosdb_free(json);
    json = heliosdb_query_json(db, "SELECT owner FROM acct WHERE id = :id", "{\"id\": 2}");
    CHECK(json != NULL && contains(json, "[[\"bob\"]]"));
    heliosdb_free(json);
    CHECK(heliosdb_query_json(db, "SELECT ?", "[1, 2]") == NULL);
    CHECK(contains(heliosdb_errmsg(db), "1 parameter(s) but 2"));
    CHECK(heliosdb_query_json(db, "SELECT ?", "not json") == NULL);
    CHECK(heliosdb_query_json(NULL, "SELECT 1", NULL) == NULL);
    CHECK(strlen(heliosdb_version()) > 0);
}

static void test_notice(heliosdb *db) {
    CHECK(heliosdb_notice(NULL) == NULL);
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE mv_base (id INTEGER PRIMARY KEY, region TEXT, amount REAL)"), HELIOSDB_OK);
    CHECK(heliosdb_notice(db) == NULL);
    CHECK_RC(heliosdb_exec(db, "CREATE MATERIALIZED VIEW mv_sum AS SELECT region, sum(amount) AS total FROM mv_base "
                               "GROUP BY region"), HELIOSDB_OK);
    CHECK(contains(heliosdb_notice(db), "maintained incrementally"));
    CHECK_RC(heliosdb_exec(db, "CREATE MATERIALIZED VIEW mv_rank AS SELECT id, lag(amount) OVER (ORDER BY amount) AS r "
                               "FROM mv_base"), HELIOSDB_OK);
    CHECK(contains(heliosdb_notice(db), "refreshed fully (not incrementally) because of a window function"));
    CHECK_RC(heliosdb_exec(db, "DROP MATERIALIZED VIEW mv_sum, mv_rank; DROP TABLE mv_base"), HELIOSDB_OK);
}

/* Bindings outlive a run, as in SQLite: each step runs with a copy of the
 * current bindings, so a partial rebind after reset keeps the others, a
 * failed run changes none, and clear_bindings resets them all. The bound
 * text is the caller's buffer only during the call: it is freed before the
 * first step (valgrind sees any later read). */
static void test_bindings_persist_across_runs(heliosdb *db) {
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE runs (k INTEGER PRIMARY KEY, tag TEXT, w REAL)"), HELIOSDB_OK);
    CHECK_RC(heliosdb_prepare(db, "INSERT INTO runs (k, tag, w) VALUES (?1, ?2, ?3)", &st), HELIOSDB_OK);
    char *tag = malloc(5);
    CHECK(tag != NULL);
    if (tag == NULL) return;
    memcpy(tag, "kept", 5);
    CHECK_RC(heliosdb_bind_text(st, 2, tag, -1), HELIOSDB_OK);
    memset(tag, 'x', 4);
    free(tag);
    CHECK_RC(heliosdb_bind_double(st, 3, 2.5), HELIOSDB_OK);
    for (int64_t k = 1; k <= 3; k++) {
        CHECK_RC(heliosdb_bind_int64(st, 1, k), HELIOSDB_OK);
        CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
        CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    }
    CHECK_RC(heliosdb_bind_int64(st, 1, 2), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_CONSTRAINT); /* k = 2 exists */
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_int64(st, 1, 4), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_clear_bindings(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_int64(st, 1, 5), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    char *json = heliosdb_query_json(db, "SELECT k, tag, w FROM runs ORDER BY k", NULL);
    CHECK(json != NULL &&
          contains(json, "\"rows\":[[1,\"kept\",2.5],[2,\"kept\",2.5],[3,\"kept\",2.5],[4,\"kept\",2.5],[5,null,null]]"));
    heliosdb_free(json);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    heliosdb *db = NULL;
    test_open_errors(argv[1]);
    CHECK_RC(heliosdb_open(argv[1], &db), HELIOSDB_OK);
    CHECK(strcmp(heliosdb_errmsg(db), "not an error") == 0);
    test_exec_and_errors(db);
    test_notice(db);
    test_prepare_bind_step(db);
    test_columns(db);
    test_transactions_and_json(db);
    test_bindings_persist_across_runs(db);
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    /* Reopen: the data persisted. */
    CHECK_RC(heliosdb_open(argv[1], &db), HELIOSDB_OK);
    char *json = heliosdb_query_json(db, "SELECT count(*) FROM acct", NULL);
    CHECK(json != NULL && contains(json, "[[3]]"));
    heliosdb_free(json);
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    return report();
}
