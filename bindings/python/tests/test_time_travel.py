"""AS OF SCN / TRANSACTION / TIMESTAMP through parameters, read-only AS OF transactions,
and VERSIONS BETWEEN — the points are taken from the engine, never from the wall clock."""

from decimal import Decimal as D

import pytest


@pytest.fixture
def ledger(conn):
    conn.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, balance DECIMAL(15,2))")
    conn.execute("INSERT INTO acct VALUES (1, ?)", (D("100.00"),))
    conn.commit()
    points = []
    for amount in ("150.00", "75.50"):
        points.append(conn.execute(
            "SELECT heliosdb_current_scn(), heliosdb_last_txid(), "
            "(SELECT commit_time FROM heliosdb_snapshots() ORDER BY scn DESC LIMIT 1)").fetchone())
        conn.execute("UPDATE acct SET balance = ? WHERE id = 1", (amount,))
        conn.commit()
    return conn, points


def test_as_of_scn_transaction_timestamp(ledger):
    conn, points = ledger
    (scn0, tx0, time0), (scn1, tx1, time1) = points
    assert conn.execute("SELECT balance FROM acct WHERE id = 1").fetchone() == (D("75.50"),)
    assert conn.execute("SELECT balance FROM acct AS OF SCN ? WHERE id = 1", (scn0,)).fetchone() == (D("100.00"),)
    assert conn.execute("SELECT balance FROM acct AS OF SCN ? WHERE id = 1", (scn1,)).fetchone() == (D("150.00"),)
    assert conn.execute("SELECT balance FROM acct AS OF TRANSACTION ?", (tx1,)).fetchone() == (D("150.00"),)
    assert conn.execute("SELECT balance FROM acct AS OF TIMESTAMP ?", (time0,)).fetchone() == (D("100.00"),)
    # Past beside present in one query.
    row = conn.execute(
        "SELECT p.balance, c.balance FROM acct AS OF SCN :s p JOIN acct c ON c.id = p.id", {"s": scn0}
    ).fetchone()
    assert row == (D("100.00"), D("75.50"))


def test_read_only_as_of_transaction(ledger):
    conn, points = ledger
    scn0 = points[0][0]
    conn.execute(f"BEGIN READ ONLY AS OF SCN {scn0}")
    assert conn.execute("SELECT balance FROM acct").fetchone()[0] == D("100.00")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM acct").fetchone() == (1,)


def test_versions_between(ledger):
    conn, _ = ledger
    rows = conn.execute(
        "SELECT balance, heliosdb_operation, heliosdb_ended_by FROM acct VERSIONS BETWEEN SCN 1 AND ? "
        "ORDER BY heliosdb_valid_from_scn",
        (conn.execute("SELECT heliosdb_current_scn()").fetchone()[0],),
    ).fetchall()
    assert [str(r[0]) for r in rows] == ["100.00", "150.00", "75.50"]
    assert rows[0][1] == "INSERT" and rows[-1][2] is None
