//! Decimal rendering of REAL values the way SQLite 3.40's printf does it:
//! the `%f`, `%e` and `%g` conversions (with the `#` and `!` flags) that
//! `CAST(real AS TEXT)`, `printf()`, `round()` and `%J` are built on.
//!
//! SQLite renders a double by adding half a unit at the requested digit,
//! scaling into [1, 10) and reading at most 16 significant digits (26 with
//! `!`); digits past that print as `0`. `%f` also adds a tiny bias
//! (`x * 3e-16`) first so that `1.005` rounds to `1.01`. Debian's SQLite does
//! this in x87 `long double`, whose roundings decide the last digits
//! (`printf('%.4E', 9.17175e18)` is `9.1717E+18`); [`x87`] reproduces them.

/// Which conversion a REAL is rendered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatStyle {
    /// `%f`: fixed point, `precision` digits after the point.
    Fixed,
    /// `%e`: one digit, point, `precision` digits, exponent.
    Exp,
    /// `%g`: `%e` or `%f` by magnitude, `precision` significant digits,
    /// trailing zeros removed.
    General,
}

/// How to render one REAL (the flags of a printf conversion that matter to
/// the digits; width and padding are the caller's).
#[derive(Debug, Clone, Copy)]
pub struct FloatSpec {
    /// The conversion.
    pub style: FloatStyle,
    /// Digits after the point (`%f`, `%e`) or significant digits (`%g`).
    pub precision: usize,
    /// `#`: always a decimal point; `%g` keeps trailing zeros.
    pub alternate: bool,
    /// `!`: 26 significant digits instead of 16; `%g` keeps one digit after
    /// the point (`1.0e+20`) and `%f`/`%e` drop trailing zeros.
    pub alt2: bool,
    /// Upper-case exponent letter (`%E`, `%G`).
    pub upper: bool,
}

mod x87;

use x87::F80;

/// SQLite's `arRound`: half a unit in the first ten decimal places.
const AR_ROUND: [f64; 10] = [5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05, 5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10];

/// Renders `|x|` (finite) without sign, padding or width, as `spec` says.
/// The caller adds the sign; infinities and NaN are the caller's too.
///
/// A port of the floating-point branch of SQLite's `sqlite3_str_vappendf`,
/// with its `long double` arithmetic done in [`x87::F80`] so every
/// intermediate rounding, and so every digit, is the same.
pub fn render_abs(x: f64, spec: FloatSpec) -> String {
    let mut precision = spec.precision as i64;
    let mut style = spec.style;
    if style == FloatStyle::General && precision > 0 {
        precision -= 1;
    }
    let mut idx = precision & 0xfff;
    let mut rounder = AR_ROUND[(idx % 10) as usize];
    while idx >= 10 {
        rounder *= 1.0e-10;
        idx -= 10;
    }
    let mut v = F80::from_f64(x);
    if style == FloatStyle::Fixed {
        let ex = ((x.to_bits() >> 52) & 0x7ff) as i64 - 1023;
        if precision + ex / 3 < 15 {
            // The bias that makes 1.005 print as 1.01 at two places.
            rounder = F80::from_f64(rounder).add(v.mul(F80::from_f64(3e-16))).to_f64();
        }
        v = v.add(F80::from_f64(rounder));
    }
    let mut exp: i64 = 0;
    let one = F80::from_f64(1.0);
    let ten = F80::from_f64(10.0);
    if !v.is_zero() {
        let mut scale = one;
        for (step, n) in [(F80::from_f64(1e100), 100), (F80::from_f64(1e10), 10), (ten, 1)] {
            while v.ge(step.mul(scale)) && exp <= 350 {
                scale = scale.mul(step);
                exp += n;
            }
        }
        v = v.div(scale);
        let tiny = F80::from_f64(1.0e-8);
        while !v.ge(tiny) {
            v = v.mul(F80::from_f64(1.0e8));
            exp -= 8;
        }
        while !v.ge(one) {
            v = v.mul(ten);
            exp -= 1;
        }
    }
    if style != FloatStyle::Fixed {
        v = v.add(F80::from_f64(rounder));
        if v.ge(ten) {
            v = v.mul(F80::from_f64(0.1));
            exp += 1;
        }
    }
    let rtz = if style == FloatStyle::General {
        if exp < -4 || exp > precision {
            style = FloatStyle::Exp;
        } else {
            precision -= exp;
            style = FloatStyle::Fixed;
        }
        !spec.alternate
    } else {
        spec.alt2
    };
    let mut e2 = if style == FloatStyle::Exp { 0 } else { exp };
    // SQLite's et_getdigit: at most 16 significant digits (26 with `!`).
    let mut nsd = if spec.alt2 { 26 } else { 16 };
    let mut digit = || {
        if nsd <= 0 {
            return '0';
        }
        nsd -= 1;
        let d = v.trunc();
        v = v.sub_int(d).mul(ten);
        char::from(b'0' + (d % 10) as u8)
    };
    let mut out = String::new();
    if e2 < 0 {
        out.push('0');
    } else {
        while e2 >= 0 {
            out.push(digit());
            e2 -= 1;
        }
    }
    let dp = precision > 0 || spec.alternate || spec.alt2;
    if dp {
        out.push('.');
    }
    e2 += 1;
    while e2 < 0 {
        out.push('0');
        precision -= 1;
        e2 += 1;
    }
    while precision > 0 {
        out.push(digit());
        precision -= 1;
    }
    if rtz && dp {
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            if spec.alt2 {
                out.push('0');
            } else {
                out.pop();
            }
        }
    }
    if style == FloatStyle::Exp {
        out.push(if spec.upper { 'E' } else { 'e' });
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}

/// A REAL as `CAST(x AS TEXT)` and every text rendering spell it: SQLite's
/// `%!.15g` (15 significant digits, `.0` kept on integral values, `1.0e+20`
/// style exponents). Infinities print `Inf`/`-Inf`, NaN `NaN`.
pub fn format_real(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    let spec = FloatSpec { style: FloatStyle::General, precision: 15, alternate: false, alt2: true, upper: false };
    let body = render_abs(f, spec);
    if f < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(x: f64, style: FloatStyle, precision: usize) -> String {
        render_abs(x, FloatSpec { style, precision, alternate: false, alt2: false, upper: false })
    }

    #[test]
    fn real_to_text_uses_fifteen_significant_digits() {
        assert_eq!(format_real(0.1 + 0.2), "0.3");
        assert_eq!(format_real(1e20), "1.0e+20");
        assert_eq!(format_real(1e15), "1.0e+15");
        assert_eq!(format_real(123_456_789_012_345.0), "123456789012345.0");
        assert_eq!(format_real(-2.5), "-2.5");
        assert_eq!(format_real(0.0), "0.0");
        assert_eq!(format_real(-0.0), "0.0");
        assert_eq!(format_real(1.5e-5), "1.5e-05");
        assert_eq!(format_real(0.0001), "0.0001");
        assert_eq!(format_real(1e-300), "1.0e-300");
        assert_eq!(format_real(f64::MAX), "1.79769313486232e+308");
        assert_eq!(format_real(100.0), "100.0");
    }

    #[test]
    fn printf_conversions_round_half_up_with_sqlites_bias() {
        assert_eq!(fmt(0.125, FloatStyle::Fixed, 2), "0.13");
        assert_eq!(fmt(1.005, FloatStyle::Fixed, 2), "1.01");
        assert_eq!(fmt(0.1, FloatStyle::Fixed, 20), "0.10000000000000000000");
        assert_eq!(fmt(12345.678, FloatStyle::Exp, 2), "1.23e+04");
        assert_eq!(fmt(9.99, FloatStyle::Exp, 1), "1.0e+01");
        assert_eq!(fmt(0.0, FloatStyle::General, 6), "0");
        assert_eq!(fmt(100_000.0, FloatStyle::General, 6), "100000");
        assert_eq!(fmt(1_000_000.0, FloatStyle::General, 6), "1e+06");
        assert_eq!(fmt(0.5, FloatStyle::Fixed, 0), "1");
    }

    #[test]
    fn last_digits_follow_sqlites_long_double() {
        // Debian's SQLite 3.40 gives these (x87 roundings, not the exact value).
        let spec = |style, precision, alt2| FloatSpec { style, precision, alternate: false, alt2, upper: false };
        assert_eq!(render_abs(9.17175e18, spec(FloatStyle::Exp, 4, false)), "9.1717e+18");
        assert_eq!(render_abs(8.49547e15, spec(FloatStyle::Fixed, 6, false)), "8495469999999999.000000");
        assert_eq!(render_abs(0.1 + 0.2, spec(FloatStyle::Exp, 20, true)), "3.00000000000000044408e-01");
        assert_eq!(render_abs(5.159_17e16, spec(FloatStyle::Fixed, 6, false)), "51591699999999990.000000");
        assert_eq!(render_abs(5.159_17e16, spec(FloatStyle::Fixed, 0, false)), "51591700000000000");
    }
}
