// Package heliosdb is the Go binding of HeliosDB-Lite, an embedded SQL
// database: a database/sql driver registered as "heliosdb" plus a small
// direct API (Conn.Notice, Conn.Interrupt, Conn.QueryJSON, AsOf* contexts).
//
// It calls the C ABI of include/heliosdb.h through cgo and, by default,
// links target/release/libheliosdb.a statically (build tag
// heliosdb_dynamic links libheliosdb.so instead).
//
//	db, err := sql.Open("heliosdb", "./data?busy_timeout=5000")
//
// Type mapping (Go -> SQL): int64 and other integers -> INTEGER, float64 ->
// REAL, bool -> 0/1 (BOOLEAN), string -> TEXT, []byte -> BLOB (nil []byte ->
// NULL), nil -> NULL, time.Time -> TEXT 'YYYY-MM-DD HH:MM:SS[.fff…]' in UTC.
// SQL -> Go: INTEGER -> int64, REAL -> float64, TEXT -> string, DATE,
// DATETIME and TIMESTAMP -> time.Time in UTC (as mattn/go-sqlite3; TIME
// stays a string; parse_time=false keeps them all strings), BLOB -> []byte,
// BOOLEAN -> bool, DECIMAL/NUMERIC -> string with the exact digits, NULL ->
// nil.
//
// See README.md for DSN options, errors and threading rules.
package heliosdb
