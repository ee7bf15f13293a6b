"""heliosdb_lite — HeliosDB-Lite for Python: a DB-API 2.0 (PEP 249) driver over the C ABI.

    import heliosdb_lite
    conn = heliosdb_lite.connect("./data")            # a directory; ":memory:" for a temporary one
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT)")
    with conn.transaction():
        conn.execute("INSERT INTO t (name) VALUES (?)", ("x",))
    print(conn.execute("SELECT * FROM t").fetchall())

This module owns the public names: module globals PEP 249 asks for, the
exceptions, type objects and constructors, and ``connect``.
"""

from __future__ import annotations

from . import _native
from .connection import LEGACY_TRANSACTION_CONTROL, Connection
from .cursor import Cursor
from .errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from .types import (
    BINARY,
    BOOLEAN,
    DATETIME,
    DECIMAL,
    NUMBER,
    PARSE_DECLTYPES,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
    register_converter,
)

#: PEP 249 globals.
apilevel = "2.0"
#: 2: threads may share the module and connections, not cursors. Every call
#: on a connection handle is serialised by the C library, and the binding
#: guards its own per-connection state (statement cache, implicit BEGIN)
#: with locks; a cursor's rows belong to the thread reading them. Threads
#: sharing a connection share its transaction.
threadsafety = 2
paramstyle = "qmark"  # also "named" (:name/@name/$name) with a dict, and numeric ?N

#: The engine's version, e.g. "0.1.0".
version = _native.version().decode("ascii")
sqlite_version = None  # (there is no SQLite underneath)
__version__ = "0.1.0"
#: Where the loaded libheliosdb came from.
library_path = _native.LIBRARY_PATH

#: Engine status codes, for comparing with ``Error.code``.
BUSY = _native.BUSY
INTERRUPT = _native.INTERRUPT
CONSTRAINT = _native.CONSTRAINT
MISMATCH = _native.MISMATCH
SNAPSHOT_TOO_OLD = _native.SNAPSHOT_TOO_OLD
READONLY = _native.READONLY


def connect(path=":memory:", config=None, timeout: float | None = None, **kwargs) -> Connection:
    """Opens (creating if needed) the database directory ``path``.

    ``config`` is the heliosdb.toml structure as a dict (or TOML/JSON text);
    ``timeout`` is how many seconds a write waits for another connection's
    write lock (default: ``database.busy_timeout_ms``, 5 s). Keyword
    arguments: ``isolation_level`` (default "", implicit BEGIN before DML;
    None for none), ``autocommit`` (LEGACY_TRANSACTION_CONTROL, True or False),
    ``cached_statements`` (128), ``detect_types`` (0, or PARSE_DECLTYPES to
    read DATE/TIME/TIMESTAMP/DATETIME columns as datetime objects and apply
    ``register_converter``'s converters).
    """
    return Connection(path, config, timeout, **kwargs)


__all__ = [
    "apilevel", "threadsafety", "paramstyle", "connect", "Connection", "Cursor",
    "LEGACY_TRANSACTION_CONTROL", "version", "library_path",
    "Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
    "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID", "BOOLEAN", "DECIMAL",
    "Date", "Time", "Timestamp", "DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Binary",
    "PARSE_DECLTYPES", "register_converter",
    "BUSY", "INTERRUPT", "CONSTRAINT", "MISMATCH", "SNAPSHOT_TOO_OLD", "READONLY",
]
