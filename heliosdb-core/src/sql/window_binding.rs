//! Binding window calls: `OVER name` and `OVER (base …)` resolved against
//! the SELECT's `WINDOW` clause with SQLite's inheritance rules, frames
//! checked as SQLite checks them, and `FILTER` on window aggregates.

use super::{agg_func, Binder};
use crate::error::{sql_err, Result};
use crate::sql::expr::{AggFunc, Exclude, Expr, Frame, FrameBound, FrameUnits, WindowCall, WindowFunc};
use crate::sql::scope::Scope;
use crate::sql::window_syntax::exclude_marker;
use sqlparser::ast;

/// A window definition with its base window's clauses merged in.
struct Spec {
    partition: Vec<ast::Expr>,
    order: Vec<ast::OrderByExpr>,
    frame: Option<ast::WindowFrame>,
    exclude: Exclude,
}

/// The window function a name denotes (aggregates as [`WindowFunc::Agg`]).
fn window_func(name: &str, nargs: usize, star: bool) -> Option<WindowFunc> {
    Some(match name {
        "row_number" => WindowFunc::RowNumber,
        "rank" => WindowFunc::Rank,
        "dense_rank" => WindowFunc::DenseRank,
        "percent_rank" => WindowFunc::PercentRank,
        "cume_dist" => WindowFunc::CumeDist,
        "ntile" => WindowFunc::Ntile,
        "lag" => WindowFunc::Lag,
        "lead" => WindowFunc::Lead,
        "first_value" => WindowFunc::FirstValue,
        "last_value" => WindowFunc::LastValue,
        "nth_value" => WindowFunc::NthValue,
        "count" if star => WindowFunc::Agg(AggFunc::CountStar),
        // Not yet over windows: their inputs are bound as JSON texts (see AggFunc).
        "json_group_array" | "json_group_object" => return None,
        other => WindowFunc::Agg(agg_func(other, nargs)?),
    })
}

fn arity_ok(func: WindowFunc, n: usize) -> bool {
    match func {
        WindowFunc::RowNumber
        | WindowFunc::Rank
        | WindowFunc::DenseRank
        | WindowFunc::PercentRank
        | WindowFunc::CumeDist
        | WindowFunc::Agg(AggFunc::CountStar) => n == 0,
        WindowFunc::Lag | WindowFunc::Lead => (1..=3).contains(&n),
        WindowFunc::NthValue => n == 2,
        WindowFunc::Agg(AggFunc::GroupConcat) => n == 1 || n == 2,
        _ => n == 1,
    }
}

/// Position of a bound in SQLite's list; a frame may not start later in
/// it than it ends.
fn bound_rank(b: &FrameBound) -> u8 {
    match b {
        FrameBound::UnboundedPreceding => 0,
        FrameBound::Preceding(_) => 1,
        FrameBound::CurrentRow => 2,
        FrameBound::Following(_) => 3,
        FrameBound::UnboundedFollowing => 4,
    }
}

fn frame_bound(b: &ast::WindowFrameBound) -> Result<FrameBound> {
    // Offsets are constants (parameters allowed), evaluated when the window runs.
    let offset = |e: &ast::Expr| Binder::new(&Scope::default()).bind(e);
    Ok(match b {
        ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
        ast::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
        ast::WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(offset(e)?),
        ast::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
        ast::WindowFrameBound::Following(Some(e)) => FrameBound::Following(offset(e)?),
    })
}

/// The bound frame of a window, checked as SQLite checks it.
fn frame(spec: &Spec) -> Result<Frame> {
    let Some(wf) = &spec.frame else {
        // The default: with ORDER BY the rows up to the current row's last
        // peer; without, every row is a peer, so the whole partition.
        return Ok(Frame {
            units: FrameUnits::Range,
            start: FrameBound::UnboundedPreceding,
            end: FrameBound::CurrentRow,
            exclude: spec.exclude,
        });
    };
    let units = match wf.units {
        ast::WindowFrameUnits::Rows => FrameUnits::Rows,
        ast::WindowFrameUnits::Range => FrameUnits::Range,
        ast::WindowFrameUnits::Groups => FrameUnits::Groups,
    };
    let start = frame_bound(&wf.start_bound)?;
    let end = match &wf.end_bound {
        Some(b) => frame_bound(b)?,
        None => FrameBound::CurrentRow,
    };
    if start == FrameBound::UnboundedFollowing {
        return Err(sql_err!("syntax error: a window frame cannot start at UNBOUNDED FOLLOWING"));
    }
    if end == FrameBound::UnboundedPreceding {
        return Err(sql_err!("syntax error: a window frame cannot end at UNBOUNDED PRECEDING"));
    }
    if bound_rank(&start) > bound_rank(&end) {
        return Err(sql_err!("unsupported frame specification"));
    }
    let has_offset = |b: &FrameBound| matches!(b, FrameBound::Preceding(_) | FrameBound::Following(_));
    if units == FrameUnits::Range && (has_offset(&start) || has_offset(&end)) && spec.order.len() != 1 {
        return Err(sql_err!("RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY expression"));
    }
    Ok(Frame { units, start, end, exclude: spec.exclude })
}

impl Binder<'_> {
    /// The definition named `name` among the first `limit` of the WINDOW clause.
    fn named_window(&self, name: &str, limit: usize) -> Result<Spec> {
        let defs = &self.windows[..limit.min(self.windows.len())];
        let pos = defs
            .iter()
            .position(|d| d.0.value.eq_ignore_ascii_case(name))
            .ok_or_else(|| sql_err!("no such window: {name}"))?;
        match &defs[pos].1 {
            // A definition may build on the ones before it.
            ast::NamedWindowExpr::WindowSpec(spec) => self.window_spec(spec, pos),
            ast::NamedWindowExpr::NamedWindow(_) => {
                Err(sql_err!("syntax error: WINDOW {name} AS needs a parenthesized definition"))
            }
        }
    }

    /// A written window spec, with its base window (`(base ORDER BY …)`)
    /// merged in; SQLite allows adding ORDER BY (if the base has none) and a
    /// frame (if the base has none), never a PARTITION BY.
    fn window_spec(&self, spec: &ast::WindowSpec, limit: usize) -> Result<Spec> {
        let mut partition = spec.partition_by.clone();
        let mut exclude = Exclude::NoOthers;
        if let Some(first) = partition.first() {
            if let Some(x) = exclude_marker(first) {
                exclude = x;
                partition.remove(0);
            }
        }
        let own = Spec { partition, order: spec.order_by.clone(), frame: spec.window_frame.clone(), exclude };
        let Some(base_name) = &spec.window_name else {
            return Ok(own);
        };
        let base = self.named_window(&base_name.value, limit)?;
        let clash = if !own.partition.is_empty() {
            Some("PARTITION clause")
        } else if !base.order.is_empty() && !own.order.is_empty() {
            Some("ORDER BY clause")
        } else if base.frame.is_some() || base.exclude != Exclude::NoOthers {
            Some("frame specification")
        } else {
            None
        };
        if let Some(what) = clash {
            return Err(sql_err!("cannot override {what} of window: {}", base_name.value));
        }
        Ok(Spec {
            partition: base.partition,
            order: if own.order.is_empty() { base.order } else { own.order },
            frame: own.frame,
            exclude: own.exclude,
        })
    }

    /// Binds `name(args) [FILTER (WHERE …)] OVER …`.
    ///
    /// # Errors
    /// Unknown functions or windows, wrong arguments, frames SQLite refuses.
    pub(super) fn bind_window(
        &self,
        name: &str,
        f: &ast::Function,
        args: &[&ast::Expr],
        star: bool,
        over: &ast::WindowType,
    ) -> Result<Expr> {
        if !self.allow_aggregates {
            return Err(sql_err!("misuse of window function {name}()"));
        }
        let func = window_func(name, args.len(), star).ok_or_else(|| sql_err!("no such window function: {name}"))?;
        if !arity_ok(func, args.len()) || (star && func != WindowFunc::Agg(AggFunc::CountStar)) {
            return Err(sql_err!("wrong number of arguments to function {name}()"));
        }
        if f.filter.is_some() && !matches!(func, WindowFunc::Agg(_)) {
            return Err(sql_err!("FILTER clause may only be used with aggregate window functions"));
        }
        let spec = match over {
            ast::WindowType::NamedWindow(id) => self.named_window(&id.value, self.windows.len())?,
            ast::WindowType::WindowSpec(spec) => self.window_spec(spec, self.windows.len())?,
        };
        let args = args.iter().map(|a| self.bind(a)).collect::<Result<Vec<_>>>()?;
        let filter = f.filter.as_ref().map(|w| self.bind(w)).transpose()?;
        let partition = spec.partition.iter().map(|e| self.bind(e)).collect::<Result<Vec<_>>>()?;
        let mut order = Vec::new();
        for ob in &spec.order {
            let desc = matches!(ob.options.sort, Some(ast::OrderBySort::Desc));
            order.push((self.bind(&ob.expr)?, desc, ob.options.nulls_first.unwrap_or(!desc)));
        }
        let frame = frame(&spec)?;
        Ok(Expr::Window(Box::new(WindowCall { func, args, filter, partition, order, frame })))
    }
}
