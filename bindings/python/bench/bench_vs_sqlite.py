"""heliosdb_lite vs Python's sqlite3 (and duckdb when it is installed), in one run.

Workloads (the same data and SQL for each driver, each in its own child
process so peak RSS is per driver):
  insert  executemany of ROWS rows in one transaction
  lookup  LOOKUPS point lookups by primary key: cursor.execute(...).fetchone()
  groupby GROUP BY over the table (50 groups), repeated
Per-call overhead on point lookups = the driver's time per lookup minus the
engine's own time for the same lookup through its C API (bench/point_lookup_c.c,
compiled here when `cc` and sqlite3.h exist): what the Python layer adds.

Run from the repository root (after building the wheel into a venv, or with
PYTHONPATH=bindings/python/src):
    python bindings/python/bench/bench_vs_sqlite.py [--rows 100000] [--lookups 20000]
SQLite runs with journal_mode=WAL, synchronous=NORMAL (like HeliosDB's default:
a commit survives a killed process, it is not fsynced).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
LOOKUP = "SELECT device, value, ts FROM t WHERE id = ?"
GROUP = "SELECT device, count(*), sum(value), avg(value), min(value), max(value) FROM t GROUP BY device"


def rows_for(n):
    return [(i, f"device-{(i * 2654435761) % 50:02d}", ((i * 40503) % 100000) / 100.0, 1_700_000_000 + i)
            for i in range(1, n + 1)]


def best_of(fn, reps=3):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def child(engine: str, path: str, nrows: int, nlookups: int, group_reps: int) -> dict:
    if engine == "heliosdb":
        import heliosdb_lite as mod
        conn = mod.connect(path)
    elif engine == "sqlite3":
        import sqlite3 as mod
        conn = mod.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    else:
        import duckdb as mod
        conn = mod.connect(path)
    data = rows_for(nrows)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, device TEXT NOT NULL, value REAL NOT NULL, ts INTEGER NOT NULL)")
    t = time.perf_counter()
    if engine == "duckdb":
        conn.execute("BEGIN TRANSACTION")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", data)
        conn.execute("COMMIT")
    else:
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", data)
        conn.commit()
    insert = time.perf_counter() - t
    del data
    cur = conn.cursor()
    if engine == "duckdb":
        nlookups = min(nlookups, 2000)  # duckdb is built for scans: keep its lookup run short

    def lookups():
        for i in range(nlookups):
            row = cur.execute(LOOKUP, ((i * 7919) % nrows + 1,)).fetchone()
            assert row is not None

    lookup = best_of(lookups)

    def groupby():
        for _ in range(group_reps):
            assert len(cur.execute(GROUP).fetchall()) == 50

    group = best_of(groupby)
    conn.close()
    return {
        "insert_s": insert, "lookup_us": lookup / nlookups * 1e6, "group_ms": group / group_reps * 1e3,
        "lookups": nlookups, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "version": getattr(mod, "version", None) if engine == "heliosdb" else getattr(mod, "sqlite_version", None)
        if engine == "sqlite3" else mod.__version__,
    }


def engine_cost(workdir: str, nrows: int, nlookups: int):
    """(heliosdb µs, sqlite µs) per lookup through the C APIs, or None when it cannot be built."""
    lib_dir = os.path.join(ROOT, "target", "release")
    src = os.path.join(HERE, "point_lookup_c.c")
    exe = os.path.join(workdir, "point_lookup_c")
    if not (shutil.which("cc") and os.path.exists("/usr/include/sqlite3.h")
            and os.path.exists(os.path.join(lib_dir, "libheliosdb.so"))):
        return None
    subprocess.run(["cc", "-O2", "-I", os.path.join(ROOT, "include"), src, "-L", lib_dir, "-lheliosdb", "-lsqlite3",
                    f"-Wl,-rpath,{lib_dir}", "-o", exe], check=True)
    out = subprocess.run([exe, os.path.join(workdir, "heliosdb"), os.path.join(workdir, "sqlite3.db"),
                          str(nrows), str(nlookups)], check=True, capture_output=True, text=True).stdout
    h, s = map(float, out.split())
    return h, s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--lookups", type=int, default=20_000)
    ap.add_argument("--group-reps", type=int, default=5)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.path, args.rows, args.lookups, args.group_reps)))
        return

    engines = ["heliosdb", "sqlite3"]
    try:
        import duckdb  # noqa: F401
        engines.append("duckdb")
    except ImportError:
        pass
    work = tempfile.mkdtemp(prefix="heliosdb-pybench-")
    results = {}
    try:
        for engine in engines:
            path = os.path.join(work, {"heliosdb": "heliosdb", "sqlite3": "sqlite3.db", "duckdb": "duck.db"}[engine])
            out = subprocess.run([sys.executable, __file__, "--child", engine, "--path", path, "--rows", str(args.rows),
                                  "--lookups", str(args.lookups), "--group-reps", str(args.group_reps)],
                                 check=True, capture_output=True, text=True).stdout
            results[engine] = json.loads(out)
        cost = engine_cost(work, args.rows, args.lookups)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    h, s = results["heliosdb"], results["sqlite3"]
    print(f"# {args.rows:,} rows, {args.lookups:,} lookups; Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores; heliosdb {h['version']}, SQLite {s['version']}"
          + (f", duckdb {results['duckdb']['version']}" if "duckdb" in results else ""))
    head = "| workload | heliosdb_lite | sqlite3 | ratio (helios/sqlite) |" + (" duckdb |" if "duckdb" in results else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))

    def line(label, key, fmt):
        extra = f" {fmt.format(results['duckdb'][key])} |" if "duckdb" in results else ""
        print(f"| {label} | {fmt.format(h[key])} | {fmt.format(s[key])} | {h[key] / s[key]:.2f} |{extra}")

    line(f"executemany insert, {args.rows:,} rows, one transaction (s)", "insert_s", "{:.3f}")
    line("point lookup, execute + fetchone (µs per call)", "lookup_us", "{:.2f}")
    line("GROUP BY 50 groups over the table (ms)", "group_ms", "{:.1f}")
    line("peak RSS of the benchmark process (MiB)", "peak_rss_mib", "{:.0f}")
    if cost:
        ch, cs = cost
        oh, os_ = h["lookup_us"] - ch, s["lookup_us"] - cs
        print(f"| engine's own lookup through its C API (µs) | {ch:.2f} | {cs:.2f} | {ch / cs:.2f} |"
              + (" |" if "duckdb" in results else ""))
        print(f"| **per-call overhead of the Python layer (µs)** | {oh:.2f} | {os_:.2f} | **{oh / os_:.2f}** |"
              + (" |" if "duckdb" in results else ""))
    if "duckdb" in results:
        print(f"(duckdb point lookups: {results['duckdb']['lookups']:,} calls)")


if __name__ == "__main__":
    main()
