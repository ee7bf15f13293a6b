"""Every type both ways, NULL, DECIMAL exactness, BOOLEAN, bytes, dates as ISO text,
and values the binding must refuse with an error rather than corrupt or crash."""

import datetime
import decimal
import enum

import pytest

import heliosdb_lite as h

D = decimal.Decimal


@pytest.fixture
def typed(conn):
    conn.execute(
        "CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB,"
        " d DECIMAL(15,2), big DECIMAL(28,10), f BOOLEAN, a ANY)"
    )
    return conn


def roundtrip(conn, col, value):
    conn.execute("DELETE FROM v")
    conn.execute(f"INSERT INTO v (id, {col}) VALUES (1, ?)", (value,))
    return conn.execute(f"SELECT {col} FROM v WHERE id = 1").fetchone()[0]


@pytest.mark.parametrize(
    "col,value",
    [
        ("i", 0), ("i", -(2**63)), ("i", 2**63 - 1), ("r", 1.5), ("r", 0.0), ("r", -0.0), ("r", 1e300),
        ("t", ""), ("t", "héllo wörld ✓"), ("t", "nul\x00inside"), ("b", b""), ("b", bytes(range(256))),
        ("d", D("12345678901.25")), ("d", D("-0.01")), ("big", D("123456789012345678.0123456789")),
        ("f", True), ("f", False), ("a", "any text"), ("a", 7),
    ],
)
def test_roundtrip(typed, col, value):
    got = roundtrip(typed, col, value)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("col", ["i", "r", "t", "b", "d", "f", "a"])
def test_null_everywhere(typed, col):
    assert roundtrip(typed, col, None) is None


def test_decimal_is_exact_and_rounded_by_scale(typed):
    assert roundtrip(typed, "d", D("0.1")) + D("0.2") == D("0.3")
    assert roundtrip(typed, "d", D("2.345")) == D("2.35")  # DECIMAL(15,2): half away from zero
    assert roundtrip(typed, "d", 3) == D("3.00")
    # Aggregates have no declared type: they come back as float (documented).
    typed.execute("INSERT INTO v (id, d) VALUES (2, ?), (3, ?)", (D("0.10"), D("0.20")))
    assert isinstance(typed.execute("SELECT sum(d) FROM v").fetchone()[0], float)


def test_bool_and_bytes_like(typed):
    assert roundtrip(typed, "i", True) == 1
    assert roundtrip(typed, "b", bytearray(b"\x01\x02")) == b"\x01\x02"
    assert roundtrip(typed, "b", memoryview(b"xyz")) == b"xyz"


def test_datetimes_are_written_as_iso_text(typed):
    ts = datetime.datetime(2024, 12, 31, 23, 59, 58, 250000)
    assert roundtrip(typed, "t", ts) == "2024-12-31 23:59:58.250000"
    aware = datetime.datetime(2025, 1, 1, 2, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert roundtrip(typed, "t", aware) == "2025-01-01 00:00:00"  # converted to UTC
    assert roundtrip(typed, "t", datetime.date(2024, 2, 29)) == "2024-02-29"
    assert roundtrip(typed, "t", datetime.time(7, 30)) == "07:30:00"
    # The engine's date functions read what the binding wrote.
    assert typed.execute("SELECT strftime('%s', ?)", (ts.replace(microsecond=0),)).fetchone()[0] == "1735689598"


def test_int_subclasses_bind_as_int(typed):
    class Level(enum.IntEnum):
        HIGH = 3

    assert roundtrip(typed, "i", Level.HIGH) == 3


def test_refused_values(typed):
    with pytest.raises(h.DataError):
        roundtrip(typed, "i", 2**63)
    with pytest.raises(h.DataError):
        roundtrip(typed, "d", D("NaN"))
    with pytest.raises(h.DataError):
        roundtrip(typed, "t", "\udc80")  # a lone surrogate is not UTF-8
    with pytest.raises(h.ProgrammingError, match="not supported"):
        roundtrip(typed, "t", object())
    with pytest.raises(h.ProgrammingError):
        typed.execute("SELECT ?", "ab")  # a str is not a parameter sequence
    with pytest.raises(h.DataError) as info:
        roundtrip(typed, "i", "not a number")  # the engine's type check (MISMATCH)
    assert info.value.code == h.MISMATCH


def test_value_types_without_declared_type(conn):
    row = conn.execute("SELECT 1, 2.5, 'x', x'00ff', NULL, 1 = 1").fetchone()
    assert row == (1, 2.5, "x", b"\x00\xff", None, 1)


def test_type_objects_and_constructors():
    assert "DECIMAL(15,2)" == h.NUMBER and "DECIMAL(15,2)" == h.DECIMAL
    assert "BLOB" == h.BINARY and "TEXT" == h.STRING and "BOOLEAN" == h.BOOLEAN
    assert "TEXT" != h.NUMBER and None != h.NUMBER  # noqa: E711
    assert h.Date(2024, 1, 2) == datetime.date(2024, 1, 2)
    assert h.TimestampFromTicks(0) == datetime.datetime(1970, 1, 1)
    assert h.Binary(b"a") == b"a"


def test_compound_select_keeps_each_value_type(conn):
    # The first term's declared type (INTEGER/TEXT) does not hold for the later terms.
    conn.execute("CREATE TABLE m (i INTEGER, t TEXT)")
    conn.execute("INSERT INTO m VALUES (1, 'one')")
    rows = conn.execute("SELECT i, t FROM m UNION ALL SELECT 2.5, 7 UNION ALL SELECT 'x', NULL").fetchall()
    assert rows == [(1, "one"), (2.5, 7), ("x", None)]
    assert [type(v) for v in rows[1]] == [float, int]


def test_declared_type_readers_cover_null_empty_and_extremes(typed):
    typed.execute("INSERT INTO v (id, i, r, t, d, f) VALUES (1, ?, ?, ?, ?, ?), (2, NULL, NULL, NULL, NULL, NULL)",
                  (-(2**63), float("inf"), "", D("-0.00"), False))
    assert typed.execute("SELECT i, r, t, d, f FROM v ORDER BY id").fetchall() == [
        (-(2**63), float("inf"), "", D("0.00"), False),
        (None, None, None, None, None),
    ]
    # A view and AS OF reads keep the declared types.
    typed.execute("CREATE VIEW vv AS SELECT d, f FROM v")
    assert typed.execute("SELECT d, f FROM vv WHERE d IS NOT NULL").fetchone() == (D("0.00"), False)
