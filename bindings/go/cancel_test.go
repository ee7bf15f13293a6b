// cancel_test.go: context cancellation and deadlines stop a running
// statement through heliosdb_interrupt, return the context's error
// promptly, change nothing, and leave the connection usable.

package heliosdb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// longQuery counts to a billion (minutes of work) unless interrupted.
const longQuery = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000) SELECT count(*) FROM n"

func TestCancelLongQuery(t *testing.T) {
	db, _ := openDB(t, "")
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	var n int64
	err = conn.QueryRowContext(ctx, longQuery).Scan(&n)
	elapsed := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled query: err = %v, want context.Canceled", err)
	}
	if elapsed > 3*time.Second {
		t.Errorf("cancellation took %v", elapsed)
	}
	// The same connection runs the next statement normally.
	if err := conn.QueryRowContext(context.Background(), "SELECT 41 + 1").Scan(&n); err != nil || n != 42 {
		t.Errorf("after cancel: %d, %v", n, err)
	}

	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	_, err = conn.ExecContext(dctx, longQuery)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: err = %v, want context.DeadlineExceeded", err)
	}
	if err := conn.PingContext(context.Background()); err != nil {
		t.Errorf("ping after deadline: %v", err)
	}
}

func TestCancelledWriteChangesNothing(t *testing.T) {
	db, _ := openDB(t, "")
	db.SetMaxOpenConns(1)
	mustExec(t, db, "CREATE TABLE t (x INTEGER)")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := db.ExecContext(ctx, "INSERT INTO t "+longQuery[:len(longQuery)-len("SELECT count(*) FROM n")]+"SELECT x FROM n")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("interrupted INSERT left %d rows", n)
	}
}

func TestCancelBeforeStart(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, "CREATE TABLE t (x INTEGER)")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.ExecContext(ctx, "INSERT INTO t VALUES (1)"); !errors.Is(err, context.Canceled) {
		t.Errorf("exec with a cancelled context: %v", err)
	}
	if _, err := db.QueryContext(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
		t.Errorf("query with a cancelled context: %v", err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("a statement with a cancelled context ran (%d rows)", n)
	}
}

func TestDirectInterrupt(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.AfterFunc(100*time.Millisecond, c.Interrupt)
	_, err = c.ExecContext(context.Background(), longQuery, nil)
	if !errors.Is(err, ErrInterrupt) {
		t.Errorf("Interrupt: err = %v, want ErrInterrupt", err)
	}
	if _, err := c.ExecContext(context.Background(), "SELECT 1", nil); err != nil {
		t.Errorf("after Interrupt: %v", err)
	}
}
