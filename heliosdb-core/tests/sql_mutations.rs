//! Mutated SQL never panics: statements of SQLite's corpus (`../shared/
//! sqllogictest`, beside the checkout) and of our own extensions, with
//! literals swapped for extreme values (`-9223372036854775808`, `1e308`,
//! `9e999`, blobs, NULL), column references wrapped in functions and casts,
//! and tokens dropped, inserted or swapped, are prepared and run against a
//! database the corpus filled. Each must come back as rows or an error; a
//! panic (an overflow the debug assertions of the test profile catch, an
//! index out of range) fails the test with the statement that caused it.
//!
//! `SQL_MUTATIONS=N` runs N statements (default 30,000) and
//! `SQL_MUTATIONS_SEED=S` another sequence.

use heliosdb_core::{Connection, Value};

mod common;
use common::Rng;

/// Corpus files the statements come from.
const FILES: &[&str] = &[
    "select1.test",
    "select3.test",
    "evidence/in1.test",
    "evidence/slt_lang_aggfunc.test",
    "evidence/slt_lang_createtrigger.test",
    "evidence/slt_lang_createview.test",
    "evidence/slt_lang_replace.test",
    "evidence/slt_lang_update.test",
];

/// Statements of our own SQL the corpus does not have.
const OWN: &[&str] = &[
    "SELECT * FROM t1 AS OF SCN 1",
    "SELECT a, b FROM t1 VERSIONS BETWEEN SCN 0 AND 99999999999",
    "CREATE MATERIALIZED VIEW mv1 AS SELECT a, count(*), min(b), max(c), sum(d) FROM t1 GROUP BY a",
    "REFRESH MATERIALIZED VIEW mv1 INCREMENTALLY",
    "SELECT * FROM pg_mv_staleness()",
    "WITH x AS (SELECT 1 AS a) INSERT INTO t1 SELECT a, a, a, a, a FROM x",
    "SELECT rank() OVER (PARTITION BY a ORDER BY b DESC), sum(c) OVER (ORDER BY d) FROM t1",
    "SELECT strftime('%s', 'now', '-7 days'), unixepoch(), date('now', 'start of month')",
    "UPDATE t1 SET b = b * 2, c = c - 1 WHERE a > 100",
    "SELECT a FROM t1 ORDER BY b LIMIT 5 OFFSET 3",
];

/// Values a literal is replaced with.
const EXTREMES: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775808",
    "(-9223372036854775808)",
    "1e308",
    "-1e308",
    "9e999",
    "0",
    "-0.0",
    "0.5",
    "-1",
    "2147483648",
    "4294967296",
    "NULL",
    "''",
    "'abc'",
    "X''",
];

/// Functions a column reference or literal is wrapped in.
const WRAPS: &[&str] = &[
    "abs",
    "-",
    "~",
    "round",
    "hex",
    "length",
    "typeof",
    "quote",
    "unicode",
    "char",
    "zeroblob",
    "upper",
    "nullif",
    "coalesce",
    "ifnull",
    "instr",
    "substr",
    "total",
    "avg",
    "sum",
    "min",
    "max",
    "count",
    "group_concat",
    "printf",
    "randomblob",
    "date",
    "strftime",
    "julianday",
    "unixepoch",
    "sqrt",
    "ln",
    "exp",
    "power",
    "mod",
    "sign",
    "trunc",
    "ceil",
    "floor",
    "cast",
    "unhex",
    "octet_length",
    "concat",
    "concat_ws",
    "like",
];

/// Tokens inserted anywhere.
const TOKENS: &[&str] = &[
    "NULL",
    "9223372036854775807",
    "-9223372036854775808",
    "1e308",
    "''",
    "X'00ff'",
    "(",
    ")",
    ",",
    "*",
    "/",
    "%",
    "-",
    "||",
    "<<",
    ">>",
    "~",
    "CAST(",
    "AS",
    "INTEGER",
    "REAL",
    "TEXT",
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "LIMIT",
    "OFFSET",
    "-1",
    "0",
    "?",
    "?1",
    ":a",
    "abs(",
    "sum(",
    "substr(",
    "round(",
    "printf(",
    "zeroblob(",
    "COLLATE NOCASE",
    "IN",
    "EXISTS",
    "UNION",
    "CASE",
    "WHEN",
    "END",
    "AS OF SCN",
    "DISTINCT",
    "HAVING",
    "JOIN",
    "ON",
    "t1",
    "a",
    "b",
];

/// Every statement and query of the corpus files, and ours.
fn statements() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/sqllogictest");
    let mut out: Vec<String> = OWN.iter().map(|s| s.to_string()).collect();
    for file in FILES {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (the corpus is expected beside the checkout)", path.display()));
        let mut sql = String::new();
        let mut inside = false;
        for line in text.lines() {
            if line.starts_with("statement") || line.starts_with("query") {
                (inside, sql) = (true, String::new());
            } else if line == "----" || line.is_empty() {
                if inside && !sql.is_empty() {
                    out.push(std::mem::take(&mut sql));
                }
                inside = false;
            } else if inside {
                if !sql.is_empty() {
                    sql.push(' ');
                }
                sql.push_str(line);
            }
        }
    }
    out
}

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len())]
}

/// A token split into what can be replaced and the `,` / `)` that close it.
fn split_trail(token: &str) -> (&str, &str) {
    let core = token.trim_end_matches([',', ')']);
    (core, &token[core.len()..])
}

/// `base` with one to three mutations.
fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut toks: Vec<String> = base.split_whitespace().map(String::from).collect();
    for _ in 0..1 + rng.below(3) {
        if toks.is_empty() {
            break;
        }
        let at = rng.below(toks.len());
        let literal = |t: &str| t.starts_with(|c: char| c.is_ascii_digit() || c == '\'');
        match rng.below(6) {
            0 | 1 => {
                // A literal, if there is one, becomes an extreme value.
                let literals: Vec<usize> = (0..toks.len()).filter(|k| literal(&toks[*k])).collect();
                if let Some(k) = (!literals.is_empty()).then(|| literals[rng.below(literals.len())]) {
                    let trail = split_trail(&toks[k]).1.to_string();
                    toks[k] = format!("{}{trail}", pick(rng, EXTREMES));
                }
            }
            2 => {
                let (core, trail) = split_trail(&toks[at]);
                if !core.is_empty() && core.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '\'') {
                    let wrapped = match pick(rng, WRAPS) {
                        f @ ("-" | "~") => format!("{f}({core})"),
                        "cast" => {
                            format!("CAST({core} AS {})", pick(rng, &["INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC"]))
                        }
                        f @ ("nullif" | "coalesce" | "ifnull" | "instr" | "power" | "mod" | "substr" | "concat_ws"
                        | "like") => {
                            format!("{f}({core}, {})", pick(rng, EXTREMES))
                        }
                        "printf" => format!("printf('%d %s %.3f %x %c', {core}, {core}, {core}, {core}, {core})"),
                        "strftime" => format!("strftime('%s %J %W', {core})"),
                        f => format!("{f}({core})"),
                    };
                    toks[at] = format!("{wrapped}{trail}");
                }
            }
            3 => {
                toks.remove(at);
            }
            4 => toks.insert(at, pick(rng, TOKENS).to_string()),
            _ => {
                let other = rng.below(toks.len());
                toks.swap(at, other);
            }
        }
    }
    toks.join(" ")
}

#[test]
fn mutated_statements_answer_or_fail_but_never_panic() {
    let all = statements();
    let runs: usize = std::env::var("SQL_MUTATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(30_000);
    let seed: u64 = std::env::var("SQL_MUTATIONS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut rng = Rng(seed);
    let conn = Connection::open_in_memory().unwrap();
    // The corpus's own setup: its tables and their rows.
    for sql in all.iter().filter(|s| s.starts_with("CREATE") || s.starts_with("INSERT")).take(60) {
        let _ = conn.execute_batch(sql);
    }
    let rows: i64 = conn.query_row("SELECT count(*) FROM t1", (), |r| r.get(0)).unwrap();
    assert!(rows > 20, "the corpus filled t1 ({rows} rows)");
    let (mut prepared, mut panics) = (0usize, Vec::new());
    for _ in 0..runs {
        let base = &all[rng.below(all.len())];
        let sql = mutate(&mut rng, base);
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let Ok(mut st) = conn.prepare(&sql) else { return false };
            let params: Vec<Value> = (0..st.parameter_count())
                .map(|k| if k % 2 == 0 { Value::Integer(i64::MIN) } else { Value::Text("z".into()) })
                .collect();
            if let Ok(rows) = st.query_map(params, |r| Ok(r.values().len())) {
                rows.take(200).for_each(drop);
            }
            true
        }));
        match ran {
            Ok(ok) => prepared += usize::from(ok),
            Err(_) => panics.push(sql),
        }
    }
    // Most mutations still parse, so the executor is what is exercised.
    assert!(prepared > runs / 10, "only {prepared} of {runs} statements prepared");
    assert!(panics.is_empty(), "{} statements panicked, the first: {}", panics.len(), panics[0]);
}
