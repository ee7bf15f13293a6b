//! Scans of the past run a page at a time: the current rows of each page
//! merged with the versions that decide them, and the rows deleted since
//! the point placed between them in key order. Against a model of every
//! committed state: whole pages deleted (so the past has rows where the
//! present has no page), rows deleted and inserted again, updates of one
//! row and of many; full scans, key ranges, point reads, counts, and a
//! read-only `AS OF` transaction, read forward (the batch scan) and
//! backward (the row-at-a-time scan), before and after a reopen.

mod common;

use common::Rng;
use heliosdb_core::{Connection, Value};
use std::collections::BTreeMap;

/// Rows 1..=ROWS: ten pages of 64 rows, then a part page.
const ROWS: i64 = 700;

type State = BTreeMap<i64, (i64, String)>;

fn query(conn: &Connection, sql: &str, params: Vec<Value>) -> Vec<(i64, i64, String)> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    st.query_map(params, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .map(|r| r.unwrap())
        .collect()
}

fn expected(state: &State, lo: i64, hi: i64) -> Vec<(i64, i64, String)> {
    state.range(lo..=hi).map(|(id, (v, s))| (*id, *v, s.clone())).collect()
}

/// Random commits, each recorded as (SCN, state after it).
fn build_history(conn: &Connection, rng: &mut Rng) -> Vec<(u64, State)> {
    let mut state = State::new();
    let mut history = Vec::new();
    conn.execute("INSERT INTO t SELECT value, value * 10, 'v0' FROM generate_series(1, ?1)", [ROWS]).unwrap();
    for id in 1..=ROWS {
        state.insert(id, (id * 10, "v0".into()));
    }
    history.push((conn.current_scn(), state.clone()));
    for round in 1..=120 {
        let label = format!("v{round}");
        match rng.below(6) {
            0 => {
                // A whole page (or two) deleted.
                let first = (rng.below(11) as i64) * 64;
                let last = first + 64 * (1 + rng.below(2) as i64) - 1;
                conn.execute("DELETE FROM t WHERE id BETWEEN ?1 AND ?2", [first, last]).unwrap();
                state.retain(|id, _| *id < first || *id > last);
            }
            1 => {
                // Rows inserted (again, where they were deleted).
                let tx = conn.transaction().unwrap();
                for _ in 0..1 + rng.below(40) {
                    let id = 1 + rng.below(ROWS as usize) as i64;
                    let v = rng.below(1000) as i64;
                    tx.execute(
                        "INSERT INTO t VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET v = excluded.v, s = excluded.s",
                        (id, v, label.as_str()),
                    )
                    .unwrap();
                    state.insert(id, (v, label.clone()));
                }
                tx.commit().unwrap();
            }
            2 => {
                // Many rows updated in one commit.
                let m = 2 + rng.below(5) as i64;
                conn.execute("UPDATE t SET v = v + 1, s = ?2 WHERE id % ?1 = 0", (m, label.as_str())).unwrap();
                for (id, (v, s)) in state.iter_mut() {
                    if id % m == 0 {
                        *v += 1;
                        *s = label.clone();
                    }
                }
            }
            3 => {
                // Scattered single rows deleted.
                let tx = conn.transaction().unwrap();
                for _ in 0..1 + rng.below(20) {
                    let id = 1 + rng.below(ROWS as usize) as i64;
                    tx.execute("DELETE FROM t WHERE id = ?1", [id]).unwrap();
                    state.remove(&id);
                }
                tx.commit().unwrap();
            }
            _ => {
                // One row updated, on its own.
                let id = 1 + rng.below(ROWS as usize) as i64;
                conn.execute("UPDATE t SET v = v * 2, s = ?2 WHERE id = ?1", (id, label.as_str())).unwrap();
                if let Some((v, s)) = state.get_mut(&id) {
                    *v *= 2;
                    *s = label.clone();
                }
            }
        }
        history.push((conn.current_scn(), state.clone()));
    }
    history
}

fn check(conn: &Connection, history: &[(u64, State)], rng: &mut Rng) {
    for (scn, state) in history {
        let p = Value::Integer(*scn as i64);
        let all = expected(state, i64::MIN, i64::MAX);
        assert_eq!(query(conn, "SELECT id, v, s FROM t AS OF SCN ?1", vec![p.clone()]), all, "scan at {scn}");
        let mut backward = query(conn, "SELECT id, v, s FROM t AS OF SCN ?1 ORDER BY id DESC", vec![p.clone()]);
        backward.reverse();
        assert_eq!(backward, all, "backward scan at {scn}");
        let count: i64 = conn.query_row("SELECT count(*) FROM t AS OF SCN ?1", [p.clone()], |r| r.get(0)).unwrap();
        assert_eq!(count, all.len() as i64, "count at {scn}");
        let lo = rng.below(ROWS as usize) as i64;
        let hi = lo + rng.below(200) as i64;
        let sql = "SELECT id, v, s FROM t AS OF SCN ?1 WHERE id BETWEEN ?2 AND ?3";
        let range = query(conn, sql, vec![p.clone(), Value::Integer(lo), Value::Integer(hi)]);
        assert_eq!(range, expected(state, lo, hi), "ids {lo}..={hi} at {scn}");
        let id = 1 + rng.below(ROWS as usize) as i64;
        let point = query(conn, "SELECT id, v, s FROM t AS OF SCN ?1 WHERE id = ?2", vec![p, Value::Integer(id)]);
        assert_eq!(point, expected(state, id, id), "id {id} at {scn}");
    }
    // A read-only transaction in the past reads every table there.
    let (scn, state) = &history[history.len() / 2];
    conn.execute_batch(&format!("BEGIN READ ONLY AS OF SCN {scn}")).unwrap();
    let filtered = query(conn, "SELECT id, v, s FROM t WHERE v % 3 = 0", vec![]);
    conn.execute_batch("COMMIT").unwrap();
    let want: Vec<_> = expected(state, i64::MIN, i64::MAX).into_iter().filter(|(_, v, _)| v % 3 == 0).collect();
    assert_eq!(filtered, want, "read-only transaction AS OF {scn}");
}

#[test]
fn scans_of_the_past_match_the_model_page_by_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0xA5_0F);
    let history = {
        let conn = Connection::open(dir.path()).unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, s TEXT NOT NULL)").unwrap();
        let history = build_history(&conn, &mut rng);
        check(&conn, &history, &mut rng);
        history
    };
    let conn = Connection::open(dir.path()).unwrap();
    check(&conn, &history, &mut rng);
}
