//! MIN/MAX views whose groups lose their best values faster than the
//! reserve follows, over tables with an index that serves the re-read: an
//! index on the group columns then the aggregate's column (ascending,
//! descending, group columns in another order, no GROUP BY at all), or on
//! the group columns alone. Random inserts, updates and deletes (most of
//! them taking a group's current extremes, some values NULL, a WHERE that
//! skips some of them) between incremental refreshes; after each the view
//! equals its query and the refresh's notice is silent: no group was
//! re-read by a pass over the table.

mod common;

use common::{rows, Rng};
use heliosdb_core::{Connection, Value};

const SCHEMA: &str = "
    CREATE TABLE a (id INTEGER PRIMARY KEY, g TEXT NOT NULL, h INTEGER NOT NULL, v INTEGER);
    CREATE INDEX a_gv ON a (g, v);
    CREATE TABLE b (id INTEGER PRIMARY KEY, g TEXT NOT NULL, h INTEGER NOT NULL, v INTEGER);
    CREATE INDEX b_hgv ON b (h, g, v DESC);
    CREATE TABLE c (id INTEGER PRIMARY KEY, g TEXT NOT NULL, h INTEGER NOT NULL, v INTEGER);
    CREATE INDEX c_g ON c (g);
    CREATE TABLE d (id INTEGER PRIMARY KEY, g TEXT NOT NULL, h INTEGER NOT NULL, v INTEGER);
    CREATE INDEX d_v ON d (v);";

/// (view, table, defining query)
const VIEWS: &[(&str, &str, &str)] = &[
    // Rule 1, forwards for MIN and backwards for MAX.
    ("va", "a", "SELECT g, min(v) AS lo, max(v) AS hi, count(v) AS n FROM a GROUP BY g"),
    // Rule 1 through a descending column, group columns in another order,
    // and a WHERE that rejects some of the best values.
    ("vb", "b", "SELECT g, h, max(v) AS hi, min(v) AS lo, count(*) AS n FROM b WHERE v % 5 <> 0 GROUP BY g, h"),
    // Rule 2: the group's rows through an index on the group column.
    ("vc", "c", "SELECT g, min(v) AS lo, max(v) AS hi, sum(v) AS s FROM c GROUP BY g"),
    // Rule 1 without GROUP BY: the whole index is the group.
    ("vd", "d", "SELECT min(v) AS lo, max(v) AS hi, count(*) AS n FROM d"),
];

/// A random change to `table`: mostly deletes of a group's current extremes.
fn change(conn: &Connection, rng: &mut Rng, table: &str, next_id: &mut i64) {
    let g = ["x", "y", "z"][rng.below(3)];
    let h = rng.below(2) as i64;
    let sql = match rng.below(10) {
        0..=4 => {
            let take = 1 + rng.below(12);
            let dir = if rng.chance(50) { "DESC" } else { "" };
            format!(
                "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE g = '{g}' AND v IS NOT NULL \
                 ORDER BY v {dir}, id LIMIT {take})"
            )
        }
        5..=7 => {
            for _ in 0..1 + rng.below(12) {
                *next_id += 1;
                let v = if rng.chance(10) { Value::Null } else { Value::Integer(rng.below(400) as i64) };
                let sql = format!("INSERT INTO {table} VALUES ({next_id}, '{g}', {h}, ?1)");
                conn.execute(&sql, vec![v]).unwrap();
            }
            return;
        }
        // An update moves a value (maybe a group's extreme) or a row to another group.
        8 => format!("UPDATE {table} SET v = {} WHERE id % 17 = {}", rng.below(400), rng.below(17)),
        _ => format!("UPDATE {table} SET g = '{g}' WHERE id % 23 = {}", rng.below(23)),
    };
    conn.execute(&sql, ()).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[test]
fn emptied_reserves_are_refilled_through_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let mut rng = Rng(0x5EED_0F1D);
    let mut next_id = 0;
    for (_, table, _) in VIEWS {
        let tx = conn.transaction().unwrap();
        // About 200 rows per group of (g): far more than a reserve holds.
        for i in 0..600i64 {
            let v = if i % 11 == 0 { Value::Null } else { Value::Integer(rng.below(400) as i64) };
            let row = vec![Value::Text(["x", "y", "z"][(i % 3) as usize].into()), Value::Integer(i % 2), v];
            tx.execute(&format!("INSERT INTO {table} (g, h, v) VALUES (?1, ?2, ?3)"), row).unwrap();
        }
        tx.commit().unwrap();
        next_id = next_id.max(600);
    }
    for (view, _, query) in VIEWS {
        conn.execute(&format!("CREATE MATERIALIZED VIEW {view} AS {query}"), ()).unwrap();
    }
    for round in 0..600 {
        let (view, table, query) = VIEWS[rng.below(VIEWS.len())];
        for _ in 0..1 + rng.below(4) {
            change(&conn, &mut rng, table, &mut next_id);
        }
        conn.execute(&format!("REFRESH MATERIALIZED VIEW {view} INCREMENTALLY"), ()).unwrap();
        assert_eq!(conn.notice(), None, "round {round}: {view} was not refreshed through its index");
        let mut got = rows(&conn, &format!("SELECT * FROM {view}"));
        let mut want = rows(&conn, query);
        got.sort_by_key(|r| format!("{r:?}"));
        want.sort_by_key(|r| format!("{r:?}"));
        assert_eq!(got, want, "round {round}: {view} differs from its query");
    }
}

#[test]
fn without_such_an_index_the_notice_names_one() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path()).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, region TEXT, amount INTEGER);
         CREATE INDEX t_amount ON t (amount);
         CREATE MATERIALIZED VIEW m AS SELECT region, max(amount) AS best FROM t GROUP BY region;",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..100i64 {
        tx.execute("INSERT INTO t (region, amount) VALUES ('east', ?1)", vec![Value::Integer(i)]).unwrap();
    }
    tx.commit().unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW m", ()).unwrap();
    // The 40 largest leave: the 32-value reserve runs empty. An index on
    // amount alone does not order a region's values.
    conn.execute("DELETE FROM t WHERE amount >= 60", ()).unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW m INCREMENTALLY", ()).unwrap();
    assert_eq!(
        conn.notice().as_deref(),
        Some(
            "materialized view m re-read 1 group(s) by a pass over table t: \
             an index on t(region, amount) would read only their best values"
        )
    );
    assert_eq!(rows(&conn, "SELECT best FROM m"), vec![vec![Value::Integer(59)]]);
    // With the index the notice names, the next re-read goes through it.
    conn.execute("CREATE INDEX t_region_amount ON t (region, amount)", ()).unwrap();
    conn.execute("DELETE FROM t WHERE amount >= 20", ()).unwrap();
    conn.execute("REFRESH MATERIALIZED VIEW m INCREMENTALLY", ()).unwrap();
    assert_eq!(conn.notice(), None);
    assert_eq!(rows(&conn, "SELECT best FROM m"), vec![vec![Value::Integer(19)]]);
}
