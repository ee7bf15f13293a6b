//! Scenario: queries over far more data than `memory_limit_mb` allows
//! finish with the same answers as with a large limit. Sorts, GROUP BY,
//! DISTINCT, hash joins, windows, UNION and results spill to temporary files
//! and the accounted peak stays within the budget; the temporary files are
//! gone after the query, also after it fails.

mod common;

use common::rows;
use heliosdb_core::{Config, Connection, Error, Value};
use std::path::Path;

const ROWS: i64 = 60_000;

fn open(dir: &Path, limit_mb: u64) -> Connection {
    let mut config = Config::default();
    config.database.memory_limit_mb = limit_mb;
    let conn = Connection::open_with(dir, &config).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER, s TEXT, v REAL);
         CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER, w TEXT);",
    )
    .unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO t SELECT value, value % 20000, printf('text %08d of some length', (value * 7919) % {ROWS}),
                              ((value * 104729) % 1000) / 10.0
           FROM generate_series(1, {ROWS});
         INSERT INTO u SELECT value, CASE WHEN value % 7 = 0 THEN NULL ELSE (value * 31) % {ROWS} END, 'u' || value
           FROM generate_series(1, {ROWS} / 2);"
    ))
    .unwrap();
    conn
}

/// Temporary files this process holds open in `dir` (they are unlinked at
/// creation, so an open descriptor is the only trace of one).
fn temp_files(dir: &Path) -> usize {
    let dir = dir.canonicalize().unwrap();
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.starts_with(&dir) && target.to_string_lossy().ends_with("(deleted)"))
        .count()
}

fn sorted(mut v: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    v
}

#[test]
fn queries_past_the_memory_limit_spill_and_answer_the_same() {
    let small_dir = tempfile::tempdir().unwrap();
    let large_dir = tempfile::tempdir().unwrap();
    let small = open(small_dir.path(), 4);
    let large = open(large_dir.path(), 1024);
    // (query, whether its order is defined)
    let queries = [
        ("SELECT * FROM t ORDER BY v DESC, s", true),
        ("SELECT id, s FROM t ORDER BY v, id LIMIT 20000 OFFSET 100", true),
        ("SELECT g, count(*), sum(v), min(s), max(id) FROM t GROUP BY g", true),
        ("SELECT DISTINCT id % 30000, length(s) FROM t", false),
        ("SELECT t.id, t.s, u.w FROM t JOIN u ON u.t_id = t.id", false),
        ("SELECT u.id, t.v FROM u LEFT JOIN t ON t.id = u.t_id", false),
        (
            "SELECT id, g % 50, rank() OVER (PARTITION BY g % 50 ORDER BY v), sum(v) OVER (PARTITION BY g % 50) FROM t",
            false,
        ),
        (
            "SELECT id, row_number() OVER w, rank() OVER w, dense_rank() OVER w FROM t WINDOW w AS (ORDER BY v DESC)",
            false,
        ),
        ("SELECT id, rank() OVER (PARTITION BY g % 7 ORDER BY v) FROM t", false),
        ("SELECT s FROM t UNION SELECT w FROM u", false),
        ("SELECT g FROM t INTERSECT SELECT t_id FROM u", false),
        ("SELECT s, g FROM t EXCEPT ALL SELECT w, id FROM u", false),
    ];
    for (sql, ordered) in queries {
        let want = rows(&large, sql);
        let n = want.len() as i64;
        let got = rows(&small, sql);
        let used = small.last_memory_use();
        assert!(!want.is_empty(), "{sql}: no rows");
        if ordered {
            assert!(got == want, "{sql}: {} rows against {}", got.len(), want.len());
        } else {
            assert!(sorted(got) == sorted(want), "{sql}: the rows differ");
        }
        assert!(used.spilled_bytes > 0, "{sql}: nothing spilled ({used:?})");
        assert!(used.peak_bytes <= used.limit_bytes, "{sql}: {used:?}");
        assert_eq!(used.limit_bytes, 1 << 20, "a quarter of memory_limit_mb = 4");
        assert_eq!(temp_files(small_dir.path()), 0, "{sql}: temporary files left open");
        let big = large.last_memory_use();
        assert_eq!(big.spilled_bytes, 0, "{sql}: the large limit should not spill ({big:?})");
        // The same query under a count: the one result row fits, so what
        // spills is the operator itself.
        let counted = rows(&small, &format!("SELECT count(*) FROM ({sql})"));
        assert_eq!(counted, vec![vec![Value::Integer(n)]], "{sql}");
        let used = small.last_memory_use();
        assert!(used.spilled_bytes > 0, "{sql}: the operator did not spill ({used:?})");
        assert!(used.peak_bytes <= used.limit_bytes, "{sql}: {used:?}");
    }
}

#[test]
fn spilled_results_read_back_from_disk_and_vanish_when_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(dir.path(), 4);
    let mut st = conn.prepare("SELECT id, s FROM t").unwrap();
    let mut result = st.query(()).unwrap();
    assert!(temp_files(dir.path()) > 0, "the result larger than the budget waits in a temporary file");
    let mut n = 0i64;
    while let Some(r) = result.next().unwrap() {
        n += 1;
        assert_eq!(r.get::<_, i64>(0).unwrap(), n);
    }
    assert_eq!(n, ROWS);
    drop(result);
    assert_eq!(temp_files(dir.path()), 0);
}

#[test]
fn a_failing_query_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(dir.path(), 4);
    // The overflow comes at the last row, after GROUP BY has spilled.
    let sql = format!(
        "SELECT g, sum(CASE WHEN id = {ROWS} THEN abs(-9223372036854775807 - 1) ELSE 1 END) FROM t GROUP BY g, s"
    );
    let err = conn.prepare(&sql).unwrap().query(()).map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("overflow"), "{err}");
    assert!(conn.last_memory_use().spilled_bytes > 0, "the error must come after spilling");
    assert_eq!(temp_files(dir.path()), 0);
}

#[test]
fn what_cannot_be_held_whole_fails_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(dir.path(), 4);
    // A running sum over one window partition of every row needs the
    // partition whole.
    let err = conn.prepare("SELECT id, sum(v) OVER (ORDER BY v) FROM t").unwrap().query(()).map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::NoMem(_)), "{err:?}");
    assert!(err.to_string().contains("memory_limit_mb = 4"), "{err}");
    assert_eq!(temp_files(dir.path()), 0);
    // The connection goes on.
    let n: i64 = conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(n, ROWS);
}

#[test]
fn insert_select_past_the_memory_limit_inserts_every_row_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(dir.path(), 4);
    conn.execute_batch(
        "CREATE TABLE sorted_copy (n INTEGER PRIMARY KEY, id INTEGER, s TEXT);
         INSERT INTO sorted_copy (id, s) SELECT id, s FROM t ORDER BY s DESC, id;",
    )
    .unwrap();
    let used = conn.last_memory_use();
    assert!(used.spilled_bytes > 0 && used.peak_bytes <= used.limit_bytes, "{used:?}");
    let copied = rows(&conn, "SELECT id, s FROM sorted_copy ORDER BY n");
    let want = rows(&conn, "SELECT id, s FROM t ORDER BY s DESC, id");
    assert_eq!(copied.len(), ROWS as usize);
    assert!(copied == want, "the copy is not in the sorted order");
    assert_eq!(temp_files(dir.path()), 0);
}
