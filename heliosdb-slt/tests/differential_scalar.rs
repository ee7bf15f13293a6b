//! Differential test of scalar SQL: generated one-row queries over date and
//! time functions (every modifier and 3.40 format code over edge moments),
//! casts and REAL formatting, string functions, printf, and comparisons
//! between numbers and text. Each runs on HeliosDB and on SQLite 3.40
//! (rusqlite over Debian's libsqlite3) and every one of them must agree:
//! same types, same text to the character, same numbers exactly.
//!
//! REAL digits are compared exactly too, to the 16th (26th with `!`)
//! significant digit SQLite prints: HeliosDB reproduces the x87 long double
//! arithmetic Debian's SQLite renders them with.
//!
//! Deliberately left out (see README, "Deliberate differences"): storing
//! values of the wrong type in typed columns (HeliosDB is STRICT), `0x…`
//! integer literals (sqlparser reads them as blobs), `'now'` (two clocks),
//! and `'utc'` on moments pushed below julian day 0.

mod common;
use common::{Pick, Rng};

use common::{helios_exact_rows, sqlite_exact_rows, Exact as Cell};

fn helios_row(conn: &heliosdb_core::Connection, sql: &str) -> Result<Vec<Cell>, String> {
    helios_exact_rows(conn, sql)?.into_iter().next().ok_or_else(|| "no row".to_string())
}

fn sqlite_row(conn: &rusqlite::Connection, sql: &str) -> Result<Vec<Cell>, String> {
    sqlite_exact_rows(conn, sql)?.into_iter().next().ok_or_else(|| "no row".to_string())
}

const MOMENTS: &[&str] = &[
    "'2024-02-29'",
    "'2023-02-29'",
    "'2024-01-31 23:59:59'",
    "'2000-01-01 00:00:00.000'",
    "'1999-12-31 23:59:59.999'",
    "'1969-12-31 12:00'",
    "'1900-03-01'",
    "'0000-01-01 00:00:00'",
    "'9999-12-31 23:59:59'",
    "'2024-05-17 10:20:30'",
    "'2000-01-01 10:11:12.5678'",
    "'2024-12-31T10:00'",
    "'2024-01-01T'",
    "'2024-01-01 24:00'",
    "'2024-01-01 23:59:60'",
    "' 2024-01-01'",
    "'2024-01-01 '",
    "'2024-01-01 10:00+02:00'",
    "'2024-01-01 10:00-05:30'",
    "'2024-01-01 10:00Z'",
    "'2024-01-01 10:00 +14:00'",
    "'2024-01-01 10:00+15:00'",
    "'12:34'",
    "'12:34:56.789'",
    "'-0044-03-15'",
    "'2024-13-01'",
    "'2024-1-1'",
    "'not a date'",
    "''",
    "NULL",
    "2460310.5",
    "2451545",
    "0",
    "-1",
    "5373484.4",
    "5373485",
    "1700000000",
    "-86400",
    "86400.5",
    "'2460310.25'",
    "'1e6'",
    "1e12",
    "253402300799",
    "-210866760000",
];

const MODIFIERS: &[&str] = &[
    "'+1 day'",
    "'-1 days'",
    "'+1.5 days'",
    "'+36 hours'",
    "'-90 minutes'",
    "'+3600.5 seconds'",
    "'+1 month'",
    "'-1 month'",
    "'+1.5 months'",
    "'-13 months'",
    "'+12 months'",
    "'+1 year'",
    "'-1.25 years'",
    "'+10000 years'",
    "'start of month'",
    "'start of year'",
    "'start of day'",
    "'start of week'",
    "'weekday 0'",
    "'weekday 3'",
    "'weekday 6.0'",
    "'weekday 7'",
    "'unixepoch'",
    "'julianday'",
    "'auto'",
    "'localtime'",
    "'utc'",
    "'+01:30'",
    "'-02:15:30.5'",
    "'+24:00'",
    "' +1 day'",
    "'+1 day '",
    "'+1  day'",
    "'+1 fortnight'",
    "'+1'",
    "'1 day'",
    "'+5373485 days'",
    "'+176546 months'",
    "'UNIXEPOCH'",
    "'Start Of Month'",
    "NULL",
    "''",
];

const FORMAT_CODES: &[&str] = &[
    "%d", "%f", "%H", "%j", "%J", "%m", "%M", "%s", "%S", "%w", "%W", "%Y", "%%", "%e", "%k", "%u", "-", " ", "T", ":",
];

fn date_expr(r: &mut Rng) -> String {
    let moment = r.pick(MOMENTS);
    let mut args = vec![moment.to_string()];
    for _ in 0..r.below(4) {
        let mut m = r.pick(MODIFIERS);
        // 'utc' on a moment pushed below julian day 0 gives NULL here and
        // whatever localtime_r made of it in SQLite (see README).
        if m == "'utc'" && ["0", "-1", "-86400", "-210866760000", "'0000-01-01 00:00:00'"].contains(&moment) {
            m = "'localtime'";
        }
        args.push(m.to_string());
    }
    let f = r.pick(&["date", "time", "datetime", "julianday", "unixepoch", "strftime"]);
    if f == "strftime" {
        let n = 1 + r.below(5);
        let fmt: String = (0..n).map(|_| r.pick(FORMAT_CODES)).collect();
        args.insert(0, format!("'{fmt}'"));
    }
    format!("{f}({})", args.join(", "))
}

const REALS: &[&str] = &[
    "0.1+0.2",
    "1e15",
    "1e16",
    "1e20",
    "123456789012345.0",
    "1234567890123456.0",
    "1.0/3",
    "-2.0/3",
    "2.5e-5",
    "1e-5",
    "0.0001",
    "1.5",
    "-0.0",
    "100.0",
    "9.999999999999999e22",
    "1.7976931348623157e308",
    "5e-324",
    "0.5",
    "1.005",
    "2.675",
    "-1.005",
    "3.14159265358979",
    "1e300*10",
    "0.1*3",
    "4503599627370497.0",
    "9007199254740993.0",
];

fn real(r: &mut Rng) -> String {
    if r.below(2) == 0 {
        return r.pick(REALS).to_string();
    }
    let mant = r.int_in(-999_999, 999_999);
    let exp = r.int_in(-12, 22);
    format!("{mant}e{exp}")
}

const TEXTS: &[&str] = &[
    "'1'",
    "'1.0'",
    "' 12 '",
    "'1e3'",
    "'12abc'",
    "'abc'",
    "''",
    "'-7'",
    "'0x10'",
    "'  -3.5e2xyz'",
    "'.5'",
    "'5.'",
    "'9223372036854775808'",
    "'-9223372036854775809'",
    "'1e400'",
    "'héllo wörld'",
    "'a''b'",
    "'tab\tend'",
];

fn cast_expr(r: &mut Rng) -> String {
    match r.below(9) {
        0 => format!("CAST({} AS TEXT)", real(r)),
        1 => format!("{} || ''", real(r)),
        2 => format!("length({})", real(r)),
        3 => format!("CAST({} AS {})", r.pick(TEXTS), r.pick(&["INTEGER", "REAL", "TEXT"])),
        4 => format!("round({}, {})", real(r), r.int_in(-2, 20)),
        5 => format!(
            "{} % {}",
            r.pick(&["9007199254740993", "7", "-7", "5.5", "-5.5", "1e18", "0"]),
            r.pick(&["2.0", "2", "-3", "0.5", "-1", "0", "3.7"])
        ),
        6 => format!("typeof(CAST({} AS {}))", r.pick(TEXTS), r.pick(&["INTEGER", "REAL"])),
        7 => format!("quote({})", real(r)),
        _ => {
            let pool = ["1", "-0.5", "1e100", "x'41'", "NULL", "'t'", "2.50", "9223372036854775807", "(1.0/7)"];
            format!("{} || {} || typeof({} * 1)", r.pick(&pool), r.pick(&pool), r.pick(&pool))
        }
    }
}

const STRS: &[&str] = &[
    "'hello'",
    "'  padded  '",
    "'xxhixx'",
    "'héllo'",
    "''",
    "'a.b.c'",
    "NULL",
    "12345",
    "'ABCabc'",
    "x'414243'",
    "1.5",
];

fn string_expr(r: &mut Rng) -> String {
    let s = r.pick(STRS);
    let n = |r: &mut Rng| r.pick(&["0", "1", "2", "-1", "-3", "10", "-10", "NULL", "'2'", "1.9"]).to_string();
    match r.below(14) {
        0 => format!("substr({s}, {})", n(r)),
        1 => format!("substr({s}, {}, {})", n(r), n(r)),
        2 => format!(
            "{}({s}, {})",
            r.pick(&["trim", "ltrim", "rtrim"]),
            r.pick(&["'x'", "'xh'", "' '", "''", "NULL", "'é'", "1"])
        ),
        3 => format!(
            "{}({s})",
            r.pick(&["trim", "ltrim", "rtrim", "upper", "lower", "length", "hex", "unicode", "typeof"])
        ),
        4 => format!("instr({s}, {})", r.pick(&["'l'", "'xx'", "''", "NULL", "'é'", "34", "x'42'"])),
        5 => {
            format!("replace({s}, {}, {})", r.pick(&["'l'", "''", "'x'", "NULL"]), r.pick(&["'L'", "''", "NULL", "7"]))
        }
        6 => format!("quote({})", r.pick(&["'it''s'", "NULL", "42", "-7", "x'00ff'", "0.5", "1e20", "''", "'é'"])),
        7 => format!(
            "char({})",
            (0..r.below(4))
                .map(|_| r.pick(&["72", "105", "233", "128512", "65.9", "'66'"]))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        8 => format!(
            "{s} GLOB {}",
            r.pick(&["'h*'", "'*l?o'", "'[a-h]*'", "'[^h]*'", "'*[]]*'", "'H*'", "'['", "''", "'*'"])
        ),
        9 => format!("glob({}, {s})", r.pick(&["'h*'", "'?????'", "'*.*'", "'[0-9]*'"])),
        10 => format!("{s} NOT GLOB {}", r.pick(&["'h*'", "'*'", "'x*'"])),
        11 => format!("{s} LIKE {}", r.pick(&["'H%'", "'%L_O'", "'_'", "'%'", "''"])),
        12 => format!("trim({s}, {}) || '|'", r.pick(&["'xh'", "'lo'", "'ABC'"])),
        _ => format!("group_concat_test"),
    }
}

fn printf_expr(r: &mut Rng) -> String {
    let mut fmt = String::new();
    let mut args = Vec::new();
    for _ in 0..1 + r.below(3) {
        if r.below(3) == 0 {
            fmt.push_str(r.pick(&["ab", " ", "|", "%%", "é"]));
            continue;
        }
        fmt.push('%');
        for flag in ["-", "+", " ", "0", "#", ",", "!"] {
            if r.below(7) == 0 {
                fmt.push_str(flag);
            }
        }
        if r.below(2) == 0 {
            fmt.push_str(&r.int_in(1, 12).to_string());
        }
        let conv = r.pick(&["d", "i", "u", "x", "X", "o", "f", "e", "E", "g", "G", "s", "q", "Q", "w", "c", "z"]);
        if r.below(2) == 0 {
            let p = if "feEgG".contains(conv) { r.int_in(0, 22) } else { r.int_in(0, 8) };
            fmt.push_str(&format!(".{p}"));
        }
        fmt.push_str(conv);
        args.push(match conv {
            "d" | "i" | "u" | "x" | "X" | "o" => r
                .pick(&[
                    "0",
                    "42",
                    "-42",
                    "255",
                    "1234567",
                    "-9223372036854775808",
                    "9223372036854775807",
                    "3.99",
                    "'17abc'",
                    "NULL",
                ])
                .to_string(),
            "f" | "e" | "E" | "g" | "G" => match r.below(3) {
                0 => real(r),
                1 => r.pick(REALS).to_string(),
                _ => format!("({}e{} / {})", r.int_in(-999_999, 999_999), r.int_in(-12, 22), r.pick(&["3", "7", "-7"])),
            },
            "c" => r.pick(&["'xyz'", "'é'", "65"]).to_string(),
            _ => r.pick(&["'abc'", "'it''s'", "'héllo'", "NULL", "12", "1.5", "'x\"y'"]).to_string(),
        });
    }
    let extra = if args.is_empty() { String::new() } else { format!(", {}", args.join(", ")) };
    format!("{}('{fmt}'{extra})", r.pick(&["printf", "format"]))
}

const OPERANDS: &[&str] = &[
    "1",
    "'1'",
    "1.0",
    "'1.0'",
    "' 1'",
    "'a'",
    "0",
    "''",
    "NULL",
    "x'31'",
    "2",
    "'10'",
    "10",
    "i",
    "r",
    "s",
    "b",
    "CAST('1' AS INTEGER)",
    "CAST(1 AS TEXT)",
];

fn compare_expr(r: &mut Rng) -> String {
    let (a, b) = (r.pick(OPERANDS), r.pick(OPERANDS));
    match r.below(6) {
        0 => format!("{a} {} {b}", r.pick(&["=", "<>", "<", "<=", ">", ">=", "IS", "IS NOT"])),
        1 => format!("nullif({a}, {b})"),
        2 => format!("CASE {a} WHEN {b} THEN 'y' ELSE 'n' END"),
        3 => format!("{a} IN ({b}, {})", r.pick(OPERANDS)),
        4 => format!("{a} BETWEEN {b} AND {}", r.pick(OPERANDS)),
        _ => format!("max({a}, {b}) || min({a}, {b})"),
    }
}

fn expr(r: &mut Rng) -> String {
    match r.below(10) {
        0..=3 => date_expr(r),
        4 | 5 => cast_expr(r),
        6 => string_expr(r),
        7 | 8 => printf_expr(r),
        _ => compare_expr(r),
    }
}

#[test]
fn heliosdb_agrees_with_sqlite_on_scalar_functions() {
    // SQLite's 'localtime' reads TZ; HeliosDB's local time is UTC.
    std::env::set_var("TZ", "UTC");
    let h = heliosdb_core::Connection::open_in_memory().unwrap();
    let s = rusqlite::Connection::open_in_memory().unwrap();
    // One typed row: comparisons with columns use the columns' affinity.
    h.execute_batch("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB); INSERT INTO t VALUES (1, 1.0, '1', x'31')")
        .unwrap();
    s.execute_batch(
        "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB) STRICT; INSERT INTO t VALUES (1, 1.0, '1', x'31')",
    )
    .unwrap();
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let total = 20_000;
    let mut disagreements = Vec::new();
    let mut errors = 0;
    for _ in 0..total {
        let mut e = expr(&mut r);
        if e == "group_concat_test" {
            e = format!(
                "(SELECT group_concat(x, {}) FROM (SELECT 'a' AS x UNION ALL SELECT 'b'))",
                r.pick(&["NULL", "''", "'-'", "1"])
            );
        }
        let sql = format!("SELECT {e} FROM t");
        let (hr, sr) = (helios_row(&h, &sql), sqlite_row(&s, &sql));
        match (&hr, &sr) {
            (Err(_), Err(_)) => errors += 1,
            (Ok(x), Ok(y)) if x == y => {}
            _ => disagreements.push(format!("{sql}\n    heliosdb: {hr:?}\n    sqlite:   {sr:?}")),
        }
    }
    println!("{} of {total} scalar queries agree; {errors} failed on both", total - disagreements.len());
    assert!(errors < total / 50, "{errors} queries failed on both engines: the generator is broken");
    assert!(
        disagreements.is_empty(),
        "{} of {total} disagree; first ones:\n{}",
        disagreements.len(),
        disagreements.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
}
