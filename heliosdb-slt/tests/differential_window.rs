//! Differential test of window functions, FILTER, HAVING aliases and CTEs:
//! generated queries over generated data (ties and NULLs in the keys), run
//! on HeliosDB and on SQLite 3.40; every one of 10,000 must agree (the same
//! rows, in order under a total ORDER BY; or the same failure).
//!
//! Covered: every window function (aggregates with FILTER too), ROWS / RANGE
//! / GROUPS frames with every bound kind (and invalid ones, which both must
//! refuse), EXCLUDE, RANGE offsets over a single key, PARTITION BY, named
//! windows with inheritance; recursive CTEs with LIMIT/OFFSET/ORDER BY,
//! several recursive SELECTs, UNION vs UNION ALL; nested CTEs; plain
//! aggregates with FILTER; HAVING on select-list aliases.
//!
//! Where SQLite leaves an order unspecified (ties in a window ORDER BY) the
//! generator only asks what does not depend on it: functions that read row
//! order (ROW_NUMBER, LAG, FIRST_VALUE, GROUP_CONCAT, …) and ROWS frames get a
//! window ORDER BY ending in the unique `id`. Data stays integer and text,
//! plus a REAL column of quarters, compared as numbers (no REAL formatting,
//! no number/text comparison).

mod common;

use common::{helios_rows, results_agree, sqlite_rows, Pick, Rng};

/// Window ORDER BY kinds.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    /// No ORDER BY: every row of a partition is a peer.
    None,
    /// Keys with ties (and NULLs): only order-insensitive questions.
    Ties,
    /// Keys ending in `id`: every question.
    Total,
}

fn key(r: &mut Rng) -> String {
    let col = r.pick(&["a", "b", "s", "a + b", "d"]);
    let dir = r.pick(&["", " ASC", " DESC"]);
    let nulls = r.pick(&["", "", " NULLS FIRST", " NULLS LAST"]);
    format!("{col}{dir}{nulls}")
}

fn order_by(r: &mut Rng, kind: Order, single: bool) -> String {
    match kind {
        Order::None => String::new(),
        Order::Ties if single => format!("ORDER BY {}", key(r)),
        Order::Ties => format!("ORDER BY {}, {}", key(r), key(r)),
        Order::Total if single => format!("ORDER BY id{}", r.pick(&["", " DESC"])),
        Order::Total => format!("ORDER BY {}, id{}", key(r), r.pick(&["", " DESC"])),
    }
}

fn partition(r: &mut Rng) -> String {
    r.pick(&["", "", "PARTITION BY g", "PARTITION BY g, a % 2", "PARTITION BY s"]).to_string()
}

fn bound(r: &mut Rng, start: bool) -> String {
    let k = r.below(4);
    match r.below(40) {
        0..=3 => if start { "UNBOUNDED PRECEDING" } else { "UNBOUNDED FOLLOWING" }.into(),
        4..=13 => format!("{k} PRECEDING"),
        14..=23 => format!("{k} FOLLOWING"),
        24..=33 => "CURRENT ROW".into(),
        34..=38 => if start { "UNBOUNDED PRECEDING" } else { "UNBOUNDED FOLLOWING" }.into(),
        // Now and then a bound SQLite refuses at that end.
        _ => if start { "UNBOUNDED FOLLOWING" } else { "UNBOUNDED PRECEDING" }.into(),
    }
}

/// Where a bound comes in SQLite's list (a frame may not start later than it ends).
fn bound_rank(b: &str) -> usize {
    ["UNBOUNDED PRECEDING", "PRECEDING", "CURRENT ROW", "FOLLOWING", "UNBOUNDED FOLLOWING"]
        .iter()
        .position(|k| b.ends_with(k) && (k.starts_with("UNBOUNDED") == b.starts_with("UNBOUNDED")))
        .unwrap_or(0)
}

/// A frame clause (possibly empty); `units` restricts the kinds allowed.
fn frame(r: &mut Rng, units: &[&str], single_key: bool) -> String {
    if r.below(4) == 0 {
        return String::new();
    }
    let unit = r.pick(units);
    let (mut start, mut end) = (bound(r, true), bound(r, false));
    // Mostly valid frames: an inverted pair is swapped, except now and then.
    if bound_rank(&start) > bound_rank(&end) && r.below(10) != 0 {
        let flip = |b: String| b.replace("PRECEDING", "@").replace("FOLLOWING", "PRECEDING").replace('@', "FOLLOWING");
        (start, end) = (flip(end), flip(start));
        if bound_rank(&start) > bound_rank(&end) {
            std::mem::swap(&mut start, &mut end);
        }
    }
    if unit == "RANGE" && !single_key {
        // RANGE offsets need one ORDER BY term: mostly keep to the bounds that do not.
        if r.below(8) != 0 {
            let plain = |b: String| if b.starts_with(char::is_numeric) { "CURRENT ROW".to_string() } else { b };
            start = plain(start);
            end = plain(end);
        }
    } else if unit == "RANGE" && r.below(4) == 0 {
        start = start.replacen(|c: char| c.is_ascii_digit(), "1.5", 1);
    }
    let exclude =
        r.pick(&["", "", "", " EXCLUDE NO OTHERS", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP", " EXCLUDE TIES"]);
    if r.below(6) == 0 {
        // Shorthand: the start only (SQLite allows PRECEDING and CURRENT ROW there).
        return format!("{unit} {start}{exclude}");
    }
    format!("{unit} BETWEEN {start} AND {end}{exclude}")
}

fn filter(r: &mut Rng) -> String {
    match r.below(6) {
        0 => format!(" FILTER (WHERE b > {})", r.int() / 2),
        1 => format!(" FILTER (WHERE s <> '{}')", r.pick(&["p", "q"])),
        2 => " FILTER (WHERE a IS NOT NULL AND a % 2 = 0)".into(),
        _ => String::new(),
    }
}

/// A window function call without its OVER clause; `kind` limits it to
/// order-insensitive functions unless the window order is total.
fn window_func(r: &mut Rng, kind: Order) -> String {
    let aggregates =
        ["count(*)", "count(a)", "sum(a)", "sum(b)", "total(b)", "avg(a)", "min(a)", "max(b)", "min(s)", "max(s)"];
    if kind != Order::Total || r.below(2) == 0 {
        if r.below(4) == 0 {
            return r.pick(&["rank()", "dense_rank()", "percent_rank()", "cume_dist()"]).to_string();
        }
        let agg = r.pick(&aggregates);
        return format!("{agg}{}", filter(r));
    }
    let k = r.below(4) as i64 - 1;
    let x = r.pick(&["a", "b", "s", "id", "d"]);
    match r.below(11) {
        0 => "row_number()".to_string(),
        1 => format!("ntile({})", r.below(5) + 1),
        2 => format!("lag({x})"),
        3 => format!("lag({x}, {k})"),
        4 => format!("lead({x}, {}, {})", k, if x == "s" { "'zz'" } else { "-100" }),
        5 => format!("first_value({x})"),
        6 => format!("last_value({x})"),
        7 => format!("nth_value({x}, {})", r.below(4) + 1),
        8 => format!("group_concat(s{}){}", r.pick(&["", ", '-'", ", ''"]), filter(r)),
        9 => format!("lead({x}, 1)"),
        _ => format!("{}{}", r.pick(&aggregates), filter(r)),
    }
}

/// `f(…) OVER (…)`, possibly through the named windows in `named`.
fn window_call(r: &mut Rng, named: &mut Vec<String>) -> String {
    let kind = [Order::None, Order::Ties, Order::Ties, Order::Total, Order::Total, Order::Total][r.below(6)];
    let single = r.below(3) == 0;
    let func = window_func(r, kind);
    let units: &[&str] = match kind {
        Order::Total => &["ROWS", "RANGE", "GROUPS"],
        _ => &["RANGE", "GROUPS"],
    };
    // Functions that ignore the frame must ignore it here too.
    let fr = frame(r, units, single && kind != Order::None);
    // SQLite 3.40 ignores FILTER on MIN/MAX over a frame whose start moves
    // (a bug later fixed; HeliosDB applies the FILTER): not asked.
    let moving_start = !fr.is_empty() && !fr.contains(" UNBOUNDED PRECEDING");
    let func = match func.find(" FILTER") {
        Some(at) if moving_start && (func.starts_with("min(") || func.starts_with("max(")) => func[..at].to_string(),
        _ => func,
    };
    let (part, ord) = (partition(r), order_by(r, kind, single));
    let spec = match r.below(6) {
        // A named window holding everything.
        0 if fr.is_empty() => {
            named.push(format!("w{} AS ({part} {ord})", named.len()));
            return format!("{func} OVER w{}", named.len() - 1);
        }
        // A named base window; the call adds the frame (and maybe the ORDER BY).
        1 => {
            let with_order = r.below(2) == 0;
            named.push(format!("w{} AS ({part} {})", named.len(), if with_order { ord.as_str() } else { "" }));
            let extra = if with_order { String::new() } else { ord };
            format!("(w{} {extra} {fr})", named.len() - 1)
        }
        _ => format!("({part} {ord} {fr})"),
    };
    format!("{func} OVER {spec}")
}

/// Window functions over an aggregate query's groups (one row per `g`).
fn grouped_window_query(r: &mut Rng) -> (String, bool) {
    let agg = r.pick(&["sum(a)", "count(*)", "max(b)", "min(d)"]);
    let over = r.pick(&[
        "rank() OVER (ORDER BY {agg})",
        "sum({agg}) OVER (ORDER BY g ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)",
        "count(*) OVER (ORDER BY {agg} RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING)",
        "first_value(g) OVER (ORDER BY {agg} DESC, g)",
        "percent_rank() OVER (ORDER BY {agg})",
    ]);
    let over = over.replace("{agg}", agg);
    (format!("SELECT g, {agg}, {over} FROM w GROUP BY g HAVING count(*) > {} ORDER BY g", r.below(3)), true)
}

fn window_query(r: &mut Rng) -> (String, bool) {
    let mut named = Vec::new();
    let calls: Vec<String> = (0..1 + r.below(2)).map(|_| window_call(r, &mut named)).collect();
    let filter = match r.below(3) {
        0 => format!(" WHERE b > {}", r.int() / 2),
        _ => String::new(),
    };
    let window = if named.is_empty() { String::new() } else { format!(" WINDOW {}", named.join(", ")) };
    (format!("SELECT id, {} FROM w{filter}{window} ORDER BY id", calls.join(", ")), true)
}

fn aggregate_query(r: &mut Rng) -> (String, bool) {
    let k = r.int() / 3;
    let g = r.pick(&["g", "a % 3", "s"]);
    let a1 = r.pick(&["count(*)", "count(a)", "sum(b)", "max(s)", "min(a)", "total(a)", "avg(b)"]);
    let a2 = r.pick(&["count(*)", "sum(a)", "max(b)", "count(DISTINCT a)"]);
    let (f1, f2) = (filter(r), filter(r));
    match r.below(3) {
        0 => (format!("SELECT {a1}{f1}, {a2}{f2} FROM w WHERE a <> {k}"), false),
        1 => (
            format!(
                "SELECT {g} AS grp, {a1}{f1} AS x, {a2}{f2} AS y FROM w GROUP BY {g} HAVING {} ORDER BY 1",
                r.pick(&["x > 1", "y IS NOT NULL", "x > 1 AND y > 0", "grp IS NOT NULL", "count(*) > 2 OR x < 3"])
            ),
            true,
        ),
        _ => (format!("SELECT {g}, {a1}{f1} AS n FROM w GROUP BY {g} HAVING n > {} ORDER BY 1", r.below(4)), true),
    }
}

fn recursive_cte(r: &mut Rng) -> String {
    let union = r.pick(&["UNION", "UNION ALL"]);
    let limit = match r.below(4) {
        0 => String::new(),
        1 => format!(" LIMIT {}", r.below(15)),
        2 => format!(" LIMIT {} OFFSET {}", r.below(15), r.below(5)),
        _ => format!(" ORDER BY 1{} LIMIT {}", r.pick(&["", " DESC"]), 1 + r.below(15)),
    };
    match r.below(4) {
        0 => format!(
            "c(x) AS (SELECT {} {union} SELECT x + {} FROM c{}{limit})",
            r.below(5),
            1 + r.below(3),
            if limit.contains("LIMIT") && r.below(2) == 0 { String::new() } else { format!(" WHERE x < {}", 5 + r.below(20)) }
        ),
        1 => format!(
            "c(x) AS (SELECT 1 {union} SELECT x * 2 FROM c WHERE x < {m} {} SELECT x * 3 FROM c WHERE x < {m}{limit})",
            // Mixed operators make SQLite read the first recursive SELECT as setup: an error.
            if r.below(8) == 0 { r.pick(&["UNION", "UNION ALL"]) } else { union },
            m = 5 + r.below(40)
        ),
        2 => format!(
            "c(x) AS (SELECT {} UNION SELECT (x * 3 + 1) % {m} FROM c UNION SELECT (x + 5) % {m} FROM c{limit})",
            r.below(7),
            m = 7 + r.below(20)
        ),
        _ => format!(
            "c(x, d) AS (SELECT 1, 0 {union} SELECT x * 2, d + 1 FROM c WHERE d < {k} {union} SELECT x * 2 + 1, d + 1 FROM c WHERE d < {k}{})",
            limit.replace("ORDER BY 1", "ORDER BY 2"),
            k = 1 + r.below(4)
        ),
    }
}

fn cte_query(r: &mut Rng) -> (String, bool) {
    let rec = recursive_cte(r);
    let has_d = rec.starts_with("c(x, d)");
    match r.below(5) {
        0 | 1 => {
            let ordered = r.below(2) == 0;
            let order = if ordered {
                if has_d {
                    " ORDER BY x, d"
                } else {
                    " ORDER BY x"
                }
            } else {
                ""
            };
            (format!("WITH RECURSIVE {rec} SELECT * FROM c{order}"), ordered)
        }
        2 => (
            format!(
                "WITH RECURSIVE {rec}, e AS (SELECT x, count(*) AS n FROM c GROUP BY x) SELECT x, n FROM e WHERE n > 0"
            ),
            false,
        ),
        3 => (
            format!(
                "WITH RECURSIVE {rec} SELECT c.x, count(w.id) FROM c LEFT JOIN w ON w.a = c.x GROUP BY c.x ORDER BY 1"
            ),
            !has_d,
        ),
        4 if r.below(2) == 0 => {
            let k = r.below(4);
            let q = r.pick(&[
                "WITH x AS (WITH y AS (SELECT g, a FROM w WHERE a > {k}) SELECT g, count(*) AS n FROM y GROUP BY g) SELECT * FROM x ORDER BY g",
                "SELECT id, (WITH m AS (SELECT max(b) AS mb FROM w AS w2 WHERE w2.g = w.g) SELECT mb FROM m) FROM w WHERE a > {k} ORDER BY id",
                "WITH RECURSIVE c(x) AS (SELECT {k} UNION ALL SELECT x + 1 FROM c WHERE x < 5), y AS (SELECT x, (SELECT count(*) FROM w WHERE a = x) AS n FROM c) SELECT x, n, sum(n) OVER (ORDER BY x) FROM y ORDER BY x",
                "WITH a1 AS (SELECT g, a FROM w), a2 AS (SELECT g, max(a) AS m FROM a1 GROUP BY g) SELECT a2.g, m, (SELECT count(*) FROM a1 WHERE a1.g = a2.g AND a1.a = m) FROM a2 WHERE m > {k} ORDER BY 1",
            ]);
            (q.replace("{k}", &k.to_string()), true)
        }
        _ => {
            let inner = "SELECT g, a, rank() OVER (PARTITION BY g ORDER BY a) AS rk FROM w";
            (
                format!(
                    "WITH r AS ({inner}), t AS (SELECT g, rk, count(*) AS n FROM r GROUP BY g, rk) \
                     SELECT g, max(rk), sum(n) FROM t WHERE rk > {} GROUP BY g ORDER BY 1",
                    r.below(3)
                ),
                true,
            )
        }
    }
}

fn query(r: &mut Rng) -> (String, bool) {
    match r.below(10) {
        0..=4 => window_query(r),
        5 if r.below(3) == 0 => grouped_window_query(r),
        5 => window_query(r),
        6 | 7 => aggregate_query(r),
        _ => cte_query(r),
    }
}

#[test]
fn window_functions_and_ctes_agree_with_sqlite() {
    let h = heliosdb_core::Connection::open_in_memory().unwrap();
    let s = rusqlite::Connection::open_in_memory().unwrap();
    let schema = "CREATE TABLE w (id INTEGER PRIMARY KEY, g INTEGER, a INTEGER, b INTEGER, s TEXT, d REAL)";
    h.execute_batch(schema).unwrap();
    s.execute_batch(schema).unwrap();
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 1..=40 {
        let maybe = |r: &mut Rng, v: String| if r.below(8) == 0 { "NULL".to_string() } else { v };
        let v = (r.below(3) + 1).to_string();
        let g = maybe(&mut r, v);
        let v = r.below(6).to_string();
        let a = maybe(&mut r, v);
        let v = (r.int() / 2).to_string();
        let b = maybe(&mut r, v);
        let v = format!("'{}'", r.pick(&["p", "q", "r", "pq"]));
        let st = maybe(&mut r, v);
        // Quarters: sums of them are exact, whatever the order of additions.
        let v = format!("{}.{}", r.int() / 3, ["0", "25", "5", "75"][r.below(4)]);
        let d = maybe(&mut r, v);
        let sql = format!("INSERT INTO w VALUES ({i}, {g}, {a}, {b}, {st}, {d})");
        h.execute_batch(&sql).unwrap();
        s.execute_batch(&sql).unwrap();
    }
    let total = 10_000;
    let mut disagreements = Vec::new();
    let (mut both_failed, mut with_rows) = (0, 0);
    for _ in 0..total {
        let (sql, ordered) = query(&mut r);
        match (helios_rows(&h, &sql), sqlite_rows(&s, &sql)) {
            (Err(e), Err(_)) => {
                both_failed += 1;
                if std::env::var("DW_SHOW_FAILED").is_ok() {
                    println!("BOTH FAILED: {sql}\n    {e}");
                }
            }
            (Ok(x), Ok(y)) => {
                with_rows += usize::from(!y.is_empty());
                if !results_agree(x.clone(), y.clone(), ordered) {
                    disagreements.push(format!("{sql}\n    heliosdb: {x:?}\n    sqlite:   {y:?}"));
                }
            }
            (x, y) => disagreements.push(format!("{sql}\n    heliosdb: {:?}\n    sqlite:   {:?}", x.err(), y.err())),
        }
    }
    println!(
        "{} of {total} generated queries agree; {both_failed} failed on both engines, {with_rows} returned rows",
        total - disagreements.len()
    );
    for d in disagreements.iter().take(12) {
        println!("DISAGREE: {d}");
    }
    assert!(
        disagreements.is_empty(),
        "{} of {total} disagree; the first:\n{}",
        disagreements.len(),
        disagreements.iter().take(12).cloned().collect::<Vec<_>>().join("\n")
    );
    // Agreement on errors alone would prove little: most queries must run.
    assert!(both_failed < total / 8, "{both_failed} queries failed on both engines: the generator is broken");
    assert!(with_rows > total * 3 / 4, "only {with_rows} queries returned rows");
}
