"""Threads: one connection per thread, one connection shared (threadsafety 2), the GIL
released during a long statement, conn.interrupt() from another thread, close racing a query."""

import threading
import time

import pytest

import heliosdb_lite as h

# About a second of engine work, producing rows as it goes (so interrupt can stop it).
LONG = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) SELECT sum(x) FROM n"


def run_threads(n, target):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_one_connection_per_thread(dbpath):
    setup = h.connect(dbpath)
    setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who INTEGER, i INTEGER)")
    setup.close()

    def work(who):
        conn = h.connect(dbpath, timeout=10)
        for batch in range(5):
            with conn.transaction():
                conn.executemany("INSERT INTO t (who, i) VALUES (?, ?)", [(who, batch * 20 + k) for k in range(20)])
            assert conn.execute("SELECT count(*) FROM t WHERE who = ?", (who,)).fetchone() == ((batch + 1) * 20,)
        conn.close()

    run_threads(4, work)
    check = h.connect(dbpath)
    assert check.execute("SELECT who, count(*) FROM t GROUP BY who").fetchall() == [(w, 100) for w in range(4)]
    check.close()


def test_shared_connection(dbpath):
    conn = h.connect(dbpath, isolation_level=None)  # autocommit: threads do not share a transaction by surprise
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who INTEGER)")

    def work(who):
        cur = conn.cursor()  # cursors are per thread
        for k in range(100):
            cur.execute("INSERT INTO t (who) VALUES (?)", (who,))
            cur.execute("SELECT count(*) FROM t WHERE who = ?", (who,))
            assert cur.fetchone() == (k + 1,)
        cur.close()

    run_threads(4, work)
    assert conn.execute("SELECT count(*), count(DISTINCT who) FROM t").fetchone() == (400, 4)
    conn.close()


def test_gil_is_released_during_a_long_query():
    conn = h.connect(":memory:")
    started = time.perf_counter()
    result = {}
    t = threading.Thread(target=lambda: result.update(rows=conn.execute(LONG).fetchall()))
    t.start()
    spins = 0
    while t.is_alive():
        spins += 1  # pure Python work: only runs if the query thread dropped the GIL
    elapsed = time.perf_counter() - started
    assert result["rows"] == [(3000000 * 3000001 // 2,)]
    assert elapsed > 0.1 and spins > 200_000, (elapsed, spins)
    conn.close()


def test_interrupt_from_another_thread():
    conn = h.connect(":memory:")
    conn.execute("CREATE TABLE t (x INTEGER)")
    outcome = {}

    def query():
        try:
            conn.execute(LONG).fetchall()
            outcome["finished"] = True
        except h.Error as exc:
            outcome["error"] = exc

    t = threading.Thread(target=query)
    started = time.perf_counter()
    t.start()
    time.sleep(0.2)
    conn.interrupt()
    t.join()
    assert isinstance(outcome.get("error"), h.OperationalError), outcome
    assert outcome["error"].code == h.INTERRUPT
    assert time.perf_counter() - started < 5
    # The connection stays usable, and a late interrupt does not fail the next statement.
    conn.interrupt()
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
    conn.close()


def test_interrupted_write_changes_nothing(dbpath):
    conn = h.connect(dbpath, isolation_level=None)
    conn.execute("CREATE TABLE t (x INTEGER)")
    t = threading.Thread(target=lambda: pytest.raises(
        h.OperationalError,
        conn.execute,
        "INSERT INTO t " + LONG.replace("SELECT sum(x) FROM n", "SELECT x FROM n"),
    ))
    t.start()
    time.sleep(0.2)
    conn.interrupt()
    t.join()
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    conn.close()


def test_close_while_another_thread_queries():
    conn = h.connect(":memory:")
    outcome = {}

    def query():
        try:
            conn.execute(LONG).fetchall()
        except h.Error as exc:
            outcome["error"] = exc

    t = threading.Thread(target=query)
    t.start()
    time.sleep(0.2)
    conn.close()  # stops the running statement, finalizes it, closes: no crash, no hang
    t.join(timeout=10)
    assert not t.is_alive()
    assert isinstance(outcome.get("error"), h.InterfaceError)


def test_waiting_for_a_shared_connection_does_not_hold_the_gil():
    # Thread A runs a long query on the shared connection; thread B asks the same connection
    # for its state (which waits for A's statement). The main thread must keep running.
    conn = h.connect(":memory:")
    done = {}
    a = threading.Thread(target=lambda: done.update(a=conn.execute(LONG).fetchone()))
    a.start()
    time.sleep(0.05)
    b = threading.Thread(target=lambda: done.update(b=(conn.in_transaction, conn.notice, conn.changes)))
    b.start()
    spins = 0
    while a.is_alive() or b.is_alive():
        spins += 1
    assert done["a"] == (3000000 * 3000001 // 2,) and done["b"][0] is False
    assert spins > 200_000, spins  # ~30,000 when a waiting call holds the GIL; millions when not
    conn.close()
