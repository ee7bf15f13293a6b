/* Online backup and checkpoint through the C ABI, the way an embedder calls
 * them: heliosdb_backup while a second handle holds an open write
 * transaction, the copy opened with heliosdb_open, errors for destinations
 * that cannot work, heliosdb_checkpoint, and VACUUM INTO with its notice.
 * Usage: test_backup DIR (DIR is empty; the test works inside it) */
#include "heliosdb.h"
#include "check.h"
#include <stdlib.h>

static heliosdb *db;

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    char src[4096], copy[4096], copy2[4096], sql[8192];
    snprintf(src, sizeof src, "%s/src", argv[1]);
    snprintf(copy, sizeof copy, "%s/copy", argv[1]);
    snprintf(copy2, sizeof copy2, "%s/copy2", argv[1]);

    CHECK_RC(heliosdb_open(src, &db), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                               "INSERT INTO t SELECT value, 'v' || value FROM generate_series(1, 1000);"
                               "UPDATE t SET v = 'changed' WHERE id <= 10;"),
             HELIOSDB_OK);
    long long scn_before = one_int(db, "SELECT max(heliosdb_valid_from_scn) FROM t VERSIONS BETWEEN SCN 0 AND 1000000");
    CHECK(scn_before > 0);

    /* A second handle holds uncommitted writes: the copy has the committed state only. */
    heliosdb *writer = NULL;
    CHECK_RC(heliosdb_open(src, &writer), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(writer, "BEGIN; INSERT INTO t VALUES (5000, 'uncommitted')"), HELIOSDB_OK);
    CHECK_RC(heliosdb_backup(db, copy), HELIOSDB_OK);
    CHECK_RC(heliosdb_exec(writer, "COMMIT"), HELIOSDB_OK);
    CHECK_RC(heliosdb_checkpoint(writer), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(writer), HELIOSDB_OK);

    heliosdb *c = NULL;
    CHECK_RC(heliosdb_open(copy, &c), HELIOSDB_OK);
    CHECK(one_int(c, "SELECT count(*) FROM t") == 1000);
    CHECK(one_int(c, "SELECT count(*) FROM t WHERE v = 'changed'") == 10);
    /* History came along: before the UPDATE every value was 'v' || id. */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM t AS OF SCN %lld WHERE v = 'changed'", scn_before - 1);
    CHECK(one_int(c, sql) == 0);
    CHECK_RC(heliosdb_close(c), HELIOSDB_OK);

    /* Destinations that cannot work are errors that say why; nothing is written. */
    CHECK_RC(heliosdb_backup(db, copy), HELIOSDB_ERROR);
    CHECK(contains(heliosdb_errmsg(db), "already exists"));
    CHECK_RC(heliosdb_backup(db, src), HELIOSDB_ERROR);
    CHECK_RC(heliosdb_backup(db, NULL), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_backup(db, "\xff\xfe"), HELIOSDB_MISUSE);
    CHECK(contains(heliosdb_errmsg(db), "UTF-8"));
    CHECK_RC(heliosdb_backup(NULL, copy2), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_checkpoint(NULL), HELIOSDB_MISUSE);

    /* VACUUM INTO names the copy's SCN in the notice; WITHOUT HISTORY drops the past. */
    snprintf(sql, sizeof sql, "VACUUM INTO '%s' WITHOUT HISTORY", copy2);
    CHECK_RC(heliosdb_exec(db, sql), HELIOSDB_OK);
    const char *notice = heliosdb_notice(db);
    CHECK(contains(notice, "backed up SCN "));
    CHECK_RC(heliosdb_open(copy2, &c), HELIOSDB_OK);
    CHECK(one_int(c, "SELECT count(*) FROM t") == 1001);
    heliosdb_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM t AS OF SCN %lld", scn_before - 1);
    CHECK_RC(heliosdb_prepare(c, sql, &st), HELIOSDB_OK);
    CHECK_RC(heliosdb_step(st), HELIOSDB_SNAPSHOT_TOO_OLD);
    CHECK(contains(heliosdb_errmsg(c), "snapshot too old"));
    CHECK_RC(heliosdb_finalize(st), HELIOSDB_OK);
    CHECK_RC(heliosdb_close(c), HELIOSDB_OK);

    /* A closed handle is misuse, never a crash. */
    CHECK_RC(heliosdb_close(db), HELIOSDB_OK);
    CHECK_RC(heliosdb_checkpoint(db), HELIOSDB_MISUSE);
    CHECK_RC(heliosdb_backup(db, copy2), HELIOSDB_MISUSE);
    return report();
}
