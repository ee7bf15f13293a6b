//! Time travel against a model: random transactions (some rolled back) over
//! three tables of different key shapes, an in-memory copy of every committed
//! state, then hundreds of random `AS OF` queries (by SCN, transaction and
//! timestamp; full scans, key lookups, ranges, index predicates, joins of
//! past and present, aggregates, history scans) compared with the model —
//! before and after a close/reopen.

mod common;

use common::Rng;
use heliosdb_core::{Connection, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One table's rows by a printable key.
type TableState = BTreeMap<String, Vec<Value>>;
/// Every table's rows.
type State = BTreeMap<&'static str, TableState>;

const SCHEMA: &str = "
    CREATE TABLE t1 (id INTEGER PRIMARY KEY, a INTEGER, b TEXT);
    CREATE INDEX t1_a ON t1 (a);
    CREATE TABLE t2 (k1 TEXT, k2 INTEGER, v INTEGER, PRIMARY KEY (k1, k2));
    CREATE TABLE t3 (x INTEGER, y TEXT);
    CREATE INDEX t3_x ON t3 (x);";

/// The SELECT that reads a whole table row as the model stores it.
fn select_all(table: &str) -> &'static str {
    match table {
        "t1" => "SELECT id, a, b FROM t1",
        "t2" => "SELECT k1, k2, v FROM t2",
        _ => "SELECT rowid, x, y FROM t3",
    }
}

fn key_of(table: &str, row: &[Value]) -> String {
    match table {
        "t2" => format!("{:?}|{:?}", row[0], row[1]),
        _ => format!("{:?}", row[0]),
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Integer(i) => *i,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn text(rng: &mut Rng) -> Value {
    Value::Text(["red", "green", "blue", "teal", "gold"][rng.below(5)].to_string())
}

fn rows(conn: &Connection, sql: &str, params: Vec<Value>) -> Vec<Vec<Value>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    st.query_map(params, |r| Ok(r.values().to_vec()))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .map(|r| r.unwrap())
        .collect()
}

fn sorted(mut v: Vec<Vec<Value>>) -> Vec<String> {
    let mut out: Vec<String> = v.drain(..).map(|r| format!("{r:?}")).collect();
    out.sort();
    out
}

/// Runs one random write against the connection and the working model.
fn random_write(conn: &Connection, rng: &mut Rng, work: &mut State) {
    let table = ["t1", "t2", "t3"][rng.below(3)];
    let model = work.get_mut(table).unwrap();
    let existing: Vec<Vec<Value>> = model.values().cloned().collect();
    let pick = |rng: &mut Rng| existing.get(rng.below(existing.len().max(1))).cloned();
    let op = rng.below(5);
    match (table, op) {
        ("t1", 0 | 1) => {
            let id = Value::Integer(rng.below(120) as i64);
            if model.contains_key(&key_of("t1", &[id.clone()])) {
                return;
            }
            let row = vec![id, Value::Integer(rng.below(10) as i64), text(rng)];
            conn.execute("INSERT INTO t1 VALUES (?, ?, ?)", row.clone()).unwrap();
            model.insert(key_of("t1", &row), row);
        }
        ("t1", 2) => {
            let Some(mut row) = pick(rng) else { return };
            row[1] = Value::Integer(rng.below(10) as i64);
            row[2] = text(rng);
            conn.execute(
                "UPDATE t1 SET a = ?, b = ? WHERE id = ?",
                vec![row[1].clone(), row[2].clone(), row[0].clone()],
            )
            .unwrap();
            model.insert(key_of("t1", &row), row);
        }
        ("t1", 3) => {
            // Through the index, possibly many rows; sometimes moves a key.
            let a = rng.below(10) as i64;
            if rng.chance(30) {
                let Some(row) = pick(rng) else { return };
                let new_id = Value::Integer(200 + rng.below(100) as i64);
                if model.contains_key(&key_of("t1", &[new_id.clone()])) {
                    return;
                }
                conn.execute("UPDATE t1 SET id = ? WHERE id = ?", vec![new_id.clone(), row[0].clone()]).unwrap();
                model.remove(&key_of("t1", &row));
                let moved = vec![new_id, row[1].clone(), row[2].clone()];
                model.insert(key_of("t1", &moved), moved);
                return;
            }
            let b = text(rng);
            conn.execute("UPDATE t1 SET b = ? WHERE a = ?", vec![b.clone(), Value::Integer(a)]).unwrap();
            for row in model.values_mut().filter(|r| int(&r[1]) == a) {
                row[2] = b.clone();
            }
        }
        ("t1", _) => {
            if rng.chance(50) {
                let Some(row) = pick(rng) else { return };
                conn.execute("DELETE FROM t1 WHERE id = ?", vec![row[0].clone()]).unwrap();
                model.remove(&key_of("t1", &row));
            } else {
                let a = 7 + rng.below(3) as i64;
                conn.execute("DELETE FROM t1 WHERE a >= ?", vec![Value::Integer(a)]).unwrap();
                model.retain(|_, r| int(&r[1]) < a);
            }
        }
        ("t2", 0 | 1) => {
            let row = vec![text(rng), Value::Integer(rng.below(8) as i64), Value::Integer(rng.below(1000) as i64)];
            if model.contains_key(&key_of("t2", &row)) {
                return;
            }
            conn.execute("INSERT INTO t2 VALUES (?, ?, ?)", row.clone()).unwrap();
            model.insert(key_of("t2", &row), row);
        }
        ("t2", 2 | 3) => {
            let k1 = text(rng);
            let v = Value::Integer(rng.below(1000) as i64);
            conn.execute("UPDATE t2 SET v = ? WHERE k1 = ?", vec![v.clone(), k1.clone()]).unwrap();
            for row in model.values_mut().filter(|r| r[0] == k1) {
                row[2] = v.clone();
            }
        }
        ("t2", _) => {
            let Some(row) = pick(rng) else { return };
            conn.execute("DELETE FROM t2 WHERE k1 = ? AND k2 = ?", vec![row[0].clone(), row[1].clone()]).unwrap();
            model.remove(&key_of("t2", &row));
        }
        (_, 0 | 1) => {
            let (x, y) = (Value::Integer(rng.below(6) as i64), text(rng));
            conn.execute("INSERT INTO t3 (x, y) VALUES (?, ?)", vec![x.clone(), y.clone()]).unwrap();
            let row = vec![Value::Integer(conn.last_insert_rowid()), x, y];
            model.insert(key_of("t3", &row), row);
        }
        (_, 2 | 3) => {
            let (x, y) = (rng.below(6) as i64, text(rng));
            conn.execute("UPDATE t3 SET y = ? WHERE x = ?", vec![y.clone(), Value::Integer(x)]).unwrap();
            for row in model.values_mut().filter(|r| int(&r[1]) == x) {
                row[2] = y.clone();
            }
        }
        _ => {
            let x = rng.below(6) as i64;
            conn.execute("DELETE FROM t3 WHERE x = ?", vec![Value::Integer(x)]).unwrap();
            model.retain(|_, r| int(&r[1]) != x);
        }
    }
}

/// What the test knows about every commit point: its state, txid and time.
struct History {
    states: BTreeMap<u64, State>,
    txids: BTreeMap<u64, u64>,
}

fn build(conn: &Connection, rng: &mut Rng, transactions: usize) -> History {
    conn.execute_batch(SCHEMA).unwrap();
    let empty: State = ["t1", "t2", "t3"].into_iter().map(|t| (t, TableState::new())).collect();
    let first = conn.current_scn();
    let mut history = History { states: BTreeMap::new(), txids: BTreeMap::new() };
    history.states.insert(first, empty.clone());
    let mut committed = empty;
    for _ in 0..transactions {
        let mut work = committed.clone();
        let before = conn.current_scn();
        let explicit = rng.chance(70);
        if explicit {
            conn.execute("BEGIN", ()).unwrap();
        }
        for _ in 0..(if explicit { 1 + rng.below(5) } else { 1 }) {
            random_write(conn, rng, &mut work);
        }
        if explicit && rng.chance(20) {
            conn.execute("ROLLBACK", ()).unwrap();
            continue;
        }
        if explicit {
            conn.execute("COMMIT", ()).unwrap();
        }
        let after = conn.current_scn();
        if after != before {
            assert_eq!(after, before + 1, "one commit, one SCN");
            history.states.insert(after, work.clone());
            history.txids.insert(after, conn.last_txid());
            committed = work;
        }
    }
    history
}

fn expect_table(state: &State, table: &str, keep: impl Fn(&[Value]) -> bool) -> Vec<String> {
    sorted(state[table].values().filter(|r| keep(r)).cloned().collect())
}

/// Random AS OF queries compared with the model.
fn check(conn: &Connection, rng: &mut Rng, h: &History, queries: usize) {
    let scns: Vec<u64> = h.states.keys().copied().collect();
    let times: BTreeMap<u64, String> = rows(conn, "SELECT scn, commit_time FROM heliosdb_snapshots()", vec![])
        .into_iter()
        .map(|r| (int(&r[0]) as u64, if let Value::Text(t) = &r[1] { t.clone() } else { panic!() }))
        .collect();
    for q in 0..queries {
        let scn = scns[rng.below(scns.len())];
        let state = &h.states[&scn];
        let table = ["t1", "t2", "t3"][q % 3];
        // Name the point three ways; each must select `scn`'s state.
        let (clause, point) = match rng.below(3) {
            0 => ("SCN ?", Value::Integer(scn as i64)),
            1 if h.txids.contains_key(&scn) => ("TRANSACTION ?", Value::Integer(h.txids[&scn] as i64)),
            _ => {
                // The commit time names the last commit at that instant.
                let t = &times[&scn];
                let last_at_t = times.iter().filter(|(_, x)| *x == t).map(|(s, _)| *s).max().unwrap();
                if last_at_t != scn {
                    continue;
                }
                ("TIMESTAMP ?", Value::Text(t.clone()))
            }
        };
        let base = select_all(table).replace(&format!("FROM {table}"), &format!("FROM {table} AS OF {clause}"));
        let got = match (table, rng.below(4)) {
            (_, 0) => (rows(conn, &base, vec![point]), expect_table(state, table, |_| true)),
            ("t1", 1) => {
                // Often a key that exists just before this point: it may have
                // been deleted or moved exactly here.
                let before: Vec<i64> = h
                    .states
                    .range(..scn)
                    .next_back()
                    .map_or(vec![], |(_, s)| s["t1"].values().map(|r| int(&r[0])).collect());
                let id = if !before.is_empty() && rng.chance(70) {
                    before[rng.below(before.len())]
                } else {
                    rng.below(130) as i64
                };
                let sql = format!("{base} WHERE id = ?");
                (rows(conn, &sql, vec![point, Value::Integer(id)]), expect_table(state, table, |r| int(&r[0]) == id))
            }
            ("t1", 2) => {
                let a = rng.below(10) as i64;
                let sql = format!("{base} WHERE a = ?");
                (rows(conn, &sql, vec![point, Value::Integer(a)]), expect_table(state, table, |r| int(&r[1]) == a))
            }
            ("t1", _) => {
                let lo = rng.below(120) as i64;
                let sql = format!("{base} WHERE id BETWEEN ? AND ?");
                let want = expect_table(state, table, |r| (lo..=lo + 30).contains(&int(&r[0])));
                (rows(conn, &sql, vec![point, Value::Integer(lo), Value::Integer(lo + 30)]), want)
            }
            ("t2", 1 | 2) => {
                let k1 = text(rng);
                let sql = format!("{base} WHERE k1 = ?");
                (rows(conn, &sql, vec![point, k1.clone()]), expect_table(state, table, |r| r[0] == k1))
            }
            ("t2", _) => {
                let near = h.states.range(..scn).next_back().map_or(state, |(_, s)| s);
                let Some(row) = near["t2"].values().nth(rng.below(near["t2"].len().max(1))).cloned() else {
                    continue;
                };
                let sql = format!("{base} WHERE k1 = ? AND k2 = ?");
                let want = expect_table(state, table, |r| r[0] == row[0] && r[1] == row[1]);
                (rows(conn, &sql, vec![point, row[0].clone(), row[1].clone()]), want)
            }
            (_, _) => {
                let x = rng.below(6) as i64;
                let sql = format!("{base} WHERE x = ?");
                (rows(conn, &sql, vec![point, Value::Integer(x)]), expect_table(state, table, |r| int(&r[1]) == x))
            }
        };
        assert_eq!(sorted(got.0), got.1, "table {table} at SCN {scn} ({clause})");
    }
    check_joins_and_aggregates(conn, rng, h);
    check_history(conn, rng, h);
}

fn check_joins_and_aggregates(conn: &Connection, rng: &mut Rng, h: &History) {
    let now = &h.states[h.states.keys().last().unwrap()];
    for _ in 0..40 {
        let scn = *h.states.keys().nth(rng.below(h.states.len())).unwrap();
        let past = &h.states[&scn];
        let both = past["t1"].keys().filter(|k| now["t1"].contains_key(*k)).count() as i64;
        let got = rows(
            conn,
            "SELECT count(*) FROM t1 AS OF SCN ? p JOIN t1 c ON p.id = c.id",
            vec![Value::Integer(scn as i64)],
        );
        assert_eq!(int(&got[0][0]), both, "past-present join at SCN {scn}");
        let sum: i64 = past["t1"].values().map(|r| int(&r[1])).sum();
        let got = rows(
            conn,
            "SELECT count(*), coalesce(sum(a), 0) FROM t1 AS OF SCN ? WHERE id IN (SELECT id FROM t1 AS OF SCN ?)",
            vec![Value::Integer(scn as i64), Value::Integer(scn as i64)],
        );
        assert_eq!((int(&got[0][0]), int(&got[0][1])), (past["t1"].len() as i64, sum), "aggregate at SCN {scn}");
    }
}

/// History scans: every version shown was the row's state from its
/// `valid_from` SCN, and the distinct states equal the model's over the interval.
fn check_history(conn: &Connection, rng: &mut Rng, h: &History) {
    let scns: Vec<u64> = h.states.keys().copied().collect();
    for _ in 0..30 {
        let a = scns[rng.below(scns.len())];
        let b = scns[rng.below(scns.len())];
        let (lo, hi) = (a.min(b), a.max(b));
        let got = rows(
            conn,
            "SELECT id, a, b, heliosdb_valid_from_scn, heliosdb_valid_to_scn FROM t1 VERSIONS BETWEEN SCN ? AND ?",
            vec![Value::Integer(lo as i64), Value::Integer(hi as i64)],
        );
        let mut seen = BTreeSet::new();
        for r in &got {
            let from = int(&r[3]) as u64;
            let key = key_of("t1", &r[..1]);
            let at_from = h.states.range(..=from).next_back().map(|(_, s)| s["t1"].get(&key).cloned());
            assert_eq!(at_from.flatten().as_deref(), Some(&r[..3]), "version {r:?} is the row's state at its start");
            seen.insert(format!("{:?}", &r[..3]));
        }
        let mut want = BTreeSet::new();
        for (_, s) in h.states.range(lo..=hi) {
            want.extend(s["t1"].values().map(|r| format!("{r:?}")));
        }
        assert_eq!(seen, want, "history between SCN {lo} and {hi}");
    }
}

#[test]
fn as_of_queries_match_the_model_before_and_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x51CE_D00D_1234_5678);
    let history = {
        let conn = Connection::open(dir.path()).unwrap();
        let h = build(&conn, &mut rng, 400);
        assert!(h.states.len() > 250, "most transactions commit something");
        check(&conn, &mut rng, &h, 400);
        h
    };
    let conn = Connection::open(dir.path()).unwrap();
    check(&conn, &mut rng, &history, 300);
}

#[test]
fn points_outside_history_are_errors() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 1);").unwrap();
    let scn = conn.current_scn() as i64;
    let err = |sql: &str| conn.prepare(sql).and_then(|mut s| s.query(()).map(|_| ())).unwrap_err().to_string();
    assert!(err(&format!("SELECT * FROM t AS OF SCN {}", scn + 1)).contains("in the future"));
    assert!(err("SELECT * FROM t AS OF TIMESTAMP '2999-01-01'").contains("in the future"));
    assert!(err("SELECT * FROM t AS OF TIMESTAMP '1999-01-01'").contains("snapshot too old"));
    assert!(err("SELECT * FROM t AS OF TRANSACTION 999").contains("has no commit"));
    assert!(err("SELECT * FROM t AS OF SCN 0").contains("snapshot too old"));
    assert!(err("SELECT * FROM t AS OF SCN 'soon'").contains("AS OF SCN needs"));
    // The table existed from its CREATE on; before that it is an error, not an empty answer.
    conn.execute("CREATE TABLE later (x INTEGER)", ()).unwrap();
    assert!(err(&format!("SELECT * FROM later AS OF SCN {scn}")).contains("did not exist"));
}

#[test]
fn a_long_history_is_skipped_not_misread() {
    // Row 3 gets 200 versions, more than a scan walks before seeking past them.
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 0), (2, 0), (3, 0), (4, 0);",
    )
    .unwrap();
    let start = conn.current_scn();
    // (row 3, row 4) after every commit, by SCN.
    let mut expected = BTreeMap::from([(start, (0i64, 0i64))]);
    let mut v4 = 0;
    for v3 in 1..=200 {
        conn.execute("UPDATE t SET v = ? WHERE id = 3", [Value::Integer(v3)]).unwrap();
        expected.insert(conn.current_scn(), (v3, v4));
        if v3 % 50 == 0 {
            conn.execute("UPDATE t SET v = v + 1000 WHERE id = 4", ()).unwrap();
            v4 += 1000;
            expected.insert(conn.current_scn(), (v3, v4));
        }
    }
    for back in [0u64, 1, 7, 40, 120, 199] {
        let scn = conn.current_scn() - back;
        let (want3, want4) = expected[&scn];
        let all = rows(&conn, "SELECT id, v FROM t AS OF SCN ? ORDER BY id", vec![Value::Integer(scn as i64)]);
        let expect = vec![
            vec![Value::Integer(1), Value::Integer(0)],
            vec![Value::Integer(2), Value::Integer(0)],
            vec![Value::Integer(3), Value::Integer(want3)],
            vec![Value::Integer(4), Value::Integer(want4)],
        ];
        assert_eq!(all, expect, "AS OF SCN {scn}");
        let point = rows(&conn, "SELECT v FROM t AS OF SCN ? WHERE id = 3", vec![Value::Integer(scn as i64)]);
        assert_eq!(int(&point[0][0]), want3, "point lookup AS OF SCN {scn}");
    }
    // The oldest state: every value still 0.
    let all = rows(&conn, "SELECT sum(v) FROM t AS OF SCN ?", vec![Value::Integer(start as i64)]);
    assert_eq!(int(&all[0][0]), 0);
}
