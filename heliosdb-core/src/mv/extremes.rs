//! MIN and MAX that survive removals without rescanning the base table.
//!
//! Next to a group's extreme, a view keeps a *reserve*: the group's
//! [`RESERVE`] best values (smallest for MIN, largest for MAX), sorted
//! best-first, as a blob in the aggregate's state columns. The invariant is
//! that every value of the group outside the reserve is no better than the
//! reserve's worst, so the extreme is always the reserve's first value:
//!
//! * a value that enters is added when the reserve holds the whole group (and
//!   has room) or when it beats the reserve's worst (which then drops out if
//!   the reserve is full) — O(log K);
//! * a value that leaves is taken out of the reserve if it is there — O(K).
//!
//! Only when removals empty the reserve of a group that still has values is
//! the group re-read (and its reserve refilled with its K best): under
//! random changes that takes about K removals of the group's best values
//! since it was last read, so the re-read is rare and amortised. A view
//! created before reserves existed has none (`None`) and recomputes a group
//! once, when its extreme leaves, which gives it one.

use crate::error::Result;
use crate::types::compare::total_cmp;
use crate::types::rowcodec::{decode_row, encode_row};
use crate::types::Value;
use std::cmp::Ordering;

/// Values kept per group and aggregate.
pub const RESERVE: usize = 32;

/// The reserve of one MIN or MAX in one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Reserve {
    /// MAX (largest first) rather than MIN (smallest first).
    max: bool,
    /// The best values, best first; `None`: unknown (state from before reserves).
    values: Option<Vec<Value>>,
}

impl Reserve {
    /// An empty reserve (a group with no values yet).
    pub fn new(max: bool) -> Reserve {
        Reserve { max, values: Some(Vec::new()) }
    }

    /// `a` before `b` in best-first order.
    fn order(&self, a: &Value, b: &Value) -> Ordering {
        let o = total_cmp(a, b);
        if self.max {
            o.reverse()
        } else {
            o
        }
    }

    /// The extreme, when the reserve knows it.
    pub fn best(&self) -> Option<&Value> {
        self.values.as_ref().and_then(|v| v.first())
    }

    /// How many values the reserve holds (0 when unknown).
    pub fn len(&self) -> usize {
        self.values.as_ref().map_or(0, Vec::len)
    }

    /// Whether the reserve holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `v`, keeping at most [`RESERVE`] values; `holds_all` says the
    /// reserve held every value of the group before `v` came.
    pub fn add(&mut self, v: &Value, holds_all: bool) {
        let Some(values) = self.values.as_ref() else { return };
        let beats_worst = values.last().is_some_and(|w| self.order(v, w).is_lt());
        if !(holds_all || beats_worst) {
            return;
        }
        let at = values.partition_point(|x| self.order(x, v).is_le());
        if at >= RESERVE {
            return; // it would drop straight out again
        }
        if let Some(values) = self.values.as_mut() {
            // Full: the worst makes room first, so a full reserve never
            // reallocates.
            if values.len() >= RESERVE {
                values.truncate(RESERVE - 1);
            }
            values.insert(at.min(values.len()), v.clone());
        }
    }

    /// Takes `v` out if the reserve holds it.
    pub fn remove(&mut self, v: &Value) {
        let Some(values) = self.values.as_ref() else { return };
        let at = values.partition_point(|x| self.order(x, v).is_lt());
        let found = values.get(at).is_some_and(|x| total_cmp(x, v).is_eq());
        if let (true, Some(values)) = (found, self.values.as_mut()) {
            values.remove(at);
        }
    }

    /// Whether the group must be re-read: it has `count` values but the
    /// reserve cannot name its extreme.
    pub fn exhausted(&self, count: i64) -> bool {
        count > 0 && self.values.as_ref().map_or(true, Vec::is_empty)
    }

    /// Forgets everything, ready to be refilled by [`Reserve::add`] from a
    /// read of the whole group.
    pub fn clear(&mut self) {
        self.values = Some(Vec::new());
    }

    /// The stored form: the values as a row image in a blob, or NULL when unknown.
    pub fn to_value(&self) -> Value {
        match &self.values {
            None => Value::Null,
            Some(v) => Value::Blob(encode_row(0, v)),
        }
    }

    /// Reads the stored form back.
    ///
    /// # Errors
    /// `Corrupt` when the blob does not decode.
    pub fn from_value(max: bool, stored: &Value) -> Result<Reserve> {
        let Value::Blob(b) = stored else { return Ok(Reserve { max, values: None }) };
        Ok(Reserve { max, values: Some(decode_row(b, 0)?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(r: &Reserve) -> Vec<i64> {
        r.values
            .clone()
            .unwrap_or_default()
            .iter()
            .filter_map(|v| if let Value::Integer(i) = v { Some(*i) } else { None })
            .collect()
    }

    #[test]
    fn keeps_the_best_values_and_survives_removals() {
        let mut r = Reserve::new(false);
        for (n, v) in [50, 10, 40, 20, 30].into_iter().enumerate() {
            r.add(&Value::Integer(v), ints(&r).len() == n);
        }
        assert_eq!(ints(&r), vec![10, 20, 30, 40, 50]);
        r.remove(&Value::Integer(10));
        assert_eq!(r.best(), Some(&Value::Integer(20)));
        r.remove(&Value::Integer(99)); // not held: nothing changes
        assert_eq!(ints(&r), vec![20, 30, 40, 50]);
        let round = Reserve::from_value(false, &r.to_value()).unwrap();
        assert_eq!(round, r);
    }

    #[test]
    fn a_full_reserve_drops_its_worst_and_reports_exhaustion() {
        let mut r = Reserve::new(true);
        for v in 0..(RESERVE as i64 + 10) {
            let holds_all = ints(&r).len() as i64 == v;
            r.add(&Value::Integer(v), holds_all);
        }
        assert_eq!(ints(&r).len(), RESERVE);
        assert_eq!(r.best(), Some(&Value::Integer(RESERVE as i64 + 9)));
        // A value worse than everything held, while the reserve is not the whole group: ignored.
        r.add(&Value::Integer(-1), false);
        assert!(!ints(&r).contains(&-1));
        for v in ints(&r) {
            r.remove(&Value::Integer(v));
        }
        assert!(r.exhausted(10), "values remain but the reserve cannot name the extreme");
        assert!(!r.exhausted(0));
        assert!(Reserve::from_value(true, &Value::Null).unwrap().exhausted(1));
    }
}
