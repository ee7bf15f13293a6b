// errors.go owns the binding's error type: the engine's status code and
// message, comparable with errors.Is against the sentinels below.

package heliosdb

import "fmt"

// Error is a failure reported by the engine: Code is the status code of
// heliosdb.h (HELIOSDB_CONSTRAINT = 19, …) and Msg the engine's message.
// Use errors.As to read it, or errors.Is with the sentinels (ErrBusy, …),
// which match any *Error with the same code.
type Error struct {
	Code int
	Msg  string
}

// Error formats the message with the name of its code.
func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("heliosdb: %s (code %d)", codeName(e.Code), e.Code)
	}
	return fmt.Sprintf("heliosdb: %s (%s, code %d)", e.Msg, codeName(e.Code), e.Code)
}

// Is reports whether target is an *Error with the same Code and, when the
// target has a message, the same message. It makes errors.Is(err, ErrBusy)
// true for every busy error whatever its text.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Msg == "" || t.Msg == e.Msg)
}

// Sentinels for errors.Is; each matches any *Error with its code.
var (
	ErrGeneric        = &Error{Code: 1}    // SQL error or other failure
	ErrBusy           = &Error{Code: 5}    // another connection holds the write lock (after busy_timeout)
	ErrNoMem          = &Error{Code: 7}    // out of memory
	ErrReadOnly       = &Error{Code: 8}    // a write in a read-only (or AS OF) transaction
	ErrInterrupt      = &Error{Code: 9}    // stopped by Conn.Interrupt without a cancelled context
	ErrIO             = &Error{Code: 10}   // file-system I/O error
	ErrCorrupt        = &Error{Code: 11}   // not a HeliosDB directory, or damaged data
	ErrConstraint     = &Error{Code: 19}   // NOT NULL, UNIQUE, PRIMARY KEY, CHECK or FOREIGN KEY failed
	ErrMismatch       = &Error{Code: 20}   // a value does not fit the column type
	ErrMisuse         = &Error{Code: 21}   // closed handle, wrong call order, bad UTF-8
	ErrRange          = &Error{Code: 25}   // parameter or column index out of range
	ErrSnapshotTooOld = &Error{Code: 1001} // an AS OF point older than the history kept
)

func codeName(code int) string {
	switch code {
	case 1:
		return "error"
	case 5:
		return "busy"
	case 7:
		return "out of memory"
	case 8:
		return "read-only"
	case 9:
		return "interrupted"
	case 10:
		return "I/O error"
	case 11:
		return "corrupt"
	case 19:
		return "constraint failed"
	case 20:
		return "type mismatch"
	case 21:
		return "misuse"
	case 25:
		return "out of range"
	case 1001:
		return "snapshot too old"
	}
	return "unknown error"
}
