//! Aggregate state: one accumulator per (group, aggregate call).

use super::arith::text_of;
use crate::error::{Error, Result};
use crate::sql::expr::AggFunc;
use crate::types::cast::to_numeric;
use crate::types::compare::total_cmp;
use crate::types::Value;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// Exact-when-possible running sum (integers, then decimals, then reals).
/// A running SUM: integers, decimals and reals kept apart so integer and
/// decimal sums stay exact. Shared by GROUP BY and materialized-view
/// maintenance (which also removes values and stores the parts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sum {
    int: i64,
    dec: Option<Decimal>,
    real: Option<f64>,
    count: i64,
}

impl Sum {
    /// The parts, for storage: (integer part, decimal part, real part, count).
    pub fn to_values(&self) -> [Value; 4] {
        [
            Value::Integer(self.int),
            self.dec.map_or(Value::Null, Value::Decimal),
            self.real.map_or(Value::Null, Value::Real),
            Value::Integer(self.count),
        ]
    }

    /// Rebuilds a sum from [`Sum::to_values`].
    pub fn from_values(v: &[Value]) -> Sum {
        let int = |x: Option<&Value>| if let Some(Value::Integer(i)) = x { *i } else { 0 };
        Sum {
            int: int(v.first()),
            dec: if let Some(Value::Decimal(d)) = v.get(1) { Some(*d) } else { None },
            real: if let Some(Value::Real(r)) = v.get(2) { Some(*r) } else { None },
            count: int(v.get(3)),
        }
    }

    /// Adds an integer the integer part cannot hold to the real part instead
    /// (after a failed [`Sum::add`], which counted it already).
    pub fn spill_to_real(&mut self, v: &Value) {
        *self.real.get_or_insert(0.0) += to_numeric(v).as_f64().unwrap_or(0.0);
    }

    /// How many values are in the sum.
    pub fn count(&self) -> i64 {
        self.count
    }

    /// Takes a value back out (materialized-view maintenance).
    ///
    /// # Errors
    /// Integer or decimal overflow.
    pub fn remove(&mut self, v: &Value) -> Result<()> {
        self.count -= 1;
        match to_numeric(v) {
            Value::Integer(i) => match self.int.checked_sub(i) {
                Some(s) => self.int = s,
                None => *self.real.get_or_insert(0.0) -= i as f64,
            },
            Value::Decimal(d) => {
                let cur = self.dec.unwrap_or_default();
                self.dec = Some(cur.checked_sub(d).ok_or_else(|| Error::Mismatch("DECIMAL overflow in SUM()".into()))?);
            }
            other => *self.real.get_or_insert(0.0) -= other.as_f64().unwrap_or(0.0),
        }
        Ok(())
    }

    /// Adds a value.
    ///
    /// # Errors
    /// Integer overflow with no real part to fall back on; decimal overflow.
    pub fn add(&mut self, v: &Value) -> Result<()> {
        self.count += 1;
        // Numbers as they are; only text, blobs and booleans are converted
        // (`to_numeric` of a number is a clone, a call per row).
        let converted;
        let n = match v {
            Value::Integer(_) | Value::Real(_) | Value::Decimal(_) => v,
            _ => {
                converted = to_numeric(v);
                &converted
            }
        };
        match *n {
            Value::Integer(i) => match self.int.checked_add(i) {
                Some(s) => self.int = s,
                None => {
                    if self.real.is_none() && self.dec.is_none() {
                        return Err(Error::Mismatch("integer overflow in SUM()".into()));
                    }
                    *self.real.get_or_insert(0.0) += i as f64;
                }
            },
            Value::Decimal(d) => {
                let cur = self.dec.unwrap_or_default();
                self.dec = Some(cur.checked_add(d).ok_or_else(|| Error::Mismatch("DECIMAL overflow in SUM()".into()))?);
            }
            ref other => *self.real.get_or_insert(0.0) += other.as_f64().unwrap_or(0.0),
        }
        Ok(())
    }

    /// SUM's result (NULL for no values).
    pub fn value(&self) -> Value {
        if self.count == 0 {
            return Value::Null;
        }
        if let Some(r) = self.real {
            let extra = self.dec.map_or(0.0, |d| crate::types::value::decimal_to_f64(&d));
            return Value::Real(r + self.int as f64 + extra);
        }
        if let Some(d) = self.dec {
            return Value::Decimal(d + Decimal::from(self.int));
        }
        Value::Integer(self.int)
    }
}

/// AVG's result from a sum and a count of values.
pub fn avg(sum: &Value, count: i64) -> Value {
    match sum {
        Value::Null => Value::Null,
        Value::Decimal(d) => d.checked_div(Decimal::from(count)).map_or(Value::Null, |q| Value::Decimal(q.normalize())),
        other => Value::Real(other.as_f64().unwrap_or(0.0) / count as f64),
    }
}

/// Running count, mean and sum of squared deviations (Welford), for the
/// variance and standard-deviation aggregates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds a value.
    pub fn add(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
    }

    /// Takes a value out again (the reverse Welford step), for views that
    /// maintain a variance as rows leave. Exact when one value or none is
    /// left (the variance is then 0 or undefined); otherwise as accurate as the forward steps (about 1e-12
    /// relative on ordinary data). A sum of squares that cancels to noise is
    /// clamped to zero, so equal values keep a variance of exactly 0.
    pub fn remove(&mut self, x: f64) {
        if self.n <= 1.0 {
            *self = Moments::default();
            return;
        }
        let n = self.n - 1.0;
        let mean = self.mean - (x - self.mean) / n;
        let m2 = self.m2 - (x - mean) * (x - self.mean);
        self.n = n;
        self.mean = mean;
        self.m2 = if n == 1.0 || m2 <= 1e-12 * n * mean * mean { 0.0 } else { m2 };
    }

    /// The parts, for storage: (n, mean, m2).
    pub fn to_values(&self) -> [Value; 3] {
        [Value::Real(self.n), Value::Real(self.mean), Value::Real(self.m2)]
    }

    /// Rebuilds moments from [`Moments::to_values`].
    pub fn from_values(v: &[Value]) -> Moments {
        let f = |i: usize| v.get(i).and_then(Value::as_f64).unwrap_or(0.0);
        Moments { n: f(0), mean: f(1), m2: f(2) }
    }

    /// VAR_SAMP, STDDEV_SAMP, VAR_POP or STDDEV_POP of the values (NULL when undefined).
    pub fn value(&self, func: AggFunc) -> Value {
        let (n, m2) = (self.n, self.m2);
        match func {
            AggFunc::VarSamp if n >= 2.0 => Value::Real(m2 / (n - 1.0)),
            AggFunc::StddevSamp if n >= 2.0 => Value::Real((m2 / (n - 1.0)).sqrt()),
            AggFunc::VarPop if n >= 1.0 => Value::Real(m2 / n),
            AggFunc::StddevPop if n >= 1.0 => Value::Real((m2 / n).sqrt()),
            _ => Value::Null,
        }
    }
}

/// The accumulator of one aggregate call within one group.
#[derive(Debug, Clone)]
pub struct AggState {
    func: AggFunc,
    count: i64,
    sum: Sum,
    moments: Moments,
    best: Option<Value>,
    concat: Option<String>,
    seen: Option<HashSet<Value>>,
}

impl AggState {
    /// A fresh accumulator.
    pub fn new(func: AggFunc, distinct: bool) -> AggState {
        AggState {
            func,
            count: 0,
            sum: Sum::default(),
            moments: Moments::default(),
            best: None,
            concat: None,
            seen: distinct.then(HashSet::new),
        }
    }

    /// Feeds one input value (`None` for COUNT(*)); `sep` is GROUP_CONCAT's separator.
    ///
    /// # Errors
    /// Integer overflow in SUM.
    pub fn update(&mut self, v: Option<&Value>, sep: Option<&Value>) -> Result<()> {
        let Some(v) = v else {
            self.count += 1;
            return Ok(());
        };
        if v.is_null() && self.func != AggFunc::First {
            return Ok(());
        }
        if let Some(seen) = &mut self.seen {
            if !seen.insert(v.clone()) {
                return Ok(());
            }
        }
        self.count += 1;
        match self.func {
            AggFunc::CountStar | AggFunc::Count => {}
            AggFunc::Sum => self.sum.add(v)?,
            // TOTAL and AVG never overflow: past i64 they continue in
            // floating point (SQLite's AVG is its floating-point sum / count).
            AggFunc::Total | AggFunc::Avg => {
                if self.sum.add(v).is_err() {
                    self.sum.spill_to_real(v);
                }
            }
            AggFunc::StddevSamp | AggFunc::StddevPop | AggFunc::VarSamp | AggFunc::VarPop => {
                self.moments.add(to_numeric(v).as_f64().unwrap_or(0.0));
            }
            AggFunc::Min | AggFunc::Max => {
                let replace = match &self.best {
                    None => true,
                    Some(b) => {
                        let ord = total_cmp(v, b);
                        if self.func == AggFunc::Min {
                            ord.is_lt()
                        } else {
                            ord.is_gt()
                        }
                    }
                };
                if replace {
                    self.best = Some(v.clone());
                }
            }
            AggFunc::First => {
                if self.best.is_none() {
                    self.best = Some(v.clone());
                }
            }
            AggFunc::GroupConcat => {
                let s = text_of(v);
                match &mut self.concat {
                    None => self.concat = Some(s),
                    Some(acc) => {
                        // No separator argument: a comma; a NULL one: nothing (SQLite 3.40).
                        match sep {
                            None => acc.push(','),
                            Some(Value::Null) => {}
                            Some(sep) => acc.push_str(&text_of(sep)),
                        }
                        acc.push_str(&s);
                    }
                }
            }
            // The binder made the inputs JSON texts: `arg` a value (array)
            // or a quoted key and `sep` the value (object).
            AggFunc::JsonGroupArray | AggFunc::JsonGroupObject => {
                let acc = self.concat.get_or_insert_with(String::new);
                if !acc.is_empty() {
                    acc.push(',');
                }
                acc.push_str(&text_of(v));
                if self.func == AggFunc::JsonGroupObject {
                    acc.push(':');
                    acc.push_str(&sep.map_or_else(|| "null".to_string(), text_of));
                }
            }
        }
        Ok(())
    }

    /// The aggregate's result.
    pub fn finish(&self) -> Value {
        match self.func {
            AggFunc::CountStar | AggFunc::Count => Value::Integer(self.count),
            AggFunc::Sum => self.sum.value(),
            AggFunc::Total => Value::Real(self.sum.value().as_f64().unwrap_or(0.0)),
            AggFunc::Avg => avg(&self.sum.value(), self.count),
            AggFunc::Min | AggFunc::Max | AggFunc::First => self.best.clone().unwrap_or(Value::Null),
            AggFunc::VarSamp | AggFunc::StddevSamp | AggFunc::VarPop | AggFunc::StddevPop => {
                self.moments.value(self.func)
            }
            AggFunc::GroupConcat => self.concat.clone().map_or(Value::Null, Value::Text),
            AggFunc::JsonGroupArray => Value::Text(format!("[{}]", self.concat.as_deref().unwrap_or(""))),
            AggFunc::JsonGroupObject => Value::Text(format!("{{{}}}", self.concat.as_deref().unwrap_or(""))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(func: AggFunc, distinct: bool, vals: &[Value]) -> Value {
        let mut s = AggState::new(func, distinct);
        for v in vals {
            s.update(Some(v), None).unwrap();
        }
        s.finish()
    }

    #[test]
    fn sums_stay_exact_and_null_on_empty() {
        let ints = [Value::Integer(1), Value::Null, Value::Integer(2)];
        assert_eq!(run(AggFunc::Sum, false, &ints), Value::Integer(3));
        assert_eq!(run(AggFunc::Sum, false, &[]), Value::Null);
        assert_eq!(run(AggFunc::Total, false, &[]), Value::Real(0.0));
        let decs = [Value::Decimal("0.10".parse().unwrap()), Value::Decimal("0.20".parse().unwrap())];
        assert_eq!(run(AggFunc::Sum, false, &decs), Value::Decimal("0.30".parse().unwrap()));
    }

    #[test]
    fn overflowing_integer_sum_is_an_error() {
        let mut s = AggState::new(AggFunc::Sum, false);
        s.update(Some(&Value::Integer(i64::MAX)), None).unwrap();
        assert!(s.update(Some(&Value::Integer(1)), None).is_err());
        // AVG answers like SQLite: its floating-point sum over the count.
        let big = [Value::Integer(i64::MAX), Value::Integer(10)];
        assert_eq!(run(AggFunc::Avg, false, &big), Value::Real(4.611_686_018_427_388e18));
    }

    #[test]
    fn group_concat_with_a_null_separator_joins_without_one() {
        let mut s = AggState::new(AggFunc::GroupConcat, false);
        for v in ["a", "b", "c"] {
            s.update(Some(&Value::from(v)), Some(&Value::Null)).unwrap();
        }
        assert_eq!(s.finish(), Value::from("abc"));
    }

    #[test]
    fn variance_and_distinct_count() {
        let xs: Vec<Value> = [2, 4, 4, 4, 5, 5, 7, 9].iter().map(|i| Value::Integer(*i)).collect();
        assert_eq!(run(AggFunc::StddevPop, false, &xs), Value::Real(2.0));
        assert_eq!(run(AggFunc::Count, true, &xs), Value::Integer(5));
        assert_eq!(run(AggFunc::Max, false, &xs), Value::Integer(9));
    }
}
