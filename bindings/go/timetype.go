// timetype.go owns Time, a sql.Scanner for columns holding times in any of
// the textual forms the engine and the driver use (the driver returns
// time.Time itself only for text in exactly the form it writes).

package heliosdb

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Time scans a time stored as RFC 3339 text (what the driver writes for a
// time.Time), as the engine's 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]' text (UTC;
// what datetime() and strftime() give), or as integer Unix seconds. NULL
// gives Valid = false. As a parameter it is written like a time.Time
// (RFC 3339 text in UTC), or NULL when not Valid.
type Time struct {
	Time  time.Time
	Valid bool
}

// engineLayouts are the engine's date/time text forms, most precise first.
var engineLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = Time{}
		return nil
	case time.Time:
		*t = Time{Time: v, Valid: true}
		return nil
	case int64:
		*t = Time{Time: time.Unix(v, 0).UTC(), Valid: true}
		return nil
	case string:
		for _, layout := range engineLayouts {
			if parsed, err := time.Parse(layout, v); err == nil {
				*t = Time{Time: parsed, Valid: true}
				return nil
			}
		}
		return fmt.Errorf("heliosdb.Time: cannot parse %q as a time", v)
	}
	return fmt.Errorf("heliosdb.Time: cannot scan %T", src)
}

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return formatTime(t.Time), nil
}
