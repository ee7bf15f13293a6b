// conn.go owns Conn, one open heliosdb handle: database/sql's driver.Conn
// with its Exec/Query shortcuts, transactions, session reset, the registry
// of open statements that Close finalizes, and context cancellation through
// heliosdb_interrupt.

package heliosdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
)

// Conn is one connection (one heliosdb handle). database/sql uses it from
// one goroutine at a time; reach it with sql.Conn.Raw for the direct API
// (Notice, Interrupt, QueryJSON, Autocommit).
type Conn struct {
	db        *cDB
	parseTime bool

	mu     sync.Mutex
	stmts  map[*cStmt]struct{} // statements not yet finalized
	closed bool
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
	_ driver.SessionResetter    = (*Conn)(nil)
	_ driver.Validator          = (*Conn)(nil)
)

// openConn opens path with cfg's configuration and busy timeout.
func openConn(cfg *dsnConfig, path string) (*Conn, error) {
	db, err := cOpen(path, cfg.config)
	if err != nil {
		return nil, err
	}
	if cfg.busyTimeout >= 0 {
		if err := cBusyTimeout(db, cfg.busyTimeout); err != nil {
			cClose(db)
			return nil, err
		}
	}
	return &Conn{db: db, parseTime: cfg.parseTime, stmts: make(map[*cStmt]struct{})}, nil
}

// Open opens a connection outside database/sql, for the direct API. DSN as
// for sql.Open; ":memory:" is private to this connection.
func Open(dsn string) (*Conn, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return openConn(cfg, cfg.path)
}

// Close finalizes the statements still open on the connection, rolls back
// an open transaction and closes the handle. Closing twice is a no-op.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	for st := range c.stmts {
		cFinalize(st)
		delete(c.stmts, st)
	}
	c.mu.Unlock()
	return cClose(c.db)
}

// register records a new statement so that Close can finalize it.
func (c *Conn) register(st *cStmt) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.stmts[st] = struct{}{}
	return true
}

// finalize releases a statement once (from Stmt.Close or its cleanup).
func (c *Conn) finalize(st *cStmt) {
	c.mu.Lock()
	_, open := c.stmts[st]
	delete(c.stmts, st)
	c.mu.Unlock()
	if open {
		cFinalize(st)
	}
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// errClosed is returned for calls on a closed connection.
var errClosed = &Error{Code: 21, Msg: "connection is closed"}

// watch arranges for ctx's cancellation to interrupt the statement running
// on c. The returned stop function must be called when the statement's call
// returns; it waits for an interrupt in flight, so a late cancellation can
// never reach the connection's next statement. nil when ctx cannot be
// cancelled.
func (c *Conn) watch(ctx context.Context) func() {
	if ctx.Done() == nil {
		return nil
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		cInterrupt(c.db)
		close(fired)
	})
	return func() {
		if !stop() {
			<-fired
		}
	}
}

// ctxErr maps an interrupt caused by ctx to ctx.Err() (context.Canceled or
// context.DeadlineExceeded).
func ctxErr(ctx context.Context, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code == codeInterrupt {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
	return err
}

// execScript runs ';'-separated statements under ctx's cancellation.
func (c *Conn) execScript(ctx context.Context, sql string) (changes, rowid int64, err error) {
	stop := c.watch(ctx)
	changes, rowid, err = cExec(c.db, sql)
	if stop != nil {
		stop()
	}
	return changes, rowid, ctxErr(ctx, err)
}

// Prepare prepares one statement.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext prepares one statement (exactly one: several
// ';'-separated statements are an error here; Exec without arguments runs
// them).
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.prepare(query)
}

func (c *Conn) prepare(query string) (*Stmt, error) {
	if c.isClosed() {
		return nil, errClosed
	}
	st, ncol, nparam, ro, err := cPrepare(c.db, query)
	if err != nil {
		return nil, err
	}
	if !c.register(st) {
		cFinalize(st)
		return nil, errClosed
	}
	return newStmt(c, st, ncol, nparam, ro), nil
}

// ExecContext runs query. Without arguments it may hold several
// ';'-separated statements (run by heliosdb_exec; the result counts the
// last INSERT, UPDATE or DELETE); with arguments it is one statement.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(args) > 0 {
		s, err := c.prepare(query)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		return s.ExecContext(ctx, args)
	}
	if c.isClosed() {
		return nil, errClosed
	}
	changes, rowid, err := c.execScript(ctx, query)
	if err != nil {
		return nil, err
	}
	return result{changes: changes, rowid: rowid}, nil
}

// QueryContext prepares, runs and returns the rows of one statement; the
// statement is finalized when the rows close.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := c.prepare(query)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, args, true)
	if err != nil {
		s.Close()
		return nil, err
	}
	return rows, nil
}

// Ping checks that the connection can run a statement.
func (c *Conn) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.isClosed() {
		return driver.ErrBadConn
	}
	if _, _, err := cExec(c.db, "SELECT 1"); err != nil {
		return err
	}
	return nil
}

// ResetSession runs before database/sql hands the connection out again: a
// transaction left open with a plain Exec("BEGIN") is rolled back, so it
// cannot leak into another user's work.
func (c *Conn) ResetSession(ctx context.Context) error {
	if c.isClosed() {
		return driver.ErrBadConn
	}
	if !cAutocommit(c.db) {
		if _, _, err := cExec(c.db, "ROLLBACK"); err != nil {
			return driver.ErrBadConn
		}
	}
	return nil
}

// IsValid reports whether the connection is still open.
func (c *Conn) IsValid() bool { return !c.isClosed() }

// result is the driver.Result of Exec.
type result struct {
	changes, rowid int64
}

func (r result) LastInsertId() (int64, error) { return r.rowid, nil }
func (r result) RowsAffected() (int64, error) { return r.changes, nil }
