//! `ORDER BY … LIMIT n [OFFSET m]` keeps only the rows that can make the
//! cut (a bounded top-N); it must return exactly the rows, in exactly the
//! order, that sorting everything and then skipping and taking gives —
//! ties in input order included — for any n, m and direction.

mod common;
use common::{rows, Rng};
use heliosdb_core::{Connection, Value};

#[test]
fn top_n_equals_sorting_everything_then_limiting() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, s TEXT)").unwrap();
    let mut rng = Rng(0x70_9a_11);
    let tx = conn.transaction().unwrap();
    {
        let mut st = tx.prepare("INSERT INTO t (k, s) VALUES (?1, ?2)").unwrap();
        for _ in 0..5_000 {
            // Few distinct keys (many ties) and some NULLs.
            let k = if rng.chance(5) { Value::Null } else { Value::Integer(rng.below(40) as i64) };
            let s = Value::Text(format!("s{}", rng.below(7)));
            st.execute((k, s)).unwrap();
        }
    }
    tx.commit().unwrap();
    for order in ["k", "k DESC", "s, k DESC", "k NULLS LAST, s DESC", "s || k"] {
        let all = rows(&conn, &format!("SELECT id, k, s FROM t ORDER BY {order}"));
        for (n, m) in [(0, 0), (1, 0), (5, 0), (5, 3), (100, 17), (1_500, 0), (1_024, 1_024), (4_999, 2), (9_000, 0)] {
            let got = rows(&conn, &format!("SELECT id, k, s FROM t ORDER BY {order} LIMIT {n} OFFSET {m}"));
            let want: Vec<Vec<Value>> = all.iter().skip(m).take(n).cloned().collect();
            assert_eq!(got, want, "ORDER BY {order} LIMIT {n} OFFSET {m}");
        }
    }
}
