//! Remapping a correlated subquery's references to its enclosing row, for
//! when that row changes shape: a subquery in the select list or HAVING of an
//! aggregate query reads the aggregate's output row (`groups ‖ aggregates`),
//! not the input row it was bound against.

use crate::sql::expr::{Expr, SubqueryKind};
use crate::sql::plan::{Access, Plan, Temporal};
use crate::types::Value;

fn take(e: &mut Expr) -> Expr {
    std::mem::replace(e, Expr::Literal(Value::Null))
}

/// Rewrites, in an expression where the changed row is `Outer(level, _)`
/// (0 inside a subquery of that query, 1 one subquery deeper, …), each
/// reference to the row's column `i` as a reference to column `f(i)`.
pub fn remap_expr(e: Expr, level: usize, f: &mut dyn FnMut(usize) -> usize) -> Expr {
    match e {
        Expr::Outer(d, i) if d == level => Expr::Outer(d, f(i)),
        Expr::Subquery(mut sq) => {
            remap_plan(&mut sq.plan, level + 1, f);
            if let SubqueryKind::In(left) = sq.kind {
                sq.kind = SubqueryKind::In(Box::new(remap_expr(*left, level, f)));
            }
            Expr::Subquery(sq)
        }
        other => match other.try_map_children::<()>(&mut |c| Ok(remap_expr(c, level, f))) {
            Ok(e) => e,
            Err(()) => Expr::Literal(Value::Null), // the closure never fails
        },
    }
}

/// [`remap_expr`] over every expression of a plan (all at the same `level`).
pub fn remap_plan(plan: &mut Plan, level: usize, f: &mut dyn FnMut(usize) -> usize) {
    let mut fix = |e: &mut Expr| *e = remap_expr(take(e), level, f);
    match plan {
        Plan::Empty | Plan::Working { .. } => {}
        Plan::System { input, args, .. } => {
            args.iter_mut().for_each(&mut fix);
            remap_plan(input, level, f);
        }
        Plan::Scan(sp) => {
            if let Access::Key(ka) = &mut sp.access {
                ka.prefixes.iter_mut().flatten().for_each(&mut fix);
                for (e, _) in ka.lo.iter_mut().chain(ka.hi.iter_mut()) {
                    fix(e);
                }
            }
            match &mut sp.temporal {
                Some(Temporal::AsOf { point, .. }) => fix(point),
                Some(Temporal::History { from, to, .. }) => {
                    fix(from);
                    fix(to);
                }
                None => {}
            }
        }
        Plan::Values(rows) => rows.iter_mut().flatten().for_each(&mut fix),
        Plan::Filter { input, pred } => {
            fix(pred);
            remap_plan(input, level, f);
        }
        Plan::Project { input, exprs } => {
            exprs.iter_mut().for_each(&mut fix);
            remap_plan(input, level, f);
        }
        Plan::Aggregate { input, group, aggs } => {
            group.iter_mut().for_each(&mut fix);
            for a in aggs.iter_mut() {
                a.arg.iter_mut().chain(a.separator.iter_mut()).chain(a.filter.iter_mut()).for_each(&mut fix);
            }
            remap_plan(input, level, f);
        }
        Plan::Window { input, calls } => {
            for c in calls.iter_mut() {
                c.args.iter_mut().chain(c.filter.iter_mut()).chain(c.partition.iter_mut()).for_each(&mut fix);
                c.order.iter_mut().for_each(|(e, _, _)| fix(e));
            }
            remap_plan(input, level, f);
        }
        Plan::Sort { input, keys, .. } => {
            keys.iter_mut().for_each(|k| fix(&mut k.expr));
            remap_plan(input, level, f);
        }
        Plan::Distinct { input } => remap_plan(input, level, f),
        Plan::Limit { input, limit, offset } => {
            limit.iter_mut().chain(offset.iter_mut()).for_each(&mut fix);
            remap_plan(input, level, f);
        }
        Plan::Join { left, right, on, equi, .. } => {
            on.iter_mut().for_each(&mut fix);
            for (l, r) in equi.iter_mut() {
                fix(l);
                fix(r);
            }
            remap_plan(left, level, f);
            remap_plan(right, level, f);
        }
        Plan::SetOp { left, right, .. } | Plan::Recursive { anchor: left, step: right, .. } => {
            remap_plan(left, level, f);
            remap_plan(right, level, f);
        }
    }
}
