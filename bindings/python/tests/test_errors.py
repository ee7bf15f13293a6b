"""Each PEP 249 exception class, raised by a real failure, carrying the engine's code and message."""

import pytest

import heliosdb_lite as h


def test_hierarchy():
    assert issubclass(h.Error, Exception) and issubclass(h.Warning, Exception)
    assert not issubclass(h.Warning, h.Error)
    assert issubclass(h.InterfaceError, h.Error) and not issubclass(h.InterfaceError, h.DatabaseError)
    for cls in (h.DataError, h.OperationalError, h.IntegrityError, h.InternalError,
                h.ProgrammingError, h.NotSupportedError):
        assert issubclass(cls, h.DatabaseError)
        e = cls("msg", 42)
        assert e.code == 42 and e.message == "msg" and str(e) == "msg"
    # Also reachable as connection attributes (PEP 249 extension, as in sqlite3).
    assert h.Connection.IntegrityError is h.IntegrityError and h.Connection.Warning is h.Warning


def test_programming_error_for_sql_errors(conn):
    with pytest.raises(h.ProgrammingError, match="syntax error") as info:
        conn.execute("SELEC 1")
    assert info.value.code == 1
    with pytest.raises(h.ProgrammingError, match="no such table"):
        conn.execute("SELECT * FROM missing")
    with pytest.raises(h.ProgrammingError):
        conn.execute("SELECT 1; SELECT 2")  # one statement per execute
    with pytest.raises(h.ProgrammingError):
        conn.execute(42)


def test_integrity_error_for_constraints(conn):
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)")
    conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p (id))")
    conn.execute("INSERT INTO p (id, email) VALUES (1, 'a@x')")
    for sql, params in [
        ("INSERT INTO p (id, email) VALUES (2, 'a@x')", ()),  # UNIQUE
        ("INSERT INTO p (id, email) VALUES (1, 'b@x')", ()),  # PRIMARY KEY
        ("INSERT INTO p (id, email) VALUES (3, ?)", (None,)),  # NOT NULL
        ("INSERT INTO c (pid) VALUES (99)", ()),  # FOREIGN KEY
    ]:
        with pytest.raises(h.IntegrityError) as info:
            conn.execute(sql, params)
        assert info.value.code == h.CONSTRAINT and "constraint" in info.value.message.lower()
    # The failed statement undid only itself: the transaction goes on.
    conn.commit()
    assert conn.execute("SELECT count(*) FROM p").fetchone() == (1,)


def test_data_error_for_mismatch(conn):
    conn.execute("CREATE TABLE m (d DECIMAL(5,2))")
    with pytest.raises(h.DataError) as info:
        conn.execute("INSERT INTO m VALUES (?)", ("12345.5",))
    assert info.value.code == h.MISMATCH and "out of range" in info.value.message


def test_operational_error_busy(dbpath):
    a = h.connect(dbpath)
    b = h.connect(dbpath, timeout=0)
    try:
        a.execute("CREATE TABLE t (x INTEGER)")
        a.execute("INSERT INTO t VALUES (1)")  # implicit BEGIN: a holds the write lock
        with pytest.raises(h.OperationalError) as info:
            b.execute("INSERT INTO t VALUES (2)")
        assert info.value.code == h.BUSY and "locked" in info.value.message
        a.commit()
        b.execute("INSERT INTO t VALUES (2)")
        b.commit()
        assert a.execute("SELECT count(*) FROM t").fetchone() == (2,)
    finally:
        a.close()
        b.close()


def test_operational_error_snapshot_too_old(tmp_path):
    conn = h.connect(str(tmp_path / "gc"), config={"snapshot": {"min_retention_seconds": 0, "max_snapshots": 1}})
    try:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        first = conn.execute("SELECT heliosdb_current_scn()").fetchone()[0]
        for i in range(3):
            conn.execute("INSERT INTO t (v) VALUES (?)", (i,))
            conn.commit()
        conn.execute("SELECT heliosdb_gc()").fetchall()
        with pytest.raises(h.OperationalError, match="snapshot too old") as info:
            conn.execute("SELECT * FROM t AS OF SCN ?", (first,))
        assert info.value.code == h.SNAPSHOT_TOO_OLD == 1001
    finally:
        conn.close()


def test_operational_error_readonly_transaction(conn):
    conn.execute("CREATE TABLE t (x INTEGER)")
    scn = conn.execute("SELECT heliosdb_current_scn()").fetchone()[0]
    conn.execute(f"BEGIN READ ONLY AS OF SCN {scn}")
    with pytest.raises(h.OperationalError) as info:
        conn.execute("INSERT INTO t VALUES (1)")
    assert info.value.code == h.READONLY
    conn.rollback()


def test_operational_error_at_run_time(conn):
    conn.execute("CREATE TABLE f (x INTEGER)")
    with pytest.raises(h.OperationalError, match="in the future") as info:
        conn.execute("SELECT * FROM f AS OF SCN 999999")
    assert info.value.code == 1


def test_unknown_savepoint_is_an_operational_error(conn):
    # As sqlite3: the engine's "no such savepoint" comes back as OperationalError.
    conn.execute("CREATE TABLE t (x INTEGER)")
    with conn.transaction():
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(h.OperationalError, match="no such savepoint: nope") as info:
            conn.execute("ROLLBACK TO SAVEPOINT nope")
        assert info.value.code == 1
        assert conn.in_transaction  # the failed statement left the transaction open
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_closed_objects_raise_programming_error(conn):
    cur = conn.cursor()
    cur.close()
    with pytest.raises(h.ProgrammingError):
        cur.execute("SELECT 1")
    with pytest.raises(h.ProgrammingError):
        cur.fetchone()
    conn.close()
    conn.close()  # twice is fine
    with pytest.raises(h.ProgrammingError):
        conn.execute("SELECT 1")
    with pytest.raises(h.ProgrammingError):
        conn.cursor()
    with pytest.raises(h.ProgrammingError):
        conn.commit()


def test_interface_error_when_connection_closes_under_a_cursor(dbpath):
    conn = h.connect(dbpath)
    cur = conn.execute("SELECT 1 UNION ALL SELECT 2")
    conn.close()
    # The cursor's statement was finalized with the connection: a clean error, no crash.
    with pytest.raises(h.ProgrammingError):
        cur.execute("SELECT 1")
    with pytest.raises(h.InterfaceError) as info:
        cur.fetchone()
    assert info.value.code == 21


def test_open_errors(tmp_path):
    with pytest.raises(h.ProgrammingError, match="memory_limit_mb|unknown|nope"):
        h.connect(str(tmp_path / "x"), config={"database": {"nope": 1}})
    bad = tmp_path / "file"
    bad.write_text("not a database")
    with pytest.raises(h.Error) as info:
        h.connect(str(bad))
    assert info.value.code != 0


def test_second_open_with_other_settings_is_refused(dbpath):
    first = h.connect(dbpath)
    with pytest.raises(h.ProgrammingError, match="different configuration") as info:
        h.connect(dbpath, config={"snapshot": {"max_snapshots": 5}})
    assert info.value.code == 21
    h.connect(dbpath, config={"database": {"busy_timeout_ms": 10}}).close()  # per-connection: allowed
    first.close()
