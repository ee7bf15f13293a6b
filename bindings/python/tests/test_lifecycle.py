"""Resource lifecycle: 10,000 cursor cycles with flat memory, statement cache bounds,
forgotten cursors, and the library found through HELIOSDB_LIBRARY / the bundled copy."""

import gc
import os
import subprocess
import sys

import pytest

import heliosdb_lite as h


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def cycle(conn, n, offset=0):
    for i in range(n):
        cur = conn.cursor()
        cur.execute("SELECT id, name FROM t WHERE id = ?", ((i % 50) + 1,))
        assert cur.fetchone()[0] == (i % 50) + 1
        cur.close()
        # Every tenth cycle a statement the cache has not seen: prepare + finalize churn.
        if i % 10 == 0:
            conn.execute(f"SELECT {offset + i} + count(*) FROM t").fetchone()


def test_ten_thousand_cursor_cycles_keep_memory_flat(conn):
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO t (name) VALUES (?)", [(f"n{i}",) for i in range(50)])
    conn.commit()
    cycle(conn, 2000)  # warm-up: caches, allocator arenas
    # A leak grows RSS in every window; allocator arenas grow in steps that land in
    # one window or another. The least growth of three windows is the leak's.
    grown = []
    for w in range(3):
        gc.collect()
        before = rss_kib()
        cycle(conn, 10000, offset=100000 * (w + 1))
        gc.collect()
        grown.append(rss_kib() - before)
    assert min(grown) < 4096, f"RSS grew by {grown} KiB in each window of 10,000 cursor cycles"
    assert len(conn._cache) <= conn.cached_statements


def test_forgotten_cursors_do_not_block_close(dbpath):
    conn = h.connect(dbpath)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])
    keep = [conn.execute("SELECT x FROM t") for _ in range(5)]  # rows left unread
    keep[0].fetchone()
    conn.close()  # finalizes their statements first (the C API refuses otherwise)
    # Reading what a closed connection's cursor had left is a clean InterfaceError, never a crash.
    with pytest.raises(h.InterfaceError):
        keep[1].fetchone()
    assert keep[1].fetchone() is None  # and then the cursor is simply exhausted


def test_cache_disabled_still_works(dbpath):
    conn = h.connect(dbpath, cached_statements=0)
    for i in range(20):
        assert conn.execute("SELECT ?", (i,)).fetchone() == (i,)
    assert conn._cache == {}
    conn.close()


def test_library_location_and_env_override(tmp_path):
    assert os.path.exists(h.library_path)
    code = "import heliosdb_lite as h; print(h.library_path)"
    env = dict(os.environ, HELIOSDB_LIBRARY=h.library_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == h.library_path
    env["HELIOSDB_LIBRARY"] = str(tmp_path / "missing.so")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    # A bad override is reported, and the bundled copy (if any) is still tried after it.
    assert out.returncode == 0 or "cannot load libheliosdb" in out.stderr
