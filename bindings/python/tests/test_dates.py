"""DATE, TIME, TIMESTAMP and DATETIME columns: text by default (as sqlite3), datetime
objects under detect_types=PARSE_DECLTYPES, register_converter, and datetime
parameters bound as the engine's UTC text."""

import datetime

import pytest

import heliosdb_lite as h

SCHEMA = "CREATE TABLE ev (id INTEGER PRIMARY KEY, d DATE, tm TIME, ts TIMESTAMP, dt DATETIME, note TEXT)"
ROW = ("INSERT INTO ev VALUES (1, '2026-01-05', '10:30:00.250', '2026-01-05T10:00:00.125+02:00',"
       " 1767571200, '2026-01-05 08:00:00')")


@pytest.fixture
def parsed(dbpath):
    c = h.connect(dbpath, detect_types=h.PARSE_DECLTYPES)
    c.execute(SCHEMA)
    yield c
    c.close()


def test_default_reads_text(conn):
    conn.execute(SCHEMA)
    conn.execute(ROW)
    row = conn.execute("SELECT d, tm, ts, dt, note FROM ev").fetchone()
    assert row == ("2026-01-05", "10:30:00.250", "2026-01-05 08:00:00.125", "2026-01-05 00:00:00",
                   "2026-01-05 08:00:00")
    assert conn.detect_types == 0


def test_parse_decltypes(parsed):
    parsed.execute(ROW)
    parsed.execute("INSERT INTO ev (id) VALUES (2)")
    rows = parsed.execute("SELECT d, tm, ts, dt, note FROM ev ORDER BY id").fetchall()
    assert rows[0] == (
        datetime.date(2026, 1, 5),
        datetime.time(10, 30, 0, 250000),
        datetime.datetime(2026, 1, 5, 8, 0, 0, 125000),  # naive, UTC
        datetime.datetime(2026, 1, 5, 0, 0, 0),
        "2026-01-05 08:00:00",  # TEXT has no converter
    )
    assert type(rows[0][0]) is datetime.date
    assert rows[1] == (None, None, None, None, None)
    # An expression has no declared type: text, as in sqlite3.
    assert parsed.execute("SELECT max(ts) FROM ev").fetchone() == ("2026-01-05 08:00:00.125",)
    # Through row_factory and Connection.open too.
    parsed.row_factory = lambda cur, row: dict(zip([d[0] for d in cur.description], row))
    assert parsed.execute("SELECT d FROM ev WHERE id = 1").fetchone() == {"d": datetime.date(2026, 1, 5)}


def test_connection_open_and_bad_detect_types(dbpath):
    c = h.Connection.open(path=dbpath, detect_types=h.PARSE_DECLTYPES)
    try:
        c.execute("CREATE TABLE t (d DATE)")
        c.execute("INSERT INTO t VALUES ('2026-02-28')")
        assert c.execute("SELECT d FROM t").fetchone() == (datetime.date(2026, 2, 28),)
    finally:
        c.close()
    with pytest.raises(h.NotSupportedError):
        h.connect(dbpath, detect_types=2)  # PARSE_COLNAMES is not supported


def test_register_converter(parsed):
    parsed.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, pt PAIR, d DATE)")
    parsed.execute("INSERT INTO p VALUES (1, '1;2', '2026-01-05')")
    try:
        h.register_converter("pair", lambda b: tuple(int(x) for x in b.split(b";")))
        h.register_converter("DATE", lambda b: b"date:" + b)
        assert parsed.execute("SELECT pt, d FROM p").fetchone() == ((1, 2), b"date:2026-01-05")
    finally:
        h.register_converter("DATE", lambda b: datetime.date.fromisoformat(b.decode("ascii")))
    assert parsed.execute("SELECT d FROM p").fetchone() == (datetime.date(2026, 1, 5),)
    with pytest.raises(TypeError):
        h.register_converter("x", 42)


def test_converter_errors_propagate(parsed):
    h.register_converter("BROKEN", lambda b: datetime.datetime.fromisoformat(b.decode() + "junk"))
    parsed.execute("CREATE TABLE u (x BROKEN)")
    parsed.execute("INSERT INTO u VALUES ('2026-01-05')")
    with pytest.raises(ValueError):
        parsed.execute("SELECT x FROM u").fetchone()


def test_datetime_parameters(parsed):
    aware = datetime.datetime(2026, 3, 1, 1, 30, 15, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    naive = datetime.datetime(2026, 3, 1, 6, 0)
    parsed.execute("INSERT INTO ev (id, d, tm, ts, dt, note) VALUES (1, ?, ?, ?, ?, ?)",
                   (datetime.date(2026, 3, 1), datetime.time(7, 8, 9), aware, naive, aware))
    parsed.execute("INSERT INTO ev (id, ts, note) VALUES (2, ?, ?)", (naive, naive))
    text = parsed.execute(
        "SELECT CAST(d AS TEXT), CAST(tm AS TEXT), CAST(ts AS TEXT), CAST(dt AS TEXT), note FROM ev WHERE id = 1"
    ).fetchone()
    assert text == ("2026-03-01", "07:08:09", "2026-03-01 06:30:15.123", "2026-03-01 06:00:00",
                    "2026-03-01 06:30:15.123456")
    assert parsed.execute("SELECT note FROM ev WHERE id = 2").fetchone() == ("2026-03-01 06:00:00",)
    # Round trip (TIMESTAMP keeps milliseconds) and comparison in time order.
    assert parsed.execute("SELECT ts FROM ev WHERE id = 1").fetchone() == (
        datetime.datetime(2026, 3, 1, 6, 30, 15, 123000),)
    got = parsed.execute("SELECT id FROM ev WHERE ts > ? ORDER BY id",
                         (datetime.datetime(2026, 3, 1, 6, 15),)).fetchall()
    assert got == [(1,)]
