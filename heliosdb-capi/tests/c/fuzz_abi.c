/* A call-sequence fuzzer for the C ABI.
 *
 * Drives seeded random sequences of every function in heliosdb.h the way a
 * careful C user or a binding writer calls them, and checks what the header
 * promises:
 *   - every return code is one the function documents;
 *   - a failed prepare/open leaves NULL in its out-pointer;
 *   - every pointer the library returned still holds the same bytes for as
 *     long as its documented lifetime lasts (column_text/blob until the next
 *     step/reset/finalize, column_name/decltype/bind_parameter_name until
 *     finalize, errmsg until this thread's next failing call on the handle);
 *   - nothing crashes. Run under valgrind (or ASan), a pointer freed early is
 *     an invalid read and fails the run.
 * Misuse is part of the diet: NULL and stale handles, a connection passed as
 * a statement, out-of-range indexes, invalid UTF-8, embedded NULs, negative
 * lengths, calls in the wrong order, and heliosdb_interrupt from a second
 * thread on whatever handles exist.
 *
 * Usage: fuzz_abi DIR [SEED [SEQUENCES]]   (defaults: 1, 300)
 * Prints "N passed, M failed" (one check per call) and exits 1 on failure. */
#define _POSIX_C_SOURCE 200809L
#include "heliosdb.h"
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define MAX_DB 3
#define MAX_ST 6
#define MAX_PINS 64

static uint64_t rng_state;
static uint64_t next_u64(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
static int pick(int n) { return (int)(next_u64() % (uint64_t)n); }
static int chance(int percent) { return pick(100) < percent; }

/* A pointer the library returned, with a copy of what it pointed at. */
struct pin {
    const char *ptr;
    char *copy;
    int len;
    const char *what;
};

struct stmt_slot {
    heliosdb_stmt *st;   /* may be stale on purpose */
    int live;
    int db;              /* index of its connection */
    struct pin row[MAX_PINS]; /* valid until step/reset/finalize */
    int nrow;
    struct pin fixed[MAX_PINS]; /* names, decltypes, parameter names: until finalize */
    int nfixed;
    int done; /* its last step returned DONE or an error */
};

struct db_slot {
    heliosdb *db; /* may be stale on purpose */
    int live;
    struct pin err; /* errmsg, until this thread's next failing call on it */
};

static struct db_slot dbs[MAX_DB];
static struct stmt_slot sts[MAX_ST];
static const char *dir;
static long calls, rows_seen, pins_made;

/* Handles the interrupter thread pokes (tokens: stale ones are fine). */
static heliosdb *volatile poke[MAX_DB];
static volatile int stop_poking;

static void pin_set(struct pin *p, const char *ptr, int len, const char *what) {
    free(p->copy);
    p->ptr = ptr;
    p->len = len;
    p->what = what;
    p->copy = NULL;
    if (ptr) {
        p->copy = malloc((size_t)len + 1);
        memcpy(p->copy, ptr, (size_t)len + 1);
    }
}

static void pin_drop(struct pin *p) {
    free(p->copy);
    p->copy = NULL;
    p->ptr = NULL;
}

static void pin_check(struct pin *p) {
    if (!p->ptr) return;
    if (memcmp(p->ptr, p->copy, (size_t)p->len + 1) != 0) {
        failed++;
        fprintf(stderr, "FAIL: %s pointer changed inside its lifetime\n", p->what);
        pin_drop(p);
    }
}

static void check_all_pins(void) {
    for (int i = 0; i < MAX_DB; i++) pin_check(&dbs[i].err);
    for (int i = 0; i < MAX_ST; i++) {
        for (int k = 0; k < sts[i].nrow; k++) pin_check(&sts[i].row[k]);
        for (int k = 0; k < sts[i].nfixed; k++) pin_check(&sts[i].fixed[k]);
    }
}

static void drop_row_pins(struct stmt_slot *s) {
    for (int k = 0; k < s->nrow; k++) pin_drop(&s->row[k]);
    s->nrow = 0;
}

static void drop_all_pins(struct stmt_slot *s) {
    drop_row_pins(s);
    for (int k = 0; k < s->nfixed; k++) pin_drop(&s->fixed[k]);
    s->nfixed = 0;
}

static void add_pin(struct pin *arr, int *n, const char *ptr, int len, const char *what) {
    if (!ptr) return;
    if (*n == MAX_PINS) pin_drop(&arr[--*n]);
    memset(&arr[*n], 0, sizeof arr[*n]);
    pin_set(&arr[(*n)++], ptr, len, what);
    pins_made++;
}

/* Records the outcome of a status-returning call on connection `d` (-1: none). */
static void expect(int rc, const int *allowed, int n, const char *fn, int d) {
    calls++;
    int ok = 0;
    for (int i = 0; i < n; i++) ok |= rc == allowed[i];
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL: %s returned undocumented code %d\n", fn, rc);
    }
    int failure = rc != HELIOSDB_OK && rc != HELIOSDB_ROW && rc != HELIOSDB_DONE;
    if (failure && d >= 0) pin_drop(&dbs[d].err); /* its errmsg may now be freed */
}

#define EXPECT(rc, fn, d, ...)                                                   \
    do {                                                                         \
        static const int allowed_[] = {__VA_ARGS__};                             \
        expect((rc), allowed_, (int)(sizeof allowed_ / sizeof allowed_[0]), fn, d); \
    } while (0)

#define ANY_ERROR HELIOSDB_ERROR, HELIOSDB_BUSY, HELIOSDB_NOMEM, HELIOSDB_READONLY, HELIOSDB_INTERRUPT, \
    HELIOSDB_IOERR, HELIOSDB_CORRUPT, HELIOSDB_CONSTRAINT, HELIOSDB_MISMATCH, HELIOSDB_MISUSE, HELIOSDB_RANGE, \
    HELIOSDB_SNAPSHOT_TOO_OLD

static const char *SQL[] = {
    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(10,2), ok BOOLEAN, b BLOB, r REAL)",
    "CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL UNIQUE)",
    "INSERT INTO t (name, amount, ok, b, r) VALUES ('alpha', 1.25, true, x'00ff', 0.5)",
    "INSERT INTO t (name, amount, ok, b, r) VALUES (?, ?, ?, ?, ?)",
    "INSERT INTO kv VALUES (:k, :v)",
    "INSERT OR REPLACE INTO kv VALUES (@k, $v)",
    "UPDATE t SET amount = amount + ?1 WHERE id % 3 = ?2",
    "DELETE FROM t WHERE id > ?",
    "SELECT * FROM t ORDER BY id",
    "SELECT id, name, amount, ok, b, r, name || ?1 FROM t WHERE id >= ?2",
    "SELECT name, count(*), sum(amount), avg(r) FROM t GROUP BY name",
    "SELECT k, v, length(v) FROM kv ORDER BY k DESC",
    "SELECT ?, ?, ?",
    "SELECT lag(id, ?) OVER (ORDER BY id) FROM t",
    "SELECT * FROM t AS OF SCN 1",
    "SELECT heliosdb_current_scn(), heliosdb_last_txid()",
    "SELECT * FROM pg_mv_staleness()",
    "CREATE MATERIALIZED VIEW IF NOT EXISTS tv AS SELECT name, count(*) AS n FROM t GROUP BY name",
    "REFRESH MATERIALIZED VIEW tv",
    "CREATE CHANGEFEED IF NOT EXISTS cf FOR TABLE t",
    "DROP CHANGEFEED IF EXISTS cf",
    "SELECT * FROM heliosdb_changefeeds",
    "ALTER TABLE kv ADD COLUMN extra INTEGER",
    "DROP TABLE IF EXISTS kv",
    "BEGIN", "COMMIT", "ROLLBACK",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) SELECT count(*) FROM c",
    "SELECT 1; SELECT 2",
    "",
    "SELEC nonsense FROM",
    "SELECT * FROM no_such_table",
    "INSERT INTO t (id, name) VALUES (1, 'dup')",
    "SELECT ?0",
    "SELECT '\xc3\x28'",
    "SELECT 'caf\xc3\xa9', x'', ''",
};
#define NSQL ((int)(sizeof SQL / sizeof SQL[0]))

static char *deep_sql(void) {
    int n = chance(50) ? 900 : 1500 + pick(3000);
    char *s = malloc((size_t)n * 2 + 16);
    char *p = s + sprintf(s, "SELECT 1");
    for (int i = 1; i < n; i++) p += sprintf(p, "+1");
    return s;
}

/* Statements that usually return rows once the tables exist. */
static const char *READS[] = {
    "SELECT * FROM t ORDER BY id",
    "SELECT id, name, amount, ok, b, r, name || ?1 FROM t WHERE id >= ?2",
    "SELECT name, count(*), sum(amount), avg(r) FROM t GROUP BY name",
    "SELECT k, v, length(v) FROM kv ORDER BY k DESC",
    "SELECT ?, ?, ?",
    "SELECT 'caf\xc3\xa9', x'', '', 1.5, NULL, x'0001'",
    "INSERT INTO t (name, amount, ok, b, r) VALUES (?, ?, ?, ?, ?) RETURNING *",
    /* About 1.5 MB of rows: past a 4 MB memory_limit_mb's working memory the
     * sort spills runs and the result is stepped from a temporary file. */
    "SELECT value, printf('%0400d', value) FROM generate_series(1, 3000) ORDER BY value DESC",
};
#define NREADS ((int)(sizeof READS / sizeof READS[0]))

static const char *random_sql(char **owned) {
    *owned = NULL;
    if (chance(2)) return *owned = deep_sql();
    if (chance(40)) return READS[pick(NREADS)];
    return SQL[pick(NSQL)];
}

/* A connection handle: mostly a live one, sometimes NULL, stale or a
 * statement token passed as a connection. `*index` is its slot, or -1. */
static heliosdb *some_db(int *index) {
    int i = pick(MAX_DB);
    if (chance(85)) {
        for (int k = 0; k < MAX_DB; k++) {
            int j = (i + k) % MAX_DB;
            if (dbs[j].live) { i = j; break; }
        }
    }
    *index = i;
    if (chance(3)) { *index = -1; return NULL; }
    if (chance(2)) { *index = -1; return (heliosdb *)sts[pick(MAX_ST)].st; } /* wrong kind */
    return dbs[i].db;
}

/* A statement handle, chosen as some_db chooses; returns its slot or NULL. */
static struct stmt_slot *some_stmt(heliosdb_stmt **st) {
    int i = pick(MAX_ST);
    if (chance(85)) {
        for (int k = 0; k < MAX_ST; k++) {
            int j = (i + k) % MAX_ST;
            if (sts[j].live) { i = j; break; }
        }
    }
    struct stmt_slot *s = &sts[i];
    *st = s->st;
    if (chance(3)) *st = NULL;
    if (chance(2)) *st = (heliosdb_stmt *)dbs[pick(MAX_DB)].db; /* wrong kind */
    return *st == s->st ? s : NULL;
}

static int stmt_db(struct stmt_slot *s) { return s && s->live ? s->db : -1; }

static void op_open(void) {
    int i = pick(MAX_DB);
    if (dbs[i].live) return;
    static const char *configs[] = {
        NULL, "{}", "{\"database\":{\"busy_timeout_ms\":5}}", "{\"database\":{\"memory_limit_mb\":17592186044416}}",
        "[database]\nmemory_limit_mb = 18446744073709551615\n", "{\"snapshot\":{\"max_snapshots\":3}}", "not toml [",
        /* 1 MiB of working memory: the big read below spills its sort and result. */
        "[database]\nmemory_limit_mb = 4\n",
    };
    heliosdb *out = (heliosdb *)0x1;
    const char *path = chance(75) ? dir : (chance(50) ? ":memory:" : "\xff\xfe");
    int rc = heliosdb_open_with_config(path, configs[pick(8)], &out);
    EXPECT(rc, "heliosdb_open_with_config", -1, HELIOSDB_OK, HELIOSDB_ERROR, HELIOSDB_BUSY, HELIOSDB_MISUSE,
           HELIOSDB_IOERR, HELIOSDB_CORRUPT);
    if (rc == HELIOSDB_OK) {
        dbs[i].db = out;
        dbs[i].live = 1;
        poke[i] = out;
        heliosdb_busy_timeout(out, 5);
    } else {
        CHECK(out == NULL);
    }
}

static void op_close(void) {
    int i;
    heliosdb *d = some_db(&i);
    int rc = heliosdb_close(d);
    EXPECT(rc, "heliosdb_close", i, HELIOSDB_OK, HELIOSDB_BUSY, HELIOSDB_MISUSE);
    if (rc == HELIOSDB_OK && i >= 0 && dbs[i].live && d == dbs[i].db) {
        dbs[i].live = 0; /* keep the stale token on purpose */
        pin_drop(&dbs[i].err);
    }
}

static void op_exec(void) {
    int i;
    heliosdb *d = some_db(&i);
    char *owned;
    const char *sql = random_sql(&owned);
    int rc = heliosdb_exec(d, chance(2) ? NULL : sql);
    EXPECT(rc, "heliosdb_exec", i, HELIOSDB_OK, ANY_ERROR);
    free(owned);
}

static void op_prepare(void) {
    int k = pick(MAX_ST);
    if (sts[k].live) return;
    int i;
    heliosdb *d = some_db(&i);
    char *owned;
    const char *sql = random_sql(&owned);
    heliosdb_stmt *st = (heliosdb_stmt *)0x1;
    int rc;
    if (chance(10)) {
        /* A change feed read is a statement like any other. */
        const char *feed = chance(80) ? "cf" : (chance(50) ? NULL : "f\xc3\x28");
        heliosdb_stmt **out = chance(95) ? &st : NULL;
        rc = heliosdb_feed_read(d, feed, pick(6) - 1, chance(70) ? -1 : (int64_t)pick(100), out);
        EXPECT(rc, "heliosdb_feed_read", i, HELIOSDB_OK, HELIOSDB_RANGE, HELIOSDB_MISUSE);
        if (!out) st = NULL;
    } else {
        rc = heliosdb_prepare(d, sql, &st);
        EXPECT(rc, "heliosdb_prepare", i, HELIOSDB_OK, HELIOSDB_ERROR, HELIOSDB_MISUSE);
    }
    free(owned);
    if (rc != HELIOSDB_OK) {
        CHECK(st == NULL);
        return;
    }
    drop_all_pins(&sts[k]);
    sts[k].st = st;
    sts[k].live = 1;
    sts[k].db = i;
    sts[k].done = 0;
    int n = heliosdb_column_count(st);
    for (int c = 0; c < n; c++) {
        const char *name = heliosdb_column_name(st, c);
        CHECK(name != NULL);
        if (name) add_pin(sts[k].fixed, &sts[k].nfixed, name, (int)strlen(name), "column_name");
        const char *decl = heliosdb_column_decltype(st, c);
        if (decl) add_pin(sts[k].fixed, &sts[k].nfixed, decl, (int)strlen(decl), "column_decltype");
    }
    for (int p = 1; p <= heliosdb_bind_parameter_count(st); p++) {
        const char *pn = heliosdb_bind_parameter_name(st, p);
        if (pn) add_pin(sts[k].fixed, &sts[k].nfixed, pn, (int)strlen(pn), "bind_parameter_name");
    }
}

static void op_bind(void) {
    heliosdb_stmt *st;
    struct stmt_slot *s = some_stmt(&st);
    int n = heliosdb_bind_parameter_count(st);
    int idx = pick(n + 3) - 1;
    if (chance(20) && n > 0) {
        const char *pn = heliosdb_bind_parameter_name(st, 1 + pick(n));
        if (pn) idx = heliosdb_bind_parameter_index(st, pn);
    }
    static const char bad_utf8[] = "ab\xc3\x28";
    static const char with_nul[] = "nul\0inside";
    unsigned char blob[5] = {0, 1, 2, 0xfe, 0xff};
    int rc;
    switch (pick(9)) {
    case 0: rc = heliosdb_bind_null(st, idx); break;
    case 1: rc = heliosdb_bind_int64(st, idx, chance(10) ? INT64_MIN : (int64_t)pick(50) - 5); break;
    case 2: rc = heliosdb_bind_double(st, idx, pick(1000) / 7.0); break;
    case 3: rc = heliosdb_bind_text(st, idx, "text value", -1); break;
    case 4: rc = heliosdb_bind_text(st, idx, bad_utf8, -1); break;
    case 5: rc = heliosdb_bind_text(st, idx, with_nul, (int)sizeof with_nul - 1); break;
    case 6: rc = heliosdb_bind_text(st, idx, NULL, pick(3) - 1); break;
    case 7: rc = heliosdb_bind_blob(st, idx, blob, (int)sizeof blob); break;
    default: rc = heliosdb_bind_blob(st, idx, chance(50) ? NULL : blob, pick(4) - 2); break;
    }
    EXPECT(rc, "heliosdb_bind_*", stmt_db(s), HELIOSDB_OK, HELIOSDB_RANGE, HELIOSDB_MISUSE);
}

static void op_step(void) {
    heliosdb_stmt *st;
    struct stmt_slot *s = some_stmt(&st);
    if (s) drop_row_pins(s);
    if (s && s->live && s->done && chance(70)) { /* mostly the right order: reset after DONE */
        EXPECT(heliosdb_reset(st), "heliosdb_reset", s->db, HELIOSDB_OK);
    }
    int rc = heliosdb_step(st);
    if (s) s->done = rc != HELIOSDB_ROW;
    EXPECT(rc, "heliosdb_step", stmt_db(s), HELIOSDB_ROW, HELIOSDB_DONE, ANY_ERROR);
    /* New column names after a re-plan are pinned too. */
    if (rc == HELIOSDB_ROW) rows_seen++;
    if (s && s->live && rc == HELIOSDB_ROW) {
        int n = heliosdb_column_count(st);
        for (int c = 0; c < n; c++) {
            const char *name = heliosdb_column_name(st, c);
            if (name) add_pin(s->fixed, &s->nfixed, name, (int)strlen(name), "column_name");
        }
    }
}

static void op_column(void) {
    heliosdb_stmt *st;
    struct stmt_slot *s = some_stmt(&st);
    int n = heliosdb_column_count(st);
    int c = pick(n + 2) - 1;
    calls++;
    switch (pick(8)) {
    case 0: {
        int t = heliosdb_column_type(st, c);
        CHECK(t >= HELIOSDB_INTEGER && t <= HELIOSDB_NULL);
        break;
    }
    case 1: (void)heliosdb_column_int64(st, c); passed++; break;
    case 2: (void)heliosdb_column_double(st, c); passed++; break;
    case 3:
    case 4: { /* SQLite's idiom: text, then its length */
        const char *p = heliosdb_column_text(st, c);
        int len = heliosdb_column_bytes(st, c);
        CHECK(len >= 0 && (p != NULL || len == 0));
        if (p && s) add_pin(s->row, &s->nrow, p, len, "column_text");
        break;
    }
    case 5: { /* blob, then bytes */
        const void *p = heliosdb_column_blob(st, c);
        int len = heliosdb_column_bytes(st, c);
        CHECK(len >= 0 && (p != NULL || len == 0));
        if (p && s) add_pin(s->row, &s->nrow, p, len, "column_blob");
        break;
    }
    case 6: { /* bytes first, then text */
        int len = heliosdb_column_bytes(st, c);
        const char *p = heliosdb_column_text(st, c);
        CHECK(p == NULL || (int)strlen(p) <= len);
        if (p && s) add_pin(s->row, &s->nrow, p, len, "column_text");
        break;
    }
    default: {
        const char *name = heliosdb_column_name(st, c);
        CHECK(name == NULL || c < n);
        (void)heliosdb_column_decltype(st, c);
        break;
    }
    }
}

static void op_reset_or_finalize(void) {
    heliosdb_stmt *st;
    struct stmt_slot *s = some_stmt(&st);
    int what = pick(3);
    if (what == 0) {
        int rc = heliosdb_reset(st);
        EXPECT(rc, "heliosdb_reset", stmt_db(s), HELIOSDB_OK, HELIOSDB_MISUSE);
        if (s) drop_row_pins(s);
    } else if (what == 1) {
        int rc = heliosdb_clear_bindings(st);
        EXPECT(rc, "heliosdb_clear_bindings", stmt_db(s), HELIOSDB_OK, HELIOSDB_MISUSE);
    } else {
        int rc = heliosdb_finalize(st);
        EXPECT(rc, "heliosdb_finalize", -1, HELIOSDB_OK, HELIOSDB_MISUSE);
        if (s && rc == HELIOSDB_OK) {
            s->live = 0; /* keep the stale token */
            drop_all_pins(s);
        }
    }
}

static void op_misc(void) {
    int i;
    heliosdb *d = some_db(&i);
    calls++;
    switch (pick(12)) {
    case 0: {
        const char *m = heliosdb_errmsg(d);
        CHECK(m != NULL);
        if (m && i >= 0 && d == dbs[i].db && dbs[i].live) pin_set(&dbs[i].err, m, (int)strlen(m), "errmsg");
        break;
    }
    case 1: {
        int code = heliosdb_errcode(d);
        CHECK(code >= 0);
        break;
    }
    case 2: {
        char *json = heliosdb_query_json(d, SQL[pick(NSQL)], chance(50) ? NULL : (chance(50) ? "[1, \"x\"]" : "{\"k\":1}"));
        if (!json && i >= 0) pin_drop(&dbs[i].err);
        CHECK(json == NULL || json[0] == '{');
        heliosdb_free(json);
        break;
    }
    case 3: {
        const char *n = heliosdb_notice(d);
        CHECK(n == NULL || strlen(n) > 0);
        break;
    }
    case 4: (void)heliosdb_changes(d); (void)heliosdb_last_insert_rowid(d); passed++; break;
    case 5: {
        int a = heliosdb_get_autocommit(d);
        CHECK(a == 0 || a == 1);
        break;
    }
    case 6: EXPECT(heliosdb_busy_timeout(d, pick(20) - 5), "heliosdb_busy_timeout", i, HELIOSDB_OK, HELIOSDB_MISUSE); break;
    case 7: EXPECT(heliosdb_interrupt(d), "heliosdb_interrupt", -1, HELIOSDB_OK, HELIOSDB_MISUSE); break;
    case 8: EXPECT(heliosdb_checkpoint(d), "heliosdb_checkpoint", i, HELIOSDB_OK, HELIOSDB_MISUSE); break;
    case 9: {
        /* Destinations that can never work: NULL, not UTF-8, a directory that is not empty. */
        static const char bad_path[] = "/tmp/x\xc3\x28";
        const char *dest = chance(33) ? NULL : (chance(50) ? bad_path : "/");
        EXPECT(heliosdb_backup(d, dest), "heliosdb_backup", i, HELIOSDB_ERROR, HELIOSDB_MISUSE);
        break;
    }
    case 10:
        /* Acknowledge a random position: past the newest commit, negative, unknown feed, inside a transaction. */
        EXPECT(heliosdb_feed_ack(d, chance(80) ? "cf" : (chance(50) ? NULL : "nope"), (int64_t)pick(200) - 10),
               "heliosdb_feed_ack", i, HELIOSDB_OK, HELIOSDB_ERROR, HELIOSDB_BUSY, HELIOSDB_INTERRUPT,
               HELIOSDB_MISUSE);
        break;
    default: {
        heliosdb_stmt *st;
        some_stmt(&st);
        int r = heliosdb_stmt_readonly(st);
        CHECK(r == 0 || r == 1);
        if (chance(30)) EXPECT(heliosdb_stmt_interrupt(st), "heliosdb_stmt_interrupt", -1, HELIOSDB_OK, HELIOSDB_MISUSE);
        (void)heliosdb_bind_parameter_index(st, chance(50) ? ":k" : NULL);
        CHECK(strlen(heliosdb_version()) > 0);
        break;
    }
    }
}

static void *interrupter(void *arg) {
    (void)arg;
    struct timespec ts = {0, 3 * 1000 * 1000};
    while (!stop_poking) {
        heliosdb *d = poke[(unsigned)rand() % MAX_DB];
        if (d) {
            int rc = heliosdb_interrupt(d);
            if (rc != HELIOSDB_OK && rc != HELIOSDB_MISUSE) {
                fprintf(stderr, "FAIL: heliosdb_interrupt from a second thread returned %d\n", rc);
                failed++;
            }
        }
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [SEED [SEQUENCES]]\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    long sequences = argc > 3 ? strtol(argv[3], NULL, 10) : 300;
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    pthread_t th;
    pthread_create(&th, NULL, interrupter, NULL);
    for (long seq = 0; seq < sequences; seq++) {
        int len = 10 + pick(40);
        for (int step = 0; step < len; step++) {
            int op = pick(100);
            if (op < 4) op_open();
            else if (op < 7) op_close();
            else if (op < 17) op_exec();
            else if (op < 30) op_prepare();
            else if (op < 42) op_bind();
            else if (op < 57) op_step();
            else if (op < 80) op_column();
            else if (op < 88) op_reset_or_finalize();
            else op_misc();
            check_all_pins();
        }
        if (seq % 50 == 49) { /* a fresh start now and then: finalize and close everything */
            for (int k = 0; k < MAX_ST; k++) {
                if (sts[k].live) heliosdb_finalize(sts[k].st);
                sts[k].live = 0;
                drop_all_pins(&sts[k]);
            }
            for (int i = 0; i < MAX_DB; i++) {
                if (dbs[i].live) CHECK(heliosdb_close(dbs[i].db) == HELIOSDB_OK);
                dbs[i].live = 0;
                pin_drop(&dbs[i].err);
            }
        }
    }
    stop_poking = 1;
    pthread_join(th, NULL);
    for (int k = 0; k < MAX_ST; k++) {
        if (sts[k].live) CHECK(heliosdb_finalize(sts[k].st) == HELIOSDB_OK);
        drop_all_pins(&sts[k]);
    }
    for (int i = 0; i < MAX_DB; i++) {
        if (dbs[i].live) CHECK(heliosdb_close(dbs[i].db) == HELIOSDB_OK);
        pin_drop(&dbs[i].err);
    }
    fprintf(stderr, "seed %llu: %ld sequences, %ld calls, %ld rows stepped to, %ld pointers pinned and re-read\n",
            (unsigned long long)seed, sequences, calls, rows_seen, pins_made);
    return report();
}
