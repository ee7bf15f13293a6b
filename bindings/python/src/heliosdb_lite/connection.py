"""PEP 249 Connection, plus the product's own shape (``Connection.open``,
``transaction()``, ``notice``).

Owns the heliosdb connection token, the cache of idle prepared statements,
implicit-transaction handling and closing (every statement is finalized
before the connection is, as the C API requires).

Transactions (see README.md "Transactions"), following the sqlite3 module:
  * default (``autocommit=LEGACY_TRANSACTION_CONTROL``, ``isolation_level=""``):
    a BEGIN is issued before INSERT/UPDATE/DELETE/REPLACE when no transaction
    is open; ``commit()``/``rollback()`` end it. Queries and DDL run in
    autocommit mode. ``isolation_level=None`` turns the implicit BEGIN off.
  * ``autocommit=True``: no implicit BEGIN; ``commit()``/``rollback()`` do
    nothing (SQL ``BEGIN``/``COMMIT`` still work).
  * ``autocommit=False`` (PEP 249): a transaction is always open. It begins
    lazily, before the first statement after connect/commit/rollback, not at
    once as sqlite3 does, because HeliosDB's BEGIN takes the write lock
    (not before BEGIN/COMMIT/ROLLBACK/REFRESH themselves).
  * ``transaction()`` blocks nest: the outermost is BEGIN … COMMIT/ROLLBACK,
    inner ones (and any block entered while a transaction is open) are
    SAVEPOINT … RELEASE, or ROLLBACK TO + RELEASE when they raise.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
from ctypes import byref

from . import _native as N
from .cursor import Cursor
from . import errors as _errors
from .errors import InterfaceError, NotSupportedError, ProgrammingError, error_for, from_db
from .types import PARSE_DECLTYPES
from .statement import Statement

#: ``autocommit`` value meaning "use isolation_level" (as sqlite3.LEGACY_TRANSACTION_CONTROL).
LEGACY_TRANSACTION_CONTROL = -1

_ISOLATION_LEVELS = (None, "", "DEFERRED", "IMMEDIATE", "EXCLUSIVE")


def _config_text(config) -> bytes | None:
    if config is None:
        return None
    if isinstance(config, (dict, list)):
        return json.dumps(config).encode("utf-8")
    if isinstance(config, str):
        return config.encode("utf-8")
    if isinstance(config, bytes):
        return config
    raise ProgrammingError("config must be a dict (heliosdb.toml structure), TOML/JSON text, or None")


class Connection:
    """A connection to a HeliosDB-Lite database directory (``connect()`` or ``Connection.open()``)."""

    #: Idle prepared statements kept per connection (as sqlite3's cached_statements).
    cached_statements = 128

    # The exceptions as connection attributes (PEP 249's optional extension, as in sqlite3).
    Warning = _errors.Warning
    Error = _errors.Error
    InterfaceError = _errors.InterfaceError
    DatabaseError = _errors.DatabaseError
    DataError = _errors.DataError
    OperationalError = _errors.OperationalError
    IntegrityError = _errors.IntegrityError
    InternalError = _errors.InternalError
    ProgrammingError = _errors.ProgrammingError
    NotSupportedError = _errors.NotSupportedError

    def __init__(self, path=":memory:", config=None, timeout: float | None = None, *,
                 isolation_level: str | None = "", autocommit=LEGACY_TRANSACTION_CONTROL,
                 cached_statements: int = 128, check_same_thread: bool = True, detect_types: int = 0):
        # check_same_thread is accepted for sqlite3 compatibility and ignored: a connection may be
        # used from any thread (threadsafety 2).
        del check_same_thread
        if path is not None:
            path = os.fspath(path)
            if isinstance(path, bytes):
                path = path.decode("utf-8")
        self.path = path
        self._closed = True
        self._db = None
        self._cache: dict[str, Statement] = {}
        self._cache_lock = threading.Lock()
        self._txn_lock = threading.Lock()
        self._savepoint_ids = itertools.count(1)  # names of transaction()'s savepoints
        self._epoch = 0  # bumped by DDL on this connection: cached statements older than it are dropped
        self._out: set[Statement] = set()  # statements checked out by cursors (finalized at close)
        self.cached_statements = cached_statements
        self.row_factory = None
        if not isinstance(detect_types, int) or detect_types & ~PARSE_DECLTYPES:
            raise NotSupportedError("detect_types: only 0 and PARSE_DECLTYPES are supported")
        #: 0 or PARSE_DECLTYPES (values converted by their column's declared type, as in sqlite3).
        self.detect_types = detect_types
        out = N.db_p()
        rc = N.open_with_config(None if path is None else path.encode("utf-8"), _config_text(config), byref(out))
        if rc != N.OK:
            err = from_db(None, rc)
            if rc == N.MISUSE:  # the path is open here with other settings: a usage error, not a stale handle
                err = ProgrammingError(err.message, rc)
            raise err
        self._db = out.value
        self._dbp = N.token(self._db)  # for the argtypes-free hot functions
        self._closed = False
        if timeout is not None:
            N.busy_timeout(self._db, int(timeout * 1000))
        self._autocommit = LEGACY_TRANSACTION_CONTROL
        self._isolation_level = ""
        try:
            self.isolation_level = isolation_level
            self.autocommit = autocommit
        except BaseException:
            self.close()  # a bad argument must not leave the database open
            raise

    @classmethod
    def open(cls, path=None, config=None, **kwargs) -> "Connection":
        """The product's spelling: ``Connection.open(path=…, config={…heliosdb.toml as a dict…})``."""
        return cls(path, config, **kwargs)

    # --- transaction settings ------------------------------------------------
    @property
    def isolation_level(self):
        """None (no implicit BEGIN) or "", "DEFERRED", "IMMEDIATE", "EXCLUSIVE" (all mean an implicit
        BEGIN before DML; HeliosDB's BEGIN always takes the write lock at once)."""
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, value):
        if isinstance(value, str):
            value = value.upper() if value else ""
        if value not in _ISOLATION_LEVELS:
            raise ValueError(f"isolation_level must be one of {_ISOLATION_LEVELS}")
        if value is None and self._autocommit == LEGACY_TRANSACTION_CONTROL and self.in_transaction:
            self.commit()  # as sqlite3: switching to autocommit commits what is pending
        self._isolation_level = value
        self._update_modes()

    @property
    def autocommit(self):
        """LEGACY_TRANSACTION_CONTROL (default: isolation_level decides), True or False (PEP 249)."""
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value):
        if value is not True and value is not False and value != LEGACY_TRANSACTION_CONTROL:
            raise ValueError("autocommit must be True, False or LEGACY_TRANSACTION_CONTROL")
        if value is True and self._autocommit is not True and not self._closed and self.in_transaction:
            self.commit_now()  # as sqlite3: turning autocommit on commits what is pending
        self._autocommit = value
        self._update_modes()

    def _update_modes(self):
        legacy = self._autocommit is not True and self._autocommit is not False
        self._implicit_begin_dml = legacy and self._isolation_level is not None
        self._implicit_begin_all = self._autocommit is False

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open (BEGIN issued, not yet committed or rolled back)."""
        return N.get_autocommit(self._check()) == 0

    def _begin_if_needed(self):
        # Serialised so two threads sharing the connection do not both BEGIN.
        with self._txn_lock:
            if N.get_autocommit(self._db) == 1:
                self._exec("BEGIN")

    # --- internals -----------------------------------------------------------
    def _check(self):
        if self._closed:
            raise ProgrammingError("cannot operate on a closed database")
        return self._db

    def _exec(self, sql: str) -> None:
        rc = N.exec_(self._db, sql.encode("utf-8"))
        if rc != N.OK:
            raise from_db(self._db, rc)

    def _take(self, sql: str) -> Statement:
        """An idle prepared statement for ``sql`` (prepared now if none is cached)."""
        st = self._cache.pop(sql, None)  # dict.pop is atomic under the GIL
        if st is None:
            st = self._prepare(sql)
        self._out.add(st)
        return st

    def _prepare(self, sql: str) -> Statement:
        st = Statement(self._db, sql)
        st.epoch = self._epoch
        return st

    def _schema_changed(self) -> None:
        """After DDL here: idle cached statements are finalized, checked-out ones dropped when returned."""
        self._epoch += 1
        with self._cache_lock:
            stale, self._cache = list(self._cache.values()), {}
        for st in stale:
            st.finalize()

    def _give_back(self, st: Statement) -> None:
        """Takes a statement back from a cursor: reset and cached (or finalized when not kept)."""
        self._out.discard(st)
        if st.handle is None:  # finalized by close()
            return
        N.r_reset(st.hp)
        cache = self._cache
        # setdefault is atomic under the GIL: a second idle copy of the same SQL is finalized.
        if (self._closed or self.cached_statements <= 0 or st.epoch != self._epoch
                or cache.setdefault(st.sql, st) is not st):
            st.finalize()
            return
        if len(cache) > self.cached_statements:
            with self._cache_lock:
                try:
                    oldest = next(iter(cache))
                except (StopIteration, RuntimeError):  # another thread changed it: evict next time
                    return
                evicted = cache.pop(oldest, None)
            if evicted is not None:
                evicted.finalize()

    # --- PEP 249 -------------------------------------------------------------
    def cursor(self, factory=Cursor) -> Cursor:
        """A new cursor."""
        self._check()
        return factory(self)

    def commit(self) -> None:
        """Commits the open transaction, if any (does nothing when ``autocommit`` is True)."""
        self._check()
        if self._autocommit is True:
            return
        self.commit_now()

    def commit_now(self) -> None:
        db = self._check()
        with self._txn_lock:
            if N.get_autocommit(db) == 0:
                self._exec("COMMIT")

    def rollback(self) -> None:
        """Rolls back the open transaction, if any (does nothing when ``autocommit`` is True)."""
        db = self._check()
        if self._autocommit is True:
            return
        with self._txn_lock:
            if N.get_autocommit(db) == 0:
                self._exec("ROLLBACK")

    def close(self) -> None:
        """Rolls back an open transaction (as sqlite3 does: commit first to keep it), finalizes every
        statement and closes the connection. Closing twice is fine."""
        if self._closed:
            return
        self._closed = True
        # Statements out with cursors, including one another thread is running right now
        # (finalizing a token mid-call is safe: that call ends, later ones get MISUSE).
        N.interrupt(self._db)  # a statement running in another thread stops instead of finishing
        for st in list(self._out):
            st.finalize()
        self._out.clear()
        with self._cache_lock:
            cached, self._cache = list(self._cache.values()), {}
        for st in cached:
            st.finalize()
        rc = N.close(self._db)
        if rc != N.OK:
            raise error_for(rc, f"close failed (status {rc})")

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown or a library already unloaded
            pass

    # --- sqlite3-style shortcuts --------------------------------------------
    def execute(self, sql: str, parameters=()) -> Cursor:
        """A new cursor that has run ``sql``."""
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters) -> Cursor:
        """A new cursor that has run ``sql`` once per parameter set."""
        return self.cursor().executemany(sql, seq_of_parameters)

    def executescript(self, script: str) -> Cursor | None:
        """Commits a pending transaction, then runs ``;``-separated statements one by one (each
        commits by itself unless the script has BEGIN … COMMIT); stops at the first error."""
        db = self._check()
        if not isinstance(script, str):
            raise ProgrammingError("script must be str")
        if self._autocommit is not True:
            self.commit_now()
        rc = N.exec_(db, script.encode("utf-8"))
        self._schema_changed()  # the script may have changed the schema
        if rc != N.OK:
            raise from_db(db, rc)
        cur = Cursor(self)
        return cur

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        """As sqlite3: commits on success, rolls back on an exception; does not close."""
        if self._closed:
            return False
        if exc_type is None:
            self.commit_now() if self._autocommit is not True else None
        else:
            with contextlib.suppress(Exception):
                with self._txn_lock:
                    if N.get_autocommit(self._db) == 0:
                        self._exec("ROLLBACK")
        return False

    # --- the product's API ---------------------------------------------------
    @contextlib.contextmanager
    def transaction(self):
        """``with conn.transaction():`` BEGIN … COMMIT, or ROLLBACK when the block raises.

        Nests: inside an open transaction (an outer ``transaction()`` block, an explicit
        BEGIN or the implicit BEGIN before DML) the block is a savepoint instead, with a
        generated unique name: ``SAVEPOINT`` … ``RELEASE`` on success, ``ROLLBACK TO`` +
        ``RELEASE`` when the block raises, which undoes only the block's work and leaves
        the outer transaction open and usable. The exception propagates either way.
        """
        db = self._check()
        with self._txn_lock:
            if N.get_autocommit(db) == 0:
                name = f"_heliosdb_sp_{next(self._savepoint_ids)}"
                self._exec(f"SAVEPOINT {name}")
            else:
                name = None
                self._exec("BEGIN")
        try:
            yield self
        except BaseException:
            with contextlib.suppress(Exception):
                with self._txn_lock:
                    if N.get_autocommit(self._db) == 0:
                        if name is None:
                            self._exec("ROLLBACK")
                        else:
                            self._exec(f"ROLLBACK TO SAVEPOINT {name}")
                            self._exec(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            with self._txn_lock:
                if N.get_autocommit(self._check()) == 0:
                    self._exec("COMMIT" if name is None else f"RELEASE SAVEPOINT {name}")

    @property
    def notice(self) -> str | None:
        """The notice the last statement left (a new materialized view's refresh strategy), or None."""
        raw = N.notice(self._check())
        return raw.decode("utf-8", "replace") if raw is not None else None

    def interrupt(self) -> None:
        """Stops the statement running on this connection, from any thread: it raises
        OperationalError (code 9) and changes nothing. Statements started later run normally."""
        rc = N.interrupt(self._check())
        if rc != N.OK:
            raise InterfaceError("interrupt failed: the connection is not open", rc)

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a write waits for another connection's write transaction (0: fail at once)."""
        N.busy_timeout(self._check(), int(seconds * 1000))

    @property
    def changes(self) -> int:
        """Rows changed by the latest INSERT/UPDATE/DELETE on this connection (heliosdb_changes)."""
        return N.changes(self._check())

    def query_json(self, sql: str, parameters=None) -> str:
        """Runs one statement and returns the engine's JSON text ({"columns", "rows", "changes"})."""
        db = self._check()
        params = None if parameters is None else json.dumps(
            list(parameters) if not isinstance(parameters, dict) else parameters
        ).encode("utf-8")
        ptr = N.query_json(db, sql.encode("utf-8"), params)
        if not ptr:
            raise from_db(db, N.errcode(db) or N.ERROR)
        try:
            return N.string_at(ptr).decode("utf-8")
        finally:
            N.free(ptr)
