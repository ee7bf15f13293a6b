// timetype.go owns Time, a sql.Scanner for columns holding times in any of
// the textual forms the engine and the driver use (the driver returns
// time.Time itself only for text in exactly the form it writes).

package heliosdb

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Time scans a time stored as the engine's 'YYYY-MM-DD[ HH:MM[:SS[.fff]]]'
// text (UTC; what DATE/TIMESTAMP columns, datetime() and strftime() give,
// and what the driver writes for a time.Time), as RFC 3339 text, or as
// integer Unix seconds, from a column of any type. NULL gives Valid =
// false. As a parameter it is written like a time.Time ('YYYY-MM-DD
// HH:MM:SS[.fff…]' in UTC), or NULL when not Valid.
type Time struct {
	Time  time.Time
	Valid bool
}

// engineLayouts are the engine's date/time text forms, most precise first.
var engineLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	time.RFC3339Nano,
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
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
			if parsed, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
				*t = Time{Time: parsed.UTC(), Valid: true}
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
