"""One prepared statement: binding parameters, stepping, and reading rows.

A Statement wraps a heliosdb_stmt token. It is owned by one cursor at a time
(the connection's statement cache hands it out and takes it back), so its
rows and the pointers behind them are only touched by one thread, as the C
API requires.
"""

from __future__ import annotations

import datetime
import decimal
import re
from ctypes import byref
from collections.abc import Mapping

from . import _native as N
from .errors import DataError, InterfaceError, ProgrammingError, error_for, from_db
from .rows import make_reader
from .types import iso_text

_Decimal = decimal.Decimal
_string_at = N.string_at
# The hot foreign functions, bound to module globals for speed (see _native._raw).
_bind_int64, _bind_double, _bind_text, _bind_blob, _bind_null = (
    N.r_bind_int64, N.r_bind_double, N.r_bind_text, N.r_bind_blob, N.r_bind_null)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MAX_LEN = 2**31 - 1  # text and blob lengths are C ints

# Leading keyword after whitespace and comments: decides implicit BEGIN
# (INSERT/UPDATE/DELETE/REPLACE, as the sqlite3 module does) and lastrowid.
_LEADING = re.compile(r"(?:\s|--[^\n]*\n?|/\*.*?\*/)*([A-Za-z]+)", re.S)
_DML = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
# Statements after which this connection's cached statements are prepared afresh.
_DDL = frozenset({"CREATE", "DROP", "ALTER"})
# Transaction control, and REFRESH (which the engine refuses inside a transaction).
_NO_IMPLICIT_BEGIN = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "END", "REFRESH"})

class Statement:
    """A prepared statement and what the binding knows about it."""

    __slots__ = (
        "handle", "db", "sql", "nparams", "param_names", "ncols", "names", "decltypes",
        "is_dml", "is_insert", "is_ddl", "no_implicit_begin", "keyword", "epoch", "i64", "f64", "star", "description", "hp", "reader",
    )

    def __init__(self, db, sql: str):
        if not isinstance(sql, str):
            raise ProgrammingError(f"SQL must be str, not {type(sql).__name__}")
        try:
            raw = sql.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ProgrammingError(f"SQL is not valid UTF-8: {exc}") from None
        if b"\0" in raw:
            raise ProgrammingError("the SQL statement contains a NUL character")
        out = N.stmt_p()
        rc = N.prepare(db, raw, byref(out))
        if rc != N.OK:
            err = from_db(db, rc, preparing=True)
            if rc == N.MISUSE:  # zero or several statements: a programming error, as in sqlite3
                err = ProgrammingError(err.message, rc)
            raise err
        self.handle = out.value
        self.hp = N.token(self.handle)  # passed to the argtypes-free hot functions as is
        # Reused argument boxes for bind_int64/bind_double (a statement is used by one thread at a time).
        self.i64 = N.box_int64()
        self.f64 = N.box_double()
        self.db = db
        self.sql = sql
        self.epoch = 0  # the connection's schema epoch when prepared (see Connection._give_back)
        h = self.handle
        self.nparams = N.bind_parameter_count(h)
        names = []
        for i in range(1, self.nparams + 1):
            n = N.bind_parameter_name(h, i)
            names.append(n.decode("utf-8") if n is not None else None)
        self.param_names = names
        self.read_columns()
        # Only a `*` can make the column count change when the engine re-plans after a schema
        # change; statements without one skip the per-execute column-count check.
        self.star = "*" in sql
        m = _LEADING.match(sql)
        self.keyword = m.group(1).upper() if m else ""
        self.is_dml = self.keyword in _DML
        self.is_insert = self.keyword in ("INSERT", "REPLACE")
        self.is_ddl = self.keyword in _DDL
        # autocommit=False opens a transaction before statements, but not before these.
        self.no_implicit_begin = self.keyword in _NO_IMPLICIT_BEGIN

    def read_columns(self) -> None:
        """(Re)reads the result columns: names, declared types, the row reader, the description.

        Called after prepare, and again when a step finds another column count
        (the engine re-plans a statement after a schema change, e.g. ``SELECT *``
        after ADD COLUMN on another connection).
        """
        h = self.handle
        self.ncols = N.column_count(h)
        self.names = [N.column_name(h, i).decode("utf-8", "replace") for i in range(self.ncols)]
        self.decltypes = []
        for i in range(self.ncols):
            d = N.column_decltype(h, i)
            self.decltypes.append(d.decode("utf-8") if d is not None else None)
        self.reader = make_reader(self.sql, self.decltypes)
        #: PEP 249 7-tuples: (name, declared type or None, None, None, None, None, None); None without columns.
        self.description = tuple(
            (self.names[i], self.decltypes[i], None, None, None, None, None) for i in range(self.ncols)
        ) or None

    # --- parameters ----------------------------------------------------------
    def bind(self, params) -> None:
        """Binds a sequence (qmark/numbered) or a mapping (named parameters)."""
        tp = type(params)
        if tp is not tuple and tp is not list:  # the common case skips these checks
            if params is None:
                params = ()
            elif isinstance(params, Mapping):
                return self._bind_named(params)
            elif isinstance(params, (str, bytes, bytearray)):
                raise ProgrammingError("parameters must be a sequence or a mapping, not a string")
            else:
                try:
                    params = tuple(params)
                except TypeError:
                    raise ProgrammingError("parameters are of unsupported type") from None
        n = self.nparams
        if len(params) != n:
            raise ProgrammingError(
                f"incorrect number of bindings supplied: the statement uses {n}, and there are {len(params)} supplied"
            )
        hp = self.hp
        i64 = self.i64
        f64 = self.f64
        i = 1
        # The common types inlined (this loop runs once per parameter of every execute and
        # every executemany row); anything else, and any failure, goes through bind_one.
        for value in params:
            t = type(value)
            if t is int and _INT64_MIN <= value <= _INT64_MAX:
                i64.value = value
                rc = _bind_int64(hp, i, i64)
            elif t is str and value.isascii() and len(value) <= _MAX_LEN:
                b = value.encode("ascii")
                rc = _bind_text(hp, i, b, len(b))
            elif t is float:
                f64.value = value
                rc = _bind_double(hp, i, f64)
            else:
                rc = 1
            if rc:
                bind_one(self, i, value)  # other types; or reports the failure
            i += 1

    def _bind_named(self, params) -> None:
        for i, name in enumerate(self.param_names, 1):
            if name is None:
                raise ProgrammingError(
                    f"binding parameter {i} has no name: use a sequence of parameters for ? placeholders"
                )
            try:
                value = params[name[1:]]
            except KeyError:
                raise ProgrammingError(f"you did not supply a value for binding parameter {name}") from None
            bind_one(self, i, value)

    # --- rows ----------------------------------------------------------------
    def read_row(self) -> tuple:
        """The current row as a tuple of Python values (copied out of the engine)."""
        return self.reader(self.hp)

    def reset(self) -> None:
        N.r_reset(self.hp)

    def finalize(self) -> None:
        h, self.handle = self.handle, None
        if h is not None:
            N.finalize(h)  # MISUSE when the connection already finalized it: nothing to do


def bind_one(st: "Statement", i: int, value) -> None:
    """Binds one Python value to parameter ``i`` (1-based) of statement ``st``."""
    h = st.hp
    t = type(value)
    if t is int or t is bool:
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise DataError(f"parameter {i}: Python int {value} does not fit a 64-bit INTEGER")
        st.i64.value = value
        rc = _bind_int64(h, i, st.i64)
    elif t is str:
        try:
            b = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise DataError(f"parameter {i}: text is not valid UTF-8: {exc}") from None
        if len(b) > _MAX_LEN:
            raise DataError(f"parameter {i}: text of {len(b)} bytes is longer than 2 GiB")
        rc = _bind_text(h, i, b, len(b))
    elif t is float:
        st.f64.value = value
        rc = _bind_double(h, i, st.f64)
    elif value is None:
        rc = _bind_null(h, i)
    elif t is bytes or isinstance(value, (bytearray, memoryview)):
        b = value if t is bytes else bytes(value)
        if len(b) > _MAX_LEN:
            raise DataError(f"parameter {i}: blob of {len(b)} bytes is longer than 2 GiB")
        rc = _bind_blob(h, i, b, len(b))
    elif isinstance(value, _Decimal):
        if not value.is_finite():
            raise DataError(f"parameter {i}: {value} has no DECIMAL value")
        b = format(value, "f").encode("ascii")
        rc = _bind_text(h, i, b, len(b))
    elif isinstance(value, (datetime.date, datetime.time)):
        b = iso_text(value).encode("ascii")
        rc = _bind_text(h, i, b, len(b))
    elif isinstance(value, int):  # int subclasses (IntEnum, …)
        return bind_one(st, i, int(value))
    elif isinstance(value, float):
        return bind_one(st, i, float(value))
    elif isinstance(value, str):
        return bind_one(st, i, str(value))
    elif isinstance(value, bytes):
        return bind_one(st, i, bytes(value))
    else:
        raise ProgrammingError(f"parameter {i}: type {type(value).__name__} is not supported")
    if rc != 0:
        if rc == N.MISUSE:
            raise InterfaceError(f"binding parameter {i}: the statement is finalized (connection closed?)", rc)
        raise error_for(rc, f"binding parameter {i} failed (status {rc})")
