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

// raw_open opens the database and prepares the lookup.
static int raw_open(const char *path, heliosdb **db, heliosdb_stmt **st) {
	int rc = heliosdb_open(path, db);
	if (rc) return rc;
	rc = heliosdb_prepare(*db, "SELECT name, price FROM items WHERE id = ?", st);
	if (rc) heliosdb_close(*db);
	return rc;
}

// raw_lookups runs n lookups like the Go benchmark's (bind, step, read two
// columns, reset); returns 0 or an error code.
static int raw_lookups(heliosdb_stmt *st, int n, int rows) {
	volatile long long sum = 0;
	for (int i = 0; i < n; i++) {
		heliosdb_bind_int64(st, 1, (long long)i * 7919 % rows);
		if (heliosdb_step(st) != HELIOSDB_ROW) return 1;
		const char *t = heliosdb_column_text(st, 0);
		sum += heliosdb_column_bytes(st, 0) + (t ? t[0] : 0);
		sum += (long long)heliosdb_column_double(st, 1);
		heliosdb_reset(st);
	}
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// rawLookup is an open database with the lookup prepared, for C loops.
type rawLookup struct {
	db *C.heliosdb
	st *C.heliosdb_stmt
}

func openRawLookup(path string) (*rawLookup, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	r := &rawLookup{}
	if rc := C.raw_open(cpath, &r.db, &r.st); rc != 0 {
		return nil, fmt.Errorf("raw open: code %d", int(rc))
	}
	return r, nil
}

// run does n point lookups over the C ABI alone, in one cgo call.
func (r *rawLookup) run(n, rows int) error {
	if rc := C.raw_lookups(r.st, C.int(n), C.int(rows)); rc != 0 {
		return fmt.Errorf("raw lookups: code %d", int(rc))
	}
	return nil
}

func (r *rawLookup) close() {
	C.heliosdb_finalize(r.st)
	C.heliosdb_close(r.db)
}
