// tx.go owns transactions: BEGIN for database/sql's Begin/BeginTx, read-only
// transactions, and read-only transactions AS OF a past point, chosen
// through the context (AsOfSCN, AsOfTransaction, AsOfTime).

package heliosdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"time"
)

// tx is an open transaction on a Conn.
type tx struct{ c *Conn }

func (t tx) Commit() error {
	_, _, err := cExec(t.c.db, "COMMIT")
	return err
}

func (t tx) Rollback() error {
	_, _, err := cExec(t.c.db, "ROLLBACK")
	return err
}

// Begin starts a transaction (prefer BeginTx).
func (c *Conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a transaction. A write transaction takes the database's
// single write lock at once (as SQLite's BEGIN IMMEDIATE), waiting up to
// busy_timeout. ReadOnly starts a read-only transaction on the latest
// commit (BEGIN READ ONLY: one snapshot, no write lock, writes fail with
// ErrReadOnly); a context from AsOfSCN,
// AsOfTransaction or AsOfTime starts a read-only transaction in which every
// table reads that point. Isolation: readers see one committed snapshot and
// writers are serialized, so LevelDefault, LevelSnapshot and
// LevelSerializable are accepted; weaker or other levels are refused.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault, sql.LevelSnapshot, sql.LevelSerializable:
	default:
		return nil, fmt.Errorf("heliosdb: isolation level %s is not supported (snapshot reads, serialized writes)",
			sql.IsolationLevel(opts.Isolation))
	}
	if c.isClosed() {
		return nil, errClosed
	}
	stmt := "BEGIN"
	if point, ok := ctx.Value(asOfKey{}).(string); ok {
		stmt = "BEGIN READ ONLY AS OF " + point
	} else if opts.ReadOnly {
		stmt = "BEGIN READ ONLY" // the engine's snapshot transaction
	}
	if _, _, err := c.execScript(ctx, stmt); err != nil {
		return nil, err
	}
	return tx{c}, nil
}

type asOfKey struct{}

// AsOfSCN returns a context whose BeginTx starts a read-only transaction
// reading the database just after commit number scn (see
// heliosdb_current_scn()).
func AsOfSCN(ctx context.Context, scn int64) context.Context {
	return context.WithValue(ctx, asOfKey{}, "SCN "+strconv.FormatInt(scn, 10))
}

// AsOfTransaction returns a context whose BeginTx starts a read-only
// transaction reading the database just after transaction txid committed
// (see heliosdb_last_txid()).
func AsOfTransaction(ctx context.Context, txid int64) context.Context {
	return context.WithValue(ctx, asOfKey{}, "TRANSACTION "+strconv.FormatInt(txid, 10))
}

// AsOfTime returns a context whose BeginTx starts a read-only transaction
// reading the database as it was after the last commit at or before t
// (microsecond precision, UTC).
func AsOfTime(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, asOfKey{}, "TIMESTAMP '"+SQLTime(t)+"'")
}

// SQLTime formats t as the engine's timestamp text, "YYYY-MM-DD
// HH:MM:SS.ffffff" in UTC, for AS OF TIMESTAMP parameters and literals.
func SQLTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000") }
