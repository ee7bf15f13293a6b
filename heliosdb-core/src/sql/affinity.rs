//! SQLite's comparison affinity, applied while binding.
//!
//! Values of different types never convert inside a comparison
//! ([`crate::types::compare::sql_cmp`]): `1 = '1'` is false, as in SQLite.
//! What makes `int_col = '5'` true is the column's affinity: an operand
//! compared with a column gets that column's affinity first. SQLite's rule:
//! when both operands are columns, NUMERIC applies if either is numeric, and
//! nothing otherwise; when one is, its affinity applies; when neither is
//! (literals, expressions), nothing does. `CAST(x AS type)` counts as a
//! column of that type. This module computes that and wraps an operand in
//! `Func::NumericAffinity` / `Func::TextAffinity` (literals are converted
//! at once, so index selection still sees a constant).

use super::expr::{BinaryOp, Expr, Func, UnaryOp};
use super::scope::Scope;
use crate::types::cast::{apply_numeric_affinity, apply_text_affinity};
use crate::types::{Affinity, DataType};

/// The affinity a bound expression carries, if any.
pub fn of(e: &Expr, scope: &Scope, outer: &[&Scope]) -> Option<Affinity> {
    let column = |sc: &Scope, i: usize| -> Option<Affinity> {
        let decl = sc.columns.get(i)?.decltype.as_deref()?;
        Some(DataType::from_sql_name(decl, &[]).map_or(Affinity::Numeric, DataType::affinity))
    };
    match e {
        Expr::Column(i) => column(scope, *i),
        Expr::Outer(depth, i) => column(outer.get(outer.len().checked_sub(1 + depth)?)?, *i),
        Expr::Cast(_, ty) => Some(ty.affinity()),
        _ => None,
    }
}

/// The affinity a comparison of operands with affinities `a` and `b` applies.
pub fn for_comparison(a: Option<Affinity>, b: Option<Affinity>) -> Option<Affinity> {
    let aff = match (a, b) {
        (Some(x), Some(y)) => {
            if x == Affinity::Numeric || y == Affinity::Numeric {
                Affinity::Numeric
            } else {
                Affinity::Blob
            }
        }
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => return None,
    };
    (aff != Affinity::Blob).then_some(aff)
}

/// Gives `e` (whose own affinity is `own`) the affinity `aff`.
pub fn wrap(e: Expr, own: Option<Affinity>, aff: Option<Affinity>) -> Expr {
    let Some(aff) = aff else { return e };
    if own == Some(aff) {
        // A typed column already holds values of its affinity.
        return e;
    }
    match (e, aff) {
        (Expr::Literal(v), Affinity::Numeric) => Expr::Literal(apply_numeric_affinity(&v)),
        (Expr::Literal(v), Affinity::Text) => Expr::Literal(apply_text_affinity(&v)),
        (e, Affinity::Numeric) => Expr::Func(Func::NumericAffinity, vec![e]),
        (e, Affinity::Text) => Expr::Func(Func::TextAffinity, vec![e]),
        (e, Affinity::Blob) => e,
    }
}

/// Both operands of a comparison, with the affinity their pair calls for.
pub fn pair(l: Expr, r: Expr, scope: &Scope, outer: &[&Scope]) -> (Expr, Expr) {
    let (la, ra) = (of(&l, scope, outer), of(&r, scope, outer));
    let aff = for_comparison(la, ra);
    (wrap(l, la, aff), wrap(r, ra, aff))
}

/// `e BETWEEN lo AND hi` is `e >= lo AND e <= hi`, each comparison with
/// its own pair's affinity. When both pairs call for the same one, the
/// BETWEEN stays (one evaluation of `e`); otherwise it becomes the two
/// comparisons, which is what SQLite evaluates.
pub fn between(e: Expr, lo: Expr, hi: Expr, negated: bool, scope: &Scope, outer: &[&Scope]) -> Expr {
    let (ea, la, ha) = (of(&e, scope, outer), of(&lo, scope, outer), of(&hi, scope, outer));
    let (al, ah) = (for_comparison(ea, la), for_comparison(ea, ha));
    if al == ah {
        let (lo, hi) = (wrap(lo, la, al), wrap(hi, ha, ah));
        return Expr::Between { expr: Box::new(wrap(e, ea, al)), lo: Box::new(lo), hi: Box::new(hi), negated };
    }
    let ge = Expr::Binary(BinaryOp::GtEq, Box::new(wrap(e.clone(), ea, al)), Box::new(wrap(lo, la, al)));
    let le = Expr::Binary(BinaryOp::LtEq, Box::new(wrap(e, ea, ah)), Box::new(wrap(hi, ha, ah)));
    let both = Expr::Binary(BinaryOp::And, Box::new(ge), Box::new(le));
    if negated {
        Expr::Unary(UnaryOp::Not, Box::new(both))
    } else {
        both
    }
}

/// `CASE x WHEN y …` compares like `x = y`, each WHEN with its own pair's
/// affinity. When no WHEN needs `x` converted, the CASE keeps its operand
/// (evaluated once); otherwise it becomes `CASE WHEN x = y …`.
pub fn simple_case(
    operand: Expr,
    whens: Vec<(Expr, Expr)>,
    else_result: Option<Box<Expr>>,
    scope: &Scope,
    outer: &[&Scope],
) -> Expr {
    let own = of(&operand, scope, outer);
    let affs: Vec<_> = whens.iter().map(|(w, _)| for_comparison(own, of(w, scope, outer))).collect();
    if affs.iter().all(|a| a.is_none() || *a == own) {
        let whens = whens.into_iter().map(|(w, t)| (wrap(w, None, own.filter(|a| *a != Affinity::Blob)), t)).collect();
        return Expr::Case { operand: Some(Box::new(operand)), whens, else_result };
    }
    let whens = whens
        .into_iter()
        .map(|(w, t)| {
            let (l, r) = pair(operand.clone(), w, scope, outer);
            (Expr::Binary(BinaryOp::Eq, Box::new(l), Box::new(r)), t)
        })
        .collect();
    Expr::Case { operand: None, whens, else_result }
}
