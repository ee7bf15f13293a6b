//! SQLite 3.40's JSON1 functions: `json`, `json_valid`, `json_extract`,
//! `->`, `->>`, `json_type`, `json_array_length`, `json_array`,
//! `json_object`, `json_quote`, `json_set`/`json_insert`/`json_replace`,
//! `json_remove`, `json_patch`, the rows of `json_each`/`json_tree` ([`each_rows`]) and
//! the JSON column check ([`check`]).
//!
//! * [`node`] — the document tree: parser and minifying printer;
//! * [`path`] — path lookup (and creation for json_set / json_insert);
//! * [`funcs`] — the functions on evaluated arguments;
//! * [`each`] — json_each / json_tree rows.
//!
//! SQLite's "JSON subtype" (text a JSON function returned is embedded as
//! JSON, not quoted, by `json_array`, `json_object`, `json_set`, …) is
//! followed through expressions: an argument that is itself a call of a
//! JSON function (also through CASE, COALESCE, IFNULL, IIF and NULLIF, as
//! SQLite copies it) is evaluated here with its subtype ([`eval_typed`]);
//! the binder marks JSON aggregates' results with [`Func::JsonSubtype`]. A
//! JSON value read back from a table or a subquery is plain text (SQLite
//! keeps the subtype through a scalar subquery; HeliosDB does not).

pub mod each;
pub mod funcs;
pub mod node;
pub mod path;

pub use each::{each_rows, EACH_COLUMNS};
pub use funcs::check;

use super::eval::{eval, EvalCtx};
use crate::error::Result;
use crate::sql::expr::{Expr, Func};
use crate::types::Value;
use funcs::{Edit, Typed};

/// Whether `f` is one of the functions this module evaluates.
pub fn is_json_func(f: Func) -> bool {
    use Func::*;
    matches!(
        f,
        Json | JsonValid
            | JsonExtract
            | JsonArrow
            | JsonLongArrow
            | JsonType
            | JsonArrayLength
            | JsonArray
            | JsonObject
            | JsonQuote
            | JsonSet
            | JsonInsert
            | JsonReplace
            | JsonRemove
            | JsonPatch
            | JsonSubtype
            | JsonLabel
    )
}

/// Evaluates `e`, with its JSON subtype when it is a JSON function's call.
///
/// # Errors
/// As [`eval`].
pub fn eval_typed(e: &Expr, row: &[Value], ctx: &EvalCtx) -> Result<Typed> {
    match e {
        Expr::Func(f, args) if is_json_func(*f) => call_typed(*f, args, row, ctx),
        // SQLite copies the subtype along with the value through these.
        Expr::Func(Func::Coalesce | Func::IfNull, args) => {
            for a in args {
                let v = eval_typed(a, row, ctx)?;
                if !v.0.is_null() {
                    return Ok(v);
                }
            }
            Ok((Value::Null, false))
        }
        Expr::Func(Func::Iif, args) if args.len() == 3 => {
            let c = eval(&args[0], row, ctx)?;
            eval_typed(if crate::types::cast::truthy(&c) == Some(true) { &args[1] } else { &args[2] }, row, ctx)
        }
        Expr::Func(Func::NullIf, args) if args.len() == 2 => {
            let a = eval_typed(&args[0], row, ctx)?;
            let b = eval(&args[1], row, ctx)?;
            let same = super::eval::compare(crate::sql::expr::BinaryOp::Eq, &a.0, &b) == Some(true);
            Ok(if same { (Value::Null, false) } else { a })
        }
        Expr::Case { operand, whens, else_result } => {
            let op = operand.as_ref().map(|o| eval(o, row, ctx)).transpose()?;
            for (w, t) in whens {
                let wv = eval(w, row, ctx)?;
                let hit = match &op {
                    Some(o) => super::eval::compare(crate::sql::expr::BinaryOp::Eq, o, &wv) == Some(true),
                    None => crate::types::cast::truthy(&wv) == Some(true),
                };
                if hit {
                    return eval_typed(t, row, ctx);
                }
            }
            else_result.as_ref().map_or(Ok((Value::Null, false)), |x| eval_typed(x, row, ctx))
        }
        _ => Ok((eval(e, row, ctx)?, false)),
    }
}

/// Calls a JSON function (see [`is_json_func`]) on unevaluated arguments.
///
/// # Errors
/// Malformed JSON, bad paths, wrong argument counts, blob values.
pub fn call(f: Func, args: &[Expr], row: &[Value], ctx: &EvalCtx) -> Result<Value> {
    call_typed(f, args, row, ctx).map(|(v, _)| v)
}

fn call_typed(f: Func, args: &[Expr], row: &[Value], ctx: &EvalCtx) -> Result<Typed> {
    // Functions that embed values need their arguments' subtypes.
    if matches!(
        f,
        Func::JsonArray | Func::JsonObject | Func::JsonQuote | Func::JsonSet | Func::JsonInsert | Func::JsonReplace
    ) {
        let typed: Vec<Typed> = args.iter().map(|a| eval_typed(a, row, ctx)).collect::<Result<_>>()?;
        return match f {
            Func::JsonArray => funcs::array(&typed),
            Func::JsonObject => funcs::object(&typed),
            Func::JsonQuote => funcs::quote(&typed[0]),
            Func::JsonSet => funcs::edit(Edit::Set, &typed),
            Func::JsonInsert => funcs::edit(Edit::Insert, &typed),
            _ => funcs::edit(Edit::Replace, &typed),
        };
    }
    let v: Vec<Value> = args.iter().map(|a| eval(a, row, ctx)).collect::<Result<_>>()?;
    let plain = |v: Value| (v, false);
    Ok(match f {
        Func::Json => funcs::json(&v[0])?,
        Func::JsonValid => plain(funcs::valid(&v[0])),
        Func::JsonExtract => funcs::extract(&v)?,
        Func::JsonArrow => funcs::arrow(&v[0], &v[1], true)?,
        Func::JsonLongArrow => funcs::arrow(&v[0], &v[1], false)?,
        Func::JsonType => plain(funcs::type_of(&v)?),
        Func::JsonArrayLength => plain(funcs::array_length(&v)?),
        Func::JsonRemove => funcs::remove(&v)?,
        Func::JsonPatch => funcs::patch(&v[0], &v[1])?,
        Func::JsonSubtype => {
            let is_text = matches!(v[0], Value::Text(_));
            (v[0].clone(), is_text)
        }
        Func::JsonLabel => plain(label(&v[0])),
        _ => plain(Value::Null),
    })
}

/// A `json_group_object` key as JSON text: the key's text quoted, nothing
/// at all for NULL (SQLite 3.40 writes `{…,:value}` then).
fn label(k: &Value) -> Value {
    let mut out = String::new();
    if !k.is_null() {
        node::push_quoted(&mut out, &crate::exec::arith::text_of(k));
    }
    Value::Text(out)
}
