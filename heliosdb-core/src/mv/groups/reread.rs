//! Re-reading what a removal left an aggregate view unable to follow: a
//! MIN/MAX whose reserve ran empty, a SUM that overflowed on the way
//! ([`AggRun::stale`]). Only those aggregates of those groups are
//! recomputed, by the cheapest read that serves, in this order:
//!
//! 1. **MIN/MAX through an ordered index.** With an index on the group
//!    columns followed by the aggregate's column (`GROUP BY region` with
//!    `min(amount)` and `CREATE INDEX … ON orders(region, amount)`), the
//!    group's best values are the first entries of its index range (the last
//!    ones for the other extreme): reading them in order until the reserve
//!    is full costs one seek and [`RESERVE`] entries, however large the
//!    group or the table.
//! 2. **The group's rows through an index** (or the primary key) leading
//!    with the group columns, while the groups read so hold at most
//!    [`GROUP_READ_ROWS`] rows together: an index entry costs a row lookup,
//!    about fifteen times a row of a sequential scan, so large groups are
//!    cheaper in the pass below.
//! 3. **One pass over the view's input** for whatever is left (all groups
//!    at once).
//!
//! Rules 1 and 2 need a single-table view grouped by plain columns (or not
//! grouped: rule 1 then reads an index on the column alone) and a group
//! without NULL keys; a read through an index only narrows what is
//! read: every row is still checked against the group key and the view's
//! WHERE.

use super::{agg_of, AggRun, Folder, Group};
use crate::catalog::TableDef;
use crate::error::Result;
use crate::exec::eval::{eval, EvalCtx};
use crate::mv::analyze::{Item, Maintained, Source};
use crate::mv::extremes::RESERVE;
use crate::mv::source::{filter_at, needed_columns, passes};
use crate::sql::expr::{AggFunc, BinaryOp, Expr};
use crate::sql::plan::{Access, KeyAccess, Plan, ScanPlan};
use crate::sql::planner::access::choose;
use crate::sql::planner::order::key_ordered_type;
use crate::sql::planner::select::full_scan;
use crate::storage::Reader;
use crate::types::Value;
use std::sync::Arc;

/// Rows that rule 2 may read through indexes in one refresh (at a row
/// lookup each, about the cost of a 150,000-row sequential pass).
const GROUP_READ_ROWS: i64 = 10_000;

impl AggRun {
    /// Forgets a stale aggregate's value, ready to be refilled by [`AggRun::refold`]
    /// (the non-NULL count stays: it is exact).
    fn restart(&mut self, func: AggFunc) {
        *self = AggRun { count: self.count, stale: true, ..AggRun::new(Some(func)) };
    }

    /// Adds one value of the group's rows to a restarted aggregate.
    fn refold(&mut self, func: AggFunc, v: &Value) -> Result<()> {
        match func {
            AggFunc::Min | AggFunc::Max => {
                if let Some(r) = self.reserve.as_mut() {
                    r.add(v, true);
                }
            }
            AggFunc::Total => self.add_total(v),
            AggFunc::Sum | AggFunc::Avg => self.sum.add(v)?,
            _ => self.moments.add(crate::types::cast::to_numeric(v).as_f64().unwrap_or(0.0)),
        }
        Ok(())
    }
}

/// What the index reads need to know about the view.
struct Layout<'a> {
    table: &'a Arc<TableDef>,
    /// The GROUP BY expressions (all plain columns).
    groups: &'a [Expr],
    /// The table column each GROUP BY expression is.
    group_cols: Vec<usize>,
    /// The same, sorted, each once.
    distinct_cols: Vec<usize>,
    items: &'a [Item],
    filter: Option<&'a Expr>,
    /// Columns the reads decode: the group columns, aggregate arguments and WHERE.
    needed: Vec<bool>,
}

impl Folder<'_> {
    /// Recomputes the stale aggregates of the marked groups (see the module
    /// documentation for how each is read); when that took a pass over the
    /// input, says so and names the index that would have spared it.
    ///
    /// # Errors
    /// Storage and evaluation errors of the reads.
    pub(super) fn recompute(&mut self, m: &Maintained, reader: &dyn Reader, ctx: &EvalCtx) -> Result<Option<String>> {
        if !self.touched.values().any(|g| g.recompute && g.rows > 0) {
            return Ok(None);
        }
        let items = self.items;
        for g in self.touched.values_mut().filter(|g| g.recompute) {
            for (run, item) in g.aggs.iter_mut().zip(items) {
                if let Some((f, _)) = agg_of(item).filter(|_| run.stale) {
                    run.restart(f);
                }
            }
        }
        let filter = filter_at(m, ctx)?;
        if let Some(layout) = Layout::of(m, self.groups, items, filter.as_ref()) {
            let mut budget = GROUP_READ_ROWS;
            for (key, g) in self.touched.iter_mut().filter(|(_, g)| g.recompute && g.rows > 0) {
                layout.reread(key, g, &mut budget, reader, ctx)?;
            }
        }
        self.one_pass(m, reader, ctx)
    }

    /// Rule 3: one pass over the input for every aggregate still stale.
    fn one_pass(&mut self, m: &Maintained, reader: &dyn Reader, ctx: &EvalCtx) -> Result<Option<String>> {
        let stale = |g: &Group| g.rows > 0 && g.aggs.iter().any(|a| a.stale);
        let count = self.touched.values().filter(|g| stale(g)).count();
        if count == 0 {
            return Ok(None);
        }
        let note = self.rescan_note(m, count);
        let (groups, items, touched) = (self.groups, self.items, &mut self.touched);
        let mut key = Vec::new();
        crate::mv::source::present(m, reader, ctx, false, &mut |(_, row, _)| {
            super::group_key(groups, row, ctx, &mut key)?;
            let Some(g) = touched.get_mut(&key).filter(|g| g.recompute) else { return Ok(()) };
            refold_row(g, items, row, ctx)
        })?;
        for g in touched.values_mut() {
            g.aggs.iter_mut().for_each(|a| a.stale = false);
        }
        Ok(Some(note))
    }

    /// What the pass re-read, for the refresh's notice, and the index that
    /// would have made it a read of those groups (rule 1 or 2).
    fn rescan_note(&self, m: &Maintained, groups: usize) -> String {
        let Source::Table(t) = &m.source else {
            return format!("re-read {groups} group(s) by a pass over the joined tables");
        };
        let name = |c: &usize| t.columns.get(*c).map_or("?", |col| col.name.as_str());
        let group_cols: Option<Vec<&str>> =
            self.groups.iter().map(|e| if let Expr::Column(c) = e { Some(name(c)) } else { None }).collect();
        // The column of a stale MIN/MAX, for an index that orders the group by it.
        let extreme =
            self.touched.values().flat_map(|g| g.aggs.iter().zip(self.items)).find_map(|(run, item)| match item {
                Item::Agg { func: AggFunc::Min | AggFunc::Max, arg: Some(Expr::Column(c)), .. } if run.stale => {
                    Some(name(c))
                }
                _ => None,
            });
        let hint = match (group_cols, extreme) {
            (Some(mut cols), Some(c)) => {
                cols.push(c);
                format!(": an index on {}({}) would read only their best values", t.name, cols.join(", "))
            }
            (Some(cols), None) if !cols.is_empty() => {
                format!(": an index on {}({}) would read only those groups", t.name, cols.join(", "))
            }
            _ => String::new(),
        };
        format!("re-read {groups} group(s) by a pass over table {}{hint}", t.name)
    }
}

/// Folds one row of group `g` into its stale aggregates.
fn refold_row(g: &mut Group, items: &[Item], row: &[Value], ctx: &EvalCtx) -> Result<()> {
    for (run, item) in g.aggs.iter_mut().zip(items) {
        let Item::Agg { func, arg: Some(arg), .. } = item else { continue };
        if !run.stale {
            continue;
        }
        let v = eval(arg, row, ctx)?;
        if !v.is_null() {
            run.refold(*func, &v)?;
        }
    }
    Ok(())
}

impl<'a> Layout<'a> {
    /// The layout of a single-table view grouped by plain columns (or not
    /// grouped: one group, an empty index prefix), else `None`.
    fn of(m: &'a Maintained, groups: &'a [Expr], items: &'a [Item], filter: Option<&'a Expr>) -> Option<Layout<'a>> {
        let Source::Table(table) = &m.source else { return None };
        let group_cols: Vec<usize> =
            groups.iter().map(|e| if let Expr::Column(c) = e { Some(*c) } else { None }).collect::<Option<_>>()?;
        let needed = needed_columns(m, table);
        let mut distinct_cols = group_cols.clone();
        distinct_cols.sort_unstable();
        distinct_cols.dedup();
        Some(Layout { table, groups, group_cols, distinct_cols, items, filter, needed })
    }

    /// Rules 1 and 2 for one group: clears the stale flag of every
    /// aggregate they recompute.
    fn reread(&self, key: &[u8], g: &mut Group, budget: &mut i64, reader: &dyn Reader, ctx: &EvalCtx) -> Result<()> {
        // `col = NULL` finds nothing: a NULL group is left to the pass.
        if g.values.len() != self.group_cols.len() || g.values.iter().any(Value::is_null) {
            return Ok(());
        }
        for i in 0..self.items.len() {
            let Item::Agg { func: func @ (AggFunc::Min | AggFunc::Max), arg: Some(Expr::Column(c)), .. } =
                &self.items[i]
            else {
                continue;
            };
            if !g.aggs[i].stale {
                continue;
            }
            let Some(sp) = self.ordered_scan(&g.values, *c, *func == AggFunc::Max) else { continue };
            let plan = Plan::Scan(sp);
            for row in crate::exec::query::run(&plan, reader, ctx)? {
                let row = row?;
                let v = row.get(*c).unwrap_or(&Value::Null);
                if v.is_null() || !self.in_group(key, &row, ctx)? {
                    continue;
                }
                let run = &mut g.aggs[i];
                run.refold(*func, v)?;
                if run.reserve.as_ref().map_or(0, |r| r.len()) >= RESERVE {
                    break;
                }
            }
            g.aggs[i].stale = false;
        }
        if !g.aggs.iter().any(|a| a.stale) || g.rows > *budget {
            return Ok(());
        }
        let Some(sp) = self.group_scan(&g.values) else { return Ok(()) };
        *budget -= g.rows;
        let plan = Plan::Scan(sp);
        for row in crate::exec::query::run(&plan, reader, ctx)? {
            let row = row?;
            if self.in_group(key, &row, ctx)? {
                refold_row(g, self.items, &row, ctx)?;
            }
        }
        g.aggs.iter_mut().for_each(|a| a.stale = false);
        Ok(())
    }

    /// Whether a row read through an index belongs to the group and the view.
    fn in_group(&self, key: &[u8], row: &[Value], ctx: &EvalCtx) -> Result<bool> {
        let mut k = Vec::with_capacity(key.len());
        super::group_key(self.groups, row, ctx, &mut k)?;
        Ok(k == key && passes(self.filter, row, ctx)?)
    }

    fn scan(&self, access: Access, reverse: bool) -> ScanPlan {
        ScanPlan { access, needed: self.needed.clone(), reverse, ..full_scan(self.table) }
    }

    /// Rule 1: a scan of the group's entries of an index on the group
    /// columns then `col`, best value of the extreme first.
    fn ordered_scan(&self, values: &[Value], col: usize, max: bool) -> Option<ScanPlan> {
        if !key_ordered_type(self.table, col) {
            return None;
        }
        let n = self.distinct_cols.len();
        let value_of = |c: usize| self.group_cols.iter().position(|g| *g == c).map(|k| values[k].clone());
        self.table.indexes.iter().enumerate().find_map(|(i, ix)| {
            let (next, desc) = *ix.columns.get(n)?;
            let prefix: Vec<Expr> =
                ix.columns[..n].iter().map(|(c, _)| value_of(*c).map(Expr::Literal)).collect::<Option<_>>()?;
            // The first n index columns are the group columns (so each once).
            let leads = self.distinct_cols.iter().all(|g| ix.columns[..n].iter().any(|(c, _)| c == g));
            (next == col && leads).then(|| {
                let access = Access::Key(KeyAccess { index: Some(i), prefixes: vec![prefix], lo: None, hi: None });
                // Ascending entries give MIN first; MAX, or a DESC column, reads backwards.
                self.scan(access, max != desc)
            })
        })
    }

    /// Rule 2: a scan of the group's rows through the primary key or an
    /// index leading with every group column.
    fn group_scan(&self, values: &[Value]) -> Option<ScanPlan> {
        let eq =
            self.group_cols.iter().zip(values).map(|(c, v)| {
                Expr::Binary(BinaryOp::Eq, Box::new(Expr::Column(*c)), Box::new(Expr::Literal(v.clone())))
            });
        let where_expr = eq.reduce(|a, b| Expr::Binary(BinaryOp::And, Box::new(a), Box::new(b)))?;
        match choose(self.table, &where_expr) {
            Access::Key(ka) if ka.prefixes.len() == 1 && ka.prefixes[0].len() == self.distinct_cols.len() => {
                Some(self.scan(Access::Key(ka), false))
            }
            _ => None,
        }
    }
}
