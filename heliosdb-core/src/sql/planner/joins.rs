//! Join planning: flattening inner joins, ordering them so each table joins
//! onto ones already placed, pushing WHERE conjuncts to the lowest join or
//! scan that has their columns, and extracting hash-join keys.

use super::access;
use crate::sql::expr::Expr;
use crate::sql::plan::{JoinKind, Plan};

/// Number of columns a FROM plan produces.
pub(super) fn width(plan: &Plan) -> usize {
    match plan {
        Plan::Empty => 0,
        Plan::Scan(sp) => sp.width(),
        Plan::System { table, input, .. } => width(input) + table.columns().len(),
        Plan::Working { width, .. } => *width,
        Plan::Recursive { anchor, .. } => width(anchor),
        Plan::Values(rows) => rows.first().map_or(0, Vec::len),
        Plan::Join { left, right_width, .. } => width(left) + right_width,
        Plan::Project { exprs, .. } => exprs.len(),
        Plan::Aggregate { group, aggs, .. } => group.len() + aggs.len(),
        Plan::Window { input, calls } => width(input) + calls.len(),
        Plan::SetOp { left, .. } => width(left),
        Plan::Filter { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Distinct { input }
        | Plan::Limit { input, .. } => width(input),
    }
}

/// The highest and lowest column an expression reads.
fn column_span(e: &Expr) -> Option<(usize, usize)> {
    let mut span: Option<(usize, usize)> = None;
    e.walk(&mut |x| {
        if let Expr::Column(i) = x {
            span = Some(span.map_or((*i, *i), |(lo, hi)| (lo.min(*i), hi.max(*i))));
        }
    });
    span
}

pub(super) fn and_all(mut preds: Vec<Expr>) -> Option<Expr> {
    let first = preds.pop()?;
    Some(
        preds
            .into_iter()
            .rev()
            .fold(first, |acc, p| Expr::Binary(crate::sql::expr::BinaryOp::And, Box::new(p), Box::new(acc))),
    )
}

fn shift_columns(e: Expr, by: usize) -> Expr {
    match e {
        Expr::Column(i) => Expr::Column(i - by),
        other => other
            .try_map_children(&mut |c| Ok::<_, std::convert::Infallible>(shift_columns(c, by)))
            .unwrap_or_else(|never| match never {}),
    }
}

/// Filters a table scan, choosing its access path from the filter.
fn filter_scan(plan: Plan, preds: Vec<Expr>) -> Plan {
    let Some(pred) = and_all(preds) else { return plan };
    let mut plan = plan;
    if let Plan::Scan(scan) = &mut plan {
        scan.access = access::choose(&scan.table, &pred);
    }
    Plan::Filter { input: Box::new(plan), pred }
}

/// Splits a tree of inner joins over plain table scans into its scans (in
/// FROM order) and ON predicates; gives the plan back when it is anything else.
pub(super) fn flatten_inner(plan: Plan) -> std::result::Result<(Vec<Plan>, Vec<Expr>), Plan> {
    fn walk(plan: &Plan, scans: &mut Vec<Plan>, ons: &mut Vec<Expr>) -> bool {
        match plan {
            Plan::Scan(_) => {
                scans.push(plan.clone());
                true
            }
            Plan::Join { left, right, on, kind: JoinKind::Inner, .. } if matches!(**right, Plan::Scan(_)) => {
                if !walk(left, scans, ons) {
                    return false;
                }
                scans.push((**right).clone());
                ons.extend(on.iter().flat_map(|e| access::conjuncts(e).into_iter().cloned()));
                true
            }
            _ => false,
        }
    }
    let (mut scans, mut ons) = (Vec::new(), Vec::new());
    if walk(&plan, &mut scans, &mut ons) {
        Ok((scans, ons))
    } else {
        Err(plan)
    }
}

/// Orders inner-joined tables so each one joins onto tables already placed
/// (a table with a constant filter first), instead of FROM order, which can
/// build a cross product of unrelated tables. The result has the original
/// column layout, restored by a projection.
pub(super) fn reorder_joins(scans: Vec<Plan>, conjuncts: Vec<Expr>) -> Plan {
    let widths: Vec<usize> = scans.iter().map(width).collect();
    let offsets: Vec<usize> = widths
        .iter()
        .scan(0, |acc, w| {
            let o = *acc;
            *acc += w;
            Some(o)
        })
        .collect();
    let owner = |col: usize| offsets.iter().rposition(|o| *o <= col).unwrap_or(0);
    let tables_of = |e: &Expr| {
        let mut t = Vec::new();
        e.walk(&mut |x| {
            if let Expr::Column(i) = x {
                let o = owner(*i);
                if !t.contains(&o) {
                    t.push(o);
                }
            }
        });
        t
    };
    let refs: Vec<Vec<usize>> = conjuncts.iter().map(tables_of).collect();
    let filtered = |t: usize| refs.iter().filter(|r| r.as_slice() == [t]).count();
    let mut order: Vec<usize> = Vec::new();
    let mut left: Vec<usize> = (0..scans.len()).collect();
    while !left.is_empty() {
        let connected = |t: usize| {
            refs.iter().any(|r| {
                r.contains(&t) && r.iter().any(|x| order.contains(x)) && r.iter().all(|x| *x == t || order.contains(x))
            })
        };
        let pick = left
            .iter()
            .copied()
            .max_by_key(|t| (order.is_empty() || connected(*t), filtered(*t), std::cmp::Reverse(*t)))
            .unwrap_or(left[0]);
        order.push(pick);
        left.retain(|t| *t != pick);
    }
    // New position of every original column.
    let total: usize = widths.iter().sum();
    let mut new_pos = vec![0; total];
    let mut next = 0;
    for t in &order {
        for c in 0..widths[*t] {
            new_pos[offsets[*t] + c] = next;
            next += 1;
        }
    }
    let remap = |e: Expr| remap_columns(e, &new_pos);
    let mut tables = order.iter().map(|t| scans[*t].clone());
    let Some(first) = tables.next() else { return Plan::Empty };
    let joined = tables.fold(first, |acc, right| {
        let right_width = width(&right);
        Plan::Join {
            left: Box::new(acc),
            right: Box::new(right),
            on: None,
            kind: JoinKind::Inner,
            right_width,
            equi: Vec::new(),
        }
    });
    let plan = push_down(joined, conjuncts.into_iter().map(remap).collect());
    Plan::Project { input: Box::new(plan), exprs: new_pos.iter().map(|p| Expr::Column(*p)).collect() }
}

fn remap_columns(e: Expr, new_pos: &[usize]) -> Expr {
    match e {
        Expr::Column(i) => Expr::Column(new_pos.get(i).copied().unwrap_or(i)),
        other => other
            .try_map_children(&mut |c| Ok::<_, std::convert::Infallible>(remap_columns(c, new_pos)))
            .unwrap_or_else(|never| match never {}),
    }
}

/// Turns `left_expr = right_expr` conjuncts of join conditions into hash-join
/// keys, throughout a FROM plan.
pub(super) fn hash_joins(plan: Plan) -> Plan {
    match plan {
        Plan::Join { left, right, on, kind, right_width, .. } => {
            let left = hash_joins(*left);
            let right = hash_joins(*right);
            let lw = width(&left);
            let mut equi = Vec::new();
            if let Some(cond) = &on {
                for c in access::conjuncts(cond) {
                    let Expr::Binary(crate::sql::expr::BinaryOp::Eq, a, b) = c else { continue };
                    if c.has_correlated_subquery() {
                        continue;
                    }
                    match (column_span(a), column_span(b)) {
                        (Some((_, ah)), Some((bl, _))) if ah < lw && bl >= lw => {
                            equi.push(((**a).clone(), shift_columns((**b).clone(), lw)))
                        }
                        (Some((al, _)), Some((_, bh))) if bh < lw && al >= lw => {
                            equi.push(((**b).clone(), shift_columns((**a).clone(), lw)))
                        }
                        _ => {}
                    }
                }
            }
            Plan::Join { left: Box::new(left), right: Box::new(right), on, kind, right_width, equi }
        }
        Plan::Filter { input, pred } => Plan::Filter { input: Box::new(hash_joins(*input)), pred },
        Plan::Project { input, exprs } => Plan::Project { input: Box::new(hash_joins(*input)), exprs },
        other => other,
    }
}

/// Pushes WHERE conjuncts down a left-deep join tree: each goes to the
/// lowest point that has every column it reads (a table's own scan, or the
/// first inner join that brings its tables together), so nested loops prune
/// early instead of filtering the full cross product.
pub(super) fn push_down(plan: Plan, conjuncts: Vec<Expr>) -> Plan {
    match plan {
        Plan::Join { left, right, on, kind, right_width, .. } => {
            let lw = width(&left);
            let (mut to_left, mut to_right, mut here, mut above) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for c in conjuncts {
                match column_span(&c) {
                    Some((_, hi)) if hi < lw => to_left.push(c),
                    Some((lo, _)) if lo >= lw && kind == JoinKind::Inner && !c.has_aggregate() => {
                        to_right.push(shift_columns(c, lw))
                    }
                    _ if kind == JoinKind::Inner => here.push(c),
                    _ => above.push(c),
                }
            }
            let left = push_down(*left, to_left);
            let right = if matches!(*right, Plan::Scan(_)) {
                filter_scan(*right, to_right)
            } else {
                push_down(*right, to_right)
            };
            let mut preds: Vec<Expr> = on.into_iter().collect();
            preds.extend(here);
            let join = Plan::Join {
                left: Box::new(left),
                right: Box::new(right),
                on: and_all(preds),
                kind,
                right_width,
                equi: Vec::new(),
            };
            match and_all(above) {
                Some(p) => Plan::Filter { input: Box::new(join), pred: p },
                None => join,
            }
        }
        scan @ Plan::Scan(_) => filter_scan(scan, conjuncts),
        other => match and_all(conjuncts) {
            Some(p) => Plan::Filter { input: Box::new(other), pred: p },
            None => other,
        },
    }
}
