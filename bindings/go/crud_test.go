// crud_test.go: create, insert, select, update, delete through database/sql,
// results (RowsAffected, LastInsertId), prepared statement reuse, scripts.

package heliosdb

import (
	"database/sql"
	"os"
	"testing"
)

func TestCRUD(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER)")

	res := mustExec(t, db, "INSERT INTO items (name, qty) VALUES (?, ?)", "apple", 3)
	if id, _ := res.LastInsertId(); id != 1 {
		t.Errorf("LastInsertId = %d, want 1", id)
	}
	res = mustExec(t, db, "INSERT INTO items (name, qty) VALUES (?, ?), (?, ?)", "pear", 5, "plum", 7)
	if n, _ := res.RowsAffected(); n != 2 {
		t.Errorf("RowsAffected = %d, want 2", n)
	}
	if id, _ := res.LastInsertId(); id != 3 {
		t.Errorf("LastInsertId = %d, want 3", id)
	}

	res = mustExec(t, db, "UPDATE items SET qty = qty + 10 WHERE qty > ?", 4)
	if n, _ := res.RowsAffected(); n != 2 {
		t.Errorf("UPDATE RowsAffected = %d, want 2", n)
	}
	res = mustExec(t, db, "DELETE FROM items WHERE name = ?", "apple")
	if n, _ := res.RowsAffected(); n != 1 {
		t.Errorf("DELETE RowsAffected = %d, want 1", n)
	}

	rows, err := db.Query("SELECT id, name, qty FROM items ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if cols, _ := rows.Columns(); len(cols) != 3 || cols[1] != "name" {
		t.Errorf("Columns = %v", cols)
	}
	type item struct {
		id   int64
		name string
		qty  int64
	}
	var got []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.id, &it.name, &it.qty); err != nil {
			t.Fatal(err)
		}
		got = append(got, it)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []item{{2, "pear", 15}, {3, "plum", 17}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

func TestPreparedReuseAndScripts(t *testing.T) {
	db, _ := openDB(t, "")
	// Exec without arguments runs a ';'-separated script.
	mustExec(t, db, "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT); CREATE INDEX kv_v ON kv (v); INSERT INTO kv VALUES (0, 'zero')")

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ins, err := tx.Prepare("INSERT INTO kv VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 100; i++ {
		if _, err := ins.Exec(i, "v"); err != nil {
			t.Fatal(err)
		}
	}
	ins.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	get, err := db.Prepare("SELECT v FROM kv WHERE k = ?")
	if err != nil {
		t.Fatal(err)
	}
	defer get.Close()
	for _, k := range []int{0, 50, 100} {
		var v string
		if err := get.QueryRow(k).Scan(&v); err != nil {
			t.Fatal(err)
		}
		want := "v"
		if k == 0 {
			want = "zero"
		}
		if v != want {
			t.Errorf("k=%d: v=%q want %q", k, v, want)
		}
	}
	if err := get.QueryRow(101).Scan(new(string)); err != sql.ErrNoRows {
		t.Errorf("missing key: err = %v, want sql.ErrNoRows", err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM kv"); n != 101 {
		t.Errorf("count = %d, want 101", n)
	}

	// Rollback discards.
	tx, _ = db.Begin()
	mustExec(t, tx, "DELETE FROM kv")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM kv"); n != 101 {
		t.Errorf("after rollback count = %d, want 101", n)
	}

	// A SELECT run through Exec changes nothing and says so.
	res := mustExec(t, db, "SELECT * FROM kv WHERE k = ?", 1)
	if n, _ := res.RowsAffected(); n != 0 {
		t.Errorf("SELECT RowsAffected = %d, want 0", n)
	}
}

func TestMemoryDSNSharedByPool(t *testing.T) {
	db, err := sql.Open(DriverName, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(4)
	mustExec(t, db, "CREATE TABLE m (a INTEGER)")
	// Hold one connection so the next statement uses another.
	c1, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	if _, err := c1.ExecContext(t.Context(), "INSERT INTO m VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	c2, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	var n int
	if err := c2.QueryRowContext(t.Context(), "SELECT count(*) FROM m").Scan(&n); err != nil || n != 1 {
		t.Errorf("second connection sees count=%d err=%v, want 1", n, err)
	}
}

func TestPreparedStatementSeesSchemaChange(t *testing.T) {
	db, _ := openDB(t, "")
	db.SetMaxOpenConns(1)
	mustExec(t, db, "CREATE TABLE s (a INTEGER PRIMARY KEY, b TEXT)")
	mustExec(t, db, "INSERT INTO s VALUES (1, 'x')")
	st, err := db.Prepare("SELECT * FROM s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cols := func() []string {
		rows, err := st.Query()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, _ := rows.Columns()
		vals := make([]any, len(c))
		ptrs := make([]any, len(c))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	if c := cols(); len(c) != 2 {
		t.Fatalf("columns before ALTER: %v", c)
	}
	mustExec(t, db, "ALTER TABLE s ADD COLUMN c INTEGER DEFAULT 7")
	if c := cols(); len(c) != 3 || c[2] != "c" {
		t.Errorf("columns after ALTER: %v, want a, b, c", c)
	}
}

func TestMemoryDSNRemovedByClose(t *testing.T) {
	conn, err := NewConnector(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	mustExec(t, db, "CREATE TABLE m (a INTEGER)")
	dir := conn.memDir
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("temporary directory %q: %v", dir, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary directory %q still there after DB.Close (%v)", dir, err)
	}
}
