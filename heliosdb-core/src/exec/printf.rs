//! SQL `printf(format, …)` / `format(format, …)`: SQLite 3.40's printf.
//!
//! Conversions `%d %i %u %f %e %E %g %G %x %X %o %p %s %z %q %Q %w %c %r %n
//! %%`, flags `- + space # ! 0 ,`, width and precision (digits or `*`).
//! Arguments convert as SQLite's do (text to its numeric prefix, missing
//! arguments as 0 or NULL). An unknown conversion ends the output there, as
//! in SQLite. REAL digits come from [`crate::types::numfmt`].

use crate::error::{sql_err, Result};
use crate::types::cast::{int_of, real_of};
use crate::types::numfmt::{render_abs, FloatSpec, FloatStyle};
use crate::types::Value;

/// Largest width or precision honoured; beyond it the result would be too big.
const MAX_FIELD: i64 = 1_000_000;

/// The arguments after the format, consumed in order.
struct Args<'a> {
    values: &'a [Value],
    next: usize,
}

impl Args<'_> {
    fn take(&mut self) -> Option<&Value> {
        let v = self.values.get(self.next);
        self.next += 1;
        v
    }
    fn int(&mut self) -> i64 {
        self.take().map_or(0, int_of)
    }
    fn real(&mut self) -> f64 {
        self.take().map_or(0.0, real_of)
    }
    /// The argument as text bytes, or `None` for SQL NULL or a missing argument.
    fn text(&mut self) -> Option<Vec<u8>> {
        match self.take()? {
            Value::Null => None,
            Value::Blob(b) => Some(b.clone()),
            v => Some(super::arith::text_of(v).into_bytes()),
        }
    }
}

/// One parsed `%` directive's flags.
#[derive(Default)]
struct Flags {
    left: bool,
    prefix: Option<u8>,
    alternate: bool,
    alt2: bool,
    zeropad: bool,
    thousands: bool,
    width: i64,
    precision: Option<i64>,
}

/// `printf(format, args…)`: NULL when the format is NULL.
///
/// # Errors
/// A width or precision too large to render.
pub fn printf(args: &[Value]) -> Result<Value> {
    let Some((fmt, rest)) = args.split_first() else { return Ok(Value::Null) };
    if fmt.is_null() {
        return Ok(Value::Null);
    }
    let fmt = super::arith::text_of(fmt).into_bytes();
    let mut args = Args { values: rest, next: 0 };
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        i += 1;
        if i >= fmt.len() {
            out.push(b'%');
            break;
        }
        let (flags, conv, after) = parse_directive(&fmt, i, &mut args)?;
        i = after;
        if !convert(conv, flags, &mut args, &mut out)? {
            break;
        }
    }
    Ok(Value::Text(String::from_utf8_lossy(&out).into_owned()))
}

/// Reads flags, width and precision starting at `fmt[i]` (SQLite's loop,
/// which also lets flags follow the width); returns them, the conversion
/// character (0 at the end of the format) and the index after it.
fn parse_directive(fmt: &[u8], mut i: usize, args: &mut Args) -> Result<(Flags, u8, usize)> {
    let mut f = Flags::default();
    let at = |k: usize| fmt.get(k).copied().unwrap_or(0);
    let mut c = at(i);
    loop {
        match c {
            b'-' => f.left = true,
            b'+' => f.prefix = Some(b'+'),
            b' ' => f.prefix = Some(b' '),
            b'#' => f.alternate = true,
            b'!' => f.alt2 = true,
            b'0' => f.zeropad = true,
            b',' => f.thousands = true,
            b'l' => {
                i += 1;
                if at(i) == b'l' {
                    i += 1;
                }
                c = at(i);
                break;
            }
            b'1'..=b'9' => {
                let mut w = i64::from(c - b'0');
                i += 1;
                while at(i).is_ascii_digit() {
                    w = (w * 10 + i64::from(at(i) - b'0')).min(i64::from(i32::MAX));
                    i += 1;
                }
                f.width = w;
                c = at(i);
                if c != b'.' && c != b'l' {
                    break;
                }
                continue;
            }
            b'*' => {
                let w = args.int().clamp(i64::from(i32::MIN), i64::from(i32::MAX));
                if w < 0 {
                    f.left = true;
                }
                f.width = w.abs();
                if at(i + 1) != b'.' && at(i + 1) != b'l' {
                    i += 1;
                    c = at(i);
                    break;
                }
            }
            b'.' => {
                i += 1;
                c = at(i);
                if c == b'*' {
                    let p = args.int().clamp(i64::from(i32::MIN), i64::from(i32::MAX));
                    f.precision = if p < 0 { Some(p.abs()) } else { Some(p) };
                    i += 1;
                    c = at(i);
                } else {
                    let mut p = 0i64;
                    while c.is_ascii_digit() {
                        p = (p * 10 + i64::from(c - b'0')).min(i64::from(i32::MAX));
                        i += 1;
                        c = at(i);
                    }
                    f.precision = Some(p);
                }
                if c != b'l' {
                    break;
                }
                continue;
            }
            _ => break,
        }
        i += 1;
        c = at(i);
        if c == 0 {
            break;
        }
    }
    if f.width > MAX_FIELD || f.precision.is_some_and(|p| p > MAX_FIELD) {
        return Err(sql_err!("string or blob too big"));
    }
    Ok((f, c, i + 1))
}

/// Appends one conversion; `false` ends the output (unknown conversion).
fn convert(conv: u8, f: Flags, args: &mut Args, out: &mut Vec<u8>) -> Result<bool> {
    let mut width = f.width;
    let body: Vec<u8> = match conv {
        b'd' | b'i' | b'r' | b'u' | b'x' | b'X' | b'o' | b'p' => integer(conv, &f, args.int()),
        b'f' | b'e' | b'E' | b'g' | b'G' => real(conv, &f, args.real()),
        b's' | b'z' => {
            let s = args.text().unwrap_or_default();
            let len = match f.precision {
                Some(p) if f.alt2 => char_prefix_len(&s, p),
                Some(p) => s.len().min(p as usize),
                None => s.len(),
            };
            let s = s[..len].to_vec();
            width += utf8_extra(&s, &f);
            s
        }
        b'c' => {
            let s = args.text().unwrap_or_default();
            let one = &s[..char_prefix_len(&s, 1)];
            let n = f.precision.unwrap_or(1).max(1) as usize;
            let mut s = Vec::with_capacity(one.len() * n);
            for _ in 0..n {
                s.extend_from_slice(one);
            }
            width += extra_bytes(&s);
            s
        }
        b'q' | b'Q' | b'w' => {
            let s = escape(conv, &f, args.text());
            width += utf8_extra(&s, &f);
            s
        }
        b'%' => vec![b'%'],
        b'n' => return Ok(true),
        _ => return Ok(false),
    };
    let pad = (width - body.len() as i64).max(0) as usize;
    if !f.left {
        out.resize(out.len() + pad, b' ');
    }
    out.extend_from_slice(&body);
    if f.left {
        out.resize(out.len() + pad, b' ');
    }
    Ok(true)
}

/// Continuation bytes in `s`: how much wider than its characters it is.
fn extra_bytes(s: &[u8]) -> i64 {
    s.iter().filter(|&&b| b & 0xc0 == 0x80).count() as i64
}

/// With `!`, widths count characters: the extra bytes widen the field.
fn utf8_extra(s: &[u8], f: &Flags) -> i64 {
    if f.alt2 && f.width > 0 {
        extra_bytes(s)
    } else {
        0
    }
}

/// Bytes in the first `n` characters of `s`.
fn char_prefix_len(s: &[u8], n: i64) -> usize {
    let mut k = 0;
    let mut left = n;
    while left > 0 && k < s.len() {
        k += 1;
        while k < s.len() && s[k] & 0xc0 == 0x80 {
            k += 1;
        }
        left -= 1;
    }
    k
}

/// `%q` doubles `'`, `%Q` also quotes (NULL → `NULL`), `%w` doubles `"`.
fn escape(conv: u8, f: &Flags, arg: Option<Vec<u8>>) -> Vec<u8> {
    let q = if conv == b'w' { b'"' } else { b'\'' };
    let is_null = arg.is_none();
    let s = arg.unwrap_or_else(|| if conv == b'Q' { b"NULL".to_vec() } else { b"(NULL)".to_vec() });
    let len = match f.precision {
        Some(p) if f.alt2 => char_prefix_len(&s, p),
        Some(p) => s.len().min(p as usize),
        None => s.len(),
    };
    let quote = !is_null && conv == b'Q';
    let mut out = Vec::with_capacity(len + 2);
    if quote {
        out.push(q);
    }
    for &b in &s[..len] {
        out.push(b);
        if b == q {
            out.push(b);
        }
    }
    if quote {
        out.push(q);
    }
    out
}

/// `%d %i %u %x %X %o %p %r`.
fn integer(conv: u8, f: &Flags, v: i64) -> Vec<u8> {
    let signed = matches!(conv, b'd' | b'i' | b'r');
    let (mut magnitude, prefix) = if signed && v < 0 {
        (v.unsigned_abs(), Some(b'-'))
    } else if signed {
        (v as u64, f.prefix)
    } else {
        (v as u64, None)
    };
    let base: u64 = match conv {
        b'x' | b'X' | b'p' => 16,
        b'o' => 8,
        _ => 10,
    };
    let alternate = f.alternate && magnitude != 0;
    let mut precision = f.precision.unwrap_or(-1);
    let sign_width = i64::from(prefix.is_some());
    if f.zeropad && precision < f.width - sign_width {
        precision = f.width - sign_width;
    }
    let mut digits: Vec<u8> = Vec::new();
    if conv == b'r' {
        let mut x = (magnitude % 10) as usize;
        if x >= 4 || (magnitude / 10) % 10 == 1 {
            x = 0;
        }
        digits.extend_from_slice(&b"httsdndr"[x * 2..x * 2 + 2]);
    }
    let charset: &[u8] = if conv == b'X' { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    loop {
        digits.push(charset[(magnitude % base) as usize]);
        magnitude /= base;
        if magnitude == 0 {
            break;
        }
    }
    // `digits` is reversed (least significant first); the suffix of %r is
    // stored reversed too, and does not count towards the precision.
    let suffix = if conv == b'r' { 2 } else { 0 };
    while (digits.len() - suffix) < precision.max(0) as usize {
        digits.push(b'0');
    }
    if f.thousands && matches!(conv, b'd' | b'i' | b'u') {
        let mut grouped = Vec::with_capacity(digits.len() * 4 / 3);
        for (k, d) in digits.iter().enumerate() {
            if k > 0 && k % 3 == 0 {
                grouped.push(b',');
            }
            grouped.push(*d);
        }
        digits = grouped;
    }
    if let Some(p) = prefix {
        digits.push(p);
    }
    if alternate {
        match conv {
            b'x' | b'p' => digits.extend_from_slice(b"x0"),
            b'X' => digits.extend_from_slice(b"X0"),
            b'o' => digits.push(b'0'),
            _ => {}
        }
    }
    digits.reverse();
    digits
}

/// `%f %e %E %g %G`.
fn real(conv: u8, f: &Flags, v: f64) -> Vec<u8> {
    let prefix = if v < 0.0 { Some(b'-') } else { f.prefix };
    if v.is_infinite() {
        let mut s = prefix.map(|p| vec![p]).unwrap_or_default();
        s.extend_from_slice(b"Inf");
        return s;
    }
    if v.is_nan() {
        return b"NaN".to_vec();
    }
    let style = match conv {
        b'f' => FloatStyle::Fixed,
        b'e' | b'E' => FloatStyle::Exp,
        _ => FloatStyle::General,
    };
    let spec = FloatSpec {
        style,
        precision: f.precision.unwrap_or(6).max(0) as usize,
        alternate: f.alternate,
        alt2: f.alt2,
        upper: conv == b'E' || conv == b'G',
    };
    let digits = render_abs(v, spec).into_bytes();
    let mut s = prefix.map(|p| vec![p]).unwrap_or_default();
    let len = s.len() + digits.len();
    if f.zeropad && !f.left && (len as i64) < f.width {
        s.resize(s.len() + (f.width as usize - len), b'0');
    }
    s.extend_from_slice(&digits);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[Value]) -> String {
        match printf(args).unwrap() {
            Value::Text(s) => s,
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn matches_sqlite_conversions() {
        let f = |s: &str| Value::from(s);
        assert_eq!(
            p(&[f("%d|%5d|%-5d|%05d|%+d|% d"), 42.into(), 42.into(), 42.into(), (-42).into(), 5.into(), 5.into()]),
            "42|   42|42   |-0042|+5| 5"
        );
        assert_eq!(
            p(&[f("%,d|%x|%#X|%#o|%u"), 1_234_567.into(), 255.into(), 255.into(), 8.into(), (-1).into()]),
            "1,234,567|ff|0XFF|010|18446744073709551615"
        );
        assert_eq!(p(&[f("%r %r %r %r"), 1.into(), 2.into(), 13.into(), 22.into()]), "1st 2nd 13th 22nd");
        assert_eq!(
            p(&[f("%.2f|%10.3e|%g|%G"), 3.14159.into(), 12345.678.into(), 0.0001.into(), 1e-10.into()]),
            "3.14| 1.235e+04|0.0001|1E-10"
        );
        assert_eq!(p(&[f("%q|%Q|%Q|%w"), f("it's"), f("a'b"), Value::Null, f("x\"y")]), "it''s|'a''b'|NULL|x\"\"y");
        assert_eq!(p(&[f("%.3c|%5c|%s|%.2s"), f("xy"), f("z"), f("abc"), f("abc")]), "xxx|    z|abc|ab");
        assert_eq!(p(&[f("%5%|%n|%y|rest")]), "    %||");
        assert_eq!(p(&[f("abc%")]), "abc%");
        assert_eq!(p(&[f("%s %d %f")]), " 0 0.000000");
        assert_eq!(p(&[f("%d"), f("1e3")]), "1");
        assert_eq!(
            p(&[f("%*d|%-*d|%.*f"), 4.into(), 7.into(), (-3).into(), 7.into(), 1.into(), 2.25.into()]),
            "   7|7  |2.3"
        );
        assert!(printf(&[Value::Null]).unwrap().is_null());
        assert!(printf(&[f("%2000000d"), 1.into()]).is_err());
    }
}
