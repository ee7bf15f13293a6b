// types_test.go: every Go type through parameters and results (int64,
// float64, string, []byte, bool, nil, time.Time), DECIMAL exactness,
// Valuer/Scanner round trips, named and numbered parameters, column types.

package heliosdb

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

const typesSchema = `CREATE TABLE v (
	id INTEGER PRIMARY KEY, i BIGINT, f REAL, s TEXT, b BLOB, ok BOOLEAN,
	d DECIMAL(28,2), ts TIMESTAMP, a ANY)`

func TestTypesRoundTrip(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, typesSchema)
	// TIMESTAMP keeps milliseconds.
	when := time.Date(2024, 12, 31, 23, 59, 59, 123000000, time.FixedZone("CET", 3600))
	blob := []byte{0, 1, 2, 0xff, 0}
	mustExec(t, db, "INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		1, int64(math.MinInt64), 1.25e-300, "héllo\x00wörld", blob, true,
		"12345678901234567890123456.78", when, int64(42))
	mustExec(t, db, "INSERT INTO v VALUES (2, ?, ?, ?, ?, ?, ?, ?, ?)",
		int64(math.MaxInt64), -0.5, "", []byte{}, false, "-0.05", "2024-01-05", "text in ANY")
	mustExec(t, db, "INSERT INTO v VALUES (3, ?, ?, ?, ?, ?, ?, ?, ?)", nil, nil, nil, []byte(nil), nil, nil, nil, nil)

	var (
		i  int64
		f  float64
		s  string
		b  []byte
		ok bool
		d  string
		ts time.Time
		a  any
	)
	row := db.QueryRow("SELECT i, f, s, b, ok, d, ts, a FROM v WHERE id = 1")
	if err := row.Scan(&i, &f, &s, &b, &ok, &d, &ts, &a); err != nil {
		t.Fatal(err)
	}
	if i != math.MinInt64 || f != 1.25e-300 || s != "héllo\x00wörld" || !bytes.Equal(b, blob) || !ok {
		t.Errorf("row 1: i=%d f=%g s=%q b=%x ok=%v", i, f, s, b, ok)
	}
	if d != "12345678901234567890123456.78" {
		t.Errorf("DECIMAL read %q, want the exact digits", d)
	}
	if !ts.Equal(when) || ts.Location() != time.UTC {
		t.Errorf("time read %v (%v), want %v in UTC", ts, ts.Location(), when)
	}
	if a != int64(42) {
		t.Errorf("ANY read %#v, want int64(42)", a)
	}

	// The stored form of a time.Time is the engine's TIMESTAMP text in UTC.
	if n := queryInt(t, db, "SELECT count(*) FROM v WHERE ts = '2024-12-31 22:59:59.123'"); n != 1 {
		t.Errorf("the stored time text is not 'YYYY-MM-DD HH:MM:SS.SSS' in UTC (%d rows match)", n)
	}

	// A TIMESTAMP scanned into a string gives database/sql's RFC 3339 form.
	var tsText string
	row = db.QueryRow("SELECT i, f, s, b, ok, d, ts, a FROM v WHERE id = 2")
	if err := row.Scan(&i, &f, &s, &b, &ok, &d, &tsText, &a); err != nil {
		t.Fatal(err)
	}
	if i != math.MaxInt64 || f != -0.5 || s != "" || b == nil || len(b) != 0 || ok || d != "-0.05" || tsText != "2024-01-05T00:00:00Z" || a != "text in ANY" {
		t.Errorf("row 2: i=%d f=%g s=%q b=%#v ok=%v d=%q ts=%q a=%#v", i, f, s, b, ok, d, tsText, a)
	}
	// "" and an empty blob are values, not NULL.
	if n := queryInt(t, db, "SELECT count(*) FROM v WHERE s IS NOT NULL AND b IS NOT NULL"); n != 2 {
		t.Errorf("non-NULL s and b: %d rows, want 2", n)
	}

	// Row 3: NULL in every column, through the sql.Null* types.
	var (
		ni  sql.NullInt64
		nf  sql.NullFloat64
		ns  sql.NullString
		nb  []byte
		nok sql.NullBool
		nd  sql.NullString
		nts sql.NullTime
		na  any
	)
	row = db.QueryRow("SELECT i, f, s, b, ok, d, ts, a FROM v WHERE id = 3")
	if err := row.Scan(&ni, &nf, &ns, &nb, &nok, &nd, &nts, &na); err != nil {
		t.Fatal(err)
	}
	if ni.Valid || nf.Valid || ns.Valid || nb != nil || nok.Valid || nd.Valid || nts.Valid || na != nil {
		t.Errorf("row 3 should be all NULL: %v %v %v %v %v %v %v %v", ni, nf, ns, nb, nok, nd, nts, na)
	}

	// DECIMAL also scans into float64 (approximately) and sums exactly.
	var df float64
	if err := db.QueryRow("SELECT d FROM v WHERE id = 2").Scan(&df); err != nil || df != -0.05 {
		t.Errorf("DECIMAL into float64: %v %v", df, err)
	}
}

func TestParseTimeOff(t *testing.T) {
	db, _ := openDB(t, "?parse_time=false")
	mustExec(t, db, "CREATE TABLE t (ts TEXT)")
	mustExec(t, db, "INSERT INTO t VALUES (?)", time.Unix(0, 0))
	var v any
	if err := db.QueryRow("SELECT ts FROM t").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "1970-01-01 00:00:00" {
		t.Errorf("parse_time=false read %#v, want the text", v)
	}
}

// money is a Valuer/Scanner stored as DECIMAL text.
type money struct{ cents int64 }

func (m money) Value() (driver.Value, error) {
	return fmt.Sprintf("%d.%02d", m.cents/100, m.cents%100), nil
}

func (m *money) Scan(src any) error {
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("money: got %T", src)
	}
	whole, frac, _ := strings.Cut(s, ".")
	var w, f int64
	if _, err := fmt.Sscan(whole, &w); err != nil {
		return err
	}
	if frac != "" {
		if _, err := fmt.Sscan((frac + "0")[:2], &f); err != nil {
			return err
		}
	}
	m.cents = w*100 + f
	return nil
}

func TestValuerScanner(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, "CREATE TABLE acct (id INTEGER PRIMARY KEY, bal DECIMAL(15,2))")
	mustExec(t, db, "INSERT INTO acct VALUES (1, ?), (2, ?)", money{1050}, money{99999})
	var sum money
	if err := db.QueryRow("SELECT bal FROM acct WHERE id = 2").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum.cents != 99999 {
		t.Errorf("money round trip: %d cents, want 99999", sum.cents)
	}
	var total string
	if err := db.QueryRow("SELECT sum(bal) FROM acct").Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != "1010.49" {
		t.Errorf("sum of DECIMAL = %q, want 1010.49", total)
	}
}

func TestParameters(t *testing.T) {
	db, _ := openDB(t, "")
	var a, b, c string
	err := db.QueryRow("SELECT :x, @y, $z", sql.Named("z", "Z"), sql.Named("x", "X"), sql.Named("y", "Y")).Scan(&a, &b, &c)
	if err != nil || a != "X" || b != "Y" || c != "Z" {
		t.Errorf("named: %q %q %q %v", a, b, c, err)
	}
	err = db.QueryRow("SELECT ?2, ?1, ?2", "one", "two").Scan(&a, &b, &c)
	if err != nil || a != "two" || b != "one" || c != "two" {
		t.Errorf("numbered: %q %q %q %v", a, b, c, err)
	}
	// A named parameter used twice is one slot.
	var n int64
	if err := db.QueryRow("SELECT :n + :n", sql.Named("n", 21)).Scan(&n); err != nil || n != 42 {
		t.Errorf(":n + :n = %d, %v", n, err)
	}
	if err := db.QueryRow("SELECT :x", sql.Named("nope", 1)).Scan(&a); err == nil {
		t.Error("unknown parameter name: no error")
	}
	if err := db.QueryRow("SELECT ?, ?", 1).Scan(&a, &b); err == nil {
		t.Error("too few arguments: no error")
	}
	if _, err := db.Exec("SELECT ?", struct{}{}); err == nil {
		t.Error("unsupported argument type: no error")
	}
	// Reusing a prepared statement with named arguments starts from NULLs.
	st, err := db.Prepare("SELECT coalesce(:a, 'null'), coalesce(:b, 'null')")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.QueryRow(sql.Named("a", "1"), sql.Named("b", "2")).Scan(&a, &b); err != nil || a != "1" || b != "2" {
		t.Errorf("first: %q %q %v", a, b, err)
	}
}

func TestColumnTypes(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, typesSchema)
	rows, err := db.Query("SELECT id, i, f, s, b, ok, d, a, id + 1 AS expr FROM v")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, db string
		scan     reflect.Type
	}{
		{"id", "INTEGER", typeInt64}, {"i", "INTEGER", typeInt64}, {"f", "REAL", typeFloat64},
		{"s", "TEXT", typeString}, {"b", "BLOB", typeBytes}, {"ok", "BOOLEAN", typeBool},
		{"d", "DECIMAL", typeString}, {"a", "ANY", typeAny}, {"expr", "", typeAny},
	}
	if len(cts) != len(want) {
		t.Fatalf("%d column types, want %d", len(cts), len(want))
	}
	for i, w := range want {
		ct := cts[i]
		if ct.Name() != w.name || ct.DatabaseTypeName() != w.db || ct.ScanType() != w.scan {
			t.Errorf("column %d: %s %q %v, want %s %q %v", i, ct.Name(), ct.DatabaseTypeName(), ct.ScanType(), w.name, w.db, w.scan)
		}
	}
	if p, s, ok := cts[6].DecimalSize(); !ok || p != 28 || s != 2 {
		t.Errorf("DecimalSize = %d, %d, %v; want 28, 2, true", p, s, ok)
	}
	if _, _, ok := cts[1].DecimalSize(); ok {
		t.Error("DecimalSize ok for an integer column")
	}
}

func TestTimeScanner(t *testing.T) {
	db, _ := openDB(t, "")
	mustExec(t, db, "CREATE TABLE ev (id INTEGER PRIMARY KEY, at TEXT, n INTEGER)")
	want := time.Date(2024, 12, 31, 23, 59, 59, 500000000, time.UTC)
	mustExec(t, db, "INSERT INTO ev VALUES (1, ?, NULL)", Time{Time: want, Valid: true})
	mustExec(t, db, "INSERT INTO ev VALUES (2, datetime(?), ?)", "2024-12-31 23:59:59", want.Unix())
	mustExec(t, db, "INSERT INTO ev VALUES (3, ?, NULL)", Time{})
	mustExec(t, db, "INSERT INTO ev VALUES (4, 'not a time', NULL)")
	var got Time
	if err := db.QueryRow("SELECT at FROM ev WHERE id = 1").Scan(&got); err != nil || !got.Valid || !got.Time.Equal(want) {
		t.Errorf("RFC 3339: %v %v", got, err)
	}
	if err := db.QueryRow("SELECT at FROM ev WHERE id = 2").Scan(&got); err != nil || !got.Time.Equal(want.Truncate(time.Second)) {
		t.Errorf("engine text: %v %v", got, err)
	}
	if err := db.QueryRow("SELECT n FROM ev WHERE id = 2").Scan(&got); err != nil || !got.Time.Equal(want.Truncate(time.Second)) {
		t.Errorf("Unix seconds: %v %v", got, err)
	}
	if err := db.QueryRow("SELECT at FROM ev WHERE id = 3").Scan(&got); err != nil || got.Valid {
		t.Errorf("NULL: %v %v", got, err)
	}
	if err := db.QueryRow("SELECT at FROM ev WHERE id = 4").Scan(&got); err == nil {
		t.Error("'not a time' scanned without error")
	}
}
