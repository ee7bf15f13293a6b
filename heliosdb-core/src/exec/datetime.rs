//! SQLite's date and time functions: `strftime`, `date`, `time`, `datetime`,
//! `unixepoch`, `julianday` with their modifiers. All times are UTC
//! (`'localtime'` and `'utc'` are accepted and change nothing).
//!
//! A moment is held as microseconds since the Unix epoch. Invalid input gives
//! NULL, as in SQLite.

use super::arith::text_of;
use crate::error::Result;
use crate::types::Value;

const US_PER_SEC: i64 = 1_000_000;
const US_PER_DAY: i64 = 86_400 * US_PER_SEC;
const JD_UNIX_EPOCH: f64 = 2_440_587.5;
/// Moments further than this from 1970 (about ±12,700 years) are NULL:
/// SQLite only handles years 0000–9999, and the limit keeps every date
/// computation far from integer overflow.
const MAX_US: i64 = 400_000_000_000_000_000;

fn in_range(t: i64) -> Option<i64> {
    (-MAX_US..=MAX_US).contains(&t).then_some(t)
}

/// Microseconds from a float amount, if finite and in range.
fn float_us(x: f64) -> Option<i64> {
    (x.is_finite() && x.abs() <= MAX_US as f64).then(|| x.round() as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (day may overflow the month).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `HH:MM[:SS[.fff]]` into microseconds of the day.
fn parse_time_of_day(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, ':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let (sec, frac_us) = match parts.next() {
        None => (0, 0),
        Some(rest) => {
            let (whole, frac) = rest.split_once('.').unwrap_or((rest, ""));
            let sec = num(whole)?;
            let frac_us = if frac.is_empty() {
                0
            } else {
                let digits: String = frac.chars().take(6).collect();
                num(&digits)? * 10i64.pow(6 - digits.len() as u32)
            };
            (sec, frac_us)
        }
    };
    if h > 24 || m > 59 || sec > 60 {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * US_PER_SEC + frac_us)
}

/// `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of a moment in microseconds.
pub fn format_us(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(US_PER_DAY));
    let in_day = t.rem_euclid(US_PER_DAY);
    let secs = in_day / US_PER_SEC;
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:06}", secs / 3600, secs / 60 % 60, secs % 60, in_day % US_PER_SEC)
}

/// Parses the text forms SQLite accepts for a moment.
pub fn parse_text(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')).unwrap_or(s);
    if s.len() >= 10 && s.as_bytes().get(4) == Some(&b'-') {
        let y = num(&s[0..4])?;
        let m = num(s.get(5..7)?)?;
        let d = num(s.get(8..10)?)?;
        if s.as_bytes().get(7) != Some(&b'-') || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        let day_us = days_from_civil(y, m, d) * US_PER_DAY;
        let rest = &s[10..];
        if rest.is_empty() {
            return Some(day_us);
        }
        let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
        return Some(day_us + parse_time_of_day(rest.trim())?);
    }
    parse_time_of_day(s).map(|t| days_from_civil(2000, 1, 1) * US_PER_DAY + t)
}

fn jd_to_us(jd: f64) -> Option<i64> {
    float_us((jd - JD_UNIX_EPOCH) * US_PER_DAY as f64)
}

/// Applies one modifier; `None` = invalid modifier.
fn apply_modifier(t: i64, m: &str) -> Option<i64> {
    let m = m.trim().to_ascii_lowercase();
    match m.as_str() {
        "start of day" => return Some(t.div_euclid(US_PER_DAY) * US_PER_DAY),
        "start of month" => {
            let (y, mo, _) = civil_from_days(t.div_euclid(US_PER_DAY));
            return Some(days_from_civil(y, mo, 1) * US_PER_DAY);
        }
        "start of year" => {
            let (y, _, _) = civil_from_days(t.div_euclid(US_PER_DAY));
            return Some(days_from_civil(y, 1, 1) * US_PER_DAY);
        }
        "utc" | "localtime" => return Some(t),
        _ => {}
    }
    if let Some(n) = m.strip_prefix("weekday ") {
        let want = num(n.trim())?;
        if want > 6 {
            return None;
        }
        let days = t.div_euclid(US_PER_DAY);
        let w = (days + 4).rem_euclid(7);
        return in_range(t + (want - w).rem_euclid(7) * US_PER_DAY);
    }
    let (amount, unit) = m.split_once(char::is_whitespace)?;
    let amount: f64 = amount.parse().ok()?;
    let unit = unit.trim().trim_end_matches('s');
    let add = |us: f64| in_range(t.checked_add(float_us(amount * us)?)?);
    match unit {
        "second" => add(US_PER_SEC as f64),
        "minute" => add(60.0 * US_PER_SEC as f64),
        "hour" => add(3600.0 * US_PER_SEC as f64),
        "day" => add(US_PER_DAY as f64),
        "month" | "year" => {
            if !amount.is_finite() || amount.abs() > 200_000.0 {
                return None;
            }
            let whole = amount.trunc() as i64;
            let months = if unit == "year" { whole * 12 } else { whole };
            let day = t.div_euclid(US_PER_DAY);
            let tod = t.rem_euclid(US_PER_DAY);
            let (y, mo, d) = civil_from_days(day);
            let total = y * 12 + (mo - 1) + months;
            let nd = days_from_civil(total.div_euclid(12), total.rem_euclid(12) + 1, d);
            in_range(nd * US_PER_DAY + tod)
        }
        _ => None,
    }
}

/// Resolves the time argument and modifiers to a moment, or `None` (NULL).
fn resolve(args: &[Value], now_us: i64) -> Option<i64> {
    let (first, modifiers) = match args.split_first() {
        None => return Some(now_us),
        Some(x) => x,
    };
    let mut mods = modifiers.iter().map(text_of).peekable();
    let mut t = match first {
        Value::Null => return None,
        Value::Text(s) if s.trim().eq_ignore_ascii_case("now") => now_us,
        Value::Text(s) => match parse_text(s) {
            Some(t) => t,
            None => {
                let f: f64 = s.trim().parse().ok()?;
                numeric_moment(f, &mut mods)?
            }
        },
        other => numeric_moment(other.as_f64()?, &mut mods)?,
    };
    t = in_range(t)?;
    for m in mods {
        t = apply_modifier(t, &m)?;
    }
    Some(t)
}

/// A number is a Julian day, or Unix seconds when followed by 'unixepoch'.
fn numeric_moment(f: f64, mods: &mut std::iter::Peekable<impl Iterator<Item = String>>) -> Option<i64> {
    if mods.peek().is_some_and(|m| m.trim().eq_ignore_ascii_case("unixepoch")) {
        mods.next();
        return float_us(f * US_PER_SEC as f64);
    }
    jd_to_us(f)
}

/// `strftime(format, time, modifiers…)`.
///
/// # Errors
/// None today; the signature leaves room for strict modes.
pub fn strftime(fmt: &Value, args: &[Value], now_us: i64) -> Result<Value> {
    if fmt.is_null() {
        return Ok(Value::Null);
    }
    let Some(t) = resolve(args, now_us) else { return Ok(Value::Null) };
    let day = t.div_euclid(US_PER_DAY);
    let tod = t.rem_euclid(US_PER_DAY);
    let (y, m, d) = civil_from_days(day);
    let (hh, mm) = (tod / 3_600_000_000, (tod / 60_000_000) % 60);
    let ss = (tod / US_PER_SEC) % 60;
    let frac_ms = (tod % US_PER_SEC) / 1000;
    let yday = day - days_from_civil(y, 1, 1);
    let wday = (day + 4).rem_euclid(7);
    let mut out = String::new();
    let mut chars = text_of(fmt).chars().collect::<Vec<_>>().into_iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else { return Ok(Value::Null) };
        match spec {
            'd' => out.push_str(&format!("{d:02}")),
            'e' => out.push_str(&format!("{d:2}")),
            'f' => out.push_str(&format!("{ss:02}.{frac_ms:03}")),
            'H' => out.push_str(&format!("{hh:02}")),
            'j' => out.push_str(&format!("{:03}", yday + 1)),
            'J' => out.push_str(&format!("{}", t as f64 / US_PER_DAY as f64 + JD_UNIX_EPOCH)),
            'm' => out.push_str(&format!("{m:02}")),
            'M' => out.push_str(&format!("{mm:02}")),
            's' => out.push_str(&format!("{}", t.div_euclid(US_PER_SEC))),
            'S' => out.push_str(&format!("{ss:02}")),
            'w' => out.push_str(&format!("{wday}")),
            'W' => out.push_str(&format!("{:02}", (yday + 7 - (wday + 6) % 7) / 7)),
            'Y' => out.push_str(&format!("{y:04}")),
            '%' => out.push('%'),
            _ => return Ok(Value::Null),
        }
    }
    Ok(Value::Text(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(fmt: &str, args: &[&str]) -> Value {
        let args: Vec<Value> = args.iter().map(|a| Value::from(*a)).collect();
        strftime(&Value::from(fmt), &args, 0).unwrap()
    }

    #[test]
    fn civil_round_trip() {
        for z in [-800_000, -1, 0, 1, 11_016, 19_723, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn formats_and_modifiers() {
        assert_eq!(st("%s", &["2024-01-01 00:00:00"]), Value::from("1704067200"));
        assert_eq!(st("%Y-%m-%d", &["2024-01-31", "+1 month"]), Value::from("2024-03-02"));
        assert_eq!(
            st("%Y-%m-%d %H:%M:%S", &["2024-03-10 13:45:10", "start of day"]),
            Value::from("2024-03-10 00:00:00")
        );
        assert_eq!(st("%Y-%m-%d", &["2024-03-10", "-7 days"]), Value::from("2024-03-03"));
        assert_eq!(st("%H:%M", &["2024-03-10 10:00", "-1 hour"]), Value::from("09:00"));
        assert_eq!(st("%w %j", &["2024-01-01"]), Value::from("1 001"));
        assert!(st("%Y", &["not a date"]).is_null());
        assert!(st("%Y", &["2024-01-01", "+1 fortnight"]).is_null());
        // Amounts that would overflow give NULL, never a panic.
        assert!(st("%Y", &["2024-01-01", "+9000000000000000000 years"]).is_null());
        assert!(st("%Y", &["2024-01-01", "+1e15 days"]).is_null());
        assert!(st("%Y", &["2024-01-01", "-1e300 seconds"]).is_null());
        let far =
            strftime(&Value::from("%Y"), &[Value::Real(1e300), Value::from("unixepoch"), Value::from("+1 day")], 0);
        assert!(far.unwrap().is_null());
        assert_eq!(st("%Y", &["2024-01-01", "+7000 years"]), Value::from("9024"));
    }

    #[test]
    fn numbers_are_julian_days_unless_unixepoch() {
        let v =
            strftime(&Value::from("%Y-%m-%d %H:%M:%S"), &[Value::Integer(1_700_000_000), Value::from("unixepoch")], 0)
                .unwrap();
        assert_eq!(v, Value::from("2023-11-14 22:13:20"));
        let jd = strftime(&Value::from("%Y-%m-%d"), &[Value::Real(2_460_310.5)], 0).unwrap();
        assert_eq!(jd, Value::from("2024-01-01"));
    }
}
