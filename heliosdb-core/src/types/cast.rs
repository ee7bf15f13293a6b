//! Conversions between types: storing into a typed column, and SQL `CAST`.
//!
//! [`coerce_to_column`] follows SQLite STRICT tables: a value converts when
//! nothing is lost (`'42'` into INTEGER, `3` into REAL, `2.0` into INTEGER)
//! and is rejected otherwise. Columns without a type store values as given;
//! columns of a type name the engine does not know follow SQLite's NUMERIC
//! affinity ([`numeric_affinity_for_store`]); DATE/TIME/TIMESTAMP columns store
//! the canonical text of [`crate::exec::datetime::storage`]. [`cast`] is the
//! lenient `CAST(x AS type)`.

use super::compare::decimal_as_i64;
use super::datatype::{DataType, TemporalKind};
use super::value::{decimal_to_f64, format_real, Value};
use crate::error::{Error, Result};
use crate::exec::datetime::storage::canonical;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use std::str::FromStr;

fn mismatch(v: &Value, ty: DataType, table: &str, column: &str) -> Error {
    let dot = if table.is_empty() { "" } else { "." };
    // Say what a date/time column takes: the rejection is about the form.
    let hint = match ty {
        DataType::Temporal(TemporalKind::Date) => " (expected a date such as '2026-01-05')",
        DataType::Temporal(TemporalKind::Time) => " (expected a time such as '13:45:00')",
        DataType::Temporal(_) => " (expected a timestamp such as '2026-01-05 13:45:00' or unix seconds)",
        _ => "",
    };
    Error::Mismatch(format!(
        "cannot store {} value {} in {} column {table}{dot}{column}{hint}",
        v.type_name(),
        shorten(&v.to_string()),
        ty,
    ))
}

fn shorten(s: &str) -> String {
    if s.len() > 40 {
        let mut end = 40;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("'{}…'", &s[..end])
    } else {
        format!("'{s}'")
    }
}

/// Converts a float to an i64 only when it is integral and in range.
fn real_to_i64_exact(f: f64) -> Option<i64> {
    if f == f.trunc() && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

/// Rounds a decimal to `scale` places and checks it fits `precision` digits.
pub fn fit_decimal(d: Decimal, precision: u8, scale: u8, table: &str, column: &str) -> Result<Decimal> {
    let mut r = d.round_dp_with_strategy(u32::from(scale), rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(u32::from(scale));
    let int_digits = u32::from(precision - scale);
    let limit = Decimal::from_i128_with_scale(10i128.pow(int_digits), 0);
    if r.abs() >= limit {
        return Err(Error::Mismatch(format!(
            "value {d} is out of range for DECIMAL({precision},{scale}) column {table}{}{column}",
            if table.is_empty() { "" } else { "." }
        )));
    }
    Ok(r)
}

/// A REAL as a decimal through its shortest round-trip spelling, so the
/// literal `0.1` becomes exactly 0.1 rather than the binary double's expansion.
fn decimal_from_real(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    decimal_from_text(&format!("{f}")).or_else(|| Decimal::from_f64(f))
}

fn decimal_from_text(s: &str) -> Option<Decimal> {
    let t = s.trim();
    Decimal::from_str(t).or_else(|_| Decimal::from_scientific(t)).ok()
}

/// Whether `v` is stored in a column of type `ty` exactly as it is, so
/// [`coerce_to_column`] would hand it back unchanged: NULL, and a value
/// already of the column's type (but not a REAL -0.0, stored as 0.0: one
/// SQL value, and an index key must not tell the two apart; the key of -0.0
/// sorts below 0.0's, so a range read from 0.0 passed over its rows).
/// Untyped columns keep every value, -0.0 included: no key range is read
/// over them. Inline, so a row whose values all fit costs a comparison a
/// column (a bulk load checks every one).
#[inline]
pub fn stored_as_is(ty: DataType, v: &Value) -> bool {
    match (ty, v) {
        (_, Value::Null) | (DataType::Any, _) => true,
        (DataType::Real, Value::Real(f)) => f.to_bits() != (-0.0f64).to_bits(),
        (DataType::Integer, Value::Integer(_))
        | (DataType::Text, Value::Text(_))
        | (DataType::Blob, Value::Blob(_))
        | (DataType::Boolean, Value::Boolean(_)) => true,
        _ => false,
    }
}

/// Converts `v` for storage in column `table.column` of type `ty`, or fails
/// with [`Error::Mismatch`] naming the column.
///
/// # Errors
/// The value cannot be represented in the column type without loss.
pub fn coerce_to_column(v: Value, ty: DataType, table: &str, column: &str) -> Result<Value> {
    // Moved, not cloned (a clone of every TEXT value was a tenth of a CSV
    // import).
    if stored_as_is(ty, &v) {
        return Ok(v);
    }
    if ty == DataType::Real && matches!(v, Value::Real(_)) {
        return Ok(Value::Real(0.0)); // -0.0 (see `stored_as_is`)
    }
    let out = match (ty, &v) {
        (DataType::Numeric, _) => Some(numeric_affinity_for_store(&v)),
        (DataType::Temporal(kind), _) => canonical(kind, &v),
        (DataType::Integer, Value::Boolean(b)) => Some(Value::Integer(i64::from(*b))),
        (DataType::Integer, Value::Real(f)) => real_to_i64_exact(*f).map(Value::Integer),
        (DataType::Integer, Value::Decimal(d)) => decimal_as_i64(d).map(Value::Integer),
        (DataType::Integer, Value::Text(s)) => match parse_number(s) {
            Some(Value::Integer(i)) => Some(Value::Integer(i)),
            Some(Value::Real(f)) => real_to_i64_exact(f).map(Value::Integer),
            _ => None,
        },
        (DataType::Real, Value::Integer(i)) => Some(Value::Real(*i as f64)),
        (DataType::Real, Value::Boolean(b)) => Some(Value::Real(f64::from(u8::from(*b)))),
        (DataType::Real, Value::Decimal(d)) => Some(Value::Real(decimal_to_f64(d))),
        (DataType::Real, Value::Text(s)) => parse_number(s).and_then(|n| n.as_f64()).map(Value::Real),
        (DataType::Text, Value::Integer(_) | Value::Real(_) | Value::Decimal(_) | Value::Boolean(_)) => {
            Some(Value::Text(v.to_string()))
        }
        (DataType::Json, Value::Text(_) | Value::Integer(_) | Value::Real(_) | Value::Decimal(_)) => {
            let text = crate::exec::arith::text_of(&v);
            if crate::exec::json::check(&text).is_err() {
                let dot = if table.is_empty() { "" } else { "." };
                return Err(Error::Mismatch(format!(
                    "{} is not valid JSON (column {table}{dot}{column})",
                    shorten(&v.to_string())
                )));
            }
            Some(Value::Text(text))
        }
        (DataType::Boolean, Value::Integer(0)) => Some(Value::Boolean(false)),
        (DataType::Boolean, Value::Integer(1)) => Some(Value::Boolean(true)),
        (DataType::Boolean, Value::Text(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "t" => Some(Value::Boolean(true)),
            "false" | "0" | "f" => Some(Value::Boolean(false)),
            _ => None,
        },
        (DataType::Decimal { precision, scale }, _) => {
            let d = match &v {
                Value::Decimal(d) => Some(*d),
                Value::Integer(i) => Some(Decimal::from(*i)),
                Value::Boolean(b) => Some(Decimal::from(u8::from(*b))),
                Value::Real(f) => decimal_from_real(*f),
                Value::Text(s) => decimal_from_text(s),
                _ => None,
            };
            match d {
                Some(d) => return fit_decimal(d, precision, scale, table, column).map(Value::Decimal),
                None => None,
            }
        }
        _ => None,
    };
    match out {
        // (A converted -0.0 too, see above: the pattern `0.0` matches it.)
        Some(Value::Real(0.0)) => Ok(Value::Real(0.0)),
        Some(out) => Ok(out),
        None => Err(mismatch(&v, ty, table, column)),
    }
}

/// Leading numeric prefix of text, as SQLite's CAST reads it (`'12abc'` → 12).
fn numeric_prefix(s: &str) -> Value {
    let t = s.trim_start();
    let bytes = t.as_bytes();
    let mut end = 0;
    if end < bytes.len() && (bytes[end] == b'+' || bytes[end] == b'-') {
        end += 1;
    }
    let digits_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    let mut is_real = false;
    if end < bytes.len() && bytes[end] == b'.' {
        is_real = true;
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end > digits_start && end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut e = end + 1;
        if e < bytes.len() && (bytes[e] == b'+' || bytes[e] == b'-') {
            e += 1;
        }
        if e < bytes.len() && bytes[e].is_ascii_digit() {
            while e < bytes.len() && bytes[e].is_ascii_digit() {
                e += 1;
            }
            is_real = true;
            end = e;
        }
    }
    let num = &t[..end];
    if !is_real {
        // No digits at all ('t', '', '-') reads as the integer 0, as in SQLite.
        if end == digits_start {
            return Value::Integer(0);
        }
        if let Ok(i) = num.parse::<i64>() {
            return Value::Integer(i);
        }
    }
    Value::Real(num.parse::<f64>().unwrap_or(0.0))
}

/// Reads any value as a number the way SQLite arithmetic does
/// (text and blobs → the numeric prefix of their text).
pub fn to_numeric(v: &Value) -> Value {
    match v {
        Value::Text(s) => numeric_prefix(s),
        Value::Blob(b) => numeric_prefix(&String::from_utf8_lossy(b)),
        Value::Boolean(b) => Value::Integer(i64::from(*b)),
        other => other.clone(),
    }
}

/// The integer prefix of text as SQLite reads it (`sqlite3Atoi64`): leading
/// spaces, a sign, digits; anything after is ignored (`'1e3'` → 1), and
/// values past the i64 range clamp to it.
fn integer_prefix(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0c', '\x0b']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut acc: i128 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        acc = (acc * 10 + i128::from(b - b'0')).min(i128::from(i64::MAX) + 1);
    }
    let signed = if neg { -acc } else { acc };
    i64::try_from(signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX))).unwrap_or(0)
}

/// A value as a 64-bit integer, as SQLite's `sqlite3_value_int64` reads it:
/// REALs truncate (clamped to the i64 range), text and blobs take their
/// integer prefix, NULL is 0. What `CAST(x AS INTEGER)` and printf's `%d` use.
pub fn int_of(v: &Value) -> i64 {
    match v {
        Value::Null => 0,
        Value::Integer(i) => *i,
        Value::Boolean(b) => i64::from(*b),
        // `as` saturates at the i64 range and maps NaN to 0.
        Value::Real(f) => *f as i64,
        Value::Decimal(d) => i64::try_from(d.trunc()).unwrap_or(if d.is_sign_negative() { i64::MIN } else { i64::MAX }),
        Value::Text(s) => integer_prefix(s),
        Value::Blob(b) => integer_prefix(&String::from_utf8_lossy(b)),
    }
}

/// A value as a double, as SQLite's `sqlite3_value_double` reads it (text
/// and blobs → their numeric prefix, NULL → 0.0).
pub fn real_of(v: &Value) -> f64 {
    to_numeric(v).as_f64().unwrap_or(0.0)
}

/// SQLite's `sqlite3Isspace`: the blanks its number and time parsers skip.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The number `text` spells, if it is entirely one (blanks around allowed),
/// as SQLite's `sqlite3AtoF` decides: digits with an optional point and
/// exponent; no hex, no `inf`.
pub fn atof(text: &str) -> Option<f64> {
    let z = text.as_bytes();
    let at = |i: usize| z.get(i).copied().unwrap_or(0);
    let mut i = z.iter().take_while(|&&b| is_space(b)).count();
    let start = i;
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let mut digits = 0;
    while at(i).is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if at(i) == b'.' {
        i += 1;
        while at(i).is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(at(i), b'e' | b'E') {
        i += 1;
        if matches!(at(i), b'+' | b'-') {
            i += 1;
        }
        if !at(i).is_ascii_digit() {
            return None;
        }
        while at(i).is_ascii_digit() {
            i += 1;
        }
    }
    let end = i;
    while is_space(at(i)) {
        i += 1;
    }
    if i != z.len() {
        return None;
    }
    text[start..end].parse::<f64>().ok()
}

/// SQLite's NUMERIC affinity on one value: text that is entirely a number
/// becomes that number (INTEGER when written as one and in range); anything
/// else is unchanged. Applied where a comparison's column affinity says so.
pub fn apply_numeric_affinity(v: &Value) -> Value {
    match v {
        Value::Text(s) => parse_number(s).unwrap_or_else(|| v.clone()),
        other => other.clone(),
    }
}

/// SQLite's NUMERIC affinity on a value stored in a column (`applyNumericAffinity`
/// with its try-for-integer step): text that is entirely a number becomes
/// that number, and a REAL (given or read from text) that is an integer in
/// range becomes an INTEGER (`'3.0e+5'` → 300000, `3.0` → 3); anything else
/// (`'abc'`, `'0x10'`, blobs) is stored as given.
pub fn numeric_affinity_for_store(v: &Value) -> Value {
    let n = match v {
        Value::Text(s) => match parse_number(s) {
            Some(n) => n,
            None => return v.clone(),
        },
        other => other.clone(),
    };
    match n {
        Value::Real(f) => integral_real(f).map_or(Value::Real(f), Value::Integer),
        other => other,
    }
}

/// A REAL that SQLite's `sqlite3VdbeIntegerAffinity` turns into an INTEGER:
/// integral and strictly inside the i64 range.
fn integral_real(f: f64) -> Option<i64> {
    (f == f.trunc() && f > -9.223_372_036_854_776e18 && f < 9.223_372_036_854_776e18).then_some(f as i64)
}

/// `CAST(v AS name)` for a name with NUMERIC affinity, as SQLite casts to
/// NUMERIC: text and blobs become the number their prefix spells (an
/// integral one as INTEGER, `'abc'` → 0); numbers stay as they are.
fn cast_numeric(v: &Value) -> Value {
    match v {
        Value::Text(_) | Value::Blob(_) => match to_numeric(v) {
            Value::Real(f) => integral_real(f).map_or(Value::Real(f), Value::Integer),
            n => n,
        },
        other => other.clone(),
    }
}

/// Text that is entirely a number (blanks around allowed), as that number:
/// INTEGER when written as an in-range integer, else REAL.
pub fn parse_number(s: &str) -> Option<Value> {
    let f = atof(s)?;
    let t = s.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
    if !t.contains(['.', 'e', 'E']) {
        if let Ok(i) = t.parse::<i64>() {
            return Some(Value::Integer(i));
        }
    }
    Some(Value::Real(f))
}

/// SQLite's TEXT affinity on one value: numbers become their text.
pub fn apply_text_affinity(v: &Value) -> Value {
    match v {
        Value::Integer(_) | Value::Real(_) | Value::Decimal(_) | Value::Boolean(_) => Value::Text(v.to_string()),
        other => other.clone(),
    }
}

/// SQL `CAST(v AS ty)`: lenient like SQLite, except DECIMAL range errors.
///
/// # Errors
/// A value that cannot fit the DECIMAL precision.
pub fn cast(v: &Value, ty: DataType) -> Result<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match ty {
        DataType::Any => v.clone(),
        DataType::Numeric => cast_numeric(v),
        // Lenient like date(): what is not a date/time becomes NULL.
        DataType::Temporal(kind) => canonical(kind, v).unwrap_or(Value::Null),
        DataType::Integer => Value::Integer(int_of(v)),
        DataType::Real => Value::Real(real_of(v)),
        // CAST(x AS JSON) converts like TEXT and checks nothing.
        DataType::Text | DataType::Json => match v {
            Value::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
            Value::Real(f) => Value::Text(format_real(*f)),
            other => Value::Text(other.to_string()),
        },
        DataType::Blob => match v {
            Value::Blob(b) => Value::Blob(b.clone()),
            other => Value::Blob(other.to_string().into_bytes()),
        },
        DataType::Boolean => match to_numeric(v) {
            n => Value::Boolean(n.as_f64().map(|f| f != 0.0).unwrap_or(false)),
        },
        DataType::Decimal { precision, scale } => {
            let d = match v {
                Value::Text(s) => decimal_from_text(s).unwrap_or_default(),
                Value::Decimal(d) => *d,
                other => match to_numeric(other) {
                    Value::Integer(i) => Decimal::from(i),
                    n => decimal_from_real(n.as_f64().unwrap_or(0.0)).unwrap_or_default(),
                },
            };
            Value::Decimal(fit_decimal(d, precision, scale, "", "CAST")?)
        }
    })
}

/// Truthiness of a value in WHERE/HAVING/CASE: NULL is unknown (`None`).
pub fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Null => None,
        Value::Boolean(b) => Some(*b),
        Value::Integer(i) => Some(*i != 0),
        other => to_numeric(other).as_f64().map(|f| f != 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_as_sqlite_reads_it() {
        assert_eq!(to_numeric(&Value::from("t")), Value::Integer(0));
        assert_eq!(to_numeric(&Value::from("12abc")), Value::Integer(12));
        assert_eq!(to_numeric(&Value::from("1.5x")), Value::Real(1.5));
        assert_eq!(to_numeric(&Value::from("1e")), Value::Integer(1));
        assert_eq!(int_of(&Value::from("1e3")), 1);
        assert_eq!(int_of(&Value::from("-9223372036854775809")), i64::MIN);
        assert_eq!(int_of(&Value::Real(1e30)), i64::MAX);
        assert_eq!(apply_numeric_affinity(&Value::from(" 5 ")), Value::Integer(5));
        assert_eq!(apply_numeric_affinity(&Value::from("5x")), Value::from("5x"));
        assert_eq!(apply_text_affinity(&Value::Real(1e20)), Value::from("1.0e+20"));
        assert_eq!(atof("1."), Some(1.0));
        assert_eq!(atof("0x10"), None);
    }
}
