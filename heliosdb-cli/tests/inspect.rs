//! The dot-commands that look inside a database: `.tables`, `.indexes`,
//! `.schema`, `.mv` (views with their staleness) and `.history` (a row's
//! versions with SCNs and commit times).

mod common;

use common::{heliosdb, ok, text};

fn setup() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("db").to_str().unwrap().to_string();
    ok(heliosdb(
        &[&d],
        Some(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, amount REAL);\n\
             CREATE INDEX orders_region ON orders(region);\n\
             CREATE TABLE pairs (a INTEGER, b TEXT, note TEXT, PRIMARY KEY (a, b));\n\
             INSERT INTO orders VALUES (1, 'north', 10.0), (2, 'south', 20.0);\n\
             INSERT INTO pairs VALUES (1, 'x', 'first');\n\
             UPDATE orders SET amount = 11.5 WHERE id = 1;\n\
             UPDATE orders SET region = 'east' WHERE id = 1;\n\
             UPDATE pairs SET note = 'second' WHERE a = 1 AND b = 'x';\n\
             CREATE MATERIALIZED VIEW by_region AS SELECT region, sum(amount) AS total FROM orders GROUP BY region;\n\
             CREATE VIEW recent AS SELECT * FROM orders WHERE id > 1;\n",
        ),
    ));
    (dir, d)
}

#[test]
fn tables_indexes_and_schema() {
    let (_dir, d) = setup();
    assert_eq!(ok(heliosdb(&[&d, ".tables"], None)), "by_region  orders  pairs  recent\n");
    let idx = ok(heliosdb(&[&d, ".indexes orders"], None));
    assert_eq!(idx, "orders_region\n");
    assert_eq!(ok(heliosdb(&[&d, ".indexes pairs"], None)), "", "a primary key is not a secondary index");
    let schema = ok(heliosdb(&[&d, ".schema orders"], None));
    assert!(schema.contains("CREATE INDEX orders_region ON orders(region);"), "{schema}");
}

#[test]
fn mv_lists_views_with_strategy_and_staleness() {
    let (_dir, d) = setup();
    let out = ok(heliosdb(&[&d, "-list", ".mv"], None));
    assert_eq!(out.lines().next(), Some("view_name|strategy|status|pending_changes|staleness_sec|auto_refresh|reason"));
    assert!(out.contains("by_region|incremental|fresh|0|"), "{out}");
    ok(heliosdb(&[&d, "INSERT INTO orders VALUES (3, 'west', 1.0);"], None));
    let out = ok(heliosdb(&[&d, "-list", ".mv"], None));
    assert!(out.contains("by_region|incremental|stale|1|"), "{out}");
}

#[test]
fn history_shows_each_version_with_its_scn() {
    let (_dir, d) = setup();
    let out = ok(heliosdb(&[&d, "-csv", ".history orders 1"], None));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "scn,valid_from,op,ended_scn,ended_by,id,region,amount");
    assert_eq!(lines.len(), 4, "three versions: {out}");
    let fields = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
    let (v1, v2, v3) = (fields(lines[1]), fields(lines[2]), fields(lines[3]));
    assert_eq!((v1[2].as_str(), &v1[5..]), ("INSERT", &["1".into(), "north".into(), "10.0".into()][..]));
    assert_eq!((v2[2].as_str(), v2[6].as_str(), v2[7].as_str()), ("UPDATE", "north", "11.5"));
    assert_eq!((v3[2].as_str(), v3[6].as_str(), v3[3].as_str()), ("UPDATE", "east", ""));
    // Each version ends at the SCN where the next one begins.
    assert_eq!(v1[3], v2[0]);
    assert_eq!(v2[3], v3[0]);
    // Composite keys take one word per key column, quoted when they hold spaces.
    let out = ok(heliosdb(&[&d, "-list", "-noheader", ".history pairs 1 x"], None));
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().last().unwrap().ends_with("|1|x|second"), "{out}");
    let bad = heliosdb(&[&d, ".history pairs 1"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("primary key is (a, b): give 2 value(s)"), "{}", text(&bad.stderr));
}
