// dates_test.go: DATE, DATETIME and TIMESTAMP columns read as time.Time in
// UTC (TIME stays text), time.Time parameters written as the engine's
// canonical UTC text, parse_time=false, legacy RFC 3339 text in TEXT
// columns, and the column type information.

package heliosdb

import (
	"reflect"
	"testing"
	"time"
)

const datesSchema = `CREATE TABLE ev (id INTEGER PRIMARY KEY,
	d DATE, tm TIME, ts TIMESTAMP, dt DATETIME, note TEXT)`

func TestDateColumnsReadAsTime(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, datesSchema)
	// Written as text with an offset and as Unix seconds: the engine stores UTC.
	mustExec(t, db, `INSERT INTO ev VALUES (1, '2026-01-05', '10:30:00',
		'2026-01-05T10:00:00.250+02:00', 1767571200, '2026-01-05 08:00:00')`)
	mustExec(t, db, "INSERT INTO ev (id) VALUES (2)")

	var (
		d, ts, dt time.Time
		tm, note  string
	)
	if err := db.QueryRow("SELECT d, tm, ts, dt, note FROM ev WHERE id = 1").Scan(&d, &tm, &ts, &dt, &note); err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want time.Time) {
		t.Helper()
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: read %v (%v), want %v in UTC", name, got, got.Location(), want)
		}
	}
	check("DATE", d, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	check("TIMESTAMP", ts, time.Date(2026, 1, 5, 8, 0, 0, 250e6, time.UTC))
	check("DATETIME", dt, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if tm != "10:30:00" {
		t.Errorf("TIME read %q, want the text", tm)
	}
	if note != "2026-01-05 08:00:00" {
		t.Errorf("TEXT holding a date read %q, want the text unchanged", note)
	}

	// Into any: time.Time for the date columns, string for TIME and TEXT.
	vals := make([]any, 5)
	ptrs := []any{&vals[0], &vals[1], &vals[2], &vals[3], &vals[4]}
	if err := db.QueryRow("SELECT d, tm, ts, dt, note FROM ev WHERE id = 1").Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	for i, want := range []reflect.Type{typeTime, typeString, typeTime, typeTime, typeString} {
		if reflect.TypeOf(vals[i]) != want {
			t.Errorf("column %d read as %T, want %v", i, vals[i], want)
		}
	}

	// NULL: sql.NullTime and *time.Time.
	var nd, nts *time.Time
	if err := db.QueryRow("SELECT d, ts FROM ev WHERE id = 2").Scan(&nd, &nts); err != nil || nd != nil || nts != nil {
		t.Errorf("NULL dates: %v %v %v", nd, nts, err)
	}

	// An expression has no declared type: text, as with mattn/go-sqlite3.
	var expr any
	if err := db.QueryRow("SELECT max(ts) FROM ev").Scan(&expr); err != nil || expr != "2026-01-05 08:00:00.250" {
		t.Errorf("max(ts) read %#v (%v), want the text", expr, err)
	}
}

func TestTimeParameters(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, datesSchema)
	at := time.Date(2026, 3, 1, 1, 30, 15, 123456789, time.FixedZone("X", -5*3600))
	mustExec(t, db, "INSERT INTO ev (id, d, ts, note) VALUES (1, ?, ?, ?)", at, at, at)
	mustExec(t, db, "INSERT INTO ev (id, ts, note) VALUES (2, ?, ?)",
		time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC))

	// The stored text is UTC; TIMESTAMP keeps milliseconds, DATE the day.
	var d, ts, note string
	if err := db.QueryRow("SELECT CAST(d AS TEXT), CAST(ts AS TEXT), note FROM ev WHERE id = 1").Scan(&d, &ts, &note); err != nil {
		t.Fatal(err)
	}
	if d != "2026-03-01" || ts != "2026-03-01 06:30:15.123" || note != "2026-03-01 06:30:15.123456789" {
		t.Errorf("stored d=%q ts=%q note=%q", d, ts, note)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM ev WHERE note = '2026-03-01 06:00:00'"); n != 1 {
		t.Errorf("a whole-second time is not stored without a fraction (%d rows match)", n)
	}

	// A time.Time parameter compares with a TIMESTAMP column in time order.
	var ids []int64
	rows, err := db.Query("SELECT id FROM ev WHERE ts > ? ORDER BY id", time.Date(2026, 3, 1, 6, 15, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != 1 {
		t.Errorf("ts > 06:15 matched %v, want [1]", ids)
	}

	var back time.Time
	if err := db.QueryRow("SELECT ts FROM ev WHERE id = 1").Scan(&back); err != nil || !back.Equal(at.Truncate(time.Millisecond)) {
		t.Errorf("TIMESTAMP round trip: %v %v, want %v", back, err, at.Truncate(time.Millisecond))
	}
}

func TestDateColumnsParseTimeOff(t *testing.T) {
	db, _ := openDB(t, "?parse_time=false")
	mustExec(t, db, datesSchema)
	mustExec(t, db, "INSERT INTO ev (id, d, ts) VALUES (1, '2026-01-05', '2026-01-05 10:00:00')")
	var d, ts any
	if err := db.QueryRow("SELECT d, ts FROM ev").Scan(&d, &ts); err != nil {
		t.Fatal(err)
	}
	if d != "2026-01-05" || ts != "2026-01-05 10:00:00" {
		t.Errorf("parse_time=false read %#v %#v, want the text", d, ts)
	}
}

func TestLegacyRFC3339Text(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, "CREATE TABLE t (s TEXT)")
	mustExec(t, db, "INSERT INTO t VALUES ('2024-12-31T22:59:59.5Z'), ('2024-12-31 22:59:59')")
	rows, err := db.Query("SELECT s FROM t ORDER BY s DESC")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []any
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	want := []any{time.Date(2024, 12, 31, 22, 59, 59, 5e8, time.UTC), "2024-12-31 22:59:59"}
	if len(got) != 2 || !got[0].(time.Time).Equal(want[0].(time.Time)) || got[1] != want[1] {
		t.Errorf("TEXT column read %#v, want %v", got, want)
	}
}

func TestDateColumnTypes(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, datesSchema)
	rows, err := db.Query("SELECT d, tm, ts, dt FROM ev")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"DATE", "TIME", "TIMESTAMP", "DATETIME"}
	scans := []reflect.Type{typeTime, typeString, typeTime, typeTime}
	for i, ct := range cts {
		if ct.DatabaseTypeName() != names[i] || ct.ScanType() != scans[i] {
			t.Errorf("column %d: %s %v, want %s %v", i, ct.DatabaseTypeName(), ct.ScanType(), names[i], scans[i])
		}
	}
}
