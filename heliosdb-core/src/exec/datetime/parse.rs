//! Time text as SQLite 3.40 reads it: `[-]YYYY-MM-DD`, then optionally
//! (after spaces or `T`) `HH:MM[:SS[.fff…]]` and a zone (`Z`, `±HH:MM`);
//! or a time alone; or a number. A port of `date.c`'s `getDigits`,
//! `parseTimezone`, `parseHhMmSs` and `parseYyyyMmDd`, so the same texts are
//! accepted (hour 24, day 31 of any month) and refused (second 60, a
//! leading space, a bad zone).

use super::moment::DateTime;

pub use crate::types::cast::{atof, is_space};

fn at(z: &[u8], i: usize) -> u8 {
    z.get(i).copied().unwrap_or(0)
}

/// Reads fixed-width numbers: each spec is (digits, min, max, separator
/// that must follow, 0 for none). Returns how many were read before the
/// first failure, and their values.
fn get_digits(z: &[u8], specs: &[(usize, i64, i64, u8)]) -> Vec<i64> {
    let mut out = Vec::new();
    let mut i = 0;
    for &(n, min, max, next) in specs {
        let mut val = 0;
        for _ in 0..n {
            let c = at(z, i);
            if !c.is_ascii_digit() {
                return out;
            }
            val = val * 10 + i64::from(c - b'0');
            i += 1;
        }
        if val < min || val > max || (next != 0 && at(z, i) != next) {
            return out;
        }
        out.push(val);
        i += 1;
    }
    out
}

/// A zone suffix: `Z`, `+HH:MM` or `-HH:MM` with spaces around; `true`
/// when the text is bad (SQLite's convention).
fn parse_timezone(z: &[u8], p: &mut DateTime) -> bool {
    let mut i = z.iter().take_while(|&&b| is_space(b)).count();
    p.tz = 0;
    let sign = match at(z, i) {
        b'-' => -1,
        b'+' => 1,
        b'Z' | b'z' => 0,
        0 => return false,
        _ => return true,
    };
    i += 1;
    if sign != 0 {
        let hm = get_digits(&z[i..], &[(2, 0, 14, b':'), (2, 0, 59, 0)]);
        if hm.len() != 2 {
            return true;
        }
        i += 5;
        p.tz = sign * (hm[1] + hm[0] * 60);
    }
    while is_space(at(z, i)) {
        i += 1;
    }
    p.tz_set = true;
    at(z, i) != 0
}

/// `HH:MM[:SS[.fff]]` and an optional zone; `true` when the text is bad.
pub fn parse_hh_mm_ss(z: &[u8], p: &mut DateTime) -> bool {
    let hm = get_digits(z, &[(2, 0, 24, b':'), (2, 0, 59, 0)]);
    if hm.len() != 2 {
        return true;
    }
    let mut i = 5;
    let mut s = 0;
    let mut ms = 0.0;
    if at(z, i) == b':' {
        i += 1;
        match get_digits(&z[i..], &[(2, 0, 59, 0)]).first() {
            Some(&v) => s = v,
            None => return true,
        }
        i += 2;
        if at(z, i) == b'.' && at(z, i + 1).is_ascii_digit() {
            let mut scale = 1.0;
            i += 1;
            while at(z, i).is_ascii_digit() {
                ms = ms * 10.0 + f64::from(at(z, i) - b'0');
                scale *= 10.0;
                i += 1;
            }
            ms /= scale;
        }
    }
    p.valid_jd = false;
    p.raw_s = false;
    p.valid_hms = true;
    p.h = hm[0];
    p.min = hm[1];
    p.s = s as f64 + ms;
    if parse_timezone(&z[i.min(z.len())..], p) {
        return true;
    }
    p.valid_tz = p.tz != 0;
    false
}

/// `[-]YYYY-MM-DD[( |T)+time]`; `true` when the text is bad.
fn parse_yyyy_mm_dd(z: &[u8], p: &mut DateTime) -> bool {
    let (neg, z) = match z.first() {
        Some(b'-') => (true, &z[1..]),
        _ => (false, z),
    };
    let ymd = get_digits(z, &[(4, 0, 9999, b'-'), (2, 1, 12, b'-'), (2, 1, 31, 0)]);
    if ymd.len() != 3 {
        return true;
    }
    let mut i = 10;
    while is_space(at(z, i)) || at(z, i) == b'T' {
        i += 1;
    }
    let rest = &z[i.min(z.len())..];
    if !parse_hh_mm_ss(rest, p) {
        // got the time
    } else if rest.is_empty() {
        p.valid_hms = false;
    } else {
        return true;
    }
    p.valid_jd = false;
    p.valid_ymd = true;
    p.y = if neg { -ymd[0] } else { ymd[0] };
    p.m = ymd[1];
    p.d = ymd[2];
    if p.valid_tz {
        p.compute_jd();
    }
    false
}

/// A date, a time or a number (not `now`, which needs the clock); `None`
/// when the text is none of them.
pub fn parse_date_or_time(text: &str) -> Option<DateTime> {
    let z = text.as_bytes();
    let mut p = DateTime::default();
    if !parse_yyyy_mm_dd(z, &mut p) {
        return Some(p);
    }
    let mut p = DateTime::default();
    if !parse_hh_mm_ss(z, &mut p) {
        return Some(p);
    }
    let r = atof(text)?;
    let mut p = DateTime::default();
    p.set_raw_number(r);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_refuses_like_sqlite() {
        assert!(parse_date_or_time("2024-01-01 23:59:60").is_none());
        assert!(parse_date_or_time(" 2024-01-01").is_none());
        assert!(parse_date_or_time("2024-01-01T").is_some());
        assert!(parse_date_or_time("2024-01-01 24:00").is_some());
        assert!(parse_date_or_time("2024-13-01").is_none());
        let tz = parse_date_or_time("2024-01-01 10:00+02:00").map(|p| p.i_jd);
        let utc = parse_date_or_time("2024-01-01 08:00").map(|mut p| {
            p.compute_jd();
            p.i_jd
        });
        assert_eq!(tz, utc);
        assert!(parse_date_or_time("10:00Z").is_some_and(|p| p.tz_set));
        assert_eq!(atof(" 1.5e3 "), Some(1500.0));
        assert_eq!(atof("1."), Some(1.0));
        assert_eq!(atof("1e"), None);
        assert_eq!(atof("0x10"), None);
    }
}
