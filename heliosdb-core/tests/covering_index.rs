//! A read through an index whose entries hold every column the query uses
//! (SQLite's "covering index") builds the rows from the index entries and
//! does not read the table. Checked against twin tables without indexes,
//! after random inserts, updates and deletes, for every value type an index
//! key encodes (NULL, INTEGER, REAL with -0.0, TEXT, DECIMAL, BLOB), DESC and
//! UNIQUE index columns, a rowid alias, a composite primary key, inside a
//! transaction with pending writes, and as of a past SCN (where the index
//! cannot be read).

mod common;
use common::{rows, Rng};
use heliosdb_core::Connection;

const SCHEMA: &str = "
    CREATE TABLE t (id INTEGER PRIMARY KEY, cat INTEGER, score REAL, name TEXT, price DECIMAL(10,2), data BLOB, note TEXT);
    CREATE INDEX t_cat_score ON t (cat, score DESC);
    CREATE UNIQUE INDEX t_name ON t (name);
    CREATE INDEX t_price ON t (price);
    CREATE INDEX t_data ON t (data);
    CREATE TABLE w (a TEXT, b INTEGER, v INTEGER, note TEXT, PRIMARY KEY (a, b));
    CREATE INDEX w_v ON w (v DESC);
    CREATE TABLE t0 (id INTEGER PRIMARY KEY, cat INTEGER, score REAL, name TEXT, price DECIMAL(10,2), data BLOB, note TEXT);
    CREATE TABLE w0 (a TEXT, b INTEGER, v INTEGER, note TEXT, PRIMARY KEY (a, b));";

/// Random statements, each applied to the indexed table and its twin.
fn writes(conn: &Connection, rng: &mut Rng, n: usize) {
    let maybe = |rng: &mut Rng, v: String| if rng.chance(10) { "NULL".to_string() } else { v };
    for _ in 0..n {
        let id = rng.below(400);
        let (cat, score, price) =
            (rng.below(5), ["-0.0", "0.0", "-2.5", "1e10", "3.25"][rng.below(5)], rng.below(5000));
        let (blob, k, b, v) = ((rng.below(4), rng.below(256)), rng.below(20), rng.below(20), rng.below(30));
        let cat = maybe(rng, cat.to_string());
        let times = rng.below(4);
        let score = maybe(rng, format!("{score} * {times}"));
        // A function of the id: the UNIQUE index never refuses or replaces a row.
        let name = maybe(rng, format!("'n{:03}'", id * 7 % 400));
        let price = maybe(rng, format!("{}.{:02}", price / 100, price % 100));
        let data = maybe(rng, format!("x'{:02x}00{:02x}'", blob.0, blob.1));
        let (a, v) = (format!("'k{k}'"), maybe(rng, v.to_string()));
        let stmts = match rng.below(5) {
            0 => vec![format!("DELETE FROM T WHERE id = {id}"), format!("DELETE FROM W WHERE a = {a} AND b = {b}")],
            1 => vec![
                format!("UPDATE T SET score = {score}, price = {price}, data = {data} WHERE id = {id}"),
                format!("UPDATE W SET v = {v} WHERE a = {a}"),
            ],
            _ => vec![
                format!("INSERT OR REPLACE INTO T VALUES ({id}, {cat}, {score}, {name}, {price}, {data}, 'x')"),
                format!("INSERT OR REPLACE INTO W VALUES ({a}, {b}, {v}, 'y')"),
            ],
        };
        for s in stmts {
            for (table, twin) in [("T", "t"), ("T", "t0"), ("W", "w"), ("W", "w0")] {
                if s.contains(&format!(" {table} ")) {
                    conn.execute(&s.replace(&format!(" {table} "), &format!(" {twin} ")), ()).unwrap();
                }
            }
        }
    }
}

/// (query over the indexed table, whether its index covers it)
fn query(rng: &mut Rng) -> (String, bool) {
    let (lo, cat) = (rng.below(600), rng.below(5));
    match rng.below(8) {
        0 => (format!("SELECT count(*) FROM t WHERE cat = {cat}"), true),
        1 => (format!("SELECT cat, score, id FROM t WHERE cat = {cat} AND score > -1"), true),
        2 => (format!("SELECT name, id FROM t WHERE name > 'n{:03}'", lo % 400), true),
        3 => (
            format!("SELECT sum(price), count(*), min(price) FROM t WHERE price BETWEEN 10 AND {}.5", 10 + lo % 40),
            true,
        ),
        4 => (format!("SELECT data, id FROM t WHERE data >= x'0{}'", lo % 4), true),
        5 => (format!("SELECT a, b, v FROM w WHERE v < {}", lo % 30), true),
        6 => (format!("SELECT count(*), sum(b) FROM w WHERE v = {}", lo % 30), true),
        // `note` is in no index: the rows are read.
        _ => (format!("SELECT cat, note FROM t WHERE cat = {cat}"), false),
    }
}

fn sorted(mut r: Vec<Vec<heliosdb_core::Value>>) -> Vec<String> {
    r.sort_by_key(|row| format!("{row:?}"));
    r.iter().map(|row| format!("{row:?}")).collect()
}

fn check(conn: &Connection, rng: &mut Rng, as_of: Option<u64>) {
    for _ in 0..40 {
        let (q, covers) = query(rng);
        let twin = q.replace(" FROM t ", " FROM t0 ").replace(" FROM w ", " FROM w0 ");
        let (q, twin) = match as_of {
            Some(scn) => (
                q.replace(" WHERE", &format!(" AS OF SCN {scn} WHERE")),
                twin.replace(" WHERE", &format!(" AS OF SCN {scn} WHERE")),
            ),
            None => (q, twin),
        };
        let plan = format!("{:?}", rows(conn, &format!("EXPLAIN {q}")));
        assert_eq!(plan.contains("COVERING INDEX"), covers && as_of.is_none(), "{q}: {plan}");
        assert_eq!(sorted(rows(conn, &q)), sorted(rows(conn, &twin)), "{q}");
    }
}

#[test]
fn index_only_reads_equal_table_reads() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let mut rng = Rng(0xc0_7e12);
    let mut scns = Vec::new();
    for round in 0..6 {
        let tx = conn.transaction().unwrap();
        writes(&tx, &mut rng, 250);
        if round % 2 == 1 {
            check(&tx, &mut rng, None); // pending writes merge into the index read
        }
        tx.commit().unwrap();
        scns.push(conn.current_scn());
        check(&conn, &mut rng, None);
    }
    check(&conn, &mut rng, Some(scns[2]));
}

#[test]
fn a_decimal_in_an_untyped_column_is_read_from_its_row() {
    // The key of a DECIMAL holds no scale; a column without a DECIMAL type
    // gives none, so such an entry is answered from the row instead.
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE u (id INTEGER PRIMARY KEY, x, n); CREATE INDEX u_x ON u (x);").unwrap();
    conn.execute("INSERT INTO u VALUES (1, CAST('1.50' AS DECIMAL(10,2)), 0), (2, 7, 0), (3, 'a', 0)", ()).unwrap();
    // The untyped column keeps the DECIMAL, so its index key holds a scale-less mantissa.
    assert_eq!(format!("{:?}", rows(&conn, "SELECT typeof(x) FROM u WHERE id = 1")), "[[Text(\"decimal\")]]");
    let direct = rows(&conn, "SELECT x FROM u WHERE x >= 0 ORDER BY id");
    let from_rows = rows(&conn, "SELECT x, n FROM u WHERE x >= 0 ORDER BY id");
    assert!(format!("{:?}", rows(&conn, "EXPLAIN SELECT x FROM u WHERE x >= 0")).contains("COVERING INDEX"));
    assert_eq!(direct.len(), from_rows.len());
    for (d, r) in direct.iter().zip(&from_rows) {
        assert_eq!(format!("{:?}", d[0]), format!("{:?}", r[0]));
    }
    // A range on an untyped column falls back to a full scan, so the entry
    // is met through a range on a typed column before it in the index.
    conn.execute_batch(
        "CREATE TABLE u2 (id INTEGER PRIMARY KEY, k INTEGER, x, n); CREATE INDEX u2_kx ON u2 (k, x);
         INSERT INTO u2 VALUES (1, 1, CAST('1.50' AS DECIMAL(10,2)), 0), (2, 1, 7, 0), (3, 2, 8, 0);",
    )
    .unwrap();
    assert!(format!("{:?}", rows(&conn, "EXPLAIN SELECT x FROM u2 WHERE k = 1")).contains("COVERING INDEX"));
    let through_index = rows(&conn, "SELECT x, typeof(x), id FROM u2 WHERE k = 1");
    let from_table = rows(&conn, "SELECT x, typeof(x), id FROM u2 WHERE k + 0 = 1");
    assert_eq!(through_index.len(), 2);
    assert_eq!(sorted(through_index), sorted(from_table));
    // The same entries folded by aggregates, which read an index a batch at a time.
    for agg in ["sum(x), count(*)", "max(x), min(id)", "avg(x), typeof(max(x))"] {
        let folded = rows(&conn, &format!("SELECT {agg} FROM u2 WHERE k = 1"));
        let from_table = rows(&conn, &format!("SELECT {agg} FROM u2 WHERE k + 0 = 1"));
        assert_eq!(format!("{folded:?}"), format!("{from_table:?}"), "{agg}");
    }
}
