//! UPSERT and savepoints against the machinery that reads what a write did:
//! incremental materialized views (the change log) and time travel (row
//! versions). An upsert's update must reach both as an update of the
//! existing row; a `ROLLBACK TO` must leave no trace in either.

mod common;

use common::Rng;
use heliosdb_core::{Connection, Value};

const VIEW: &str =
    "SELECT sensor, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi FROM readings GROUP BY sensor";

fn rows(conn: &Connection, sql: &str, params: Vec<Value>) -> Vec<Vec<Value>> {
    let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out: Vec<Vec<Value>> =
        st.query_map(params, |r| Ok(r.values().to_vec())).unwrap().map(|r| r.unwrap()).collect();
    out.sort_by_key(|r| format!("{r:?}"));
    out
}

fn setup() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, slot INTEGER NOT NULL, v INTEGER, \
         UNIQUE (sensor, slot));",
    )
    .unwrap();
    conn.execute(&format!("CREATE MATERIALIZED VIEW m AS {VIEW}"), ()).unwrap();
    assert!(conn.notice().unwrap_or_default().contains("incrementally"), "{:?}", conn.notice());
    (dir, conn)
}

/// Refreshes `m` incrementally (no fallback to a full refresh) and checks it
/// against its query.
fn check_view(conn: &Connection, what: &str) {
    conn.execute("REFRESH MATERIALIZED VIEW m INCREMENTALLY", ()).unwrap();
    assert_eq!(conn.notice(), None, "{what}: fell back to a full refresh");
    assert_eq!(rows(conn, "SELECT * FROM m", vec![]), rows(conn, VIEW, vec![]), "{what}");
}

/// One random upsert (or plain insert) of the "latest reading per slot" kind;
/// failures (constraint violations) are expected and change nothing.
fn random_upsert(conn: &Connection, rng: &mut Rng) {
    let id = Value::Integer(rng.below(30) as i64);
    let sensor = Value::Text(["a", "b", "c", "d"][rng.below(4)].into());
    let slot = Value::Integer(rng.below(5) as i64);
    let v = if rng.chance(10) { Value::Null } else { Value::Integer(rng.below(100) as i64) };
    let sql = match rng.below(6) {
        0 => "INSERT INTO readings VALUES (?, ?, ?, ?) ON CONFLICT (sensor, slot) DO UPDATE SET v = excluded.v",
        1 => {
            "INSERT INTO readings VALUES (?, ?, ?, ?) ON CONFLICT (sensor, slot) DO UPDATE SET v = v + excluded.v \
              WHERE excluded.v > readings.v"
        }
        // Moves the row to another group of the view.
        2 => {
            "INSERT INTO readings VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET sensor = excluded.sensor, \
              slot = excluded.slot, v = excluded.v"
        }
        3 => "INSERT INTO readings VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        // Changes the primary key of the existing row.
        4 => "INSERT INTO readings VALUES (?, ?, ?, ?) ON CONFLICT (sensor, slot) DO UPDATE SET id = excluded.id + 100",
        _ => "INSERT INTO readings VALUES (?, ?, ?, ?)",
    };
    let _ = conn.execute(sql, vec![id, sensor, slot, v]);
}

#[test]
fn incremental_view_follows_upserts() {
    let (_dir, conn) = setup();
    let mut rng = Rng(0x5eed_0001);
    for step in 0..600 {
        random_upsert(&conn, &mut rng);
        if rng.chance(10) {
            conn.execute("DELETE FROM readings WHERE id % 7 = ?", vec![Value::Integer(rng.below(7) as i64)]).unwrap();
        }
        if step % 25 == 24 {
            check_view(&conn, &format!("step {step}"));
        }
    }
    let n: i64 = conn.query_row("SELECT count(*) FROM readings", (), |r| r.get(0)).unwrap();
    assert!(n > 10, "{n} rows");
}

#[test]
fn incremental_view_after_partial_rollbacks() {
    let (_dir, conn) = setup();
    let mut rng = Rng(0x5eed_0002);
    for round in 0..120 {
        // Inside BEGIN, or a SAVEPOINT-begun transaction (RELEASE commits it).
        let begun = rng.chance(50);
        if begun {
            conn.execute("BEGIN", ()).unwrap();
        }
        conn.execute("SAVEPOINT outer_sp", ()).unwrap();
        random_upsert(&conn, &mut rng);
        conn.execute("SAVEPOINT inner_sp", ()).unwrap();
        for _ in 0..3 {
            random_upsert(&conn, &mut rng);
        }
        let before_inner = rows(&conn, "SELECT * FROM readings", vec![]);
        conn.execute("SAVEPOINT third", ()).unwrap();
        random_upsert(&conn, &mut rng);
        conn.execute("DELETE FROM readings WHERE slot = 1", ()).unwrap();
        conn.execute("ROLLBACK TO third", ()).unwrap();
        assert_eq!(rows(&conn, "SELECT * FROM readings", vec![]), before_inner, "round {round}");
        if rng.chance(50) {
            conn.execute("ROLLBACK TO inner_sp", ()).unwrap();
        }
        random_upsert(&conn, &mut rng);
        if rng.chance(20) {
            conn.execute("ROLLBACK TO outer_sp", ()).unwrap();
        }
        if begun {
            conn.execute("RELEASE inner_sp", ()).unwrap_or_else(|_| conn.execute("RELEASE outer_sp", ()).unwrap());
            conn.execute("COMMIT", ()).unwrap();
        } else {
            conn.execute("RELEASE outer_sp", ()).unwrap();
        }
        assert!(conn.is_autocommit(), "round {round}");
        if round % 4 == 3 {
            check_view(&conn, &format!("round {round}"));
        }
    }
}

#[test]
fn time_travel_keeps_the_version_an_upsert_replaced() {
    let (_dir, conn) = setup();
    conn.execute("INSERT INTO readings VALUES (1, 'a', 0, 10)", ()).unwrap();
    let scn: i64 = conn.query_row("SELECT heliosdb_current_scn()", (), |r| r.get(0)).unwrap();
    conn.execute(
        "INSERT INTO readings VALUES (2, 'a', 0, 20) ON CONFLICT (sensor, slot) DO UPDATE SET v = excluded.v",
        (),
    )
    .unwrap();
    // A rolled-back savepoint leaves no version behind.
    conn.execute("SAVEPOINT s", ()).unwrap();
    conn.execute(
        "INSERT INTO readings VALUES (3, 'a', 0, 99) ON CONFLICT (sensor, slot) DO UPDATE SET v = excluded.v",
        (),
    )
    .unwrap();
    conn.execute("ROLLBACK TO s", ()).unwrap();
    conn.execute("RELEASE s", ()).unwrap();
    let now: i64 = conn.query_row("SELECT heliosdb_current_scn()", (), |r| r.get(0)).unwrap();
    assert_eq!(
        rows(&conn, "SELECT id, v FROM readings AS OF SCN ?", vec![Value::Integer(scn)]),
        vec![vec![Value::Integer(1), Value::Integer(10)]]
    );
    assert_eq!(rows(&conn, "SELECT id, v FROM readings", vec![]), vec![vec![Value::Integer(1), Value::Integer(20)]]);
    // The history shows one row updated in place: the old version ended by
    // UPDATE, the new one begun by UPDATE (not a delete and an insert).
    let history = rows(
        &conn,
        "SELECT id, v, heliosdb_operation, heliosdb_ended_by FROM readings VERSIONS BETWEEN SCN ? AND ?",
        vec![Value::Integer(scn), Value::Integer(now)],
    );
    let t = |s: &str| Value::Text(s.into());
    assert_eq!(
        history,
        vec![
            vec![Value::Integer(1), Value::Integer(10), t("INSERT"), t("UPDATE")],
            vec![Value::Integer(1), Value::Integer(20), t("UPDATE"), Value::Null],
        ]
    );
    check_view(&conn, "after the upsert");
}
