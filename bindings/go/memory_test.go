// memory_test.go: 10,000 prepare/run/close cycles keep the Go heap and the
// process's resident memory (which includes the engine's C allocations)
// flat; statements dropped without Close are finalized by the cleanup
// backstop; closing a connection finalizes what is still open.

package heliosdb

import (
	"context"
	"database/sql/driver"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// rssBytes reads the resident set size from /proc/self/statm.
func rssBytes(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm:", err)
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func heapBytes() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func TestPrepareCloseLoopStaysFlat(t *testing.T) {
	db, _ := openDB(t, "")
	db.SetMaxOpenConns(1)
	mustExec(t, db, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, d DECIMAL(10,2))")
	mustExec(t, db, "INSERT INTO t VALUES (1, 'one', 1.50), (2, 'two', 2.50)")
	cycle := func(i int) {
		st, err := db.Prepare("SELECT a, b, d FROM t WHERE a = ?")
		if err != nil {
			t.Fatal(err)
		}
		var a int64
		var b, d string
		if err := st.QueryRow(1+i%2).Scan(&a, &b, &d); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3000 { // warm up caches and the allocator
		cycle(i)
	}
	// Resident memory moves by about a megabyte either way as allocators
	// settle; a leak grows steadily. Sample it as the 10,000 cycles run.
	heap0 := heapBytes()
	var rss [5]int64
	rss[0] = rssBytes(t)
	for q := 1; q <= 4; q++ {
		for i := range 2500 {
			cycle(i)
		}
		rss[q] = rssBytes(t)
	}
	heap1 := heapBytes()
	t.Logf("10,000 cycles: Go heap %+d bytes; RSS samples %v", heap1-heap0, rss)
	if d := heap1 - heap0; d > 1<<20 {
		t.Errorf("Go heap grew by %d bytes over 10,000 prepare/close cycles", d)
	}
	// A leak grows RSS in every quarter; allocator steps land in one or
	// another. So the least growth of the last three quarters is the leak's:
	// 600 bytes per statement would add 1.5 MB to each.
	least := rss[2] - rss[1]
	for q := 3; q <= 4; q++ {
		least = min(least, rss[q]-rss[q-1])
	}
	if least > 3<<19 {
		t.Errorf("RSS grew by at least %d bytes in each of the last three quarters of 2,500 prepare/close cycles (samples %v)", least, rss)
	}
	if d := rss[4] - rss[0]; d > 12<<20 {
		t.Errorf("RSS grew by %d bytes over 10,000 prepare/close cycles (samples %v)", d, rss)
	}
}

func TestCleanupFinalizesDroppedStatements(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 200 {
		if _, err := c.Prepare("SELECT 1"); err != nil { // dropped without Close
			t.Fatal(err)
		}
	}
	open := func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.stmts)
	}
	for i := 0; i < 20 && open() > 0; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if n := open(); n > 0 {
		t.Errorf("%d of 200 dropped statements still open after GC", n)
	}
	// Closed statements are forgotten at once.
	st, _ := c.Prepare("SELECT 1")
	st.Close()
	if n := open(); n != 0 {
		t.Errorf("%d statements registered after Close", n)
	}
}

func TestCloseFinalizesOpenStatements(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var kept []driver.Stmt
	for range 5 {
		st, err := c.PrepareContext(context.Background(), "SELECT 1")
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, st)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close with 5 open statements: %v", err)
	}
	for _, st := range kept {
		if err := st.Close(); err != nil {
			t.Errorf("Stmt.Close after the connection closed: %v", err)
		}
	}
}
