//! Compact binary row encoding (the value stored under a row's key).
//!
//! Layout: `scn: u64 BE` (the commit that wrote this version, for time travel),
//! then one tagged field per column. Integers are zigzag varints, text and
//! blobs length-prefixed, so a typical row is a few bytes per column.
//! [`decode_columns_into`] decodes only the columns a query reads.

use super::value::Value;
use crate::error::{Error, Result};
use rust_decimal::Decimal;

const F_NULL: u8 = 0;
const F_INT: u8 = 1;
const F_REAL: u8 = 2;
const F_TEXT: u8 = 3;
const F_BLOB: u8 = 4;
const F_FALSE: u8 = 5;
const F_TRUE: u8 = 6;
const F_DECIMAL: u8 = 7;

/// Appends `v` as a LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn corrupt() -> Error {
    Error::Corrupt("row data is damaged (truncated or unknown field)".into())
}

/// Reads a LEB128 varint at `*pos`.
///
/// Inlined with a one-byte fast path: most varints in a row image (lengths,
/// column counts, small integers) are one byte, and a scan reads several per
/// row.
#[inline]
pub fn get_varint(buf: &[u8], pos: &mut usize) -> Result<u64> {
    match buf.get(*pos) {
        Some(&b) if b < 0x80 => {
            *pos += 1;
            Ok(u64::from(b))
        }
        _ => get_long_varint(buf, pos),
    }
}

/// [`get_varint`] past its one-byte fast path.
#[inline(never)]
fn get_long_varint(buf: &[u8], pos: &mut usize) -> Result<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *buf.get(*pos).ok_or_else(corrupt)?;
        *pos += 1;
        v |= u64::from(b & 0x7F) << shift;
        if b < 0x80 {
            return Ok(v);
        }
        shift += 7;
        if shift > 63 {
            return Err(corrupt());
        }
    }
}

/// Encodes a row image stamped with the SCN that wrote it.
pub fn encode_row(scn: u64, values: &[Value]) -> Vec<u8> {
    // Sized for the whole image, so pushing the fields never reallocates.
    let text: usize = values
        .iter()
        .map(|v| match v {
            Value::Text(s) => s.len(),
            Value::Blob(b) => b.len(),
            _ => 0,
        })
        .sum();
    let mut out = Vec::with_capacity(16 + values.len() * 10 + text);
    encode_row_into(&mut out, scn, values);
    out
}

/// Appends a row image to `out` (for records that embed one, such as row versions).
pub fn encode_row_into(out: &mut Vec<u8>, scn: u64, values: &[Value]) {
    begin_row(out, scn, values.len());
    for v in values {
        push_field(out, v);
    }
}

/// Appends the head of a row image of `ncols` fields stamped `scn`; the
/// caller then appends exactly `ncols` fields with [`push_field`] or
/// [`push_blob`] (building an image without a `Vec<Value>`).
pub fn begin_row(out: &mut Vec<u8>, scn: u64, ncols: usize) {
    out.extend_from_slice(&scn.to_be_bytes());
    put_varint(out, ncols as u64);
}

/// Appends one field holding `v`.
pub fn push_field(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(F_NULL),
        Value::Integer(i) => {
            out.push(F_INT);
            put_varint(out, ((i << 1) ^ (i >> 63)) as u64);
        }
        Value::Real(f) => {
            out.push(F_REAL);
            out.extend_from_slice(&f.to_le_bytes());
        }
        Value::Text(s) => {
            out.push(F_TEXT);
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Blob(b) => push_blob(out, b),
        Value::Boolean(b) => out.push(if *b { F_TRUE } else { F_FALSE }),
        Value::Decimal(d) => {
            out.push(F_DECIMAL);
            out.extend_from_slice(&d.serialize());
        }
    }
}

/// Appends one BLOB field holding `bytes`.
pub fn push_blob(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(F_BLOB);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// The SCN a row image was written at.
pub fn row_scn(buf: &[u8]) -> Result<u64> {
    let head: [u8; 8] = buf.get(..8).and_then(|s| s.try_into().ok()).ok_or_else(corrupt)?;
    Ok(u64::from_be_bytes(head))
}

fn take<'a>(buf: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8]> {
    let end = pos.checked_add(n).ok_or_else(corrupt)?;
    let s = buf.get(*pos..end).ok_or_else(corrupt)?;
    *pos = end;
    Ok(s)
}

/// Reads one field; `want` = false skips it without allocating.
fn field(buf: &[u8], pos: &mut usize, want: bool) -> Result<Value> {
    let tag = *buf.get(*pos).ok_or_else(corrupt)?;
    *pos += 1;
    Ok(match tag {
        F_NULL => Value::Null,
        F_INT => {
            let z = get_varint(buf, pos)?;
            Value::Integer(((z >> 1) as i64) ^ -((z & 1) as i64))
        }
        F_REAL => {
            let b = take(buf, pos, 8)?;
            let arr: [u8; 8] = b.try_into().map_err(|_| corrupt())?;
            Value::Real(f64::from_le_bytes(arr))
        }
        F_TEXT | F_BLOB => {
            let n = usize::try_from(get_varint(buf, pos)?).map_err(|_| corrupt())?;
            let b = take(buf, pos, n)?;
            if !want {
                Value::Null
            } else if tag == F_TEXT {
                Value::Text(String::from_utf8(b.to_vec()).map_err(|_| corrupt())?)
            } else {
                Value::Blob(b.to_vec())
            }
        }
        F_FALSE => Value::Boolean(false),
        F_TRUE => Value::Boolean(true),
        F_DECIMAL => {
            let b = take(buf, pos, 16)?;
            let arr: [u8; 16] = b.try_into().map_err(|_| corrupt())?;
            Value::Decimal(Decimal::deserialize(arr))
        }
        _ => return Err(corrupt()),
    })
}

/// Decodes a whole row image. Rows written before a column was added are
/// padded with NULL up to `ncols`.
pub fn decode_row(buf: &[u8], ncols: usize) -> Result<Vec<Value>> {
    let mut pos = 8;
    let n = usize::try_from(get_varint(buf, &mut pos)?).map_err(|_| corrupt())?;
    let mut out = Vec::with_capacity(ncols.max(n));
    for _ in 0..n {
        out.push(field(buf, &mut pos, true)?);
    }
    out.resize(ncols.max(n), Value::Null);
    Ok(out)
}

/// Decodes into `out` only the columns flagged in `needed` (the others are
/// NULL), overwriting its values in place: a batch scan decodes row after
/// row into the same buffer, so a text column refills the string already
/// there and a number overwrites the number there, instead of a new value
/// being built and moved in. The first `width` slots (or as many as
/// `needed` or the row has, if more) are written, `out` growing to hold
/// them; slots past them are left as they are (for the caller's own
/// columns, such as the rowid).
pub fn decode_columns_into(buf: &[u8], needed: &[bool], width: usize, out: &mut Vec<Value>) -> Result<()> {
    let mut pos = 8;
    let n = usize::try_from(get_varint(buf, &mut pos)?).map_err(|_| corrupt())?;
    let len = width.max(needed.len()).max(n);
    if out.len() < len {
        out.resize(len, Value::Null);
    }
    let last_needed = needed.iter().rposition(|b| *b).map_or(0, |i| i + 1);
    for (i, slot) in out.iter_mut().enumerate().take(n.min(last_needed)) {
        if needed.get(i).copied().unwrap_or(false) {
            field_into(buf, &mut pos, slot)?;
        } else {
            skip_field(buf, &mut pos)?;
            set_null(slot);
        }
    }
    for slot in out.iter_mut().take(len).skip(n.min(last_needed)) {
        set_null(slot);
    }
    Ok(())
}

/// Makes `slot` NULL (a write of its tag alone when it already is).
fn set_null(slot: &mut Value) {
    if !slot.is_null() {
        *slot = Value::Null;
    }
}

/// Reads one field into `slot`, reusing the string or bytes `slot` holds
/// and overwriting a number of the same type in place.
#[inline]
fn field_into(buf: &[u8], pos: &mut usize, slot: &mut Value) -> Result<()> {
    let tag = *buf.get(*pos).ok_or_else(corrupt)?;
    match (tag, &mut *slot) {
        (F_TEXT, Value::Text(s)) => {
            *pos += 1;
            let n = usize::try_from(get_varint(buf, pos)?).map_err(|_| corrupt())?;
            let text = std::str::from_utf8(take(buf, pos, n)?).map_err(|_| corrupt())?;
            s.clear();
            s.push_str(text);
        }
        (F_BLOB, Value::Blob(b)) => {
            *pos += 1;
            let n = usize::try_from(get_varint(buf, pos)?).map_err(|_| corrupt())?;
            b.clear();
            b.extend_from_slice(take(buf, pos, n)?);
        }
        (F_REAL, Value::Real(f)) => {
            *pos += 1;
            let b: [u8; 8] = take(buf, pos, 8)?.try_into().map_err(|_| corrupt())?;
            *f = f64::from_le_bytes(b);
        }
        (F_INT, Value::Integer(i)) => {
            *pos += 1;
            let z = get_varint(buf, pos)?;
            *i = ((z >> 1) as i64) ^ -((z & 1) as i64);
        }
        (F_NULL, _) => {
            *pos += 1;
            set_null(slot);
        }
        _ => *slot = field(buf, pos, true)?,
    }
    Ok(())
}

/// Passes over one field (its length, never its value).
#[inline]
fn skip_field(buf: &[u8], pos: &mut usize) -> Result<()> {
    let tag = *buf.get(*pos).ok_or_else(corrupt)?;
    *pos += 1;
    let n = match tag {
        F_NULL | F_FALSE | F_TRUE => 0,
        F_INT => get_varint(buf, pos).map(|_| 0)?,
        F_REAL => 8,
        F_TEXT | F_BLOB => usize::try_from(get_varint(buf, pos)?).map_err(|_| corrupt())?,
        F_DECIMAL => 16,
        _ => return Err(corrupt()),
    };
    take(buf, pos, n).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_type() {
        let row = vec![
            Value::Null,
            Value::Integer(-3),
            Value::Integer(i64::MAX),
            Value::Real(2.5),
            Value::from("héllo"),
            Value::Blob(vec![0, 1, 255]),
            Value::Boolean(true),
            Value::Decimal("123.45".parse().unwrap()),
        ];
        let enc = encode_row(42, &row);
        assert_eq!(row_scn(&enc).unwrap(), 42);
        assert_eq!(decode_row(&enc, row.len()).unwrap(), row);
        let mut partial = vec![Value::from("stale"); 7];
        decode_columns_into(&enc, &[false, true, false, false, true], 0, &mut partial).unwrap();
        assert_eq!(partial.len(), row.len());
        assert_eq!(partial[1], Value::Integer(-3));
        assert_eq!(partial[4], Value::from("héllo"));
        assert!(partial[3].is_null());
    }

    /// A batch scan decodes row after row into one buffer: every slot up to
    /// the width must hold this row's value (numbers overwritten in place,
    /// text refilled, NULL over anything), and the slots past it the
    /// caller's own.
    #[test]
    fn decoding_into_a_used_buffer_leaves_nothing_of_the_last_row() {
        let first = encode_row(1, &[Value::Real(1.5), Value::Integer(7), Value::from("long text"), Value::Integer(1)]);
        let second = encode_row(2, &[Value::Real(-2.0), Value::Null, Value::from("ab")]);
        let all = [true; 4];
        let mut buf = vec![Value::Null; 4];
        buf.push(Value::Integer(99)); // the caller's slot (a rowid)
        decode_columns_into(&first, &all, 4, &mut buf).unwrap();
        decode_columns_into(&second, &all, 4, &mut buf).unwrap();
        assert_eq!(
            buf,
            vec![Value::Real(-2.0), Value::Null, Value::from("ab"), Value::Null, Value::Integer(99)],
            "a row written before a column was added reads NULL there"
        );
        let narrow = [false, false, true];
        decode_columns_into(&first, &narrow, 4, &mut buf).unwrap();
        assert_eq!(buf[..4], [Value::Null, Value::Null, Value::from("long text"), Value::Null]);
    }

    #[test]
    fn varints_round_trip_and_damaged_ones_are_errors() {
        for v in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 35, u64::MAX - 1, u64::MAX] {
            let mut buf = vec![0xAA];
            put_varint(&mut buf, v);
            buf.push(0x55);
            let mut pos = 1;
            assert_eq!(get_varint(&buf, &mut pos).unwrap(), v);
            assert_eq!(buf[pos], 0x55, "{v}: the position lands just past the varint");
            let mut pos = 1;
            assert!(get_varint(&buf[..buf.len() - 2], &mut pos).is_err(), "{v} truncated");
        }
        let mut pos = 0;
        assert!(get_varint(&[0x80; 11], &mut pos).is_err(), "eleven continuation bytes");
        let mut pos = 5;
        assert!(get_varint(&[1, 2], &mut pos).is_err(), "a position past the end");
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let enc = encode_row(1, &[Value::from("some text"), Value::Integer(5)]);
        for cut in 0..enc.len() {
            let _ = decode_row(&enc[..cut], 2);
        }
        assert!(decode_row(&enc[..10], 2).is_err());
    }
}
