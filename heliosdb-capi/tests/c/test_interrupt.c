/* Calls from a second thread: heliosdb_interrupt stopping reads and writes
 * (a stopped write changes nothing), heliosdb_stmt_interrupt stopping one
 * statement only, heliosdb_close racing a running call,
 * and heliosdb_busy_timeout between two handles on one path.
 * Usage: test_interrupt DIR */
#define _POSIX_C_SOURCE 200809L
#include "heliosdb.h"
#include "check.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static heliosdb *db;

/* Far more rows than any test waits for: only an interrupt ends it in time. */
#define ENDLESS "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
#define INSERT_ENDLESS(offset) \
    "INSERT INTO sink WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) " \
    "SELECT x + " offset " FROM c"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

struct job {
    heliosdb *db;
    const char *sql;
    int rc;
};

static void *run_exec(void *arg) {
    struct job *j = arg;
    j->rc = heliosdb_exec(j->db, j->sql);
    return NULL;
}

/* Interrupts `target` repeatedly until the job's thread ends (an interrupt
 * sent before the statement started has no effect, by contract). */
static int interrupt_until_done(heliosdb *target, struct job *j, pthread_t th) {
    sleep_ms(50);
    for (int i = 0; i < 400; i++) {
        CHECK(heliosdb_interrupt(target) == HELIOSDB_OK);
        sleep_ms(25);
        if (j->rc != -1) break;
    }
    pthread_join(th, NULL);
    return j->rc;
}

static void interrupt_read_and_write(void) {
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE sink (x INTEGER PRIMARY KEY)"), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "INSERT INTO sink VALUES (-1)"), HELIOSDB_OK);

    struct job read = {db, ENDLESS "SELECT count(*) FROM c", -1};
    pthread_t th;
    pthread_create(&th, NULL, run_exec, &read);
    CHECK(interrupt_until_done(db, &read, th) == HELIOSDB_INTERRUPT);

    struct job write = {db, INSERT_ENDLESS("0"), -1};
    pthread_create(&th, NULL, run_exec, &write);
    CHECK(interrupt_until_done(db, &write, th) == HELIOSDB_INTERRUPT);
    /* The stopped INSERT changed nothing; the connection works. */
    char *json = heliosdb_query_json(db, "SELECT count(*), min(x) FROM sink", NULL);
    CHECK(contains(json, "[[1,-1]]"));
    heliosdb_free(json);
    CHECK_RC(heliosdb_exec(db, "INSERT INTO sink VALUES (1)"), HELIOSDB_OK);

    /* An interrupt with nothing running does not fail the next statement. */
    CHECK_RC(heliosdb_interrupt(db), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "SELECT count(*) FROM sink"), HELIOSDB_OK);

    /* A statement holding unread rows gets HELIOSDB_INTERRUPT at its next step. */
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT x FROM sink ORDER BY x", &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK_RC(heliosdb_interrupt(db), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_INTERRUPT);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW); /* stepping again re-runs it */
    CHECK(heliosdb_column_int64(st, 0) == -1);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
}

struct step_job {
    heliosdb_stmt *st;
    volatile int rc;
};

static void *run_step(void *arg) {
    struct step_job *j = arg;
    j->rc = heliosdb_step(j->st);
    return NULL;
}

/* heliosdb_stmt_interrupt stops one statement and leaves the others alone;
 * an interrupt that lands before the statement starts is not lost. */
static void interrupt_one_statement(void) {
    heliosdb_stmt *other = NULL, *endless = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT x FROM sink ORDER BY x", &other), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(other), HELIOSDB_ROW); /* holds unread rows */
    CHECK_RC(heliosdb_prepare(db, INSERT_ENDLESS("5000"), &endless), HELIOSDB_OK);
    struct step_job j = {endless, -1};
    pthread_t th;
    pthread_create(&th, NULL, run_step, &j);
    sleep_ms(50);
    for (int i = 0; i < 400 && j.rc == -1; i++) {
        CHECK(heliosdb_stmt_interrupt(endless) == HELIOSDB_OK);
        sleep_ms(25);
    }
    pthread_join(th, NULL);
    CHECK(j.rc == HELIOSDB_INTERRUPT);
    CHECK_RC(heliosdb_step(other), HELIOSDB_ROW); /* the other statement goes on */
    char *json = heliosdb_query_json(db, "SELECT count(*) FROM sink WHERE x > 5000", NULL);
    CHECK(contains(json, "[[0]]")); /* the stopped INSERT changed nothing */
    heliosdb_free(json);
    CHECK_RC(heliosdb_finalize(endless), HELIOSDB_OK);

    /* Before the statement starts: its next step is interrupted, the one after runs. */
    heliosdb_stmt *st = NULL;
    CHECK_RC(heliosdb_prepare(db, "SELECT count(*) FROM sink", &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_stmt_interrupt(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_INTERRUPT);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    /* Between rows it stops the iteration; reset drops a pending one. */
    CHECK_RC(heliosdb_stmt_interrupt(other), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(other), HELIOSDB_INTERRUPT);
    CHECK_RC(heliosdb_stmt_interrupt(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_reset(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_ROW);
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_finalize(other), HELIOSDB_OK);
    CHECK(heliosdb_stmt_interrupt(other) == HELIOSDB_MISUSE); /* finalized */
    CHECK(heliosdb_stmt_interrupt(NULL) == HELIOSDB_MISUSE);
    CHECK(heliosdb_stmt_interrupt((heliosdb_stmt *)db) == HELIOSDB_MISUSE);
}

/* heliosdb_close while another thread's call on the same handle runs: the
 * handle is invalid at once and the running call stops with
 * HELIOSDB_INTERRUPT (or, if it had not started yet, HELIOSDB_MISUSE). */
static void close_racing_a_call(const char *dir) {
    for (int round = 0; round < 6; round++) {
        heliosdb *h = NULL;
        CHECK(heliosdb_open(dir, &h) == HELIOSDB_OK);
        struct job j = {h, INSERT_ENDLESS("1000"), -1};
        pthread_t th;
        pthread_create(&th, NULL, run_exec, &j);
        sleep_ms(round * 15L);
        CHECK(heliosdb_close(h) == HELIOSDB_OK);
        CHECK(heliosdb_exec(h, "SELECT 1") == HELIOSDB_MISUSE);
        pthread_join(th, NULL);
        CHECK(j.rc == HELIOSDB_INTERRUPT || j.rc == HELIOSDB_MISUSE);
    }
    /* None of the interrupted inserts left a row. */
    char *json = heliosdb_query_json(db, "SELECT count(*) FROM sink WHERE x > 1000", NULL);
    CHECK(contains(json, "[[0]]"));
    heliosdb_free(json);
}

static void busy_timeout_between_handles(const char *dir) {
    heliosdb *a = NULL, *b = NULL;
    CHECK(heliosdb_open(dir, &a) == HELIOSDB_OK);
    CHECK(heliosdb_open(dir, &b) == HELIOSDB_OK);
    CHECK(heliosdb_exec(a, "BEGIN; INSERT INTO sink VALUES (100)") == HELIOSDB_OK);
    CHECK(heliosdb_busy_timeout(b, 200) == HELIOSDB_OK);
    double t0 = now_ms();
    CHECK(heliosdb_exec(b, "INSERT INTO sink VALUES (101)") == HELIOSDB_BUSY);
    double waited = now_ms() - t0;
    CHECK(waited >= 150 && waited < 5000);
    CHECK(heliosdb_busy_timeout(b, 0) == HELIOSDB_OK);
    t0 = now_ms();
    CHECK(heliosdb_exec(b, "INSERT INTO sink VALUES (101)") == HELIOSDB_BUSY);
    CHECK(now_ms() - t0 < 150);
    CHECK(heliosdb_exec(a, "COMMIT") == HELIOSDB_OK);
    CHECK(heliosdb_exec(b, "INSERT INTO sink VALUES (101)") == HELIOSDB_OK);
    CHECK(heliosdb_close(a) == HELIOSDB_OK);
    CHECK(heliosdb_close(b) == HELIOSDB_OK);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    alarm(300); /* a hang is a failure */
    CHECK_RC(heliosdb_open(argv[1], &db), HELIOSDB_OK);
    interrupt_read_and_write();
    interrupt_one_statement();
    close_racing_a_call(argv[1]);
    busy_timeout_between_handles(argv[1]);
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    return report();
}
