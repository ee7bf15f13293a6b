// columns.go owns what the binding knows of a statement's result columns
// (names, declared types, how each maps to Go) and the conversion of one C
// value to a driver.Value.

package heliosdb

import (
	"reflect"
	"strconv"
	"strings"
	"time"
)

// colKind is how a declared type maps to Go.
type colKind uint8

const (
	kindAny     colKind = iota // no declared type (expression) or ANY
	kindInteger                // int64
	kindReal                   // float64
	kindText                   // string
	kindBlob                   // []byte
	kindBool                   // bool (BOOLEAN, stored as 0/1)
	kindDecimal                // string with the exact digits
	kindTime                   // time.Time (DATE, DATETIME, TIMESTAMP: UTC text)
)

var (
	typeInt64   = reflect.TypeFor[int64]()
	typeFloat64 = reflect.TypeFor[float64]()
	typeString  = reflect.TypeFor[string]()
	typeBytes   = reflect.TypeFor[[]byte]()
	typeBool    = reflect.TypeFor[bool]()
	typeAny     = reflect.TypeFor[any]()
	typeTime    = reflect.TypeFor[time.Time]()
)

func (k colKind) scanType() reflect.Type {
	switch k {
	case kindInteger:
		return typeInt64
	case kindReal:
		return typeFloat64
	case kindText, kindDecimal:
		return typeString
	case kindBlob:
		return typeBytes
	case kindBool:
		return typeBool
	case kindTime:
		return typeTime
	}
	return typeAny
}

// columns describes a statement's result columns.
type columns struct {
	rawNames, rawDecls []*cChar // the library's pointers, to notice a change
	names              []string
	types              []string // DatabaseTypeName
	kinds              []colKind
	precision, scale   []int64
	wanttext           []byte // 1 for DECIMAL columns: read their exact text
}

// loadColumns reads the statement's column names and declared types,
// reusing prev when the library returns the same pointers (names and
// decltypes change only when a schema change re-plans the statement).
func loadColumns(st *cStmt, n int, prev *columns) *columns {
	names := make([]*cChar, n)
	decls := make([]*cChar, n)
	cColumns(st, names, decls)
	if prev != nil && samePtrs(prev.rawNames, names) && samePtrs(prev.rawDecls, decls) {
		return prev
	}
	c := &columns{
		rawNames: names, rawDecls: decls,
		names: make([]string, n), types: make([]string, n), kinds: make([]colKind, n),
		precision: make([]int64, n), scale: make([]int64, n), wanttext: make([]byte, n),
	}
	for i := range n {
		c.names[i] = goStr(names[i])
		c.types[i], c.kinds[i], c.precision[i], c.scale[i] = classify(goStr(decls[i]))
		if c.kinds[i] == kindDecimal {
			c.wanttext[i] = 1
		}
	}
	return c
}

func samePtrs(a, b []*cChar) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// classify maps a declared type ("DECIMAL(15,2)", "varchar(20)", …) to its
// DatabaseTypeName, Go kind and, for DECIMAL, precision and scale.
func classify(decl string) (name string, kind colKind, precision, scale int64) {
	decl = strings.ToUpper(strings.TrimSpace(decl))
	name, args, _ := strings.Cut(decl, "(")
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", kindAny, 0, 0
	case strings.HasPrefix(name, "DECIMAL") || strings.HasPrefix(name, "NUMERIC"):
		// DECIMAL alone is DECIMAL(28,0).
		precision, scale = 28, 0
		if args != "" {
			p, s, _ := strings.Cut(strings.TrimSuffix(strings.TrimSpace(args), ")"), ",")
			if v, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil {
				precision = v
			}
			if v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				scale = v
			}
		}
		return name, kindDecimal, precision, scale
	case name == "DATE" || name == "DATETIME" || name == "TIMESTAMP":
		// As mattn/go-sqlite3: these read as time.Time; TIME stays text.
		return name, kindTime, 0, 0
	case name == "TIME":
		return name, kindText, 0, 0
	case strings.HasPrefix(name, "BOOL"):
		return name, kindBool, 0, 0
	case strings.Contains(name, "INT"):
		return name, kindInteger, 0, 0
	case strings.Contains(name, "CHAR") || strings.Contains(name, "TEXT") || strings.Contains(name, "CLOB"):
		return name, kindText, 0, 0
	case strings.Contains(name, "BLOB"):
		return name, kindBlob, 0, 0
	case strings.Contains(name, "REAL") || strings.Contains(name, "FLOA") || strings.Contains(name, "DOUB"):
		return name, kindReal, 0, 0
	}
	return name, kindAny, 0, 0
}

// convert copies column i's value out of C memory as a driver.Value.
func (c *columns) convert(i int, v *cValue, parseTime bool) any {
	switch int(v._type) {
	case colInteger:
		if c.kinds[i] == kindBool {
			return v.i != 0
		}
		return int64(v.i)
	case colFloat:
		if c.kinds[i] == kindDecimal && v.p != nil {
			return valueString(v)
		}
		return float64(v.d)
	case colText:
		s := valueString(v)
		if parseTime {
			if c.kinds[i] == kindTime {
				if t, ok := parseEngineTime(s); ok {
					return t
				}
			} else if t, ok := parseStoredTime(s); ok {
				return t
			}
		}
		return s
	case colBlob:
		return valueBytes(v)
	}
	return nil
}

// timeFormat is how a time.Time parameter is written: the engine's
// canonical TIMESTAMP text in UTC, with the fraction's trailing zeros (and
// a zero fraction) dropped — mattn/go-sqlite3's first format without the
// zone. DATE/TIMESTAMP/DATETIME columns accept it, and it compares and
// sorts like the engine's own text.
const timeFormat = "2006-01-02 15:04:05.999999999"

// formatTime is how a time.Time parameter is stored.
func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// parseEngineTime reads a DATE, DATETIME or TIMESTAMP column's text
// ('YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.SSS]', all UTC) as a time.Time in
// UTC; other text the column may hold in SQLite's forms too.
func parseEngineTime(s string) (time.Time, bool) {
	for _, layout := range engineLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseStoredTime recognizes, in columns of other types, the RFC 3339 UTC
// text earlier versions of the driver wrote for a time.Time, in exactly
// that form (so that scanning it into a string returns the stored text
// unchanged).
func parseStoredTime(s string) (time.Time, bool) {
	// Cheap shape check first: "YYYY-MM-DDTHH:MM:SS…Z".
	if len(s) < 20 || len(s) > 30 || s[4] != '-' || s[10] != 'T' || s[len(s)-1] != 'Z' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Format(time.RFC3339Nano) != s {
		return time.Time{}, false
	}
	return t, true
}
