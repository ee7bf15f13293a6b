// rawc.go times the point lookup of BenchmarkPointLookup in C alone (a loop
// over the C ABI inside one cgo call), so the benchmark can show what the
// Go driver and database/sql add on top of the engine. Linking
// libheliosdb.a a second time is harmless: an archive member is pulled once.
package bench

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include
#cgo LDFLAGS: ${SRCDIR}/../../../target/release/libheliosdb.a -lpthread -ldl -lm
#include <stdlib.h>
#include <heliosdb.h>

// raw_lookups runs n lookups like the Go benchmark's (prepared statement,
// bind, step, read two columns, reset); returns 0 or an error code.
static int raw_lookups(const char *path, int n, int rows, long long *checksum) {
	heliosdb *db = NULL;
	heliosdb_stmt *st = NULL;
	int rc = heliosdb_open(path, &db);
	if (rc) return rc;
	rc = heliosdb_prepare(db, "SELECT name, price FROM items WHERE id = ?", &st);
	if (rc) { heliosdb_close(db); return rc; }
	long long sum = 0;
	for (int i = 0; i < n; i++) {
		heliosdb_bind_int64(st, 1, (long long)i * 7919 % rows);
		if (heliosdb_step(st) != HELIOSDB_ROW) { rc = 1; break; }
		sum += heliosdb_column_bytes(st, 0);
		const char *t = heliosdb_column_text(st, 0);
		sum += t ? t[0] : 0;
		sum += (long long)heliosdb_column_double(st, 1);
		heliosdb_step(st);
		heliosdb_reset(st);
	}
	heliosdb_finalize(st);
	heliosdb_close(db);
	*checksum = sum;
	return rc;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// rawLookups runs n point lookups over the C ABI alone on the database at
// path (a directory already holding the items table).
func rawLookups(path string, n, rows int) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var sum C.longlong
	if rc := C.raw_lookups(cpath, C.int(n), C.int(rows), &sum); rc != 0 {
		return fmt.Errorf("raw lookups: code %d", int(rc))
	}
	return nil
}
