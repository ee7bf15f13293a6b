//! The SQL names of scalar and aggregate functions, and how many arguments
//! each takes (the binder's lookup table).

use super::expr::{AggFunc, Func, MathFn};

/// The scalar function a (lower-cased) name calls.
pub fn scalar_func(name: &str) -> Option<Func> {
    Some(match name {
        "abs" => Func::Abs,
        "coalesce" => Func::Coalesce,
        "ifnull" => Func::IfNull,
        "nullif" => Func::NullIf,
        "iif" => Func::Iif,
        "length" | "char_length" => Func::Length,
        "lower" => Func::Lower,
        "upper" => Func::Upper,
        "substr" | "substring" => Func::Substr,
        "trim" => Func::Trim,
        "ltrim" => Func::LTrim,
        "rtrim" => Func::RTrim,
        "replace" => Func::Replace,
        "instr" => Func::Instr,
        "round" => Func::Round,
        "typeof" => Func::Typeof,
        "hex" => Func::Hex,
        "random" => Func::Random,
        "min" => Func::Min,
        "max" => Func::Max,
        "strftime" => Func::Strftime,
        // CURRENT_DATE / CURRENT_TIME are date() / time() of the statement clock (UTC).
        "date" | "current_date" => Func::Date,
        "time" | "current_time" => Func::Time,
        "datetime" => Func::DateTime,
        "unixepoch" => Func::UnixEpoch,
        "julianday" => Func::JulianDay,
        "now" | "current_timestamp" => Func::Now,
        "heliosdb_version" | "sqlite_version" => Func::Version,
        "printf" | "format" => Func::Printf,
        "quote" => Func::Quote,
        "char" => Func::Char,
        "unicode" => Func::Unicode,
        "glob" => Func::Glob,
        "heliosdb_current_scn" => Func::CurrentScn,
        "heliosdb_last_txid" => Func::LastTxid,
        "last_insert_rowid" => Func::LastInsertRowid,
        "changes" => Func::Changes,
        "total_changes" => Func::TotalChanges,
        "heliosdb_gc" => Func::Gc,
        "heliosdb_ack" => Func::Ack,
        "json" => Func::Json,
        "json_valid" => Func::JsonValid,
        "json_extract" => Func::JsonExtract,
        "json_type" => Func::JsonType,
        "json_array_length" => Func::JsonArrayLength,
        "json_array" => Func::JsonArray,
        "json_object" => Func::JsonObject,
        "json_quote" => Func::JsonQuote,
        "json_set" => Func::JsonSet,
        "json_insert" => Func::JsonInsert,
        "json_replace" => Func::JsonReplace,
        "json_remove" => Func::JsonRemove,
        "json_patch" => Func::JsonPatch,
        "randomblob" => Func::RandomBlob,
        "zeroblob" => Func::ZeroBlob,
        "likely" | "unlikely" | "likelihood" => Func::Likely,
        _ => return math_func(name).map(Func::Math),
    })
}

/// The math function a (lower-cased) name calls.
fn math_func(name: &str) -> Option<MathFn> {
    Some(match name {
        "ceil" | "ceiling" => MathFn::Ceil,
        "floor" => MathFn::Floor,
        "trunc" => MathFn::Trunc,
        "sign" => MathFn::Sign,
        "sqrt" => MathFn::Sqrt,
        "exp" => MathFn::Exp,
        "ln" => MathFn::Ln,
        "log" => MathFn::Log,
        "log10" => MathFn::Log10,
        "log2" => MathFn::Log2,
        "pow" | "power" => MathFn::Pow,
        "mod" => MathFn::Mod,
        "pi" => MathFn::Pi,
        "degrees" => MathFn::Degrees,
        "radians" => MathFn::Radians,
        "sin" => MathFn::Sin,
        "cos" => MathFn::Cos,
        "tan" => MathFn::Tan,
        "asin" => MathFn::Asin,
        "acos" => MathFn::Acos,
        "atan" => MathFn::Atan,
        "atan2" => MathFn::Atan2,
        "sinh" => MathFn::Sinh,
        "cosh" => MathFn::Cosh,
        "tanh" => MathFn::Tanh,
        "asinh" => MathFn::Asinh,
        "acosh" => MathFn::Acosh,
        "atanh" => MathFn::Atanh,
        _ => return None,
    })
}

/// The aggregate a (lower-cased) name with `nargs` arguments calls.
pub fn agg_func(name: &str, nargs: usize) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "total" => AggFunc::Total,
        "avg" => AggFunc::Avg,
        "min" if nargs == 1 => AggFunc::Min,
        "max" if nargs == 1 => AggFunc::Max,
        "stddev" | "stddev_samp" => AggFunc::StddevSamp,
        "stddev_pop" => AggFunc::StddevPop,
        "variance" | "var_samp" => AggFunc::VarSamp,
        "var_pop" => AggFunc::VarPop,
        "group_concat" | "string_agg" => AggFunc::GroupConcat,
        "json_group_array" => AggFunc::JsonGroupArray,
        "json_group_object" => AggFunc::JsonGroupObject,
        _ => return None,
    })
}

/// Whether `f` takes `n` arguments.
pub fn arity_ok(f: Func, n: usize) -> bool {
    match f {
        Func::Random | Func::Now | Func::Version | Func::CurrentScn | Func::LastTxid | Func::Gc => n == 0,
        Func::LastInsertRowid | Func::Changes | Func::TotalChanges => n == 0,
        Func::Abs | Func::Length | Func::Lower | Func::Upper | Func::Typeof | Func::Hex => n == 1,
        Func::Quote | Func::Unicode | Func::NumericAffinity | Func::TextAffinity => n == 1,
        Func::IfNull | Func::NullIf | Func::Instr | Func::Glob | Func::Ack => n == 2,
        Func::Printf | Func::Char => true,
        Func::Iif | Func::Replace => n == 3,
        Func::Substr => n == 2 || n == 3,
        Func::Trim | Func::LTrim | Func::RTrim | Func::Round => n == 1 || n == 2,
        Func::Coalesce | Func::Min | Func::Max => n >= 2,
        Func::Strftime => n >= 1,
        Func::Date | Func::Time | Func::DateTime | Func::UnixEpoch | Func::JulianDay => true,
        // SQLite registers these with any number of arguments and checks inside.
        Func::JsonExtract | Func::JsonArray | Func::JsonObject | Func::JsonRemove => true,
        Func::JsonSet | Func::JsonInsert | Func::JsonReplace => true,
        Func::Json | Func::JsonValid | Func::JsonQuote | Func::JsonSubtype | Func::JsonLabel => n == 1,
        Func::JsonType | Func::JsonArrayLength => n == 1 || n == 2,
        Func::JsonArrow | Func::JsonLongArrow | Func::JsonPatch => n == 2,
        Func::RandomBlob | Func::ZeroBlob => n == 1,
        // likely(x), unlikely(x), likelihood(x, p).
        Func::Likely => n == 1 || n == 2,
        Func::Math(MathFn::Pi) => n == 0,
        Func::Math(MathFn::Log) => n == 1 || n == 2,
        Func::Math(MathFn::Pow | MathFn::Mod | MathFn::Atan2) => n == 2,
        Func::Math(_) => n == 1,
    }
}
