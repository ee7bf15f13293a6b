"""PEP 249 type objects and constructors, and how Python values are written.

Binding (Python -> engine), decided per value by ``bind_one`` in statement.py:
  None -> NULL; bool -> INTEGER 0/1 (a BOOLEAN column stores it as a boolean);
  int -> 64-bit INTEGER; float -> REAL; str -> TEXT; bytes/bytearray/memoryview
  -> BLOB; decimal.Decimal -> its exact text (a DECIMAL column parses it
  without going through a float); datetime.datetime -> ISO text
  'YYYY-MM-DD HH:MM:SS[.ffffff]' (aware values converted to UTC first, the
  form AS OF TIMESTAMP and the date functions read); datetime.date ->
  'YYYY-MM-DD'; datetime.time -> 'HH:MM:SS[.ffffff]'.

Reading (engine -> Python) uses the value's type and the column's declared
type: DECIMAL/NUMERIC columns give decimal.Decimal (exact digits from the
engine), BOOLEAN columns give bool, otherwise int/float/str/bytes/None.
"""

from __future__ import annotations

import datetime
import time

__all__ = [
    "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID", "BOOLEAN", "DECIMAL",
    "Date", "Time", "Timestamp", "DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Binary",
    "iso_text",
]


class DBAPITypeObject:
    """Compares equal to every declared column type (``description[i][1]``) of its family.

    ``type_code`` in a description is the declared type text ("INTEGER",
    "DECIMAL(15,2)", …) or None for expressions; ``type_code == NUMBER`` is
    how PEP 249 code tests it.
    """

    def __init__(self, name: str, *prefixes: str):
        self.name = name
        self.prefixes = tuple(p.upper() for p in prefixes)

    def __eq__(self, other) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self is other
        if isinstance(other, str):
            return other.upper().startswith(self.prefixes)
        return NotImplemented

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<heliosdb_lite.{self.name}>"


STRING = DBAPITypeObject("STRING", "TEXT", "VARCHAR", "CHAR", "CLOB", "NVARCHAR", "NCHAR", "STRING")
BINARY = DBAPITypeObject("BINARY", "BLOB", "BYTEA", "BINARY", "VARBINARY")
NUMBER = DBAPITypeObject(
    "NUMBER", "INT", "BIGINT", "SMALLINT", "TINYINT", "REAL", "FLOAT", "DOUBLE", "DECIMAL", "NUMERIC", "BOOL",
)
DATETIME = DBAPITypeObject("DATETIME", "DATE", "TIME", "TIMESTAMP", "DATETIME")
ROWID = DBAPITypeObject("ROWID", "ROWID")
BOOLEAN = DBAPITypeObject("BOOLEAN", "BOOL")
DECIMAL = DBAPITypeObject("DECIMAL", "DECIMAL", "NUMERIC")

Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> datetime.date:  # noqa: N802 - PEP 249 name
    return Date(*time.gmtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:  # noqa: N802
    return Time(*time.gmtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:  # noqa: N802
    return Timestamp(*time.gmtime(ticks)[:6])


def iso_text(value) -> str:
    """The text a date/time value is stored as (UTC for aware datetimes)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    return value.isoformat()
