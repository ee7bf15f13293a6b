//! A sqllogictest runner for HeliosDB.
//!
//! It reads SQLite's format (records separated by blank lines; `statement
//! ok|error`, `query <types> [nosort|rowsort|valuesort] [label]`, `----`,
//! results one value per line or one row per line, `hash-threshold`,
//! `skipif`/`onlyif`, `halt`) and runs every record on its own, so one
//! failure does not hide the rest. HeliosDB answers as the engine `sqlite`
//! for `skipif`/`onlyif`, because SQLite's answers are the reference.
//!
//! Extensions for the project's own files: `statement error <text>` and
//! `query error <text>` check that the error message contains `<text>`.

use heliosdb_core::{Connection, Value};
use std::fmt::Write as _;

/// What a record expects.
#[derive(Debug, Clone)]
pub enum Expect {
    /// `statement ok`.
    Ok,
    /// `statement error [text]` / `query error [text]`.
    Error(String),
    /// `query`: type letters, sort mode, expected lines.
    Rows {
        /// One letter per column: I, R or T.
        types: String,
        /// `nosort`, `rowsort` or `valuesort`.
        sort: String,
        /// Lines after `----`.
        lines: Vec<String>,
    },
}

/// One record.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line of the record's first line.
    pub line: usize,
    /// The SQL.
    pub sql: String,
    /// The expectation.
    pub expect: Expect,
    /// Hash threshold in force.
    pub hash_threshold: usize,
}

/// Outcome counts of one file.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    /// Records that passed.
    pub passed: usize,
    /// Records that failed.
    pub failed: usize,
    /// Records skipped by `skipif`/`onlyif`.
    pub skipped: usize,
    /// Records skipped by the documented skip list.
    pub documented_skips: usize,
}

/// One documented skip: a pattern over the record's SQL and why.
#[derive(Debug, Clone)]
pub struct Skip {
    /// Upper-cased pattern; a trailing `[A-Z]` needs a letter there.
    pub pattern: String,
    /// Why the record is skipped.
    pub reason: String,
}

/// Reads a skip list (`pattern<TAB>reason` per line, `#` comments).
pub fn parse_skips(text: &str) -> Vec<Skip> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(p, r)| Skip { pattern: p.to_uppercase(), reason: r.trim().to_string() })
        .collect()
}

/// Whether a record's SQL matches a skip pattern.
pub fn skipped_by<'a>(sql: &str, skips: &'a [Skip]) -> Option<&'a Skip> {
    let norm: String = sql.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
    let norm = format!(" {norm} ");
    skips.iter().find(|s| match s.pattern.strip_suffix("[A-Z]") {
        Some(head) => norm
            .match_indices(head)
            .any(|(i, _)| norm[i + head.len()..].chars().next().is_some_and(|c| c.is_ascii_alphabetic())),
        None => norm.contains(&s.pattern),
    })
}

/// The engine name matched against `skipif`/`onlyif`.
pub const ENGINE: &str = "sqlite";

/// Parses a file into records, dropping those `skipif`/`onlyif` exclude.
/// Returns the records and how many were skipped.
pub fn parse(text: &str, default_threshold: usize) -> (Vec<Record>, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut records = Vec::new();
    let mut skipped = 0;
    let mut threshold = default_threshold;
    let mut i = 0;
    while i < lines.len() {
        let line = strip_comment(lines[i]);
        if line.is_empty() {
            i += 1;
            continue;
        }
        let start = i;
        let mut skip = false;
        let mut head = line;
        // Conditions prefix a record.
        loop {
            let words: Vec<&str> = head.split_whitespace().collect();
            match words.as_slice() {
                ["skipif", db, ..] => skip |= db.eq_ignore_ascii_case(ENGINE),
                ["onlyif", db, ..] => skip |= !db.eq_ignore_ascii_case(ENGINE),
                _ => break,
            }
            i += 1;
            head = lines.get(i).map_or("", |l| strip_comment(l));
        }
        let words: Vec<&str> = head.split_whitespace().collect();
        i += 1;
        match words.first().copied() {
            Some("halt") => {
                if !skip {
                    break;
                }
                continue;
            }
            Some("hash-threshold") => {
                threshold = words.get(1).and_then(|w| w.parse().ok()).unwrap_or(threshold);
                continue;
            }
            Some("statement") | Some("query") => {}
            _ => {
                // Unknown directive: skip to the next blank line.
                while i < lines.len() && !lines[i].trim().is_empty() {
                    i += 1;
                }
                continue;
            }
        }
        let mut sql = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && lines[i].trim() != "----" {
            sql.push(lines[i]);
            i += 1;
        }
        let mut result_lines = Vec::new();
        if i < lines.len() && lines[i].trim() == "----" {
            i += 1;
            while i < lines.len() && !lines[i].trim().is_empty() {
                result_lines.push(lines[i].trim_end().to_string());
                i += 1;
            }
        }
        let rest = |n: usize| words.get(n..).map(|w| w.join(" ")).unwrap_or_default();
        let expect = match (words[0], words.get(1).copied()) {
            ("statement", Some("ok")) => Expect::Ok,
            ("statement", _) | ("query", Some("error")) => Expect::Error(rest(2)),
            ("query", types) => Expect::Rows {
                types: types.unwrap_or("").to_string(),
                sort: words.get(2).copied().unwrap_or("nosort").to_string(),
                lines: result_lines,
            },
            _ => continue,
        };
        if skip {
            skipped += 1;
            continue;
        }
        records.push(Record { line: start + 1, sql: sql.join("\n"), expect, hash_threshold: threshold });
    }
    (records, skipped)
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim();
    if t.starts_with('#') {
        return "";
    }
    // A trailing "# comment" after a directive.
    if t.starts_with("skipif") || t.starts_with("onlyif") || t.starts_with("halt") {
        return t.split('#').next().unwrap_or("").trim();
    }
    t
}

/// `%.3f` as SQLite's printf writes it: at most 16 significant digits, the
/// rest zeros (the corpus's expected REALs were printed that way).
fn fixed3(f: f64) -> String {
    if !f.is_finite() || f.abs() < 1e13 {
        return format!("{f:.3}");
    }
    let sci = format!("{:.15e}", f.abs()); // 16 significant digits: d.ddddddddddddddde±x
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: usize = exp.parse().unwrap_or(0);
    let int_part: String = digits.chars().chain(std::iter::repeat('0')).take(exp + 1).collect();
    format!("{}{int_part}.000", if f < 0.0 { "-" } else { "" })
}

/// Renders a value as the reference harness does for its type letter.
pub fn render(v: &Value, letter: char) -> String {
    if v.is_null() {
        return "NULL".into();
    }
    match letter {
        'I' => match v {
            Value::Integer(i) => i.to_string(),
            Value::Boolean(b) => i64::from(*b).to_string(),
            Value::Text(s) => leading_int(s).to_string(),
            other => other.as_f64().map_or("0".into(), |f| (f.trunc() as i64).to_string()),
        },
        'R' => match v {
            Value::Text(s) => fixed3(s.trim().parse::<f64>().unwrap_or(0.0)),
            other => fixed3(other.as_f64().unwrap_or(0.0)),
        },
        _ => {
            let s = match v {
                Value::Real(f) => fixed3(*f),
                other => other.to_string(),
            };
            if s.is_empty() {
                "(empty)".into()
            } else {
                s.chars().map(|c| if (' '..='~').contains(&c) { c } else { '@' }).collect()
            }
        }
    }
}

fn leading_int(s: &str) -> i64 {
    let t = s.trim_start();
    let end = t.char_indices().take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+'))).count();
    t[..end].parse().unwrap_or(0)
}

/// Runs one record; `Err` carries a description of the mismatch.
pub fn run_record(conn: &Connection, rec: &Record) -> Result<(), String> {
    match &rec.expect {
        Expect::Ok => conn.execute_batch(&rec.sql).map_err(|e| format!("statement failed: {e}")),
        Expect::Error(text) => {
            let res = match conn.prepare(&rec.sql) {
                Ok(mut st) => st.query(()).map(|_| ()),
                Err(e) => conn.execute_batch(&rec.sql).and(Err(e)),
            };
            match res {
                Ok(()) => Err("expected an error, the statement succeeded".into()),
                Err(e) if e.to_string().to_lowercase().contains(&text.to_lowercase()) => Ok(()),
                Err(e) => Err(format!("expected an error containing {text:?}, got: {e}")),
            }
        }
        Expect::Rows { types, sort, lines } => {
            let mut st = conn.prepare(&rec.sql).map_err(|e| format!("query failed: {e}"))?;
            let mut rows = st.query(()).map_err(|e| format!("query failed: {e}"))?;
            let mut out: Vec<Vec<String>> = Vec::new();
            let letters: Vec<char> = types.chars().collect();
            while let Some(row) = rows.next().map_err(|e| e.to_string())? {
                out.push(
                    row.values()
                        .iter()
                        .enumerate()
                        .map(|(i, v)| render(v, letters.get(i).copied().unwrap_or('T')))
                        .collect(),
                );
            }
            if !letters.is_empty() && out.first().is_some_and(|r| r.len() != letters.len()) {
                return Err(format!("expected {} columns, got {}", letters.len(), out[0].len()));
            }
            compare(out, sort, lines, rec.hash_threshold)
        }
    }
}

fn compare(mut rows: Vec<Vec<String>>, sort: &str, expected: &[String], threshold: usize) -> Result<(), String> {
    let width = rows.first().map_or(0, Vec::len);
    if sort == "rowsort" {
        rows.sort();
    }
    let mut values: Vec<String> = rows.iter().flatten().cloned().collect();
    if sort == "valuesort" {
        values.sort();
    }
    if let [single] = expected {
        if let Some((count, hash)) = single.split_once(" values hashing to ") {
            let digest = hash_values(&values);
            let count_ok = count.trim().parse::<usize>().ok() == Some(values.len());
            return if count_ok && digest == hash.trim() {
                Ok(())
            } else {
                Err(format!("expected {single}, got {} values hashing to {digest}", values.len()))
            };
        }
    }
    if threshold > 0 && values.len() > threshold {
        return Err(format!(
            "expected {} lines, got {} values hashing to {}",
            expected.len(),
            values.len(),
            hash_values(&values)
        ));
    }
    if expected.len() == values.len() && expected.iter().zip(&values).all(|(e, v)| e.trim() == v.trim()) {
        return Ok(());
    }
    // The project's own files may list one row per line, values separated by spaces.
    if width > 1 && expected.len() == rows.len() {
        let mut joined: Vec<String> = rows.iter().map(|r| r.join(" ")).collect();
        if sort == "rowsort" {
            joined.sort();
        }
        if expected.iter().zip(&joined).all(|(e, v)| e.trim() == v) {
            return Ok(());
        }
    }
    Err(format!("expected:\n  {}\ngot:\n  {}", expected.join("\n  "), values.join("\n  ")))
}

fn hash_values(values: &[String]) -> String {
    let mut ctx = md5::Context::new();
    for v in values {
        ctx.consume(v.as_bytes());
        ctx.consume(b"\n");
    }
    format!("{:x}", ctx.finalize())
}

/// Runs a whole file on a fresh in-memory database; returns the tally and
/// the failure descriptions (`line: message`).
pub fn run_file(text: &str, default_threshold: usize) -> (Tally, Vec<String>) {
    run_file_with_skips(text, default_threshold, &[])
}

/// Like [`run_file`], skipping records that match the documented skip list.
pub fn run_file_with_skips(text: &str, default_threshold: usize, skips: &[Skip]) -> (Tally, Vec<String>) {
    let (records, skipped) = parse(text, default_threshold);
    let mut tally = Tally { skipped, ..Tally::default() };
    let mut failures = Vec::new();
    let conn = match Connection::open_in_memory() {
        Ok(c) => c,
        Err(e) => return (Tally { failed: records.len(), ..tally }, vec![format!("cannot open database: {e}")]),
    };
    for rec in &records {
        if skipped_by(&rec.sql, skips).is_some() {
            tally.documented_skips += 1;
            continue;
        }
        match run_record(&conn, rec) {
            Ok(()) => tally.passed += 1,
            Err(msg) => {
                tally.failed += 1;
                let mut s = String::new();
                let _ = write!(s, "line {}: {}\n  sql: {}", rec.line, msg, rec.sql.replace('\n', " "));
                failures.push(s);
            }
        }
    }
    (tally, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_patterns_match_only_what_they_name() {
        let skips = parse_skips("# comment\n IN ()\tempty\n IN [A-Z]\tshorthand\n");
        assert_eq!(skips.len(), 2);
        assert!(skipped_by("SELECT 1 IN ()", &skips).is_some());
        assert!(skipped_by("SELECT 1 in t1", &skips).is_some());
        assert!(skipped_by("SELECT 1 IN (SELECT x FROM t1)", &skips).is_none());
        assert!(skipped_by("SELECT 1 IN (1, 2)", &skips).is_none());
    }

    #[test]
    fn values_render_by_type_letter() {
        assert_eq!(render(&Value::Real(2.5), 'I'), "2");
        assert_eq!(render(&Value::Integer(3), 'R'), "3.000");
        assert_eq!(render(&Value::from(""), 'T'), "(empty)");
        assert_eq!(render(&Value::Null, 'T'), "NULL");
    }
}
