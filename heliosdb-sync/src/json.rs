//! Parsing the feed's JSON objects without losing a double.
//!
//! serde_json's default number parser is fast but not correctly rounded:
//! `9.139100815458475e288` comes back one unit in the last place off, so a
//! REAL would reach PostgreSQL changed. Its exact modes are cargo features
//! that would change serde_json for the whole workspace, so the feed's
//! objects (column → scalar; nested objects and arrays too, as in the
//! Kafka envelopes the tests read back) are read here, numbers with Rust's
//! own correctly rounded parser.

use serde_json::{Map, Number, Value as Json};

/// Parses a JSON object.
///
/// # Errors
/// A message when `text` is not one JSON object.
pub fn parse_object(text: &str) -> Result<Map<String, Json>, String> {
    let mut p = Parser { s: text.as_bytes(), text, i: 0 };
    p.ws();
    let v = p.object()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing characters at {}", p.i));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", c as char, self.i))
        }
    }

    fn object(&mut self) -> Result<Map<String, Json>, String> {
        self.expect(b'{')?;
        let mut m = Map::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(m);
        }
        loop {
            self.ws();
            let k = self.string()?;
            self.expect(b':')?;
            self.ws();
            let v = self.value()?;
            m.insert(k, v);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(m);
                }
                _ => return Err(format!("expected ',' or '}}' at {}", self.i)),
            }
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.peek() {
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'{') => self.object().map(Json::Object),
            Some(b'[') => self.array(),
            _ => Err(format!("unexpected character at {}", self.i)),
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(format!("bad literal at {}", self.i))
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        while self.i < self.s.len() && matches!(self.s[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
            self.i += 1;
        }
        let t = &self.text[start..self.i];
        if let Ok(n) = t.parse::<i64>() {
            return Ok(Json::from(n));
        }
        if let Ok(n) = t.parse::<u64>() {
            return Ok(Json::from(n));
        }
        let f: f64 = t.parse().map_err(|_| format!("bad number {t:?}"))?;
        Number::from_f64(f).map(Json::Number).ok_or_else(|| format!("number out of range {t:?}"))
    }

    /// An array inside a value (nested objects go through [`Parser::object`]).
    fn array(&mut self) -> Result<Json, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(format!("expected ',' or ']' at {}", self.i)),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(format!("expected a string at {}", self.i));
        }
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i] != b'"' && self.s[self.i] != b'\\' {
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let c = *self.s.get(self.i + 1).ok_or("unterminated escape")?;
                    self.i += 2;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode()?),
                        _ => return Err(format!("bad escape at {}", self.i)),
                    }
                }
                _ => return Err("unterminated string".into()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self.text.get(self.i..self.i + 4).ok_or("short \\u escape")?;
        self.i += 4;
        u32::from_str_radix(h, 16).map_err(|_| format!("bad \\u escape {h:?}"))
    }

    fn unicode(&mut self) -> Result<char, String> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err("bad surrogate pair".into());
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| format!("bad code point {code:x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_parse_exactly() {
        let m = parse_object(r#"{"v": 9.139100815458475e288}"#).unwrap();
        assert_eq!(m["v"].as_f64().unwrap().to_bits(), 9.139100815458475e288f64.to_bits());
        // Many doubles written the way the feed writes them come back bit for bit.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            let Some(n) = Number::from_f64(f) else { continue };
            let text = format!("{{\"v\":{n}}}");
            assert_eq!(parse_object(&text).unwrap()["v"].as_f64().unwrap().to_bits(), f.to_bits(), "{text}");
        }
        // Inside nested objects and arrays too.
        let m = parse_object(r#"{"after": {"v": [9.139100815458475e288]}}"#).unwrap();
        assert_eq!(m["after"]["v"][0].as_f64().unwrap().to_bits(), 9.139100815458475e288f64.to_bits());
    }

    #[test]
    fn agrees_with_serde_json_on_everything_else() {
        for text in [
            r#"{}"#,
            r#" { "a" : 1 , "b":-9223372036854775808, "c": 18446744073709551615, "d": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00y" } "#,
            r#"{"n": null, "t": true, "f": false, "s": "", "u": "ünï", "z": 0, "e": 1E5, "neg": -0.5}"#,
            r#"{"nested": {"a": [1, "]", {"b": "}"}]}, "after": 2}"#,
            r#"{"empty": [], "e2": [ ], "o": {}, "deep": [[[]], {"x": [null]}]}"#,
        ] {
            let want: Map<String, Json> = serde_json::from_str(text).unwrap();
            assert_eq!(parse_object(text).unwrap(), want, "{text}");
        }
        for bad in [
            r#""#,
            r#"[1]"#,
            r#"{"a"}"#,
            r#"{"a":1,}"#,
            r#"{"a":tru}"#,
            r#"{"a":"x}"#,
            r#"{"a":1} x"#,
            r#"{"a":"\q"}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1}"#,
        ] {
            assert!(parse_object(bad).is_err(), "{bad}");
        }
    }
}
