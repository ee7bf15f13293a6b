/* The same workloads through libheliosdb and through SQLite's C API, in one
 * run, with the ratio for each (HeliosDB time / SQLite time; < 1: faster).
 *
 * Build: cc -O2 bench_vs_sqlite.c $(pkg-config --cflags --libs heliosdb) -lsqlite3
 * Run:   ./a.out [ROWS]      (default 1000000)
 * SQLite runs with journal_mode=WAL, synchronous=NORMAL: like HeliosDB's
 * default, a commit survives a killed process but is not fsynced. */
#include <heliosdb.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg) {
    fprintf(stderr, "%s: %s\n", what, msg);
    exit(1);
}

#define H(call) do { if ((call) != HELIOSDB_OK) die(#call, heliosdb_errmsg(hdb)); } while (0)
#define S(call) do { if ((call) != SQLITE_OK) die(#call, sqlite3_errmsg(sdb)); } while (0)

static const char *SCHEMA = "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT NOT NULL, amount REAL NOT NULL, ts INTEGER NOT NULL)";
static const char *INSERT = "INSERT INTO orders (id, region, amount, ts) VALUES (?1, ?2, ?3, ?4)";
static const char *LOOKUP = "SELECT amount FROM orders WHERE id = ?1";
static const char *GROUP = "SELECT region, count(*), sum(amount), avg(amount), min(amount), max(amount) FROM orders GROUP BY region";
static const char *RANGE = "SELECT count(*), sum(amount) FROM orders WHERE id BETWEEN ?1 AND ?2";
static const char *LOG_SCHEMA = "CREATE TABLE events (id INTEGER PRIMARY KEY, region TEXT NOT NULL, amount REAL NOT NULL, ts INTEGER NOT NULL)";
static const char *LOG_INSERT = "INSERT INTO events (id, region, amount, ts) VALUES (?1, ?2, ?3, ?4)";
#define AUTOCOMMITS 10000

static void row(long i, char *region, double *amount) {
    unsigned long long h = (unsigned long long)i * 0x9E3779B97F4A7C15ULL;
    snprintf(region, 16, "region-%02llu", h % 50);
    *amount = (double)((h >> 8) % 100000) / 100.0;
}

static unsigned long long rng = 42;
static long next_id(long rows) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (long)(rng % (unsigned long long)rows) + 1;
}

/* Inserts rows 0..n-1 through `sql` with one prepared statement: in one
 * transaction when the caller wrapped it in BEGIN/COMMIT, else one commit each. */
static void helios_insert(heliosdb *hdb, const char *sql, long n) {
    char region[16];
    double amount;
    heliosdb_stmt *hs;
    if (heliosdb_prepare(hdb, sql, &hs) != HELIOSDB_OK) die("heliosdb_prepare", heliosdb_errmsg(hdb));
    for (long i = 0; i < n; i++) {
        row(i, region, &amount);
        heliosdb_bind_int64(hs, 1, i + 1);
        heliosdb_bind_text(hs, 2, region, -1);
        heliosdb_bind_double(hs, 3, amount);
        heliosdb_bind_int64(hs, 4, 1700000000 + i);
        if (heliosdb_step(hs) != HELIOSDB_DONE) die("heliosdb insert", heliosdb_errmsg(hdb));
        heliosdb_reset(hs);
    }
    heliosdb_finalize(hs);
}

static void sqlite_insert(sqlite3 *sdb, const char *sql, long n) {
    char region[16];
    double amount;
    sqlite3_stmt *ss;
    if (sqlite3_prepare_v2(sdb, sql, -1, &ss, 0) != SQLITE_OK) die("sqlite3_prepare_v2", sqlite3_errmsg(sdb));
    for (long i = 0; i < n; i++) {
        row(i, region, &amount);
        sqlite3_bind_int64(ss, 1, i + 1);
        sqlite3_bind_text(ss, 2, region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(ss, 3, amount);
        sqlite3_bind_int64(ss, 4, 1700000000 + i);
        if (sqlite3_step(ss) != SQLITE_DONE) die("sqlite insert", sqlite3_errmsg(sdb));
        sqlite3_reset(ss);
    }
    sqlite3_finalize(ss);
}

int main(int argc, char **argv) {
    long rows = argc > 1 ? atol(argv[1]) : 1000000;
    long lookups = rows < 100000 ? rows : 100000;
    char hdir[] = "/tmp/heliosdb-bench-XXXXXX";
    if (!mkdtemp(hdir)) die("mkdtemp", "failed");
    char spath[64];
    snprintf(spath, sizeof spath, "%s/sqlite.db", hdir);
    char hpath[64];
    snprintf(hpath, sizeof hpath, "%s/helios", hdir);

    heliosdb *hdb = NULL;
    sqlite3 *sdb = NULL;
    if (heliosdb_open(hpath, &hdb) != HELIOSDB_OK) die("heliosdb_open", heliosdb_errmsg(NULL));
    S(sqlite3_open(spath, &sdb));
    S(sqlite3_exec(sdb, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", 0, 0, 0));
    H(heliosdb_exec(hdb, SCHEMA));
    S(sqlite3_exec(sdb, SCHEMA, 0, 0, 0));

    double t[2][5];
    heliosdb_stmt *hs;
    sqlite3_stmt *ss;

    /* 1. insert in one transaction with a prepared statement */
    double t0 = now();
    H(heliosdb_exec(hdb, "BEGIN"));
    helios_insert(hdb, INSERT, rows);
    H(heliosdb_exec(hdb, "COMMIT"));
    t[0][0] = now() - t0;
    t0 = now();
    S(sqlite3_exec(sdb, "BEGIN", 0, 0, 0));
    sqlite_insert(sdb, INSERT, rows);
    S(sqlite3_exec(sdb, "COMMIT", 0, 0, 0));
    t[1][0] = now() - t0;

    /* 2. random primary-key lookups */
    double hsum = 0, ssum = 0;
    rng = 42;
    t0 = now();
    H(heliosdb_prepare(hdb, LOOKUP, &hs));
    for (long i = 0; i < lookups; i++) {
        heliosdb_bind_int64(hs, 1, next_id(rows));
        if (heliosdb_step(hs) != HELIOSDB_ROW) die("heliosdb lookup", heliosdb_errmsg(hdb));
        hsum += heliosdb_column_double(hs, 0);
        heliosdb_reset(hs);
    }
    heliosdb_finalize(hs);
    t[0][1] = now() - t0;
    rng = 42;
    t0 = now();
    S(sqlite3_prepare_v2(sdb, LOOKUP, -1, &ss, 0));
    for (long i = 0; i < lookups; i++) {
        sqlite3_bind_int64(ss, 1, next_id(rows));
        if (sqlite3_step(ss) != SQLITE_ROW) die("sqlite lookup", sqlite3_errmsg(sdb));
        ssum += sqlite3_column_double(ss, 0);
        sqlite3_reset(ss);
    }
    sqlite3_finalize(ss);
    t[1][1] = now() - t0;
    if (hsum != ssum) die("lookup", "the engines disagree");

    /* 3. GROUP BY over every row */
    long hgroups = 0, sgroups = 0;
    t0 = now();
    H(heliosdb_prepare(hdb, GROUP, &hs));
    while (heliosdb_step(hs) == HELIOSDB_ROW) hgroups++;
    heliosdb_finalize(hs);
    t[0][2] = now() - t0;
    t0 = now();
    S(sqlite3_prepare_v2(sdb, GROUP, -1, &ss, 0));
    while (sqlite3_step(ss) == SQLITE_ROW) sgroups++;
    sqlite3_finalize(ss);
    t[1][2] = now() - t0;
    if (hgroups != sgroups) die("group by", "the engines disagree");

    /* 4. range scans: 10 ranges of 10% of the table */
    long hcount = 0, scount = 0;
    t0 = now();
    H(heliosdb_prepare(hdb, RANGE, &hs));
    for (int r = 0; r < 10; r++) {
        heliosdb_bind_int64(hs, 1, r * rows / 10 + 1);
        heliosdb_bind_int64(hs, 2, (r + 1) * rows / 10);
        if (heliosdb_step(hs) != HELIOSDB_ROW) die("heliosdb range", heliosdb_errmsg(hdb));
        hcount += heliosdb_column_int64(hs, 0);
        heliosdb_reset(hs);
    }
    heliosdb_finalize(hs);
    t[0][3] = now() - t0;
    t0 = now();
    S(sqlite3_prepare_v2(sdb, RANGE, -1, &ss, 0));
    for (int r = 0; r < 10; r++) {
        sqlite3_bind_int64(ss, 1, r * rows / 10 + 1);
        sqlite3_bind_int64(ss, 2, (r + 1) * rows / 10);
        if (sqlite3_step(ss) != SQLITE_ROW) die("sqlite range", sqlite3_errmsg(sdb));
        scount += sqlite3_column_int64(ss, 0);
        sqlite3_reset(ss);
    }
    sqlite3_finalize(ss);
    t[1][3] = now() - t0;
    if (hcount != scount) die("range", "the engines disagree");

    /* 5. autocommit inserts: one commit per row, into an empty table */
    H(heliosdb_exec(hdb, LOG_SCHEMA));
    S(sqlite3_exec(sdb, LOG_SCHEMA, 0, 0, 0));
    t0 = now();
    helios_insert(hdb, LOG_INSERT, AUTOCOMMITS);
    t[0][4] = now() - t0;
    t0 = now();
    sqlite_insert(sdb, LOG_INSERT, AUTOCOMMITS);
    t[1][4] = now() - t0;

    const char *names[5] = {"insert (one transaction)", "primary-key lookups", "GROUP BY region (5 aggregates)",
                            "range scans (10 x 10%)", "autocommit inserts"};
    long counts[5] = {rows, lookups, rows, rows, AUTOCOMMITS};
    printf("rows: %ld; SQLite %s\n", rows, sqlite3_libversion());
    printf("%-32s %12s %12s %8s\n", "workload", "HeliosDB ms", "SQLite ms", "ratio");
    for (int w = 0; w < 5; w++)
        printf("%-32s %12.1f %12.1f %8.2f   (%ld rows)\n", names[w], t[0][w] * 1000, t[1][w] * 1000, t[0][w] / t[1][w],
               counts[w]);
    heliosdb_close(hdb);
    sqlite3_close(sdb);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", hdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", hdir);
    return 0;
}
