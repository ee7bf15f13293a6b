/* Threads: 4 threads each with its own handle on one path, plus one handle
 * shared by 2 threads. Every insert must land exactly once.
 * Prints "N passed, M failed". Usage: test_threads DIR */
#include "heliosdb.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define PER_THREAD 200

static const char *dir;
static heliosdb *shared;

static int insert_rows(heliosdb *db, int worker) {
    heliosdb_stmt *st = NULL;
    if (heliosdb_prepare(db, "INSERT INTO log (worker, n) VALUES (?, ?)", &st) != HELIOSDB_OK) return 1;
    int errors = 0;
    for (int i = 0; i < PER_THREAD; i++) {
        heliosdb_bind_int64(st, 1, worker);
        heliosdb_bind_int64(st, 2, i);
        int rc = heliosdb_step(st);
        if (rc != HELIOSDB_DONE) {
            fprintf(stderr, "worker %d row %d: rc %d: %s\n", worker, i, rc, heliosdb_errmsg(db));
            errors++;
        }
        heliosdb_reset(st);
    }
    heliosdb_finalize(st);
    return errors;
}

static void *own_handle(void *arg) {
    int worker = (int)(long)arg;
    heliosdb *db = NULL;
    if (heliosdb_open(dir, &db) != HELIOSDB_OK) {
        fprintf(stderr, "open: %s\n", heliosdb_errmsg(NULL));
        return (void *)1;
    }
    long errors = insert_rows(db, worker);
    heliosdb_close(db);
    return (void *)errors;
}

static void *shared_handle(void *arg) {
    return (void *)(long)insert_rows(shared, (int)(long)arg);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    dir = argv[1];
    int passed = 0, failed = 0;
    if (heliosdb_open(dir, &shared) != HELIOSDB_OK) return 1;
    if (heliosdb_exec(shared, "CREATE TABLE log (id INTEGER PRIMARY KEY, worker INTEGER, n INTEGER, UNIQUE (worker, n))") !=
        HELIOSDB_OK) {
        fprintf(stderr, "%s\n", heliosdb_errmsg(shared));
        return 1;
    }
    pthread_t t[6];
    for (long w = 0; w < 4; w++) pthread_create(&t[w], NULL, own_handle, (void *)w);
    for (long w = 4; w < 6; w++) pthread_create(&t[w], NULL, shared_handle, (void *)w);
    for (int w = 0; w < 6; w++) {
        void *r = NULL;
        pthread_join(t[w], &r);
        if (r == NULL) passed++; else failed++;
    }
    char *json = heliosdb_query_json(shared, "SELECT count(*), count(DISTINCT worker) FROM log", NULL);
    if (json && strstr(json, "[[1200,6]]")) passed++; else { failed++; fprintf(stderr, "count: %s\n", json ? json : heliosdb_errmsg(shared)); }
    heliosdb_free(json);
    if (heliosdb_close(shared) == HELIOSDB_OK) passed++; else failed++;
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
