//! Result formatting for the shell's output modes: how a value becomes text
//! (numbers as `sqlite3` prints them) and how a result set is laid out.

use heliosdb_core::types::numfmt::format_real;
use heliosdb_core::Value;
use std::fmt::Write as _;

/// How result rows are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Aligned ASCII table, numbers right-aligned, with a row count (the default).
    Table,
    /// Aligned table drawn with box characters, as `sqlite3 -box`.
    Box,
    /// A GitHub-flavoured Markdown table.
    Markdown,
    /// Comma-separated values (RFC 4180 quoting).
    Csv,
    /// A JSON array of objects, numbers at full precision.
    Json,
    /// One `column = value` line per value, rows separated by blank lines.
    Line,
    /// Values separated by `|`, one row per line (`sqlite3`'s default).
    List,
    /// Values separated by tabs.
    Tabs,
}

/// Every mode's name, for `.mode` and `.help`.
pub const MODE_NAMES: &str = "table, box, markdown, csv, json, line, list, tabs";

impl Mode {
    /// Parses a mode name.
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "table" => Mode::Table,
            "box" => Mode::Box,
            "markdown" => Mode::Markdown,
            "csv" => Mode::Csv,
            "json" => Mode::Json,
            "line" => Mode::Line,
            "list" => Mode::List,
            "tabs" => Mode::Tabs,
            _ => return None,
        })
    }

    /// The mode's name, as `.show` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Table => "table",
            Mode::Box => "box",
            Mode::Markdown => "markdown",
            Mode::Csv => "csv",
            Mode::Json => "json",
            Mode::Line => "line",
            Mode::List => "list",
            Mode::Tabs => "tabs",
        }
    }
}

/// Settings that shape the text of a result.
#[derive(Debug, Clone)]
pub struct Style {
    /// The layout.
    pub mode: Mode,
    /// Print a header line in the modes where it is optional (csv, list, tabs).
    pub headers: bool,
    /// Text for NULL; `None` uses the mode's own (`NULL` in table and line
    /// modes, empty elsewhere).
    pub nullvalue: Option<String>,
}

impl Default for Style {
    fn default() -> Style {
        Style { mode: Mode::Table, headers: true, nullvalue: None }
    }
}

/// A value's text in the text modes; `null` stands for NULL.
pub fn value_text(v: &Value, null: &str) -> String {
    match v {
        Value::Null => null.to_string(),
        // REALs as sqlite3 prints them: %!.15g (`10202125.3399999`, `1.0e+20`).
        Value::Real(f) => format_real(*f),
        other => other.to_string(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Integer(_) | Value::Real(_) | Value::Decimal(_))
}

/// Renders a result set.
pub fn render(style: &Style, columns: &[String], rows: &[Vec<Value>]) -> String {
    let mode_null = match style.mode {
        Mode::Table | Mode::Line => "NULL",
        _ => "",
    };
    let null = style.nullvalue.as_deref().unwrap_or(mode_null);
    let cells =
        || -> Vec<Vec<String>> { rows.iter().map(|r| r.iter().map(|v| value_text(v, null)).collect()).collect() };
    let mut out = String::new();
    match style.mode {
        Mode::Table => {
            let cells = cells();
            let numeric: Vec<Vec<bool>> = rows.iter().map(|r| r.iter().map(is_number).collect()).collect();
            grid(&mut out, &TABLE_RULES, columns, &cells, Some(&numeric));
            let _ = writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" });
        }
        Mode::Box => grid(&mut out, &BOX_RULES, columns, &cells(), None),
        Mode::Markdown => grid(&mut out, &MARKDOWN_RULES, columns, &cells(), None),
        Mode::Csv | Mode::List | Mode::Tabs => {
            let (sep, quote): (&str, fn(&str) -> String) = match style.mode {
                Mode::Csv => (",", csv_field),
                Mode::Tabs => ("\t", str::to_string),
                _ => ("|", str::to_string),
            };
            if style.headers {
                out.push_str(&columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(sep));
                out.push('\n');
            }
            for r in cells() {
                out.push_str(&r.iter().map(|c| quote(c)).collect::<Vec<_>>().join(sep));
                out.push('\n');
            }
        }
        Mode::Json => {
            let arr: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    let obj: serde_json::Map<String, serde_json::Value> =
                        columns.iter().cloned().zip(r.iter().map(Value::to_json)).collect();
                    serde_json::Value::Object(obj)
                })
                .collect();
            out.push_str(&serde_json::Value::Array(arr).to_string());
            out.push('\n');
        }
        Mode::Line => {
            let w = columns.iter().map(|c| c.chars().count()).max().unwrap_or(0);
            for (n, r) in cells().iter().enumerate() {
                if n > 0 {
                    out.push('\n');
                }
                for (c, v) in columns.iter().zip(r) {
                    let _ = writeln!(out, "{c:>w$} = {v}");
                }
            }
        }
    }
    out
}

/// The characters a bordered layout is drawn with. `None` rules are left out.
struct Rules {
    top: Option<[&'static str; 4]>,
    under_header: Option<[&'static str; 4]>,
    bottom: Option<[&'static str; 4]>,
    /// Left border, column separator, right border.
    sides: [&'static str; 3],
    /// Centre the header names (as `sqlite3` does in box and markdown).
    center_header: bool,
}

// Each rule: left corner, horizontal, junction, right corner.
const TABLE_RULES: Rules = Rules {
    top: Some(["+", "-", "+", "+"]),
    under_header: Some(["+", "-", "+", "+"]),
    bottom: Some(["+", "-", "+", "+"]),
    sides: ["|", "|", "|"],
    center_header: false,
};
const BOX_RULES: Rules = Rules {
    top: Some(["┌", "─", "┬", "┐"]),
    under_header: Some(["├", "─", "┼", "┤"]),
    bottom: Some(["└", "─", "┴", "┘"]),
    sides: ["│", "│", "│"],
    center_header: true,
};
const MARKDOWN_RULES: Rules = Rules {
    top: None,
    under_header: Some(["|", "-", "|", "|"]),
    bottom: None,
    sides: ["|", "|", "|"],
    center_header: true,
};

fn grid(out: &mut String, rules: &Rules, columns: &[String], cells: &[Vec<String>], numeric: Option<&[Vec<bool>]>) {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for r in cells {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let rule = |out: &mut String, r: Option<[&str; 4]>| {
        if let Some([left, h, mid, right]) = r {
            let parts: Vec<String> = widths.iter().map(|w| h.repeat(w + 2)).collect();
            let _ = writeln!(out, "{left}{}{right}", parts.join(mid));
        }
    };
    let line = |out: &mut String, vals: &[String], align: &dyn Fn(usize) -> Align| {
        let [left, sep, right] = rules.sides;
        out.push_str(left);
        for (i, w) in widths.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            let v = vals.get(i).map_or("", String::as_str);
            let pad = w - v.chars().count();
            let (l, r) = match align(i) {
                Align::Left => (0, pad),
                Align::Right => (pad, 0),
                Align::Center => (pad / 2, pad - pad / 2),
            };
            let _ = write!(out, " {}{v}{} ", " ".repeat(l), " ".repeat(r));
        }
        out.push_str(right);
        out.push('\n');
    };
    rule(out, rules.top);
    let header_align = if rules.center_header { Align::Center } else { Align::Left };
    line(out, columns, &|_| header_align);
    rule(out, rules.under_header);
    for (n, vals) in cells.iter().enumerate() {
        let num = numeric.and_then(|m| m.get(n));
        line(out, vals, &|i| {
            if num.and_then(|r| r.get(i)).copied().unwrap_or(false) {
                Align::Right
            } else {
                Align::Left
            }
        });
    }
    rule(out, rules.bottom);
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
    Center,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(mode: Mode) -> Style {
        Style { mode, ..Style::default() }
    }

    #[test]
    fn table_aligns_and_counts() {
        let cols = vec!["id".to_string(), "name".to_string()];
        let rows = vec![vec![Value::Integer(1), Value::from("alice")], vec![Value::Integer(22), Value::Null]];
        let t = render(&style(Mode::Table), &cols, &rows);
        assert!(t.contains("| id | name  |"), "{t}");
        assert!(t.contains("|  1 | alice |"), "{t}");
        assert!(t.contains("| 22 | NULL  |"), "{t}");
        assert!(t.ends_with("(2 rows)\n"));
    }

    #[test]
    fn csv_quotes_and_json_types() {
        let cols = vec!["a".to_string(), "b".to_string()];
        let rows = vec![vec![Value::from("x,\"y\""), Value::Real(1.5)]];
        assert_eq!(render(&style(Mode::Csv), &cols, &rows), "a,b\n\"x,\"\"y\"\"\",1.5\n");
        assert_eq!(render(&style(Mode::Json), &cols, &rows), "[{\"a\":\"x,\\\"y\\\"\",\"b\":1.5}]\n");
        assert_eq!(render(&style(Mode::Line), &cols, &rows), "a = x,\"y\"\nb = 1.5\n");
    }

    #[test]
    fn box_and_markdown_match_sqlite3() {
        // Expected texts are what sqlite3 3.40 prints for the same rows.
        let cols = vec!["x".to_string(), "y".to_string(), "z".to_string()];
        let rows = vec![
            vec![Value::Integer(1), Value::Null, Value::from("ab")],
            vec![Value::Integer(22), Value::Real(3.5), Value::from("c")],
        ];
        assert_eq!(
            render(&style(Mode::Markdown), &cols, &rows),
            "| x  |  y  | z  |\n|----|-----|----|\n| 1  |     | ab |\n| 22 | 3.5 | c  |\n"
        );
        assert_eq!(
            render(&style(Mode::Box), &cols, &rows[..1]),
            "┌───┬───┬────┐\n│ x │ y │ z  │\n├───┼───┼────┤\n│ 1 │   │ ab │\n└───┴───┴────┘\n"
        );
    }

    #[test]
    fn headers_and_nullvalue() {
        let cols = vec!["a".to_string(), "b".to_string()];
        let rows = vec![vec![Value::Integer(1), Value::Null]];
        let s = Style { mode: Mode::List, headers: false, nullvalue: Some("∅".into()) };
        assert_eq!(render(&s, &cols, &rows), "1|∅\n");
        let s = Style { mode: Mode::Tabs, headers: true, nullvalue: None };
        assert_eq!(render(&s, &cols, &rows), "a\tb\n1\t\n");
    }

    #[test]
    fn reals_print_as_sqlite3_prints_them() {
        // Each pair was checked against `sqlite3 :memory: "SELECT …"` (3.40).
        for (f, text) in [
            (1.0, "1.0"),
            (0.1 + 0.2, "0.3"),
            (10202125.33999995, "10202125.3399999"),
            (1e20, "1.0e+20"),
            (1.5e-7, "1.5e-07"),
            (123456789012345678.0, "1.23456789012346e+17"),
            (-0.0, "0.0"),
            (2.5e300, "2.5e+300"),
            (-12.25, "-12.25"),
            (0.001, "0.001"),
            (100.0, "100.0"),
            (123456789012345.0, "123456789012345.0"),
        ] {
            assert_eq!(value_text(&Value::Real(f), ""), text, "{f:e}");
        }
    }
}
