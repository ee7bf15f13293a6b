"""Reading result rows: one reader function per statement, generated from its declared types.

A row read costs one foreign call per column value at least, and ctypes
calls dominate a point lookup, so each statement gets a straight-line
reader that uses as few calls as its columns' declared types allow:

  declared type   calls   how
  INTEGER         1       text form -> int (SQL NULL is a NULL pointer)
  DECIMAL(p,s)    1       text form -> decimal.Decimal (exact digits)
  BOOLEAN         1       text form "1"/"0" -> bool
  TEXT            2       text up to NUL + byte length (a NUL inside falls back to the full bytes)
  REAL            1       double (NULL reads 0.0: a 0.0 also asks the value type)
  BLOB, ANY, none 2-3     value type, then the value (the generic path)

Columns behave like SQLite STRICT columns, so a declared INTEGER column
holds integers or NULL, and so on. A compound SELECT (UNION/INTERSECT/
EXCEPT) reports the first term's declared types although later terms may
produce other types, so such statements use the generic path throughout;
the INTEGER path also falls back to it if the text is not an integer.
"""

from __future__ import annotations

import decimal
import re

from . import _native as N

_COMPOUND = re.compile(r"\b(UNION|INTERSECT|EXCEPT)\b", re.I)

_ENV = {
    "ct": N.r_column_type, "ci": N.r_column_int64, "cd": N.r_column_double,
    "cx": N.r_column_text, "cxp": N.r_column_text_p, "cbl": N.r_column_blob, "cb": N.r_column_bytes,
    "string_at": N.string_at, "Decimal": decimal.Decimal,
}


def generic_value(hp, i: int, kind: str | None = None):
    """Column ``i`` of the current row by its value type (any declared type)."""
    t = N.r_column_type(hp, i)
    if t == 1:  # INTEGER (and BOOLEAN)
        v = N.r_column_int64(hp, i)
        return bool(v) if kind == "BOOLEAN" else v
    if t == 3:  # TEXT
        n = N.r_column_bytes(hp, i)
        b = N.r_column_text(hp, i)
        if b is None or len(b) != n:
            b = N.string_at(N.r_column_text_p(hp, i), n) if n else b""
        return b.decode("utf-8", "replace")
    if t == 2:  # FLOAT (and DECIMAL: exact digits from the text form)
        if kind == "DECIMAL":
            return decimal.Decimal(N.r_column_text(hp, i).decode("ascii"))
        return N.r_column_double(hp, i)
    if t == 4:  # BLOB
        n = N.r_column_bytes(hp, i)
        return N.string_at(N.r_column_blob(hp, i), n) if n else b""
    return None


_ENV["generic"] = generic_value


def family(decltype: str | None) -> str | None:
    """The engine type family of a declared type ("DECIMAL(15,2)" -> "DECIMAL"), or None."""
    if decltype is None:
        return None
    up = decltype.upper()
    for name in ("INTEGER", "REAL", "TEXT", "BLOB", "BOOLEAN", "DECIMAL", "NUMERIC", "ANY"):
        if up.startswith(name):
            return "DECIMAL" if name == "NUMERIC" else name
    return None


def make_reader(sql: str, decltypes: list):
    """A function ``reader(hp) -> tuple`` reading the current row of a statement with these columns."""
    fams = [family(d) for d in decltypes]
    fast = not _COMPOUND.search(sql)
    lines = ["def reader(hp):"]
    names = []
    for i, fam in enumerate(fams):
        v = f"v{i}"
        names.append(v)
        if fast and fam == "INTEGER":
            lines += [f"    {v} = cx(hp, {i})",
                      f"    if {v} is not None:",
                      f"        try: {v} = int({v})",
                      f"        except ValueError: {v} = generic(hp, {i})  # the declared type did not hold"]
        elif fast and fam == "DECIMAL":
            lines += [f"    {v} = cx(hp, {i})",
                      f"    if {v} is not None: {v} = Decimal({v}.decode('ascii'))"]
        elif fast and fam == "BOOLEAN":
            lines += [f"    {v} = cx(hp, {i})",
                      f"    if {v} is not None: {v} = {v} != b'0'"]
        elif fast and fam == "TEXT":
            lines += [f"    {v} = cx(hp, {i})",
                      f"    if {v} is not None:",
                      f"        n = cb(hp, {i})",
                      f"        if len({v}) != n: {v} = string_at(cxp(hp, {i}), n)",
                      f"        {v} = {v}.decode('utf-8', 'replace')"]
        elif fast and fam == "REAL":
            # NULL reads as 0.0: only a 0.0 needs the value type to tell them apart.
            lines += [f"    {v} = cd(hp, {i})",
                      f"    if {v} == 0.0 and ct(hp, {i}) != 2: {v} = generic(hp, {i})"]
        else:
            lines += [f"    {v} = generic(hp, {i}, {fam!r})"]
    lines.append(f"    return ({', '.join(names)}{',' if len(names) == 1 else ''})")
    if not names:
        lines[-1] = "    return ()"
    ns = dict(_ENV)
    exec("\n".join(lines), ns)  # noqa: S102 - our own generated code, from declared types only
    return ns["reader"]
