//! `ORDER BY … LIMIT` that an index answers (read in index order, forwards
//! or backwards, stopping at the LIMIT) returns exactly what sorting gives:
//! checked against the same ORDER BY over `col + 0` (an expression, so it
//! sorts) after random inserts, deletes and updates, with NULLs, a DESC
//! index column, an equality prefix, inside a transaction with pending
//! writes, and as of a past SCN (where the index cannot be read and the
//! rows are sorted); with OFFSETs inside the first page of entries and
//! across several.
//!
//! Ties may come in another order from an index than from a sort (SQL leaves
//! it open, and SQLite differs the same way), so only the ORDER BY columns
//! are compared.

mod common;
use common::{rows, Rng};
use heliosdb_core::Connection;

/// (ordered query, its sorting twin, whether the plan should read an index)
fn pair(rng: &mut Rng, when: &str) -> (String, String, bool) {
    let limit = 1 + rng.below(30);
    // Sometimes past several pages of entries (64 to a page), which a read
    // of the present passes over a page at a time.
    let offset = if rng.chance(30) { rng.below(700) } else { rng.below(10) };
    let cat = rng.below(6);
    let lo = rng.below(200);
    let null_first = |desc: bool| if desc { "" } else { " NULLS FIRST" };
    let (fast_order, slow_order, filter, indexed) = match rng.below(5) {
        // Index (cat, score): score under an equality on cat, either way.
        0 => {
            let desc = rng.chance(50);
            let d = if desc { " DESC" } else { "" };
            (format!("score{d}"), format!("score + 0{d}{}", null_first(desc)), format!(" WHERE cat = {cat}"), true)
        }
        // … with a range on score too.
        1 => (
            "score DESC".to_string(),
            "score + 0 DESC".to_string(),
            format!(" WHERE cat = {cat} AND score >= {lo}"),
            true,
        ),
        // Both index columns, no WHERE: the whole index, read for its order.
        2 => {
            let desc = rng.chance(50);
            let d = if desc { " DESC" } else { "" };
            let nf = null_first(desc);
            (format!("cat{d}, score{d}"), format!("cat + 0{d}{nf}, score + 0{d}{nf}"), String::new(), true)
        }
        // Index on name DESC, read forwards for DESC and backwards for ASC,
        // with a filter on another column.
        3 => {
            let desc = rng.chance(50);
            let d = if desc { " DESC" } else { "" };
            (format!("name{d}"), format!("name || ''{d}{}", null_first(desc)), format!(" WHERE score % 3 <> 1"), true)
        }
        // NULLS placed against the index's order: sorted.
        _ => ("score NULLS LAST".to_string(), "score + 0 NULLS LAST".to_string(), format!(" WHERE cat = {cat}"), false),
    };
    let cols = if fast_order.starts_with("name") {
        "name"
    } else if fast_order.starts_with("cat") {
        "cat, score"
    } else {
        "score"
    };
    let fast = format!("SELECT {cols} FROM t{when}{filter} ORDER BY {fast_order} LIMIT {limit} OFFSET {offset}");
    let slow = format!("SELECT {cols} FROM t{when}{filter} ORDER BY {slow_order} LIMIT {limit} OFFSET {offset}");
    (fast, slow, indexed && when.is_empty())
}

fn check(conn: &Connection, rng: &mut Rng, past: Option<u64>) {
    let when = past.map(|scn| format!(" AS OF SCN {scn}")).unwrap_or_default();
    for _ in 0..30 {
        let (fast, slow, indexed) = pair(rng, &when);
        let plan = format!("{:?}", rows(conn, &format!("EXPLAIN {fast}")));
        assert_eq!(plan.contains("index order"), indexed, "{fast}: {plan}");
        assert_eq!(rows(conn, &fast), rows(conn, &slow), "{fast}");
    }
}

#[test]
fn index_order_equals_sorting() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, cat INTEGER, score INTEGER, name TEXT);
         CREATE INDEX t_cat_score ON t (cat, score);
         CREATE INDEX t_name ON t (name DESC);",
    )
    .unwrap();
    let mut rng = Rng(0x1d_0bde);
    let mut scns = Vec::new();
    for round in 0..6 {
        let tx = conn.transaction().unwrap();
        for _ in 0..300 {
            let id = rng.below(2000);
            let score = if rng.chance(10) { "NULL".to_string() } else { rng.below(300).to_string() };
            let name = if rng.chance(10) { "NULL".to_string() } else { format!("'n{}'", rng.below(500)) };
            let sql = match rng.below(4) {
                0 => format!("DELETE FROM t WHERE id = {id}"),
                1 => format!("UPDATE t SET score = {score}, name = {name} WHERE id = {id}"),
                _ => format!("INSERT OR REPLACE INTO t VALUES ({id}, {}, {score}, {name})", rng.below(6)),
            };
            tx.execute(&sql, ()).unwrap();
        }
        if round % 2 == 1 {
            // Pending writes of the transaction merge into the index read.
            check(&tx, &mut rng, None);
        }
        tx.commit().unwrap();
        scns.push(conn.current_scn());
        check(&conn, &mut rng, None);
    }
    check(&conn, &mut rng, Some(scns[2]));
}
