//! Differential test of the JSON1 functions: seeded generated documents
//! (nested objects and arrays, strings with escapes and non-ASCII text,
//! integers past 64 bits, negative and exponent numbers, true/false/null,
//! odd spacing, a few malformed ones) and paths (ones that exist, ones that
//! do not, malformed ones), through json_extract, `->`, `->>`, json_type,
//! json_array_length, json_set/insert/replace/remove, json(), json_valid,
//! json_object, json_array, json_quote, json_patch, json_group_array, and the
//! rows of json_each / json_tree (`exec::json::each_rows`). Each query runs
//! on HeliosDB and on SQLite 3.40 (rusqlite over Debian's libsqlite3): both
//! must give the same typed values exactly, or both fail with SQLite's
//! message contained in HeliosDB's.

use heliosdb_core::Value;

mod common;
use common::{Pick, Rng};

use common::{exact as cell, helios_exact_rows as helios_rows, sqlite_exact_rows as sqlite_rows};

/// Object keys: a small set so that generated paths find members, some
/// needing quotes in a path, one with an escape.
const KEYS: &[&str] = &["a", "b", "device", "t", "k2", "x y", "", "é", "a\\u0041", "1"];

const STRINGS: &[&str] = &[
    "",
    "plain",
    "with \\\"quotes\\\"",
    "back\\\\slash",
    "tab\\tnew\\nline",
    "\\u00e9t\\u00E9",
    "\\ud83d\\ude00",
    "caf\u{e9}",
    "\u{65e5}\u{672c}",
    "\\/slash",
    "it''s",
    "[1,2]",
    "{\\\"k\\\":1}",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "42",
    "1.5",
    "-0.25",
    "1.50",
    "2e3",
    "1E+2",
    "-3.5e-2",
    "0.0",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "99999999999999999999",
    "123456789.125",
    "1e308",
    "1e400",
];

fn blank(r: &mut Rng) -> &'static str {
    if r.chance(15) {
        r.pick(&[" ", "\n", "\t ", "\r\n"])
    } else {
        ""
    }
}

/// A JSON document (SQL-quoting is done by the caller).
fn value(r: &mut Rng, depth: usize) -> String {
    let kind = if depth >= 4 { r.below(6) } else { r.below(9) };
    let b = blank(r);
    match kind {
        0 | 1 => r.pick(NUMBERS).to_string(),
        2 | 3 => format!("\"{}\"", r.pick(STRINGS)),
        4 => r.pick(&["true", "false"]).to_string(),
        5 => "null".to_string(),
        6 | 7 => {
            let n = r.below(5);
            let members: Vec<String> =
                (0..n).map(|_| format!("{b}\"{}\"{b}:{}", r.pick(KEYS), value(r, depth + 1))).collect();
            format!("{{{}{b}}}", members.join(","))
        }
        _ => {
            let n = r.below(5);
            let items: Vec<String> = (0..n).map(|_| format!("{b}{}", value(r, depth + 1))).collect();
            format!("[{}{b}]", items.join(","))
        }
    }
}

/// A merge patch: an object with distinct keys (SQLite's json_patch has
/// quirks of its own for repeated keys in a patch, which are not copied).
fn patch_doc(r: &mut Rng, depth: usize) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for _ in 0..r.below(4) {
        let k = r.pick(KEYS);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let members: Vec<String> = keys
        .iter()
        .map(|k| {
            let v = match r.below(5) {
                0 => "null".to_string(),
                1 if depth < 3 => patch_doc(r, depth + 1),
                _ => value(r, 2),
            };
            format!("\"{k}\":{v}")
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

/// Breaks a document the ways people do.
fn malform(r: &mut Rng, doc: &str) -> String {
    match r.below(6) {
        0 => doc.chars().take(doc.chars().count() / 2).collect(),
        1 => format!("{doc},"),
        2 => format!("[{doc},]"),
        3 => format!("{{\"a\" {doc}}}"),
        4 => format!("[01, {doc}]"),
        _ => format!("[\"\\x\", {doc}]"),
    }
}

/// A path into `doc`'s shape, mostly one that exists.
fn path(r: &mut Rng) -> String {
    if r.chance(8) {
        return r.pick(&["a", "$.", "$[x]", "$.a[", "$[0]x", "$.\"a", "$[#-]", "$a"]).to_string();
    }
    let mut p = String::from("$");
    for _ in 0..r.below(4) {
        if r.chance(50) {
            let k = r.pick(KEYS);
            let plain = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && k.chars().all(|c| c.is_ascii_alphanumeric());
            if plain && r.chance(80) {
                p.push('.');
                p.push_str(k);
            } else {
                p.push_str(&format!(".\"{k}\""));
            }
        } else {
            p.push_str(r.pick(&["[0]", "[1]", "[2]", "[#-1]", "[#-2]", "[#]", "[9]"]));
        }
    }
    p
}

/// A value argument for the JSON builders and editors.
fn sql_value(r: &mut Rng, doc: &str) -> String {
    r.pick(&[
        "1",
        "-2.5",
        "'text \"q\"'",
        "NULL",
        "json('[1,2]')",
        "json_array(1,'x')",
        "1e300",
        "'[3]'",
        "D",
        "json(D)",
    ])
    .replace('D', doc)
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One query over a generated document.
fn expr(r: &mut Rng) -> String {
    let mut d = value(r, 0);
    if r.chance(5) {
        d = malform(r, &d);
    }
    let doc = quote(&d);
    let p = quote(&path(r));
    let p2 = quote(&path(r));
    let v = sql_value(r, &doc);
    match r.below(22) {
        20 => format!("json_patch({doc}, {})", quote(&patch_doc(r, 0))),
        21 => format!("json_patch({}, {doc})", quote(&value(r, 0))),
        0 | 1 => format!("json_extract({doc}, {p})"),
        2 => format!("json_extract({doc}, {p}, {p2})"),
        3 => format!("typeof(json_extract({doc}, {p}))"),
        4 => format!("{doc} -> {p}"),
        5 => format!("{doc} ->> {p}"),
        6 => format!(
            "{doc} {} {}",
            r.pick(&["->", "->>"]),
            r.pick(&["'a'", "'device'", "0", "1", "'[0]'", "-1", "'x y'"])
        ),
        7 => format!("json_type({doc}, {p})"),
        8 => format!("json_type({doc})"),
        9 => format!("json_array_length({doc}, {p})"),
        10 => format!("json_array_length({doc})"),
        11 | 12 => format!("json_set({doc}, {p}, {v})"),
        13 => format!("json_insert({doc}, {p}, {v}, {p2}, {})", sql_value(r, &doc)),
        14 => format!("json_replace({doc}, {p}, {v})"),
        15 => format!("json_remove({doc}, {p}, {p2})"),
        16 => format!("json({doc})"),
        17 => format!("json_valid({doc})"),
        18 => format!("json_object('k', {v}, 'e', json_extract({doc}, {p}), 'a', {doc} -> {p2})"),
        _ => format!("json_array({v}, {doc} ->> {p}, json_quote({}))", sql_value(r, &doc)),
    }
}

fn agree(h: &heliosdb_core::Connection, s: &rusqlite::Connection, sql: &str, bad: &mut Vec<String>) -> bool {
    let (hr, sr) = (helios_rows(h, sql), sqlite_rows(s, sql));
    let ok = match (&hr, &sr) {
        (Err(he), Err(se)) => he.contains(se.as_str()),
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    if !ok {
        bad.push(format!("{sql}\n    heliosdb: {hr:?}\n    sqlite:   {sr:?}"));
    }
    hr.is_err()
}

#[test]
fn heliosdb_agrees_with_sqlite_on_json_functions() {
    let h = heliosdb_core::Connection::open_in_memory().unwrap();
    let s = rusqlite::Connection::open_in_memory().unwrap();
    let mut r = Rng(0x4A53_4F4E_2026_0020);
    let total = 10_000;
    let mut bad = Vec::new();
    let mut errors = 0;
    for _ in 0..total {
        let sql = format!("SELECT {}", expr(&mut r));
        errors += usize::from(agree(&h, &s, &sql, &mut bad));
    }
    // json_group_array / json_group_object over a table of documents.
    let setup = "CREATE TABLE docs (id INTEGER PRIMARY KEY, d TEXT)";
    h.execute_batch(setup).unwrap();
    s.execute_batch(setup).unwrap();
    for id in 0..60 {
        let ins = format!("INSERT INTO docs VALUES ({id}, {})", quote(&value(&mut r, 0)));
        h.execute_batch(&ins).unwrap();
        s.execute_batch(&ins).unwrap();
    }
    let mut aggs = 0;
    for _ in 0..200 {
        let p = quote(&path(&mut r));
        let sql = format!(
            "SELECT id % 4, {} FROM docs GROUP BY id % 4 ORDER BY 1",
            r.pick(&[
                "json_group_array(d ->> P)",
                "json_group_array(d -> P)",
                "json_group_array(json_extract(d, P))",
                "json_group_object(id, d -> P)",
                "json_object('all', json_group_array(json_type(d, P)))",
            ])
            .replace('P', &p)
        );
        errors += usize::from(agree(&h, &s, &sql, &mut bad));
        aggs += 1;
    }
    // json_each / json_tree: the rows `exec::json::each_rows` computes (the
    // table functions are not in FROM yet) against SQLite's.
    let mut each = 0;
    for _ in 0..3_000 {
        let d = value(&mut r, 0);
        let p = if r.chance(30) { None } else { Some(path(&mut r)) };
        let recursive = r.chance(50);
        let f = if recursive { "json_tree" } else { "json_each" };
        let sql = match &p {
            Some(p) => format!("SELECT * FROM {f}({}, {})", quote(&d), quote(p)),
            None => format!("SELECT * FROM {f}({})", quote(&d)),
        };
        let sr = sqlite_rows(
            &s,
            &sql.replace("SELECT *", "SELECT key, value, type, atom, id, parent, fullkey, path, json, root"),
        );
        let hr = heliosdb_core::exec::json::each_rows(&Value::Text(d.clone()), p.as_deref(), recursive)
            .map(|rows| rows.iter().map(|row| row.iter().map(cell).collect::<Vec<_>>()).collect::<Vec<_>>())
            .map_err(|e| e.to_string());
        let ok = match (&hr, &sr) {
            (Err(he), Err(se)) => he.contains(se.as_str()),
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        };
        if !ok {
            bad.push(format!("{sql}\n    heliosdb: {hr:?}\n    sqlite:   {sr:?}"));
        }
        each += 1;
    }
    let aggs = aggs + each;
    println!("{} of {} JSON queries agree; {errors} failed on both", total + aggs - bad.len(), total + aggs);
    assert!(errors < (total + aggs) / 4, "{errors} queries failed on both engines: the generator is broken");
    assert!(
        bad.is_empty(),
        "{} of {} disagree; first ones:\n{}",
        bad.len(),
        total + aggs,
        bad.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
}
