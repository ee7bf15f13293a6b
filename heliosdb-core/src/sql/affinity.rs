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

use super::expr::{Expr, Func};
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

/// `e BETWEEN lo AND hi` is `e >= lo AND e <= hi`: each bound gets its
/// pair's affinity; `e` is converted only when both pairs agree.
pub fn between(e: Expr, lo: Expr, hi: Expr, scope: &Scope, outer: &[&Scope]) -> (Expr, Expr, Expr) {
    let (ea, la, ha) = (of(&e, scope, outer), of(&lo, scope, outer), of(&hi, scope, outer));
    let (al, ah) = (for_comparison(ea, la), for_comparison(ea, ha));
    let e = if al == ah { wrap(e, ea, al) } else { e };
    (e, wrap(lo, la, al), wrap(hi, ha, ah))
}
