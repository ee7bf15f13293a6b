//! Top-N views (`… ORDER BY k LIMIT n`): whether a change can reach the
//! rows a view holds. A changed row (old or new image) that passes the
//! WHERE and sorts at or before the view's last row — or any passing row
//! while the view holds fewer than `n` — may change the result; any other
//! change cannot, and the refresh leaves the view as it is. The sort keys
//! of the stored rows are kept in hidden columns for this test.

use super::partial::sort_column;
use crate::catalog::TableDef;
use crate::error::Result;
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::scan::decode_stored_row;
use crate::sql::expr::Expr;
use crate::storage::{keys, Ks, Reader};
use crate::types::compare::total_cmp;
use crate::types::Value;
use sqlparser::ast;
use std::cmp::Ordering;

/// The row count a `LIMIT n` (with an optional constant OFFSET) keeps, when constant.
pub fn constant_limit(q: &ast::Query) -> Option<usize> {
    let int = |e: &ast::Expr| match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse::<usize>().ok(),
            _ => None,
        },
        _ => None,
    };
    match q.limit_clause.as_ref()? {
        ast::LimitClause::LimitOffset { limit: Some(l), offset, limit_by } if limit_by.is_empty() => {
            if offset.as_ref().is_some_and(|o| int(&o.value).is_none()) {
                return None;
            }
            int(l)
        }
        ast::LimitClause::OffsetCommaLimit { offset, limit } => int(offset).and(int(limit)),
        _ => None,
    }
}

/// The sort keys of the last row `view` holds, when it holds `limit`
/// rows (`None`: it holds fewer, so any passing change reaches it).
///
/// # Errors
/// Storage errors; damaged rows.
pub fn last_stored(reader: &dyn Reader, view: &TableDef, limit: usize, width: usize) -> Result<Option<Vec<Value>>> {
    let (lo, hi) = keys::prefix_bounds(&keys::object_prefix(view.id));
    let at: Vec<usize> =
        (0..width).filter_map(|i| view.columns.iter().position(|c| c.name == sort_column(i))).collect();
    let mut needed = vec![false; view.columns.len()];
    for i in &at {
        needed[*i] = true;
    }
    let mut count = 0;
    let mut last = None;
    for kv in reader.scan(Ks::Rows, lo, hi) {
        let (k, v) = kv?;
        count += 1;
        last = Some((k, v));
    }
    let Some((k, v)) = last.filter(|_| count >= limit) else { return Ok(None) };
    let row = decode_stored_row(view, &k, &v, &needed)?;
    Ok(Some(at.iter().map(|i| row.get(*i).cloned().unwrap_or(Value::Null)).collect()))
}

/// Whether base row `row` can change a top-N view whose last row sorts by `last`.
///
/// # Errors
/// Evaluation errors.
pub fn reaches(
    filter: Option<&Expr>,
    order: &[(Expr, bool)],
    row: &[Value],
    last: Option<&[Value]>,
    ctx: &EvalCtx,
) -> Result<bool> {
    if !super::source::passes(filter, row, ctx)? {
        return Ok(false);
    }
    let Some(last) = last else { return Ok(true) };
    for ((e, desc), l) in order.iter().zip(last) {
        let o = total_cmp(&eval(e, row, ctx)?, l);
        let o = if *desc { o.reverse() } else { o };
        match o {
            Ordering::Less => return Ok(true),
            Ordering::Greater => return Ok(false),
            Ordering::Equal => {}
        }
    }
    Ok(true) // a tie with the last row may swap with it
}
