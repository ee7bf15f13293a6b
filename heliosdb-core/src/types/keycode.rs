//! Order-preserving ("memcomparable") key encoding.
//!
//! The byte order of encoded keys equals the SQL order of the values, so the
//! LSM tree's key order is the table's primary-key order and index order, and
//! range predicates become range scans. Encodings are self-delimiting, so a
//! composite key is the concatenation of its parts. A DESC column stores the
//! bitwise complement of its encoding.
//!
//! Values of one column always arrive here already coerced to the column's
//! type (see [`crate::types::cast::coerce_to_column`]); DECIMAL values carry
//! the column's scale, so their mantissas compare directly.

use super::value::Value;

const TAG_NULL: u8 = 0x01;
const TAG_FALSE: u8 = 0x02;
const TAG_TRUE: u8 = 0x03;
const TAG_INT: u8 = 0x10;
const TAG_REAL: u8 = 0x11;
const TAG_DECIMAL: u8 = 0x12;
const TAG_TEXT: u8 = 0x20;
const TAG_BLOB: u8 = 0x30;

fn put_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0x00, 0x01]);
}

/// Appends the ascending encoding of `v` to `out`.
pub fn encode_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(TAG_NULL),
        Value::Boolean(false) => out.push(TAG_FALSE),
        Value::Boolean(true) => out.push(TAG_TRUE),
        Value::Integer(i) => {
            out.push(TAG_INT);
            out.extend_from_slice(&((*i as u64) ^ (1 << 63)).to_be_bytes());
        }
        Value::Real(f) => {
            out.push(TAG_REAL);
            let bits = f.to_bits();
            let ordered = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
            out.extend_from_slice(&ordered.to_be_bytes());
        }
        Value::Decimal(d) => {
            out.push(TAG_DECIMAL);
            let m = d.mantissa();
            out.extend_from_slice(&((m as u128) ^ (1 << 127)).to_be_bytes());
        }
        Value::Text(s) => {
            out.push(TAG_TEXT);
            put_escaped(out, s.as_bytes());
        }
        Value::Blob(b) => {
            out.push(TAG_BLOB);
            put_escaped(out, b);
        }
    }
}

/// Appends the encoding of `v`, complemented when `desc` is set.
pub fn encode_value_dir(out: &mut Vec<u8>, v: &Value, desc: bool) {
    let start = out.len();
    encode_value(out, v);
    if desc {
        for b in &mut out[start..] {
            *b = !*b;
        }
    }
}

/// The smallest byte string greater than every string that starts with `prefix`
/// (`None` when the prefix is all 0xFF: the range is unbounded above).
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut out = prefix.to_vec();
    while let Some(last) = out.pop() {
        if last < 0xFF {
            out.push(last + 1);
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn enc(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        encode_value(&mut out, v);
        out
    }

    #[test]
    fn integers_order_like_numbers() {
        let xs = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        for w in xs.windows(2) {
            assert!(enc(&Value::Integer(w[0])) < enc(&Value::Integer(w[1])));
        }
    }

    #[test]
    fn reals_order_like_numbers() {
        let xs = [f64::NEG_INFINITY, -2.5, -0.0001, 0.0, 1e-9, 3.25, f64::INFINITY];
        for w in xs.windows(2) {
            assert!(enc(&Value::Real(w[0])) < enc(&Value::Real(w[1])), "{w:?}");
        }
    }

    #[test]
    fn text_orders_bytewise_and_prefixes_first() {
        let xs = ["", "a", "a\0", "a\0b", "ab", "b"];
        for w in xs.windows(2) {
            assert!(enc(&Value::from(w[0])) < enc(&Value::from(w[1])), "{w:?}");
        }
    }

    #[test]
    fn decimals_of_one_scale_order_like_numbers() {
        let xs = ["-12.50", "-0.01", "0.00", "0.10", "99.99"];
        let encs: Vec<_> = xs.iter().map(|s| enc(&Value::Decimal(s.parse::<Decimal>().unwrap()))).collect();
        for w in encs.windows(2) {
            assert!(w[0] < w[1]);
        }
    }

    #[test]
    fn null_sorts_first_and_desc_reverses() {
        assert!(enc(&Value::Null) < enc(&Value::Integer(i64::MIN)));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode_value_dir(&mut a, &Value::Integer(1), true);
        encode_value_dir(&mut b, &Value::Integer(2), true);
        assert!(a > b);
    }

    #[test]
    fn successor_bounds_a_prefix() {
        assert_eq!(prefix_successor(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_successor(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_successor(&[0xFF]), None);
    }
}
