//! Decimal rendering of REAL values the way SQLite 3.40's printf does it:
//! the `%f`, `%e` and `%g` conversions (with the `#` and `!` flags) that
//! `CAST(real AS TEXT)`, `printf()`, `round()` and `%J` are built on.
//!
//! SQLite renders a double by rounding half away from zero at the requested
//! digit, then reading at most 16 significant digits (26 with `!`); digits past
//! that print as `0`. `%f` also adds a tiny bias (`x * 3e-16`) before rounding
//! so that `1.005` rounds to `1.01`, as decimal intuition expects. The digits
//! here come from the exact binary value, with the arithmetic done on decimal
//! digit strings, so there is no second rounding.

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

/// A non-negative decimal number: `digits[i]` is worth `10^(exp - i)`.
#[derive(Debug, Clone)]
struct Decimal {
    digits: Vec<u8>,
    exp: i32,
}

impl Decimal {
    /// The exact-enough decimal expansion of a finite, non-negative double
    /// (40 significant digits: enough that rounding at 26 never double-rounds
    /// in practice).
    fn of(x: f64) -> Decimal {
        let s = format!("{x:.39e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let digits = mant.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        Decimal { digits, exp: exp.parse().unwrap_or(0) }
    }

    fn is_zero(&self) -> bool {
        self.digits.iter().all(|&d| d == 0)
    }

    /// The digit worth `10^pos` (0 outside the stored digits).
    fn at(&self, pos: i32) -> u8 {
        let i = i64::from(self.exp) - i64::from(pos);
        usize::try_from(i).ok().and_then(|i| self.digits.get(i)).copied().unwrap_or(0)
    }

    /// The sum of two decimals (exact).
    fn add(&self, other: &Decimal) -> Decimal {
        if other.is_zero() {
            return self.clone();
        }
        if self.is_zero() {
            return other.clone();
        }
        let hi = self.exp.max(other.exp) + 1;
        let lo = (self.exp - self.digits.len() as i32 + 1).min(other.exp - other.digits.len() as i32 + 1);
        let len = (hi - lo + 1) as usize;
        let mut out = vec![0u8; len];
        let mut carry = 0;
        for (k, pos) in (lo..=hi).enumerate() {
            let s = self.at(pos) + other.at(pos) + carry;
            out[len - 1 - k] = s % 10;
            carry = s / 10;
        }
        Decimal { digits: out, exp: hi }.trimmed()
    }

    /// Drops leading zeros (keeps at least one digit).
    fn trimmed(mut self) -> Decimal {
        let lead = self.digits.iter().take_while(|&&d| d == 0).count().min(self.digits.len().saturating_sub(1));
        self.digits.drain(..lead);
        self.exp -= lead as i32;
        self
    }

    /// `5 * 10^pos`: the half-unit SQLite adds before truncating.
    fn half_at(pos: i32) -> Decimal {
        Decimal { digits: vec![5], exp: pos }
    }

    /// The position of the leading significant digit (0 for zero).
    fn magnitude(&self) -> i32 {
        if self.is_zero() {
            0
        } else {
            self.exp
        }
    }
}

/// Renders `|x|` (finite) without sign, padding or width, as `spec` says.
/// The caller adds the sign; infinities and NaN are the caller's too.
pub fn render_abs(x: f64, spec: FloatSpec) -> String {
    let x = x.abs();
    let mut value = Decimal::of(x);
    let mut precision = spec.precision as i32;
    let mut style = spec.style;
    if style == FloatStyle::General && precision > 0 {
        precision -= 1;
    }
    if style == FloatStyle::Fixed {
        let ex = ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023;
        if precision + ex / 3 < 15 {
            value = value.add(&Decimal::of(x * 3e-16));
        }
        if !value.is_zero() {
            value = value.add(&Decimal::half_at(-precision - 1));
        }
    }
    let mut exp = value.magnitude();
    if style != FloatStyle::Fixed && !value.is_zero() {
        value = value.add(&Decimal::half_at(exp - precision - 1));
        exp = value.magnitude();
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
    let e2 = if style == FloatStyle::Exp { 0 } else { exp };
    // Significant digits are read from the leading one; past the limit, '0'.
    let limit = if spec.alt2 { 26 } else { 16 };
    let mut taken = 0;
    let mut next_pos = exp;
    let mut digit = || {
        let d = if taken < limit { value.at(next_pos) } else { 0 };
        taken += 1;
        next_pos -= 1;
        char::from(b'0' + d)
    };
    let mut out = String::new();
    if e2 < 0 {
        out.push('0');
    } else {
        for _ in 0..=e2 {
            out.push(digit());
        }
    }
    let dp = precision > 0 || spec.alternate || spec.alt2;
    if dp {
        out.push('.');
    }
    let mut z = e2 + 1;
    while z < 0 {
        out.push('0');
        precision -= 1;
        z += 1;
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
}
