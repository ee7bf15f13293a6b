//! Plans: the operator trees the executor runs, one per statement kind.

use super::expr::{AggCall, Expr, WindowCall};
use crate::catalog::{ColumnDef, IndexDef, TableDef, ViewDef};
use crate::temporal::PointKind;
use std::sync::Arc;

/// How a scan reaches its rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Every row of the table, in primary-key order.
    Full,
    /// A range (or several) of the primary key or of one index.
    Key(KeyAccess),
}

/// Key ranges on the primary key (`index: None`) or an index: for each entry
/// of `prefixes`, the rows whose leading key columns equal it, optionally
/// narrowed by a range on the next key column.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyAccess {
    /// Position in `TableDef::indexes`, or `None` for the primary key / rowid.
    pub index: Option<usize>,
    /// Alternatives for the leading columns (one for `=`, several for `IN`).
    pub prefixes: Vec<Vec<Expr>>,
    /// Lower bound on the column after the prefix: (value, inclusive).
    pub lo: Option<(Expr, bool)>,
    /// Upper bound on the column after the prefix: (value, inclusive).
    pub hi: Option<(Expr, bool)>,
}

/// Reading one table.
#[derive(Debug, Clone)]
pub struct ScanPlan {
    /// The table.
    pub table: Arc<TableDef>,
    /// Access path.
    pub access: Access,
    /// Which columns to decode (others read as NULL); the rowid, when the
    /// table has one, is appended after the columns.
    pub needed: Vec<bool>,
    /// Read the table's past instead of its present.
    pub temporal: Option<Temporal>,
    /// Append each row image's SCN stamp after the rowid (UPDATE and DELETE
    /// sources: keeping the superseded image as a version then needs no
    /// second read).
    pub with_scn: bool,
    /// Read in descending key order (an `ORDER BY rowid DESC` that the scan
    /// answers itself; see `planner::order`).
    pub reverse: bool,
}

/// A table reference that reads the past.
#[derive(Debug, Clone)]
pub enum Temporal {
    /// `AS OF <kind> <point>`: the table as it was at one point.
    AsOf {
        /// How the point is named.
        kind: PointKind,
        /// The point (a constant or a parameter).
        point: Expr,
    },
    /// `FOR SYSTEM_TIME BETWEEN a AND b` / `VERSIONS BETWEEN SCN a AND b`:
    /// every version valid at some point of the interval, with the
    /// [`HISTORY_COLUMNS`] after the row's columns (and rowid).
    History {
        /// How the bounds are named.
        kind: PointKind,
        /// Lower bound (inclusive).
        from: Expr,
        /// Upper bound (inclusive).
        to: Expr,
    },
}

/// The pseudo-columns of a history scan, in order.
pub const HISTORY_COLUMNS: [&str; 6] = [
    "heliosdb_valid_from_scn",
    "heliosdb_valid_to_scn",
    "heliosdb_valid_from_time",
    "heliosdb_valid_to_time",
    "heliosdb_operation",
    "heliosdb_ended_by",
];

pub use super::table_functions::SystemTable;

impl ScanPlan {
    /// Number of values in each row the scan yields.
    pub fn width(&self) -> usize {
        let history = matches!(self.temporal, Some(Temporal::History { .. }));
        self.table.columns.len() + usize::from(self.table.has_rowid()) + if history { HISTORY_COLUMNS.len() } else { 0 }
    }

    /// The key columns of an access path: (column position, descending).
    pub fn key_columns(&self, index: Option<usize>) -> Vec<(usize, bool)> {
        key_columns(&self.table, index.and_then(|i| self.table.indexes.get(i)))
    }

    /// Whether an entry of index `index` holds every column this scan
    /// decodes, so a read through it need not fetch the row (SQLite's
    /// "covering index"). An index entry holds the indexed values and the
    /// row key: the rowid, or the primary-key values. Not when the scan
    /// must also return the row image's SCN stamp (`with_scn`).
    pub fn index_covers(&self, index: usize) -> bool {
        let t = &self.table;
        let Some(ix) = t.indexes.get(index) else { return false };
        let in_row_key = |c: usize| t.primary_key.contains(&c) && (t.rowid_alias || !t.has_rowid());
        !self.with_scn
            && self
                .needed
                .iter()
                .enumerate()
                .all(|(c, need)| !need || ix.columns.iter().any(|(ic, _)| *ic == c) || in_row_key(c))
    }
}

/// The key columns of the primary key (index `None`) or of an index. For a
/// rowid table the primary key is the rowid, at position `columns.len()`
/// (or the aliasing column).
pub fn key_columns(table: &TableDef, index: Option<&IndexDef>) -> Vec<(usize, bool)> {
    match index {
        Some(ix) => ix.columns.clone(),
        None if table.primary_key.is_empty() => vec![(table.columns.len(), false)],
        None => table.primary_key.iter().map(|c| (*c, false)).collect(),
    }
}

/// One ORDER BY key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// Evaluated against the sort's input rows.
    pub expr: Expr,
    /// DESC.
    pub desc: bool,
    /// NULLs before other values.
    pub nulls_first: bool,
}

/// How a recursive CTE with its own ORDER BY / LIMIT / OFFSET takes rows
/// from its queue and how many it yields.
#[derive(Debug, Clone)]
pub struct RecursiveQueue {
    /// Rows leave the queue in this order (first in, first out on ties).
    pub order: Vec<SortKey>,
    /// How many rows the CTE yields (a negative or NULL limit: no limit).
    pub limit: Option<Expr>,
    /// How many rows it skips (they are still stepped).
    pub offset: Option<Expr>,
}

/// Which rows a join keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// Matching pairs only.
    Inner,
    /// Every left row, padded with NULLs when nothing matches.
    LeftOuter,
}

/// UNION, INTERSECT or EXCEPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOpKind {
    /// Rows of either side.
    Union,
    /// Rows of both sides.
    Intersect,
    /// Rows of the left side not in the right.
    Except,
}

/// A relational operator tree.
#[derive(Debug, Clone)]
pub enum Plan {
    /// One row with no columns (`SELECT` without `FROM`).
    Empty,
    /// Read a table.
    Scan(ScanPlan),
    /// Literal rows (`VALUES`).
    Values(Vec<Vec<Expr>>),
    /// Rows of a table function or system table: for each row of `input`
    /// (one empty row when the function is the first FROM item), `args`
    /// evaluated on it, then that row followed by each of the function's
    /// rows (a lateral join, so `FROM t, json_each(t.j)` reads each row's `j`).
    System {
        /// Which function.
        table: SystemTable,
        /// The FROM items before it ([`Plan::Empty`] when none).
        input: Box<Plan>,
        /// Its arguments, over `input`'s rows.
        args: Vec<Expr>,
    },
    /// A recursive CTE: the anchor's rows, then the step's rows over and over,
    /// each round reading the previous round's rows as working table `id`,
    /// until a round adds none. Streams, so an outer LIMIT can stop it.
    /// With an ORDER BY, LIMIT or OFFSET written inside the CTE it runs as
    /// SQLite does: one row at a time from a queue (a priority queue under
    /// ORDER BY), each row yielded and then stepped alone.
    Recursive {
        /// The non-recursive part.
        anchor: Box<Plan>,
        /// The recursive part (several recursive SELECTs: their UNION ALL).
        step: Box<Plan>,
        /// `UNION` (drop rows already produced) rather than `UNION ALL`.
        distinct: bool,
        /// Working-table id.
        id: usize,
        /// The CTE's own ORDER BY, LIMIT and OFFSET, if any.
        queue: Option<Box<RecursiveQueue>>,
    },
    /// The previous round's rows of recursive CTE `id`.
    Working {
        /// Working-table id.
        id: usize,
        /// Columns per row.
        width: usize,
    },
    /// Keep rows where `pred` is true.
    Filter {
        /// Input.
        input: Box<Plan>,
        /// Predicate.
        pred: Expr,
    },
    /// Compute output columns.
    Project {
        /// Input.
        input: Box<Plan>,
        /// One expression per output column.
        exprs: Vec<Expr>,
    },
    /// Group and aggregate: output rows are `group values ‖ aggregate results`.
    Aggregate {
        /// Input.
        input: Box<Plan>,
        /// GROUP BY expressions (empty: one group over all rows).
        group: Vec<Expr>,
        /// Aggregates.
        aggs: Vec<AggCall>,
    },
    /// Window functions: each input row gets one more column per call.
    Window {
        /// Input.
        input: Box<Plan>,
        /// Calls, in output-column order.
        calls: Vec<WindowCall>,
    },
    /// Sort.
    Sort {
        /// Input.
        input: Box<Plan>,
        /// Keys, most significant first.
        keys: Vec<SortKey>,
        /// The scan under `input` reads an index in this order, so the rows
        /// arrive sorted whenever it reads the present (an `AS OF` read goes
        /// through the primary key instead, and then they are sorted); see
        /// `planner::order`.
        presorted: bool,
    },
    /// Remove duplicate rows (comparing the first `width` columns).
    Distinct {
        /// Input.
        input: Box<Plan>,
    },
    /// LIMIT / OFFSET.
    Limit {
        /// Input.
        input: Box<Plan>,
        /// Row limit (negative: none).
        limit: Option<Expr>,
        /// Rows to skip.
        offset: Option<Expr>,
    },
    /// A set operation over two inputs of the same width.
    SetOp {
        /// Which operation.
        op: SetOpKind,
        /// `ALL`: keep duplicates (multiset semantics).
        all: bool,
        /// Left input.
        left: Box<Plan>,
        /// Right input.
        right: Box<Plan>,
    },
    /// Nested-loop join; output rows are `left ‖ right`.
    Join {
        /// Outer side.
        left: Box<Plan>,
        /// Inner side (materialized once).
        right: Box<Plan>,
        /// Join condition over the combined row.
        on: Option<Expr>,
        /// Inner or left outer.
        kind: JoinKind,
        /// Number of columns the right side produces (for NULL padding).
        right_width: usize,
        /// Equality keys for a hash join: (expression over the left row,
        /// expression over the right row alone). Empty: nested loop. `on`
        /// is still checked on every candidate pair.
        equi: Vec<(Expr, Expr)>,
    },
}

/// A planned query: its operator tree and output column names.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    /// Operators.
    pub plan: Plan,
    /// Output column names.
    pub columns: Vec<String>,
    /// Each output column's declared type when it reads a table column
    /// unchanged, else `None` (an expression).
    pub decltypes: Vec<Option<String>>,
}

/// Where INSERT rows come from.
#[derive(Debug, Clone)]
pub enum InsertSource {
    /// `VALUES (…), (…)`.
    Values(Vec<Vec<Expr>>),
    /// `INSERT … SELECT`.
    Query(Box<Plan>),
    /// `DEFAULT VALUES`.
    Defaults,
}

/// `RETURNING` clause: expressions over the table's row (plus rowid).
#[derive(Debug, Clone)]
pub struct Returning {
    /// Output expressions.
    pub exprs: Vec<Expr>,
    /// Output names.
    pub columns: Vec<String>,
}

/// What to do when an inserted row collides with an existing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Fail the statement (the default).
    Abort,
    /// Skip the row (`INSERT OR IGNORE`).
    Ignore,
    /// Delete the existing row first (`INSERT OR REPLACE`, `REPLACE INTO`).
    Replace,
}

/// Which uniqueness constraint an `ON CONFLICT` clause handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertTarget {
    /// No target: any PRIMARY KEY or UNIQUE conflict (primary key first).
    Any,
    /// The primary key (or rowid).
    PrimaryKey,
    /// The unique index at this position in `TableDef::indexes`.
    Unique(usize),
}

/// What an `ON CONFLICT` clause does with the conflicting row.
#[derive(Debug, Clone)]
pub enum UpsertAction {
    /// Skip the row.
    Nothing,
    /// Update the existing row. Expressions see the existing row (table
    /// columns and rowid), then `excluded` (the row that was not inserted).
    Update {
        /// (column position, new value).
        assignments: Vec<(usize, Expr)>,
        /// The update happens only where this is true.
        pred: Option<Expr>,
    },
}

/// `INSERT … ON CONFLICT [(cols)] DO NOTHING | DO UPDATE SET … [WHERE …]`.
#[derive(Debug, Clone)]
pub struct Upsert {
    /// The constraint it handles (others still fail the statement).
    pub target: UpsertTarget,
    /// What happens to the conflicting row.
    pub action: UpsertAction,
}

/// INSERT.
#[derive(Debug, Clone)]
pub struct InsertPlan {
    /// Target.
    pub table: Arc<TableDef>,
    /// For each source column, the target column position.
    pub targets: Vec<usize>,
    /// Rows.
    pub source: InsertSource,
    /// For each table column, its bound DEFAULT.
    pub defaults: Vec<Option<Expr>>,
    /// Conflict handling.
    pub conflict: Conflict,
    /// `ON CONFLICT` (UPSERT), checked before `conflict` applies.
    pub upsert: Option<Upsert>,
    /// RETURNING.
    pub returning: Option<Returning>,
}

/// UPDATE.
#[derive(Debug, Clone)]
pub struct UpdatePlan {
    /// Rows to change (a scan with the WHERE filter).
    pub source: Plan,
    /// Target.
    pub table: Arc<TableDef>,
    /// (column position, new value over the old row).
    pub assignments: Vec<(usize, Expr)>,
    /// RETURNING.
    pub returning: Option<Returning>,
}

/// DELETE.
#[derive(Debug, Clone)]
pub struct DeletePlan {
    /// Rows to delete.
    pub source: Plan,
    /// Target.
    pub table: Arc<TableDef>,
    /// RETURNING.
    pub returning: Option<Returning>,
}

/// One ALTER TABLE operation.
#[derive(Debug, Clone)]
pub enum AlterOp {
    /// ADD COLUMN (existing rows get its constant DEFAULT).
    AddColumn {
        /// The new column.
        column: ColumnDef,
        /// IF NOT EXISTS.
        if_not_exists: bool,
    },
    /// RENAME COLUMN old TO new.
    RenameColumn {
        /// Current name.
        old: String,
        /// New name.
        new: String,
    },
    /// RENAME TO new.
    RenameTable(String),
    /// ALTER TABLE IF EXISTS on a missing table.
    Nothing,
}

/// Any statement, planned.
#[derive(Debug, Clone)]
pub enum StmtPlan {
    /// CHECKPOINT, PRAGMA wal_checkpoint, VACUUM, VACUUM INTO: run by the
    /// session outside any write transaction.
    Maintenance(Maintenance),
    /// SELECT / VALUES.
    Query(QueryPlan),
    /// INSERT.
    Insert(InsertPlan),
    /// UPDATE.
    Update(UpdatePlan),
    /// DELETE.
    Delete(DeletePlan),
    /// CREATE TABLE (the id is assigned at execution).
    CreateTable {
        /// `WITH (time_travel = …)`, or `None` for the database default.
        time_travel: Option<bool>,
        /// New table.
        table: TableDef,
        /// IF NOT EXISTS.
        if_not_exists: bool,
    },
    /// DROP TABLE.
    DropTable {
        /// Names.
        names: Vec<String>,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// CREATE INDEX.
    CreateIndex {
        /// Table name.
        table: String,
        /// New index (id assigned at execution).
        index: IndexDef,
        /// IF NOT EXISTS.
        if_not_exists: bool,
    },
    /// ALTER TABLE.
    AlterTable {
        /// Table name.
        table: String,
        /// What to change.
        op: AlterOp,
    },
    /// CREATE VIEW.
    CreateView {
        /// The view.
        view: ViewDef,
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// OR REPLACE.
        or_replace: bool,
    },
    /// DROP VIEW.
    DropView {
        /// Names.
        names: Vec<String>,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// CREATE MATERIALIZED VIEW (the table that holds its contents).
    CreateMaterializedView {
        /// The view's table, with its definition.
        table: TableDef,
        /// IF NOT EXISTS.
        if_not_exists: bool,
        /// Fill it now (`WITH DATA`, the default) or at its first refresh.
        with_data: bool,
    },
    /// DROP MATERIALIZED VIEW.
    DropMaterializedView {
        /// Names.
        names: Vec<String>,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// ALTER MATERIALIZED VIEW … SET / RESET (NULL resets).
    AlterMaterializedView {
        /// The view.
        name: String,
        /// Options and their new values.
        options: Vec<(String, crate::types::Value)>,
    },
    /// CREATE TRIGGER.
    CreateTrigger {
        /// The table it fires on.
        table: String,
        /// The trigger.
        trigger: crate::catalog::TriggerDef,
    },
    /// DROP TRIGGER.
    DropTrigger {
        /// Its name.
        name: String,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// REINDEX: rebuild every index, a table's, or one.
    Reindex {
        /// A table or index name; `None` for every index.
        name: Option<String>,
    },
    /// DROP INDEX.
    DropIndex {
        /// Names.
        names: Vec<String>,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// CREATE CHANGEFEED.
    CreateChangefeed {
        /// Its name.
        name: String,
        /// The tables it follows.
        tables: Vec<String>,
        /// IF NOT EXISTS.
        if_not_exists: bool,
    },
    /// DROP CHANGEFEED.
    DropChangefeed {
        /// Its name.
        name: String,
        /// IF EXISTS.
        if_exists: bool,
    },
    /// EXPLAIN of another statement.
    Explain(Box<StmtPlan>),
    /// BEGIN.
    Begin,
    /// COMMIT.
    Commit,
    /// ROLLBACK.
    Rollback,
    /// SAVEPOINT, RELEASE or ROLLBACK TO (run by the session, not planned
    /// further); the statement's text.
    Savepoint(String),
}

impl StmtPlan {
    /// Output column names (empty for statements without result rows).
    pub fn columns(&self) -> Vec<String> {
        match self {
            StmtPlan::Query(q) => q.columns.clone(),
            StmtPlan::Explain(_) => vec!["plan".to_string()],
            StmtPlan::Maintenance(Maintenance::Checkpoint { report: true }) => {
                ["busy", "log", "checkpointed"].map(String::from).to_vec()
            }
            StmtPlan::Insert(InsertPlan { returning: Some(r), .. })
            | StmtPlan::Update(UpdatePlan { returning: Some(r), .. })
            | StmtPlan::Delete(DeletePlan { returning: Some(r), .. }) => r.columns.clone(),
            _ => Vec::new(),
        }
    }

    /// Declared types of the result columns (see [`QueryPlan::decltypes`]).
    /// A column declared without a type has none, as in SQLite (inside the
    /// planner it reads `""`, which still gives it BLOB affinity).
    pub fn decltypes(&self) -> Vec<Option<String>> {
        match self {
            StmtPlan::Query(q) => q.decltypes.iter().map(|d| d.clone().filter(|d| !d.is_empty())).collect(),
            StmtPlan::Explain(_) => vec![None],
            StmtPlan::Maintenance(Maintenance::Checkpoint { report: true }) => vec![None; 3],
            StmtPlan::Insert(InsertPlan { returning: Some(r), .. })
            | StmtPlan::Update(UpdatePlan { returning: Some(r), .. })
            | StmtPlan::Delete(DeletePlan { returning: Some(r), .. }) => vec![None; r.columns.len()],
            _ => Vec::new(),
        }
    }

    /// Whether the statement only reads.
    pub fn is_read_only(&self) -> bool {
        matches!(self, StmtPlan::Query(_) | StmtPlan::Explain(_))
    }
}

/// The maintenance statements (see [`StmtPlan::Maintenance`]).
#[derive(Debug, Clone)]
pub enum Maintenance {
    /// `CHECKPOINT`; with `report`, `PRAGMA wal_checkpoint`, which answers
    /// SQLite's row `(busy, log, checkpointed)`.
    Checkpoint {
        /// Answer the row.
        report: bool,
    },
    /// `VACUUM`: checkpoint, then compact every keyspace.
    Vacuum,
    /// `VACUUM INTO dest [WITHOUT HISTORY]`: an online backup.
    VacuumInto {
        /// The destination directory (a text expression: a literal or a parameter).
        dest: Expr,
        /// Whether the copy keeps the time-travel history.
        history: crate::storage::BackupHistory,
    },
}
