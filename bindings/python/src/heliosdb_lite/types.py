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
DATE/TIME/TIMESTAMP/DATETIME columns hold the engine's UTC text and read as
str, unless the connection has ``detect_types=PARSE_DECLTYPES``: then, as in
sqlite3, the converter registered for the declared type's first word is
called with the value's bytes. Built in: DATE -> datetime.date, TIME ->
datetime.time, TIMESTAMP and DATETIME -> naive datetime.datetime in UTC;
``register_converter`` adds or replaces converters.
"""

from __future__ import annotations

import datetime
import time

__all__ = [
    "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID", "BOOLEAN", "DECIMAL",
    "Date", "Time", "Timestamp", "DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Binary",
    "iso_text", "PARSE_DECLTYPES", "register_converter",
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


#: ``connect(detect_types=PARSE_DECLTYPES)``: convert values by their column's declared type.
PARSE_DECLTYPES = 1


def _convert_date(b: bytes) -> datetime.date:
    return datetime.date.fromisoformat(b.decode("ascii"))


def _convert_time(b: bytes) -> datetime.time:
    return datetime.time.fromisoformat(b.decode("ascii"))


def _convert_timestamp(b: bytes) -> datetime.datetime:
    # 'YYYY-MM-DD HH:MM:SS[.SSS]' in UTC -> naive datetime (as sqlite3's timestamp converter).
    return datetime.datetime.fromisoformat(b.decode("ascii"))


# Declared type name (upper case) -> converter(bytes); read under PARSE_DECLTYPES.
_converters = {
    "DATE": _convert_date,
    "TIME": _convert_time,
    "TIMESTAMP": _convert_timestamp,
    "DATETIME": _convert_timestamp,
}
_converters_version = [0]  # bumped on register_converter: cursors rebuild their converter lists


def register_converter(typename: str, converter) -> None:
    """Registers ``converter(bytes) -> value`` for columns declared ``typename`` (its first
    word, case-insensitive), used by connections opened with ``detect_types=PARSE_DECLTYPES``."""
    if not isinstance(typename, str):
        raise TypeError("typename must be a str")
    if not callable(converter):
        raise TypeError("converter must be callable")
    _converters[typename.upper()] = converter
    _converters_version[0] += 1


def converter_for(decltype: str | None):
    """The converter for a declared type ("TIMESTAMP", "decimal(10,2)" -> its first word), or None."""
    if not decltype:
        return None
    words = decltype.split("(", 1)[0].split()
    return _converters.get(words[0].upper()) if words else None
