/* Date/time, untyped and unknown-type columns through the C ABI: values of
 * DATE/TIME/TIMESTAMP/DATETIME columns come out as ISO-8601 TEXT, and
 * heliosdb_column_decltype names the declared type so bindings can map them
 * (time.Time, java.sql.Timestamp, datetime, Date). Usage: test_column_types DIR */
#include "heliosdb.h"
#include "check.h"

static heliosdb *db;

static void decltypes_and_values(void) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE ev (d DATE, t TIME, ts TIMESTAMP, dt DATETIME, u UUID, x, n INT, "
                               "c VARCHAR(20))"),
             HELIOSDB_OK);
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "INSERT INTO ev VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_text(st, 1, "2026-01-05T10:11:12", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_text(st, 2, "10:11", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_double(st, 3, 1767571200.25), HELIOSDB_OK); /* unix seconds */
    CHECK_RC(heliosdb_bind_text(st, 4, "2026-01-05 12:00:00+02:00", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_text(st, 5, "42", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_text(st, 6, "42", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_int64(st, 7, 7), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_text(st, 8, "v", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);

    CHECK_RC(heliosdb_prepare(db, "SELECT d, t, ts, dt, u, x, n, c, date(ts) FROM ev", &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    const char *want_decl[] = {"DATE", "TIME", "TIMESTAMP", "DATETIME", "UUID", NULL, "INTEGER", "TEXT", NULL};
    for (int i = 0; i < 9; i++) {
        const char *d = heliosdb_column_decltype(st, i);
        if (want_decl[i] == NULL) {
            CHECK(d == NULL);
        } else {
            CHECK(d != NULL && strcmp(d, want_decl[i]) == 0);
        }
    }
    const char *want_text[] = {"2026-01-05", "10:11:00", "2026-01-05 00:00:00.250", "2026-01-05 10:00:00"};
    for (int i = 0; i < 4; i++) {
        CHECK(heliosdb_column_type(st, i) == HELIOSDB_TEXT);
        CHECK(strcmp((const char *)heliosdb_column_text(st, i), want_text[i]) == 0);
    }
    /* UUID has NUMERIC affinity ('42' became 42); the untyped column kept the text. */
    CHECK(heliosdb_column_type(st, 4) == HELIOSDB_INTEGER && heliosdb_column_int64(st, 4) == 42);
    CHECK(heliosdb_column_type(st, 5) == HELIOSDB_TEXT);
    CHECK(strcmp((const char *)heliosdb_column_text(st, 8), "2026-01-05") == 0);
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);

    /* A value that is no date is a type error, not a crash or a NULL. */
    CHECK_RC(heliosdb_exec(db, "INSERT INTO ev (d) VALUES ('not a date')"), HELIOSDB_MISMATCH);
    CHECK(contains(heliosdb_errmsg(db), "DATE column ev.d"));
}

/* The binding idiom: read every decltype once after prepare, keep the
 * pointers, then step, read values, reset and step again, and change the
 * schema under the statement: the saved pointers must still read their text
 * (lifetime "as heliosdb_column_name": until finalize). */
static void decltype_pointers_outlive_steps_resets_and_schema_changes(void) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE keep (when_at TIMESTAMP, tag UUID, raw)"), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "INSERT INTO keep VALUES ('2026-03-01 08:00:00', 'a-1', 1), (1767571200, 'b-2', x'00')"),
             HELIOSDB_OK);
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT when_at, tag, raw FROM keep ORDER BY when_at", &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    const char *saved[3];
    for (int i = 0; i < 3; i++) saved[i] = heliosdb_column_decltype(st, i);
    CHECK(saved[0] != NULL && strcmp(saved[0], "TIMESTAMP") == 0);
    CHECK(saved[1] != NULL && strcmp(saved[1], "UUID") == 0);
    CHECK(saved[2] == NULL);
    for (int round = 0; round < 3; round++) {
        int rc;
        while ((rc = heliosdb_step(st)) == HELIOSDB_ROW) {
            (void)heliosdb_column_bytes(st, 0);
            (void)heliosdb_column_text(st, 0);
            (void)heliosdb_column_blob(st, 2);
        }
        CHECK_RC(rc, HELIOSDB_DONE);
        CHECK(strcmp(saved[0], "TIMESTAMP") == 0 && strcmp(saved[1], "UUID") == 0);
        CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    }
    /* A schema change re-plans the statement; earlier pointers keep their text. */
    CHECK_RC(heliosdb_exec(db, "ALTER TABLE keep ADD COLUMN extra DATE"), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    const char *now0 = heliosdb_column_decltype(st, 0);
    CHECK(now0 != NULL && strcmp(now0, "TIMESTAMP") == 0);
    CHECK(strcmp(saved[0], "TIMESTAMP") == 0 && strcmp(saved[1], "UUID") == 0);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    CHECK_RC(heliosdb_open(argv[1], &db), HELIOSDB_OK);
    decltypes_and_values();
    decltype_pointers_outlive_steps_resets_and_schema_changes();
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    return report();
}
