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
/// The first byte of an (ascending) integer's encoding; storage recognises
/// integer-keyed rows by it (see `storage::keys::page_of`).
pub const TAG_INT: u8 = 0x10;
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

/// Order-preserving bits of a double: -0.0 and 0.0 alike, every NaN alike
/// (and above +∞, as [`crate::types::compare::total_cmp`] puts it).
fn ordered_f64(f: f64) -> u64 {
    let f = if f == 0.0 {
        0.0
    } else if f.is_nan() {
        f64::NAN
    } else {
        f
    };
    let bits = f.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Appends one ORDER BY key of `v` in the byte order of
/// [`crate::types::compare::order_key_cmp`]`(_, _, desc, nulls_first)`, with
/// values that compare equal encoding to equal bytes, so ties are byte
/// ties. Unlike [`encode_value`] (whose column values share one type) it
/// orders INTEGER, REAL, BOOLEAN and DECIMAL against each other: a number is
/// its nearest double, then its exact distance from that double (which is
/// what tells 2^53 + 1 from 2^53). A DECIMAL is its nearest double, as
/// `total_cmp` compares it with a REAL; two DECIMALs more than 15
/// significant digits long that differ only past them order as equal. Not decodable: the
/// encoding only orders (materialized views keep ranked rows by it).
pub fn encode_sort_key(out: &mut Vec<u8>, v: &Value, desc: bool, nulls_first: bool) {
    if v.is_null() {
        out.push(if nulls_first { 0x00 } else { 0x02 });
        return;
    }
    out.push(0x01);
    let start = out.len();
    let mut number = |f: f64, rest: f64| {
        out.push(TAG_INT);
        out.extend_from_slice(&ordered_f64(f).to_be_bytes());
        // The distance is almost always 0: one byte then, nine otherwise.
        if rest == 0.0 {
            out.push(0x01);
        } else {
            out.push(if rest < 0.0 { 0x00 } else { 0x02 });
            out.extend_from_slice(&ordered_f64(rest).to_be_bytes());
        }
    };
    match v {
        Value::Integer(i) => {
            let f = *i as f64;
            // Exact: |i - f| is at most 2^10 for any i64.
            number(f, (i128::from(*i) - f as i128) as f64);
        }
        Value::Boolean(b) => number(f64::from(u8::from(*b)), 0.0),
        Value::Real(f) => number(*f, 0.0),
        // Compared with a REAL through its nearest double, as `total_cmp` does.
        Value::Decimal(d) => number(super::value::decimal_to_f64(d), 0.0),
        other => encode_value(out, other),
    }
    if desc {
        for b in &mut out[start..] {
            *b = !*b;
        }
    }
}

/// Appends a PARTITION BY value of a ranked view's key: its
/// [`encode_sort_key`] ascending with NULLs first, so values that compare
/// equal (1 and 1.0) share a partition, as they do in a window.
pub fn encode_partition_value(out: &mut Vec<u8>, v: &Value) {
    encode_sort_key(out, v, false, true);
}

/// Why [`decode_value_dir`] returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDecodeError {
    /// A DECIMAL, and no scale was given: its key holds only the mantissa.
    NoScale,
    /// The bytes are not a value's encoding.
    Damaged,
}

/// Reads back one value written by [`encode_value_dir`] from the front of
/// `input`, advancing it past the value. A DECIMAL's encoding holds only its
/// mantissa: `decimal_scale` is the column's scale.
///
/// # Errors
/// [`KeyDecodeError::NoScale`] for a DECIMAL without `decimal_scale`;
/// [`KeyDecodeError::Damaged`] for bytes that are not an encoding.
pub fn decode_value_dir(input: &mut &[u8], desc: bool, decimal_scale: Option<u32>) -> Result<Value, KeyDecodeError> {
    let before = *input;
    let decoded = decode_one(input, desc, decimal_scale);
    if decoded.is_none() {
        *input = before;
        let tag = before.first().map(|t| if desc { !t } else { *t });
        if tag == Some(TAG_DECIMAL) && decimal_scale.is_none() {
            return Err(KeyDecodeError::NoScale);
        }
    }
    decoded.ok_or(KeyDecodeError::Damaged)
}

/// [`decode_value_dir`] into `slot`. An INTEGER or REAL decoded over a
/// value of its own kind is written in place: a scan that decodes index
/// entries into one reused row then writes eight bytes per value instead of
/// moving a whole `Value` through the stack, whose narrow stores and wide
/// reloads stall (a sixth of a covering-index range count).
///
/// # Errors
/// As [`decode_value_dir`]; `slot` is then unchanged.
pub fn decode_value_dir_into(
    input: &mut &[u8],
    desc: bool,
    decimal_scale: Option<u32>,
    slot: &mut Value,
) -> Result<(), KeyDecodeError> {
    let tag = input.first().map(|t| if desc { !t } else { *t });
    let rest = input.get(1..).unwrap_or_default();
    match (tag, &mut *slot) {
        (Some(TAG_INT), Value::Integer(i)) => *i = int_at(rest, desc).ok_or(KeyDecodeError::Damaged)?,
        (Some(TAG_REAL), Value::Real(r)) => *r = real_at(rest, desc).ok_or(KeyDecodeError::Damaged)?,
        _ => {
            *slot = decode_value_dir(input, desc, decimal_scale)?;
            return Ok(());
        }
    }
    *input = rest.get(8..).unwrap_or_default();
    Ok(())
}

/// What kind of number the ascending encoding at the front of `input` is,
/// read from its tag (and a REAL's bytes) without decoding anything else:
/// a count over index entries asks this of each entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadingNumber {
    /// An INTEGER.
    Integer,
    /// A finite REAL.
    FiniteReal,
    /// Anything else: NULL, an infinite or NaN REAL, text, a damaged key.
    Other,
}

/// The kind of number whose ascending encoding starts `input`.
pub fn leading_number(input: &[u8]) -> LeadingNumber {
    match input.split_first() {
        Some((&TAG_INT, rest)) if rest.len() >= 8 => LeadingNumber::Integer,
        Some((&TAG_REAL, rest)) if real_at(rest, false).is_some_and(f64::is_finite) => LeadingNumber::FiniteReal,
        _ => LeadingNumber::Other,
    }
}

/// The INTEGER whose eight key bytes start `rest`.
fn int_at(rest: &[u8], desc: bool) -> Option<i64> {
    let b: [u8; 8] = fixed(rest, desc)?;
    Some((u64::from_be_bytes(b) ^ (1 << 63)) as i64)
}

/// The REAL whose eight key bytes start `rest` (see [`ordered_f64`]).
fn real_at(rest: &[u8], desc: bool) -> Option<f64> {
    let b: [u8; 8] = fixed(rest, desc)?;
    let ordered = u64::from_be_bytes(b);
    let bits = if ordered >> 63 == 1 { ordered & !(1 << 63) } else { !ordered };
    Some(f64::from_bits(bits))
}

/// The first `N` bytes of `rest`, un-complemented for a DESC column.
fn fixed<const N: usize>(rest: &[u8], desc: bool) -> Option<[u8; N]> {
    let mut b: [u8; N] = rest.get(..N)?.try_into().ok()?;
    if desc {
        b.iter_mut().for_each(|x| *x = !*x);
    }
    Some(b)
}

fn decode_one(input: &mut &[u8], desc: bool, decimal_scale: Option<u32>) -> Option<Value> {
    let flip = |b: u8| if desc { !b } else { b };
    let (&tag, rest) = input.split_first()?;
    let (value, used) = match flip(tag) {
        TAG_NULL => (Value::Null, 0),
        TAG_FALSE => (Value::Boolean(false), 0),
        TAG_TRUE => (Value::Boolean(true), 0),
        TAG_INT => (Value::Integer(int_at(rest, desc)?), 8),
        TAG_REAL => (Value::Real(real_at(rest, desc)?), 8),
        TAG_DECIMAL => {
            let b: [u8; 16] = fixed(rest, desc)?;
            let m = (u128::from_be_bytes(b) ^ (1 << 127)) as i128;
            let d = rust_decimal::Decimal::try_from_i128_with_scale(m, decimal_scale?).ok()?;
            (Value::Decimal(d), 16)
        }
        TAG_TEXT | TAG_BLOB => {
            let mut bytes = Vec::new();
            let mut i = 0;
            loop {
                let b = flip(*rest.get(i)?);
                let next = flip(*rest.get(i + 1)?);
                match (b, next) {
                    (0, 0x01) => break,
                    (0, 0xFF) => {
                        bytes.push(0);
                        i += 2;
                    }
                    (0, _) => return None,
                    _ => {
                        bytes.push(b);
                        i += 1;
                    }
                }
            }
            let v =
                if flip(tag) == TAG_TEXT { Value::Text(String::from_utf8(bytes).ok()?) } else { Value::Blob(bytes) };
            (v, i + 2)
        }
        _ => return None,
    };
    *input = &rest[used..];
    Some(value)
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

    #[test]
    fn every_value_decodes_back_in_both_directions() {
        let xs = [
            Value::Null,
            Value::Boolean(false),
            Value::Boolean(true),
            Value::Integer(i64::MIN),
            Value::Integer(-1),
            Value::Integer(42),
            Value::Real(-0.0),
            Value::Real(f64::NEG_INFINITY),
            Value::Real(3.25),
            Value::Real(-1e300),
            Value::Decimal("-12.50".parse::<Decimal>().unwrap()),
            Value::from(""),
            Value::from("a\0b\u{e9}"),
            Value::Blob(vec![0, 0xFF, 0, 1, 2]),
        ];
        for desc in [false, true] {
            let mut all = Vec::new();
            for v in &xs {
                encode_value_dir(&mut all, v, desc);
            }
            let mut input = &all[..];
            for v in &xs {
                let got = decode_value_dir(&mut input, desc, Some(2)).expect("decodes");
                assert_eq!(format!("{got:?}"), format!("{v:?}"), "desc={desc}");
            }
            assert!(input.is_empty());
        }
    }

    #[test]
    fn a_decimal_needs_its_scale_and_junk_is_refused() {
        let mut out = Vec::new();
        encode_value(&mut out, &Value::Decimal("1.5".parse::<Decimal>().unwrap()));
        assert_eq!(decode_value_dir(&mut &out[..], false, None), Err(KeyDecodeError::NoScale));
        let damaged: [&[u8]; 4] = [&[0x77], &[TAG_INT, 1, 2], &[TAG_TEXT, b'a', 0], &[TAG_TEXT, 0xC3, 0x28, 0, 1]];
        for bytes in damaged {
            assert_eq!(decode_value_dir(&mut &bytes[..], false, None), Err(KeyDecodeError::Damaged), "{bytes:?}");
        }
    }

    #[test]
    fn sort_keys_order_and_tie_like_order_by() {
        use crate::types::compare::order_key_cmp;
        let d = |s: &str| Value::Decimal(s.parse::<Decimal>().expect("decimal"));
        let big = 1i64 << 53;
        let values = [
            Value::Null,
            Value::Integer(0),
            Value::Integer(-1),
            Value::Integer(1),
            Value::Integer(big),
            Value::Integer(big + 1),
            Value::Integer(i64::MAX),
            Value::Integer(i64::MIN),
            Value::Real(0.0),
            Value::Real(-0.0),
            Value::Real(1.0),
            Value::Real(0.5),
            Value::Real(big as f64),
            Value::Real(9.3e18),
            Value::Real(-9.3e18),
            Value::Real(f64::INFINITY),
            Value::Real(f64::NEG_INFINITY),
            Value::Real(f64::NAN),
            Value::Boolean(true),
            Value::Boolean(false),
            d("1.00"),
            d("0.5"),
            d("-2.25"),
            d("0.1"),
            Value::Real(0.1),
            Value::from(""),
            Value::from("a"),
            Value::from("a\0"),
            Value::from("b"),
            Value::Blob(vec![]),
            Value::Blob(vec![0, 1]),
        ];
        for desc in [false, true] {
            for nulls_first in [false, true] {
                let key = |v: &Value| {
                    let mut out = Vec::new();
                    encode_sort_key(&mut out, v, desc, nulls_first);
                    out
                };
                for a in &values {
                    for b in &values {
                        assert_eq!(
                            key(a).cmp(&key(b)),
                            order_key_cmp(a, b, desc, nulls_first),
                            "{a:?} vs {b:?} (desc {desc}, nulls first {nulls_first})"
                        );
                    }
                }
            }
        }
    }
}
