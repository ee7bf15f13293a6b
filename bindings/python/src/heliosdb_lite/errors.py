"""The PEP 249 exception hierarchy and the mapping from engine status codes.

Every exception raised by the package carries ``.code`` (the engine's status
code, e.g. 19 for a constraint, 1001 for snapshot-too-old; 0 when the error
was detected by the binding before reaching the engine) and ``.message``.

Mapping (see README.md "Errors"):
  HELIOSDB_CONSTRAINT (19)              -> IntegrityError
  HELIOSDB_MISMATCH (20)                -> DataError (a value that does not fit its column)
  HELIOSDB_BUSY (5), INTERRUPT (9),
  SNAPSHOT_TOO_OLD (1001), READONLY (8),
  IOERR (10), NOMEM (7)                 -> OperationalError
  HELIOSDB_CORRUPT (11)                 -> DatabaseError
  HELIOSDB_ERROR (1) while preparing    -> ProgrammingError (syntax, unknown table/column, bad parameter)
  HELIOSDB_ERROR (1) while running      -> OperationalError (run-time failure: overflow, AS OF in the future, …)
                                           but ProgrammingError when the message is a syntax error or
                                           "no such table/column/…" (executescript parses as it runs)
  HELIOSDB_MISUSE (21), RANGE (25)      -> InterfaceError (ProgrammingError for several statements in one execute)
  anything else                         -> InternalError
"""

from __future__ import annotations

from . import _native as N


class Warning(Exception):  # noqa: A001 - the name PEP 249 requires
    """Important warnings (PEP 249). Not raised by the engine today."""

    def __init__(self, message: str = "", code: int = 0):
        super().__init__(message)
        self.message = message
        self.code = code


class Error(Exception):
    """Base class of every error the package raises (PEP 249)."""

    def __init__(self, message: str = "", code: int = 0):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class InterfaceError(Error):
    """The binding was used wrongly (closed connection or cursor, stale handle)."""


class DatabaseError(Error):
    """Errors related to the database."""


class DataError(DatabaseError):
    """A value does not fit: type mismatch, DECIMAL out of range, int beyond 64 bits."""


class OperationalError(DatabaseError):
    """The database could not do it now: busy, interrupted, snapshot too old, I/O."""


class IntegrityError(DatabaseError):
    """A NOT NULL, UNIQUE, PRIMARY KEY, CHECK or FOREIGN KEY constraint failed."""


class InternalError(DatabaseError):
    """The engine answered something the binding did not expect."""


class ProgrammingError(DatabaseError):
    """SQL errors (syntax, unknown table or column) and wrong parameters."""


class NotSupportedError(DatabaseError):
    """A feature the engine or the binding lacks (PEP 249's class for it; nothing raises it today)."""


_BY_CODE = {
    N.CONSTRAINT: IntegrityError,
    N.MISMATCH: DataError,
    N.BUSY: OperationalError,
    N.INTERRUPT: OperationalError,
    N.SNAPSHOT_TOO_OLD: OperationalError,
    N.READONLY: OperationalError,
    N.IOERR: OperationalError,
    N.NOMEM: OperationalError,
    N.CORRUPT: DatabaseError,
    N.MISUSE: InterfaceError,
    N.RANGE: InterfaceError,
}


_SQL_ERROR_PREFIXES = ("configuration", "syntax error", "no such table", "no such column", "no such function", "no such index")


def error_for(code: int, message: str, preparing: bool = False) -> Error:
    """The exception for engine status ``code`` with ``message``."""
    if code == N.ERROR:
        # exec() parses and runs in one call: recognise SQL errors by their message there.
        cls = ProgrammingError if preparing or message.startswith(_SQL_ERROR_PREFIXES) else OperationalError
    else:
        cls = _BY_CODE.get(code, InternalError)
    return cls(message, code)


def from_db(db, code: int, preparing: bool = False) -> Error:
    """The exception for a failed call on connection token ``db`` (read its errmsg now)."""
    raw = N.errmsg(db)
    message = raw.decode("utf-8", "replace") if raw else f"error {code}"
    return error_for(code, message, preparing)
