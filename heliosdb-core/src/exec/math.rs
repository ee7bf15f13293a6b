//! SQLite's math functions (`ceil`, `sqrt`, `log`, `pow`, the trigonometric
//! ones …) and the blob makers `randomblob` / `zeroblob`, with SQLite's
//! rules for odd input: an argument that is not a number (NULL, a blob,
//! text that does not read as a number) gives NULL, and so does a result
//! that is not a number (`sqrt(-1)`, `mod(5, 0)`); infinities are kept.

use crate::error::{sql_err, Result};
use crate::sql::expr::MathFn;
use crate::types::cast::{apply_numeric_affinity, int_of};
use crate::types::Value;

/// The longest blob `randomblob` and `zeroblob` make: SQLite's
/// `SQLITE_MAX_LENGTH`.
const MAX_BLOB_LEN: i64 = 1_000_000_000;

/// An argument as SQLite's math functions read it: text that reads as a
/// number counts as that number, then any number (booleans and decimals
/// too) as its `f64`; NULL, blobs and other text are `None`.
fn number(v: &Value) -> Option<f64> {
    apply_numeric_affinity(v).as_f64()
}

/// A real result; NaN is NULL, as SQLite stores it.
fn real(f: f64) -> Value {
    if f.is_nan() {
        Value::Null
    } else {
        Value::Real(f)
    }
}

/// `ceil`, `floor`, `trunc`: an integer (or boolean) stays an integer, any
/// other number is rounded as a real.
fn round_with(v: &Value, f: fn(f64) -> f64) -> Value {
    match apply_numeric_affinity(v) {
        Value::Integer(i) => Value::Integer(i),
        Value::Boolean(b) => Value::Integer(i64::from(b)),
        n => n.as_f64().map_or(Value::Null, |x| real(f(x))),
    }
}

/// Calls math function `f` on its (already counted) arguments.
pub fn call(f: MathFn, args: &[Value]) -> Value {
    let arg = |i: usize| args.get(i).and_then(number);
    let first = args.first().unwrap_or(&Value::Null);
    let one = |g: fn(f64) -> f64| arg(0).map_or(Value::Null, |x| real(g(x)));
    let two = |g: fn(f64, f64) -> f64| match (arg(0), arg(1)) {
        (Some(x), Some(y)) => real(g(x, y)),
        _ => Value::Null,
    };
    // The logarithms are NULL at and below 0 (SQLite checks before calling libm).
    let log = |g: fn(f64) -> f64| match arg(0) {
        Some(x) if x > 0.0 => real(g(x)),
        _ => Value::Null,
    };
    match f {
        MathFn::Ceil => round_with(first, f64::ceil),
        MathFn::Floor => round_with(first, f64::floor),
        MathFn::Trunc => round_with(first, f64::trunc),
        MathFn::Sign => arg(0).map_or(Value::Null, |x| {
            Value::Integer(if x < 0.0 {
                -1
            } else if x > 0.0 {
                1
            } else {
                0
            })
        }),
        MathFn::Sqrt => one(f64::sqrt),
        MathFn::Exp => one(f64::exp),
        MathFn::Ln => log(f64::ln),
        MathFn::Log10 => log(f64::log10),
        MathFn::Log2 => log(f64::log2),
        MathFn::Log if args.len() == 1 => log(f64::log10),
        // log(b, x): the base first.
        MathFn::Log => match (arg(0), arg(1)) {
            (Some(b), Some(x)) if b > 0.0 && x > 0.0 => real(x.ln() / b.ln()),
            _ => Value::Null,
        },
        MathFn::Pow => two(f64::powf),
        MathFn::Mod => two(|x, y| x % y),
        MathFn::Atan2 => two(f64::atan2),
        MathFn::Pi => Value::Real(std::f64::consts::PI),
        MathFn::Degrees => one(f64::to_degrees),
        MathFn::Radians => one(f64::to_radians),
        MathFn::Sin => one(f64::sin),
        MathFn::Cos => one(f64::cos),
        MathFn::Tan => one(f64::tan),
        MathFn::Asin => one(f64::asin),
        MathFn::Acos => one(f64::acos),
        MathFn::Atan => one(f64::atan),
        MathFn::Sinh => one(f64::sinh),
        MathFn::Cosh => one(f64::cosh),
        MathFn::Tanh => one(f64::tanh),
        MathFn::Asinh => one(f64::asinh),
        MathFn::Acosh => one(f64::acosh),
        MathFn::Atanh => one(f64::atanh),
    }
}

/// The length `randomblob(n)` / `zeroblob(n)` makes, at least `least`.
///
/// # Errors
/// `string or blob too big` past [`MAX_BLOB_LEN`], as SQLite says it.
fn blob_len(n: &Value, least: i64) -> Result<usize> {
    let n = int_of(n).max(least);
    if n > MAX_BLOB_LEN {
        return Err(sql_err!("string or blob too big"));
    }
    Ok(usize::try_from(n).unwrap_or(0))
}

/// `randomblob(n)`: `n` random bytes (at least one, as in SQLite).
///
/// # Errors
/// `string or blob too big` past 1,000,000,000 bytes.
pub fn randomblob(n: &Value) -> Result<Value> {
    let mut bytes = vec![0u8; blob_len(n, 1)?];
    fastrand::fill(&mut bytes);
    Ok(Value::Blob(bytes))
}

/// `zeroblob(n)`: `n` zero bytes (none for a negative `n`).
///
/// # Errors
/// `string or blob too big` past 1,000,000,000 bytes.
pub fn zeroblob(n: &Value) -> Result<Value> {
    Ok(Value::Blob(vec![0u8; blob_len(n, 0)?]))
}
