//! Running INSERT, UPDATE and DELETE inside a write transaction.
//!
//! Each statement first reads everything it will change (so it never sees
//! its own writes: no Halloween problem), then writes. The caller wraps the
//! statement in `begin_statement`/`end_statement`, so a constraint violation
//! half-way leaves nothing behind.

use super::clock::StmtClock;
use super::constraints;
use super::datetime;
use super::eval::{eval, EvalCtx, SessionValues};
use super::memory::WorkMemory;
use super::query::run;
use super::scan::decode_stored_row;
use super::spill::{RowSpool, SpooledRows};
use super::triggers::{self, Change};
use super::upsert::{self, Resolved};
use super::write::{delete_row, pk_violation, put_row, row_key_of, unique_conflict, unique_violation};
use crate::catalog::TableDef;
use crate::catalog::TriggerTiming;
use crate::error::{Error, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Conflict, DeletePlan, InsertPlan, InsertSource, Returning, UpdatePlan};
use crate::storage::versions::EndedBy;
use crate::storage::{Ks, Reader, WriteTx};
use crate::types::cast::{coerce_to_column, stored_as_is};
use crate::types::rowcodec::row_scn;
use crate::types::Value;
use std::borrow::Cow;

/// Where a DML statement runs: at the top of a statement, or inside a
/// trigger body (with the triggering row and the nesting depth).
#[derive(Debug, Clone, Copy, Default)]
pub struct Firing<'r> {
    /// The triggering row (`NEW ‖ OLD`), inside a trigger body.
    pub outer: Option<&'r [Value]>,
    /// How many triggers deep.
    pub depth: usize,
    /// The triggers running around this statement: a trigger does not fire
    /// itself again (SQLite's default, `recursive_triggers` off).
    pub active: &'r [String],
    /// The connection's counters the session functions read.
    pub session: SessionValues,
}

impl Firing<'_> {
    /// A statement's own context on a connection whose counters are `session`.
    pub fn top(session: SessionValues) -> Firing<'static> {
        Firing { outer: None, depth: 0, active: &[], session }
    }

    /// The evaluation context of an expression in this statement.
    pub(super) fn ctx<'a>(
        &self,
        params: &'a [Value],
        clock: &'a StmtClock,
        reader: Option<&'a dyn Reader>,
    ) -> EvalCtx<'a> {
        let mut ctx = EvalCtx::new(params, clock, reader);
        ctx.session = self.session;
        if let Some(row) = self.outer {
            ctx.push_outer(row);
        }
        ctx
    }
}

/// What a DML statement did.
#[derive(Debug, Default)]
pub struct DmlResult {
    /// Rows inserted, updated or deleted.
    pub changes: u64,
    /// Rowid of the last inserted row (rowid tables only).
    pub last_rowid: Option<i64>,
    /// RETURNING rows.
    pub rows: Vec<Vec<Value>>,
    /// The working memory the read phase drew on (what it held, what spilled).
    pub memory: Option<std::sync::Arc<WorkMemory>>,
}

fn returning_row(r: &Option<Returning>, row: &[Value], ctx: &EvalCtx, out: &mut Vec<Vec<Value>>) -> Result<()> {
    if let Some(r) = r {
        out.push(r.exprs.iter().map(|e| eval(e, row, ctx)).collect::<Result<_>>()?);
    }
    Ok(())
}

/// Coerces every column to its type and enforces NOT NULL. A date/time
/// column given the text `'now'` stores the statement's instant (`clock`).
fn check_row(table: &TableDef, row: &mut [Value], clock: &StmtClock) -> Result<()> {
    for (i, col) in table.columns.iter().enumerate() {
        // Most values fit their column as they are: then nothing is moved
        // (moving each value out and back was a tenth of a bulk load).
        if !stored_as_is(col.ty, &row[i]) {
            let v = std::mem::replace(&mut row[i], Value::Null);
            row[i] = match datetime::storage::stored_at(col.ty, &v, || clock.now_us()) {
                Some(now) => now,
                None => coerce_to_column(v, col.ty, &table.name, &col.name)?,
            };
        }
        if col.not_null && row[i].is_null() {
            return Err(Error::Constraint(format!("NOT NULL constraint failed: {}.{}", table.name, col.name)));
        }
    }
    Ok(())
}

/// A row of `table` with every column NULL, with room for the rowid
/// [`assign_rowid`] appends.
fn new_row(table: &TableDef) -> Vec<Value> {
    let n = table.columns.len();
    let mut row = Vec::with_capacity(n + 1);
    // Built NULLs, not `resize`'s clones of one (an out-of-line
    // `Value::clone` per column, 3% of a prepared one-row INSERT).
    row.extend(std::iter::repeat_with(|| Value::Null).take(n));
    row
}

/// Assigns the rowid of a new row; returns whether it is known to be new:
/// generated, or given above the table's rowid high-water mark (no row has
/// ever had a larger rowid), so no uniqueness read is needed.
fn assign_rowid(tx: &mut WriteTx, table: &TableDef, row: &mut Vec<Value>) -> Result<bool> {
    if !table.has_rowid() {
        return Ok(false);
    }
    let given = if table.rowid_alias { row[table.primary_key[0]].clone() } else { Value::Null };
    let (rowid, generated) = match given {
        Value::Integer(i) => (i, i > tx.rowid_high_water(table.id)),
        Value::Null => {
            let hw = tx.rowid_high_water(table.id);
            let next = hw
                .checked_add(1)
                .ok_or_else(|| Error::Constraint(format!("table {} has used every rowid", table.name)))?;
            (next, true)
        }
        other => {
            return Err(Error::Mismatch(format!(
                "rowid of {} must be an integer, not {}",
                table.name,
                other.type_name()
            )))
        }
    };
    if table.rowid_alias {
        row[table.primary_key[0]] = Value::Integer(rowid);
    }
    row.truncate(table.columns.len());
    row.push(Value::Integer(rowid));
    tx.bump_rowid(table.id, rowid);
    Ok(generated)
}

/// Removes the SCN stamp a DML source scan appends (`ScanPlan::with_scn`).
fn take_scn(row: &mut Vec<Value>) -> Option<u64> {
    match row.pop() {
        Some(Value::Integer(s)) => u64::try_from(s).ok(),
        _ => None,
    }
}

/// Reads the stored row under `key` (with its rowid) and its SCN stamp.
pub(super) fn stored_row(tx: &WriteTx, table: &TableDef, key: &[u8]) -> Result<Option<(Vec<Value>, u64)>> {
    let needed = vec![true; table.columns.len()];
    let Some(image) = tx.get(Ks::Rows, key)? else { return Ok(None) };
    Ok(Some((decode_stored_row(table, key, &image, &needed)?, row_scn(&image)?)))
}

/// Runs an INSERT. With `movable` (no parameter slot is named twice in the
/// statement), a VALUES cell that is a bare parameter takes its value out
/// of `params` instead of copying it: an import binds every TEXT value of
/// every row, and the copy was one allocation and one free per value.
///
/// # Errors
/// Constraint violations, type mismatches.
pub fn insert(
    tx: &mut WriteTx,
    plan: &InsertPlan,
    params: &mut [Value],
    movable: bool,
    clock: &StmtClock,
    firing: &Firing<'_>,
) -> Result<DmlResult> {
    let table = &plan.table;
    // Moved first: what is left of `params` is then read as usual (the
    // slots moved are named nowhere else, so nothing reads them again).
    // A one-row VALUES (most of what a load runs) keeps its row outside
    // `taken`: no vector of one row allocated per statement.
    let mut one: Option<Vec<Value>> = None;
    let mut taken: Vec<Vec<Value>> = Vec::new();
    if let (InsertSource::Values(rows), true) = (&plan.source, movable) {
        let mut take = |r: &Vec<Expr>| {
            let mut row = new_row(table);
            for (e, t) in r.iter().zip(&plan.targets) {
                if let Expr::Param(i) = e {
                    if let Some(v) = params.get_mut(*i) {
                        row[*t] = std::mem::replace(v, Value::Null);
                    }
                }
            }
            row
        };
        match rows.as_slice() {
            [r] => one = Some(take(r)),
            rows => taken = rows.iter().map(take).collect(),
        }
    }
    let params = &*params;
    let triggers = triggers::compile(table, tx.catalog())?;
    // Every VALUES cell a parameter, moved in above: the rows are complete,
    // and the read phase (its context and working memory, an allocation
    // and a few reference counts per statement) has nothing to do.
    let all_moved = movable
        && matches!(&plan.source, InsertSource::Values(rows)
            if rows.iter().flatten().all(|e| matches!(e, Expr::Param(_))));
    let mem = (!all_moved).then(|| WorkMemory::of_engine(tx.engine()));
    // Read phase: the rows to insert (VALUES may hold subqueries). A
    // query's rows wait in a spool: on disk past the working memory.
    // Complete rows (every cell a moved parameter) go straight to the
    // write phase: a one-row INSERT is most of what a load runs.
    let (placed_rows, spooled): (Vec<Vec<Value>>, Option<SpooledRows>) = match &mem {
        None => (taken, None),
        Some(mem) => {
            taken.extend(one.take());
            let mut rctx = firing.ctx(params, clock, Some(&*tx));
            rctx.mem = Cow::Owned(std::sync::Arc::clone(mem));
            let rows = match &plan.source {
                // VALUES rows are built at the table's width at once: one
                // vector a row, not one for the values and one for the row.
                InsertSource::Values(rows) if movable => {
                    for (r, row) in rows.iter().zip(&mut taken) {
                        for (e, t) in r.iter().zip(&plan.targets) {
                            if !matches!(e, Expr::Param(_)) {
                                row[*t] = eval(e, &[], &rctx)?;
                            }
                        }
                    }
                    SpooledRows::from_vec(taken)
                }
                InsertSource::Values(rows) => SpooledRows::from_vec(
                    rows.iter()
                        .map(|r| {
                            let mut row = new_row(table);
                            for (e, t) in r.iter().zip(&plan.targets) {
                                row[*t] = eval(e, &[], &rctx)?;
                            }
                            Ok(row)
                        })
                        .collect::<Result<_>>()?,
                ),
                InsertSource::Query(p) => RowSpool::collect(run(p, &*tx, &rctx)?, &rctx.mem)?,
                InsertSource::Defaults => SpooledRows::from_vec(vec![Vec::new()]),
            };
            (Vec::new(), Some(rows))
        }
    };
    // Write phase.
    let ctx = &firing.ctx(params, clock, None);
    let checks = constraints::bind_checks(table)?;
    let w = RowWriter { table, triggers: &triggers, checks: &checks, firing, clock, ctx };
    let before_insert = |tx: &mut WriteTx, row: &[Value]| {
        triggers::fire(tx, table, &triggers, TriggerTiming::Before, Change::Insert, None, Some(row), firing, clock)
    };
    let mut result = DmlResult { memory: mem, ..DmlResult::default() };
    let mut insert_row = |tx: &mut WriteTx, mut row: Vec<Value>| -> Result<()> {
        for (i, d) in plan.defaults.iter().enumerate() {
            if let Some(d) = d.as_ref().filter(|_| !plan.targets.contains(&i)) {
                row[i] = eval(d, &[], ctx)?;
            }
        }
        if table.rowid_alias {
            let pk = table.primary_key[0];
            let v = std::mem::replace(&mut row[pk], Value::Null);
            row[pk] = coerce_to_column(v, table.columns[pk].ty, &table.name, &table.columns[pk].name)?;
        }
        let generated = assign_rowid(tx, table, &mut row)?;
        check_row(table, &mut row, ctx.clock)?;
        constraints::check_row(table, &checks, &row, ctx)?;
        constraints::check_parents(tx, table, &row)?;
        let key = row_key_of(table, &row);
        if let Some(up) = &plan.upsert {
            // SQLite fires BEFORE INSERT triggers ahead of the conflict check,
            // so they run whichever way the row goes.
            before_insert(tx, &row)?;
            match upsert::resolve(tx, &w, up, &row, &key, generated, params)? {
                Resolved::Insert => {}
                Resolved::Skip => return Ok(()),
                Resolved::Updated(new) => {
                    result.changes += 1;
                    return returning_row(&plan.returning, &new, ctx, &mut result.rows);
                }
            }
        }
        if !generated {
            if let Some((existing, scn)) = stored_row(tx, table, &key)? {
                match plan.conflict {
                    Conflict::Abort => return Err(pk_violation(table)),
                    Conflict::Ignore => return Ok(()),
                    Conflict::Replace => {
                        constraints::on_delete(tx, table, &existing, 0)?;
                        delete_row(tx, table, key.clone(), &existing, EndedBy::Update, Some(scn))?;
                    }
                }
            }
        }
        while let Some((ix, other_key)) = unique_conflict(tx, table, &row, &key)? {
            match plan.conflict {
                Conflict::Abort => return Err(unique_violation(table, ix)),
                Conflict::Ignore => break,
                Conflict::Replace => {
                    let (other, scn) = stored_row(tx, table, &other_key)?
                        .ok_or_else(|| Error::Corrupt(format!("index of {} points at a missing row", table.name)))?;
                    delete_row(tx, table, other_key, &other, EndedBy::Delete, Some(scn))?;
                }
            }
        }
        if plan.conflict == Conflict::Ignore && unique_conflict(tx, table, &row, &key)?.is_some() {
            return Ok(());
        }
        if plan.upsert.is_none() {
            before_insert(tx, &row)?;
        }
        put_row(tx, table, key, &row)?;
        triggers::fire(tx, table, &triggers, TriggerTiming::After, Change::Insert, None, Some(&row), firing, clock)?;
        result.changes += 1;
        if table.has_rowid() {
            if let Some(Value::Integer(r)) = row.last() {
                result.last_rowid = Some(*r);
            }
        }
        returning_row(&plan.returning, &row, ctx, &mut result.rows)
    };
    for row in one.into_iter().chain(placed_rows) {
        insert_row(tx, row)?;
    }
    let placed = matches!(plan.source, InsertSource::Values(_));
    for values in spooled.into_iter().flatten() {
        let values = values?;
        let row = if placed {
            values
        } else {
            let mut row = new_row(table);
            for (v, t) in values.into_iter().zip(&plan.targets) {
                row[*t] = v;
            }
            row
        };
        insert_row(tx, row)?;
    }
    Ok(result)
}

/// Runs an UPDATE.
///
/// # Errors
/// Constraint violations, type mismatches.
pub fn update(
    tx: &mut WriteTx,
    plan: &UpdatePlan,
    params: &[Value],
    clock: &StmtClock,
    firing: &Firing<'_>,
) -> Result<DmlResult> {
    let table = &plan.table;
    let triggers = triggers::compile(table, tx.catalog())?;
    let set: Vec<usize> = plan.assignments.iter().map(|(pos, _)| *pos).collect();
    let mem = WorkMemory::of_engine(tx.engine());
    // Read phase: the rows to change and their new values.
    let changes: Vec<(Vec<Value>, Vec<Value>, Option<u64>)> = {
        let mut rctx = firing.ctx(params, clock, Some(&*tx));
        rctx.mem = Cow::Owned(std::sync::Arc::clone(&mem));
        let targets: Vec<Vec<Value>> = run(&plan.source, &*tx, &rctx)?.collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(targets.len());
        for mut old in targets {
            let scn = take_scn(&mut old);
            let mut new = old.clone();
            for (pos, e) in &plan.assignments {
                new[*pos] = eval(e, &old, &rctx)?;
            }
            out.push((old, new, scn));
        }
        out
    };
    // Write phase.
    let ctx = &firing.ctx(params, clock, None);
    let checks = constraints::bind_checks(table)?;
    let mut result = DmlResult { memory: Some(std::sync::Arc::clone(&mem)), ..DmlResult::default() };
    let w = RowWriter { table, triggers: &triggers, checks: &checks, firing, clock, ctx };
    for (old, new, scn) in changes {
        let new = update_row(tx, &w, &set, &old, new, scn)?;
        result.changes += 1;
        returning_row(&plan.returning, &new, ctx, &mut result.rows)?;
    }
    Ok(result)
}

/// What writing one row needs besides the row, prepared once per statement.
pub(super) struct RowWriter<'a> {
    /// The table written.
    pub table: &'a TableDef,
    /// Its triggers, compiled for this statement.
    pub triggers: &'a [triggers::Compiled],
    /// Its CHECK constraints, bound for this statement.
    pub checks: &'a [(String, Expr)],
    /// Where the statement runs (top level or a trigger body).
    pub firing: &'a Firing<'a>,
    /// The statement's clock.
    pub clock: &'a StmtClock,
    /// Context for CHECK constraints (no reader: they see only the row).
    pub ctx: &'a EvalCtx<'a>,
}

/// Replaces the stored row `old` by `new`: constraints, UPDATE triggers,
/// time-travel version and change-log record (one update, not a delete and
/// an insert). `set` lists the columns assigned (for `UPDATE OF` triggers);
/// `scn` is the stored image's SCN stamp if the caller read it. Returns the
/// row as written.
///
/// # Errors
/// Constraint violations, type mismatches, trigger errors.
pub(super) fn update_row(
    tx: &mut WriteTx,
    w: &RowWriter<'_>,
    set: &[usize],
    old: &[Value],
    mut new: Vec<Value>,
    scn: Option<u64>,
) -> Result<Vec<Value>> {
    let table = w.table;
    let old_key = row_key_of(table, old);
    check_row(table, &mut new, w.ctx.clock)?;
    constraints::check_row(table, w.checks, &new, w.ctx)?;
    constraints::check_parents(tx, table, &new)?;
    constraints::on_key_change(tx, table, old, &new)?;
    if table.rowid_alias {
        let rowid = new[table.primary_key[0]].clone();
        if let Some(slot) = new.get_mut(table.columns.len()) {
            *slot = rowid.clone();
        }
        if let Value::Integer(r) = rowid {
            tx.bump_rowid(table.id, r);
        }
    }
    let new_key = row_key_of(table, &new);
    let change = Change::Update(set);
    let (firing, clock) = (w.firing, w.clock);
    triggers::fire(tx, table, w.triggers, TriggerTiming::Before, change, Some(old), Some(&new), firing, clock)?;
    let ended_by = if new_key == old_key { EndedBy::Update } else { EndedBy::Delete };
    delete_row(tx, table, old_key.clone(), old, ended_by, scn)?;
    if new_key != old_key && tx.get(Ks::Rows, &new_key)?.is_some() {
        return Err(pk_violation(table));
    }
    if let Some((ix, _)) = unique_conflict(tx, table, &new, &new_key)? {
        return Err(unique_violation(table, ix));
    }
    put_row(tx, table, new_key, &new)?;
    triggers::fire(tx, table, w.triggers, TriggerTiming::After, change, Some(old), Some(&new), firing, clock)?;
    Ok(new)
}

/// Runs a DELETE.
///
/// # Errors
/// Storage errors.
pub fn delete(
    tx: &mut WriteTx,
    plan: &DeletePlan,
    params: &[Value],
    clock: &StmtClock,
    firing: &Firing<'_>,
) -> Result<DmlResult> {
    let table = &plan.table;
    let triggers = triggers::compile(table, tx.catalog())?;
    let mem = WorkMemory::of_engine(tx.engine());
    let mut result = DmlResult { memory: Some(std::sync::Arc::clone(&mem)), ..DmlResult::default() };
    // Read phase: the rows to delete and what RETURNING shows of them.
    let targets: Vec<(Vec<Value>, Option<u64>)> = {
        let mut rctx = firing.ctx(params, clock, Some(&*tx));
        rctx.mem = Cow::Owned(std::sync::Arc::clone(&mem));
        let mut targets = Vec::new();
        for row in run(&plan.source, &*tx, &rctx)? {
            let mut row = row?;
            let scn = take_scn(&mut row);
            returning_row(&plan.returning, &row, &rctx, &mut result.rows)?;
            targets.push((row, scn));
        }
        targets
    };
    for (row, scn) in targets {
        let key = row_key_of(table, &row);
        triggers::fire(tx, table, &triggers, TriggerTiming::Before, Change::Delete, Some(&row), None, firing, clock)?;
        constraints::on_delete(tx, table, &row, 0)?;
        delete_row(tx, table, key, &row, EndedBy::Delete, scn)?;
        triggers::fire(tx, table, &triggers, TriggerTiming::After, Change::Delete, Some(&row), None, firing, clock)?;
        result.changes += 1;
    }
    Ok(result)
}
