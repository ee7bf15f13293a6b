//! The settings users reach for in `sqlite3`, driven as a script would:
//! modes, headers, NULL text, numbers, `.output`/`.once`, `.show`,
//! `.changes`, and the `-json`/`-csv`/`-cmd` flags.

mod common;

use common::{heliosdb, ok, sqlite3, text};

const DATA: &str = "CREATE TABLE m (id INTEGER PRIMARY KEY, v REAL, s TEXT);\n\
                    INSERT INTO m VALUES (1, 10202125.33999995, 'a'), (2, NULL, 'b|c'), (3, 1e20, NULL);\n";

#[test]
fn numbers_and_list_mode_print_as_sqlite3_does() {
    let script =
        ".mode list\n.headers on\nSELECT 1.0, 0.1 + 0.2, 10202125.33999995, 1e20, 1.5e-7, -0.0, 1/3.0, 7, 'x', NULL;\n";
    let ours = ok(heliosdb(&[":memory:"], Some(script)));
    let theirs = ok(sqlite3(&[":memory:"], Some(script)));
    assert_eq!(ours.lines().nth(1), theirs.lines().nth(1), "ours:\n{ours}\nsqlite3:\n{theirs}");
    assert_eq!(ours.lines().nth(1), Some("1.0|0.3|10202125.3399999|1.0e+20|1.5e-07|0.0|0.333333333333333|7|x|"));
}

#[test]
fn headers_nullvalue_and_modes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("db");
    let d = d.to_str().unwrap();
    ok(heliosdb(&[d], Some(DATA)));
    let q = "SELECT id, v, s FROM m ORDER BY id;";
    let out = ok(heliosdb(&[d], Some(&format!(".mode csv\n.headers off\n.nullvalue NULL\n{q}\n"))));
    assert_eq!(out, "1,10202125.3399999,a\n2,NULL,b|c\n3,1.0e+20,NULL\n");
    let out = ok(heliosdb(&[d], Some(&format!(".mode markdown\n{q}\n"))));
    assert_eq!(
        out,
        "| id |        v         |  s  |\n|----|------------------|-----|\n| 1  | 10202125.3399999 | a   |\n| 2  |                  | b|c |\n| 3  | 1.0e+20          |     |\n"
    );
    let out = ok(heliosdb(&[d], Some(&format!(".mode box\n.nullvalue -\n{q}\n"))));
    assert!(out.starts_with("┌────┬──────────────────┬─────┐\n│ id │        v         │  s  │\n├"), "{out}");
    assert!(out.contains("│ 2  │ -                │ b|c │"), "{out}");
    let out = ok(heliosdb(&[d], Some(&format!(".mode tabs\n{q}\n"))));
    assert_eq!(out.lines().next(), Some("id\tv\ts"));
    let bad = heliosdb(&[d], Some(".mode fancy\n"));
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("unknown mode fancy"), "{}", text(&bad.stderr));
}

#[test]
fn output_and_once_send_results_to_files() {
    let dir = tempfile::tempdir().unwrap();
    let (all, once) = (dir.path().join("all.txt"), dir.path().join("once.csv"));
    let script = format!(
        ".mode list\n.output {}\nSELECT 1;\nSELECT 2;\n.output\nSELECT 3;\n.once {}\nSELECT 4;\nSELECT 5;\n",
        all.display(),
        once.display()
    );
    let out = ok(heliosdb(&[":memory:"], Some(&script)));
    assert_eq!(out, "3\n3\n5\n5\n");
    assert_eq!(std::fs::read_to_string(&all).unwrap(), "1\n1\n2\n2\n");
    assert_eq!(std::fs::read_to_string(&once).unwrap(), "4\n4\n");
    let bad = heliosdb(&[":memory:"], Some(".output /no/such/dir/x.txt\n"));
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("cannot open \"/no/such/dir/x.txt\""), "{}", text(&bad.stderr));
}

#[test]
fn show_and_changes() {
    let out = ok(heliosdb(
        &[":memory:"],
        Some(".changes on\nCREATE TABLE t (a);\nINSERT INTO t VALUES (1), (2), (3);\nUPDATE t SET a = a + 1 WHERE a > 1;\n.changes off\nDELETE FROM t;\n.mode csv\n.headers off\n.show\n"),
    ));
    assert!(out.contains("changes: 3   total_changes: 3\nchanges: 2   total_changes: 5\n"), "{out}");
    assert!(!out.contains("total_changes: 8"), "{out}");
    assert!(out.contains("   headers: off\n      mode: csv\n"), "{out}");
    assert!(out.contains("  filename: :memory:\n"), "{out}");
}

#[test]
fn json_csv_and_cmd_flags() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("db");
    let d = d.to_str().unwrap();
    ok(heliosdb(&[d], Some(DATA)));
    let q = "SELECT id, s FROM m WHERE id < 3 ORDER BY id;";
    assert_eq!(ok(heliosdb(&["-json", d, q], None)), "[{\"id\":1,\"s\":\"a\"},{\"id\":2,\"s\":\"b|c\"}]\n");
    assert_eq!(ok(heliosdb(&["-csv", "-noheader", d, q], None)), "1,a\n2,b|c\n");
    // -cmd runs before standard input, in order.
    let out = ok(heliosdb(&["-cmd", ".mode list", "-cmd", ".headers off", d], Some(q)));
    assert_eq!(out, "1|a\n2|b|c\n");
    // A JSON document keeps full precision.
    let out = ok(heliosdb(&["--json", d, "SELECT v FROM m WHERE id = 1;"], None));
    assert_eq!(out, "[{\"v\":10202125.33999995}]\n");
}
