//! Arithmetic, concatenation and bit operators with SQLite's semantics:
//! integer division truncates, division by zero is NULL, integer overflow
//! falls back to REAL, text operands are read as numbers.

use crate::error::{Error, Result};
use crate::sql::expr::BinaryOp;
use crate::types::cast::{int_of, to_numeric};
use crate::types::value::format_real;
use crate::types::Value;
use rust_decimal::Decimal;

fn dec_overflow() -> Error {
    Error::Mismatch("DECIMAL arithmetic overflow".into())
}

fn int_op(op: BinaryOp, a: i64, b: i64) -> Value {
    let checked = match op {
        BinaryOp::Add => a.checked_add(b),
        BinaryOp::Sub => a.checked_sub(b),
        BinaryOp::Mul => a.checked_mul(b),
        BinaryOp::Div => {
            if b == 0 {
                return Value::Null;
            }
            a.checked_div(b)
        }
        BinaryOp::Rem => {
            if b == 0 {
                return Value::Null;
            }
            Some(a.checked_rem(b).unwrap_or(0))
        }
        _ => None,
    };
    match checked {
        Some(v) => Value::Integer(v),
        None => real_op(op, a as f64, b as f64),
    }
}

fn real_op(op: BinaryOp, a: f64, b: f64) -> Value {
    match op {
        BinaryOp::Add => Value::Real(a + b),
        BinaryOp::Sub => Value::Real(a - b),
        BinaryOp::Mul => Value::Real(a * b),
        BinaryOp::Div => {
            if b == 0.0 {
                Value::Null
            } else {
                Value::Real(a / b)
            }
        }
        BinaryOp::Rem => real_rem(a as i64, b as i64),
        _ => Value::Null,
    }
}

/// `%` with a REAL operand: SQLite takes both operands as integers and
/// answers a REAL (`5.5 % 2` is 1.0; `x % 0.5` is NULL).
fn real_rem(a: i64, b: i64) -> Value {
    match b {
        0 => Value::Null,
        -1 => Value::Real(0.0),
        _ => Value::Real((a % b) as f64),
    }
}

fn dec_op(op: BinaryOp, a: Decimal, b: Decimal) -> Result<Value> {
    Ok(Value::Decimal(match op {
        BinaryOp::Add => a.checked_add(b).ok_or_else(dec_overflow)?,
        BinaryOp::Sub => a.checked_sub(b).ok_or_else(dec_overflow)?,
        BinaryOp::Mul => a.checked_mul(b).ok_or_else(dec_overflow)?,
        BinaryOp::Div => match a.checked_div(b) {
            Some(v) => v,
            None if b.is_zero() => return Ok(Value::Null),
            None => return Err(dec_overflow()),
        },
        BinaryOp::Rem => match a.checked_rem(b) {
            Some(v) => v,
            None if b.is_zero() => return Ok(Value::Null),
            None => return Err(dec_overflow()),
        },
        _ => return Ok(Value::Null),
    }))
}

/// `+ - * / %` on two values.
///
/// # Errors
/// DECIMAL overflow.
pub fn arithmetic(op: BinaryOp, a: &Value, b: &Value) -> Result<Value> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let (a, b) = (to_numeric(a), to_numeric(b));
    Ok(match (&a, &b) {
        (Value::Integer(x), Value::Integer(y)) => int_op(op, *x, *y),
        // The integer values SQLite reads, not the doubles (which round past 2^53).
        (Value::Integer(_) | Value::Real(_), Value::Integer(_) | Value::Real(_)) if op == BinaryOp::Rem => {
            real_rem(int_of(&a), int_of(&b))
        }
        (Value::Decimal(x), Value::Decimal(y)) => return dec_op(op, *x, *y),
        (Value::Decimal(x), Value::Integer(y)) => return dec_op(op, *x, Decimal::from(*y)),
        (Value::Integer(x), Value::Decimal(y)) => return dec_op(op, Decimal::from(*x), *y),
        _ => real_op(op, a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0)),
    })
}

/// Text of a value as `||` and string functions see it.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Real(f) => format_real(*f),
        Value::Blob(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.to_string(),
    }
}

/// `a || b`.
pub fn concat(a: &Value, b: &Value) -> Value {
    if a.is_null() || b.is_null() {
        return Value::Null;
    }
    let mut s = text_of(a);
    s.push_str(&text_of(b));
    Value::Text(s)
}

fn as_i64(v: &Value) -> i64 {
    match to_numeric(v) {
        Value::Integer(i) => i,
        other => other.as_f64().map_or(0, |f| f as i64),
    }
}

/// `& | << >>` on integers.
pub fn bitwise(op: BinaryOp, a: &Value, b: &Value) -> Value {
    if a.is_null() || b.is_null() {
        return Value::Null;
    }
    let (x, y) = (as_i64(a), as_i64(b));
    Value::Integer(match op {
        BinaryOp::BitAnd => x & y,
        BinaryOp::BitOr => x | y,
        BinaryOp::ShiftLeft => {
            if y >= 64 {
                0
            } else if y >= 0 {
                x.wrapping_shl(y as u32)
            } else {
                // `unsigned_abs`: `-i64::MIN` does not fit an i64.
                x >> y.unsigned_abs().min(63)
            }
        }
        BinaryOp::ShiftRight => {
            if y >= 0 {
                x >> y.min(63)
            } else if y.unsigned_abs() >= 64 {
                0
            } else {
                x.wrapping_shl(y.unsigned_abs() as u32)
            }
        }
        _ => 0,
    })
}

/// Unary minus.
pub fn negate(v: &Value) -> Value {
    match to_numeric(v) {
        Value::Null => Value::Null,
        Value::Integer(i) => i.checked_neg().map_or(Value::Real(-(i as f64)), Value::Integer),
        Value::Real(f) => Value::Real(-f),
        Value::Decimal(d) => Value::Decimal(-d),
        other => other,
    }
}
