//! A connection's state and statement execution: autocommit, explicit
//! transactions, statement atomicity, change counters.

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::exec::clock::StmtClock;
use crate::exec::eval::SessionValues;
use crate::exec::memory::{MemoryUse, WorkMemory};
use crate::exec::spill::{RowSpool, SpooledRows};
use crate::exec::{ddl, dml, query, EvalCtx};
use crate::sql::parser::time_travel::{marker, BEGIN_AS_OF};
use crate::sql::parser::Parsed;
use crate::sql::plan::StmtPlan;
use crate::sql::planner::plan_parsed;
use crate::sql::statement_syntax::{REFRESH_FULL, REFRESH_INCREMENTAL, REINDEX};
use crate::storage::{Engine, WriteTx};
use crate::temporal::leases::Lease;
use crate::temporal::{point_from_value, PointKind};
use crate::types::Value;
use sqlparser::ast::Statement as Ast;
use std::sync::Arc;
use std::time::Duration;

/// The result of running one statement.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Result column names (empty for statements without rows).
    pub columns: Vec<String>,
    /// Result rows: in memory, or past the statement's working memory in a
    /// temporary file (see [`crate::exec::memory`]).
    pub rows: SpooledRows,
    /// Rows changed (INSERT/UPDATE/DELETE), else 0.
    pub changes: u64,
}

/// A prepared statement's last plan and the catalog version it was made for.
pub(crate) type PlanCache = Option<(u64, Arc<StmtPlan>)>;

/// A statement's plan: borrowed from its prepared statement's cache, or made
/// for this one run.
enum PlanRef<'c> {
    Cached(&'c StmtPlan),
    Fresh(Box<StmtPlan>),
}

impl std::ops::Deref for PlanRef<'_> {
    type Target = StmtPlan;

    fn deref(&self) -> &StmtPlan {
        match self {
            PlanRef::Cached(p) => p,
            PlanRef::Fresh(p) => p,
        }
    }
}

/// The plan of `parsed` under `catalog`, from `cache` when the schema is
/// unchanged. Borrowed, not a reference count taken: an atomic increment
/// and decrement were a fortieth of a prepared one-row INSERT.
fn plan_cached<'c>(parsed: &Parsed, catalog: &Catalog, cache: Option<&'c mut PlanCache>) -> Result<PlanRef<'c>> {
    let Some(cache) = cache else { return Ok(PlanRef::Fresh(Box::new(plan_parsed(parsed, catalog)?))) };
    let plan = match cache.take() {
        Some((version, plan)) if version == catalog.version => plan,
        _ => Arc::new(plan_parsed(parsed, catalog)?),
    };
    let (_, plan) = cache.insert((catalog.version, plan));
    Ok(PlanRef::Cached(plan))
}

/// What every expression of one statement shares: parameters and clock.
struct Stmt {
    params: Vec<Value>,
    clock: StmtClock,
    /// No parameter slot is named twice: an INSERT's VALUES may move the
    /// bound values into its rows (see `ParamInfo::reused`).
    params_movable: bool,
}

pub(crate) struct Session {
    pub engine: Arc<Engine>,
    /// The open write transaction. Boxed: each statement takes it out and
    /// puts it back, which moved the whole transaction twice per statement
    /// (a twentieth of a prepared one-row INSERT in a transaction).
    tx: Option<Box<WriteTx>>,
    /// Inside `BEGIN READ ONLY AS OF …`: the leased point every table is read at.
    as_of_tx: Option<Lease>,
    /// Inside plain `BEGIN READ ONLY`: the snapshot every statement reads
    /// (no write lock is taken, writes are refused).
    ro_view: Option<crate::storage::engine::ReadView>,
    explicit: bool,
    /// Open savepoints, outermost first, by lower-cased name.
    savepoints: Vec<String>,
    /// The transaction was begun by a SAVEPOINT (releasing its outermost
    /// savepoint commits it, as in SQLite).
    savepoint_began: bool,
    pub changes: u64,
    pub total_changes: u64,
    pub last_rowid: i64,
    pub last_txid: u64,
    pub busy_timeout: Duration,
    /// A message about the last statement that is not an error (such as why a
    /// new materialized view will be refreshed fully).
    pub notice: Option<String>,
    /// Stops this session's running statement from another thread.
    pub interrupt: crate::interrupt::InterruptHandle,
    /// What the last query held in working memory.
    pub memory: MemoryUse,
}

impl Session {
    /// The counters the session functions read, as they are now.
    fn values(&self) -> SessionValues {
        SessionValues {
            last_rowid: self.last_rowid,
            changes: self.changes,
            total_changes: self.total_changes,
            last_txid: self.last_txid,
        }
    }

    pub fn new(engine: Arc<Engine>) -> Session {
        let busy_timeout = Duration::from_millis(engine.config().database.busy_timeout_ms);
        Session {
            engine,
            tx: None,
            as_of_tx: None,
            ro_view: None,
            explicit: false,
            savepoints: Vec::new(),
            savepoint_began: false,
            changes: 0,
            total_changes: 0,
            last_rowid: 0,
            last_txid: 0,
            busy_timeout,
            notice: None,
            interrupt: Default::default(),
            memory: MemoryUse::default(),
        }
    }

    pub fn in_transaction(&self) -> bool {
        self.explicit
    }

    /// The schema this session currently sees.
    pub fn catalog(&self) -> Arc<Catalog> {
        match (&self.tx, &self.ro_view) {
            (Some(tx), _) => Arc::new(tx.catalog().clone()),
            (None, Some(view)) => Arc::clone(&view.catalog),
            (None, None) => self.engine.catalog(),
        }
    }

    /// Plans without running (column names for a prepared statement).
    pub fn plan(&self, parsed: &Parsed) -> Result<StmtPlan> {
        crate::sql::limits::with_stack(parsed.depth, || match (&self.tx, &self.ro_view) {
            (Some(tx), _) => plan_parsed(parsed, tx.catalog()),
            (None, Some(view)) => plan_parsed(parsed, &view.catalog),
            (None, None) => plan_parsed(parsed, &self.engine.catalog()),
        })
    }

    pub fn execute(&mut self, parsed: &Parsed, params: Vec<Value>, cache: Option<&mut PlanCache>) -> Result<Outcome> {
        let mut params = params;
        self.execute_reusing(parsed, &mut params, cache)
    }

    /// [`Session::execute`] with the parameter values in `params`, which
    /// is left empty with its allocation, for the next run to fill.
    pub fn execute_reusing(
        &mut self,
        parsed: &Parsed,
        params: &mut Vec<Value>,
        cache: Option<&mut PlanCache>,
    ) -> Result<Outcome> {
        let mut ctx =
            Stmt { params: std::mem::take(params), clock: StmtClock::new(), params_movable: !parsed.params.reused };
        let out = crate::sql::limits::with_stack(parsed.depth, || self.execute_here(parsed, &mut ctx, cache));
        ctx.params.clear();
        *params = ctx.params;
        out
    }

    fn execute_here(&mut self, parsed: &Parsed, ctx: &mut Stmt, cache: Option<&mut PlanCache>) -> Result<Outcome> {
        self.notice = None;
        let _armed = crate::interrupt::arm(&self.interrupt, self.interrupt.epoch());
        match &parsed.ast {
            Ast::StartTransaction { modes, .. } => {
                if self.explicit {
                    return Err(Error::Sql("cannot start a transaction within a transaction".into()));
                }
                let read_only = modes.iter().any(|m| {
                    matches!(
                        m,
                        sqlparser::ast::TransactionMode::AccessMode(sqlparser::ast::TransactionAccessMode::ReadOnly)
                    )
                });
                if read_only {
                    // A snapshot, not the writer lock: other connections keep writing.
                    self.ro_view = Some(self.engine.read_view());
                } else {
                    self.tx = Some(Box::new(self.engine.begin_write(self.busy_timeout)?));
                }
                self.explicit = true;
                Ok(Outcome::default())
            }
            Ast::Set(sqlparser::ast::Set::SingleAssignment { variable, values, .. }) => {
                let var = variable.to_string().to_ascii_lowercase();
                if crate::sql::planner::maintenance::is_maintenance(&var) {
                    let plan = plan_cached(parsed, &self.engine.catalog(), cache)?;
                    let StmtPlan::Maintenance(m) = &*plan else {
                        return Err(Error::Sql(format!("SET {var} did not plan as a maintenance statement")));
                    };
                    let done = super::maintenance::run(&self.engine, m, &ctx.params, &ctx.clock, self.explicit)?;
                    self.notice = done.notice;
                    return Ok(done.outcome);
                }
                if var == REINDEX || crate::sql::statement_syntax::changefeed_variable(&var) {
                    return self.write(parsed, ctx, cache);
                }
                if var == REFRESH_FULL || var == REFRESH_INCREMENTAL {
                    let name = values.first().map(ToString::to_string).unwrap_or_default();
                    return self.refresh(&name, var == REFRESH_INCREMENTAL);
                }
                let kind = marker(&var, BEGIN_AS_OF)
                    .ok_or_else(|| Error::Sql(format!("unsupported statement: SET {variable}")))?;
                self.begin_as_of(kind, values, ctx)
            }
            Ast::Commit { .. } => {
                if !self.explicit {
                    return Err(Error::Sql("cannot commit: no transaction is active".into()));
                }
                self.commit()
            }
            Ast::Savepoint { name } => self.savepoint(&name.value),
            Ast::ReleaseSavepoint { name } => self.release(&name.value),
            Ast::Rollback { savepoint: Some(name), .. } => self.rollback_to(&name.value),
            Ast::Rollback { .. } => {
                if !self.explicit {
                    return Err(Error::Sql("cannot rollback: no transaction is active".into()));
                }
                self.end_transaction();
                self.tx = None;
                Ok(Outcome::default())
            }
            Ast::Query(q) if crate::sql::planner::with_dml(q).is_some() => self.write(parsed, ctx, cache),
            Ast::Query(_) | Ast::Explain { .. } => self.read(parsed, ctx, cache),
            _ => self.write(parsed, ctx, cache),
        }
    }

    /// Leaves the transaction state (the write transaction, if any, is the caller's).
    fn end_transaction(&mut self) {
        self.explicit = false;
        self.as_of_tx = None;
        self.ro_view = None;
        self.savepoints.clear();
        self.savepoint_began = false;
    }

    /// COMMIT (or the RELEASE that ends a SAVEPOINT-begun transaction).
    fn commit(&mut self) -> Result<Outcome> {
        self.end_transaction();
        if let Some(tx) = self.tx.take() {
            if let Some(rec) = tx.commit()? {
                self.last_txid = rec.txid;
            }
        }
        Ok(Outcome::default())
    }

    /// `SAVEPOINT name`: outside a transaction it begins one (as SQLite
    /// does). Inside a read-only transaction there is nothing to undo, so
    /// only the name is kept.
    fn savepoint(&mut self, name: &str) -> Result<Outcome> {
        if !self.explicit {
            self.tx = Some(Box::new(self.engine.begin_write(self.busy_timeout)?));
            self.explicit = true;
            self.savepoint_began = true;
        }
        if let Some(tx) = &mut self.tx {
            tx.savepoint();
        }
        self.savepoints.push(name.to_ascii_lowercase());
        Ok(Outcome::default())
    }

    /// The depth of the newest open savepoint called `name` (case-insensitive).
    fn savepoint_index(&self, name: &str) -> Result<usize> {
        let lc = name.to_ascii_lowercase();
        self.savepoints.iter().rposition(|n| *n == lc).ok_or_else(|| Error::Sql(format!("no such savepoint: {name}")))
    }

    /// `RELEASE [SAVEPOINT] name`: forgets it and every later savepoint;
    /// releasing the outermost savepoint of a SAVEPOINT-begun transaction commits it.
    fn release(&mut self, name: &str) -> Result<Outcome> {
        let depth = self.savepoint_index(name)?;
        if depth == 0 && self.savepoint_began {
            return self.commit();
        }
        if let Some(tx) = &mut self.tx {
            tx.release_savepoint(depth);
        }
        self.savepoints.truncate(depth);
        Ok(Outcome::default())
    }

    /// `ROLLBACK TO [SAVEPOINT] name`: undoes everything since the savepoint,
    /// which stays open (and so does the transaction).
    fn rollback_to(&mut self, name: &str) -> Result<Outcome> {
        let depth = self.savepoint_index(name)?;
        if let Some(tx) = &mut self.tx {
            tx.rollback_to_savepoint(depth);
        }
        self.savepoints.truncate(depth + 1);
        Ok(Outcome::default())
    }

    /// `BEGIN [READ ONLY] AS OF <kind> <point>`: a transaction whose every
    /// table reference reads that point (it holds a lease on it until it ends).
    fn begin_as_of(&mut self, kind: PointKind, values: &[sqlparser::ast::Expr], st: &Stmt) -> Result<Outcome> {
        if self.explicit {
            return Err(Error::Sql("cannot start a transaction within a transaction".into()));
        }
        let [e] = values else { return Err(Error::Sql("BEGIN … AS OF takes one point".into())) };
        let scope = crate::sql::scope::Scope::default();
        let bound = crate::sql::binder::Binder::new(&scope).bind(e)?;
        let v = crate::exec::eval::eval(&bound, &[], &EvalCtx::new(&st.params, &st.clock, None))?;
        let lease = self.engine.resolve(point_from_value(kind, &v)?, self.engine.current_scn(), false)?;
        self.as_of_tx = Some(lease);
        self.explicit = true;
        Ok(Outcome::default())
    }

    /// `REFRESH MATERIALIZED VIEW name [INCREMENTALLY]`: computed against a
    /// snapshot, committed in its own short write transaction.
    fn refresh(&mut self, name: &str, incremental: bool) -> Result<Outcome> {
        if self.explicit {
            return Err(Error::Sql("REFRESH MATERIALIZED VIEW cannot run inside a transaction: COMMIT first".into()));
        }
        self.memory = MemoryUse::default();
        let out = crate::mv::refresh::run(&self.engine, name, incremental, self.busy_timeout)?;
        self.memory = out.memory;
        let maintained = self
            .engine
            .catalog()
            .table(name)
            .ok()
            .and_then(|t| t.mv.as_ref())
            .is_some_and(|d| !matches!(d.strategy, crate::catalog::Strategy::Full { .. }));
        let why = if maintained {
            "it had no earlier refresh to start from, the history its joins need is gone, or more than 256 of \
             its partitions changed"
        } else {
            "it is not maintained incrementally"
        };
        self.notice = (incremental && out.strategy == "full")
            .then(|| format!("materialized view {name} was refreshed fully: {why}"))
            .or_else(|| out.rescan.map(|r| format!("materialized view {name} {r}")));
        Ok(Outcome { changes: out.rows_changed, ..Outcome::default() })
    }

    fn read(&mut self, parsed: &Parsed, st: &Stmt, cache: Option<&mut PlanCache>) -> Result<Outcome> {
        let as_of = self.as_of_tx.as_ref().map(Lease::scn);
        let session = self.values();
        let mem = WorkMemory::of_engine(&self.engine);
        let run = |plan: &StmtPlan, reader: &dyn crate::storage::Reader| -> Result<Outcome> {
            if let StmtPlan::Explain(inner) = plan {
                let rows = crate::sql::explain::explain(inner).into_iter().map(|l| vec![Value::Text(l)]).collect();
                return Ok(Outcome { columns: vec!["plan".into()], rows: SpooledRows::from_vec(rows), changes: 0 });
            }
            let StmtPlan::Query(q) = plan else {
                return Err(Error::Sql("expected a query".into()));
            };
            let mut ctx = EvalCtx::new(&st.params, &st.clock, Some(reader));
            ctx.as_of_default = as_of;
            ctx.session = session;
            ctx.mem = std::borrow::Cow::Owned(Arc::clone(&mem));
            let rows = RowSpool::collect(query::run(&q.plan, reader, &ctx)?, &mem)?;
            Ok(Outcome { columns: q.columns.clone(), rows, changes: 0 })
        };
        self.memory = MemoryUse::default();
        let out = self.read_with(parsed, cache, run);
        self.memory = mem.usage();
        out
    }

    fn read_with(
        &self,
        parsed: &Parsed,
        cache: Option<&mut PlanCache>,
        run: impl Fn(&StmtPlan, &dyn crate::storage::Reader) -> Result<Outcome>,
    ) -> Result<Outcome> {
        match (&self.tx, &self.ro_view) {
            (Some(tx), _) => run(&*plan_cached(parsed, tx.catalog(), cache)?, &**tx),
            (None, Some(view)) => run(&*plan_cached(parsed, &view.catalog, cache)?, view),
            (None, None) => {
                let view = self.engine.read_view();
                run(&*plan_cached(parsed, &view.catalog, cache)?, &view)
            }
        }
    }

    fn write(&mut self, parsed: &Parsed, ctx: &mut Stmt, cache: Option<&mut PlanCache>) -> Result<Outcome> {
        if self.as_of_tx.is_some() {
            return Err(crate::exec::temporal::read_only_error());
        }
        if self.ro_view.is_some() {
            return Err(Error::ReadOnly("this transaction is READ ONLY: it cannot write".into()));
        }
        let autocommit = self.tx.is_none();
        let mut tx = match self.tx.take() {
            Some(tx) => tx,
            None => Box::new(self.engine.begin_write(self.busy_timeout)?),
        };
        if autocommit {
            tx.begin_sole_statement();
        } else {
            tx.begin_statement();
        }
        let plan = plan_cached(parsed, tx.catalog(), cache);
        let fill = match &plan {
            Ok(p) => match &**p {
                StmtPlan::CreateMaterializedView { table, with_data, .. } => {
                    if *with_data && !autocommit {
                        tx.end_statement(false);
                        self.tx = Some(tx);
                        return Err(Error::Sql(
                            "CREATE MATERIALIZED VIEW … WITH DATA cannot run inside a transaction: use WITH NO DATA \
                             and REFRESH after COMMIT"
                                .into(),
                        ));
                    }
                    self.notice = crate::mv::creation_notice(table);
                    let exists = tx.catalog().tables.contains_key(&crate::catalog::normalize(&table.name));
                    (*with_data && !exists).then(|| table.name.clone())
                }
                _ => None,
            },
            Err(_) => None,
        };
        let mut used = None;
        let session = self.values();
        let result = plan.and_then(|plan| run_write(&mut tx, &plan, ctx, session, &mut used));
        self.memory = used.map_or_else(MemoryUse::default, |m| m.usage());
        tx.end_statement(result.is_ok());
        if autocommit {
            if result.is_ok() {
                if let Some(rec) = tx.commit()? {
                    self.last_txid = rec.txid;
                }
            }
        } else {
            self.tx = Some(tx);
        }
        let (outcome, last_rowid) = result?;
        if let Some(name) = fill {
            crate::mv::refresh::run(&self.engine, &name, false, self.busy_timeout)?;
        }
        if let Some(r) = last_rowid {
            self.last_rowid = r;
        }
        if outcome.changes > 0 || matches!(parsed.ast, Ast::Insert(_) | Ast::Update(_) | Ast::Delete(_)) {
            self.changes = outcome.changes;
            self.total_changes += outcome.changes;
        }
        Ok(outcome)
    }
}

/// Runs a writing statement; `used` receives the working memory a DML
/// statement's read phase drew on.
fn run_write(
    tx: &mut WriteTx,
    plan: &StmtPlan,
    st: &mut Stmt,
    session: SessionValues,
    used: &mut Option<Arc<WorkMemory>>,
) -> Result<(Outcome, Option<i64>)> {
    let top = dml::Firing::top(session);
    let columns = plan.columns();
    let mut dml_outcome = |r: dml::DmlResult| {
        *used = r.memory;
        (Outcome { columns: columns.clone(), rows: SpooledRows::from_vec(r.rows), changes: r.changes }, r.last_rowid)
    };
    Ok(match plan {
        StmtPlan::Insert(p) => dml_outcome(dml::insert(tx, p, &mut st.params, st.params_movable, &st.clock, &top)?),
        StmtPlan::Update(p) => dml_outcome(dml::update(tx, p, &st.params, &st.clock, &top)?),
        StmtPlan::Delete(p) => dml_outcome(dml::delete(tx, p, &st.params, &st.clock, &top)?),
        StmtPlan::CreateTable { table, if_not_exists, time_travel } => {
            ddl::create_table(tx, table.clone(), *if_not_exists, *time_travel)?;
            (Outcome::default(), None)
        }
        StmtPlan::DropTable { names, if_exists } => {
            ddl::drop_table(tx, names, *if_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::CreateIndex { table, index, if_not_exists } => {
            ddl::create_index(tx, table, index.clone(), *if_not_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::AlterTable { table, op } => {
            ddl::alter_table(tx, table, op, &st.clock)?;
            (Outcome::default(), None)
        }
        StmtPlan::CreateView { view, if_not_exists, or_replace } => {
            ddl::create_view(tx, view.clone(), *if_not_exists, *or_replace)?;
            (Outcome::default(), None)
        }
        StmtPlan::DropView { names, if_exists } => {
            ddl::drop_view(tx, names, *if_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::CreateMaterializedView { table, if_not_exists, .. } => {
            crate::mv::create(tx, table.clone(), *if_not_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::DropMaterializedView { names, if_exists } => {
            crate::mv::drop(tx, names, *if_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::AlterMaterializedView { name, options } => {
            crate::mv::set_options(tx, name, options)?;
            (Outcome::default(), None)
        }
        StmtPlan::CreateTrigger { table, trigger } => {
            ddl::create_trigger(tx, table, trigger.clone())?;
            (Outcome::default(), None)
        }
        StmtPlan::DropTrigger { name, if_exists } => {
            ddl::drop_trigger(tx, name, *if_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::Reindex { name } => {
            ddl::reindex(tx, name.as_deref())?;
            (Outcome::default(), None)
        }
        StmtPlan::CreateChangefeed { name, tables, if_not_exists } => {
            crate::feed::create(tx, name, tables, *if_not_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::DropChangefeed { name, if_exists } => {
            crate::feed::drop(tx, name, *if_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::DropIndex { names, if_exists } => {
            ddl::drop_index(tx, names, *if_exists)?;
            (Outcome::default(), None)
        }
        StmtPlan::Query(q) => {
            let mut ctx = EvalCtx::new(&st.params, &st.clock, Some(&*tx));
            ctx.session = session;
            let mem = WorkMemory::of_engine(tx.engine());
            ctx.mem = std::borrow::Cow::Owned(Arc::clone(&mem));
            let rows = RowSpool::collect(query::run(&q.plan, &*tx, &ctx)?, &mem)?;
            (Outcome { columns: q.columns.clone(), rows, changes: 0 }, None)
        }
        StmtPlan::Begin | StmtPlan::Commit | StmtPlan::Rollback | StmtPlan::Savepoint(_) | StmtPlan::Explain(_) => {
            return Err(Error::Misuse("transaction control reached the write path".into()))
        }
        StmtPlan::Maintenance(_) => return Err(Error::Misuse("a maintenance statement reached the write path".into())),
    })
}
