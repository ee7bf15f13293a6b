// helpers_test.go owns the tests' shared setup: a fresh database directory
// per test and small query helpers.

package heliosdb

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// openDB opens a sql.DB on a new directory (options appended to the DSN)
// and closes it when the test ends.
func openDB(t testing.TB, options string) (*sql.DB, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	db, err := sql.Open(DriverName, dir+options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db, dir
}

// writeConfig writes a heliosdb.toml for the test and returns its path.
func writeConfig(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "heliosdb.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustExec(t testing.TB, db interface {
	Exec(string, ...any) (sql.Result, error)
}, query string, args ...any) sql.Result {
	t.Helper()
	res, err := db.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

// queryInt runs a query returning one integer.
func queryInt(t testing.TB, db interface {
	QueryRow(string, ...any) *sql.Row
}, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
