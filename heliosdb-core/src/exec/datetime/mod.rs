//! SQLite 3.40's date and time functions: `date`, `time`, `datetime`,
//! `julianday`, `unixepoch` and `strftime`, with their modifiers.
//!
//! * [`moment`] — the [`moment::DateTime`] being computed: julian-day
//!   milliseconds and calendar fields, converted as SQLite converts them;
//! * [`parse`] — the time texts SQLite accepts;
//! * [`modifier`] — the modifiers;
//! * [`storage`] — the canonical text DATE/TIME/TIMESTAMP columns store;
//! * this module — resolving the arguments, and the output formats.
//!
//! Results match SQLite's to the character, including its rounding to
//! milliseconds, its range (years 0000–9999; NULL outside), and NULL for
//! any text or modifier it does not accept. The process's local time zone
//! is taken to be UTC (see [`modifier`]). The format codes are 3.40's:
//! `%d %f %H %j %J %m %M %s %S %w %W %Y %%`; any other gives NULL (later
//! SQLite versions added `%e %k %l %p %u …`).

pub mod modifier;
pub mod moment;
pub mod parse;
pub mod storage;

use super::arith::text_of;
use crate::error::Result;
use crate::types::numfmt::{render_abs, FloatSpec, FloatStyle};
use crate::types::Value;
use moment::{valid_julian_day, DateTime, MS_PER_DAY, UNIX_EPOCH_JD_MS};

/// Which date function is called (all share argument handling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFn {
    /// `date(…)`: `YYYY-MM-DD`.
    Date,
    /// `time(…)`: `HH:MM:SS`.
    Time,
    /// `datetime(…)`: `YYYY-MM-DD HH:MM:SS`.
    DateTime,
    /// `julianday(…)`: a REAL.
    JulianDay,
    /// `unixepoch(…)`: an INTEGER.
    UnixEpoch,
}

/// The statement clock as julian-day milliseconds.
pub(super) fn now_jd(now_us: i64) -> i64 {
    now_us.div_euclid(1000) + UNIX_EPOCH_JD_MS
}

/// Resolves a time value and its modifiers (SQLite's `isDate`); `None` is NULL.
fn resolve(args: &[Value], now_us: i64) -> Option<DateTime> {
    let Some((first, modifiers)) = args.split_first() else {
        return Some(DateTime::at_jd(now_jd(now_us)));
    };
    let mut p = match first {
        Value::Null => return None,
        Value::Integer(_) | Value::Real(_) | Value::Decimal(_) | Value::Boolean(_) => {
            let mut p = DateTime::default();
            p.set_raw_number(first.as_f64()?);
            p
        }
        other => {
            let text = text_of(other);
            match parse::parse_date_or_time(&text) {
                Some(p) => p,
                None if text.eq_ignore_ascii_case("now") => DateTime::at_jd(now_jd(now_us)),
                None => return None,
            }
        }
    };
    for (i, m) in modifiers.iter().enumerate() {
        if m.is_null() || !modifier::apply(&text_of(m), &mut p, i + 1) {
            return None;
        }
    }
    p.compute_jd();
    (!p.is_error && valid_julian_day(p.i_jd)).then_some(p)
}

/// `YYYY-MM-DD`, a negative year as `-YYYY` (SQLite's `date()`).
fn ymd_text(p: &DateTime) -> String {
    let sign = if p.y < 0 { "-" } else { "" };
    format!("{sign}{:04}-{:02}-{:02}", p.y.abs(), p.m, p.d)
}

fn hms_text(p: &DateTime) -> String {
    format!("{:02}:{:02}:{:02}", p.h, p.min, p.s as i64)
}

/// Calls one of the date functions.
///
/// # Errors
/// None: bad input gives NULL, as in SQLite (the `Result` keeps the
/// function-call signature uniform).
pub fn call(f: DateFn, args: &[Value], now_us: i64) -> Result<Value> {
    let Some(mut p) = resolve(args, now_us) else { return Ok(Value::Null) };
    Ok(match f {
        DateFn::Date => {
            p.compute_ymd();
            Value::Text(ymd_text(&p))
        }
        DateFn::Time => {
            p.compute_hms();
            Value::Text(hms_text(&p))
        }
        DateFn::DateTime => {
            p.compute_ymd_hms();
            Value::Text(format!("{} {}", ymd_text(&p), hms_text(&p)))
        }
        DateFn::JulianDay => Value::Real(p.i_jd as f64 / MS_PER_DAY as f64),
        DateFn::UnixEpoch => Value::Integer(p.i_jd / 1000 - UNIX_EPOCH_JD_MS / 1000),
    })
}

/// `strftime(format, time, modifiers…)`.
///
/// # Errors
/// None: an unknown format code or bad time gives NULL, as in SQLite 3.40.
pub fn strftime(fmt: &Value, args: &[Value], now_us: i64) -> Result<Value> {
    if fmt.is_null() {
        return Ok(Value::Null);
    }
    let Some(mut x) = resolve(args, now_us) else { return Ok(Value::Null) };
    x.compute_ymd_hms();
    let fmt = text_of(fmt);
    let mut out = String::with_capacity(fmt.len() + 8);
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str(&format!("{:02}", x.d)),
            Some('f') => {
                let s = x.s.min(59.999);
                let spec =
                    FloatSpec { style: FloatStyle::Fixed, precision: 3, alternate: false, alt2: false, upper: false };
                out.push_str(&format!("{:0>6}", render_abs(s, spec)));
            }
            Some('H') => out.push_str(&format!("{:02}", x.h)),
            Some(code @ ('W' | 'j')) => {
                let mut y = x.clone();
                y.valid_jd = false;
                y.m = 1;
                y.d = 1;
                y.compute_jd();
                let n_day = (x.i_jd - y.i_jd + 43_200_000) / MS_PER_DAY;
                if code == 'W' {
                    let wd = ((x.i_jd + 43_200_000) / MS_PER_DAY) % 7;
                    out.push_str(&format!("{:02}", (n_day + 7 - wd) / 7));
                } else {
                    out.push_str(&format!("{:03}", n_day + 1));
                }
            }
            Some('J') => {
                let spec = FloatSpec {
                    style: FloatStyle::General,
                    precision: 16,
                    alternate: false,
                    alt2: false,
                    upper: false,
                };
                out.push_str(&render_abs(x.i_jd as f64 / MS_PER_DAY as f64, spec));
            }
            Some('m') => out.push_str(&format!("{:02}", x.m)),
            Some('M') => out.push_str(&format!("{:02}", x.min)),
            Some('s') => out.push_str(&(x.i_jd / 1000 - UNIX_EPOCH_JD_MS / 1000).to_string()),
            Some('S') => out.push_str(&format!("{:02}", x.s as i64)),
            Some('w') => out.push_str(&(((x.i_jd + 129_600_000) / MS_PER_DAY) % 7).to_string()),
            Some('Y') => out.push_str(&format!("{:04}", x.y)),
            Some('%') => out.push('%'),
            _ => return Ok(Value::Null),
        }
    }
    Ok(Value::Text(out))
}

/// `YYYY-MM-DD HH:MM:SS.ffffff` of a moment in microseconds since 1970 (UTC):
/// how commit times and `AS OF` points print.
pub fn format_us(t: i64) -> String {
    let mut p = DateTime::at_jd(t.div_euclid(1000) + UNIX_EPOCH_JD_MS);
    p.compute_ymd_hms();
    format!("{} {:02}:{:02}:{:02}.{:06}", ymd_text(&p), p.h, p.min, p.s as i64, (t.rem_euclid(1_000_000)))
}

/// A date/time text (SQLite's forms, not a bare number) as microseconds
/// since 1970, keeping sub-millisecond digits: how `AS OF TIMESTAMP` reads.
pub fn parse_text(s: &str) -> Option<i64> {
    let mut p = parse::parse_date_or_time(s)?;
    if p.raw_s {
        return None;
    }
    let mut frac_us = 0.0;
    if p.valid_hms {
        frac_us = ((p.s - p.s.floor()) * 1e6).round();
        p.s = p.s.floor();
    }
    p.compute_jd();
    if p.is_error {
        return None;
    }
    Some((p.i_jd - UNIX_EPOCH_JD_MS) * 1000 + frac_us as i64)
}

#[cfg(test)]
mod tests;
