//! Value comparison and hashing: the one place that decides how two values order.
//!
//! Two orders exist. [`sql_cmp`] is SQL's three-valued comparison (NULL with
//! anything is unknown). [`total_cmp`] is the total order used by ORDER BY,
//! GROUP BY and DISTINCT: NULL first, then numbers (INTEGER, REAL, DECIMAL and
//! BOOLEAN compared numerically), then text (byte order), then blobs.

use super::value::{decimal_to_f64, Value};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// Rank of a value's type family in the total order.
fn family(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Integer(_) | Value::Real(_) | Value::Boolean(_) | Value::Decimal(_) => 1,
        Value::Text(_) => 2,
        Value::Blob(_) => 3,
    }
}

/// Compares an integer with a float exactly (no rounding of large integers).
fn cmp_int_real(i: i64, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Less;
    }
    if f >= 9.2e18 {
        return Ordering::Less;
    }
    if f <= -9.2e18 {
        return Ordering::Greater;
    }
    let floor = f.floor();
    match i.cmp(&(floor as i64)) {
        Ordering::Equal if f > floor => Ordering::Less,
        other => other,
    }
}

fn cmp_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
}

/// Compares two numeric values (caller guarantees both are numeric).
fn cmp_numeric(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    match (a, b) {
        (Integer(x), Integer(y)) => x.cmp(y),
        (Boolean(x), _) => cmp_numeric(&Integer(i64::from(*x)), b),
        (_, Boolean(y)) => cmp_numeric(a, &Integer(i64::from(*y))),
        (Integer(x), Real(y)) => cmp_int_real(*x, *y),
        (Real(x), Integer(y)) => cmp_int_real(*y, *x).reverse(),
        (Real(x), Real(y)) => cmp_f64(*x, *y),
        (Decimal(x), Decimal(y)) => x.cmp(y),
        (Decimal(x), Integer(y)) => x.cmp(&rust_decimal::Decimal::from(*y)),
        (Integer(x), Decimal(y)) => rust_decimal::Decimal::from(*x).cmp(y),
        (Decimal(x), Real(y)) => cmp_f64(decimal_to_f64(x), *y),
        (Real(x), Decimal(y)) => cmp_f64(*x, decimal_to_f64(y)),
        _ => Ordering::Equal,
    }
}

/// [`total_cmp`] over two rows of values, column by column (GROUP BY keys,
/// window partitions).
pub fn slice_cmp(a: &[Value], b: &[Value]) -> Ordering {
    a.iter().zip(b).map(|(x, y)| total_cmp(x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

/// The total order of ORDER BY, GROUP BY and DISTINCT.
pub fn total_cmp(a: &Value, b: &Value) -> Ordering {
    // The common cases first: joins and GROUP BY compare keys of one type.
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => return x.cmp(y),
        (Value::Text(x), Value::Text(y)) => return x.as_bytes().cmp(y.as_bytes()),
        _ => {}
    }
    let (fa, fb) = (family(a), family(b));
    if fa != fb {
        return fa.cmp(&fb);
    }
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => cmp_numeric(a, b),
    }
}

/// One ORDER BY key's order: [`total_cmp`], reversed for DESC, with NULLs
/// first or last as asked (shared by ORDER BY and window ORDER BY).
pub fn order_key_cmp(a: &Value, b: &Value, desc: bool, nulls_first: bool) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) if nulls_first => Ordering::Less,
        (true, false) => Ordering::Greater,
        (false, true) if nulls_first => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) if desc => total_cmp(b, a),
        (false, false) => total_cmp(a, b),
    }
}

/// SQL comparison: `None` when either side is NULL.
///
/// Values of different type families never convert here: a number orders
/// before any text, as in SQLite when no affinity applies (`1 = '1'` is
/// false). Column affinity (`int_col = '5'`) is applied by the binder before
/// the comparison runs (see `sql::affinity`).
pub fn sql_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => Some(x.cmp(y)),
        (Value::Null, _) | (_, Value::Null) => None,
        _ => Some(total_cmp(a, b)),
    }
}

impl PartialEq for Value {
    /// Equality in the total order (NULL equals NULL): what grouping needs.
    fn eq(&self, other: &Self) -> bool {
        total_cmp(self, other) == Ordering::Equal
    }
}
impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(total_cmp(self, other))
    }
}
impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        total_cmp(self, other)
    }
}

/// Hashes a number so that values equal under [`total_cmp`] hash alike.
fn hash_number<H: Hasher>(f: f64, exact_int: Option<i64>, state: &mut H) {
    1u8.hash(state);
    match exact_int {
        Some(i) => i.hash(state),
        None => {
            if f == f.trunc() && f.abs() < 9.2e18 {
                (f as i64).hash(state);
            } else {
                f.to_bits().hash(state);
            }
        }
    }
}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Null => 0u8.hash(state),
            Value::Integer(i) => hash_number(0.0, Some(*i), state),
            Value::Boolean(b) => hash_number(0.0, Some(i64::from(*b)), state),
            Value::Real(f) => hash_number(*f, None, state),
            Value::Decimal(d) => {
                let n = d.normalize();
                if n.scale() == 0 {
                    if let Ok(i) = i64::try_from(n) {
                        return hash_number(0.0, Some(i), state);
                    }
                }
                hash_number(decimal_to_f64(d), None, state)
            }
            Value::Text(s) => {
                2u8.hash(state);
                s.hash(state)
            }
            Value::Blob(b) => {
                3u8.hash(state);
                b.hash(state)
            }
        }
    }
}

/// Whether a decimal is integral and fits an i64.
pub fn decimal_as_i64(d: &Decimal) -> Option<i64> {
    if d.fract().is_zero() {
        i64::try_from(d.trunc()).ok()
    } else {
        None
    }
}
