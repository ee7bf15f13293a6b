//! Evaluating a bound expression against one row.

use super::clock::StmtClock;
use super::{arith, functions, strings};
use crate::error::{Error, Result};
use crate::sql::expr::{BinaryOp, Expr, Func, Subquery, SubqueryKind, UnaryOp};
use crate::storage::Reader;
use crate::types::cast::{cast, truthy};
use crate::types::compare::sql_cmp;
use crate::types::Value;
use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

/// What an expression may read besides its row.
pub struct EvalCtx<'a> {
    /// Bound parameter values by slot (missing slots read as NULL).
    pub params: &'a [Value],
    /// The statement's clock: `'now'` is the same instant everywhere in
    /// one statement, as in SQLite.
    pub clock: &'a StmtClock,
    /// Where subqueries read; `None` while a statement writes (subqueries
    /// are evaluated in the statement's read phase).
    reader: Option<&'a dyn Reader>,
    /// Rows of the enclosing queries while a correlated subquery runs (innermost last).
    outer: RefCell<Vec<Vec<Value>>>,
    /// Results of uncorrelated subqueries, computed once per statement.
    cache: RefCell<RowsById>,
    /// The previous round's rows of each running recursive CTE, by id.
    pub working: RefCell<RowsById>,
    /// The SCN every table without its own `AS OF` is read at (inside
    /// `BEGIN READ ONLY AS OF …`), or `None` for the present.
    pub as_of_default: Option<u64>,
    /// The connection's counters the session functions read.
    pub session: SessionValues,
    /// What the statement's sorts, hash tables and buffers may hold before
    /// they spill (unlimited unless the caller sets it).
    /// Borrowed while it is the shared unlimited budget.
    pub mem: Cow<'a, std::sync::Arc<super::memory::WorkMemory>>,
}

/// What the connection's session functions answer (`last_insert_rowid()`,
/// `changes()`, `total_changes()`, `heliosdb_last_txid()`): the connection's
/// counters as they were when the statement began, as SQLite's are for
/// every row of an `INSERT … SELECT`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionValues {
    /// Rowid of the latest row inserted into a rowid table (0 if none).
    pub last_rowid: i64,
    /// Rows changed by the latest INSERT, UPDATE or DELETE.
    pub changes: u64,
    /// Rows changed since the connection opened.
    pub total_changes: u64,
    /// The latest committed write transaction's id.
    pub last_txid: u64,
}

/// Rows by a subquery's or CTE's id. Hashed with a fixed seed: the keys are
/// the engine's own, and a per-map random seed cost every statement's
/// context a thread-local read per map (a 1M-row load builds a million).
type RowsById = HashMap<usize, Rc<Vec<Vec<Value>>>, foldhash::fast::FixedState>;

impl<'a> EvalCtx<'a> {
    /// The same context with `row` as the innermost enclosing row (a trigger's NEW ‖ OLD).
    pub fn with_outer(mut self, row: &[Value]) -> Self {
        self.push_outer(row);
        self
    }

    /// Makes `row` the innermost enclosing row, in place (a context is a
    /// few hundred bytes: building one where it lives saves a copy per
    /// statement).
    pub fn push_outer(&mut self, row: &[Value]) {
        self.outer.get_mut().push(row.to_vec());
    }

    /// Where subqueries and system functions read, if anywhere.
    pub fn reader(&self) -> Option<&'a dyn Reader> {
        self.reader
    }

    /// A context for one statement.
    pub fn new(params: &'a [Value], clock: &'a StmtClock, reader: Option<&'a dyn Reader>) -> EvalCtx<'a> {
        EvalCtx {
            params,
            clock,
            reader,
            outer: RefCell::new(Vec::new()),
            cache: RefCell::new(RowsById::default()),
            working: RefCell::new(RowsById::default()),
            as_of_default: None,
            session: SessionValues::default(),
            mem: Cow::Borrowed(super::memory::WorkMemory::unlimited()),
        }
    }
}

/// The rows a subquery produces for the current row (cached when uncorrelated).
fn subquery_rows(sq: &Subquery, row: &[Value], ctx: &EvalCtx<'_>) -> Result<Rc<Vec<Vec<Value>>>> {
    let key = sq as *const Subquery as usize;
    if !sq.correlated {
        if let Some(rows) = ctx.cache.borrow().get(&key) {
            return Ok(Rc::clone(rows));
        }
    }
    let reader =
        ctx.reader.ok_or_else(|| Error::Sql("subqueries are not supported in this part of a statement".into()))?;
    ctx.outer.borrow_mut().push(row.to_vec());
    let result = super::query::run(&sq.plan, reader, ctx).and_then(|it| it.collect::<Result<Vec<_>>>());
    ctx.outer.borrow_mut().pop();
    let rows = Rc::new(result?);
    if !sq.correlated {
        ctx.cache.borrow_mut().insert(key, Rc::clone(&rows));
    }
    Ok(rows)
}

fn eval_subquery(sq: &Subquery, row: &[Value], ctx: &EvalCtx<'_>) -> Result<Value> {
    // Evaluate the IN operand first: a NULL operand needs the rows only to
    // tell "no rows" (false) from "some rows" (NULL).
    let left = match &sq.kind {
        SubqueryKind::In(l) => Some(eval(l, row, ctx)?),
        _ => None,
    };
    let rows = subquery_rows(sq, row, ctx)?;
    Ok(match &sq.kind {
        SubqueryKind::Scalar => rows.first().and_then(|r| r.first().cloned()).unwrap_or(Value::Null),
        SubqueryKind::Exists => Value::Integer(i64::from(!rows.is_empty())),
        SubqueryKind::In(_) => {
            let v = left.unwrap_or(Value::Null);
            if rows.is_empty() {
                return Ok(Value::Integer(0));
            }
            if v.is_null() {
                return Ok(Value::Null);
            }
            let mut saw_null = false;
            for r in rows.iter() {
                match compare(BinaryOp::Eq, &v, r.first().unwrap_or(&Value::Null)) {
                    Some(true) => return Ok(Value::Integer(1)),
                    None => saw_null = true,
                    Some(false) => {}
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Integer(0)
            }
        }
    })
}

fn bool_value(b: Option<bool>) -> Value {
    match b {
        None => Value::Null,
        Some(b) => Value::Integer(i64::from(b)),
    }
}

/// Three-valued comparison result of `a op b`.
pub fn compare(op: BinaryOp, a: &Value, b: &Value) -> Option<bool> {
    let ord = sql_cmp(a, b)?;
    Some(match op {
        BinaryOp::Eq => ord == Ordering::Equal,
        BinaryOp::NotEq => ord != Ordering::Equal,
        BinaryOp::Lt => ord == Ordering::Less,
        BinaryOp::LtEq => ord != Ordering::Greater,
        BinaryOp::Gt => ord == Ordering::Greater,
        BinaryOp::GtEq => ord != Ordering::Less,
        _ => return None,
    })
}

/// Evaluates `e` over `row`, borrowing when `e` names a column or is a
/// constant (a text or blob value is then not copied).
///
/// # Errors
/// As [`eval`].
pub fn eval_ref<'r>(e: &'r Expr, row: &'r [Value], ctx: &EvalCtx) -> Result<Cow<'r, Value>> {
    match operand(e, row) {
        Some(v) => Ok(Cow::Borrowed(v)),
        None => eval(e, row, ctx).map(Cow::Owned),
    }
}

/// Evaluates `e` over `row`.
///
/// # Errors
/// Type errors in functions, DECIMAL overflow, bad date arguments.
pub fn eval(e: &Expr, row: &[Value], ctx: &EvalCtx) -> Result<Value> {
    Ok(match e {
        Expr::Literal(v) => v.clone(),
        Expr::Column(i) => row.get(*i).cloned().unwrap_or(Value::Null),
        Expr::Param(i) => ctx.params.get(*i).cloned().unwrap_or(Value::Null),
        Expr::Outer(depth, i) => {
            let outer = ctx.outer.borrow();
            outer
                .len()
                .checked_sub(1 + depth)
                .and_then(|level| outer[level].get(*i))
                .cloned()
                .ok_or_else(|| Error::Sql("correlated reference outside its subquery".into()))?
        }
        Expr::Subquery(sq) => return eval_subquery(sq, row, ctx),
        Expr::Unary(op, x) => {
            let v = eval(x, row, ctx)?;
            match op {
                UnaryOp::Neg => arith::negate(&v),
                UnaryOp::Not => bool_value(truthy(&v).map(|b| !b)),
                UnaryOp::BitNot => match arith::bitwise(BinaryOp::BitOr, &v, &Value::Integer(0)) {
                    Value::Integer(i) => Value::Integer(!i),
                    other => other,
                },
            }
        }
        Expr::Binary(op, l, r) => return eval_binary(*op, l, r, row, ctx),
        Expr::IsNull(x, negated) => Value::Integer(i64::from(eval(x, row, ctx)?.is_null() != *negated)),
        Expr::InList { expr, list, negated } => {
            let v = eval(expr, row, ctx)?;
            if v.is_null() {
                return Ok(Value::Null);
            }
            let mut saw_null = false;
            let mut found = false;
            for item in list {
                match compare(BinaryOp::Eq, &v, &eval(item, row, ctx)?) {
                    Some(true) => {
                        found = true;
                        break;
                    }
                    None => saw_null = true,
                    Some(false) => {}
                }
            }
            let r = if found {
                Some(true)
            } else if saw_null {
                None
            } else {
                Some(false)
            };
            bool_value(r.map(|b| b != *negated))
        }
        Expr::Between { expr, lo, hi, negated } => {
            let (v, lo, hi) = (eval_ref(expr, row, ctx)?, eval_ref(lo, row, ctx)?, eval_ref(hi, row, ctx)?);
            let ge = compare(BinaryOp::GtEq, &v, &lo);
            let le = compare(BinaryOp::LtEq, &v, &hi);
            let both = match (ge, le) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            bool_value(both.map(|b| b != *negated))
        }
        Expr::Like { expr, pattern, escape, negated } => {
            let v = eval(expr, row, ctx)?;
            let p = eval(pattern, row, ctx)?;
            let esc = match escape {
                Some(x) => Some(eval(x, row, ctx)?),
                None => None,
            };
            bool_value(strings::like(&v, &p, esc.as_ref())?.map(|b| b != *negated))
        }
        Expr::Case { operand, whens, else_result } => {
            let op = match operand {
                Some(o) => Some(eval(o, row, ctx)?),
                None => None,
            };
            for (w, t) in whens {
                let wv = eval(w, row, ctx)?;
                let hit = match &op {
                    Some(o) => compare(BinaryOp::Eq, o, &wv) == Some(true),
                    None => truthy(&wv) == Some(true),
                };
                if hit {
                    return eval(t, row, ctx);
                }
            }
            match else_result {
                Some(x) => eval(x, row, ctx)?,
                None => Value::Null,
            }
        }
        Expr::Cast(x, ty) => {
            let v = eval(x, row, ctx)?;
            match super::datetime::storage::stored_at(*ty, &v, || ctx.clock.now_us()) {
                Some(now) => now,
                None => cast(&v, *ty)?,
            }
        }
        Expr::Func(f, args) => return functions::call(*f, args, row, ctx),
        Expr::Agg(_) => {
            return Err(Error::Sql("misuse of aggregate function".into()));
        }
        Expr::Window(_) => {
            return Err(Error::Sql("misuse of window function".into()));
        }
    })
}

fn eval_binary(op: BinaryOp, l: &Expr, r: &Expr, row: &[Value], ctx: &EvalCtx) -> Result<Value> {
    match op {
        BinaryOp::And => {
            let a = truthy(&eval(l, row, ctx)?);
            if a == Some(false) {
                return Ok(Value::Integer(0));
            }
            let b = truthy(&eval(r, row, ctx)?);
            Ok(bool_value(match (a, b) {
                (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }))
        }
        BinaryOp::Or => {
            let a = truthy(&eval(l, row, ctx)?);
            if a == Some(true) {
                return Ok(Value::Integer(1));
            }
            let b = truthy(&eval(r, row, ctx)?);
            Ok(bool_value(match (a, b) {
                (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            }))
        }
        _ => {
            // Operands are borrowed where they can be: a comparison of a
            // column with a constant then copies neither.
            let (a, b) = (eval_ref(l, row, ctx)?, eval_ref(r, row, ctx)?);
            let (a, b) = (a.as_ref(), b.as_ref());
            Ok(match op {
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                    arith::arithmetic(op, a, b)?
                }
                BinaryOp::Concat => arith::concat(a, b),
                BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::ShiftLeft | BinaryOp::ShiftRight => {
                    arith::bitwise(op, a, b)
                }
                BinaryOp::Is | BinaryOp::IsNot => {
                    let same = match (a.is_null(), b.is_null()) {
                        (true, true) => true,
                        (false, false) => compare(BinaryOp::Eq, a, b) == Some(true),
                        _ => false,
                    };
                    Value::Integer(i64::from(same == (op == BinaryOp::Is)))
                }
                _ => bool_value(compare(op, a, b)),
            })
        }
    }
}

/// Evaluates a predicate: only TRUE keeps a row (NULL and FALSE drop it).
///
/// # Errors
/// As [`eval`].
pub fn eval_predicate(e: &Expr, row: &[Value], ctx: &EvalCtx) -> Result<bool> {
    match e {
        Expr::Binary(
            op @ (BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq),
            l,
            r,
        ) => {
            // The common WHERE: one comparison, answered without building its value.
            if let (Some(a), Some(b)) = (operand(l, row), operand(r, row)) {
                return Ok(compare(*op, a, b) == Some(true));
            }
            let (a, b) = (eval_ref(l, row, ctx)?, eval_ref(r, row, ctx)?);
            Ok(compare(*op, &a, &b) == Some(true))
        }
        // Conjuncts as SQLite runs a WHERE's terms: the first that is not
        // TRUE (FALSE or NULL) drops the row and the rest are not evaluated,
        // so `a >= ? AND a < ?` builds no value and an error in a later term
        // surfaces only for rows the earlier ones keep.
        Expr::Binary(BinaryOp::And, l, r) => Ok(eval_predicate(l, row, ctx)? && eval_predicate(r, row, ctx)?),
        _ => Ok(truthy(&eval(e, row, ctx)?) == Some(true)),
    }
}

/// `e` with each parameter, bare or under an affinity wrapper, replaced by
/// its value for this execution; `None` when `e` names no parameter.
///
/// A WHERE binds `amount >= ?1` as `amount >= numeric_affinity(?1)`, which
/// [`eval_predicate`] evaluated for every row, a function call each time
/// (a quarter of an indexed range count). Bound once per execution, the
/// term compares a column with a constant and builds no value per row. The
/// value is the same: a parameter is constant for the whole execution and
/// the affinity functions are pure.
///
/// # Errors
/// None in practice (evaluating a parameter or its affinity fails on nothing).
pub(crate) fn with_params_bound(e: &Expr, ctx: &EvalCtx) -> Result<Option<Expr>> {
    let mut names_one = false;
    e.walk(&mut |x| names_one |= matches!(x, Expr::Param(_)));
    if !names_one {
        return Ok(None);
    }
    fn bind(e: Expr, ctx: &EvalCtx) -> Result<Expr> {
        match e {
            Expr::Param(_) => Ok(Expr::Literal(eval(&e, &[], ctx)?)),
            Expr::Func(Func::NumericAffinity | Func::TextAffinity, ref args)
                if matches!(args.as_slice(), [Expr::Param(_)]) =>
            {
                Ok(Expr::Literal(eval(&e, &[], ctx)?))
            }
            other => other.try_map_children(&mut |c| bind(c, ctx)),
        }
    }
    bind(e.clone(), ctx).map(Some)
}

/// A column or constant as a plain reference (`None` for anything to
/// compute): what [`eval_ref`] borrows, for the per-row loops that would
/// otherwise move a `Result<Cow<Value>>` through the stack, which stalled on
/// store forwarding (a quarter of a filtered scan's evaluation, a third of
/// a GROUP BY's).
pub(crate) fn operand<'r>(e: &'r Expr, row: &'r [Value]) -> Option<&'r Value> {
    match e {
        Expr::Column(i) => row.get(*i),
        Expr::Literal(v) => Some(v),
        _ => None,
    }
}
