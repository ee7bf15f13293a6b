//! The Rust API as an application uses it: parameters of every shape, row
//! access by index and name, query helpers, transactions, counters, errors.

use heliosdb_core::{named_params, params, Connection, Decimal, Error, Value};

fn db() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance DECIMAL(15,2) NOT NULL, active BOOLEAN);",
    )
    .unwrap();
    conn
}

#[test]
fn parameters_of_every_shape() {
    let conn = db();
    assert_eq!(conn.execute("INSERT INTO acct (owner, balance) VALUES (?, ?)", params!["ada", 10.5]).unwrap(), 1);
    assert_eq!(conn.execute("INSERT INTO acct (owner, balance) VALUES (?1, ?2)", ("bob", 20)).unwrap(), 1);
    conn.execute(
        "INSERT INTO acct (owner, balance, active) VALUES (:o, :b, :a)",
        named_params! {":o": "cy", ":b": Decimal::new(3050, 2), ":a": true},
    )
    .unwrap();
    conn.execute("INSERT INTO acct (owner, balance) VALUES (?, ?)", vec![Value::from("dee"), Value::Integer(0)])
        .unwrap();
    let owners: Vec<String> = conn
        .prepare("SELECT owner FROM acct WHERE balance >= ? ORDER BY id")
        .unwrap()
        .query_map([10], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(owners, ["ada", "bob", "cy"]);
    // ?N may repeat one value.
    let n: i64 = conn
        .query_row("SELECT count(*) FROM acct WHERE balance > ?1 AND balance <= ?1 + 15", [5], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
}

/// An INSERT moves a bound value into its row when no other placeholder
/// names it; one named twice (in VALUES, RETURNING or the upsert) must
/// still read the same value at every place.
#[test]
fn an_insert_reads_a_parameter_named_twice_at_every_place() {
    let conn = db();
    conn.execute_batch("CREATE TABLE kv (k TEXT PRIMARY KEY, a TEXT, b TEXT)").unwrap();
    let (a, b): (String, String) = conn
        .query_row("INSERT INTO kv VALUES (?1, ?1, :n) RETURNING a, b || :n", ("x", "y"), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((a.as_str(), b.as_str()), ("x", "yy"));
    let row: (String, String, String) =
        conn.query_row("SELECT k, a, b FROM kv", (), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!(row, ("x".into(), "x".into(), "y".into()));
    // The upsert reads ?2 again after VALUES took its place in the row.
    conn.execute("INSERT INTO kv VALUES (?1, ?2, ?3) ON CONFLICT (k) DO UPDATE SET a = ?2 || '!'", ("x", "z", "w"))
        .unwrap();
    let a: String = conn.query_row("SELECT a FROM kv WHERE k = 'x'", (), |r| r.get(0)).unwrap();
    assert_eq!(a, "z!");
    // Moved values: each row of a multi-row VALUES gets its own.
    let mut ins = conn.prepare("INSERT INTO kv VALUES (?, ?, upper(?)), (?, ?, ?)").unwrap();
    ins.execute(params!["p", "q", "r", "s", "t", "u"]).unwrap();
    ins.execute(params!["p2", "q2", "r2", "s2", "t2", "u2"]).unwrap();
    let all: Vec<String> = conn
        .prepare("SELECT k || a || b FROM kv WHERE k <> 'x' ORDER BY k")
        .unwrap()
        .query_map((), |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all, ["pqR", "p2q2R2", "stu", "s2t2u2"]);
}

#[test]
fn wrong_parameter_counts_and_names_are_errors() {
    let conn = db();
    let e = conn.execute("INSERT INTO acct (owner, balance) VALUES (?, ?)", ["only one"]).unwrap_err();
    assert!(matches!(e, Error::Range(_)), "{e:?}");
    let e = conn.execute("INSERT INTO acct (owner, balance) VALUES (:o, :b)", named_params! {":x": 1}).unwrap_err();
    assert!(e.to_string().contains("no parameter named :x"), "{e}");
    let st = conn.prepare("SELECT :a, ?5").unwrap();
    assert_eq!(st.parameter_count(), 5);
    assert_eq!(st.parameter_index(":a"), Some(1));
    assert_eq!(st.parameter_index(":zz"), None);
}

#[test]
fn rows_by_index_and_name_with_typed_conversions() {
    let conn = db();
    conn.execute("INSERT INTO acct (owner, balance, active) VALUES ('ada', 12.34, true)", ()).unwrap();
    conn.query_row("SELECT id, owner, balance, active, NULL AS nothing FROM acct", (), |r| {
        assert_eq!(r.get::<_, i64>(0)?, 1);
        assert_eq!(r.get::<_, String>("owner")?, "ada");
        assert_eq!(r.get::<_, Decimal>("balance")?, Decimal::new(1234, 2));
        assert_eq!(r.get::<_, f64>(2)?, 12.34);
        assert!(r.get::<_, bool>("ACTIVE")?);
        assert_eq!(r.get::<_, Option<i64>>("nothing")?, None);
        let e = r.get::<_, i64>("owner").unwrap_err();
        assert!(matches!(e, Error::Mismatch(_)) && e.to_string().contains("owner"), "{e}");
        assert!(matches!(r.get::<_, i64>(9), Err(Error::Range(_))));
        assert!(matches!(r.get::<_, i64>("missing"), Err(Error::Range(_))));
        Ok(())
    })
    .unwrap();
    let e = conn.query_row("SELECT owner FROM acct WHERE id = 99", (), |r| r.get::<_, String>(0)).unwrap_err();
    assert_eq!(e, Error::QueryReturnedNoRows);
}

#[test]
fn transaction_guard_rolls_back_on_drop_and_commits_on_request() {
    let conn = db();
    {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO acct (owner, balance) VALUES ('temp', 1)", ()).unwrap();
        assert!(!tx.is_autocommit());
        // dropped without commit
    }
    assert!(conn.is_autocommit());
    let n: i64 = conn.query_row("SELECT count(*) FROM acct", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO acct (owner, balance) VALUES ('kept', 1)", ()).unwrap();
    tx.commit().unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM acct", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    assert!(conn.last_txid() > 0);
}

#[test]
fn counters_and_prepared_reuse() {
    let conn = db();
    let mut ins = conn.prepare("INSERT INTO acct (owner, balance) VALUES (?, ?)").unwrap();
    for i in 0..50 {
        ins.execute(params![format!("o{i}"), i]).unwrap();
    }
    assert_eq!(conn.last_insert_rowid(), 50);
    assert_eq!(conn.execute("UPDATE acct SET balance = balance + 1 WHERE id <= 10", ()).unwrap(), 10);
    assert_eq!(conn.changes(), 10);
    assert_eq!(conn.total_changes(), 60);
    let scn_before = conn.current_scn();
    conn.execute("DELETE FROM acct WHERE id > 45", ()).unwrap();
    assert_eq!(conn.current_scn(), scn_before + 1, "each autocommit write is one commit");
    // A read-only statement consumes no SCN.
    conn.query_row("SELECT count(*) FROM acct", (), |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(conn.current_scn(), scn_before + 1);
}

#[test]
fn misuse_is_reported() {
    let conn = db();
    assert!(matches!(conn.execute("SELECT 1; SELECT 2", ()), Err(Error::Misuse(_))));
    assert!(matches!(conn.prepare("   "), Err(Error::Misuse(_))));
    assert!(matches!(conn.execute_batch("SELECT ?"), Err(Error::Misuse(_))));
    let e = conn.execute("INSERT INTO acct (owner, balance) VALUES ('x', 'not a number')", ()).unwrap_err();
    assert_eq!(e.code(), 20, "{e}");
    let e = conn.execute("INSERT INTO acct (owner, balance) VALUES (NULL, 1)", ()).unwrap_err();
    assert_eq!(e.code(), 19, "{e}");
    let e = conn.execute("SELEKT 1", ()).unwrap_err();
    assert_eq!(e.code(), 1);
    assert!(e.to_string().contains("Line: 1, Column: 1"), "{e}");
}
