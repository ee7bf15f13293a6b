"""PEP 249 Cursor: runs statements and hands out their rows.

A cursor holds at most one running Statement, checked out of its
connection's statement cache and given back when its rows are read to the
end, when the next execute starts, or when the cursor closes. The engine
runs a query to completion on the first step (with the GIL released), so a
cursor's later fetches only copy rows out: each fetch steps to the next
row only when it is asked for (no read-ahead), which saves a foreign call
on the common ``execute(...).fetchone()``.

Cursors are not shared between threads (PEP 249 threadsafety 2).
"""

from __future__ import annotations

from . import _native as N
from . import types as _types
from .errors import InterfaceError, ProgrammingError, from_db

_step, _step_next = N.r_step, N.r_step_next
_column_count = N.r_column_count
_ROW, _DONE = N.ROW, N.DONE


class Cursor:
    """A cursor on a Connection (``conn.cursor()``)."""

    def __init__(self, connection):
        self.connection = connection
        self.arraysize = 1
        self.rowcount = -1
        self.lastrowid = None
        self.row_factory = connection.row_factory
        self._stmt = None  # the Statement whose rows are being read
        self._ready = False  # the statement is on a row nobody has read yet
        self._description = None
        self._closed = False
        self._conv_key = None  # (decltypes list, converters version) self._conv was built for
        self._conv = ()  # (column, converter) for detect_types=PARSE_DECLTYPES

    # --- PEP 249 attributes --------------------------------------------------
    @property
    def description(self):
        """Seven-item tuples (name, type_code, None×5) of the last query; None for statements without rows.

        ``type_code`` is the declared type ("INTEGER", "DECIMAL(15,2)", …) when
        the column reads a table column unchanged, otherwise None. Compare it
        with the type objects: ``type_code == heliosdb_lite.NUMBER``.
        """
        return self._description

    def setinputsizes(self, sizes) -> None:
        """Does nothing (PEP 249 allows that)."""

    def setoutputsize(self, size, column=None) -> None:
        """Does nothing (PEP 249 allows that)."""

    # --- running -------------------------------------------------------------
    def _check(self):
        if self._closed:
            raise ProgrammingError("cannot operate on a closed cursor")
        return self.connection._check()

    def _release(self) -> None:
        st, self._stmt = self._stmt, None
        self._ready = False
        if st is not None:
            self.connection._give_back(st)

    def execute(self, sql: str, parameters=()):
        """Runs one statement with ``?``/``?N`` parameters from a sequence or ``:name`` ones from a dict."""
        conn = self.connection
        if self._closed or conn._closed:
            self._check()
        held = self._stmt
        if held is not None:  # the previous statement's rows are no longer wanted
            self._stmt = None
            self._ready = False
            conn._give_back(held)
        # The connection's statement cache, inlined (this is the per-call hot path).
        st = conn._cache.pop(sql, None)
        if st is None:
            st = conn._prepare(sql)
        conn._out.add(st)
        try:
            if st.is_dml:
                if conn._implicit_begin_dml:
                    conn._begin_if_needed()
            elif conn._implicit_begin_all:
                if not st.no_implicit_begin:
                    conn._begin_if_needed()
            st.bind(parameters)
            rc = _step(st.hp)  # runs the statement; the GIL is released meanwhile
        except BaseException:
            conn._give_back(st)
            raise
        if st.star and _column_count(st.hp) != st.ncols and st.handle is not None:
            st.read_columns()  # re-planned after a schema change elsewhere (SELECT * …)
        if st.is_ddl:
            conn._schema_changed()
        if rc == _ROW:
            if st.handle is None:  # another thread closed the connection meanwhile
                self._description = None
                raise InterfaceError("the connection was closed while the statement ran", N.MISUSE)
            self._stmt = st
            self._ready = True
            self._description = st.description
            self.rowcount = N.r_changes(conn._dbp) if st.is_dml else -1
            return self
        if rc != _DONE:  # an error
            self._description = None
            if st.handle is None:
                raise InterfaceError("the connection was closed while the statement ran", N.MISUSE)
            err = from_db(conn._db, rc)
            conn._give_back(st)
            raise err
        self._description = st.description
        if st.is_dml:
            self.rowcount = N.r_changes(conn._dbp)
            if st.is_insert:
                self.lastrowid = N.r_last_insert_rowid(conn._dbp)
        else:
            self.rowcount = -1
        conn._give_back(st)
        return self

    def executemany(self, sql: str, seq_of_parameters):
        """Runs a DML statement once per parameter set; ``rowcount`` is the total changed."""
        self._check()
        self._release()
        conn = self.connection
        st = conn._take(sql)
        total = 0
        try:
            if st.ncols and not st.is_dml:
                raise ProgrammingError("executemany() can only execute DML statements")
            if st.is_dml and conn._implicit_begin_dml or conn._implicit_begin_all:
                conn._begin_if_needed()
            h = st.hp
            dbp = conn._dbp
            bind = st.bind
            step = _step
            reset = N.r_reset
            changes = N.r_changes
            for params in seq_of_parameters:
                bind(params)
                rc = step(h)
                if rc != _DONE:
                    reset(h)
                    if rc == _ROW:
                        raise ProgrammingError("executemany() cannot run a statement that returns rows")
                    if st.handle is None:
                        raise InterfaceError("the connection was closed while the statement ran", N.MISUSE)
                    raise from_db(conn._db, rc)
                total += changes(dbp)
                reset(h)
        finally:
            conn._give_back(st)
        self._description = None
        self.rowcount = total
        if st.is_insert:
            self.lastrowid = N.r_last_insert_rowid(conn._dbp)
        return self

    def executescript(self, script: str):
        """Commits a pending transaction, then runs ``;``-separated statements (see Connection.executescript)."""
        self._check()
        self._release()
        self.connection.executescript(script)
        self._description = None
        self.rowcount = -1
        return self

    # --- fetching ------------------------------------------------------------
    def _advance(self, st) -> bool:
        """Steps ``st`` to its next row: True on a row; at the end releases it and returns False."""
        rc = _step_next(st.hp)
        if rc == _ROW:
            return True
        self._release()
        if rc == _DONE:
            return False
        if st.handle is None:
            raise InterfaceError("the connection was closed while rows were being read", N.MISUSE)
        raise from_db(st.db, rc)  # e.g. INTERRUPT

    def fetchone(self):
        """The next row as a tuple (or what ``row_factory`` makes of it), or None at the end."""
        st = self._stmt
        if st is None:
            if self._closed:
                raise ProgrammingError("cannot operate on a closed cursor")
            return None
        if st.handle is None:  # finalized by Connection.close()
            self._stmt = None
            self._ready = False
            raise InterfaceError("the connection was closed while rows were being read", N.MISUSE)
        if self._ready:
            self._ready = False
        elif not self._advance(st):
            return None
        row = st.reader(st.hp)
        if self.connection.detect_types:
            row = self._convert(st, row)
        factory = self.row_factory
        return row if factory is None else factory(self, row)

    def _convert(self, st, row):
        """PARSE_DECLTYPES: each non-NULL value of a column with a converter, as its bytes, through it."""
        key = self._conv_key
        if key is None or key[0] is not st.decltypes or key[1] != _types._converters_version[0]:
            self._conv = tuple((i, c) for i, d in enumerate(st.decltypes) if (c := _types.converter_for(d)))
            self._conv_key = (st.decltypes, _types._converters_version[0])
        if not self._conv:
            return row
        row = list(row)
        for i, conv in self._conv:
            v = row[i]
            if v is not None:
                row[i] = conv(v if isinstance(v, bytes) else str(v).encode("utf-8"))
        return tuple(row)

    def fetchmany(self, size: int | None = None) -> list:
        """Up to ``size`` (default ``arraysize``) next rows."""
        if size is None:
            size = self.arraysize
        rows = []
        fetchone = self.fetchone
        while len(rows) < size:
            row = fetchone()
            if row is None:
                break
            rows.append(row)
        return rows

    def fetchall(self) -> list:
        """All remaining rows."""
        rows = []
        fetchone = self.fetchone
        row = fetchone()
        while row is not None:
            rows.append(row)
            row = fetchone()
        return rows

    def __iter__(self):
        return self

    def __next__(self):
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    # --- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        """Releases the cursor's statement; later use raises ProgrammingError."""
        if not self._closed:
            self._release()
            self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        # Give the statement back so a forgotten cursor does not keep it out of the cache.
        try:
            if self._stmt is not None and not self.connection._closed:
                self._release()
        except Exception:  # during interpreter shutdown anything may be gone
            pass
