//! The runtime value of one SQL datum.

use rust_decimal::Decimal;
use std::fmt;

/// One SQL value.
///
/// INTEGER is a 64-bit signed integer, REAL an IEEE double, DECIMAL an exact
/// decimal (up to 28 significant digits), BOOLEAN its own type (it prints as
/// `1`/`0` like SQLite and PostgreSQL's `true`/`false` are accepted on input).
#[derive(Debug)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// A double-precision float.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Raw bytes.
    Blob(Vec<u8>),
    /// TRUE or FALSE.
    Boolean(bool),
    /// An exact decimal number.
    Decimal(Decimal),
}

impl Clone for Value {
    fn clone(&self) -> Value {
        match self {
            Value::Null => Value::Null,
            Value::Integer(i) => Value::Integer(*i),
            Value::Real(f) => Value::Real(*f),
            Value::Text(s) => Value::Text(s.clone()),
            Value::Blob(b) => Value::Blob(b.clone()),
            Value::Boolean(b) => Value::Boolean(*b),
            Value::Decimal(d) => Value::Decimal(*d),
        }
    }

    /// Reuses the string or bytes `self` already holds: a buffer refilled
    /// row after row (a GROUP BY key, a batch's rows) then stops allocating.
    fn clone_from(&mut self, source: &Value) {
        match (self, source) {
            (Value::Text(dst), Value::Text(src)) => dst.clone_from(src),
            (Value::Blob(dst), Value::Blob(src)) => dst.clone_from(src),
            (dst, src) => *dst = src.clone(),
        }
    }
}

impl Value {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of this value's type, as shown in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "INTEGER",
            Value::Real(_) => "REAL",
            Value::Text(_) => "TEXT",
            Value::Blob(_) => "BLOB",
            Value::Boolean(_) => "BOOLEAN",
            Value::Decimal(_) => "DECIMAL",
        }
    }

    /// The value as f64 if it is numeric (BOOLEAN counts as 0/1).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(i) => Some(*i as f64),
            Value::Real(f) => Some(*f),
            Value::Boolean(b) => Some(f64::from(u8::from(*b))),
            Value::Decimal(d) => Some(decimal_to_f64(d)),
            _ => None,
        }
    }
}

impl Value {
    /// The value as JSON, the one mapping every JSON output uses (the C API's
    /// `heliosdb_query_json`, the shell's `.mode json`): numbers and booleans
    /// as JSON numbers and booleans, DECIMAL as a string (exact digits), BLOB
    /// as a lowercase hex string, non-finite REALs as null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Integer(i) => serde_json::Value::from(*i),
            Value::Real(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::Boolean(b) => serde_json::Value::Bool(*b),
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Decimal(d) => serde_json::Value::String(d.to_string()),
            Value::Blob(b) => serde_json::Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
        }
    }
}

/// Converts a decimal to the nearest double.
pub fn decimal_to_f64(d: &Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(f64::NAN)
}

pub use super::numfmt::format_real;

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Real(r) => f.write_str(&format_real(*r)),
            Value::Text(s) => f.write_str(s),
            Value::Blob(b) => {
                f.write_str("x'")?;
                for byte in b {
                    write!(f, "{byte:02x}")?;
                }
                f.write_str("'")
            }
            Value::Boolean(b) => f.write_str(if *b { "1" } else { "0" }),
            Value::Decimal(d) => write!(f, "{d}"),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Boolean(v)
    }
}
impl From<Decimal> for Value {
    fn from(v: Decimal) -> Self {
        Value::Decimal(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
