//! The modifiers of SQLite 3.40's date functions (a port of `date.c`'s
//! `parseModifier`): `±NNN days|hours|minutes|seconds|months|years`
//! (fractions allowed; months and years add whole calendar units, then the
//! fraction as 30-day months or 365-day years), `±HH:MM[:SS.fff]`,
//! `start of day|month|year`, `weekday N`, `unixepoch`, `julianday`, `auto`,
//! `localtime` and `utc`.
//!
//! HeliosDB treats the process's local time as UTC: `localtime` and `utc`
//! change no moment (they only normalise it), whatever the TZ variable says.

use super::moment::{DateTime, MS_PER_DAY, UNIX_EPOCH_JD_MS};
use super::parse::{atof, is_space, parse_hh_mm_ss};

/// The `±NNN unit` transforms: name, largest magnitude, seconds per unit.
/// The limits are SQLite's `float` constants, widened the same way.
const TRANSFORMS: [(&str, f32, f64); 6] = [
    ("second", 4.6427e14, 1.0),
    ("minute", 7.7379e12, 60.0),
    ("hour", 1.2897e11, 3600.0),
    ("day", 5_373_485.0, 86_400.0),
    ("month", 176_546.0, 2_592_000.0),
    ("year", 14_713.0, 31_536_000.0),
];

/// Applies modifier `z` (the `idx`-th, from 1) to `p`; `false` when the
/// modifier is unknown or does not apply (the result is then NULL).
pub fn apply(z: &str, p: &mut DateTime, idx: usize) -> bool {
    let lower = z.to_ascii_lowercase();
    match lower.as_bytes().first() {
        Some(b'a') if lower == "auto" => auto(p, idx),
        Some(b'j') if lower == "julianday" => {
            idx <= 1 && p.valid_jd && p.raw_s && {
                p.raw_s = false;
                true
            }
        }
        Some(b'l') if lower == "localtime" => {
            to_localtime(p);
            true
        }
        Some(b'u') if lower == "unixepoch" && p.raw_s => idx <= 1 && unixepoch(p),
        Some(b'u') if lower == "utc" => {
            to_utc(p);
            true
        }
        Some(b'w') => weekday(&lower, p),
        Some(b's') => start_of(&lower, p),
        Some(b'+' | b'-' | b'0'..=b'9') => offset(z, p),
        _ => false,
    }
}

/// `localtime` with the process zone taken as UTC: a port of SQLite's
/// `toLocaltime` with `gmtime` for `localtime_r`. The moment becomes calendar
/// fields again (whole seconds plus the milliseconds), and an earlier range
/// error is forgotten: SQLite rebuilds the moment from its fields here, moving
/// years outside 1970–2037 into 2000–2003 and back, which a bad moment
/// survives as 2000-01-01 (so `date(-1, 'localtime')` is 2000-01-01).
pub(super) fn to_localtime(p: &mut DateTime) {
    p.compute_jd();
    let (t, year_diff) = if p.i_jd < UNIX_EPOCH_JD_MS || p.i_jd > 213_014_145_600_000 {
        let mut x = p.clone();
        x.compute_ymd_hms();
        let diff = (2000 + x.y % 4) - x.y;
        x.y += diff;
        x.valid_jd = false;
        x.compute_jd();
        (x.i_jd / 1000 - UNIX_EPOCH_JD_MS / 1000, diff)
    } else {
        (p.i_jd / 1000 - UNIX_EPOCH_JD_MS / 1000, 0)
    };
    let mut tm = DateTime::at_jd(t.saturating_mul(1000).saturating_add(UNIX_EPOCH_JD_MS));
    tm.compute_ymd_hms();
    *p = DateTime {
        y: tm.y - year_diff,
        m: tm.m,
        d: tm.d,
        h: tm.h,
        min: tm.min,
        s: tm.s.floor() + (p.i_jd % 1000) as f64 * 0.001,
        valid_ymd: true,
        valid_hms: true,
        ..DateTime::default()
    };
}

/// `utc`: SQLite searches for the UTC moment whose local time is this one
/// (up to four guesses). With local time UTC the search ends at once for
/// moments in range; the steps are kept so out-of-range moments come out
/// as SQLite's do.
fn to_utc(p: &mut DateTime) {
    if p.tz_set {
        return;
    }
    p.compute_jd();
    let orig = p.i_jd;
    let (mut guess, mut err, mut count) = (orig, 0, 0);
    loop {
        guess = guess.saturating_sub(err);
        let mut new = DateTime::at_jd(guess);
        to_localtime(&mut new);
        new.compute_jd();
        err = new.i_jd.saturating_sub(orig);
        let c = count;
        count += 1;
        if err == 0 || c >= 3 {
            break;
        }
    }
    *p = DateTime { tz_set: true, ..DateTime::at_jd(guess) };
}

/// `auto`: a bare number is a julian day if it can be one, else Unix seconds.
fn auto(p: &mut DateTime, idx: usize) -> bool {
    if idx > 1 {
        return false;
    }
    if !p.raw_s || p.valid_jd {
        p.raw_s = false;
        return true;
    }
    if (-210_866_760_000.0..=253_402_300_799.0).contains(&p.s) {
        let r = p.s * 1000.0 + UNIX_EPOCH_JD_MS as f64;
        p.clear_ymd_hms_tz();
        p.i_jd = (r + 0.5) as i64;
        p.valid_jd = true;
        p.raw_s = false;
        return true;
    }
    false
}

/// `unixepoch`: the bare number is seconds since 1970.
fn unixepoch(p: &mut DateTime) -> bool {
    let r = p.s * 1000.0 + UNIX_EPOCH_JD_MS as f64;
    if !(0.0..464_269_060_800_000.0).contains(&r) {
        return false;
    }
    p.clear_ymd_hms_tz();
    p.i_jd = (r + 0.5) as i64;
    p.valid_jd = true;
    p.raw_s = false;
    true
}

/// `weekday N`: forward to the next day that is weekday N (0 = Sunday).
fn weekday(z: &str, p: &mut DateTime) -> bool {
    let Some(r) = z.strip_prefix("weekday ").and_then(atof) else { return false };
    let n = r as i64;
    if n as f64 != r || n < 0 || r >= 7.0 {
        return false;
    }
    p.compute_ymd_hms();
    p.valid_tz = false;
    p.valid_jd = false;
    p.compute_jd();
    let mut w = ((p.i_jd + 129_600_000) / MS_PER_DAY) % 7;
    if w > n {
        w -= 7;
    }
    p.i_jd += (n - w) * MS_PER_DAY;
    p.clear_ymd_hms_tz();
    true
}

/// `start of day|month|year`.
fn start_of(z: &str, p: &mut DateTime) -> bool {
    let Some(unit) = z.strip_prefix("start of ") else { return false };
    if !p.valid_jd && !p.valid_ymd && !p.valid_hms {
        return false;
    }
    p.compute_ymd();
    p.valid_hms = true;
    p.h = 0;
    p.min = 0;
    p.s = 0.0;
    p.raw_s = false;
    p.valid_tz = false;
    p.valid_jd = false;
    match unit {
        "month" => p.d = 1,
        "year" => {
            p.m = 1;
            p.d = 1;
        }
        "day" => {}
        _ => return false,
    }
    true
}

/// `±NNN unit` or `±HH:MM[:SS.fff]`.
fn offset(z: &str, p: &mut DateTime) -> bool {
    let b = z.as_bytes();
    let n = 1 + b[1..].iter().take_while(|&&c| c != b':' && !is_space(c)).count();
    let Some(r) = atof(&z[..n]) else { return false };
    if b.get(n) == Some(&b':') {
        let skip = usize::from(!b[0].is_ascii_digit());
        let mut tx = DateTime::default();
        if parse_hh_mm_ss(&b[skip..], &mut tx) {
            return false;
        }
        tx.compute_jd();
        let mut delta = tx.i_jd - 43_200_000;
        delta -= delta / MS_PER_DAY * MS_PER_DAY;
        if b[0] == b'-' {
            delta = -delta;
        }
        p.compute_jd();
        p.clear_ymd_hms_tz();
        p.i_jd = p.i_jd.saturating_add(delta);
        return true;
    }
    let rest = z[n..].trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
    let mut unit = rest.as_bytes();
    if unit.len() > 10 || unit.len() < 3 {
        return false;
    }
    if unit.last().is_some_and(|c| c.eq_ignore_ascii_case(&b's')) {
        unit = &unit[..unit.len() - 1];
    }
    p.compute_jd();
    let rounder = if r < 0.0 { -0.5 } else { 0.5 };
    let mut ok = false;
    for (name, limit, seconds) in TRANSFORMS {
        let limit = f64::from(limit);
        if !name.as_bytes().eq_ignore_ascii_case(unit) || r <= -limit || r >= limit {
            continue;
        }
        let mut r = r;
        match name {
            "month" => {
                p.compute_ymd_hms();
                p.m += r as i64;
                let x = if p.m > 0 { (p.m - 1) / 12 } else { (p.m - 12) / 12 };
                p.y += x;
                p.m -= x * 12;
                p.valid_jd = false;
                r -= (r as i64) as f64;
            }
            "year" => {
                p.compute_ymd_hms();
                p.y += r as i64;
                p.valid_jd = false;
                r -= (r as i64) as f64;
            }
            _ => {}
        }
        p.compute_jd();
        // Saturating: many large modifiers must give NULL, not overflow.
        p.i_jd = p.i_jd.saturating_add((r * 1000.0 * seconds + rounder) as i64);
        ok = true;
        break;
    }
    p.clear_ymd_hms_tz();
    ok
}
