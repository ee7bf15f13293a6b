//! The JSON tree as SQLite 3.40's JSON1 keeps it: a strict RFC 8259 parser
//! (no JSON5), and a printer that writes the minified text back with every
//! number and string spelled as in the input (`1.50` stays `1.50`, `"\u0041"`
//! stays escaped), object keys in their order, duplicates kept.

use crate::error::{sql_err, Result};
use crate::exec::arith::text_of;
use crate::types::Value;

/// How deeply arrays and objects may nest (SQLite 3.40's `JSON_MAX_DEPTH`).
pub const MAX_DEPTH: usize = 2000;

/// One node of a parsed document, or one that an edit put there.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`
    Null,
    /// `true`
    True,
    /// `false`
    False,
    /// An integer, as written.
    Int(String),
    /// A number with a fraction or exponent, as written.
    Real(String),
    /// A string from the input: the text between the quotes, escapes kept.
    Str(String),
    /// A string that came from SQL (an object key `json_set` added): plain
    /// text, escaped when printed.
    Label(String),
    /// `[…]`
    Array(Vec<Node>),
    /// An array that `json_set`/`json_insert` appended to in this call
    /// (lookups in it follow a SQLite 3.40 quirk, see `path`).
    Grown(Vec<Node>),
    /// `{…}`: (key, value) pairs in order; keys are [`Node::Str`] or [`Node::Label`].
    Object(Vec<(Node, Node)>),
    /// A node `json_remove` took out: lookups still pass through it (as in
    /// SQLite), array indexes and the printer skip it.
    Removed(Box<Node>),
    /// An SQL value `json_set`/`json_insert`/`json_replace` put here, and
    /// whether it is JSON text (SQLite's JSON subtype). Lookups do not enter it.
    Sql(Value, bool),
}

/// Parses `text` as one JSON value with surrounding blanks.
///
/// # Errors
/// "malformed JSON" for anything SQLite 3.40's `json()` rejects, nesting
/// deeper than [`MAX_DEPTH`] included.
pub fn parse(text: &str) -> Result<Node> {
    let mut p = Parser { z: text.as_bytes(), i: 0, depth: 0 };
    let node = p.value().ok_or_else(malformed)?;
    p.skip_blanks();
    if p.i != p.z.len() {
        return Err(malformed());
    }
    Ok(node)
}

/// The error every parse failure reports, as SQLite words it.
pub fn malformed() -> crate::error::Error {
    sql_err!("malformed JSON")
}

/// A byte-level recursive-descent parser following SQLite 3.40's `jsonParseValue`.
struct Parser<'a> {
    z: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn at(&self, i: usize) -> u8 {
        self.z.get(i).copied().unwrap_or(0)
    }

    /// JSON's four blanks only (SQLite 3.40 does not skip `\f` or `\v`).
    fn skip_blanks(&mut self) {
        while matches!(self.at(self.i), b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_blanks();
        let c = self.at(self.i);
        match c {
            b'{' | b'[' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                let node = if c == b'{' { self.object()? } else { self.array()? };
                self.depth -= 1;
                Some(node)
            }
            b'"' => self.string().map(Node::Str),
            b'-' | b'0'..=b'9' => self.number(),
            _ => self.literal(),
        }
    }

    fn object(&mut self) -> Option<Node> {
        let mut entries = Vec::new();
        loop {
            self.skip_blanks();
            if entries.is_empty() && self.at(self.i) == b'}' {
                self.i += 1;
                return Some(Node::Object(entries));
            }
            // SQLite parses any value as the key, then insists it was a string.
            let key = self.value()?;
            if !matches!(key, Node::Str(_)) {
                return None;
            }
            self.skip_blanks();
            if self.at(self.i) != b':' {
                return None;
            }
            self.i += 1;
            let value = self.value()?;
            entries.push((key, value));
            self.skip_blanks();
            match self.at(self.i) {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(Node::Object(entries));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<Node> {
        let mut items = Vec::new();
        loop {
            self.skip_blanks();
            if items.is_empty() && self.at(self.i) == b']' {
                self.i += 1;
                return Some(Node::Array(items));
            }
            items.push(self.value()?);
            self.skip_blanks();
            match self.at(self.i) {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(Node::Array(items));
                }
                _ => return None,
            }
        }
    }

    /// A string starting at the opening quote: its raw text (escapes kept).
    fn string(&mut self) -> Option<String> {
        let start = self.i + 1;
        let mut j = start;
        loop {
            let c = self.at(j);
            if c < 0x20 {
                return None; // control characters (and the end of input)
            }
            if c == b'\\' {
                j += 1;
                match self.at(j) {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' if (1..=4).all(|k| self.at(j + k).is_ascii_hexdigit()) => {}
                    _ => return None,
                }
            } else if c == b'"' {
                break;
            }
            j += 1;
        }
        self.i = j + 1;
        // Quotes and backslashes are ASCII, so the slice is on character boundaries.
        std::str::from_utf8(&self.z[start..j]).ok().map(str::to_owned)
    }

    /// A number, checked the way SQLite 3.40 checks it (no leading zeros,
    /// digits on both sides of `.`, an exponent needs digits).
    fn number(&mut self) -> Option<Node> {
        let z = self.z;
        let i = self.i;
        let first = if self.at(i) == b'-' { i + 1 } else { i };
        if self.at(first) == b'0' && self.at(first + 1).is_ascii_digit() {
            return None;
        }
        let (mut seen_dp, mut seen_e) = (false, false);
        let mut j = i + 1;
        loop {
            let c = self.at(j);
            if c.is_ascii_digit() {
                j += 1;
                continue;
            }
            if c == b'.' {
                if z[j - 1] == b'-' || seen_dp {
                    return None;
                }
                seen_dp = true;
                j += 1;
                continue;
            }
            if c == b'e' || c == b'E' {
                if z[j - 1] < b'0' || seen_e {
                    return None;
                }
                seen_dp = true;
                seen_e = true;
                if matches!(self.at(j + 1), b'+' | b'-') {
                    j += 1;
                }
                if !self.at(j + 1).is_ascii_digit() {
                    return None;
                }
                j += 1;
                continue;
            }
            break;
        }
        if z[j - 1] < b'0' {
            return None;
        }
        self.i = j;
        let text = std::str::from_utf8(&z[i..j]).ok()?.to_owned();
        Some(if seen_dp { Node::Real(text) } else { Node::Int(text) })
    }

    fn literal(&mut self) -> Option<Node> {
        for (word, node) in [("null", Node::Null), ("true", Node::True), ("false", Node::False)] {
            let end = self.i + word.len();
            if self.z.get(self.i..end) == Some(word.as_bytes()) && !self.at(end).is_ascii_alphanumeric() {
                self.i = end;
                return Some(node);
            }
        }
        None
    }
}

/// Appends `s` as a JSON string: quotes and backslashes escaped, control
/// characters as `\b \t \n \f \r` or `\u00xx` (SQLite's `jsonAppendString`).
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends an SQL value as JSON (SQLite's `jsonAppendValue`): NULL is
/// `null`, numbers as their text, text as a JSON string unless `is_json`
/// (then as is).
///
/// # Errors
/// Blobs: "JSON cannot hold BLOB values".
pub fn push_value(out: &mut String, v: &Value, is_json: bool) -> Result<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Text(s) if is_json => out.push_str(s),
        Value::Text(s) => push_quoted(out, s),
        Value::Blob(_) => return Err(sql_err!("JSON cannot hold BLOB values")),
        other => out.push_str(&text_of(other)),
    }
    Ok(())
}

impl Node {
    /// The minified JSON text of this node.
    ///
    /// # Errors
    /// A blob put in by an edit.
    pub fn render(&self) -> Result<String> {
        let mut out = String::new();
        self.render_into(&mut out)?;
        Ok(out)
    }

    /// Appends the minified JSON text (removed nodes are skipped by their container).
    ///
    /// # Errors
    /// A blob put in by an edit.
    pub fn render_into(&self, out: &mut String) -> Result<()> {
        match self {
            Node::Null => out.push_str("null"),
            Node::True => out.push_str("true"),
            Node::False => out.push_str("false"),
            Node::Int(s) | Node::Real(s) => out.push_str(s),
            Node::Str(s) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            Node::Label(s) => push_quoted(out, s),
            Node::Array(items) | Node::Grown(items) => {
                out.push('[');
                let mut first = true;
                for item in items.iter().filter(|n| !matches!(n, Node::Removed(_))) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    item.render_into(out)?;
                }
                out.push(']');
            }
            Node::Object(entries) => {
                out.push('{');
                let mut first = true;
                for (k, v) in entries.iter().filter(|(_, v)| !matches!(v, Node::Removed(_))) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    k.render_into(out)?;
                    out.push(':');
                    v.render_into(out)?;
                }
                out.push('}');
            }
            Node::Removed(inner) => inner.render_into(out)?,
            Node::Sql(v, is_json) => push_value(out, v, *is_json)?,
        }
        Ok(())
    }

    /// The node without a [`Node::Removed`] wrapper.
    pub fn unwrapped(&self) -> &Node {
        match self {
            Node::Removed(inner) => inner.unwrapped(),
            other => other,
        }
    }

    /// `json_type()`'s name for the node.
    pub fn type_name(&self) -> &'static str {
        match self.unwrapped() {
            Node::Null => "null",
            Node::True => "true",
            Node::False => "false",
            Node::Int(_) => "integer",
            Node::Real(_) => "real",
            Node::Str(_) | Node::Label(_) => "text",
            Node::Array(_) | Node::Grown(_) => "array",
            Node::Object(_) => "object",
            Node::Removed(_) => "null",
            // Never asked in practice: lookups do not enter edited values.
            Node::Sql(v, _) => match v {
                Value::Null => "null",
                Value::Integer(_) | Value::Boolean(_) => "integer",
                Value::Real(_) | Value::Decimal(_) => "real",
                Value::Text(_) | Value::Blob(_) => "text",
            },
        }
    }

    /// Whether the node is an array or an object (returned as JSON text).
    pub fn is_container(&self) -> bool {
        matches!(self.unwrapped(), Node::Array(_) | Node::Grown(_) | Node::Object(_))
    }

    /// The SQL value of the node (SQLite's `jsonReturn`): `null` is NULL,
    /// `true`/`false` are 1/0, numbers INTEGER (REAL past the 64-bit range)
    /// or REAL, strings their decoded text, arrays and objects their JSON text.
    ///
    /// # Errors
    /// A blob put in by an edit.
    pub fn to_sql(&self) -> Result<Value> {
        Ok(match self.unwrapped() {
            Node::Null => Value::Null,
            Node::True => Value::Integer(1),
            Node::False => Value::Integer(0),
            Node::Int(s) => int_value(s),
            Node::Real(s) => Value::Real(crate::types::cast::atof(s).unwrap_or(0.0)),
            Node::Str(s) => Value::Text(decode(s)),
            Node::Label(s) => Value::Text(s.clone()),
            Node::Sql(v, _) => v.clone(),
            n @ (Node::Array(_) | Node::Grown(_) | Node::Object(_) | Node::Removed(_)) => Value::Text(n.render()?),
        })
    }
}

/// An integer's value: past `i64` it is REAL, except `-9223372036854775808`.
fn int_value(s: &str) -> Value {
    match s.parse::<i64>() {
        Ok(i) => Value::Integer(i),
        Err(_) => Value::Real(crate::types::cast::atof(s).unwrap_or(0.0)),
    }
}

/// Decodes a string's escapes as SQLite 3.40 does: `\u0000` ends the
/// string, surrogate pairs combine, and a lone surrogate (which SQLite
/// writes as invalid UTF-8) becomes U+FFFD.
pub fn decode(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_owned();
    }
    let z = raw.as_bytes();
    let hex4 = |i: usize| -> u32 {
        z.get(i..i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(p) = rest.find('\\') {
        out.push_str(&rest[..p]);
        let at = raw.len() - rest.len() + p; // index of the backslash in raw
        let esc = z.get(at + 1).copied().unwrap_or(b'\\');
        let mut next = at + 2;
        match esc {
            b'u' => {
                let v = hex4(at + 2);
                next = at + 6;
                if v == 0 {
                    return out;
                }
                let c = if (v & 0xfc00) == 0xd800
                    && z.get(next) == Some(&b'\\')
                    && z.get(next + 1) == Some(&b'u')
                    && (hex4(next + 2) & 0xfc00) == 0xdc00
                {
                    let lo = hex4(next + 2);
                    next += 6;
                    char::from_u32(((v & 0x3ff) << 10) + (lo & 0x3ff) + 0x10000)
                } else {
                    char::from_u32(v)
                };
                out.push(c.unwrap_or('\u{fffd}'));
            }
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            other => out.push(char::from(other)),
        }
        rest = raw.get(next..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(s: &str) -> String {
        parse(s).unwrap().render().unwrap()
    }

    #[test]
    fn keeps_numbers_keys_and_escapes_as_written() {
        assert_eq!(min(r#"{"b":1,"a":1.50,"a":2e3}"#), r#"{"b":1,"a":1.50,"a":2e3}"#);
        assert_eq!(min(" [1, 2 ,\"\\u0041\\n\"] "), r#"[1,2,"\u0041\n"]"#);
    }

    #[test]
    fn rejects_what_sqlite_rejects() {
        for bad in ["", " ", "01", "-", "1.", "1e", "[1,]", "{\"a\"}", "{1:2}", "\u{c}1", "truex", "[1 2]", "\"\\x\""] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        for good in ["-0", "1.5e+3", "-1.5E-3", "0.0e0", "[true]", "\"a\u{7f}\""] {
            assert!(parse(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn nesting_is_bounded_without_overflowing_the_stack() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&deep).is_err());
        assert!(parse(&"[".repeat(100_000)).is_err());
    }

    #[test]
    fn decodes_like_sqlite() {
        assert_eq!(decode(r"\u0041b"), "Ab");
        assert_eq!(decode(r"a\u0000b"), "a");
        assert_eq!(decode(r"\ud83d\ude00"), "😀");
        assert_eq!(decode(r"\/\b\f"), "/\u{8}\u{c}");
    }
}
