//! Binding: sqlparser expressions → [`Expr`], resolving names against a
//! [`Scope`] and functions against the engine's function list.

use super::affinity;
use super::column_names::{SourceNames, NO_NAMES};
use super::expr::{AggCall, AggFunc, BinaryOp, Expr, Func, MathFn, Subquery, SubqueryKind, UnaryOp};
use super::function_names::{agg_func, arity_ok, scalar_func};
use super::scope::Scope;
use crate::catalog::Catalog;
use crate::error::{sql_err, Error, Result};
use crate::types::{DataType, Value};
use sqlparser::ast;
use std::cell::Cell;

#[path = "window_binding.rs"]
mod window;

/// A common table expression in scope: (lower-cased name, its query, column names).
#[derive(Debug, Clone)]
pub struct Cte<'a> {
    /// Lower-cased name.
    pub name: String,
    /// Its query.
    pub query: &'a ast::Query,
    /// Column names given in `name (a, b)`, or empty.
    pub columns: Vec<String>,
    /// Declared in `WITH RECURSIVE` and refers to itself.
    pub recursive: bool,
    /// Inside the recursive part of the CTE being defined: the working table
    /// (id and width) a reference to it reads.
    pub working: Option<(usize, usize)>,
}

/// What a query is planned within: the catalog, the scopes of the queries
/// that enclose it (for correlated references, innermost last), and the
/// CTEs it can read.
pub struct QueryCtx<'a> {
    /// The schema.
    pub catalog: &'a Catalog,
    /// Scopes of enclosing queries, innermost last.
    pub outer: Vec<&'a Scope>,
    /// How many levels out this query reached (0: uncorrelated).
    pub outer_used: Cell<usize>,
    /// CTEs visible here.
    pub ctes: Vec<Cte<'a>>,
    /// The statement's select lists as typed (result column names).
    pub names: &'a SourceNames,
}

impl<'a> QueryCtx<'a> {
    /// The context of a top-level statement planned without its source
    /// text (result columns get rendered names).
    pub fn root(catalog: &'a Catalog) -> QueryCtx<'a> {
        QueryCtx::root_named(catalog, &NO_NAMES)
    }

    /// The context of a top-level statement whose select lists were typed as `names`.
    pub fn root_named(catalog: &'a Catalog, names: &'a SourceNames) -> QueryCtx<'a> {
        QueryCtx { catalog, outer: Vec::new(), outer_used: Cell::new(0), ctes: Vec::new(), names }
    }

    /// Records a reference `levels` enclosing queries out (1 = the nearest).
    pub fn note_outer(&self, levels: usize) {
        if levels > self.outer_used.get() {
            self.outer_used.set(levels);
        }
    }
}

/// Binds expressions against one scope.
pub struct Binder<'a> {
    scope: &'a Scope,
    /// Whether aggregate calls are allowed here (not in WHERE, not nested).
    pub allow_aggregates: bool,
    ctx: Option<&'a QueryCtx<'a>>,
    /// The `WINDOW` clause of the SELECT being bound (for `OVER name`).
    windows: &'a [ast::NamedWindowDefinition],
}

/// Parses a numeric literal the way SQLite does: integer if it fits, else REAL.
pub fn number_literal(s: &str) -> Result<Value> {
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::Integer(i));
    }
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if let Ok(u) = u64::from_str_radix(hex, 16) {
            return Ok(Value::Integer(u as i64));
        }
    }
    s.parse::<f64>().map(Value::Real).map_err(|_| sql_err!("malformed number: {s}"))
}

/// The type name of a column definition as written: `""` when none was
/// ([`crate::sql::column_syntax`] writes an untyped column's type as `""`).
pub fn declared_type_name(dt: &ast::DataType) -> String {
    match dt {
        ast::DataType::Unspecified => String::new(),
        ast::DataType::Custom(name, args) if args.is_empty() && name.to_string() == "\"\"" => String::new(),
        other => other.to_string(),
    }
}

/// Maps a sqlparser data type to a column type (by its SQL spelling).
///
/// # Errors
/// Out-of-range DECIMAL precision or scale.
pub fn data_type(dt: &ast::DataType) -> Result<DataType> {
    let text = declared_type_name(dt);
    let (name, args) = match text.find('(') {
        Some(p) => (&text[..p], &text[p + 1..text.rfind(')').unwrap_or(text.len())]),
        None => (text.as_str(), ""),
    };
    let nums: Vec<u64> = args.split(',').filter_map(|a| a.trim().parse().ok()).collect();
    DataType::from_sql_name(name.trim(), &nums)
}

/// The last part of a possibly qualified name.
pub fn object_name(name: &ast::ObjectName) -> String {
    name.0
        .last()
        .map(|p| match p {
            ast::ObjectNamePart::Identifier(i) => i.value.clone(),
            ast::ObjectNamePart::Function(f) => f.name.value.clone(),
        })
        .unwrap_or_default()
}

fn binary_op(op: &ast::BinaryOperator) -> Result<BinaryOp> {
    use ast::BinaryOperator as B;
    Ok(match op {
        B::Plus => BinaryOp::Add,
        B::Minus => BinaryOp::Sub,
        B::Multiply => BinaryOp::Mul,
        B::Divide => BinaryOp::Div,
        B::Modulo => BinaryOp::Rem,
        B::StringConcat => BinaryOp::Concat,
        B::Eq => BinaryOp::Eq,
        B::NotEq => BinaryOp::NotEq,
        B::Lt => BinaryOp::Lt,
        B::LtEq => BinaryOp::LtEq,
        B::Gt => BinaryOp::Gt,
        B::GtEq => BinaryOp::GtEq,
        B::And => BinaryOp::And,
        B::Or => BinaryOp::Or,
        B::BitwiseAnd => BinaryOp::BitAnd,
        B::BitwiseOr => BinaryOp::BitOr,
        B::PGBitwiseShiftLeft => BinaryOp::ShiftLeft,
        B::PGBitwiseShiftRight => BinaryOp::ShiftRight,
        other => return Err(sql_err!("unsupported operator: {other}")),
    })
}

fn placeholder_slot(p: &str) -> Result<usize> {
    p.strip_prefix('?')
        .and_then(|d| d.parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .map(|n| n - 1)
        .ok_or_else(|| Error::Misuse(format!("unnumbered parameter {p}")))
}

/// Converts a sqlparser literal into a value (or parameter).
///
/// # Errors
/// Literal kinds the engine does not support.
pub fn literal(v: &ast::Value) -> Result<Expr> {
    use ast::Value as V;
    Ok(Expr::Literal(match v {
        V::Number(s, _) => number_literal(s)?,
        V::SingleQuotedString(s) | V::DoubleQuotedString(s) | V::EscapedStringLiteral(s) => Value::Text(s.clone()),
        V::NationalStringLiteral(s) | V::TripleSingleQuotedString(s) => Value::Text(s.clone()),
        V::HexStringLiteral(h) => {
            if h.len() % 2 != 0 {
                return Err(sql_err!("malformed blob literal X'{h}'"));
            }
            let bytes = (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .map_err(|_| sql_err!("malformed blob literal X'{h}'"))?;
            Value::Blob(bytes)
        }
        V::Boolean(b) => Value::Boolean(*b),
        V::Null => Value::Null,
        V::Placeholder(p) => return Ok(Expr::Param(placeholder_slot(p)?)),
        other => return Err(sql_err!("unsupported literal: {other}")),
    }))
}

impl<'a> Binder<'a> {
    /// A binder for `scope` without subqueries; aggregates not allowed until enabled.
    pub fn new(scope: &'a Scope) -> Binder<'a> {
        Binder { scope, allow_aggregates: false, ctx: None, windows: &[] }
    }

    /// A binder that can plan subqueries and resolve names of enclosing queries.
    pub fn with_ctx(scope: &'a Scope, ctx: &'a QueryCtx<'a>) -> Binder<'a> {
        Binder { scope, allow_aggregates: false, ctx: Some(ctx), windows: &[] }
    }

    /// The binder with the named windows of a SELECT's `WINDOW` clause in scope.
    pub fn with_windows(self, windows: &'a [ast::NamedWindowDefinition]) -> Binder<'a> {
        Binder { windows, ..self }
    }

    /// Resolves a column: this query's scope first, then enclosing queries'.
    fn column(&self, table: Option<&str>, name: &str) -> Result<Expr> {
        match self.scope.resolve(table, name) {
            Ok(i) => Ok(Expr::Column(i)),
            Err(e) if e.to_string().starts_with("ambiguous") => Err(e),
            Err(e) => {
                if let Some(ctx) = self.ctx {
                    for (depth, sc) in ctx.outer.iter().rev().enumerate() {
                        if let Ok(i) = sc.resolve(table, name) {
                            ctx.note_outer(depth + 1);
                            return Ok(Expr::Outer(depth, i));
                        }
                    }
                }
                Err(e)
            }
        }
    }

    /// Plans a subquery that sees this binder's scope as its innermost enclosing scope.
    fn subquery(&self, q: &ast::Query, kind: SubqueryKind, one_column: bool) -> Result<Expr> {
        let ctx = self.ctx.ok_or_else(|| sql_err!("subqueries are not supported in this part of a statement"))?;
        let mut outer = ctx.outer.clone();
        outer.push(self.scope);
        let inner = QueryCtx {
            catalog: ctx.catalog,
            outer,
            outer_used: Cell::new(0),
            ctes: ctx.ctes.clone(),
            names: ctx.names,
        };
        let qp = super::planner::select::plan_query_in(q, &inner)?;
        if one_column && qp.columns.len() != 1 {
            return Err(sql_err!("sub-select returns {} columns - expected 1", qp.columns.len()));
        }
        let used = inner.outer_used.get();
        if used > 1 {
            ctx.note_outer(used - 1);
        }
        Ok(Expr::Subquery(Box::new(Subquery { plan: qp.plan, kind, correlated: used > 0 })))
    }

    /// The scopes of the enclosing queries, innermost last.
    fn outer(&self) -> &[&'a Scope] {
        self.ctx.map_or(&[], |c| c.outer.as_slice())
    }

    fn b(&self, e: &ast::Expr) -> Result<Box<Expr>> {
        self.bind(e).map(Box::new)
    }

    /// Binds one expression.
    ///
    /// # Errors
    /// Unknown columns or functions, unsupported syntax, misplaced aggregates.
    pub fn bind(&self, e: &ast::Expr) -> Result<Expr> {
        use ast::Expr as A;
        Ok(match e {
            A::Identifier(id) => self.column(None, &id.value)?,
            A::CompoundIdentifier(parts) => match parts.as_slice() {
                [t, c] => self.column(Some(&t.value), &c.value)?,
                [_, t, c] => self.column(Some(&t.value), &c.value)?,
                _ => return Err(sql_err!("unsupported column reference: {e}")),
            },
            A::Value(v) => literal(&v.value)?,
            A::TypedString(ts) => literal(&ts.value.value)?,
            A::Nested(inner) => self.bind(inner)?,
            A::UnaryOp { op, expr } => match op {
                ast::UnaryOperator::Minus => {
                    // Fold `-<number>` so that -9223372036854775808 stays an integer.
                    if let A::Value(v) = expr.as_ref() {
                        if let ast::Value::Number(s, _) = &v.value {
                            return Ok(Expr::Literal(number_literal(&format!("-{s}"))?));
                        }
                    }
                    Expr::Unary(UnaryOp::Neg, self.b(expr)?)
                }
                ast::UnaryOperator::Plus => self.bind(expr)?,
                ast::UnaryOperator::Not => Expr::Unary(UnaryOp::Not, self.b(expr)?),
                ast::UnaryOperator::BitwiseNot => Expr::Unary(UnaryOp::BitNot, self.b(expr)?),
                other => return Err(sql_err!("unsupported operator: {other}")),
            },
            A::BinaryOp { left, op: ast::BinaryOperator::Glob, right } => {
                Expr::Func(Func::Glob, vec![self.bind(right)?, self.bind(left)?])
            }
            A::BinaryOp { left, op: op @ (ast::BinaryOperator::Arrow | ast::BinaryOperator::LongArrow), right } => {
                let f = if *op == ast::BinaryOperator::Arrow { Func::JsonArrow } else { Func::JsonLongArrow };
                Expr::Func(f, vec![self.bind(left)?, self.bind(right)?])
            }
            A::BinaryOp { left, op, right } => {
                let op = binary_op(op)?;
                let (l, r) = (self.bind(left)?, self.bind(right)?);
                let (l, r) = if op.is_comparison() { affinity::pair(l, r, self.scope, self.outer()) } else { (l, r) };
                Expr::Binary(op, Box::new(l), Box::new(r))
            }
            A::IsNull(x) => Expr::IsNull(self.b(x)?, false),
            A::IsNotNull(x) => Expr::IsNull(self.b(x)?, true),
            A::IsTrue(x) => Expr::Binary(BinaryOp::Is, self.b(x)?, Box::new(Expr::Literal(Value::Boolean(true)))),
            A::IsFalse(x) => Expr::Binary(BinaryOp::Is, self.b(x)?, Box::new(Expr::Literal(Value::Boolean(false)))),
            A::IsNotTrue(x) => Expr::Binary(BinaryOp::IsNot, self.b(x)?, Box::new(Expr::Literal(Value::Boolean(true)))),
            A::IsNotFalse(x) => {
                Expr::Binary(BinaryOp::IsNot, self.b(x)?, Box::new(Expr::Literal(Value::Boolean(false))))
            }
            A::IsDistinctFrom(l, r) | A::IsNotDistinctFrom(l, r) => {
                let op = if matches!(e, A::IsDistinctFrom(..)) { BinaryOp::IsNot } else { BinaryOp::Is };
                let (l, r) = affinity::pair(self.bind(l)?, self.bind(r)?, self.scope, self.outer());
                Expr::Binary(op, Box::new(l), Box::new(r))
            }
            A::InList { expr, list, negated } => {
                // SQLite applies the left operand's affinity to the list.
                let e = self.bind(expr)?;
                let own = affinity::of(&e, self.scope, self.outer());
                let aff = affinity::for_comparison(own, None);
                let list = list.iter().map(|x| Ok(affinity::wrap(self.bind(x)?, None, aff))).collect::<Result<_>>()?;
                Expr::InList { expr: Box::new(e), list, negated: *negated }
            }
            A::Between { expr, negated, low, high } => {
                let (e, lo, hi) = (self.bind(expr)?, self.bind(low)?, self.bind(high)?);
                affinity::between(e, lo, hi, *negated, self.scope, self.outer())
            }
            A::Like { negated, any: false, expr, pattern, escape_char }
            | A::ILike { negated, any: false, expr, pattern, escape_char } => Expr::Like {
                expr: self.b(expr)?,
                pattern: self.b(pattern)?,
                escape: match escape_char {
                    Some(x) => Some(self.b(x)?),
                    None => None,
                },
                negated: *negated,
            },
            A::Case { operand, conditions, else_result, .. } => {
                let else_result = match else_result {
                    Some(x) => Some(self.b(x)?),
                    None => None,
                };
                let mut whens = Vec::with_capacity(conditions.len());
                for w in conditions {
                    whens.push((self.bind(&w.condition)?, self.bind(&w.result)?));
                }
                match operand {
                    Some(o) => affinity::simple_case(self.bind(o)?, whens, else_result, self.scope, self.outer()),
                    None => Expr::Case { operand: None, whens, else_result },
                }
            }
            A::Cast { expr, data_type: dt, .. } => Expr::Cast(self.b(expr)?, data_type(dt)?),
            A::Substring { expr, substring_from, substring_for, .. } => {
                let from = substring_from
                    .as_ref()
                    .ok_or_else(|| sql_err!("wrong number of arguments to function substr()"))?;
                let mut args = vec![self.bind(expr)?, self.bind(from)?];
                if let Some(n) = substring_for {
                    args.push(self.bind(n)?);
                }
                Expr::Func(Func::Substr, args)
            }
            A::Trim { expr, trim_where, trim_what, trim_characters } => {
                let func = match trim_where {
                    Some(ast::TrimWhereField::Leading) => Func::LTrim,
                    Some(ast::TrimWhereField::Trailing) => Func::RTrim,
                    _ => Func::Trim,
                };
                let mut args = vec![self.bind(expr)?];
                if let Some(w) = trim_what {
                    args.push(self.bind(w)?);
                } else if let Some(chars) = trim_characters.as_ref().and_then(|c| c.first()) {
                    args.push(self.bind(chars)?);
                }
                Expr::Func(func, args)
            }
            A::Function(f) => self.bind_function(f)?,
            // sqlparser reads `ceil(x)` / `floor(x)` as syntax of their own.
            A::Ceil { expr, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) } => {
                Expr::Func(Func::Math(MathFn::Ceil), vec![self.bind(expr)?])
            }
            A::Floor { expr, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) } => {
                Expr::Func(Func::Math(MathFn::Floor), vec![self.bind(expr)?])
            }
            A::Ceil { .. } => return Err(sql_err!("wrong number of arguments to function ceil()")),
            A::Floor { .. } => return Err(sql_err!("wrong number of arguments to function floor()")),
            A::Subquery(q) => self.subquery(q, SubqueryKind::Scalar, true)?,
            A::Exists { subquery, negated } => {
                let e = self.subquery(subquery, SubqueryKind::Exists, false)?;
                if *negated {
                    Expr::Unary(UnaryOp::Not, Box::new(e))
                } else {
                    e
                }
            }
            A::InSubquery { expr, subquery, negated } => {
                let left = self.b(expr)?;
                let e = self.subquery(subquery, SubqueryKind::In(left), true)?;
                if *negated {
                    Expr::Unary(UnaryOp::Not, Box::new(e))
                } else {
                    e
                }
            }
            other => return Err(sql_err!("unsupported expression: {other}")),
        })
    }

    fn bind_function(&self, f: &ast::Function) -> Result<Expr> {
        let name = object_name(&f.name).to_ascii_lowercase();
        let (args, distinct, star) = match &f.args {
            ast::FunctionArguments::None => (Vec::new(), false, false),
            ast::FunctionArguments::Subquery(_) => {
                return Err(sql_err!("subqueries are not supported yet: {name}(SELECT …)"))
            }
            ast::FunctionArguments::List(list) => {
                let distinct = matches!(list.duplicate_treatment, Some(ast::DuplicateTreatment::Distinct));
                let mut args = Vec::new();
                let mut star = false;
                for a in &list.args {
                    match a {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(x)) => args.push(x),
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard) => star = true,
                        other => return Err(sql_err!("unsupported function argument: {other}")),
                    }
                }
                (args, distinct, star)
            }
        };
        if let Some(over) = &f.over {
            if distinct {
                return Err(sql_err!("DISTINCT is not supported for window functions"));
            }
            return self.bind_window(&name, f, &args, star, over);
        }
        if let Some(agg) = agg_func(&name, args.len()) {
            if !self.allow_aggregates {
                return Err(sql_err!("misuse of aggregate function {name}()"));
            }
            let inner = Binder { scope: self.scope, allow_aggregates: false, ctx: self.ctx, windows: &[] };
            if distinct && (star || args.len() != 1) {
                return Err(sql_err!("DISTINCT aggregates must have exactly one argument: {name}()"));
            }
            let filter = f.filter.as_ref().map(|w| inner.bind(w)).transpose()?;
            let call = match (agg, star, args.as_slice()) {
                (AggFunc::Count, true, []) => {
                    AggCall { func: AggFunc::CountStar, arg: None, distinct: false, separator: None, filter }
                }
                (AggFunc::GroupConcat, false, [x, sep]) => AggCall {
                    func: agg,
                    arg: Some(inner.bind(x)?),
                    distinct,
                    separator: Some(inner.bind(sep)?),
                    filter,
                },
                // The JSON aggregates collect JSON texts (see AggFunc).
                (AggFunc::JsonGroupArray, false, [x]) => AggCall {
                    func: agg,
                    arg: Some(Expr::Func(Func::JsonQuote, vec![inner.bind(x)?])),
                    distinct,
                    separator: None,
                    filter,
                },
                (AggFunc::JsonGroupObject, false, [k, v]) => AggCall {
                    func: agg,
                    arg: Some(Expr::Func(Func::JsonLabel, vec![inner.bind(k)?])),
                    distinct,
                    separator: Some(Expr::Func(Func::JsonQuote, vec![inner.bind(v)?])),
                    filter,
                },
                (AggFunc::JsonGroupArray | AggFunc::JsonGroupObject, ..) => {
                    return Err(sql_err!("wrong number of arguments to function {name}()"))
                }
                (_, false, [x]) => AggCall { func: agg, arg: Some(inner.bind(x)?), distinct, separator: None, filter },
                _ => return Err(sql_err!("wrong number of arguments to function {name}()")),
            };
            let json = matches!(call.func, AggFunc::JsonGroupArray | AggFunc::JsonGroupObject);
            let e = Expr::Agg(Box::new(call));
            // Their results are JSON text for the JSON functions around them.
            return Ok(if json { Expr::Func(Func::JsonSubtype, vec![e]) } else { e });
        }
        let func = scalar_func(&name);
        if func.is_none() && name != "like" {
            return Err(sql_err!("no such function: {name}"));
        }
        if f.filter.is_some() {
            return Err(sql_err!("FILTER may not be used with non-aggregate {name}()"));
        }
        if star || distinct {
            return Err(sql_err!("wrong arguments to function {name}()"));
        }
        let Some(func) = func else {
            // like(X, Y [, Z]) is Y LIKE X [ESCAPE Z], as in SQLite.
            let bound = args.iter().map(|x| self.bind(x)).collect::<Result<Vec<_>>>()?;
            let mut it = bound.into_iter();
            return match (it.next(), it.next(), it.next(), it.next()) {
                (Some(pattern), Some(expr), escape, None) => Ok(Expr::Like {
                    expr: Box::new(expr),
                    pattern: Box::new(pattern),
                    escape: escape.map(Box::new),
                    negated: false,
                }),
                _ => Err(sql_err!("wrong number of arguments to function {name}()")),
            };
        };
        if !arity_ok(func, args.len()) {
            return Err(sql_err!("wrong number of arguments to function {name}()"));
        }
        let bound = args.iter().map(|x| self.bind(x)).collect::<Result<Vec<_>>>()?;
        Ok(Expr::Func(func, bound))
    }
}
