//! Scalar functions: the dispatcher [`call`] and the numeric ones (string
//! functions live in [`super::strings`], dates in [`super::datetime`],
//! `printf` in [`super::printf`]).

use super::arith::text_of;
use super::datetime::{self, DateFn};
use super::eval::{eval, EvalCtx};
use super::strings;
use crate::error::{sql_err, Error, Result};
use crate::sql::expr::{Expr, Func};
use crate::types::cast::{int_of, real_of, to_numeric};
use crate::types::compare::total_cmp;
use crate::types::numfmt::{render_abs, FloatSpec, FloatStyle};
use crate::types::Value;
use rust_decimal::Decimal;

/// `round(x [, n])` as SQLite 3.40 computes it: `n` clamps to 0…30; with
/// `n > 0` the value is printed with `%.nf` (round half away from zero,
/// after SQLite's small bias, so `round(1.005, 2)` is 1.01) and read back.
fn round(v: &Value, digits: Option<&Value>) -> Value {
    if v.is_null() || digits.is_some_and(Value::is_null) {
        return Value::Null;
    }
    let n = digits.map_or(0, |d| i64::from(int_of(d) as i32)).clamp(0, 30);
    if let Value::Decimal(x) = v {
        let d = n.min(28) as u32;
        return Value::Decimal(x.round_dp_with_strategy(d, rust_decimal::RoundingStrategy::MidpointAwayFromZero));
    }
    let r = real_of(v);
    if !(-4_503_599_627_370_496.0..=4_503_599_627_370_496.0).contains(&r) {
        return Value::Real(r);
    }
    if n == 0 {
        return Value::Real((r + if r < 0.0 { -0.5 } else { 0.5 }) as i64 as f64);
    }
    let spec =
        FloatSpec { style: FloatStyle::Fixed, precision: n as usize, alternate: false, alt2: false, upper: false };
    let text = render_abs(r, spec);
    let back = text.parse::<f64>().unwrap_or(r.abs());
    Value::Real(if r < 0.0 { -back } else { back })
}

fn abs(v: &Value) -> Result<Value> {
    Ok(match to_numeric(v) {
        Value::Integer(i) => Value::Integer(i.checked_abs().ok_or_else(|| sql_err!("integer overflow in abs()"))?),
        Value::Real(f) => Value::Real(f.abs()),
        Value::Decimal(d) => Value::Decimal(d.abs()),
        other => other,
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Integer(_) => "integer",
        Value::Real(_) => "real",
        Value::Text(_) => "text",
        Value::Blob(_) => "blob",
        Value::Boolean(_) => "boolean",
        Value::Decimal(_) => "decimal",
    }
}

/// The reader a system function needs (absent while a statement writes).
fn system_reader<'c>(ctx: &'c EvalCtx, f: Func) -> Result<&'c dyn crate::storage::Reader> {
    ctx.reader().ok_or_else(|| crate::error::Error::Sql(format!("{f:?} is not available in this part of a statement")))
}

/// Calls a scalar function (arguments are evaluated lazily where it matters:
/// COALESCE and IIF stop at the first value they need).
///
/// # Errors
/// Argument errors (bad date strings, overflow).
pub fn call(f: Func, args: &[Expr], row: &[Value], ctx: &EvalCtx) -> Result<Value> {
    match f {
        Func::Coalesce | Func::IfNull => {
            for a in args {
                let v = eval(a, row, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            return Ok(Value::Null);
        }
        Func::Iif => {
            let c = eval(&args[0], row, ctx)?;
            let pick = if crate::types::cast::truthy(&c) == Some(true) { &args[1] } else { &args[2] };
            return eval(pick, row, ctx);
        }
        // The affinity a comparison puts on a parameter or an untyped operand
        // is evaluated for every row a filter sees: no argument vector.
        Func::NumericAffinity | Func::TextAffinity if args.len() == 1 => {
            let v = eval(&args[0], row, ctx)?;
            return Ok(if f == Func::NumericAffinity {
                crate::types::cast::apply_numeric_affinity(&v)
            } else {
                crate::types::cast::apply_text_affinity(&v)
            });
        }
        f if super::json::is_json_func(f) => return super::json::call(f, args, row, ctx),
        _ => {}
    }
    let v: Vec<Value> = args.iter().map(|a| eval(a, row, ctx)).collect::<Result<_>>()?;
    let text_fn = |g: &dyn Fn(String) -> String| match &v[0] {
        Value::Null => Value::Null,
        x => Value::Text(g(text_of(x))),
    };
    Ok(match f {
        Func::Abs => abs(&v[0])?,
        Func::NullIf => {
            if super::eval::compare(crate::sql::expr::BinaryOp::Eq, &v[0], &v[1]) == Some(true) {
                Value::Null
            } else {
                v[0].clone()
            }
        }
        Func::Length => match &v[0] {
            Value::Null => Value::Null,
            Value::Blob(b) => Value::Integer(b.len() as i64),
            x => Value::Integer(text_of(x).chars().count() as i64),
        },
        Func::Lower => text_fn(&|s| s.to_ascii_lowercase()),
        Func::Upper => text_fn(&|s| s.to_ascii_uppercase()),
        Func::Substr => strings::substr(&v[0], &v[1], v.get(2)),
        Func::Trim => strings::trim(&v[0], v.get(1), true, true),
        Func::LTrim => strings::trim(&v[0], v.get(1), true, false),
        Func::RTrim => strings::trim(&v[0], v.get(1), false, true),
        Func::Replace => strings::replace(&v[0], &v[1], &v[2]),
        Func::Instr => strings::instr(&v[0], &v[1]),
        Func::Round => round(&v[0], v.get(1)),
        Func::Typeof => Value::Text(type_name(&v[0]).into()),
        Func::Hex => strings::hex(&v[0]),
        Func::Unhex => strings::unhex(&v[0], v.get(1)),
        Func::Concat => strings::concat(None, &v),
        Func::ConcatWs => strings::concat(Some(&v[0]), &v[1..]),
        Func::OctetLength => match &v[0] {
            Value::Null => Value::Null,
            Value::Blob(b) => Value::Integer(b.len() as i64),
            x => Value::Integer(text_of(x).len() as i64),
        },
        Func::Quote => strings::quote(&v[0]),
        Func::Char => strings::char_fn(&v),
        Func::Unicode => strings::unicode(&v[0]),
        Func::Glob => strings::glob(&v[1], &v[0]).map_or(Value::Null, |b| Value::Integer(i64::from(b))),
        Func::Printf => super::printf::printf(&v)?,
        Func::NumericAffinity => crate::types::cast::apply_numeric_affinity(&v[0]),
        Func::TextAffinity => crate::types::cast::apply_text_affinity(&v[0]),
        Func::Random => Value::Integer(fastrand::i64(..)),
        Func::RandomBlob => super::math::randomblob(&v[0])?,
        Func::ZeroBlob => super::math::zeroblob(&v[0])?,
        Func::Math(m) => super::math::call(m, &v),
        Func::Likely => v[0].clone(),
        Func::Min | Func::Max => {
            if v.iter().any(Value::is_null) {
                Value::Null
            } else {
                // SQLite's tie rule: max keeps the first of equals, min the last.
                let pick = v.iter().reduce(|a, b| {
                    let ord = total_cmp(a, b);
                    let keep_a = if f == Func::Min { ord.is_lt() } else { ord.is_ge() };
                    if keep_a {
                        a
                    } else {
                        b
                    }
                });
                pick.cloned().unwrap_or(Value::Null)
            }
        }
        Func::Strftime => match v.split_first() {
            Some((fmt, rest)) => datetime::strftime(fmt, rest, ctx.clock.now_us())?,
            None => Value::Null,
        },
        Func::Date => datetime::call(DateFn::Date, &v, ctx.clock.now_us())?,
        Func::Time => datetime::call(DateFn::Time, &v, ctx.clock.now_us())?,
        Func::DateTime => datetime::call(DateFn::DateTime, &v, ctx.clock.now_us())?,
        Func::UnixEpoch => datetime::call(DateFn::UnixEpoch, &v, ctx.clock.now_us())?,
        Func::JulianDay => datetime::call(DateFn::JulianDay, &v, ctx.clock.now_us())?,
        Func::Now => datetime::call(DateFn::DateTime, &[], ctx.clock.now_us())?,
        Func::Version => Value::Text(crate::VERSION.into()),
        Func::CurrentScn => Value::Integer(i64::try_from(system_reader(ctx, f)?.snapshot_scn()).unwrap_or(i64::MAX)),
        Func::LastTxid => Value::Integer(i64::try_from(ctx.session.last_txid).unwrap_or(i64::MAX)),
        Func::LastInsertRowid => Value::Integer(ctx.session.last_rowid),
        Func::Changes => Value::Integer(i64::try_from(ctx.session.changes).unwrap_or(i64::MAX)),
        Func::TotalChanges => Value::Integer(i64::try_from(ctx.session.total_changes).unwrap_or(i64::MAX)),
        Func::Gc => {
            let report = system_reader(ctx, f)?.engine().gc()?;
            Value::Text(format!(
                "{{\"versions_removed\":{},\"commits_removed\":{}}}",
                report.versions_removed, report.commits_removed
            ))
        }
        Func::Ack => {
            let reader = system_reader(ctx, f)?;
            if reader.holds_writer() {
                return Err(Error::Sql(
                    "heliosdb_ack() cannot run inside a transaction that writes: COMMIT first".into(),
                ));
            }
            let name = match v.first() {
                Some(Value::Text(n)) => n.as_str(),
                other => {
                    return Err(Error::Sql(format!("heliosdb_ack() takes a change feed's name first, not {other:?}")))
                }
            };
            let scn = match v.get(1) {
                Some(Value::Integer(s)) if *s >= 0 => *s as u64,
                other => {
                    return Err(Error::Sql(format!(
                        "heliosdb_ack() takes an SCN (an integer ≥ 0) second, not {other:?}"
                    )))
                }
            };
            let engine = reader.engine();
            let busy = std::time::Duration::from_millis(engine.config().database.busy_timeout_ms);
            let acked = crate::feed::ack(engine, name, scn, busy)?;
            Value::Integer(i64::try_from(acked).unwrap_or(i64::MAX))
        }
        Func::Coalesce | Func::IfNull | Func::Iif => Value::Null,
        _ => Value::Null, // the JSON functions, dispatched above
    })
}

/// Decimal helper kept here so aggregate code can share rounding rules.
pub fn decimal_div(a: Decimal, n: i64) -> Option<Decimal> {
    a.checked_div(Decimal::from(n))
}
