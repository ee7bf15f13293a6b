"""Materialized views from Python: the strategy notice, pg_mv_staleness(), incremental refresh."""

import heliosdb_lite as h


def test_view_notice_staleness_and_incremental_refresh(conn):
    conn.execute("CREATE TABLE r (id INTEGER PRIMARY KEY AUTOINCREMENT, dev TEXT, v REAL, ts INTEGER)")
    conn.executemany("INSERT INTO r (dev, v, ts) VALUES (?, ?, ?)", [("d1", 1.0, 0), ("d1", 3.0, 60), ("d2", 5.0, 0)])
    conn.commit()
    conn.execute(
        "CREATE MATERIALIZED VIEW per_dev AS SELECT dev, count(*) AS n, avg(v) AS mean FROM r GROUP BY dev"
    )
    assert "incrementally" in conn.notice
    conn.execute("CREATE MATERIALIZED VIEW top AS SELECT dev FROM r ORDER BY v DESC LIMIT 1")
    assert "partially" in conn.notice and "top 1 rows" in conn.notice and "LIMIT" in conn.notice
    assert conn.execute("SELECT dev, n, mean FROM per_dev ORDER BY dev").fetchall() == [("d1", 2, 2.0), ("d2", 1, 5.0)]

    conn.executemany("INSERT INTO r (dev, v, ts) VALUES (?, ?, ?)", [("d2", 7.0, 60), ("d3", 1.0, 0)])
    conn.commit()
    cur = conn.execute(
        "SELECT view_name, pending_changes, status, refresh_strategy FROM pg_mv_staleness() ORDER BY view_name"
    )
    assert [d[0] for d in cur.description] == ["view_name", "pending_changes", "status", "refresh_strategy"]
    assert cur.fetchall() == [("per_dev", 2, "stale", "incremental"), ("top", 2, "stale", "partial")]
    conn.execute("REFRESH MATERIALIZED VIEW per_dev INCREMENTALLY")
    assert conn.execute("SELECT dev, n, mean FROM per_dev ORDER BY dev").fetchall() == [
        ("d1", 2, 2.0), ("d2", 2, 6.0), ("d3", 1, 1.0),
    ]
    status = dict(conn.execute("SELECT view_name, status FROM pg_mv_staleness()").fetchall())
    assert status == {"per_dev": "fresh", "top": "stale"}


def test_refresh_inside_a_transaction_is_an_operational_error(conn):
    conn.execute("CREATE TABLE r (x INTEGER)")
    conn.execute("CREATE MATERIALIZED VIEW s AS SELECT sum(x) AS t FROM r")
    conn.execute("INSERT INTO r VALUES (1)")  # implicit BEGIN
    try:
        conn.execute("REFRESH MATERIALIZED VIEW s")
    except h.OperationalError as e:
        assert "transaction" in e.message
    else:
        raise AssertionError("REFRESH inside a transaction should fail")
    conn.commit()
    conn.execute("REFRESH MATERIALIZED VIEW s")
    assert conn.execute("SELECT t FROM s").fetchone() == (1,)
