// bench_test.go compares the Go driver of HeliosDB-Lite with
// github.com/mattn/go-sqlite3 side by side, through database/sql, on the
// same schema and data: inserts in a transaction, point lookups by primary
// key, and a GROUP BY over 10,000 rows. Run (see ../BENCHMARKS.md):
//
//	cd bindings/go/bench && go test -bench . -benchtime 2s -count 3
//
// This module is separate from the driver's so that the driver keeps no
// third-party dependency.
package bench

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"

	_ "github.com/heliosdb/heliosdb-lite/bindings/go"
	_ "github.com/mattn/go-sqlite3"
)

const rowsN = 10000

// cpuNanos is the CPU time (user + system) the whole process has used:
// every thread, including the engines' background threads and Go's GC.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// measure resets the timer and returns a function that stops it and
// reports the CPU time per op ("cpu-ns/op") beside the wall time. On a
// shared, loaded machine the CPU time is the steadier figure.
func measure(b *testing.B) func() {
	b.Helper()
	start := cpuNanos()
	b.ResetTimer()
	return func() {
		b.StopTimer()
		b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
	}
}

// engine opens a fresh database of one kind in dir. Both run with
// comparable durability: HeliosDB's default hands the journal to the OS at
// each commit without fsync; SQLite in WAL mode with synchronous=NORMAL
// does the same.
type engine struct {
	name string
	open func(dir string) (*sql.DB, error)
}

var engines = []engine{
	{"heliosdb", func(dir string) (*sql.DB, error) {
		return sql.Open("heliosdb", filepath.Join(dir, "db"))
	}},
	{"sqlite", func(dir string) (*sql.DB, error) {
		return sql.Open("sqlite3", "file:"+filepath.Join(dir, "db.sqlite")+"?_journal_mode=WAL&_synchronous=NORMAL")
	}},
}

const schema = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, price REAL NOT NULL, qty INTEGER NOT NULL)"

const insertSQL = "INSERT INTO items (id, name, category, price, qty) VALUES (?, ?, ?, ?, ?)"

func open(b *testing.B, e engine) *sql.DB {
	b.Helper()
	db, err := e.open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schema); err != nil {
		b.Fatal(err)
	}
	return db
}

// fill inserts ids [from, to) in transactions of 1,000 rows.
func fill(b *testing.B, db *sql.DB, from, to int) {
	b.Helper()
	var tx *sql.Tx
	var ins *sql.Stmt
	var err error
	for id := from; id < to; id++ {
		if tx == nil {
			if tx, err = db.Begin(); err != nil {
				b.Fatal(err)
			}
			if ins, err = tx.Prepare(insertSQL); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := ins.Exec(id, fmt.Sprintf("item %d", id), fmt.Sprintf("cat%d", id%10), float64(id%1000)/4, id%97); err != nil {
			b.Fatal(err)
		}
		if (id+1-from)%1000 == 0 || id == to-1 {
			ins.Close()
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			tx = nil
		}
	}
}

// BenchmarkInsertTx: one op = one row inserted with a prepared statement,
// committed in transactions of 1,000 rows.
func BenchmarkInsertTx(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := open(b, e)
			done := measure(b)
			fill(b, db, 0, b.N)
			done()
		})
	}
}

// BenchmarkPointLookup: one op = one row read by primary key through a
// prepared statement (QueryRow + Scan of two columns).
func BenchmarkPointLookup(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := open(b, e)
			fill(b, db, 0, rowsN)
			get, err := db.Prepare(lookupSQL)
			if err != nil {
				b.Fatal(err)
			}
			defer get.Close()
			lookups(b, func(id int) *sql.Row { return get.QueryRow(id) })
		})
	}
}

const lookupSQL = "SELECT name, price FROM items WHERE id = ?"

// lookups times b.N point lookups; row runs the query for one id.
func lookups(b *testing.B, row func(id int) *sql.Row) {
	var name string
	var price float64
	done := measure(b)
	for i := 0; i < b.N; i++ {
		if err := row((i*7919)%rowsN).Scan(&name, &price); err != nil {
			b.Fatal(err)
		}
	}
	done()
}

// BenchmarkPointLookupC: the same lookups in C alone through libheliosdb's
// ABI (no Go, no database/sql): the engine's share of PointLookup/heliosdb.
func BenchmarkPointLookupC(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "db")
	db, err := sql.Open("heliosdb", path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(schema); err != nil {
		b.Fatal(err)
	}
	fill(b, db, 0, rowsN)
	db.Close()
	raw, err := openRawLookup(path)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.close()
	done := measure(b)
	if err := raw.run(b.N, rowsN); err != nil {
		b.Fatal(err)
	}
	done()
}

// BenchmarkPointLookupUnprepared: as PointLookup, with the SQL text given
// each time (database/sql prepares and finalizes per call).
func BenchmarkPointLookupUnprepared(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := open(b, e)
			fill(b, db, 0, rowsN)
			lookups(b, func(id int) *sql.Row { return db.QueryRow(lookupSQL, id) })
		})
	}
}

// BenchmarkGroupBy: one op = a GROUP BY over 10,000 rows into 10 groups,
// every result row scanned.
func BenchmarkGroupBy(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := open(b, e)
			fill(b, db, 0, rowsN)
			q, err := db.Prepare("SELECT category, count(*), sum(price), avg(qty) FROM items GROUP BY category")
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			done := measure(b)
			for i := 0; i < b.N; i++ {
				rows, err := q.Query()
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var cat string
					var count int64
					var sum, avg float64
					if err := rows.Scan(&cat, &count, &sum, &avg); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := rows.Err(); err != nil || n != 10 {
					b.Fatalf("%d groups, %v", n, err)
				}
			}
			done()
		})
	}
}
