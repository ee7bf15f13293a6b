"""Loads libheliosdb and declares the C ABI of include/heliosdb.h for ctypes.

This file owns the one place where the shared library is found and every
foreign function's signature is written down. Nothing else in the package
calls into C except through the names exported here.

Where the library comes from, first match wins:
  1. the environment variable HELIOSDB_LIBRARY (a path to libheliosdb.so),
  2. the copy bundled inside this package (put there when the wheel is built),
  3. the system's loader search path (``ctypes.util.find_library``).

Two views of the same library are used on purpose:
  * ``lib`` (ctypes.CDLL) releases the GIL for the duration of each call; it
    is used for everything that may run SQL or wait (open, close, exec,
    prepare, step, interrupt), so other Python threads keep running while
    the engine works.
  * ``fast`` (ctypes.PyDLL) keeps the GIL; it is used for the accessors that
    only read or copy a few bytes of a statement (bind_*, column_*, reset,
    later steps) or read per-thread error state, where dropping and
    re-taking the GIL would cost more than the call. They lock only their
    statement, which belongs to one cursor, so they never wait for a
    statement running in another thread. Calls that read connection state
    (changes, get_autocommit, …) take the connection's lock, which a
    running statement holds: those go through ``lib``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import POINTER, c_char_p, c_double, c_int, c_int64, c_void_p

# Status codes (include/heliosdb.h).
OK = 0
ERROR = 1
BUSY = 5
NOMEM = 7
READONLY = 8
INTERRUPT = 9
IOERR = 10
CORRUPT = 11
CONSTRAINT = 19
MISMATCH = 20
MISUSE = 21
RANGE = 25
ROW = 100
DONE = 101
SNAPSHOT_TOO_OLD = 1001

# Column value types.
T_INTEGER = 1
T_FLOAT = 2
T_TEXT = 3
T_BLOB = 4
T_NULL = 5

_LIB_NAMES = {"linux": "libheliosdb.so", "darwin": "libheliosdb.dylib", "win32": "heliosdb.dll"}


def _candidates() -> list[str]:
    found = []
    env = os.environ.get("HELIOSDB_LIBRARY")
    if env:
        found.append(env)
    name = _LIB_NAMES.get(sys.platform, "libheliosdb.so")
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    if os.path.exists(bundled):
        found.append(bundled)
    system = ctypes.util.find_library("heliosdb")
    if system:
        found.append(system)
    return found


def _load() -> tuple[ctypes.CDLL, ctypes.PyDLL, str]:
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), ctypes.PyDLL(path), path
        except OSError as exc:  # try the next candidate, report all at the end
            errors.append(f"{path}: {exc}")
    detail = "; ".join(errors) if errors else "no candidate found"
    raise ImportError(
        "heliosdb_lite: cannot load libheliosdb (set HELIOSDB_LIBRARY to its path, "
        f"or install the wheel that bundles it): {detail}"
    )


lib, fast, LIBRARY_PATH = _load()

db_p = c_void_p  # heliosdb*      (an opaque token)
stmt_p = c_void_p  # heliosdb_stmt* (an opaque token)


def _sig(dll, name, restype, *argtypes):
    fn = dll[name]  # a new function object each time (attribute access would share one)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


# --- GIL released: calls that run SQL, wait, or may block on a lock --------
open_ = _sig(lib, "heliosdb_open", c_int, c_char_p, POINTER(db_p))
open_with_config = _sig(lib, "heliosdb_open_with_config", c_int, c_char_p, c_char_p, POINTER(db_p))
close = _sig(lib, "heliosdb_close", c_int, db_p)
exec_ = _sig(lib, "heliosdb_exec", c_int, db_p, c_char_p)
interrupt = _sig(lib, "heliosdb_interrupt", c_int, db_p)
prepare = _sig(lib, "heliosdb_prepare", c_int, db_p, c_char_p, POINTER(stmt_p))
step = _sig(lib, "heliosdb_step", c_int, stmt_p)
finalize = _sig(lib, "heliosdb_finalize", c_int, stmt_p)
query_json = _sig(lib, "heliosdb_query_json", c_void_p, db_p, c_char_p, c_char_p)
free = _sig(lib, "heliosdb_free", None, c_void_p)

# --- GIL kept: short accessors --------------------------------------------
errmsg = _sig(fast, "heliosdb_errmsg", c_char_p, db_p)
errcode = _sig(fast, "heliosdb_errcode", c_int, db_p)
notice = _sig(lib, "heliosdb_notice", c_char_p, db_p)  # reads the connection (its lock)
# These read connection state under the connection's lock, which a statement running in
# another thread holds until it ends: they release the GIL so that wait stalls no other thread.
busy_timeout = _sig(lib, "heliosdb_busy_timeout", c_int, db_p, c_int)
get_autocommit = _sig(lib, "heliosdb_get_autocommit", c_int, db_p)
changes = _sig(lib, "heliosdb_changes", c_int64, db_p)
last_insert_rowid = _sig(lib, "heliosdb_last_insert_rowid", c_int64, db_p)
version = _sig(fast, "heliosdb_version", c_char_p)

bind_null = _sig(fast, "heliosdb_bind_null", c_int, stmt_p, c_int)
bind_int64 = _sig(fast, "heliosdb_bind_int64", c_int, stmt_p, c_int, c_int64)
bind_double = _sig(fast, "heliosdb_bind_double", c_int, stmt_p, c_int, c_double)
bind_text = _sig(fast, "heliosdb_bind_text", c_int, stmt_p, c_int, c_char_p, c_int)
bind_blob = _sig(fast, "heliosdb_bind_blob", c_int, stmt_p, c_int, c_char_p, c_int)
bind_parameter_count = _sig(fast, "heliosdb_bind_parameter_count", c_int, stmt_p)
bind_parameter_index = _sig(fast, "heliosdb_bind_parameter_index", c_int, stmt_p, c_char_p)
bind_parameter_name = _sig(fast, "heliosdb_bind_parameter_name", c_char_p, stmt_p, c_int)
stmt_readonly = _sig(fast, "heliosdb_stmt_readonly", c_int, stmt_p)
column_count = _sig(fast, "heliosdb_column_count", c_int, stmt_p)
column_name = _sig(fast, "heliosdb_column_name", c_char_p, stmt_p, c_int)
column_decltype = _sig(fast, "heliosdb_column_decltype", c_char_p, stmt_p, c_int)
column_type = _sig(fast, "heliosdb_column_type", c_int, stmt_p, c_int)
column_int64 = _sig(fast, "heliosdb_column_int64", c_int64, stmt_p, c_int)
column_double = _sig(fast, "heliosdb_column_double", c_double, stmt_p, c_int)
column_text = _sig(fast, "heliosdb_column_text", c_void_p, stmt_p, c_int)
column_blob = _sig(fast, "heliosdb_column_blob", c_void_p, stmt_p, c_int)
column_bytes = _sig(fast, "heliosdb_column_bytes", c_int, stmt_p, c_int)
reset = _sig(fast, "heliosdb_reset", c_int, stmt_p)
clear_bindings = _sig(fast, "heliosdb_clear_bindings", c_int, stmt_p)
# Later steps only walk rows the first step materialised: cheap, keep the GIL.
step_next = _sig(fast, "heliosdb_step", c_int, stmt_p)

string_at = ctypes.string_at


def _raw(dll, name, restype):
    """A foreign function without argtypes: ~40% cheaper per call (no from_param per argument).

    Callers must pass exactly what C expects: statement/connection tokens as
    ``c_void_p`` instances (see ``token``), indexes and lengths as Python ints
    (C int), text as bytes. Used only on the per-row and per-parameter paths.
    """
    fn = dll[name]
    fn.restype = restype
    return fn


token = ctypes.c_void_p  # wrap a handle once: token(value) is passed as a pointer without conversion

r_column_type = _raw(fast, "heliosdb_column_type", c_int)
r_column_count = _raw(fast, "heliosdb_column_count", c_int)
r_column_int64 = _raw(fast, "heliosdb_column_int64", c_int64)
r_column_double = _raw(fast, "heliosdb_column_double", c_double)
r_column_text = _raw(fast, "heliosdb_column_text", c_char_p)  # bytes up to the first NUL
r_column_text_p = _raw(fast, "heliosdb_column_text", c_void_p)
r_column_blob = _raw(fast, "heliosdb_column_blob", c_void_p)
r_column_bytes = _raw(fast, "heliosdb_column_bytes", c_int)
r_bind_null = _raw(fast, "heliosdb_bind_null", c_int)
r_bind_text = _raw(fast, "heliosdb_bind_text", c_int)
r_bind_blob = _raw(fast, "heliosdb_bind_blob", c_int)
r_reset = _raw(fast, "heliosdb_reset", c_int)
r_step_next = _raw(fast, "heliosdb_step", c_int)
r_changes = _raw(lib, "heliosdb_changes", c_int64)  # connection lock: GIL released (see above)
r_last_insert_rowid = _raw(lib, "heliosdb_last_insert_rowid", c_int64)
# The first step runs the statement: through the GIL-releasing view.
r_step = _raw(lib, "heliosdb_step", c_int)
# 64-bit integers and doubles must be passed as c_int64 / c_double instances: the statement
# keeps one of each and sets its .value before the call (half the cost of argtypes conversion).
r_bind_int64 = _raw(fast, "heliosdb_bind_int64", c_int)
r_bind_double = _raw(fast, "heliosdb_bind_double", c_int)
box_int64 = c_int64
box_double = c_double
