// direct.go owns the small API beside database/sql for what it cannot
// express: the last statement's notice, interrupting a connection, the
// autocommit state and one-shot JSON queries. Reach the *Conn of a
// database/sql connection with NoticeOf or sql.Conn.Raw.

package heliosdb

import (
	"context"
	"database/sql"
	"fmt"
)

// Notice returns the notice the last statement on this connection left,
// and whether it left one. CREATE MATERIALIZED VIEW says whether the view
// is maintained incrementally or refreshed fully and why; REFRESH …
// INCREMENTALLY says when it had to refresh fully.
func (c *Conn) Notice() (string, bool) {
	if c.isClosed() {
		return "", false
	}
	return cNotice(c.db)
}

// Interrupt stops the statement running on this connection, from any
// goroutine: its call returns ErrInterrupt (context cancellation does this
// for you). Statements started afterwards are not affected.
func (c *Conn) Interrupt() { cInterrupt(c.db) }

// Autocommit reports whether no explicit transaction is open.
func (c *Conn) Autocommit() bool { return cAutocommit(c.db) }

// QueryJSON runs one statement and returns its result as JSON text:
// {"columns":[…],"rows":[[…],…],"changes":N}. params is "" (none), a JSON
// array (positional) or a JSON object (named). DECIMAL values are strings,
// BLOBs lowercase hex, BOOLEANs true/false.
func (c *Conn) QueryJSON(query, params string) (string, error) {
	if c.isClosed() {
		return "", errClosed
	}
	return cQueryJSON(c.db, query, params)
}

// NoticeOf returns the notice of the last statement run on conn (a
// database/sql connection of this driver), e.g. right after
// conn.ExecContext(ctx, "CREATE MATERIALIZED VIEW …"). Use a *sql.Conn,
// not the *sql.DB: a pool runs consecutive statements on any connection.
func NoticeOf(ctx context.Context, conn *sql.Conn) (notice string, ok bool, err error) {
	err = conn.Raw(func(dc any) error {
		c, isOurs := dc.(*Conn)
		if !isOurs {
			return fmt.Errorf("heliosdb: NoticeOf: %T is not a heliosdb connection", dc)
		}
		notice, ok = c.Notice()
		return nil
	})
	return notice, ok, err
}
