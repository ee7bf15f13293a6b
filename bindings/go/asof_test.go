// asof_test.go: time travel through the driver — AS OF SCN/TRANSACTION/
// TIMESTAMP in queries with parameters, and read-only transactions AS OF a
// point opened with AsOfSCN, AsOfTransaction and AsOfTime.

package heliosdb

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

func TestAsOf(t *testing.T) {
	db, _ := openDB(t, "")
	db.SetMaxOpenConns(1) // heliosdb_last_txid() is per connection
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE prices (id INTEGER PRIMARY KEY, price DECIMAL(10,2))")
	mustExec(t, db, "INSERT INTO prices VALUES (1, 9.99)")
	scn := queryInt(t, db, "SELECT heliosdb_current_scn()")
	txid := queryInt(t, db, "SELECT heliosdb_last_txid()")
	time.Sleep(5 * time.Millisecond)
	at := time.Now()
	time.Sleep(5 * time.Millisecond)
	mustExec(t, db, "UPDATE prices SET price = 12.49 WHERE id = 1")

	price := func(q string, args ...any) string {
		t.Helper()
		var p string
		if err := db.QueryRow(q, args...).Scan(&p); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return p
	}
	if p := price("SELECT price FROM prices WHERE id = 1"); p != "12.49" {
		t.Errorf("now: %s", p)
	}
	if p := price("SELECT price FROM prices AS OF SCN ? WHERE id = 1", scn); p != "9.99" {
		t.Errorf("AS OF SCN %d: %s", scn, p)
	}
	if p := price("SELECT price FROM prices AS OF TRANSACTION ? WHERE id = 1", txid); p != "9.99" {
		t.Errorf("AS OF TRANSACTION %d: %s", txid, p)
	}
	if p := price("SELECT price FROM prices AS OF TIMESTAMP ? WHERE id = 1", SQLTime(at)); p != "9.99" {
		t.Errorf("AS OF TIMESTAMP %s: %s", SQLTime(at), p)
	}

	for name, c := range map[string]context.Context{
		"AsOfSCN":         AsOfSCN(ctx, scn),
		"AsOfTransaction": AsOfTransaction(ctx, txid),
		"AsOfTime":        AsOfTime(ctx, at),
	} {
		tx, err := db.BeginTx(c, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var p string
		if err := tx.QueryRow("SELECT price FROM prices WHERE id = 1").Scan(&p); err != nil || p != "9.99" {
			t.Errorf("%s: price %q, %v; want 9.99", name, p, err)
		}
		if _, err := tx.Exec("UPDATE prices SET price = 0 WHERE id = 1"); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: write in an AS OF transaction: %v, want ErrReadOnly", name, err)
		}
		if err := tx.Commit(); err != nil {
			t.Errorf("%s: commit: %v", name, err)
		}
	}
	if p := price("SELECT price FROM prices WHERE id = 1"); p != "12.49" {
		t.Errorf("after AS OF transactions: %s", p)
	}
}

func TestReadOnlyTx(t *testing.T) {
	db, _ := openDB(t, "?busy_timeout=0")
	// A table without history: a read-only transaction is a snapshot, not AS OF.
	mustExec(t, db, "CREATE TABLE t (a INTEGER) WITH (time_travel = false)")
	mustExec(t, db, "INSERT INTO t VALUES (1)")
	ro, err := db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Rollback()
	// A read-only transaction does not hold the write lock...
	mustExec(t, db, "INSERT INTO t VALUES (2)")
	// ...reads one snapshot...
	if n := queryInt(t, ro, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("read-only transaction sees %d rows, want its snapshot's 1", n)
	}
	// ...and refuses writes.
	if _, err := ro.Exec("INSERT INTO t VALUES (3)"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write in a read-only transaction: %v", err)
	}
	if _, err := db.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelReadUncommitted}); err == nil {
		t.Error("READ UNCOMMITTED accepted")
	}
}
