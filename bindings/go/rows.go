// rows.go owns Rows, the result of a query: walking the materialized rows,
// copying each value out of C before the next step, and the column type
// information (DatabaseTypeName, ScanType, DECIMAL precision and scale).

package heliosdb

import (
	"database/sql/driver"
	"io"
	"reflect"
	"runtime"
)

// Rows is the result of a query. The first step (in Query) ran the
// statement; Next walks its rows.
type Rows struct {
	s       *Stmt
	owns    bool // finalize the statement on Close (one-off Conn.Query)
	cols    *columns
	vals    []cValue
	pending bool // vals holds a row Next has not returned yet
	done    bool
	closed  bool
}

var (
	_ driver.Rows                           = (*Rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*Rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*Rows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*Rows)(nil)
)

// Columns returns the result column names.
func (r *Rows) Columns() []string { return r.cols.names }

// Close resets the statement (or finalizes it, for a one-off query).
func (r *Rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.owns {
		return r.s.Close()
	}
	if !r.s.closed {
		cReset(r.s.st)
	}
	return nil
}

// Next copies the next row into dest.
func (r *Rows) Next(dest []driver.Value) error {
	if r.closed || r.done {
		return io.EOF
	}
	if !r.pending {
		rc, err := cStep(r.s.c.db, r.s.st, r.vals, r.cols.wanttext)
		runtime.KeepAlive(r.s)
		if err != nil {
			return err
		}
		if rc == codeDone {
			r.done = true
			return io.EOF
		}
	}
	r.pending = false
	parseTime := r.s.c.parseTime
	for i := range dest {
		if i >= len(r.vals) {
			dest[i] = nil
			continue
		}
		dest[i] = r.cols.convert(i, &r.vals[i], parseTime)
	}
	return nil
}

// ColumnTypeDatabaseTypeName is the declared type without its length or
// precision ("INTEGER", "DECIMAL", "BOOLEAN", …), "" for expressions.
func (r *Rows) ColumnTypeDatabaseTypeName(i int) string { return r.cols.types[i] }

// ColumnTypeScanType is the Go type Next stores for the declared type
// (interface{} when the column has none: expressions, ANY).
func (r *Rows) ColumnTypeScanType(i int) reflect.Type { return r.cols.kinds[i].scanType() }

// ColumnTypePrecisionScale gives DECIMAL(p,s)'s p and s.
func (r *Rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	c := r.cols
	if c.kinds[i] != kindDecimal {
		return 0, 0, false
	}
	return c.precision[i], c.scale[i], true
}
