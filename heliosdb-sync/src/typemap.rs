//! The one place where types cross over: a source column's declared type
//! becomes a PostgreSQL column type, and a change-feed JSON value becomes a
//! statement parameter for that column.
//!
//! | source declared type (as `pragma_table_info` reports it) | PostgreSQL |
//! | --- | --- |
//! | `INTEGER` (any type containing `INT`) | `bigint` |
//! | `REAL`, `FLOAT`, `DOUBLE` | `double precision` |
//! | `TEXT`, `VARCHAR(n)`, `CHAR(n)`, `CLOB` | `text` |
//! | `BLOB` | `bytea` (the feed's base64 decoded) |
//! | `BOOLEAN`, `BOOL` | `boolean` |
//! | `DECIMAL(p,s)`, `NUMERIC(p,s)`, `NUMERIC` | `numeric(p,s)`, `numeric` (exact digits) |
//! | `JSON` | `text` (the JSON text unchanged) |
//! | `DATE`, `TIME`, `TIMESTAMP`, `DATETIME` | `text` (`YYYY-MM-DD[ HH:MM:SS[.ffffff]]` as stored) |
//! | untyped, anything else | `text` |
//!
//! Date/time columns stay text on purpose: the source stores them as text
//! and a value PostgreSQL would not parse must never stall the feed.
//! An untyped source column can hold any type; in the feed a BLOB there is
//! indistinguishable from text, so it arrives as its base64 text.
//!
//! Every parameter is sent as text (bytea as bytes) and cast in the SQL
//! (`$3::bigint`), so PostgreSQL's own input functions do the conversion:
//! numbers keep their exact JSON digits, which round-trip doubles exactly.

use base64::Engine as _;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use serde_json::Value as Json;

/// A PostgreSQL column type chosen for a source column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgType {
    /// `bigint`
    BigInt,
    /// `double precision`
    Double,
    /// `text`
    Text,
    /// `bytea`
    Bytea,
    /// `boolean`
    Boolean,
    /// `numeric`, with `(p,s)` or `(p)` when the source declared them.
    Numeric(Option<String>),
}

/// The PostgreSQL type for a declared source type (SQLite's affinity rules
/// decide the unusual spellings).
pub fn pg_type_for(declared: &str) -> PgType {
    let t = declared.trim().to_ascii_uppercase();
    if t.starts_with("DECIMAL") || t.starts_with("NUMERIC") {
        return PgType::Numeric(numeric_modifier(&t));
    }
    if t.contains("BOOL") {
        PgType::Boolean
    } else if t.contains("INT") {
        PgType::BigInt
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        PgType::Text
    } else if t.contains("BLOB") {
        PgType::Bytea
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        PgType::Double
    } else {
        PgType::Text
    }
}

/// `(10,2)` out of `DECIMAL(10,2)` when it is well formed, else `None`.
fn numeric_modifier(t: &str) -> Option<String> {
    let open = t.find('(')?;
    let inner = t[open + 1..].strip_suffix(')')?;
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    let ok = !parts.is_empty()
        && parts.len() <= 2
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| format!("({})", parts.join(",")))
}

impl PgType {
    /// The type as written in `CREATE TABLE`.
    pub fn sql(&self) -> String {
        match self {
            PgType::BigInt => "bigint".into(),
            PgType::Double => "double precision".into(),
            PgType::Text => "text".into(),
            PgType::Bytea => "bytea".into(),
            PgType::Boolean => "boolean".into(),
            PgType::Numeric(m) => format!("numeric{}", m.as_deref().unwrap_or("")),
        }
    }

    /// Parameter `$n` as it appears in a statement (with the cast from text).
    pub fn placeholder(&self, n: usize) -> String {
        self.cast(&format!("${n}"))
    }

    /// `expr` (text, or bytea for a `bytea` column) cast to this type.
    pub fn cast(&self, expr: &str) -> String {
        match self {
            PgType::Text | PgType::Bytea => expr.to_string(),
            PgType::BigInt => format!("{expr}::bigint"),
            PgType::Double => format!("{expr}::float8"),
            PgType::Boolean => format!("{expr}::boolean"),
            PgType::Numeric(_) => format!("{expr}::numeric"),
        }
    }

    /// The declared type of the parameter on the wire.
    pub fn wire_type(&self) -> Type {
        match self {
            PgType::Bytea => Type::BYTEA,
            _ => Type::TEXT,
        }
    }

    /// The parameter for a change-feed JSON value in a column of this type.
    ///
    /// # Errors
    /// A value that cannot be meant for this column (a non-integral number
    /// for `bigint`, an array or object where a scalar belongs).
    pub fn param(&self, v: &Json) -> Result<Param, String> {
        if v.is_null() {
            return Ok(Param::Null);
        }
        if v.is_array() || v.is_object() {
            return match self {
                PgType::Text => Ok(Param::Text(v.to_string())),
                _ => Err(format!("a JSON {} cannot go into a {} column", kind(v), self.sql())),
            };
        }
        Ok(match (self, v) {
            (PgType::Bytea, Json::String(s)) => Param::Bytes(
                base64::engine::general_purpose::STANDARD.decode(s).unwrap_or_else(|_| s.clone().into_bytes()),
            ),
            (PgType::Bytea, other) => Param::Bytes(scalar_text(other).into_bytes()),
            (PgType::BigInt, Json::Number(n)) => Param::Text(integer_text(n)?),
            (PgType::Boolean, Json::Bool(b)) => Param::Text(if *b { "true" } else { "false" }.into()),
            (PgType::Boolean, Json::Number(n)) => {
                Param::Text(if n.as_f64().is_some_and(|f| f != 0.0) { "true" } else { "false" }.into())
            }
            (_, other) => Param::Text(scalar_text(other)),
        })
    }
}

fn kind(v: &Json) -> &'static str {
    if v.is_array() {
        "array"
    } else {
        "object"
    }
}

/// Text of a JSON scalar: a string as is, a number in its JSON digits,
/// a boolean as `1`/`0` (how the source prints one).
fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Bool(b) => if *b { "1" } else { "0" }.into(),
        other => other.to_string(),
    }
}

fn integer_text(n: &serde_json::Number) -> Result<String, String> {
    if n.is_i64() || n.is_u64() {
        return Ok(n.to_string());
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(format!("{}", f as i64)),
        _ => Err(format!("{n} is not an integer")),
    }
}

/// One statement parameter: text (cast in SQL), bytes (bytea) or NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// SQL NULL.
    Null,
    /// Text, converted by the placeholder's cast.
    Text(String),
    /// Raw bytes for a `bytea` parameter.
    Bytes(Vec<u8>),
}

impl Param {
    /// Appends the value as a field of `COPY … FROM STDIN` text format
    /// (`\N` for NULL, bytes as `\\x` hex, backslash, tab, newline and
    /// carriage return escaped).
    pub fn write_copy_field(&self, out: &mut Vec<u8>) {
        match self {
            Param::Null => out.extend_from_slice(b"\\N"),
            Param::Bytes(b) => {
                out.extend_from_slice(b"\\\\x");
                for byte in b {
                    out.extend_from_slice(format!("{byte:02x}").as_bytes());
                }
            }
            Param::Text(s) => {
                for &c in s.as_bytes() {
                    match c {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        _ => out.push(c),
                    }
                }
            }
        }
    }
}

impl ToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Param::Null => Ok(IsNull::Yes),
            Param::Text(s) => s.as_str().to_sql(ty, out),
            Param::Bytes(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty) || <&[u8] as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn declared_types_map() {
        assert_eq!(pg_type_for("INTEGER"), PgType::BigInt);
        assert_eq!(pg_type_for("bigint"), PgType::BigInt);
        assert_eq!(pg_type_for("REAL"), PgType::Double);
        assert_eq!(pg_type_for("DOUBLE PRECISION"), PgType::Double);
        assert_eq!(pg_type_for("FLOAT"), PgType::Double);
        assert_eq!(pg_type_for("VARCHAR(20)"), PgType::Text);
        assert_eq!(pg_type_for("BLOB"), PgType::Bytea);
        assert_eq!(pg_type_for("BOOLEAN"), PgType::Boolean);
        assert_eq!(pg_type_for("DECIMAL(10,2)"), PgType::Numeric(Some("(10,2)".into())));
        assert_eq!(pg_type_for("NUMERIC"), PgType::Numeric(None));
        assert_eq!(pg_type_for("DECIMAL(x)"), PgType::Numeric(None));
        assert_eq!(pg_type_for("JSON"), PgType::Text);
        assert_eq!(pg_type_for("TIMESTAMP"), PgType::Text);
        assert_eq!(pg_type_for("DATE"), PgType::Text);
        assert_eq!(pg_type_for(""), PgType::Text);
        assert_eq!(pg_type_for("DECIMAL(10,2)").sql(), "numeric(10,2)");
    }

    #[test]
    fn values_become_params() {
        let t = |ty: PgType, v: Json| ty.param(&v).unwrap();
        assert_eq!(t(PgType::BigInt, json!(42)), Param::Text("42".into()));
        assert_eq!(t(PgType::BigInt, json!(-9223372036854775808i64)), Param::Text("-9223372036854775808".into()));
        assert!(PgType::BigInt.param(&json!(1.5)).is_err());
        assert_eq!(t(PgType::Double, json!(0.1)), Param::Text("0.1".into()));
        assert_eq!(t(PgType::Double, json!(1e300)), Param::Text("1e+300".into()));
        assert_eq!(t(PgType::Bytea, json!("AP8=")), Param::Bytes(vec![0, 255]));
        assert_eq!(t(PgType::Boolean, json!(true)), Param::Text("true".into()));
        assert_eq!(t(PgType::Numeric(None), json!("1.50")), Param::Text("1.50".into()));
        assert_eq!(t(PgType::Text, json!(null)), Param::Null);
        assert_eq!(t(PgType::Text, json!(7)), Param::Text("7".into()));
        assert_eq!(t(PgType::Text, json!({"a": 1})), Param::Text("{\"a\":1}".into()));
        assert!(PgType::BigInt.param(&json!([1])).is_err());
    }

    #[test]
    fn copy_fields_are_escaped() {
        let f = |p: Param| {
            let mut v = Vec::new();
            p.write_copy_field(&mut v);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(f(Param::Null), "\\N");
        assert_eq!(f(Param::Text("a\tb\\c\nd\re".into())), "a\\tb\\\\c\\nd\\re");
        assert_eq!(f(Param::Bytes(vec![0, 255])), "\\\\x00ff");
    }
}
