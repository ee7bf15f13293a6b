//! The moment SQLite's date functions work on ([`DateTime`]): a julian day
//! number in integer milliseconds (`i_jd`), and/or the calendar fields it
//! was parsed from, converted lazily in either direction exactly as SQLite
//! 3.40's `date.c` does (`computeJD`, `computeYMD`, `computeHMS`), so that
//! rounding and out-of-range behaviour agree.

/// Milliseconds in a day.
pub const MS_PER_DAY: i64 = 86_400_000;
/// The largest valid `i_jd`: 9999-12-31 23:59:59.999.
pub const MAX_JD_MS: i64 = 464_269_060_799_999;
/// `i_jd` of 1970-01-01 00:00:00 (the Unix epoch).
pub const UNIX_EPOCH_JD_MS: i64 = 210_866_760_000_000;

/// A moment in the making (SQLite's `struct DateTime`).
#[derive(Debug, Clone, Default)]
pub struct DateTime {
    /// Julian day number times 86,400,000.
    pub i_jd: i64,
    /// Year (negative before year 0).
    pub y: i64,
    /// Month, 1–12.
    pub m: i64,
    /// Day of the month, 1–31.
    pub d: i64,
    /// Hour, 0–24.
    pub h: i64,
    /// Minute, 0–59.
    pub min: i64,
    /// Time-zone offset in minutes (from a `+HH:MM` suffix).
    pub tz: i64,
    /// Seconds with fraction; while `raw_s`, the bare number given.
    pub s: f64,
    /// `i_jd` is current.
    pub valid_jd: bool,
    /// `s` holds a number not yet interpreted (julian day or unix time).
    pub raw_s: bool,
    /// `y`, `m`, `d` are current.
    pub valid_ymd: bool,
    /// `h`, `min`, `s` are current.
    pub valid_hms: bool,
    /// `tz` still has to be subtracted.
    pub valid_tz: bool,
    /// A zone suffix (or `utc`) was seen: `utc` is then a no-op.
    pub tz_set: bool,
    /// Out of range: the result is NULL.
    pub is_error: bool,
}

/// Whether `i_jd` lies in 0000-01-01 … 9999-12-31 (SQLite's range).
pub fn valid_julian_day(i_jd: i64) -> bool {
    (0..=MAX_JD_MS).contains(&i_jd)
}

impl DateTime {
    /// A moment at a known julian-day millisecond.
    pub fn at_jd(i_jd: i64) -> DateTime {
        DateTime { i_jd, valid_jd: true, ..DateTime::default() }
    }

    /// Marks the moment invalid (SQLite's `datetimeError`).
    pub fn set_error(&mut self) {
        *self = DateTime { is_error: true, ..DateTime::default() };
    }

    /// Forgets the calendar fields after `i_jd` changed.
    pub fn clear_ymd_hms_tz(&mut self) {
        self.valid_ymd = false;
        self.valid_hms = false;
        self.valid_tz = false;
    }

    /// A bare number: a julian day if in range (SQLite's `setRawDateNumber`).
    pub fn set_raw_number(&mut self, r: f64) {
        self.s = r;
        self.raw_s = true;
        if (0.0..5_373_484.5).contains(&r) {
            self.i_jd = (r * 86_400_000.0 + 0.5) as i64;
            self.valid_jd = true;
        }
    }

    /// Fills `i_jd` from the calendar fields (2000-01-01 when only a time).
    pub fn compute_jd(&mut self) {
        if self.valid_jd {
            return;
        }
        let (mut y, mut m, d) = if self.valid_ymd { (self.y, self.m, self.d) } else { (2000, 1, 1) };
        if !(-4713..=9999).contains(&y) || self.raw_s {
            self.set_error();
            return;
        }
        if m <= 2 {
            y -= 1;
            m += 12;
        }
        // Integer divisions truncate toward zero, as C's do.
        let a = y / 100;
        let b = 2 - a + a / 4;
        let x1 = 36525 * (y + 4716) / 100;
        let x2 = 306_001 * (m + 1) / 10000;
        self.i_jd = (((x1 + x2 + d + b) as f64 - 1524.5) * 86_400_000.0) as i64;
        self.valid_jd = true;
        if self.valid_hms {
            self.i_jd += self.h * 3_600_000 + self.min * 60_000 + (self.s * 1000.0 + 0.5) as i64;
            if self.valid_tz {
                self.i_jd -= self.tz * 60_000;
                self.valid_ymd = false;
                self.valid_hms = false;
                self.valid_tz = false;
            }
        }
    }

    /// Fills year, month and day from `i_jd`.
    pub fn compute_ymd(&mut self) {
        if self.valid_ymd {
            return;
        }
        if !self.valid_jd {
            (self.y, self.m, self.d) = (2000, 1, 1);
        } else if !valid_julian_day(self.i_jd) {
            self.set_error();
            return;
        } else {
            let z = (self.i_jd + 43_200_000) / MS_PER_DAY;
            let a = ((z as f64 - 1_867_216.25) / 36_524.25) as i64;
            let a = z + 1 + a - a / 4;
            let b = a + 1524;
            let c = ((b as f64 - 122.1) / 365.25) as i64;
            let d = (36525 * (c & 32767)) / 100;
            let e = ((b - d) as f64 / 30.6001) as i64;
            let x1 = (30.6001 * e as f64) as i64;
            self.d = b - d - x1;
            self.m = if e < 14 { e - 1 } else { e - 13 };
            self.y = if self.m > 2 { c - 4716 } else { c - 4715 };
        }
        self.valid_ymd = true;
    }

    /// Fills hour, minute and seconds from `i_jd`.
    pub fn compute_hms(&mut self) {
        if self.valid_hms {
            return;
        }
        self.compute_jd();
        // The same float steps as SQLite, so `%f` rounds the same way.
        let secs = (self.i_jd.saturating_add(43_200_000) % MS_PER_DAY) as f64 / 1000.0;
        let whole = secs as i64;
        self.h = whole / 3600;
        self.min = (whole - self.h * 3600) / 60;
        self.s = (secs - whole as f64) + (whole - self.h * 3600 - self.min * 60) as f64;
        self.raw_s = false;
        self.valid_hms = true;
    }

    /// Both conversions.
    pub fn compute_ymd_hms(&mut self) {
        self.compute_ymd();
        self.compute_hms();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_and_julian_day_round_trip() {
        let mut t = DateTime {
            y: 2024,
            m: 5,
            d: 17,
            h: 10,
            min: 20,
            s: 30.0,
            valid_ymd: true,
            valid_hms: true,
            ..DateTime::default()
        };
        t.compute_jd();
        assert_eq!(t.i_jd, 212_582_701_230_000);
        let mut back = DateTime::at_jd(t.i_jd);
        back.compute_ymd_hms();
        assert_eq!((back.y, back.m, back.d, back.h, back.min, back.s), (2024, 5, 17, 10, 20, 30.0));
        let mut epoch = DateTime { y: 1970, m: 1, d: 1, valid_ymd: true, ..DateTime::default() };
        epoch.compute_jd();
        assert_eq!(epoch.i_jd, UNIX_EPOCH_JD_MS);
        let mut bad = DateTime { y: 10_000, m: 1, d: 1, valid_ymd: true, ..DateTime::default() };
        bad.compute_jd();
        assert!(bad.is_error);
    }
}
