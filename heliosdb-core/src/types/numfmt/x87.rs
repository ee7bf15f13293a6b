//! Just enough of the x87 80-bit `long double` (64-bit mantissa, round to
//! nearest even) to run SQLite's float-to-decimal loop with the same
//! intermediate roundings as a Debian build, where `LONGDOUBLE_TYPE` is that
//! type. Only non-negative finite values occur there.

use std::cmp::Ordering;

/// A non-negative extended-precision value: `m * 2^(e - 63)`, `m` normalised
/// (top bit set) unless the value is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct F80 {
    m: u64,
    e: i32,
}

impl F80 {
    /// Zero.
    pub const ZERO: F80 = F80 { m: 0, e: 0 };

    /// A double, exactly (its absolute value).
    pub fn from_f64(x: f64) -> F80 {
        let x = x.abs();
        if x == 0.0 || !x.is_finite() {
            return F80::ZERO;
        }
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        // value = mant * 2^(e2), mant an integer.
        let (mant, e2) = if exp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp - 1075) };
        let shift = mant.leading_zeros() as i32;
        F80 { m: mant << shift, e: e2 - shift + 63 }
    }

    /// An integer, exactly.
    pub fn from_u64(v: u64) -> F80 {
        if v == 0 {
            return F80::ZERO;
        }
        let shift = v.leading_zeros() as i32;
        F80 { m: v << shift, e: 63 - shift }
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.m == 0
    }

    /// The nearest double (round to nearest even: `u64 as f64` rounds so,
    /// and the power of two scales exactly for the magnitudes used here).
    pub fn to_f64(self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        (self.m as f64) * 2f64.powi(self.e - 63)
    }

    /// Rounds a 128-bit mantissa `wide * 2^(e - 127)` (plus a sticky bit for
    /// anything below it) to 64 bits.
    fn round(wide: u128, e: i32, sticky: bool) -> F80 {
        if wide == 0 {
            return F80::ZERO;
        }
        let lz = wide.leading_zeros() as i32;
        let wide = wide << lz;
        let e = e - lz;
        let mut m = (wide >> 64) as u64;
        let rest = wide as u64;
        let half = 1u64 << 63;
        let round_up = rest > half || (rest == half && (sticky || m & 1 == 1)) || (rest == half && sticky);
        let mut e = e;
        if round_up {
            let (next, carry) = m.overflowing_add(1);
            m = next;
            if carry {
                m = 1 << 63;
                e += 1;
            }
        }
        F80 { m, e }
    }

    /// `self * other`, rounded.
    pub fn mul(self, other: F80) -> F80 {
        if self.is_zero() || other.is_zero() {
            return F80::ZERO;
        }
        let wide = u128::from(self.m) * u128::from(other.m);
        // (m1 * 2^(e1-63)) * (m2 * 2^(e2-63)) = wide * 2^(e1+e2-126)
        F80::round(wide, self.e + other.e + 1, false)
    }

    /// `self / other`, rounded (`other` non-zero).
    pub fn div(self, other: F80) -> F80 {
        if self.is_zero() || other.is_zero() {
            return F80::ZERO;
        }
        // (m1 << 64) / m2 has 64 or 65 significant bits; keep 127 by
        // dividing a 128-bit numerator twice.
        let num = u128::from(self.m) << 63;
        let den = u128::from(other.m);
        let q1 = num / den;
        let r1 = num % den;
        let q2 = (r1 << 64) / den;
        let r2 = (r1 << 64) % den;
        let wide = (q1 << 64) | q2;
        // value = wide * 2^(-64) * 2^(-63) * 2^(e1-e2) * 2^63 … = wide * 2^(e1 - e2 - 127 + 63 - 63)
        F80::round(wide, self.e - other.e, r2 != 0)
    }

    /// `self + other`, rounded.
    pub fn add(self, other: F80) -> F80 {
        let (big, small) = if self.cmp_value(other) == Ordering::Less { (other, self) } else { (self, other) };
        if small.is_zero() {
            return big;
        }
        let shift = big.e - small.e;
        let b = u128::from(big.m) << 62;
        let (s, sticky) = if shift >= 126 {
            (0, true)
        } else {
            let full = u128::from(small.m) << 62;
            let shifted = full >> shift;
            (shifted, shifted << shift != full)
        };
        // b + s = value * 2^(125 - big.e); express as wide * 2^(e - 127).
        F80::round(b + s, big.e + 2, sticky)
    }

    /// `self - other` for `other <= self` (exact in the loop's uses: the
    /// integer part taken off a value).
    pub fn sub_int(self, digit: u64) -> F80 {
        let d = F80::from_u64(digit);
        if d.is_zero() {
            return self;
        }
        let shift = self.e - d.e;
        let a = u128::from(self.m) << 62;
        let b = (u128::from(d.m) << 62) >> shift;
        F80::round(a - b, self.e + 2, false)
    }

    /// The integer part (values below 2^64).
    pub fn trunc(self) -> u64 {
        if self.is_zero() || self.e < 0 {
            return 0;
        }
        if self.e >= 63 {
            return self.m;
        }
        self.m >> (63 - self.e)
    }

    /// Orders two values.
    pub fn cmp_value(self, other: F80) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => self.e.cmp(&other.e).then(self.m.cmp(&other.m)),
        }
    }

    /// `self >= other`.
    pub fn ge(self, other: F80) -> bool {
        self.cmp_value(other) != Ordering::Less
    }
}
