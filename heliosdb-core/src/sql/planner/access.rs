//! Access-path choice: turn WHERE conjuncts on key columns into a primary-key
//! or index range.
//!
//! Only the shapes `col op constant`, `col IN (constants)` and
//! `col BETWEEN constant AND constant` are used; the whole WHERE is still
//! applied to every row the range yields, so a range only ever narrows what
//! is read, never what is returned.

use crate::catalog::TableDef;
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::{key_columns, Access, KeyAccess};

/// What the WHERE clause says about one column.
#[derive(Default, Clone)]
struct ColumnFacts {
    eq: Option<Expr>,
    in_list: Option<Vec<Expr>>,
    lo: Option<(Expr, bool)>,
    hi: Option<(Expr, bool)>,
}

/// Splits `e` into its AND-ed parts.
pub fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Binary(BinaryOp::And, l, r) => {
            let mut v = conjuncts(l);
            v.extend(conjuncts(r));
            v
        }
        other => vec![other],
    }
}

fn flip(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::LtEq => BinaryOp::GtEq,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::GtEq => BinaryOp::LtEq,
        other => other,
    }
}

fn gather(where_expr: &Expr, width: usize) -> Vec<ColumnFacts> {
    let mut facts = vec![ColumnFacts::default(); width];
    for c in conjuncts(where_expr) {
        match c {
            Expr::Binary(op, l, r) => {
                let (col, op, val) = match (l.as_ref(), r.as_ref()) {
                    (Expr::Column(i), v) if v.is_constant() => (*i, *op, v),
                    (v, Expr::Column(i)) if v.is_constant() => (*i, flip(*op), v),
                    _ => continue,
                };
                let Some(f) = facts.get_mut(col) else { continue };
                match op {
                    BinaryOp::Eq => f.eq = Some(val.clone()),
                    BinaryOp::Gt => f.lo = Some((val.clone(), false)),
                    BinaryOp::GtEq => f.lo = Some((val.clone(), true)),
                    BinaryOp::Lt => f.hi = Some((val.clone(), false)),
                    BinaryOp::LtEq => f.hi = Some((val.clone(), true)),
                    _ => {}
                }
            }
            Expr::InList { expr, list, negated: false } => {
                if let Expr::Column(i) = expr.as_ref() {
                    if list.iter().all(Expr::is_constant) {
                        if let Some(f) = facts.get_mut(*i) {
                            f.in_list = Some(list.clone());
                        }
                    }
                }
            }
            Expr::Between { expr, lo, hi, negated: false } => {
                if let Expr::Column(i) = expr.as_ref() {
                    if lo.is_constant() && hi.is_constant() {
                        if let Some(f) = facts.get_mut(*i) {
                            f.lo = Some(((**lo).clone(), true));
                            f.hi = Some(((**hi).clone(), true));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    facts
}

/// Builds the key access for one key (its columns in order), with a score:
/// more equality columns beat an IN list, which beats a range.
fn candidate(
    index: Option<usize>,
    cols: &[(usize, bool)],
    facts: &[ColumnFacts],
    unique: bool,
) -> Option<(u32, KeyAccess)> {
    let mut prefix = Vec::new();
    let mut access = KeyAccess { index, prefixes: Vec::new(), lo: None, hi: None };
    let mut score = 0u32;
    let mut in_list = None;
    for (col, desc) in cols {
        let f = facts.get(*col)?;
        if let Some(eq) = &f.eq {
            prefix.push(eq.clone());
            score += 10;
            continue;
        }
        if let Some(list) = &f.in_list {
            in_list = Some(list.clone());
            score += 6;
        } else if f.lo.is_some() || f.hi.is_some() {
            // A DESC column stores complemented bytes: its range bounds swap.
            let (lo, hi) = if *desc { (f.hi.clone(), f.lo.clone()) } else { (f.lo.clone(), f.hi.clone()) };
            access.lo = lo;
            access.hi = hi;
            score += 3;
        }
        break;
    }
    if score == 0 {
        return None;
    }
    if unique && prefix.len() == cols.len() {
        score += 100;
    }
    access.prefixes = match in_list {
        Some(list) => list
            .into_iter()
            .map(|v| {
                let mut p = prefix.clone();
                p.push(v);
                p
            })
            .collect(),
        None => vec![prefix],
    };
    Some((score, access))
}

/// Chooses the cheapest access path for a scan of `table` filtered by `where_expr`.
pub fn choose(table: &TableDef, where_expr: &Expr) -> Access {
    if let Some(layout) = table.ranked() {
        // Its ranks are numbered over whole partitions in key order: the
        // only narrowing is to the partitions the WHERE fixes (see
        // `exec::ranked_scan`); the filter above still applies.
        let facts = gather(where_expr, table.columns.len() + 1);
        let cols: Vec<(usize, bool)> = layout.part_columns.iter().map(|c| (*c, false)).collect();
        return match candidate(None, &cols, &facts, false) {
            Some((_, ka)) if ka.prefixes.iter().all(|p| !p.is_empty()) => {
                Access::Key(KeyAccess { lo: None, hi: None, ..ka })
            }
            _ => Access::Full,
        };
    }
    let facts = gather(where_expr, table.columns.len() + 1);
    let mut best: Option<(u32, KeyAccess)> = candidate(None, &key_columns(table, None), &facts, true);
    for (i, ix) in table.indexes.iter().enumerate() {
        if let Some(c) = candidate(Some(i), &key_columns(table, Some(ix)), &facts, ix.unique) {
            // An index costs a row lookup per entry: it must beat the primary key outright.
            if best.as_ref().map_or(true, |(s, _)| c.0 > *s) {
                best = Some(c);
            }
        }
    }
    match best {
        Some((_, a)) => Access::Key(a),
        None => Access::Full,
    }
}
