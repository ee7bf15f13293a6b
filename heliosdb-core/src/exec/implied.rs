//! WHERE terms that the key range a covering-index scan reads already
//! answers, so that a row of the right kind is not compared again.
//!
//! `SELECT count(*), sum(amount) FROM orders WHERE amount >= ?1 AND
//! amount < ?2` reads the index on `amount` from the key of `?1` to the key
//! of `?2`, then evaluated both comparisons for every entry: a fifth of the
//! count. Whether a term is guaranteed is decided from the bytes alone,
//! once per execution: the scanned ranges against the key of the term's
//! constant. Key encodings are order-preserving and self-delimiting
//! ([`crate::types::keycode`]), so an entry at or past `prefix ‖ key(v)`
//! holds a first value whose key is at or past `key(v)`.
//!
//! Byte order is SQL order only between values of one kind, so the skip is
//! decided per row too: only an INTEGER compared with an INTEGER constant,
//! or a finite REAL with a finite non-zero REAL constant (the key tells
//! -0.0 from 0.0, SQL does not), is taken as answered. An INTEGER constant
//! of at most 2^53 in magnitude, other than 0, also stands for the REAL of
//! the same value (exact, so `x > 500` on a REAL `x` is `x > 500.0`), which
//! is how a REAL column is usually compared. Any other row runs the whole
//! WHERE as before, and the terms that remain run in their order.
//!
//! Whether a row is of an answered kind can be read from its index key
//! alone ([`Implied::holds_key`]): a `count(*)` whose whole WHERE the ranges
//! answer counts such entries without decoding them.

use super::scan::KeyRange;
use crate::sql::expr::{BinaryOp, Expr};
use crate::types::keycode::{encode_value, leading_number, prefix_successor, LeadingNumber};
use crate::types::Value;
use std::ops::Bound;

/// The value kinds whose key order is their SQL order.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Integer,
    Real,
}

/// The WHERE split into the terms the ranges answer and the rest.
pub(super) struct Implied {
    /// The row slot the answered terms compare (the index's first column).
    col: usize,
    /// Whether the answered terms hold for an INTEGER row value, and for a
    /// finite REAL one: only a value of such a kind is sure to compare as
    /// its key does.
    integer: bool,
    real: bool,
    /// The other terms, in the WHERE's order; `None` when there are none.
    pub(super) rest: Option<Expr>,
}

impl Implied {
    /// The terms of `pred` (its top-level AND chain) that every key in
    /// `ranges` answers: comparisons of row slot `col`, stored ascending as
    /// the first value after `prefix` in each key, with a constant. `None`
    /// when no term is.
    pub(super) fn find(pred: &Expr, col: usize, prefix: &[u8], ranges: &[KeyRange]) -> Option<Implied> {
        let mut terms = Vec::new();
        conjuncts(pred, &mut terms);
        // Which terms the ranges answer for each kind of row value.
        let answers: Vec<[bool; 2]> = terms
            .iter()
            .map(|term| {
                let Some((op, v)) = comparison(term, col) else { return [false, false] };
                [Kind::Integer, Kind::Real]
                    .map(|kind| constant_for(v, kind).is_some_and(|c| answered(op, &c, prefix, ranges)))
            })
            .collect();
        let count = |k: usize| answers.iter().filter(|a| a[k]).count();
        let (integer, real) = if answers.iter().all(|a| a[0] == a[1]) {
            // The same terms for both kinds (an INTEGER constant on a REAL
            // column): rows of either kind skip them.
            (true, true)
        } else if count(1) > count(0) {
            (false, true)
        } else {
            (true, false)
        };
        let answered_by = |a: &[bool; 2]| (integer && a[0]) || (real && a[1]);
        if !answers.iter().any(answered_by) {
            return None;
        }
        let rest = terms
            .iter()
            .zip(&answers)
            .filter(|(_, a)| !answered_by(a))
            .map(|(t, _)| (*t).clone())
            .reduce(|a, b| Expr::Binary(BinaryOp::And, Box::new(a), Box::new(b)));
        Some(Implied { col, integer, real, rest })
    }

    /// Whether the answered terms are true for `row`, a row read from the
    /// ranges: its value is of an answered kind.
    pub(super) fn holds(&self, row: &[Value]) -> bool {
        match row.get(self.col) {
            Some(Value::Integer(_)) => self.integer,
            Some(Value::Real(x)) => self.real && x.is_finite(),
            _ => false,
        }
    }

    /// [`Implied::holds`] for the row an index entry makes, read from the
    /// entry's values (its key past the index prefix) without decoding it:
    /// the first value is the answered column's.
    pub(super) fn holds_key(&self, values: &[u8]) -> bool {
        match leading_number(values) {
            LeadingNumber::Integer => self.integer,
            LeadingNumber::FiniteReal => self.real,
            LeadingNumber::Other => false,
        }
    }
}

/// The terms of an AND chain, left to right.
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Binary(BinaryOp::And, l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        other => out.push(other),
    }
}

/// `term` as `column(col) op constant`.
fn comparison(term: &Expr, col: usize) -> Option<(BinaryOp, &Value)> {
    let Expr::Binary(op, l, r) = term else { return None };
    let (op, v) = match (&**l, &**r) {
        (Expr::Column(c), Expr::Literal(v)) if *c == col => (*op, v),
        (Expr::Literal(v), Expr::Column(c)) if *c == col => (flipped(*op)?, v),
        _ => return None,
    };
    matches!(op, BinaryOp::Eq | BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq).then_some((op, v))
}

/// The constant a row value of `kind` is compared with as `v` is, when its
/// key order against that constant is SQL order: an INTEGER against an
/// INTEGER; a finite REAL against a finite non-zero REAL, or against an
/// INTEGER other than 0 that a REAL holds exactly.
fn constant_for(v: &Value, kind: Kind) -> Option<Value> {
    const EXACT: i64 = 1 << 53;
    match (v, kind) {
        (Value::Integer(_), Kind::Integer) => Some(v.clone()),
        (Value::Real(x), Kind::Real) if x.is_finite() && *x != 0.0 => Some(v.clone()),
        (Value::Integer(i), Kind::Real) if *i != 0 && (-EXACT..=EXACT).contains(i) => Some(Value::Real(*i as f64)),
        _ => None,
    }
}

/// `a op b` as `b op' a`.
fn flipped(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Eq => BinaryOp::Eq,
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::LtEq => BinaryOp::GtEq,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::GtEq => BinaryOp::LtEq,
        _ => return None,
    })
}

/// Whether every key in `ranges` has a first value (after `prefix`) whose
/// key stands to `key(v)` as `op` says.
fn answered(op: BinaryOp, v: &Value, prefix: &[u8], ranges: &[KeyRange]) -> bool {
    let mut at = prefix.to_vec();
    encode_value(&mut at, v);
    // Past every key that starts with `at`: its value's key is above `key(v)`.
    let Some(past) = prefix_successor(&at) else { return false };
    let from = |lo: &Bound<Vec<u8>>, floor: &[u8]| match lo {
        Bound::Included(b) | Bound::Excluded(b) => b.as_slice() >= floor,
        Bound::Unbounded => false,
    };
    // Below `ceiling`: an excluded bound may equal it, an included one not.
    let below = |hi: &Bound<Vec<u8>>, ceiling: &[u8]| match hi {
        Bound::Excluded(b) => b.as_slice() <= ceiling,
        Bound::Included(b) => b.as_slice() < ceiling,
        Bound::Unbounded => false,
    };
    ranges.iter().all(|r| {
        let KeyRange::Span(lo, hi) = r else { return false };
        match op {
            BinaryOp::GtEq => from(lo, &at),
            BinaryOp::Gt => from(lo, &past),
            BinaryOp::Lt => below(hi, &at),
            BinaryOp::LtEq => below(hi, &past),
            BinaryOp::Eq => from(lo, &at) && below(hi, &past),
            _ => false,
        }
    })
}
