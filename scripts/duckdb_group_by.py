"""DuckDB's time for the GROUP BY of heliosdb-bench's `quick`, same data.

The storage issue (#17) asks for DuckDB's figure beside HeliosDB's and
SQLite's. The 1,000,000 `orders` rows are generated in SQL exactly as
`heliosdb_bench::row` does (region `region-NN` from the row number's
multiplicative hash, amount from its higher bits), into an on-disk DuckDB
file, and the query is timed best of five, with DuckDB's default threads
and with one.

Usage: python3 -m venv /tmp/duckvenv && /tmp/duckvenv/bin/pip install duckdb
       /tmp/duckvenv/bin/python scripts/duckdb_group_by.py [ROWS]
"""
import os
import sys
import tempfile
import time

import duckdb

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
GROUP_BY = ("SELECT region, count(*), sum(amount), avg(amount), min(amount), max(amount) "
            "FROM orders GROUP BY region")

with tempfile.TemporaryDirectory() as d:
    con = duckdb.connect(os.path.join(d, "bench.duckdb"))
    con.execute(f"""
        CREATE TABLE orders AS
        WITH h AS (SELECT i, (i::HUGEINT * 11400714819323198485) % 18446744073709551616 AS h
                   FROM range(0, {ROWS}) t(i))
        SELECT i AS id, 'region-' || lpad((h % 50)::VARCHAR, 2, '0') AS region,
               ((h // 256) % 100000)::DOUBLE / 100.0 AS amount, 1700000000 + i AS ts
        FROM h""")
    con.execute("CHECKPOINT")
    for threads in (None, 1):
        if threads:
            con.execute(f"SET threads = {threads}")
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            groups = con.execute(GROUP_BY).fetchall()
            times.append(time.perf_counter() - t0)
        assert len(groups) == 50, groups
        used = con.execute("SELECT current_setting('threads')").fetchone()[0]
        label = f"threads={used}" + ("" if threads else " (default)")
        print(f"duckdb {duckdb.__version__} group by, {ROWS} rows, {label}: {min(times) * 1000:.1f} ms")
