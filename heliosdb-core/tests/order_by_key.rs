//! `ORDER BY` a rowid table's key, answered by the scan itself (forwards or
//! backwards, stopping at the LIMIT), returns exactly what sorting gives:
//! checked against `ORDER BY id + 0` (an expression, so it sorts) after
//! random inserts, deletes and updates, inside a transaction with its own
//! pending writes, and as of a past SCN; with OFFSETs inside the first page
//! and across several.

mod common;
use common::{rows, Rng};
use heliosdb_core::Connection;

fn check(conn: &Connection, rng: &mut Rng, past: Option<u64>) {
    let when = past.map(|scn| format!(" AS OF SCN {scn}")).unwrap_or_default();
    for _ in 0..20 {
        let dir = if rng.chance(50) { "DESC" } else { "ASC" };
        let limit = rng.below(30);
        // Sometimes past several pages (64 rows to a page), which a read of
        // the present forwards passes over a page at a time.
        let offset = if rng.chance(30) { rng.below(1000) } else { rng.below(10) };
        let lo = rng.below(3000) as i64 - 1500;
        let filter = match rng.below(3) {
            0 => String::new(),
            1 => format!(" WHERE id > {lo}"),
            _ => format!(" WHERE v % 3 = 1 AND id <= {lo}"),
        };
        let fast = format!("SELECT id, v FROM t{when}{filter} ORDER BY id {dir} LIMIT {limit} OFFSET {offset}");
        let slow = format!("SELECT id, v FROM t{when}{filter} ORDER BY id + 0 {dir} LIMIT {limit} OFFSET {offset}");
        let plan = rows(conn, &format!("EXPLAIN {fast}"));
        assert!(!format!("{plan:?}").contains("SORT"), "{fast}: {plan:?}");
        assert_eq!(rows(conn, &fast), rows(conn, &slow), "{fast}");
    }
}

#[test]
fn scan_order_equals_sorting() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)").unwrap();
    let mut rng = Rng(0x0bd_e4);
    let mut scns = Vec::new();
    for round in 0..6 {
        let tx = conn.transaction().unwrap();
        for _ in 0..400 {
            let id = rng.below(3000) as i64 - 1500;
            let sql = match rng.below(4) {
                0 => format!("DELETE FROM t WHERE id = {id}"),
                1 => format!("UPDATE t SET v = v + 1 WHERE id = {id}"),
                _ => format!("INSERT OR REPLACE INTO t VALUES ({id}, {})", rng.below(100)),
            };
            tx.execute(&sql, ()).unwrap();
        }
        if round % 2 == 1 {
            // Pending writes of the transaction merge into the ordered scan.
            let inner = rows(&tx, "SELECT id FROM t ORDER BY id DESC LIMIT 50");
            let sorted = rows(&tx, "SELECT id FROM t ORDER BY id + 0 DESC LIMIT 50");
            assert_eq!(inner, sorted);
            check(&tx, &mut rng, None);
        }
        tx.commit().unwrap();
        scns.push(conn.current_scn());
        check(&conn, &mut rng, None);
    }
    check(&conn, &mut rng, Some(scns[2]));
}
