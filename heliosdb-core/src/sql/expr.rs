//! Bound expressions: what the binder produces and the executor evaluates.
//! Column names are resolved to positions in the input row.

use super::plan::Plan;
use crate::types::{DataType, Value};

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `NOT x`
    Not,
    /// `~x`
    BitNot,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `||`
    Concat,
    /// `=`
    Eq,
    /// `<>`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `IS NOT DISTINCT FROM` / SQLite `IS`
    Is,
    /// `IS DISTINCT FROM` / SQLite `IS NOT`
    IsNot,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `<<`
    ShiftLeft,
    /// `>>`
    ShiftRight,
}

impl BinaryOp {
    /// `= <> < <= > >= IS IS NOT`: the operators column affinity applies to.
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | NotEq | Lt | LtEq | Gt | GtEq | Is | IsNot)
    }
}

/// Scalar functions known to the engine; each variant is the SQL function of
/// the same name (see README's SQL reference for arguments).
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Abs,
    Coalesce,
    IfNull,
    NullIf,
    Iif,
    Length,
    Lower,
    Upper,
    Substr,
    Trim,
    LTrim,
    RTrim,
    Replace,
    Instr,
    Round,
    Typeof,
    Hex,
    Random,
    Min,
    Max,
    Strftime,
    Date,
    Time,
    DateTime,
    UnixEpoch,
    JulianDay,
    Now,
    Version,
    /// `printf(format, …)` / `format(format, …)`.
    Printf,
    Quote,
    Char,
    Unicode,
    /// `glob(pattern, text)`; `text GLOB pattern` binds to it too.
    Glob,
    /// Internal: SQLite's NUMERIC affinity, applied by the binder to an
    /// operand compared with a numeric column (`'5'` → 5).
    NumericAffinity,
    /// Internal: TEXT affinity, applied to an operand compared with a TEXT
    /// column (5 → `'5'`).
    TextAffinity,
    /// `heliosdb_current_scn()`: the latest commit the statement sees.
    CurrentScn,
    /// `heliosdb_last_txid()`: the session's last committed transaction id.
    LastTxid,
    /// `last_insert_rowid()`: the connection's latest inserted rowid.
    LastInsertRowid,
    /// `changes()`: rows changed by the connection's latest INSERT, UPDATE or DELETE.
    Changes,
    /// `total_changes()`: rows changed since the connection opened.
    TotalChanges,
    /// `heliosdb_gc()`: runs history GC now.
    Gc,
    /// `heliosdb_ack(feed, scn)`: acknowledges a change feed's changes up to an SCN.
    Ack,
    /// `json(x)` (the JSON functions live in `exec::json`).
    Json,
    JsonValid,
    JsonExtract,
    /// `x -> path`: the node as JSON text.
    JsonArrow,
    /// `x ->> path`: the node as an SQL value.
    JsonLongArrow,
    JsonType,
    JsonArrayLength,
    JsonArray,
    JsonObject,
    JsonQuote,
    JsonSet,
    JsonInsert,
    JsonReplace,
    JsonRemove,
    JsonPatch,
    /// Internal: its argument, marked as JSON text (a JSON aggregate's result).
    JsonSubtype,
    /// Internal: a `json_group_object` key as a JSON string.
    JsonLabel,
    /// A math function of SQLite's math extension (see [`MathFn`]).
    Math(MathFn),
    /// `randomblob(n)`: n random bytes.
    RandomBlob,
    /// `zeroblob(n)`: n zero bytes.
    ZeroBlob,
    /// `likely(x)`, `unlikely(x)`, `likelihood(x, p)`: `x` (hints to
    /// SQLite's planner, which this one does not need).
    Likely,
    /// `concat(x, …)`: the text of the non-NULL arguments, joined (SQLite 3.44, PostgreSQL).
    Concat,
    /// `concat_ws(sep, x, …)`: the same, separated by `sep` (NULL when `sep` is).
    ConcatWs,
    /// `unhex(x [, ignored])`: the blob a hex text spells, or NULL (SQLite 3.41).
    Unhex,
    /// `octet_length(x)`: the bytes of `x` as text or blob (SQLite 3.43, PostgreSQL).
    OctetLength,
}

/// SQLite's math functions (`SQLITE_ENABLE_MATH_FUNCTIONS`, on in Debian's
/// build): each the SQL function of the same name; `Log` is `log(x)` (base
/// 10) or `log(b, x)`, `Pow` also `power`, `Ceil` also `ceiling`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFn {
    Ceil,
    Floor,
    Trunc,
    Sign,
    Sqrt,
    Exp,
    Ln,
    Log,
    Log10,
    Log2,
    Pow,
    Mod,
    Pi,
    Degrees,
    Radians,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `COUNT(*)`
    CountStar,
    /// `COUNT(x)`
    Count,
    /// `SUM(x)`: exact for integers and decimals, NULL for no rows.
    Sum,
    /// `TOTAL(x)`: always REAL, 0.0 for no rows.
    Total,
    /// `AVG(x)`
    Avg,
    /// `MIN(x)`
    Min,
    /// `MAX(x)`
    Max,
    /// `STDDEV(x)` / `STDDEV_SAMP(x)`
    StddevSamp,
    /// `STDDEV_POP(x)`
    StddevPop,
    /// `VARIANCE(x)` / `VAR_SAMP(x)`
    VarSamp,
    /// `VAR_POP(x)`
    VarPop,
    /// `GROUP_CONCAT(x [, sep])` / `STRING_AGG(x, sep)`
    GroupConcat,
    /// `JSON_GROUP_ARRAY(x)`: `arg` is bound as `json_quote(x)`.
    JsonGroupArray,
    /// `JSON_GROUP_OBJECT(k, v)`: `arg` is the quoted key, `separator` `json_quote(v)`.
    JsonGroupObject,
    /// A bare column in an aggregate query: the value from the group's first row
    /// (SQLite allows this; it is what the result shows for such columns).
    First,
}

/// One aggregate call of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct AggCall {
    /// Which aggregate.
    pub func: AggFunc,
    /// Its argument, bound against the aggregate's input rows.
    pub arg: Option<Expr>,
    /// `DISTINCT` was given.
    pub distinct: bool,
    /// GROUP_CONCAT separator.
    pub separator: Option<Expr>,
    /// `FILTER (WHERE …)`: only rows where it is true are fed to the aggregate.
    pub filter: Option<Expr>,
}

/// Window functions (ranking and navigation; aggregates use [`AggFunc`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFunc {
    /// `ROW_NUMBER()`
    RowNumber,
    /// `RANK()`
    Rank,
    /// `DENSE_RANK()`
    DenseRank,
    /// `PERCENT_RANK()`: (rank - 1) / (partition rows - 1), 0.0 for one row.
    PercentRank,
    /// `CUME_DIST()`: rows up to the current row's last peer / partition rows.
    CumeDist,
    /// `NTILE(n)`: the bucket (1..=n) of the row when the partition is split
    /// into n nearly equal buckets.
    Ntile,
    /// `LAG(x [, offset [, default]])`
    Lag,
    /// `LEAD(x [, offset [, default]])`
    Lead,
    /// `FIRST_VALUE(x)`
    FirstValue,
    /// `LAST_VALUE(x)`
    LastValue,
    /// `NTH_VALUE(x, n)`: x on the frame's n-th row, or NULL.
    NthValue,
    /// An aggregate over the window frame.
    Agg(AggFunc),
}

impl WindowFunc {
    /// Whether the function reads the frame (aggregates and the value
    /// functions); the others ignore any frame, as in SQLite.
    pub fn uses_frame(self) -> bool {
        matches!(self, WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue | WindowFunc::Agg(_))
    }
}

/// How a frame counts: `ROWS` counts rows, `RANGE` compares ORDER BY values
/// (rows with equal values, peers, are alike), `GROUPS` counts peer groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameUnits {
    /// `ROWS`
    Rows,
    /// `RANGE` (the default)
    Range,
    /// `GROUPS`
    Groups,
}

/// One edge of a window frame. Offsets are constant expressions, checked
/// when the window runs (SQLite's rule: non-negative; an integer except in
/// RANGE frames).
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    /// The partition's first row.
    UnboundedPreceding,
    /// N rows / groups / ORDER BY units before the current row.
    Preceding(Expr),
    /// The current row (in RANGE and GROUPS frames, with its peers).
    CurrentRow,
    /// N rows / groups / ORDER BY units after the current row.
    Following(Expr),
    /// The partition's last row.
    UnboundedFollowing,
}

/// `EXCLUDE …`: rows taken out of every frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclude {
    /// `EXCLUDE NO OTHERS` (the default).
    NoOthers,
    /// `EXCLUDE CURRENT ROW`.
    CurrentRow,
    /// `EXCLUDE GROUP`: the current row and its peers.
    Group,
    /// `EXCLUDE TIES`: the current row's peers, but not the row itself.
    Ties,
}

/// A window frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// ROWS, RANGE or GROUPS.
    pub units: FrameUnits,
    /// Start edge.
    pub start: FrameBound,
    /// End edge.
    pub end: FrameBound,
    /// Rows excluded from the frame.
    pub exclude: Exclude,
}

/// A window function call: `f(args) [FILTER (WHERE …)] OVER (PARTITION BY …
/// ORDER BY … frame)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowCall {
    /// The function.
    pub func: WindowFunc,
    /// Arguments, over the window's input rows.
    pub args: Vec<Expr>,
    /// `FILTER (WHERE …)` of an aggregate: rows where it is not true are
    /// left out of the aggregate (they still count as frame rows).
    pub filter: Option<Expr>,
    /// PARTITION BY.
    pub partition: Vec<Expr>,
    /// ORDER BY: (expression, descending, nulls first).
    pub order: Vec<(Expr, bool, bool)>,
    /// The frame (aggregates and FIRST_VALUE, LAST_VALUE, NTH_VALUE).
    pub frame: Frame,
}

/// What a subquery computes.
#[derive(Debug, Clone)]
pub enum SubqueryKind {
    /// `(SELECT …)`: the first column of the first row, or NULL.
    Scalar,
    /// `EXISTS (SELECT …)`: 1 if any row, else 0.
    Exists,
    /// `x IN (SELECT …)`: `x` is evaluated on the current row.
    In(Box<Expr>),
}

/// A subquery inside an expression.
#[derive(Debug, Clone)]
pub struct Subquery {
    /// The subquery's plan; `Expr::Outer` inside it read the current row.
    pub plan: Plan,
    /// What it computes.
    pub kind: SubqueryKind,
    /// Whether it reads the enclosing row (then it runs per row; otherwise
    /// once per statement, its result cached).
    pub correlated: bool,
}

impl PartialEq for Subquery {
    /// Two subqueries are the same expression only if they are the same node.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// A bound expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Literal(Value),
    /// The input row's column at this position.
    Column(usize),
    /// Parameter slot (0-based).
    Param(usize),
    /// A column of an enclosing query's current row: (levels out, 0 = the
    /// immediately enclosing query; position in that row).
    Outer(usize, usize),
    /// A subquery.
    Subquery(Box<Subquery>),
    /// Unary operator.
    Unary(UnaryOp, Box<Expr>),
    /// Binary operator.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x IS [NOT] NULL` (`true` = negated).
    IsNull(Box<Expr>, bool),
    /// `x [NOT] IN (list)`.
    InList {
        /// Tested value.
        expr: Box<Expr>,
        /// Candidates.
        list: Vec<Expr>,
        /// NOT IN.
        negated: bool,
    },
    /// `x [NOT] BETWEEN lo AND hi`.
    Between {
        /// Tested value.
        expr: Box<Expr>,
        /// Lower bound (inclusive).
        lo: Box<Expr>,
        /// Upper bound (inclusive).
        hi: Box<Expr>,
        /// NOT BETWEEN.
        negated: bool,
    },
    /// `x [NOT] LIKE pattern [ESCAPE e]` (ASCII case-insensitive).
    Like {
        /// Tested text.
        expr: Box<Expr>,
        /// Pattern with `%` and `_`.
        pattern: Box<Expr>,
        /// Escape character.
        escape: Option<Box<Expr>>,
        /// NOT LIKE.
        negated: bool,
    },
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    Case {
        /// Simple-CASE operand.
        operand: Option<Box<Expr>>,
        /// WHEN/THEN pairs.
        whens: Vec<(Expr, Expr)>,
        /// ELSE result.
        else_result: Option<Box<Expr>>,
    },
    /// `CAST(x AS type)`.
    Cast(Box<Expr>, DataType),
    /// Scalar function call.
    Func(Func, Vec<Expr>),
    /// An aggregate call (only before the planner rewrites it to a column of
    /// the aggregate's output).
    Agg(Box<AggCall>),
    /// A window function call (only before the planner rewrites it to a
    /// column of the window operator's output).
    Window(Box<WindowCall>),
}

impl Expr {
    /// Applies `f` to each direct child, rebuilding the node.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn try_map_children<E>(self, f: &mut impl FnMut(Expr) -> Result<Expr, E>) -> Result<Expr, E> {
        let bx = |e: Box<Expr>, f: &mut dyn FnMut(Expr) -> Result<Expr, E>| f(*e).map(Box::new);
        Ok(match self {
            Expr::Literal(_) | Expr::Column(_) | Expr::Param(_) | Expr::Agg(_) | Expr::Outer(..) => self,
            Expr::Window(mut w) => {
                w.args = w.args.into_iter().map(&mut *f).collect::<Result<_, E>>()?;
                w.filter = w.filter.map(&mut *f).transpose()?;
                w.partition = w.partition.into_iter().map(&mut *f).collect::<Result<_, E>>()?;
                w.order = w.order.into_iter().map(|(e, d, n)| Ok((f(e)?, d, n))).collect::<Result<_, E>>()?;
                Expr::Window(w)
            }
            Expr::Subquery(mut sq) => {
                if let SubqueryKind::In(left) = sq.kind {
                    sq.kind = SubqueryKind::In(bx(left, f)?);
                }
                Expr::Subquery(sq)
            }
            Expr::Unary(op, e) => Expr::Unary(op, bx(e, f)?),
            Expr::Binary(op, l, r) => Expr::Binary(op, bx(l, f)?, bx(r, f)?),
            Expr::IsNull(e, n) => Expr::IsNull(bx(e, f)?, n),
            Expr::InList { expr, list, negated } => Expr::InList {
                expr: bx(expr, f)?,
                list: list.into_iter().map(&mut *f).collect::<Result<_, E>>()?,
                negated,
            },
            Expr::Between { expr, lo, hi, negated } => {
                Expr::Between { expr: bx(expr, f)?, lo: bx(lo, f)?, hi: bx(hi, f)?, negated }
            }
            Expr::Like { expr, pattern, escape, negated } => Expr::Like {
                expr: bx(expr, f)?,
                pattern: bx(pattern, f)?,
                escape: match escape {
                    Some(e) => Some(bx(e, f)?),
                    None => None,
                },
                negated,
            },
            Expr::Case { operand, whens, else_result } => Expr::Case {
                operand: match operand {
                    Some(e) => Some(bx(e, f)?),
                    None => None,
                },
                whens: whens.into_iter().map(|(w, t)| Ok((f(w)?, f(t)?))).collect::<Result<_, E>>()?,
                else_result: match else_result {
                    Some(e) => Some(bx(e, f)?),
                    None => None,
                },
            },
            Expr::Cast(e, t) => Expr::Cast(bx(e, f)?, t),
            Expr::Func(func, args) => Expr::Func(func, args.into_iter().map(&mut *f).collect::<Result<_, E>>()?),
        })
    }

    /// Calls `f` on this node and every descendant.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Literal(_) | Expr::Column(_) | Expr::Param(_) | Expr::Outer(..) => {}
            Expr::Subquery(sq) => {
                if let SubqueryKind::In(left) = &sq.kind {
                    left.walk(f);
                }
            }
            Expr::Agg(a) => {
                a.arg.iter().chain(&a.separator).chain(&a.filter).for_each(|e| e.walk(f));
            }
            Expr::Window(w) => {
                w.args.iter().chain(&w.filter).chain(&w.partition).for_each(|e| e.walk(f));
                w.order.iter().for_each(|(e, _, _)| e.walk(f));
            }
            Expr::Unary(_, e) | Expr::IsNull(e, _) | Expr::Cast(e, _) => e.walk(f),
            Expr::Binary(_, l, r) => {
                l.walk(f);
                r.walk(f);
            }
            Expr::InList { expr, list, .. } => {
                expr.walk(f);
                list.iter().for_each(|e| e.walk(f));
            }
            Expr::Between { expr, lo, hi, .. } => {
                expr.walk(f);
                lo.walk(f);
                hi.walk(f);
            }
            Expr::Like { expr, pattern, escape, .. } => {
                expr.walk(f);
                pattern.walk(f);
                if let Some(e) = escape {
                    e.walk(f);
                }
            }
            Expr::Case { operand, whens, else_result } => {
                if let Some(e) = operand {
                    e.walk(f);
                }
                for (w, t) in whens {
                    w.walk(f);
                    t.walk(f);
                }
                if let Some(e) = else_result {
                    e.walk(f);
                }
            }
            Expr::Func(_, args) => args.iter().for_each(|e| e.walk(f)),
        }
    }

    /// Whether the expression contains a window function call.
    pub fn has_window(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, Expr::Window(_)));
        found
    }

    /// Whether the expression contains an aggregate call.
    pub fn has_aggregate(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, Expr::Agg(_)));
        found
    }

    /// Whether the expression reads no column (a constant, possibly with parameters).
    pub fn is_constant(&self) -> bool {
        let mut constant = true;
        self.walk(&mut |e| match e {
            Expr::Column(_)
            | Expr::Agg(_)
            | Expr::Outer(..)
            | Expr::Func(Func::Random | Func::RandomBlob | Func::Gc | Func::Ack, _) => constant = false,
            Expr::Subquery(sq) if sq.correlated => constant = false,
            _ => {}
        });
        constant
    }

    /// Whether the expression contains a subquery that reads the current row.
    pub fn has_correlated_subquery(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if let Expr::Subquery(sq) = e {
                found |= sq.correlated;
            }
        });
        found
    }

    /// Marks every column the expression reads.
    pub fn mark_columns(&self, needed: &mut [bool]) {
        self.walk(&mut |e| {
            if let Expr::Column(i) = e {
                if let Some(slot) = needed.get_mut(*i) {
                    *slot = true;
                }
            }
        });
    }
}
