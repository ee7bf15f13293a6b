"""heliosdb_lite vs Python's sqlite3 (and duckdb when it is installed), in one run.

Workloads (the same data and SQL for each driver):
  insert  executemany of ROWS rows in one transaction (each driver in its own
          child process, which also reports its peak RSS after the reads below)
  lookup  point lookups by primary key: cursor.execute(...).fetchone()
  groupby GROUP BY over the table (50 groups, 5 aggregates)
Per-call overhead on point lookups = the driver's time per lookup minus the
engine's own time for the same lookup through its C API (bench/point_lookup_c.c,
built here as a shared library when `cc` and sqlite3.h exist): what the Python
layer adds. Lookup and GROUP BY rounds of every driver (and of both C APIs)
take turns in one process, best round each, so a busy machine skews them alike.

Run from the repository root, with heliosdb_lite importable (the installed
wheel, or PYTHONPATH=bindings/python/src HELIOSDB_LIBRARY=target/release/libheliosdb.so):
    python bindings/python/bench/bench_vs_sqlite.py [--rows 100000] [--lookups 30000]
SQLite runs with journal_mode=WAL, synchronous=NORMAL (like HeliosDB's default:
a commit survives a killed process, it is not fsynced).
"""

from __future__ import annotations

import argparse
import ctypes
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
FILES = {"heliosdb": "heliosdb", "sqlite3": "sqlite3.db", "duckdb": "duck.db"}
ROUNDS = 60  # many short rounds: on a busy machine some of them run undisturbed
DUCK_TIMED = 2000  # rows duckdb inserts through executemany (timed, then scaled)


def rows_for(n):
    return [(i, f"device-{(i * 2654435761) % 50:02d}", ((i * 40503) % 100000) / 100.0, 1_700_000_000 + i)
            for i in range(1, n + 1)]


def open_db(engine, path):
    if engine == "heliosdb":
        import heliosdb_lite as mod
        conn = mod.connect(path)
        return conn, mod.version
    if engine == "sqlite3":
        import sqlite3 as mod
        conn = mod.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn, mod.sqlite_version
    import duckdb as mod
    return mod.connect(path), mod.__version__


def child(engine: str, path: str, nrows: int) -> dict:
    """Creates and fills the table; reports insert time, and peak RSS after some reads."""
    conn, version = open_db(engine, path)
    data = rows_for(nrows)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, device TEXT NOT NULL, value DOUBLE NOT NULL, ts INTEGER NOT NULL)")
    t = time.perf_counter()
    if engine == "duckdb":
        # duckdb's executemany takes ~2.5 ms a row: time DUCK_TIMED rows, scale to ROWS, and
        # fill the rest with the same values computed in SQL (untimed).
        timed = min(nrows, DUCK_TIMED)
        conn.execute("BEGIN TRANSACTION")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", data[:timed])
        conn.execute("COMMIT")
        insert = (time.perf_counter() - t) * nrows / timed
        conn.execute("INSERT INTO t SELECT i, printf('device-%02d', (i * 2654435761) % 50), "
                     "((i * 40503) % 100000) / 100.0, 1700000000 + i FROM range(?, ?) r(i)", (timed + 1, nrows + 1))
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (nrows,)
        for k in (timed + 1, (timed + nrows) // 2, nrows):  # the SQL-computed rows equal the generated ones
            assert conn.execute("SELECT * FROM t WHERE id = ?", (k,)).fetchone() == data[k - 1]
    else:
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", data)
        conn.commit()
        insert = time.perf_counter() - t
    del data
    cur = conn.cursor()
    assert len(cur.execute(GROUP).fetchall()) == 50
    for i in range(1, 2001):
        assert cur.execute(LOOKUP, (i,)).fetchone() is not None
    conn.close()
    return {"insert_s": insert, "version": version,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def build_engine_cost(workdir: str):
    """ctypes handle on bench/point_lookup_c.c built as a shared library, or None when it cannot be.

    It links the very libheliosdb file heliosdb_lite loaded: two copies of the
    library in one process would be two engines, and the second could not
    open the database the first holds."""
    import heliosdb_lite
    lib_dir = os.path.dirname(heliosdb_lite.library_path)
    if not (shutil.which("cc") and os.path.exists("/usr/include/sqlite3.h")
            and os.path.basename(heliosdb_lite.library_path) == "libheliosdb.so"):
        return None
    out = os.path.join(workdir, "point_lookup_c.so")
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-I", os.path.join(ROOT, "include"),
                    os.path.join(HERE, "point_lookup_c.c"), "-L", lib_dir, "-lheliosdb", "-lsqlite3",
                    f"-Wl,-rpath,{lib_dir}", "-o", out], check=True)
    lib = ctypes.CDLL(out)
    for name in ("helios_lookups", "sqlite_lookups"):
        fn = getattr(lib, name)
        fn.restype = ctypes.c_double
        fn.argtypes = [ctypes.c_char_p, ctypes.c_long, ctypes.c_long, ctypes.c_long]
    for name in ("helios_inserts", "sqlite_inserts"):
        fn = getattr(lib, name)
        fn.restype = ctypes.c_double
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_long]
    return lib


def interleaved(paths: dict, nrows: int, nlookups: int, group_reps: int, clib) -> dict:
    """Best round per driver: µs per lookup ("lookup"), ms per GROUP BY ("group")."""
    conns = {e: open_db(e, p)[0] for e, p in paths.items()}
    best = {}
    per_round = max(1, nlookups // ROUNDS)
    for r in range(ROUNDS):
        for engine, conn in conns.items():
            n = per_round if engine != "duckdb" else max(1, per_round // 20)  # duckdb is built for scans
            keys = [((r * n + i) * 7919) % nrows + 1 for i in range(n)]
            cur = conn.cursor()
            t = time.perf_counter()
            for k in keys:
                cur.execute(LOOKUP, (k,)).fetchone()
            lookup = (time.perf_counter() - t) / n * 1e6
            t = time.perf_counter()
            for _ in range(group_reps):
                cur.execute(GROUP).fetchall()
            group = (time.perf_counter() - t) / group_reps * 1e3
            cur.close()
            b = best.setdefault(engine, {"lookup": lookup, "group": group})
            b["lookup"], b["group"] = min(b["lookup"], lookup), min(b["group"], group)
        if clib is not None:
            for name, fn, path in (("heliosdb C API", clib.helios_lookups, paths["heliosdb"]),
                                   ("sqlite3 C API", clib.sqlite_lookups, paths["sqlite3"])):
                us = fn(path.encode(), nrows, r * per_round, per_round)
                if us < 0:
                    raise RuntimeError(f"{name} lookups failed")
                best[name] = min(best.get(name, us), us)
    for conn in conns.values():
        conn.close()
    return best


INSERT_ROUNDS, INSERT_ROWS = 5, 20_000


def interleaved_inserts(paths: dict, clib) -> dict:
    """µs per row of executemany in one transaction, best of INSERT_ROUNDS rounds of INSERT_ROWS
    rows into a new table, the drivers (not duckdb) and both C APIs taking turns."""
    data = rows_for(INSERT_ROWS)
    best = {}
    conns = {e: open_db(e, paths[e])[0] for e in ("heliosdb", "sqlite3")}
    for r in range(INSERT_ROUNDS):
        for engine, conn in conns.items():
            table = f"ins_{r}"
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, device TEXT NOT NULL, "
                         "value DOUBLE NOT NULL, ts INTEGER NOT NULL)")
            conn.commit()
            t = time.perf_counter()
            conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", data)
            conn.commit()
            us = (time.perf_counter() - t) / INSERT_ROWS * 1e6
            best[engine] = min(best.get(engine, us), us)
        if clib is not None:
            for name, fn, path in (("heliosdb C API", clib.helios_inserts, paths["heliosdb"]),
                                   ("sqlite3 C API", clib.sqlite_inserts, paths["sqlite3"])):
                us = fn(path.encode(), f"cins_{r}".encode(), INSERT_ROWS)
                if us < 0:
                    raise RuntimeError(f"{name} inserts failed")
                best[name] = min(best.get(name, us), us)
    for conn in conns.values():
        conn.close()
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--lookups", type=int, default=30_000, help="point lookups per driver, over all rounds")
    ap.add_argument("--group-reps", type=int, default=2, help="GROUP BY runs per round")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.path, args.rows)))
        return

    engines = ["heliosdb", "sqlite3"]
    try:
        import duckdb  # noqa: F401
        engines.append("duckdb")
    except ImportError:
        pass
    work = tempfile.mkdtemp(prefix="heliosdb-pybench-")
    try:
        paths = {e: os.path.join(work, FILES[e]) for e in engines}
        res = {}
        for engine in engines:
            print(f"filling the {engine} table …", file=sys.stderr, flush=True)
            out = subprocess.run([sys.executable, __file__, "--child", engine, "--path", paths[engine],
                                  "--rows", str(args.rows)], check=True, capture_output=True, text=True).stdout
            res[engine] = json.loads(out)
        print("lookups and GROUP BY, taking turns …", file=sys.stderr, flush=True)
        clib = build_engine_cost(work)
        best = interleaved(paths, args.rows, args.lookups, args.group_reps, clib)
        ins = interleaved_inserts(paths, clib)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for engine in engines:
        res[engine]["lookup_us"] = best[engine]["lookup"]
        res[engine]["group_ms"] = best[engine]["group"]

    h, s, duck = res["heliosdb"], res["sqlite3"], res.get("duckdb")
    print(f"# {args.rows:,} rows, {args.lookups:,} lookups per driver; Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores; heliosdb {h['version']}, SQLite {s['version']}"
          + (f", duckdb {duck['version']}" if duck else ""))
    head = "| workload | heliosdb_lite | sqlite3 | heliosdb / sqlite3 |" + (" duckdb |" if duck else "")
    print(head)
    print("|---|---:|---:|---:|" + ("---:|" if duck else ""))

    def line(label, hv, sv, dv, fmt):
        print(f"| {label} | {fmt.format(hv)} | {fmt.format(sv)} | {hv / sv:.2f} |"
              + (f" {fmt.format(dv)} |" if duck else ""))

    line(f"executemany insert, {args.rows:,} rows, one transaction (s, one run)", h["insert_s"], s["insert_s"],
         duck and duck["insert_s"], "{:.3f}")
    line(f"executemany insert in one transaction (µs per row, best of {INSERT_ROUNDS}×{INSERT_ROWS:,})",
         ins["heliosdb"], ins["sqlite3"], duck and duck["insert_s"] / args.rows * 1e6, "{:.2f}")
    line("point lookup, execute + fetchone (µs per call)", h["lookup_us"], s["lookup_us"],
         duck and duck["lookup_us"], "{:.2f}")
    line("GROUP BY, 50 groups, 5 aggregates (ms)", h["group_ms"], s["group_ms"], duck and duck["group_ms"], "{:.1f}")
    line("peak RSS of the driver's process (MiB)", h["peak_rss_mib"], s["peak_rss_mib"],
         duck and duck["peak_rss_mib"], "{:.0f}")
    if clib is not None:
        hi, si = ins["heliosdb C API"], ins["sqlite3 C API"]
        print(f"| engine's own insert through its C API (µs per row) | {hi:.2f} | {si:.2f} | {hi / si:.2f} |"
              + (" |" if duck else ""))
        oi, osi = ins["heliosdb"] - hi, ins["sqlite3"] - si
        print(f"| **insert: per-row overhead of the Python layer (µs)** | {oi:.2f} | {osi:.2f} | **{oi / osi:.2f}** |"
              + (" |" if duck else ""))
        ch, cs = best["heliosdb C API"], best["sqlite3 C API"]
        oh, os_ = h["lookup_us"] - ch, s["lookup_us"] - cs
        print(f"| engine's own lookup through its C API (µs) | {ch:.2f} | {cs:.2f} | {ch / cs:.2f} |"
              + (" |" if duck else ""))
        print(f"| **per-call overhead of the Python layer (µs)** | {oh:.2f} | {os_:.2f} | **{oh / os_:.2f}** |"
              + (" |" if duck else ""))
    print(f"(lookups and GROUP BY: the drivers take turns in one process, best of {ROUNDS} rounds each"
          + ("; duckdb does 1/20 of the lookups per round, and its insert time is scaled from "
             f"{min(args.rows, DUCK_TIMED):,} rows)" if duck else ")"))


if __name__ == "__main__":
    main()
