// errors_test.go: engine errors carry their code and message (errors.As),
// match the sentinels (errors.Is), and misuse — closed connections,
// statements and rows, bad DSNs and configurations — returns errors
// instead of crashing.

package heliosdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
	"time"
)

// engineErr asserts that err is an *Error with code and a message
// containing msg.
func engineErr(t *testing.T, err error, sentinel *Error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *heliosdb.Error", err, err)
	}
	if e.Code != sentinel.Code || !errors.Is(err, sentinel) {
		t.Errorf("code %d, want %d (%v)", e.Code, sentinel.Code, err)
	}
	if !strings.Contains(e.Msg, msg) {
		t.Errorf("message %q does not contain %q", e.Msg, msg)
	}
}

func TestEngineErrors(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT UNIQUE NOT NULL, c INTEGER CHECK (c > 0))")
	mustExec(t, db, "INSERT INTO t VALUES (1, 'x', 1)")

	_, err := db.Exec("INSERT INTO t VALUES (2, ?, 1)", "x")
	engineErr(t, err, ErrConstraint, "UNIQUE constraint failed: t.b")
	if errors.Is(err, ErrBusy) || errors.Is(err, ErrSnapshotTooOld) {
		t.Error("a constraint error matches other sentinels")
	}
	if !strings.Contains(err.Error(), "UNIQUE constraint failed") || !strings.Contains(err.Error(), "code 19") {
		t.Errorf("Error() = %q", err.Error())
	}
	_, err = db.Exec("INSERT INTO t VALUES (2, NULL, 1)")
	engineErr(t, err, ErrConstraint, "NOT NULL constraint failed: t.b")
	_, err = db.Exec("INSERT INTO t VALUES (?, 'y', -1)", 2)
	engineErr(t, err, ErrConstraint, "CHECK constraint failed")
	_, err = db.Exec("INSERT INTO t VALUES (?, 'y', 1)", "abc")
	engineErr(t, err, ErrMismatch, "cannot store TEXT value 'abc' in INTEGER column t.a")
	_, err = db.Query("SELEC 1")
	engineErr(t, err, ErrGeneric, "syntax error")
	_, err = db.Query("SELECT * FROM missing")
	engineErr(t, err, ErrGeneric, "no such table: missing")
	// A failed statement changed nothing; the connection goes on.
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("count = %d after failed inserts, want 1", n)
	}
}

func TestBusy(t *testing.T) {
	db, _ := openDB(t, "?busy_timeout=100")
	mustExec(t, db, "CREATE TABLE t (a INTEGER)")
	ctx := context.Background()
	c1, _ := db.Conn(ctx)
	defer c1.Close()
	c2, _ := db.Conn(ctx)
	defer c2.Close()
	tx, err := c1.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c2.ExecContext(ctx, "INSERT INTO t VALUES (1)")
	engineErr(t, err, ErrBusy, "locked")
	if waited := time.Since(start); waited < 80*time.Millisecond {
		t.Errorf("busy after %v, want about the 100 ms busy_timeout", waited)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Errorf("after the writer committed: %v", err)
	}
}

func TestSnapshotTooOld(t *testing.T) {
	cfg := writeConfig(t, "[snapshot]\nmin_retention_seconds = 0\nmax_snapshots = 1\nauto_gc_enabled = false\n")
	db, _ := openDB(t, "?config="+cfg)
	db.SetMaxOpenConns(1)
	mustExec(t, db, "CREATE TABLE t (a INTEGER)")
	mustExec(t, db, "INSERT INTO t VALUES (1)")
	mustExec(t, db, "INSERT INTO t VALUES (2)")
	var gc string
	if err := db.QueryRow("SELECT heliosdb_gc()").Scan(&gc); err != nil {
		t.Fatal(err)
	}
	_, err := db.Query("SELECT * FROM t AS OF SCN 1")
	engineErr(t, err, ErrSnapshotTooOld, "snapshot too old")
	_, err = db.BeginTx(AsOfSCN(context.Background(), 1), nil)
	engineErr(t, err, ErrSnapshotTooOld, "snapshot too old")
}

func TestBadDSNAndConfig(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{
		"",
		dir + "?nosuch=1",
		dir + "?busy_timeout=soon",
		dir + "?parse_time=maybe",
		dir + "?config=" + dir + "/missing.toml",
	} {
		db, err := sql.Open(DriverName, dsn)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			t.Errorf("DSN %q: no error", dsn)
		}
	}
	cfg := writeConfig(t, "[database]\nmemory_limit_mb = \"lots\"\n")
	db, err := sql.Open(DriverName, dir+"/db?config="+cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	engineErr(t, db.Ping(), ErrGeneric, "database.memory_limit_mb")
}

func TestMisuseReturnsErrors(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(context.Background(), "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2)", nil); err != nil {
		t.Fatal(err)
	}
	st, err := c.Prepare("SELECT a FROM t WHERE a > ?")
	if err != nil {
		t.Fatal(err)
	}
	// Several statements cannot be prepared as one.
	if _, err := c.Prepare("SELECT 1; SELECT 2"); err == nil {
		t.Error("preparing two statements: no error")
	}
	rows, err := st.Query([]driver.Value{int64(0)})
	if err != nil {
		t.Fatal(err)
	}
	// Closing the connection finalizes the open statement (and the rows'
	// statement) instead of failing with BUSY.
	if err := c.Close(); err != nil {
		t.Fatalf("Close with an open statement: %v", err)
	}
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil {
		// The first row was read by Query; it may still be delivered.
		t.Logf("first Next after close: %v", err)
	}
	if err := rows.Next(dest); err == nil {
		t.Error("Next on a finalized statement: no error")
	}
	rows.Close()
	if _, err := st.Exec([]driver.Value{int64(1)}); err == nil {
		t.Error("Exec on a finalized statement: no error")
	}
	st.Close()
	if _, err := st.Exec([]driver.Value{int64(1)}); !errors.Is(err, ErrMisuse) {
		t.Errorf("Exec on a closed Stmt: %v, want ErrMisuse", err)
	}
	if _, err := c.Prepare("SELECT 1"); !errors.Is(err, ErrMisuse) {
		t.Errorf("Prepare on a closed Conn: %v", err)
	}
	if _, err := c.ExecContext(context.Background(), "SELECT 1", nil); !errors.Is(err, ErrMisuse) {
		t.Errorf("Exec on a closed Conn: %v", err)
	}
	if _, err := c.Begin(); !errors.Is(err, ErrMisuse) {
		t.Errorf("Begin on a closed Conn: %v", err)
	}
	if err := c.Ping(context.Background()); err != driver.ErrBadConn {
		t.Errorf("Ping on a closed Conn: %v", err)
	}
	if _, ok := c.Notice(); ok {
		t.Error("Notice on a closed Conn")
	}
	c.Interrupt() // harmless
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestBadTextInput(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, "CREATE TABLE t (s TEXT)")
	// C would cut these at the NUL: refused instead of run truncated.
	if _, err := db.Exec("INSERT INTO t VALUES ('a')\x00; DROP TABLE t"); !errors.Is(err, ErrMisuse) {
		t.Errorf("SQL with a NUL byte: %v", err)
	}
	if _, err := db.Query("SELECT 1\x00"); !errors.Is(err, ErrMisuse) {
		t.Errorf("query with a NUL byte: %v", err)
	}
	bad, _ := sql.Open(DriverName, t.TempDir()+"\x00x")
	if err := bad.Ping(); !errors.Is(err, ErrMisuse) {
		t.Errorf("path with a NUL byte: %v", err)
	}
	bad.Close()
	// Invalid UTF-8 text parameters are refused by the library.
	if _, err := db.Exec("INSERT INTO t VALUES (?)", "bad \xff\xfe utf-8"); !errors.Is(err, ErrMisuse) {
		t.Errorf("invalid UTF-8 parameter: %v", err)
	}
	// A NUL inside a text parameter is data (length-delimited), not a cut.
	mustExec(t, db, "INSERT INTO t VALUES (?)", "a\x00b")
	if n := queryInt(t, db, "SELECT length(s) FROM t"); n != 3 {
		t.Errorf("length of 'a\\x00b' = %d, want 3", n)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}
