// stmt.go owns Stmt, one prepared statement: binding driver.NamedValue
// arguments (positional and named), Exec, Query, and finalization on Close
// with a runtime cleanup as a backstop.

package heliosdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"runtime"
	"time"
	"unsafe"
)

// Stmt is a prepared statement. Use it from one goroutine at a time (as
// database/sql does).
type Stmt struct {
	c        *Conn
	st       *cStmt
	ncol     int
	nparam   int
	readonly bool
	closed   bool
	cleanup  runtime.Cleanup
	names    map[string]int // parameter name without prefix -> index, built on first use
	cols     *columns       // column names and types, cached across runs

	// Buffers reused by every run (database/sql never has two result sets
	// of one statement open at once).
	vals                       []cValue
	scratchNames, scratchDecls []*cChar
}

var (
	_ driver.Stmt             = (*Stmt)(nil)
	_ driver.StmtExecContext  = (*Stmt)(nil)
	_ driver.StmtQueryContext = (*Stmt)(nil)
)

// stmtRef is what a Stmt's cleanup needs, without the Stmt itself (a
// cleanup must not keep its object reachable).
type stmtRef struct {
	c  *Conn
	st *cStmt
}

func newStmt(c *Conn, st *cStmt, ncol, nparam int, ro bool) *Stmt {
	s := &Stmt{c: c, st: st, ncol: ncol, nparam: nparam, readonly: ro}
	// Backstop only: a Stmt dropped without Close is finalized when
	// collected. Close (or the connection's Close) is the normal path.
	s.cleanup = runtime.AddCleanup(s, func(r stmtRef) { r.c.finalize(r.st) }, stmtRef{c, st})
	return s
}

// Close finalizes the statement. Closing twice is a no-op.
func (s *Stmt) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.cleanup.Stop()
	s.c.finalize(s.st)
	return nil
}

// NumInput is the number of parameter slots (the largest parameter number).
func (s *Stmt) NumInput() int { return s.nparam }

// Exec runs the statement with positional arguments.
func (s *Stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

// Query runs the statement with positional arguments.
func (s *Stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

func valuesToNamed(args []driver.Value) []driver.NamedValue {
	named := make([]driver.NamedValue, len(args))
	for i, v := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return named
}

// ExecContext binds args, runs the statement to completion and resets it.
// RowsAffected is 0 for read-only statements.
func (s *Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.closed {
		return nil, errStmtClosed
	}
	if err := s.bind(args); err != nil {
		return nil, err
	}
	stop := s.c.watch(ctx)
	changes, rowid, err := cRun(s.c.db, s.st)
	if stop != nil {
		stop()
	}
	runtime.KeepAlive(s)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	if s.readonly {
		changes = 0
	}
	return result{changes: changes, rowid: rowid}, nil
}

// QueryContext binds args, runs the statement and returns its rows; the
// statement stays open when the rows close.
func (s *Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.query(ctx, args, false)
}

var errStmtClosed = &Error{Code: 21, Msg: "statement is closed"}

// query runs the statement: its first step computes every row, under ctx's
// cancellation; later steps only walk the rows. owns: the rows finalize the
// statement when they close (Conn.QueryContext).
func (s *Stmt) query(ctx context.Context, args []driver.NamedValue, owns bool) (*Rows, error) {
	if s.closed {
		return nil, errStmtClosed
	}
	if err := s.bind(args); err != nil {
		return nil, err
	}
	if s.cols == nil {
		s.cols = loadColumns(s.st, s.ncol, nil)
	}
	n := len(s.cols.names)
	if cap(s.vals) < n {
		s.vals = make([]cValue, n)
		s.scratchNames = make([]*cChar, n)
		s.scratchDecls = make([]*cChar, n)
	}
	r := &Rows{s: s, owns: owns, cols: s.cols, vals: s.vals[:n]}
	stop := s.c.watch(ctx)
	rc, ncol, err := cFirstStep(s.c.db, s.st, r.vals, s.cols.wanttext, s.scratchNames[:n], s.scratchDecls[:n])
	if stop != nil {
		stop()
	}
	if err != nil {
		cReset(s.st)
		return nil, ctxErr(ctx, err)
	}
	if ncol != n || !samePtrs(s.cols.rawNames, s.scratchNames[:n]) || !samePtrs(s.cols.rawDecls, s.scratchDecls[:n]) {
		// The statement learnt new columns when it ran (first run, or a
		// schema change re-planned it): describe them again and read the
		// row with the new shape.
		s.ncol = ncol
		s.cols = loadColumns(s.st, ncol, nil)
		s.vals = make([]cValue, ncol)
		s.scratchNames = make([]*cChar, ncol)
		s.scratchDecls = make([]*cChar, ncol)
		r.cols, r.vals = s.cols, s.vals
		if rc == codeRow {
			cReadRow(s.st, r.vals, s.cols.wanttext)
		}
	}
	r.pending = rc == codeRow
	r.done = rc == codeDone
	return r, nil
}

// paramIndex finds a named parameter (name given without its ':', '@' or
// '$' prefix, as database/sql's sql.Named does; a prefixed name works too).
func (s *Stmt) paramIndex(name string) int {
	if s.names == nil {
		s.names = make(map[string]int, s.nparam)
		for i := 1; i <= s.nparam; i++ {
			if n := cParamName(s.st, i); len(n) > 1 {
				s.names[n] = i
				if _, dup := s.names[n[1:]]; !dup {
					s.names[n[1:]] = i
				}
			}
		}
	}
	return s.names[name]
}

// bind binds every argument; each value is copied by the library, so no
// pointer to Go memory outlives the call.
func (s *Stmt) bind(args []driver.NamedValue) error {
	if len(args) != s.nparam {
		named := false
		for _, a := range args {
			named = named || a.Name != ""
		}
		if !named {
			return fmt.Errorf("heliosdb: statement takes %d arguments, got %d", s.nparam, len(args))
		}
	}
	cleared := false
	for _, a := range args {
		idx := a.Ordinal
		if a.Name != "" {
			if !cleared {
				// Named arguments may not cover every slot: start from NULLs
				// rather than the previous run's values.
				cClearBindings(s.st)
				cleared = true
			}
			idx = s.paramIndex(a.Name)
			if idx == 0 {
				return fmt.Errorf("heliosdb: the statement has no parameter named %q", a.Name)
			}
		}
		if err := s.bindOne(idx, a.Value); err != nil {
			return err
		}
	}
	return nil
}

func (s *Stmt) bindOne(idx int, v driver.Value) error {
	db, st := s.c.db, s.st
	switch v := v.(type) {
	case nil:
		return cBind(db, st, idx, bindNull, 0, 0, nil, 0)
	case int64:
		return cBind(db, st, idx, bindInt, v, 0, nil, 0)
	case float64:
		return cBind(db, st, idx, bindFloat, 0, v, nil, 0)
	case bool:
		var i int64
		if v {
			i = 1
		}
		return cBind(db, st, idx, bindInt, i, 0, nil, 0)
	case string:
		return bindString(db, st, idx, v)
	case []byte:
		if v == nil {
			return cBind(db, st, idx, bindNull, 0, 0, nil, 0)
		}
		if len(v) > math.MaxInt32 {
			return fmt.Errorf("heliosdb: parameter %d: blob of %d bytes is too long", idx, len(v))
		}
		var p unsafe.Pointer
		if len(v) > 0 {
			p = unsafe.Pointer(&v[0])
		}
		return cBind(db, st, idx, bindBlob, 0, 0, p, len(v))
	case time.Time:
		return bindString(db, st, idx, formatTime(v))
	}
	return fmt.Errorf("heliosdb: parameter %d: unsupported type %T", idx, v)
}

func bindString(db *cDB, st *cStmt, idx int, v string) error {
	if len(v) > math.MaxInt32 {
		return fmt.Errorf("heliosdb: parameter %d: text of %d bytes is too long", idx, len(v))
	}
	// The text is passed in place (Go memory, copied by the library before
	// heliosdb_bind_text returns); "" is passed as a non-NULL empty string
	// by the C helper so that it does not bind SQL NULL.
	return cBind(db, st, idx, bindText, 0, 0, unsafe.Pointer(unsafe.StringData(v)), len(v))
}
