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
//! -0.0 from 0.0, SQL does not), is taken as answered. Any other row runs
//! the whole WHERE as before, and the terms that remain run in their order.

use super::scan::KeyRange;
use crate::sql::expr::{BinaryOp, Expr};
use crate::types::keycode::{encode_value, prefix_successor};
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
    /// The answered terms' constants' kind: only a row value of this kind
    /// is sure to compare as its key does.
    kind: Kind,
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
        let mut kind = None;
        let mut rest = Vec::new();
        for term in terms {
            match comparison(term, col) {
                Some((op, v, k)) if kind.is_none_or(|kind| kind == k) && answered(op, v, prefix, ranges) => {
                    kind = Some(k);
                }
                _ => rest.push(term),
            }
        }
        let kind = kind?;
        let rest = rest.into_iter().cloned().reduce(|a, b| Expr::Binary(BinaryOp::And, Box::new(a), Box::new(b)));
        Some(Implied { col, kind, rest })
    }

    /// Whether the answered terms are true for `row`, a row read from the
    /// ranges: its value is of the constants' kind.
    pub(super) fn holds(&self, row: &[Value]) -> bool {
        match (row.get(self.col), self.kind) {
            (Some(Value::Integer(_)), Kind::Integer) => true,
            (Some(Value::Real(x)), Kind::Real) => x.is_finite(),
            _ => false,
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

/// `term` as `column(col) op constant`, with the constant's kind: an
/// INTEGER, or a finite non-zero REAL.
fn comparison(term: &Expr, col: usize) -> Option<(BinaryOp, &Value, Kind)> {
    let Expr::Binary(op, l, r) = term else { return None };
    let (op, v) = match (&**l, &**r) {
        (Expr::Column(c), Expr::Literal(v)) if *c == col => (*op, v),
        (Expr::Literal(v), Expr::Column(c)) if *c == col => (flipped(*op)?, v),
        _ => return None,
    };
    if !matches!(op, BinaryOp::Eq | BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq) {
        return None;
    }
    let kind = match v {
        Value::Integer(_) => Kind::Integer,
        Value::Real(x) if x.is_finite() && *x != 0.0 => Kind::Real,
        _ => return None,
    };
    Some((op, v, kind))
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
