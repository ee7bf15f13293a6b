/* One regression test for each ABI defect found by the independent checks
 * (stale handles, crashes on deep SQL, out-pointers and codes that differed
 * from the header, configuration values, panics reachable from SQL), plus
 * the small calls bindings need. Usage: test_defects DIR */
#include "heliosdb.h"
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

static heliosdb *db;

static char *chain(const char *term, const char *op, int n, const char *prefix) {
    size_t cap = strlen(prefix) + (size_t)n * (strlen(term) + strlen(op)) + 1;
    char *s = malloc(cap);
    char *p = s + sprintf(s, "%s", prefix);
    for (int i = 0; i < n; i++) p += sprintf(p, "%s%s", i ? op : "", term);
    return s;
}

static void stale_handles_stay_stale(void) {
    heliosdb_stmt *a = NULL, *b = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT 1", &a), HELIOSDB_OK);
    CHECK_RC(heliosdb_finalize(a), HELIOSDB_OK);
    /* Many new statements: none may be taken for the finalized one. */
    heliosdb_stmt *keep[200];
    for (int i = 0; i < 200; i++) CHECK_RC(heliosdb_prepare(db, "SELECT 2", &keep[i]), HELIOSDB_OK);
    CHECK_RC(heliosdb_finalize(a), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_step(a), HELIOSDB_MISUSE);
    for (int i = 0; i < 200; i++) CHECK_RC(heliosdb_finalize(keep[i]), HELIOSDB_OK);
    CHECK_RC(heliosdb_prepare(db, "SELECT 3", &b), HELIOSDB_OK);
    CHECK_RC(heliosdb_finalize(a), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_step(b), HELIOSDB_ROW); /* b was not destroyed by the stale finalize */
    CHECK(heliosdb_column_int64(b, 0) == 3);
    /* A connection passed as a statement, and the other way round. */
    CHECK_RC(heliosdb_step((heliosdb_stmt *)db), HELIOSDB_MISUSE);
    CHECK(heliosdb_column_text((heliosdb_stmt *)db, 0) == NULL);
    CHECK_RC(heliosdb_exec((heliosdb *)b, "SELECT 1"), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_close((heliosdb *)b), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_finalize(b), HELIOSDB_OK);
    /* A closed connection stays closed while new ones open. */
    heliosdb *x = NULL, *y = NULL;
    CHECK_RC(heliosdb_open(":memory:", &x), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(x), HELIOSDB_OK);
    CHECK_RC(heliosdb_open(":memory:", &y), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(x, "SELECT 1"), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_close(x), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_exec(y, "SELECT 1"), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(y), HELIOSDB_OK);
}

static void deep_sql_is_an_error_not_a_crash(void) {
    struct { const char *term, *op; int n; const char *prefix, *want; } cases[] = {
        {"1", "+", 20000, "SELECT ", "Expression tree is too large (maximum depth 1000)"},
        {"SELECT 1", " UNION ALL ", 8000, "", "too many terms in compound SELECT"},
        {"1=1", " AND ", 5000, "SELECT ", "Expression tree is too large"},
        {"'x'", " || ", 5000, "SELECT ", "Expression tree is too large"},
        {"NOT", " ", 3000, "SELECT ", ""}, /* any clear error */
        {"(", "", 3000, "SELECT ", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *sql = chain(cases[i].term, cases[i].op, cases[i].n, cases[i].prefix);
        heliosdb_stmt *st = (heliosdb_stmt *)0x1;
        CHECK_RC(heliosdb_prepare(db, sql, &st), HELIOSDB_ERROR);
        CHECK(st == NULL);
        CHECK(contains(heliosdb_errmsg(db), cases[i].want));
        CHECK(!contains(heliosdb_errmsg(db), "bug"));
        free(sql);
    }
    /* Just under the limits works, with the right answer. */
    char *sql = chain("1", "+", 999, "SELECT ");
    char *json = heliosdb_query_json(db, sql, NULL);
    CHECK(contains(json, "[[999]]"));
    heliosdb_free(json);
    free(sql);
    sql = chain("SELECT 1", " UNION ALL ", 499, "SELECT count(*) FROM (");
    strcat(sql = realloc(sql, strlen(sql) + 2), ")");
    json = heliosdb_query_json(db, sql, NULL);
    CHECK(contains(json, "[[499]]"));
    heliosdb_free(json);
    free(sql);
}

static void *deep_sql_thread(void *arg) {
    (void)arg;
    deep_sql_is_an_error_not_a_crash();
    return NULL;
}

/* The same statements on a thread with a small stack (musl's default is
 * 128 KiB, a JVM thread's 1 MiB): deep statements get a stack of their own. */
static void deep_sql_on_a_small_stack(void) {
    /* There the engine runs deep statements on a stack it maps itself, and
     * when that mapping lands within 2 MiB of the thread's stack, memcheck
     * takes the switch for one huge frame and reports every access on the
     * new stack (it depends on where mmap puts it: flaky). The suite runs
     * this program a second time without valgrind, which covers this case. */
    if (getenv("HELIOSDB_UNDER_VALGRIND")) {
        printf("(deep SQL on a small stack: skipped under valgrind)\n");
        return;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    CHECK(pthread_attr_setstacksize(&attr, 128 * 1024) == 0);
    pthread_t th;
    CHECK(pthread_create(&th, &attr, deep_sql_thread, NULL) == 0);
    pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
}

static void codes_and_out_pointers_match_the_header(const char *dir) {
    heliosdb_stmt *st = (heliosdb_stmt *)0x1;
    CHECK_RC(heliosdb_prepare(NULL, "SELECT 1", &st), HELIOSDB_MISUSE);
    CHECK(st == NULL);
    heliosdb *closed = NULL;
    CHECK_RC(heliosdb_open(":memory:", &closed), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(closed), HELIOSDB_OK);
    st = (heliosdb_stmt *)0x1;
    CHECK_RC(heliosdb_prepare(closed, "SELECT 1", &st), HELIOSDB_MISUSE);
    CHECK(st == NULL);
    CHECK_RC(heliosdb_prepare(db, "SELECT ?0", &st), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "?1"));
    CHECK_RC(heliosdb_prepare(db, "SELECT @who || '!'", &st), HELIOSDB_OK);
    CHECK(heliosdb_bind_parameter_index(st, "@who") == 1);
    CHECK_RC(heliosdb_bind_text(st, 1, "hi", -1), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK(strcmp(heliosdb_column_text(st, 0), "hi!") == 0);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);

    /* Configuration: every value range-checked with its key named. */
    heliosdb *out = (heliosdb *)0x1;
    CHECK_RC(heliosdb_open_with_config(":memory:", "{\"database\":{\"memory_limit_mb\":17592186044416}}", &out),
             HELIOSDB_ERROR);
    CHECK(out == NULL);
    CHECK(contains(heliosdb_errmsg(NULL), "database.memory_limit_mb"));
    CHECK(!contains(heliosdb_errmsg(NULL), "overflow"));
    CHECK_RC(heliosdb_open_with_config(":memory:", "[database]\nmemory_limit_mb = 18446744073709551615\n", &out),
             HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(NULL), "memory_limit_mb"));
    CHECK_RC(heliosdb_open_with_config(":memory:", "{\"snapshot\":{\"gc_interval_sec\":0}}", &out), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(NULL), "snapshot.gc_interval_sec"));
    /* A second handle on an open path cannot silently change its settings. */
    CHECK_RC(heliosdb_open_with_config(dir, "{\"snapshot\":{\"max_snapshots\":7}}", &out), HELIOSDB_MISUSE);
    CHECK(contains(heliosdb_errmsg(NULL), "different configuration"));
    CHECK_RC(heliosdb_open_with_config(dir, "{\"database\":{\"busy_timeout_ms\":10}}", &out), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(out), HELIOSDB_OK);
    CHECK_RC(heliosdb_open(dir, &out), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(out), HELIOSDB_OK);
}

static void sql_errors_not_internal_errors(void) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE lagt (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO lagt VALUES (1, 10), "
                               "(2, 20)"),
             HELIOSDB_OK);
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT lag(v, ?) OVER (ORDER BY id) FROM lagt", &st), HELIOSDB_OK);
    /* The most negative offset (once an internal overflow) reads as a lead
     * past the partition, as in SQLite 3.40: NULL on every row, no error. */
    CHECK_RC(heliosdb_bind_int64(st, 1, INT64_MIN), HELIOSDB_OK);
    for (int i = 0; i < 2; i++) {
        CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
        CHECK(heliosdb_column_type(st, 0) == HELIOSDB_NULL);
    }
    CHECK_RC(heliosdb_step(st), HELIOSDB_DONE);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_bind_int64(st, 1, INT64_MAX), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK(heliosdb_column_type(st, 0) == HELIOSDB_NULL);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);

    /* A 70,000-byte primary key or indexed value: an error, and nothing written. */
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE bigkey (k TEXT PRIMARY KEY, v TEXT); CREATE INDEX bigkey_v ON bigkey (v)"),
             HELIOSDB_OK);
    char *big = malloc(70001);
    memset(big, 'k', 70000);
    big[70000] = 0;
    CHECK_RC(heliosdb_prepare(db, "INSERT INTO bigkey VALUES (?, ?)", &st), HELIOSDB_OK);
    heliosdb_bind_text(st, 1, big, -1);
    heliosdb_bind_text(st, 2, "small", -1);
    CHECK_RC(heliosdb_step(st), HELIOSDB_MISMATCH);
    CHECK(contains(heliosdb_errmsg(db), "too large") && !contains(heliosdb_errmsg(db), "bug"));
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    heliosdb_bind_text(st, 1, "small", -1);
    heliosdb_bind_text(st, 2, big, -1);
    CHECK_RC(heliosdb_step(st), HELIOSDB_MISMATCH);
    CHECK(contains(heliosdb_errmsg(db), "index bigkey_v"));
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    char *json = heliosdb_query_json(db, "SELECT count(*) FROM bigkey", NULL);
    CHECK(contains(json, "[[0]]"));
    heliosdb_free(json);
    free(big);
}

static void calls_bindings_need(void) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE typed (id INTEGER PRIMARY KEY, amount DECIMAL(15,2), ok BOOLEAN, "
                               "name TEXT); INSERT INTO typed VALUES (1, 2.50, true, 'x')"),
             HELIOSDB_OK);
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT id, amount, ok, name, amount * 2 AS twice, t.rowid FROM typed t", &st),
             HELIOSDB_OK);
    CHECK(contains(heliosdb_column_decltype(st, 0), "INTEGER"));
    CHECK(contains(heliosdb_column_decltype(st, 1), "DECIMAL(15,2)"));
    CHECK(contains(heliosdb_column_decltype(st, 2), "BOOLEAN"));
    CHECK(contains(heliosdb_column_decltype(st, 3), "TEXT"));
    CHECK(heliosdb_column_decltype(st, 4) == NULL); /* an expression */
    CHECK(heliosdb_column_decltype(st, 99) == NULL);
    CHECK(heliosdb_stmt_readonly(st) == 1);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_prepare(db, "SELECT region, sum(amount) FROM (SELECT 'n' AS region, amount FROM typed) GROUP BY 1",
                              &st),
             HELIOSDB_OK);
    CHECK(heliosdb_column_decltype(st, 1) == NULL);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    /* A compound SELECT has a declared type only where every term agrees. */
    CHECK_RC(heliosdb_prepare(db, "SELECT id, name FROM typed UNION ALL SELECT 2.5, name FROM typed", &st),
             HELIOSDB_OK);
    CHECK(heliosdb_column_decltype(st, 0) == NULL);
    CHECK(contains(heliosdb_column_decltype(st, 1), "TEXT"));
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_prepare(db, "UPDATE typed SET ok = false", &st), HELIOSDB_OK);
    CHECK(heliosdb_stmt_readonly(st) == 0);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_prepare(db, "BEGIN", &st), HELIOSDB_OK);
    CHECK(heliosdb_stmt_readonly(st) == 1);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK(heliosdb_stmt_readonly(NULL) == 0);

    CHECK(heliosdb_get_autocommit(db) == 1);
    CHECK_RC(heliosdb_exec(db, "BEGIN"), HELIOSDB_OK);
    CHECK(heliosdb_get_autocommit(db) == 0);
    CHECK_RC(heliosdb_exec(db, "ROLLBACK"), HELIOSDB_OK);
    CHECK(heliosdb_get_autocommit(db) == 1);
    CHECK(heliosdb_get_autocommit(NULL) == 0);
    /* A SAVEPOINT outside BEGIN starts a transaction; releasing it commits. */
    CHECK_RC(heliosdb_prepare(db, "SAVEPOINT sp", &st), HELIOSDB_OK);
    CHECK(heliosdb_stmt_readonly(st) == 1);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "SAVEPOINT sp"), HELIOSDB_OK);
    CHECK(heliosdb_get_autocommit(db) == 0);
    CHECK_RC(heliosdb_exec(db, "ROLLBACK TO sp"), HELIOSDB_OK);
    CHECK(heliosdb_get_autocommit(db) == 0);
    CHECK_RC(heliosdb_exec(db, "RELEASE nosuch"), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "no such savepoint: nosuch"));
    CHECK_RC(heliosdb_exec(db, "RELEASE SP"), HELIOSDB_OK);
    CHECK(heliosdb_get_autocommit(db) == 1);

    CHECK_RC(heliosdb_exec(db, "INSERT INTO typed VALUES (1, 1, true, 'dup')"), HELIOSDB_CONSTRAINT);
    CHECK(heliosdb_errcode(db) == HELIOSDB_CONSTRAINT);
    CHECK_RC(heliosdb_busy_timeout(db, 250), HELIOSDB_OK);
    CHECK(heliosdb_errcode(db) == HELIOSDB_OK);
    CHECK_RC(heliosdb_busy_timeout(NULL, 1), HELIOSDB_MISUSE);
    CHECK(heliosdb_errcode(NULL) == HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_interrupt(NULL), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_interrupt(db), HELIOSDB_OK); /* nothing running: no effect on what follows */
    CHECK_RC(heliosdb_exec(db, "SELECT count(*) FROM typed"), HELIOSDB_OK);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    CHECK_RC(heliosdb_open(argv[1], &db), HELIOSDB_OK);
    stale_handles_stay_stale();
    deep_sql_is_an_error_not_a_crash();
    deep_sql_on_a_small_stack();
    codes_and_out_pointers_match_the_header(argv[1]);
    sql_errors_not_internal_errors();
    calls_bindings_need();
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    return report();
}
