//! Result formatting for the shell's output modes.

use heliosdb_core::Value;
use std::fmt::Write as _;

/// How result rows are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Aligned table with borders.
    Table,
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One `column = value` line per value, rows separated by blank lines.
    Line,
}

impl Mode {
    /// Parses a mode name.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "table" | "box" => Some(Mode::Table),
            "csv" => Some(Mode::Csv),
            "json" => Some(Mode::Json),
            "line" => Some(Mode::Line),
            _ => None,
        }
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
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

/// Renders a result set in `mode`.
pub fn render(mode: Mode, columns: &[String], rows: &[Vec<Value>]) -> String {
    let mut out = String::new();
    match mode {
        Mode::Table => {
            let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(cell).collect()).collect();
            let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
            for r in &cells {
                for (i, c) in r.iter().enumerate() {
                    if let Some(w) = widths.get_mut(i) {
                        *w = (*w).max(c.chars().count());
                    }
                }
            }
            let rule: String = widths.iter().map(|w| format!("+{}", "-".repeat(w + 2))).collect::<String>() + "+\n";
            let line = |vals: &[String], numeric: &[bool]| -> String {
                let mut s = String::new();
                for (i, w) in widths.iter().enumerate() {
                    let v = vals.get(i).map_or("", String::as_str);
                    let pad = w - v.chars().count();
                    if numeric.get(i).copied().unwrap_or(false) {
                        let _ = write!(s, "| {}{} ", " ".repeat(pad), v);
                    } else {
                        let _ = write!(s, "| {}{} ", v, " ".repeat(pad));
                    }
                }
                s + "|\n"
            };
            out.push_str(&rule);
            out.push_str(&line(columns, &[]));
            out.push_str(&rule);
            for (r, vals) in rows.iter().zip(&cells) {
                let numeric: Vec<bool> =
                    r.iter().map(|v| matches!(v, Value::Integer(_) | Value::Real(_) | Value::Decimal(_))).collect();
                out.push_str(&line(vals, &numeric));
            }
            out.push_str(&rule);
            let _ = writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" });
        }
        Mode::Csv => {
            out.push_str(&columns.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
            out.push('\n');
            for r in rows {
                let fields: Vec<String> =
                    r.iter().map(|v| if v.is_null() { String::new() } else { csv_field(&v.to_string()) }).collect();
                out.push_str(&fields.join(","));
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
            for (n, r) in rows.iter().enumerate() {
                if n > 0 {
                    out.push('\n');
                }
                for (c, v) in columns.iter().zip(r) {
                    let _ = writeln!(out, "{c:>w$} = {}", cell(v));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_counts() {
        let cols = vec!["id".to_string(), "name".to_string()];
        let rows = vec![vec![Value::Integer(1), Value::from("alice")], vec![Value::Integer(22), Value::Null]];
        let t = render(Mode::Table, &cols, &rows);
        assert!(t.contains("| id | name  |"), "{t}");
        assert!(t.contains("|  1 | alice |"), "{t}");
        assert!(t.contains("| 22 | NULL  |"), "{t}");
        assert!(t.ends_with("(2 rows)\n"));
    }

    #[test]
    fn csv_quotes_and_json_types() {
        let cols = vec!["a".to_string(), "b".to_string()];
        let rows = vec![vec![Value::from("x,\"y\""), Value::Real(1.5)]];
        assert_eq!(render(Mode::Csv, &cols, &rows), "a,b\n\"x,\"\"y\"\"\",1.5\n");
        assert_eq!(render(Mode::Json, &cols, &rows), "[{\"a\":\"x,\\\"y\\\"\",\"b\":1.5}]\n");
        assert_eq!(render(Mode::Line, &cols, &rows), "a = x,\"y\"\nb = 1.5\n");
    }
}
