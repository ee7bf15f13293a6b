//! `.dump`: the text recreates the database in HeliosDB (schema, data,
//! indexes, views, materialized views, triggers), its plain tables load into
//! `sqlite3` with the same contents, and `--as-of SCN` exports the past.

mod common;

use common::{heliosdb, ok, sqlite3, text};

const SCHEMA: &str = "\
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER REFERENCES customers(id),
  amount REAL,
  price DECIMAL(10,2),
  note TEXT,
  payload BLOB
);
CREATE INDEX orders_by_customer ON orders(customer_id);
CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;
CREATE TRIGGER orders_audit AFTER DELETE ON orders BEGIN
  INSERT INTO customers (id, name, region) VALUES (1000 + old.id, 'deleted', NULL);
END;
INSERT INTO customers VALUES (1, 'Ada', 'north'), (2, 'O''Brien; Ltd', NULL), (3, 'multi
line', 'south');
INSERT INTO orders VALUES
  (10, 1, 19.99, 19.99, 'first', x'00ff10'),
  (11, 2, 1e300, 0.10, NULL, NULL),
  (12, 3, 0.1, 123.45, 'semi;colon -- not a comment', x''),
  (13, 1, -0.0, NULL, '', NULL),
  (14, 2, 250.5, 99.99, 'it''s', NULL);
";

// DECIMAL is exact in HeliosDB and a REAL in SQLite: compared as REAL.
const CHECK: &str = "\
.mode list
.headers off
SELECT id, customer_id, amount, CAST(price AS REAL), note, hex(payload), typeof(payload) FROM orders ORDER BY id;
SELECT id, name, region FROM customers ORDER BY id;
SELECT * FROM big_orders ORDER BY id;
";

fn db(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_str().expect("utf-8 path").to_string()
}

#[test]
fn dump_reloads_into_heliosdb_with_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (db(&dir, "src"), db(&dir, "dst"));
    ok(heliosdb(&[&src], Some(SCHEMA)));
    ok(heliosdb(&[&src, "-c", "CREATE MATERIALIZED VIEW per_customer AS SELECT customer_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer_id; CREATE CHANGEFEED to_central FOR TABLES customers, orders;"], None));
    let dump = ok(heliosdb(&[&src, ".dump"], None));
    assert!(dump.starts_with("BEGIN TRANSACTION;\n"), "{dump}");
    // Parents before the tables that refer to them, whatever their names.
    let (c, o) = (dump.find("CREATE TABLE customers").unwrap(), dump.find("CREATE TABLE orders").unwrap());
    assert!(c < o, "{dump}");
    assert!(dump.contains("INSERT INTO \"orders\" VALUES(10,1,19.99,'19.99','first',X'00FF10');"), "{dump}");
    assert!(dump.contains("CREATE MATERIALIZED VIEW per_customer"), "{dump}");
    assert!(dump.ends_with("CREATE CHANGEFEED \"to_central\" FOR TABLE \"customers\", \"orders\";\n"), "{dump}");

    ok(heliosdb(&[&dst], Some(&dump)));
    // Same text back: schema, every row, every object.
    assert_eq!(ok(heliosdb(&[&dst, ".dump"], None)), dump);
    assert_eq!(ok(heliosdb(&[&dst], Some(CHECK))), ok(heliosdb(&[&src], Some(CHECK))));
    // The copy's materialized view, trigger and index work.
    let out = ok(heliosdb(
        &[&dst],
        Some(".mode list\n.headers off\nINSERT INTO orders VALUES (15, 3, 5.0, 5.00, NULL, NULL);\nDELETE FROM orders WHERE id = 13;\nREFRESH MATERIALIZED VIEW per_customer;\nSELECT customer_id, n FROM per_customer ORDER BY customer_id;\nSELECT name FROM customers WHERE id = 1013;\n.indexes orders\n"),
    ));
    assert_eq!(out, "1|1\n2|2\n3|2\ndeleted\norders_by_customer\n", "{out}");
    // The copy's feed starts at the load: it holds the changes made since,
    // in the order they were made (the delete, then its trigger's insert).
    let feed =
        ok(heliosdb(&[&dst, "-list", "-noheader", "SELECT table_name, op FROM heliosdb_changes('to_central');"], None));
    assert_eq!(feed, "orders|INSERT\norders|DELETE\ncustomers|INSERT\n", "{feed}");
}

#[test]
fn plain_tables_load_into_sqlite3_with_the_same_contents() {
    let dir = tempfile::tempdir().unwrap();
    let src = db(&dir, "src");
    let lite = db(&dir, "copy.sqlite");
    ok(heliosdb(&[&src], Some(SCHEMA)));
    let dump = ok(heliosdb(&[&src, ".dump"], None));
    let loaded = sqlite3(&[&lite], Some(&dump));
    assert!(loaded.status.success(), "sqlite3 refused the dump: {}\n{dump}", text(&loaded.stderr));
    // sqlite3's list mode and ours print values alike (numbers as %.15g), so the texts must match.
    let theirs = ok(sqlite3(&[&lite], Some(CHECK)));
    let ours = ok(heliosdb(&[&src], Some(CHECK)));
    assert_eq!(ours, theirs);
    assert!(theirs.contains("11|2|1.0e+300|0.1|||null\n"), "{theirs}");
    // And sqlite3 kept the index and the trigger.
    let objects = ok(sqlite3(&[&lite, "SELECT type, name FROM sqlite_schema ORDER BY name"], None));
    assert_eq!(
        objects,
        "view|big_orders\ntable|customers\ntable|orders\ntrigger|orders_audit\nindex|orders_by_customer\n"
    );
}

#[test]
fn dump_as_of_exports_the_past() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (db(&dir, "src"), db(&dir, "dst"));
    ok(heliosdb(
        &[&src],
        Some("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t VALUES (1, 'one'), (2, 'two');\n"),
    ));
    let scn = ok(heliosdb(&[&src, "-list", "-noheader", "SELECT heliosdb_current_scn();"], None));
    let scn = scn.trim();
    ok(heliosdb(
        &[&src],
        Some("UPDATE t SET v = 'uno' WHERE k = 1;\nDELETE FROM t WHERE k = 2;\nINSERT INTO t VALUES (3, 'three');\n"),
    ));

    let past = ok(heliosdb(&[&src, &format!(".dump t --as-of {scn}")], None));
    assert!(past.contains("INSERT INTO \"t\" VALUES(1,'one');\nINSERT INTO \"t\" VALUES(2,'two');\n"), "{past}");
    assert!(!past.contains("three"), "{past}");
    ok(heliosdb(&[&dst], Some(&past)));
    assert_eq!(ok(heliosdb(&[&dst, "-list", "SELECT k, v FROM t ORDER BY k;"], None)), "k|v\n1|one\n2|two\n");

    let now = ok(heliosdb(&[&src, ".dump t"], None));
    assert!(now.contains("VALUES(1,'uno');\nINSERT INTO \"t\" VALUES(3,'three');\n"), "{now}");

    let bad = heliosdb(&[&src, ".dump t --as-of soon"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("--as-of needs an SCN"), "{}", text(&bad.stderr));
    let missing = heliosdb(&[&src, ".dump nope"], None);
    assert!(text(&missing.stderr).contains("no such table: nope"), "{}", text(&missing.stderr));
}
