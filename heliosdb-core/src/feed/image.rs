//! Row images and row keys of a change feed as JSON objects, column name to
//! value: INTEGER and REAL as numbers (a REAL that is not finite as `null`),
//! TEXT (dates and times included) as strings, BOOLEAN as `true`/`false`,
//! DECIMAL as a string (exact), BLOB as standard padded base64, NULL as
//! `null`. These are the forms Debezium's JSON converter uses for the same
//! types, so a consumer can map them without knowing HeliosDB.

use crate::catalog::TableDef;
use crate::types::Value;
use base64::Engine as _;

/// Appends `v` as a JSON value.
pub fn push_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Integer(i) => out.push_str(&i.to_string()),
        Value::Real(r) => match serde_json::Number::from_f64(*r) {
            Some(n) => out.push_str(&n.to_string()),
            None => out.push_str("null"),
        },
        Value::Text(s) => push_string(out, s),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Decimal(d) => push_string(out, &d.to_string()),
        Value::Blob(b) => push_string(out, &base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

fn push_string(out: &mut String, s: &str) {
    // serde_json's escaping is JSON's (RFC 8259); a str always serializes.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| String::from("null")));
}

/// `{"col": value, …}` of the listed `(name, value)` pairs.
pub fn object<'a>(pairs: impl Iterator<Item = (&'a str, &'a Value)>) -> String {
    let mut out = String::from("{");
    for (n, (name, v)) in pairs.enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_string(&mut out, name);
        out.push(':');
        push_value(&mut out, v);
    }
    out.push('}');
    out
}

/// The whole row image of `table` (`row` holds its columns in order).
pub fn row(table: &TableDef, row: &[Value]) -> String {
    object(table.columns.iter().map(|c| c.name.as_str()).zip(row.iter()))
}

/// The key of a row: its primary-key columns, or `{"rowid": n}` for a
/// table without a declared primary key.
pub fn key(table: &TableDef, row: &[Value], rowid: Option<i64>) -> String {
    if table.primary_key.is_empty() {
        let id = rowid.map_or(Value::Null, Value::Integer);
        return object(std::iter::once(("rowid", &id)));
    }
    let null = Value::Null;
    object(
        table
            .primary_key
            .iter()
            .filter_map(|i| Some((table.columns.get(*i)?.name.as_str(), row.get(*i).unwrap_or(&null)))),
    )
}
