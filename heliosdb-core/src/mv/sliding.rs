//! Sliding time windows: views whose WHERE compares a column with a
//! `now`-relative bound (`ts > strftime('%s','now','-7 days')`,
//! `ts >= unixepoch() - 86400`, `ts BETWEEN … AND …`), maintained
//! incrementally although rows leave them without any row changing.
//!
//! `now` inside a view is pinned to the commit time of the SCN it reflects
//! (see [`super::refresh`]), so between a view's SCN `r` (pinned `n_r`) and
//! the refresh's SCN `s` (pinned `n_s`) its input moves in two steps:
//!
//! ```text
//! I(s, n_s) − I(r, n_r)  =  [I(s, n_r) − I(r, n_r)]  +  [I(s, n_s) − I(s, n_r)]
//! ```
//!
//! The first term is the change log filtered with the old `now`; the second
//! is the present rows whose bound column lies between a bound's old and new
//! value (the only rows whose verdict can differ), each entering or leaving
//! as its verdict under the new `now` differs from the old. With an index on
//! the column that band is a range read; without one it is a scan of the
//! table (the CREATE notice says so).

use super::source::{passes, Event};
use crate::catalog::TableDef;
use crate::error::Result;
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::scan::scan;
use crate::exec::write::row_key_of;
use crate::sql::expr::{BinaryOp, Expr, Func};
use crate::sql::plan::Access;
use crate::sql::planner::access::{choose, conjuncts};
use crate::sql::planner::select::full_scan;
use crate::storage::Reader;
use crate::types::cast::coerce_to_column;
use crate::types::compare::total_cmp;
use crate::types::Value;

/// The time-dependent part of a view's WHERE.
#[derive(Debug, Clone)]
pub struct Sliding {
    /// The base-table column compared with `now`-relative bounds.
    pub column: usize,
    /// The bounds (expressions of `now` alone).
    pub bounds: Vec<Expr>,
}

/// Whether `e`'s value depends on the current time.
pub fn uses_now(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| match x {
        Expr::Func(Func::Now, _) => found = true,
        Expr::Func(Func::Date | Func::Time | Func::DateTime | Func::UnixEpoch | Func::JulianDay, args)
            if args.is_empty() =>
        {
            found = true
        }
        Expr::Literal(Value::Text(s)) if s.eq_ignore_ascii_case("now") => found = true,
        _ => {}
    });
    found
}

fn has_columns(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| found |= matches!(x, Expr::Column(_) | Expr::Outer(..)));
    found
}

/// Reads a WHERE clause's `now`-relative conjuncts as a sliding window:
/// `Ok(None)` when nothing in it depends on time, `Err(why)` when something
/// does in a form this module cannot maintain.
pub fn classify(filter: &Expr) -> std::result::Result<Option<Sliding>, String> {
    let mut sliding: Option<Sliding> = None;
    let unsupported = || {
        "a now()-relative condition other than `column op bound` or `column BETWEEN bound AND bound` \
         (its result changes without any row changing)"
            .to_string()
    };
    for c in conjuncts(filter) {
        if !uses_now(c) {
            continue;
        }
        let (col, bounds): (usize, Vec<&Expr>) = match c {
            Expr::Binary(BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq, l, r) => {
                match (l.as_ref(), r.as_ref()) {
                    (Expr::Column(i), b) | (b, Expr::Column(i)) => (*i, vec![b]),
                    _ => return Err(unsupported()),
                }
            }
            Expr::Between { expr, lo, hi, negated: false } => match expr.as_ref() {
                Expr::Column(i) => (*i, vec![lo.as_ref(), hi.as_ref()]),
                _ => return Err(unsupported()),
            },
            _ => return Err(unsupported()),
        };
        if bounds.iter().any(|b| has_columns(b)) {
            return Err(unsupported());
        }
        let s = sliding.get_or_insert_with(|| Sliding { column: col, bounds: Vec::new() });
        if s.column != col {
            return Err("now()-relative conditions on two different columns".into());
        }
        s.bounds.extend(bounds.into_iter().cloned());
    }
    Ok(sliding)
}

/// `filter` with its `now`-relative bounds evaluated once under `ctx`, so
/// testing a row does not re-run `strftime(…, 'now', …)` for every row.
///
/// # Errors
/// Evaluation errors of a bound.
pub fn pin(filter: &Expr, ctx: &EvalCtx) -> Result<Expr> {
    let lit = |e: &Expr| -> Result<Box<Expr>> {
        Ok(Box::new(if uses_now(e) && !has_columns(e) { Expr::Literal(eval(e, &[], ctx)?) } else { e.clone() }))
    };
    Ok(match filter {
        Expr::Binary(BinaryOp::And, l, r) => {
            Expr::Binary(BinaryOp::And, Box::new(pin(l, ctx)?), Box::new(pin(r, ctx)?))
        }
        e if !uses_now(e) => e.clone(),
        Expr::Binary(op, l, r) => Expr::Binary(*op, lit(l)?, lit(r)?),
        Expr::Between { expr, lo, hi, negated } => {
            Expr::Between { expr: expr.clone(), lo: lit(lo)?, hi: lit(hi)?, negated: *negated }
        }
        e => e.clone(),
    })
}

/// Whether reading the rows that cross a bound can use an index (or the
/// primary key) of `table`.
pub fn has_range_access(table: &TableDef, s: &Sliding) -> bool {
    let probe = Expr::Between {
        expr: Box::new(Expr::Column(s.column)),
        lo: Box::new(Expr::Literal(Value::Integer(0))),
        hi: Box::new(Expr::Literal(Value::Integer(1))),
        negated: false,
    };
    matches!(choose(table, &probe), Access::Key(_))
}

/// The second term: present rows whose verdict changed because `now` moved
/// from `then`'s to `now`'s, as events (appended to `out`).
///
/// # Errors
/// Storage and evaluation errors.
pub fn band_events(
    table: &std::sync::Arc<TableDef>,
    filter: &Expr,
    s: &Sliding,
    reader: &dyn Reader,
    then: &EvalCtx,
    now: &EvalCtx,
    out: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    if then.clock.now_us() == now.clock.now_us() {
        return Ok(());
    }
    let col = table.columns.get(s.column);
    let mut ends: Vec<Value> = Vec::new();
    let mut bounded = true;
    for b in &s.bounds {
        for ctx in [then, now] {
            let v = eval(b, &[], ctx)?;
            let v = match col {
                Some(c) => coerce_to_column(v, c.ty, &table.name, &c.name).unwrap_or(Value::Null),
                None => v,
            };
            bounded &= !v.is_null();
            ends.push(v);
        }
    }
    let mut sp = full_scan(table);
    if bounded {
        // Every bound moved between its two values; the union of those
        // intervals is inside [least, greatest].
        let lo = ends.iter().min_by(|a, b| total_cmp(a, b)).cloned().unwrap_or(Value::Null);
        let hi = ends.iter().max_by(|a, b| total_cmp(a, b)).cloned().unwrap_or(Value::Null);
        let band = Expr::Between {
            expr: Box::new(Expr::Column(s.column)),
            lo: Box::new(Expr::Literal(lo)),
            hi: Box::new(Expr::Literal(hi)),
            negated: false,
        };
        sp.access = choose(table, &band);
    }
    for row in scan(reader, &sp, now)? {
        let row = row?;
        let sign = i64::from(passes(Some(filter), &row, now)?) - i64::from(passes(Some(filter), &row, then)?);
        if sign != 0 {
            let key = row_key_of(table, &row);
            out((sign, &row, key))?;
        }
    }
    Ok(())
}
