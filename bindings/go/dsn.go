// dsn.go owns the data source name: "DIR" or ":memory:", optionally
// followed by "?option=value&…".

package heliosdb

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// dsnConfig is a parsed data source name.
type dsnConfig struct {
	path        string // directory or ":memory:"
	config      string // configuration text (TOML or JSON), "" for defaults
	busyTimeout int    // milliseconds; -1 = the configuration's default
	parseTime   bool   // read DATE/DATETIME/TIMESTAMP columns as time.Time
}

// parseDSN reads "path?config=FILE&busy_timeout=MS&parse_time=BOOL".
func parseDSN(dsn string) (*dsnConfig, error) {
	path, query, _ := strings.Cut(dsn, "?")
	if path == "" {
		return nil, fmt.Errorf("heliosdb: DSN %q names no database (a directory or :memory:)", dsn)
	}
	cfg := &dsnConfig{path: path, busyTimeout: -1, parseTime: true}
	opts, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("heliosdb: DSN options %q: %w", query, err)
	}
	for key, vals := range opts {
		val := vals[len(vals)-1]
		switch key {
		case "config":
			text, err := os.ReadFile(val)
			if err != nil {
				return nil, fmt.Errorf("heliosdb: DSN option config: %w", err)
			}
			cfg.config = string(text)
		case "busy_timeout":
			ms, err := strconv.Atoi(val)
			if err != nil {
				return nil, fmt.Errorf("heliosdb: DSN option busy_timeout=%q: not a number of milliseconds", val)
			}
			cfg.busyTimeout = ms
		case "parse_time":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, fmt.Errorf("heliosdb: DSN option parse_time=%q: not a boolean", val)
			}
			cfg.parseTime = b
		default:
			return nil, fmt.Errorf("heliosdb: unknown DSN option %q (known: config, busy_timeout, parse_time)", key)
		}
	}
	return cfg, nil
}
