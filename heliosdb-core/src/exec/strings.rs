//! String functions and pattern matching with SQLite 3.40's semantics:
//! `LIKE` and `GLOB`, `substr`, `trim`/`ltrim`/`rtrim`, `instr`, `hex`,
//! `quote`, `char`, `unicode`, `replace`; and from later SQLite versions
//! `unhex`, `concat`, `concat_ws`.

use super::arith::text_of;
use crate::error::{sql_err, Result};
use crate::types::cast::int_of;
use crate::types::numfmt::{render_abs, FloatSpec, FloatStyle};
use crate::types::Value;

/// One element of a LIKE or GLOB pattern.
#[derive(Debug)]
enum Tok {
    /// `%` / `*`: any run of characters.
    Any,
    /// `_` / `?`: exactly one character.
    One,
    /// A literal character (ASCII case folded when `nocase`).
    Char(char, bool),
    /// A GLOB set `[…]`: ranges, negated when the flag is set.
    Set(Vec<(char, char)>, bool),
    /// An unterminated set or a trailing escape: matches nothing.
    Never,
}

impl Tok {
    fn matches(&self, c: char) -> bool {
        match self {
            Tok::Any | Tok::One => true,
            Tok::Char(p, nocase) => *p == c || (*nocase && p.eq_ignore_ascii_case(&c)),
            Tok::Set(ranges, invert) => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *invert,
            Tok::Never => false,
        }
    }
}

/// Matches text against tokens: `Any` backtracks to its last position.
fn matches(text: &[char], pat: &[Tok]) -> bool {
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(Tok::Any) => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(tok) if tok.matches(text[t]) => {
                t += 1;
                p += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|tok| matches!(tok, Tok::Any))
}

/// Debian builds SQLite with `SQLITE_LIKE_DOESNT_MATCH_BLOBS`: LIKE and GLOB
/// are false whenever an operand is a blob.
fn has_blob(a: &Value, b: &Value) -> bool {
    matches!(a, Value::Blob(_)) || matches!(b, Value::Blob(_))
}

/// `v LIKE pattern [ESCAPE esc]`: `%` any run, `_` one character, ASCII
/// letters case-insensitive. `None` when an operand is NULL; false when one
/// is a blob.
///
/// # Errors
/// An ESCAPE that is not a single character.
pub fn like(v: &Value, pattern: &Value, esc: Option<&Value>) -> Result<Option<bool>> {
    if v.is_null() || pattern.is_null() || esc.is_some_and(Value::is_null) {
        return Ok(None);
    }
    let escape = match esc {
        Some(e) => {
            let s = text_of(e);
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => return Err(sql_err!("ESCAPE expression must be a single character")),
            }
        }
        None => None,
    };
    if has_blob(v, pattern) {
        return Ok(Some(false));
    }
    let mut toks = Vec::new();
    let mut chars = text_of(pattern).chars().collect::<Vec<_>>().into_iter();
    while let Some(c) = chars.next() {
        toks.push(match c {
            c if Some(c) == escape => chars.next().map_or(Tok::Never, |n| Tok::Char(n, true)),
            '%' => Tok::Any,
            '_' => Tok::One,
            c => Tok::Char(c, true),
        });
    }
    let text: Vec<char> = text_of(v).chars().collect();
    Ok(Some(matches(&text, &toks)))
}

/// `v GLOB pattern`: `*`, `?`, `[a-z]`, `[^…]`, case-sensitive, no escape.
/// `None` when an operand is NULL; false when one is a blob.
pub fn glob(v: &Value, pattern: &Value) -> Option<bool> {
    if v.is_null() || pattern.is_null() {
        return None;
    }
    if has_blob(v, pattern) {
        return Some(false);
    }
    let pat: Vec<char> = text_of(pattern).chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < pat.len() {
        let c = pat[i];
        i += 1;
        toks.push(match c {
            '*' => Tok::Any,
            '?' => Tok::One,
            '[' => {
                let (tok, next) = glob_set(&pat, i);
                i = next;
                tok
            }
            c => Tok::Char(c, false),
        });
    }
    let text: Vec<char> = text_of(v).chars().collect();
    Some(matches(&text, &toks))
}

/// Parses a GLOB set starting after its `[` (SQLite's rules: `^` negates,
/// a leading `]` is literal, `a-z` is a range); returns it and the index
/// after its `]`.
fn glob_set(pat: &[char], mut i: usize) -> (Tok, usize) {
    let mut ranges = Vec::new();
    let invert = pat.get(i) == Some(&'^');
    if invert {
        i += 1;
    }
    if pat.get(i) == Some(&']') {
        ranges.push((']', ']'));
        i += 1;
    }
    let mut prior: Option<char> = None;
    while let Some(&c) = pat.get(i) {
        if c == ']' {
            return (Tok::Set(ranges, invert), i + 1);
        }
        match (c, prior, pat.get(i + 1)) {
            ('-', Some(lo), Some(&hi)) if hi != ']' => {
                ranges.push((lo, hi));
                prior = None;
                i += 2;
            }
            _ => {
                ranges.push((c, c));
                prior = Some(c);
                i += 1;
            }
        }
    }
    (Tok::Never, i)
}

/// SQLite reads substr's positions with `sqlite3_value_int`: the low 32 bits.
fn int_arg(v: &Value) -> i64 {
    i64::from(int_of(v) as i32)
}

/// `substr(s, start [, len])` by characters (bytes for a blob), SQLite's
/// rules for zero and negative starts and lengths.
pub fn substr(s: &Value, start: &Value, len: Option<&Value>) -> Value {
    if s.is_null() || start.is_null() || len.is_some_and(Value::is_null) {
        return Value::Null;
    }
    let blob = matches!(s, Value::Blob(_));
    let chars: Vec<char> = if blob { Vec::new() } else { text_of(s).chars().collect() };
    let n = match s {
        Value::Blob(b) => b.len() as i64,
        _ => chars.len() as i64,
    };
    let mut p1 = int_arg(start);
    let mut p2 = match len {
        Some(l) => int_arg(l),
        None => 1_000_000_000, // SQLITE_LIMIT_LENGTH
    };
    // A port of SQLite's substrFunc arithmetic (saturating where C would wrap).
    let mut neg_p2 = false;
    if p2 < 0 {
        p2 = p2.saturating_neg();
        neg_p2 = true;
    }
    if p1 < 0 {
        p1 = p1.saturating_add(n);
        if p1 < 0 {
            p2 = p2.saturating_add(p1);
            if p2 < 0 {
                p2 = 0;
            }
            p1 = 0;
        }
    } else if p1 > 0 {
        p1 -= 1;
    } else if p2 > 0 {
        p2 -= 1;
    }
    if neg_p2 {
        p1 = p1.saturating_sub(p2);
        if p1 < 0 {
            p2 = p2.saturating_add(p1);
            p1 = 0;
        }
    }
    let begin = p1.clamp(0, n) as usize;
    let end = p1.saturating_add(p2.max(0)).clamp(begin as i64, n) as usize;
    match s {
        Value::Blob(b) => Value::Blob(b[begin..end].to_vec()),
        _ => Value::Text(chars[begin..end].iter().collect()),
    }
}

/// `trim(v [, chars])`, `ltrim`, `rtrim`: strips any of `chars` (default a space).
pub fn trim(v: &Value, chars: Option<&Value>, left: bool, right: bool) -> Value {
    if v.is_null() || chars.is_some_and(Value::is_null) {
        return Value::Null;
    }
    let set: Vec<char> = chars.map_or_else(|| vec![' '], |c| text_of(c).chars().collect());
    let s = text_of(v);
    let mut out: &str = &s;
    if left {
        out = out.trim_start_matches(|c| set.contains(&c));
    }
    if right {
        out = out.trim_end_matches(|c| set.contains(&c));
    }
    Value::Text(out.to_string())
}

/// `instr(haystack, needle)`: 1-based character position, 0 when absent
/// (byte positions when both are blobs).
pub fn instr(hay: &Value, needle: &Value) -> Value {
    match (hay, needle) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Blob(h), Value::Blob(n)) => {
            let pos = if n.is_empty() { Some(0) } else { h.windows(n.len()).position(|w| w == n.as_slice()) };
            Value::Integer(pos.map_or(0, |p| p as i64 + 1))
        }
        _ => {
            let (h, n) = (text_of(hay), text_of(needle));
            Value::Integer(h.find(&n).map_or(0, |b| h[..b].chars().count() as i64 + 1))
        }
    }
}

/// `hex(v)`: upper-case hex of the blob or of the text's UTF-8 bytes.
pub fn hex(v: &Value) -> Value {
    let bytes = match v {
        Value::Null => Vec::new(),
        Value::Blob(b) => b.clone(),
        x => text_of(x).into_bytes(),
    };
    Value::Text(bytes.iter().map(|x| format!("{x:02X}")).collect())
}

/// `unhex(x [, ignored])`: the bytes the hex digit pairs of `x` spell
/// (either case); characters of `ignored` that are not hex digits may
/// stand between pairs. NULL if either is NULL, a digit is unpaired, or
/// another character appears.
pub fn unhex(x: &Value, ignored: Option<&Value>) -> Value {
    if x.is_null() || ignored.is_some_and(Value::is_null) {
        return Value::Null;
    }
    let skip = ignored.map(text_of).unwrap_or_default();
    let text = text_of(x);
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c.to_digit(16) {
            Some(hi) => match chars.next().and_then(|d| d.to_digit(16)) {
                Some(lo) => out.push((hi * 16 + lo) as u8),
                None => return Value::Null,
            },
            None if skip.contains(c) => {}
            None => return Value::Null,
        }
    }
    Value::Blob(out)
}

/// `concat(x, …)` (`sep` = `None`) and `concat_ws(sep, x, …)`: the text of
/// the non-NULL arguments, joined by `sep`'s text; `concat_ws` with a NULL
/// separator is NULL, and no non-NULL argument gives `''`.
pub fn concat(sep: Option<&Value>, args: &[Value]) -> Value {
    let sep = match sep {
        Some(Value::Null) => return Value::Null,
        Some(s) => text_of(s),
        None => String::new(),
    };
    let parts: Vec<String> = args.iter().filter(|a| !a.is_null()).map(text_of).collect();
    Value::Text(parts.join(&sep))
}

/// `quote(v)`: the SQL literal of a value. A REAL that 15 digits do not
/// round-trip is written with 20 decimals in exponent form, as SQLite does.
pub fn quote(v: &Value) -> Value {
    Value::Text(match v {
        Value::Null => "NULL".into(),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Blob(b) => format!("X'{}'", b.iter().map(|x| format!("{x:02X}")).collect::<String>()),
        Value::Real(f) if f.is_finite() => {
            let short = crate::types::numfmt::format_real(*f);
            if short.parse::<f64>().ok() == Some(*f) {
                short
            } else {
                let spec =
                    FloatSpec { style: FloatStyle::Exp, precision: 20, alternate: false, alt2: true, upper: false };
                format!("{}{}", if *f < 0.0 { "-" } else { "" }, render_abs(*f, spec))
            }
        }
        other => other.to_string(),
    })
}

/// `char(c1, c2, …)`: the text of these code points (invalid ones → U+FFFD).
pub fn char_fn(args: &[Value]) -> Value {
    Value::Text(
        args.iter().map(|a| u32::try_from(int_of(a)).ok().and_then(char::from_u32).unwrap_or('\u{fffd}')).collect(),
    )
}

/// `unicode(s)`: the code point of the first character; NULL for '' or NULL.
pub fn unicode(v: &Value) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    text_of(v).chars().next().map_or(Value::Null, |c| Value::Integer(i64::from(u32::from(c))))
}

/// `replace(s, from, to)`; an empty `from` returns `s` itself, of its own
/// type (SQLite's shortcut: `replace(1.5, '', 'x')` is the REAL 1.5).
pub fn replace(s: &Value, from: &Value, to: &Value) -> Value {
    if s.is_null() || from.is_null() {
        return Value::Null;
    }
    let from = text_of(from);
    if from.is_empty() {
        // SQLite read the value as text first: a blob comes back as text.
        match s {
            Value::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
            other => other.clone(),
        }
    } else if to.is_null() {
        Value::Null
    } else {
        Value::Text(text_of(s).replace(&from, &text_of(to)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(t: &str, p: &str) -> bool {
        like(&Value::from(t), &Value::from(p), None).unwrap().unwrap()
    }

    fn g(t: &str, p: &str) -> bool {
        glob(&Value::from(t), &Value::from(p)).unwrap()
    }

    #[test]
    fn like_is_ascii_case_insensitive_with_wildcards() {
        assert!(l("Hello", "hello"));
        assert!(l("Hello", "h%o"));
        assert!(l("Hello", "_ello"));
        assert!(!l("Hello", "h_o"));
        assert!(l("abcabc", "%bc"));
        assert!(l("", "%"));
        assert!(!l("abc", ""));
        let esc = Value::from("!");
        assert_eq!(like(&Value::from("50%"), &Value::from("50!%"), Some(&esc)).unwrap(), Some(true));
        assert_eq!(like(&Value::from("500"), &Value::from("50!%"), Some(&esc)).unwrap(), Some(false));
    }

    #[test]
    fn glob_is_case_sensitive_with_sets() {
        assert!(g("abc", "a*"));
        assert!(!g("ABC", "a*"));
        assert!(g("a]", "*[]]"));
        assert!(!g("b", "[^a-c]"));
        assert!(g("d", "[^a-c]"));
        assert!(!g("x", "["));
        assert!(g("abc", "a?c"));
        assert!(g("a-", "a[x-]"));
    }

    #[test]
    fn substr_follows_sqlite() {
        let s = Value::from("hello");
        let sub = |a: i64, b: Option<i64>| substr(&s, &Value::Integer(a), b.map(Value::Integer).as_ref());
        assert_eq!(sub(2, Some(3)), Value::from("ell"));
        assert_eq!(sub(-3, None), Value::from("llo"));
        assert_eq!(sub(0, Some(2)), Value::from("h"));
        assert_eq!(sub(4, Some(-2)), Value::from("el"));
        assert_eq!(substr(&Value::from("abc"), &Value::Integer(10), Some(&Value::Integer(-2))), Value::from(""));
        assert_eq!(sub(i64::MIN, Some(i64::MAX)), Value::from(""));
        assert_eq!(sub(i64::MAX, Some(i64::MIN)), Value::from(""));
    }

    #[test]
    fn quote_char_unicode() {
        assert_eq!(quote(&Value::Real(0.1)), Value::from("0.1"));
        assert_eq!(quote(&Value::Real(0.1 + 0.2)), Value::from("3.00000000000000044408e-01"));
        assert_eq!(quote(&Value::from("a'b")), Value::from("'a''b'"));
        assert_eq!(quote(&Value::Blob(vec![10, 255])), Value::from("X'0AFF'"));
        assert_eq!(quote(&Value::Null), Value::from("NULL"));
        assert_eq!(char_fn(&[Value::Integer(72), Value::Integer(105)]), Value::from("Hi"));
        assert_eq!(char_fn(&[Value::Integer(0x110000)]), Value::from("\u{fffd}"));
        assert_eq!(unicode(&Value::from("é")), Value::Integer(233));
        assert!(unicode(&Value::from("")).is_null());
    }
}
