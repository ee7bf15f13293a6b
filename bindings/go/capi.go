// capi.go owns every crossing into the C ABI (include/heliosdb.h). The small
// C helpers below call only functions declared in heliosdb.h; they exist so
// that one cgo call does a status-returning call *and* reads its error
// message on the same OS thread (heliosdb_errmsg is per thread, and a
// goroutine may move between threads between two cgo calls), and so that a
// row's columns are read in one crossing instead of three per column.

package heliosdb

/*
#include <stdlib.h>
#include <string.h>
#include <heliosdb.h>

// hdb_err copies the calling thread's error message for db (NULL: the
// message of calls that had no valid handle). The copy is the caller's:
// Go frees it with free().
static char *hdb_err(heliosdb *db) {
	const char *m = heliosdb_errmsg(db);
	return m ? strdup(m) : NULL;
}

static int hdb_open(const char *path, const char *config, heliosdb **out, char **err) {
	int rc = config ? heliosdb_open_with_config(path, config, out) : heliosdb_open(path, out);
	if (rc != HELIOSDB_OK) *err = hdb_err(NULL);
	return rc;
}

static int hdb_close(heliosdb *db, char **err) {
	int rc = heliosdb_close(db);
	if (rc != HELIOSDB_OK) *err = hdb_err(db);
	return rc;
}

static int hdb_exec(heliosdb *db, const char *sql, int64_t *changes, int64_t *rowid, char **err) {
	int rc = heliosdb_exec(db, sql);
	if (rc != HELIOSDB_OK) { *err = hdb_err(db); return rc; }
	*changes = heliosdb_changes(db);
	*rowid = heliosdb_last_insert_rowid(db);
	return rc;
}

// hdb_prepare prepares sql and reports what the binding caches about it.
static int hdb_prepare(heliosdb *db, const char *sql, heliosdb_stmt **out,
                       int *ncol, int *nparam, int *readonly, char **err) {
	int rc = heliosdb_prepare(db, sql, out);
	if (rc != HELIOSDB_OK) { *err = hdb_err(db); return rc; }
	*ncol = heliosdb_column_count(*out);
	*nparam = heliosdb_bind_parameter_count(*out);
	*readonly = heliosdb_stmt_readonly(*out);
	return rc;
}

enum { HDB_NULL, HDB_INT, HDB_FLOAT, HDB_TEXT, HDB_BLOB };

// hdb_bind binds one parameter; p (text or blob bytes, possibly Go memory)
// is copied by the library before it returns.
static int hdb_bind(heliosdb *db, heliosdb_stmt *st, int idx, int kind,
                    int64_t i, double d, const void *p, int n, char **err) {
	int rc;
	switch (kind) {
	case HDB_INT: rc = heliosdb_bind_int64(st, idx, i); break;
	case HDB_FLOAT: rc = heliosdb_bind_double(st, idx, d); break;
	case HDB_TEXT: rc = heliosdb_bind_text(st, idx, p ? (const char *)p : "", n); break;
	case HDB_BLOB: rc = heliosdb_bind_blob(st, idx, n ? p : NULL, n); break;
	default: rc = heliosdb_bind_null(st, idx); break;
	}
	if (rc != HELIOSDB_OK) *err = hdb_err(db);
	return rc;
}

// hdb_run steps a statement once (the first step runs it to completion),
// reads the connection's counters and resets the statement: Exec in one call.
static int hdb_run(heliosdb *db, heliosdb_stmt *st, int64_t *changes, int64_t *rowid, char **err) {
	int rc = heliosdb_step(st);
	if (rc == HELIOSDB_ROW || rc == HELIOSDB_DONE) {
		*changes = heliosdb_changes(db);
		*rowid = heliosdb_last_insert_rowid(db);
		rc = HELIOSDB_OK;
	} else {
		*err = hdb_err(db);
	}
	heliosdb_reset(st);
	return rc;
}

typedef struct {
	int64_t i;
	double d;
	const char *p;
	int type;
	int n;
} hdb_value;

// hdb_read reads the current row's ncol columns into out. wanttext[i] != 0
// asks for column i's exact text also when it reports HELIOSDB_FLOAT
// (DECIMAL columns). The p pointers live until the statement's next step,
// reset or finalize: Go copies them at once.
static void hdb_read(heliosdb_stmt *st, int ncol, hdb_value *out, const unsigned char *wanttext) {
	for (int i = 0; i < ncol; i++) {
		hdb_value *v = &out[i];
		v->type = heliosdb_column_type(st, i);
		v->p = NULL;
		v->n = 0;
		switch (v->type) {
		case HELIOSDB_INTEGER:
			v->i = heliosdb_column_int64(st, i);
			break;
		case HELIOSDB_FLOAT:
			v->d = heliosdb_column_double(st, i);
			if (wanttext && wanttext[i]) {
				v->p = heliosdb_column_text(st, i);
				v->n = heliosdb_column_bytes(st, i);
			}
			break;
		case HELIOSDB_TEXT:
			v->p = heliosdb_column_text(st, i);
			v->n = heliosdb_column_bytes(st, i);
			break;
		case HELIOSDB_BLOB:
			v->p = (const char *)heliosdb_column_blob(st, i);
			v->n = heliosdb_column_bytes(st, i);
			break;
		}
	}
}

// hdb_step advances st and, when a row is ready, reads its ncol columns
// into out (one cgo crossing per row). *count (when count is not NULL)
// receives the column count after the step, and names/decls (when not NULL)
// the first min(ncol, count) column names and declared types: a statement
// learns its columns when it first runs (after a schema change, or when
// prepare could not resolve them), and the first step of a query reads
// them in the same crossing.
static int hdb_step(heliosdb *db, heliosdb_stmt *st, int ncol, hdb_value *out,
                    const unsigned char *wanttext, int *count,
                    const char **names, const char **decls, char **err) {
	int rc = heliosdb_step(st);
	if (rc == HELIOSDB_ROW) {
		hdb_read(st, ncol, out, wanttext);
	} else if (rc != HELIOSDB_DONE) {
		*err = hdb_err(db);
		return rc;
	}
	if (count) {
		*count = heliosdb_column_count(st);
		if (names) {
			int n = *count < ncol ? *count : ncol;
			for (int i = 0; i < n; i++) {
				names[i] = heliosdb_column_name(st, i);
				decls[i] = heliosdb_column_decltype(st, i);
			}
		}
	}
	return rc;
}

// hdb_columns reads the statement's column names and declared types
// (pointers valid until finalize).
static void hdb_columns(heliosdb_stmt *st, int n, const char **names, const char **decls) {
	for (int i = 0; i < n; i++) {
		names[i] = heliosdb_column_name(st, i);
		decls[i] = heliosdb_column_decltype(st, i);
	}
}

static char *hdb_query_json(heliosdb *db, const char *sql, const char *params, int *code, char **err) {
	char *out = heliosdb_query_json(db, sql, params);
	if (!out) { *code = heliosdb_errcode(db); *err = hdb_err(db); }
	return out;
}
*/
import "C"

import (
	"strings"
	"unsafe"
)

// Status codes of heliosdb.h that the binding acts on.
const (
	codeOK        = int(C.HELIOSDB_OK)
	codeRow       = int(C.HELIOSDB_ROW)
	codeDone      = int(C.HELIOSDB_DONE)
	codeInterrupt = int(C.HELIOSDB_INTERRUPT)
)

// Value kinds reported by heliosdb_column_type.
const (
	colInteger = int(C.HELIOSDB_INTEGER)
	colFloat   = int(C.HELIOSDB_FLOAT)
	colText    = int(C.HELIOSDB_TEXT)
	colBlob    = int(C.HELIOSDB_BLOB)
	colNull    = int(C.HELIOSDB_NULL)
)

// Parameter kinds understood by hdb_bind.
const (
	bindNull  = C.HDB_NULL
	bindInt   = C.HDB_INT
	bindFloat = C.HDB_FLOAT
	bindText  = C.HDB_TEXT
	bindBlob  = C.HDB_BLOB
)

type (
	cDB   = C.heliosdb
	cStmt = C.heliosdb_stmt
	// cValue is one column of the current row as hdb_step read it.
	cValue = C.hdb_value
)

// takeErr turns a status and a strdup'ed message into an *Error and frees
// the message.
func takeErr(rc C.int, msg *C.char) error {
	e := &Error{Code: int(rc)}
	if msg != nil {
		e.Msg = C.GoString(msg)
		C.free(unsafe.Pointer(msg))
	}
	return e
}

// noNUL refuses text that C would silently cut at a NUL byte (SQL, paths,
// configuration), instead of running a truncated statement.
func noNUL(what, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return &Error{Code: 21, Msg: what + " contains a NUL byte"}
	}
	return nil
}

// optCString is C.CString, with "" standing for NULL (an optional
// argument); free(NULL) is a no-op, so callers free either unconditionally.
func optCString(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

// cOpen opens path (":memory:" or a directory) with an optional
// configuration text (TOML or JSON; "" = none).
func cOpen(path, config string) (*cDB, error) {
	if err := noNUL("path", path); err != nil {
		return nil, err
	}
	if err := noNUL("configuration", config); err != nil {
		return nil, err
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	cconf := optCString(config)
	defer C.free(unsafe.Pointer(cconf))
	var db *C.heliosdb
	var msg *C.char
	if rc := C.hdb_open(cpath, cconf, &db, &msg); rc != C.HELIOSDB_OK {
		return nil, takeErr(rc, msg)
	}
	return db, nil
}

func cClose(db *cDB) error {
	var msg *C.char
	if rc := C.hdb_close(db, &msg); rc != C.HELIOSDB_OK {
		return takeErr(rc, msg)
	}
	return nil
}

// cExec runs ';'-separated statements without parameters.
func cExec(db *cDB, sql string) (changes, rowid int64, err error) {
	if err := noNUL("SQL", sql); err != nil {
		return 0, 0, err
	}
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	var ch, id C.int64_t
	var msg *C.char
	if rc := C.hdb_exec(db, csql, &ch, &id, &msg); rc != C.HELIOSDB_OK {
		return 0, 0, takeErr(rc, msg)
	}
	return int64(ch), int64(id), nil
}

// cPrepare prepares one statement and returns its column and parameter
// counts and whether it is read-only.
func cPrepare(db *cDB, sql string) (st *cStmt, ncol, nparam int, readonly bool, err error) {
	if err := noNUL("SQL", sql); err != nil {
		return nil, 0, 0, false, err
	}
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	var cst *C.heliosdb_stmt
	var nc, np, ro C.int
	var msg *C.char
	if rc := C.hdb_prepare(db, csql, &cst, &nc, &np, &ro, &msg); rc != C.HELIOSDB_OK {
		return nil, 0, 0, false, takeErr(rc, msg)
	}
	return cst, int(nc), int(np), ro != 0, nil
}

func cFinalize(st *cStmt) { C.heliosdb_finalize(st) }

func cReset(st *cStmt) { C.heliosdb_reset(st) }

func cClearBindings(st *cStmt) { C.heliosdb_clear_bindings(st) }

// cBind binds one parameter. p/n are the bytes of text and blobs; the
// library copies them before returning, so p may point into Go memory.
func cBind(db *cDB, st *cStmt, idx int, kind C.int, i int64, d float64, p unsafe.Pointer, n int) error {
	var msg *C.char
	rc := C.hdb_bind(db, st, C.int(idx), kind, C.int64_t(i), C.double(d), p, C.int(n), &msg)
	if rc != C.HELIOSDB_OK {
		return takeErr(rc, msg)
	}
	return nil
}

// cRun executes a prepared statement to completion, then resets it.
func cRun(db *cDB, st *cStmt) (changes, rowid int64, err error) {
	var ch, id C.int64_t
	var msg *C.char
	if rc := C.hdb_run(db, st, &ch, &id, &msg); rc != C.HELIOSDB_OK {
		return 0, 0, takeErr(rc, msg)
	}
	return int64(ch), int64(id), nil
}

// cStep advances st; on codeRow, vals holds the row (pointers valid until
// the next step/reset/finalize). A failure other than DONE returns an error.
func cStep(db *cDB, st *cStmt, vals []cValue, wanttext []byte) (int, error) {
	var msg *C.char
	rc := C.hdb_step(db, st, C.int(len(vals)), valsPtr(vals), wantPtr(wanttext), nil, nil, nil, &msg)
	if rc == C.HELIOSDB_ROW || rc == C.HELIOSDB_DONE {
		return int(rc), nil
	}
	return int(rc), takeErr(rc, msg)
}

// cFirstStep is cStep for a query's first step (which runs the statement):
// it also returns the column count after the step and fills names/decls
// (len(vals) entries) with the columns' name and declared-type pointers.
func cFirstStep(db *cDB, st *cStmt, vals []cValue, wanttext []byte, names, decls []*C.char) (rc, count int, err error) {
	var msg *C.char
	var n C.int
	var pn, pd **C.char
	if len(names) > 0 {
		pn, pd = &names[0], &decls[0]
	}
	crc := C.hdb_step(db, st, C.int(len(vals)), valsPtr(vals), wantPtr(wanttext), &n, pn, pd, &msg)
	if crc == C.HELIOSDB_ROW || crc == C.HELIOSDB_DONE {
		return int(crc), int(n), nil
	}
	return int(crc), 0, takeErr(crc, msg)
}

func valsPtr(vals []cValue) *C.hdb_value {
	if len(vals) == 0 {
		return nil
	}
	return &vals[0]
}

func wantPtr(w []byte) *C.uchar {
	if len(w) == 0 {
		return nil
	}
	return (*C.uchar)(unsafe.Pointer(&w[0]))
}

// cReadRow reads the current row again into vals (after the column count
// changed under the first step).
func cReadRow(st *cStmt, vals []cValue, wanttext []byte) {
	if len(vals) == 0 {
		return
	}
	C.hdb_read(st, C.int(len(vals)), &vals[0], (*C.uchar)(unsafe.Pointer(&wanttext[0])))
}

// cColumns fills names and decls (len = column count) with the library's
// pointers; nil entries are NULL.
func cColumns(st *cStmt, names, decls []*C.char) {
	if len(names) == 0 {
		return
	}
	C.hdb_columns(st, C.int(len(names)), &names[0], &decls[0])
}

// goStr copies a NUL-terminated C string ("" for NULL).
func goStr(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// valueBytes copies a column value's bytes out of C memory.
func valueBytes(v *cValue) []byte {
	if v.p == nil || v.n == 0 {
		return []byte{}
	}
	return C.GoBytes(unsafe.Pointer(v.p), v.n)
}

// valueString copies a column value's text out of C memory.
func valueString(v *cValue) string {
	if v.p == nil || v.n == 0 {
		return ""
	}
	return C.GoStringN(v.p, v.n)
}

func cParamName(st *cStmt, idx int) string {
	return goStr(C.heliosdb_bind_parameter_name(st, C.int(idx)))
}

func cInterrupt(db *cDB) { C.heliosdb_interrupt(db) }

func cBusyTimeout(db *cDB, ms int) error {
	if rc := C.heliosdb_busy_timeout(db, C.int(ms)); rc != C.HELIOSDB_OK {
		return &Error{Code: int(rc), Msg: "busy_timeout: connection is not open"}
	}
	return nil
}

func cAutocommit(db *cDB) bool { return C.heliosdb_get_autocommit(db) != 0 }

// cNotice returns the last statement's notice, if it left one.
func cNotice(db *cDB) (string, bool) {
	p := C.heliosdb_notice(db)
	if p == nil {
		return "", false
	}
	return C.GoString(p), true
}

// cQueryJSON runs one statement and returns its result as JSON text.
func cQueryJSON(db *cDB, sql, params string) (string, error) {
	if err := noNUL("SQL", sql+params); err != nil {
		return "", err
	}
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	cparams := optCString(params)
	defer C.free(unsafe.Pointer(cparams))
	var msg *C.char
	var code C.int
	out := C.hdb_query_json(db, csql, cparams, &code, &msg)
	if out == nil {
		return "", takeErr(code, msg)
	}
	defer C.heliosdb_free(unsafe.Pointer(out))
	return C.GoString(out), nil
}

// Version is the version of the linked libheliosdb, e.g. "0.1.0".
func Version() string { return C.GoString(C.heliosdb_version()) }

// cChar is a C string pointer owned by the library.
type cChar = C.char
