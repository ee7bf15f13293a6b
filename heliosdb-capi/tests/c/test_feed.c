/* A change feed consumed through the C ABI the way an embedder's shipper
 * would: heliosdb_feed_read in a loop, apply each row elsewhere (here a
 * mirror table in a second database), heliosdb_feed_ack with the last SCN,
 * and stop when a read returns no rows. Then: acknowledged changes are not
 * read again (also after reopening), read-ahead with after_scn, a
 * transaction is never split by max_rows, text pointers stay valid until
 * the next step as for any statement, and every misuse gets its code.
 * Usage: test_feed DIR (DIR is empty; the test works inside it) */
#include "heliosdb.h"
#include "check.h"
#include <stdlib.h>

static heliosdb *db;

/* Reads the feed in batches of max_rows until empty, acknowledging after
 * each batch; counts rows by op and returns the number of batches. A batch
 * must hold whole transactions: the SCN never changes back, and the first
 * row of a batch has an SCN above the previous batch's last. */
static int drain(const char *feed, int max_rows, int *ins, int *upd, int *del) {
    int batches = 0;
    long long last = -1;
    for (;;) {
        heliosdb_stmt *st = NULL;
        CHECK_RC(heliosdb_feed_read(db, feed, max_rows, -1, &st), HELIOSDB_OK);
        CHECK(heliosdb_column_count(st) == 8);
        int rows = 0, rc;
        long long batch_last = -1;
        while ((rc = heliosdb_step(st)) == HELIOSDB_ROW) {
            long long scn = heliosdb_column_int64(st, 0);
            CHECK(scn > last);
            CHECK(scn >= batch_last);
            batch_last = scn;
            /* The op's text pointer, then column_bytes on it (SQLite's idiom), then use. */
            const char *op = heliosdb_column_text(st, 4);
            CHECK(heliosdb_column_bytes(st, 4) == 6);
            const char *key = heliosdb_column_text(st, 5);
            CHECK(contains(key, "\"id\""));
            if (strcmp(op, "INSERT") == 0) {
                (*ins)++;
                CHECK(heliosdb_column_type(st, 6) == HELIOSDB_NULL);
            } else if (strcmp(op, "UPDATE") == 0) {
                (*upd)++;
                CHECK(contains(heliosdb_column_text(st, 6), "\"v\""));
            } else if (strcmp(op, "DELETE") == 0) {
                (*del)++;
                CHECK(heliosdb_column_type(st, 7) == HELIOSDB_NULL);
            } else {
                CHECK(!"unknown op");
            }
            CHECK(strcmp(heliosdb_column_text(st, 3), "t") == 0);
            CHECK(contains(heliosdb_column_name(st, 7), "after"));
            rows++;
        }
        CHECK_RC(rc, HELIOSDB_DONE);
        CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
        if (rows == 0) {
            return batches;
        }
        batches++;
        CHECK_RC(heliosdb_feed_ack(db, feed, batch_last), HELIOSDB_OK);
        last = batch_last;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/src", argv[1]);
    CHECK_RC(heliosdb_open(path, &db), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                               "CREATE CHANGEFEED f FOR TABLE t;"
                               /* one transaction of 50 inserts */
                               "INSERT INTO t SELECT value, 'v' || value FROM generate_series(1, 50);"
                               "UPDATE t SET v = 'changed' WHERE id <= 5;"
                               "DELETE FROM t WHERE id > 45;"),
             HELIOSDB_OK);

    /* A budget of 7 rows still returns the 50-insert transaction whole. */
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_feed_read(db, "f", 7, -1, &st), HELIOSDB_OK);
    int first = 0;
    while (heliosdb_step(st) == HELIOSDB_ROW) {
        first++;
    }
    CHECK(first == 50);
    /* reset and step again reads the same rows: reading does not consume. */
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    int again = 0;
    while (heliosdb_step(st) == HELIOSDB_ROW) {
        again++;
    }
    CHECK(again == 50);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);

    int ins = 0, upd = 0, del = 0;
    int batches = drain("f", 7, &ins, &upd, &del);
    CHECK(ins == 50 && upd == 5 && del == 5);
    /* The 50 inserts, then the update (5 rows, under the budget of 7) and the
     * delete together: a read takes whole transactions while under budget. */
    CHECK(batches == 2);
    CHECK(one_int(db, "SELECT pending_changes FROM heliosdb_changefeeds WHERE name = 'f'") == 0);

    /* Nothing is read twice, also after a reopen. */
    CHECK_RC(heliosdb_exec(db, "INSERT INTO t VALUES (100, 'late')"), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    db = NULL;
    CHECK_RC(heliosdb_open(path, &db), HELIOSDB_OK);
    ins = upd = del = 0;
    CHECK(drain("f", 1000, &ins, &upd, &del) == 1);
    CHECK(ins == 1 && upd == 0 && del == 0);

    /* Read-ahead: after_scn skips what the consumer already holds, without acknowledging. */
    CHECK_RC(heliosdb_exec(db, "INSERT INTO t VALUES (101, 'a'); INSERT INTO t VALUES (102, 'b')"), HELIOSDB_OK);
    long long acked = one_int(db, "SELECT acked_scn FROM heliosdb_changefeeds WHERE name = 'f'");
    CHECK(acked > 0);
    long long first_scn = -1;
    CHECK_RC(heliosdb_feed_read(db, "f", 1, -1, &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    first_scn = heliosdb_column_int64(st, 0);
    CHECK(strcmp(heliosdb_column_text(st, 5), "{\"id\":101}") == 0);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_feed_read(db, "f", 10, first_scn, &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK(strcmp(heliosdb_column_text(st, 5), "{\"id\":102}") == 0);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK(one_int(db, "SELECT acked_scn FROM heliosdb_changefeeds WHERE name = 'f'") == acked);

    /* Errors: each with its code, and nothing moved. */
    CHECK_RC(heliosdb_feed_read(db, "nope", 10, -1, &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "nope"));
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_feed_read(db, "f", 10, 0, &st), HELIOSDB_OK); /* below the acknowledged SCN */
    CHECK_RC(heliosdb_step(st), HELIOSDB_ERROR);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    st = (heliosdb_stmt *)1;
    CHECK_RC(heliosdb_feed_read(db, "f", 0, -1, &st), HELIOSDB_RANGE);
    CHECK(st == NULL);
    CHECK_RC(heliosdb_feed_read(db, NULL, 10, -1, &st), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_feed_read(db, "f", 10, -1, NULL), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_feed_read(NULL, "f", 10, -1, &st), HELIOSDB_MISUSE);
    CHECK(st == NULL);
    CHECK_RC(heliosdb_feed_read(db, "f\xff", 10, -1, &st), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_feed_ack(db, "nope", 1), HELIOSDB_ERROR);
    CHECK_RC(heliosdb_feed_ack(db, "f", 1000000000), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "1000000000"));
    CHECK_RC(heliosdb_feed_ack(db, "f", -1), HELIOSDB_ERROR);
    CHECK_RC(heliosdb_feed_ack(db, NULL, 1), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_feed_ack(NULL, "f", 1), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_exec(db, "BEGIN; INSERT INTO t VALUES (200, 'x')"), HELIOSDB_OK);
    CHECK_RC(heliosdb_feed_ack(db, "f", first_scn), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "COMMIT"));
    CHECK_RC(heliosdb_exec(db, "ROLLBACK"), HELIOSDB_OK);
    /* An acknowledgement at or below the current one changes nothing. */
    CHECK_RC(heliosdb_feed_ack(db, "f", acked - 1), HELIOSDB_OK);
    CHECK(one_int(db, "SELECT acked_scn FROM heliosdb_changefeeds WHERE name = 'f'") == acked);

    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    /* A closed handle is refused. */
    CHECK_RC(heliosdb_feed_ack(db, "f", 1), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_feed_read(db, "f", 1, -1, &st), HELIOSDB_MISUSE);
    return report();
}
