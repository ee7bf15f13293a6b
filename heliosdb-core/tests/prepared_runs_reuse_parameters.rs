//! A prepared statement run many times writes each run's parameters into
//! one kept vector: every run sees exactly its own values, whatever the
//! previous run bound, moved or failed with, and raw bindings persist
//! across runs until rebound or cleared.

mod common;
use heliosdb_core::{named_params, params, Connection, Error, ToSql, Value};

fn table(conn: &Connection) -> Vec<Vec<Value>> {
    common::rows(conn, "SELECT id, name, score FROM t ORDER BY id")
}

#[test]
fn each_run_sees_its_own_parameters() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)").unwrap();
    let mut st = conn.prepare("INSERT INTO t (id, name, score) VALUES (?1, ?2, ?3)").unwrap();
    let mut expected = Vec::new();
    let mut rng = common::Rng(7);
    for id in 1..=300i64 {
        let name = format!("n{}", rng.below(1000));
        let score = rng.below(10_000) as f64 / 8.0;
        // Every way of passing parameters, in turn, on the same statement.
        match id % 4 {
            0 => st.execute((id, name.as_str(), score)).unwrap(),
            1 => st.execute(params![id, name.clone(), score]).unwrap(),
            2 => st.execute([&id as &dyn ToSql, &name, &score]).unwrap(),
            _ => st.execute([Value::Integer(id), Value::Text(name.clone()), Value::Real(score)]).unwrap(),
        };
        expected.push(vec![Value::Integer(id), Value::Text(name), Value::Real(score)]);
        if id % 50 == 0 {
            // A run with too few or too many values fails and leaves nothing
            // behind for the next run.
            let e = st.execute((id + 1000,)).unwrap_err();
            assert!(matches!(e, Error::Range(_)), "{e:?}");
            let e = st.execute((id + 1000, "x", 1.0, 2)).unwrap_err();
            assert!(matches!(e, Error::Range(_)), "{e:?}");
            // A run that fails in the engine, too.
            let e = st.execute((id, "duplicate", 0.0)).unwrap_err();
            assert!(matches!(e, Error::Constraint(_)), "{e:?}");
        }
    }
    drop(st);
    assert_eq!(table(&conn), expected);
}

#[test]
fn a_parameter_named_twice_is_read_twice_on_every_run() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)").unwrap();
    // :v fills two columns: it cannot be moved into the first.
    let mut st = conn.prepare("INSERT INTO t (id, name, score) VALUES (:id, :v, length(:v))").unwrap();
    for id in 1..=5i64 {
        let v = "x".repeat(id as usize);
        st.execute(named_params! {":id": id, ":v": v}).unwrap();
    }
    drop(st);
    let rows = table(&conn);
    for (i, r) in rows.iter().enumerate() {
        let n = i + 1;
        assert_eq!(r[1], Value::Text("x".repeat(n)));
        assert_eq!(r[2], Value::Integer(n as i64), "{r:?}");
    }
}

#[test]
fn raw_bindings_persist_across_runs_until_rebound() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)").unwrap();
    let mut st = conn.prepare("INSERT INTO t (id, name, score) VALUES (?1, ?2, ?3)").unwrap();
    st.raw_bind_parameter(2, "kept").unwrap();
    st.raw_bind_parameter(3, 1.5).unwrap();
    for id in 1..=3i64 {
        st.raw_bind_parameter(1, id).unwrap();
        st.raw_execute().unwrap();
    }
    st.clear_bindings();
    st.raw_bind_parameter(1, 4).unwrap();
    st.raw_execute().unwrap();
    drop(st);
    let rows = table(&conn);
    assert_eq!(rows.len(), 4);
    for r in &rows[..3] {
        assert_eq!((&r[1], &r[2]), (&Value::Text("kept".into()), &Value::Real(1.5)), "{r:?}");
    }
    assert_eq!((&rows[3][1], &rows[3][2]), (&Value::Null, &Value::Null));
}

#[test]
fn a_run_with_the_wrong_count_says_how_many_and_leaves_the_vector_empty() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)").unwrap();
    let mut st = conn.prepare_owned("INSERT INTO t (id, name, score) VALUES (?1, ?2, ?3)").unwrap();
    let mut values = vec![Value::Integer(1)];
    let e = conn.run_prepared_reusing(&mut st, &mut values).unwrap_err();
    assert!(matches!(e, Error::Range(_)), "{e:?}");
    assert!(e.to_string().contains("3 parameter(s) but 1 value(s)"), "{e}");
    assert!(values.is_empty());
    // The same vector serves the next run, which sees only its own values.
    values.extend([Value::Integer(2), Value::Text("b".into()), Value::Real(0.5)]);
    assert_eq!(conn.run_prepared_reusing(&mut st, &mut values).unwrap().changes, 1);
    assert!(values.is_empty(), "a run hands its vector back emptied");
    assert_eq!(table(&conn), vec![vec![Value::Integer(2), Value::Text("b".into()), Value::Real(0.5)]]);
}
