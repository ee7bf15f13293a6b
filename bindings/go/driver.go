// driver.go owns the database/sql registration ("heliosdb"), the Driver and
// the Connector that opens connections for a sql.DB.

package heliosdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"os"
	"sync"
)

// DriverName is the name the driver is registered under with database/sql.
const DriverName = "heliosdb"

func init() {
	sql.Register(DriverName, &Driver{})
}

// Driver is the database/sql driver. sql.Open("heliosdb", dsn) uses it
// through OpenConnector.
type Driver struct{}

// Open opens one connection. For ":memory:" it is a private temporary
// database deleted when the connection closes (sql.Open uses a Connector
// instead, whose connections share one temporary database).
func (d *Driver) Open(dsn string) (driver.Conn, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return openConn(cfg, cfg.path)
}

// OpenConnector parses dsn once for all the connections of a sql.DB.
func (d *Driver) OpenConnector(dsn string) (driver.Connector, error) {
	return NewConnector(dsn)
}

// Connector opens the connections of one sql.DB (see sql.OpenDB). Several
// connections on one directory share one engine in this process.
type Connector struct {
	cfg *dsnConfig

	mu     sync.Mutex
	memDir string // temporary directory standing for ":memory:", created lazily
	closed bool
}

// NewConnector parses a DSN ("DIR" or ":memory:", then "?config=FILE&
// busy_timeout=MS&parse_time=BOOL") for use with sql.OpenDB.
func NewConnector(dsn string) (*Connector, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return &Connector{cfg: cfg}, nil
}

// Connect opens a new connection. For ":memory:", every connection of the
// Connector opens the same temporary directory, so the pool's connections
// see one database; Close removes it.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := c.cfg.path
	if path == ":memory:" {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, &Error{Code: 21, Msg: "connector is closed"}
		}
		if c.memDir == "" {
			dir, err := os.MkdirTemp("", "heliosdb-memory-")
			if err != nil {
				c.mu.Unlock()
				return nil, err
			}
			c.memDir = dir
		}
		path = c.memDir
		c.mu.Unlock()
	}
	return openConn(c.cfg, path)
}

// Driver returns the package's Driver.
func (c *Connector) Driver() driver.Driver { return &Driver{} }

// Close removes the temporary directory of a ":memory:" DSN. sql.DB.Close
// calls it after closing the pool's connections.
func (c *Connector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.memDir == "" {
		return nil
	}
	dir := c.memDir
	c.memDir = ""
	return os.RemoveAll(dir)
}
