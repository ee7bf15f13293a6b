//! Scalar functions and LIKE.

use super::arith::text_of;
use super::datetime;
use super::eval::{eval, EvalCtx};
use crate::error::{sql_err, Result};
use crate::sql::expr::{Expr, Func};
use crate::types::cast::to_numeric;
use crate::types::compare::total_cmp;
use crate::types::Value;
use rust_decimal::Decimal;

/// `v LIKE pattern [ESCAPE esc]`: `%` any run, `_` one character, ASCII
/// letters case-insensitive. `None` when an operand is NULL.
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
    let text: Vec<char> = text_of(v).chars().collect();
    let pat: Vec<char> = text_of(pattern).chars().collect();
    Ok(Some(like_match(&text, &pat, escape)))
}

fn like_match(text: &[char], pat: &[char], escape: Option<char>) -> bool {
    // Iterative matcher with backtracking to the last '%'.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat.len() {
            let c = pat[p];
            if Some(c) == escape && p + 1 < pat.len() {
                if text[t].eq_ignore_ascii_case(&pat[p + 1]) {
                    t += 1;
                    p += 2;
                    continue;
                }
            } else if c == '%' {
                star = Some((p, t));
                p += 1;
                continue;
            } else if c == '_' || text[t].eq_ignore_ascii_case(&c) {
                t += 1;
                p += 1;
                continue;
            }
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
    while p < pat.len() && pat[p] == '%' {
        p += 1;
    }
    p == pat.len()
}

fn int_arg(v: &Value) -> Option<i64> {
    match to_numeric(v) {
        Value::Integer(i) => Some(i),
        Value::Null => None,
        other => other.as_f64().map(|f| f as i64),
    }
}

fn substr(s: &Value, start: &Value, len: Option<&Value>) -> Value {
    if s.is_null() || start.is_null() || len.is_some_and(Value::is_null) {
        return Value::Null;
    }
    let chars: Vec<char> = text_of(s).chars().collect();
    let n = chars.len() as i64;
    let mut from = int_arg(start).unwrap_or(1);
    let mut count = len.and_then(int_arg).unwrap_or(i64::MAX / 4);
    // SQLite: negative start counts from the end; start 0 eats one of the length.
    if from < 0 {
        from += n + 1;
        if from < 1 {
            count += from - 1;
            from = 1;
        }
    } else if from == 0 {
        from = 1;
        count -= 1;
    }
    if count < 0 {
        // negative length: the characters before `from`
        let end = (from - 1).clamp(0, n);
        let begin = (from - 1).saturating_add(count).clamp(0, end);
        return Value::Text(chars[begin as usize..end as usize].iter().collect());
    }
    let begin = (from - 1).min(n) as usize;
    let end = (from - 1).saturating_add(count).min(n).max(begin as i64) as usize;
    Value::Text(chars[begin..end].iter().collect())
}

fn trim(v: &Value, chars: Option<&Value>, left: bool, right: bool) -> Value {
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

fn round(v: &Value, digits: Option<&Value>) -> Value {
    if v.is_null() || digits.is_some_and(Value::is_null) {
        return Value::Null;
    }
    let d = digits.and_then(int_arg).unwrap_or(0).clamp(0, 28);
    match to_numeric(v) {
        Value::Decimal(x) => {
            Value::Decimal(x.round_dp_with_strategy(d as u32, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
        }
        other => {
            let f = other.as_f64().unwrap_or(0.0);
            let m = 10f64.powi(d as i32);
            let r = (f * m).round() / m;
            Value::Real(if r.is_finite() { r } else { f })
        }
    }
}

fn abs(v: &Value) -> Result<Value> {
    Ok(match to_numeric(v) {
        Value::Integer(i) => Value::Integer(i.checked_abs().ok_or_else(|| sql_err!("integer overflow in abs()"))?),
        Value::Real(f) => Value::Real(f.abs()),
        Value::Decimal(d) => Value::Decimal(d.abs()),
        other => other,
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Integer(_) => "integer",
        Value::Real(_) => "real",
        Value::Text(_) => "text",
        Value::Blob(_) => "blob",
        Value::Boolean(_) => "boolean",
        Value::Decimal(_) => "decimal",
    }
}

fn random() -> i64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.finish() as i64
}

/// The reader a system function needs (absent while a statement writes).
fn system_reader<'c>(ctx: &'c EvalCtx, f: Func) -> Result<&'c dyn crate::storage::Reader> {
    ctx.reader().ok_or_else(|| crate::error::Error::Sql(format!("{f:?} is not available in this part of a statement")))
}

/// Calls a scalar function (arguments are evaluated lazily where it matters:
/// COALESCE and IIF stop at the first value they need).
///
/// # Errors
/// Argument errors (bad date strings, overflow).
pub fn call(f: Func, args: &[Expr], row: &[Value], ctx: &EvalCtx) -> Result<Value> {
    match f {
        Func::Coalesce | Func::IfNull => {
            for a in args {
                let v = eval(a, row, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            return Ok(Value::Null);
        }
        Func::Iif => {
            let c = eval(&args[0], row, ctx)?;
            let pick = if crate::types::cast::truthy(&c) == Some(true) { &args[1] } else { &args[2] };
            return eval(pick, row, ctx);
        }
        _ => {}
    }
    let v: Vec<Value> = args.iter().map(|a| eval(a, row, ctx)).collect::<Result<_>>()?;
    let text_fn = |g: &dyn Fn(String) -> String| match &v[0] {
        Value::Null => Value::Null,
        x => Value::Text(g(text_of(x))),
    };
    Ok(match f {
        Func::Abs => abs(&v[0])?,
        Func::NullIf => {
            if super::eval::compare(crate::sql::expr::BinaryOp::Eq, &v[0], &v[1]) == Some(true) {
                Value::Null
            } else {
                v[0].clone()
            }
        }
        Func::Length => match &v[0] {
            Value::Null => Value::Null,
            Value::Blob(b) => Value::Integer(b.len() as i64),
            x => Value::Integer(text_of(x).chars().count() as i64),
        },
        Func::Lower => text_fn(&|s| s.to_ascii_lowercase()),
        Func::Upper => text_fn(&|s| s.to_ascii_uppercase()),
        Func::Substr => substr(&v[0], &v[1], v.get(2)),
        Func::Trim => trim(&v[0], v.get(1), true, true),
        Func::LTrim => trim(&v[0], v.get(1), true, false),
        Func::RTrim => trim(&v[0], v.get(1), false, true),
        Func::Replace => {
            if v.iter().any(Value::is_null) {
                Value::Null
            } else {
                let from = text_of(&v[1]);
                if from.is_empty() {
                    Value::Text(text_of(&v[0]))
                } else {
                    Value::Text(text_of(&v[0]).replace(&from, &text_of(&v[2])))
                }
            }
        }
        Func::Instr => {
            if v.iter().any(Value::is_null) {
                Value::Null
            } else {
                let hay = text_of(&v[0]);
                let needle = text_of(&v[1]);
                Value::Integer(hay.find(&needle).map_or(0, |b| hay[..b].chars().count() as i64 + 1))
            }
        }
        Func::Round => round(&v[0], v.get(1)),
        Func::Typeof => Value::Text(type_name(&v[0]).into()),
        Func::Hex => match &v[0] {
            Value::Null => Value::Text(String::new()),
            Value::Blob(b) => Value::Text(b.iter().map(|x| format!("{x:02X}")).collect()),
            x => Value::Text(text_of(x).bytes().map(|x| format!("{x:02X}")).collect()),
        },
        Func::Random => Value::Integer(random()),
        Func::Min | Func::Max => {
            if v.iter().any(Value::is_null) {
                Value::Null
            } else {
                let pick = v.iter().reduce(|a, b| {
                    let ord = total_cmp(a, b);
                    if (f == Func::Min) == ord.is_le() {
                        a
                    } else {
                        b
                    }
                });
                pick.cloned().unwrap_or(Value::Null)
            }
        }
        Func::Strftime => match v.split_first() {
            Some((fmt, rest)) => datetime::strftime(fmt, rest, ctx.now_us)?,
            None => Value::Null,
        },
        Func::Date => datetime::strftime(&Value::from("%Y-%m-%d"), &v, ctx.now_us)?,
        Func::Time => datetime::strftime(&Value::from("%H:%M:%S"), &v, ctx.now_us)?,
        Func::DateTime => datetime::strftime(&Value::from("%Y-%m-%d %H:%M:%S"), &v, ctx.now_us)?,
        Func::UnixEpoch => match datetime::strftime(&Value::from("%s"), &v, ctx.now_us)? {
            Value::Text(s) => s.parse::<i64>().map_or(Value::Null, Value::Integer),
            other => other,
        },
        Func::JulianDay => match datetime::strftime(&Value::from("%J"), &v, ctx.now_us)? {
            Value::Text(s) => s.parse::<f64>().map_or(Value::Null, Value::Real),
            other => other,
        },
        Func::Now => datetime::strftime(&Value::from("%Y-%m-%d %H:%M:%S"), &[], ctx.now_us)?,
        Func::Version => Value::Text(crate::VERSION.into()),
        Func::CurrentScn => Value::Integer(i64::try_from(system_reader(ctx, f)?.snapshot_scn()).unwrap_or(i64::MAX)),
        Func::LastTxid => Value::Integer(i64::try_from(ctx.last_txid).unwrap_or(i64::MAX)),
        Func::Gc => {
            let report = system_reader(ctx, f)?.engine().gc()?;
            Value::Text(format!(
                "{{\"versions_removed\":{},\"commits_removed\":{}}}",
                report.versions_removed, report.commits_removed
            ))
        }
        Func::Coalesce | Func::IfNull | Func::Iif => Value::Null,
    })
}

/// Decimal helper kept here so aggregate code can share rounding rules.
pub fn decimal_div(a: Decimal, n: i64) -> Option<Decimal> {
    a.checked_div(Decimal::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(t: &str, p: &str) -> bool {
        like(&Value::from(t), &Value::from(p), None).unwrap().unwrap()
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
    fn substr_follows_sqlite() {
        let s = Value::from("hello");
        assert_eq!(substr(&s, &Value::Integer(2), Some(&Value::Integer(3))), Value::from("ell"));
        assert_eq!(substr(&s, &Value::Integer(-3), None), Value::from("llo"));
        assert_eq!(substr(&s, &Value::Integer(0), Some(&Value::Integer(2))), Value::from("h"));
        assert_eq!(substr(&s, &Value::Integer(4), Some(&Value::Integer(-2))), Value::from("el"));
        // Out-of-range starts and huge lengths give an empty or clipped string, never a panic.
        assert_eq!(substr(&Value::from("abc"), &Value::Integer(10), Some(&Value::Integer(-2))), Value::from(""));
        // (SQLite returns '' for these two; at i64 extremes we only promise no panic.)
        assert!(matches!(substr(&s, &Value::Integer(i64::MIN), Some(&Value::Integer(i64::MAX))), Value::Text(_)));
        assert!(matches!(substr(&s, &Value::Integer(i64::MAX), Some(&Value::Integer(i64::MIN))), Value::Text(_)));
    }
}
