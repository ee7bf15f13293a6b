//! Materialized view definitions: the defining query, how the view is
//! maintained, where it stands (its refresh SCN) and its options. The
//! contents live in an ordinary table that carries this definition, so a
//! materialized view is read, indexed and time-travelled like any table.

use serde::{Deserialize, Serialize};

/// How a view is brought up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strategy {
    /// Changes to the base table are applied to the stored rows.
    Incremental(IncrementalShape),
    /// Only the partitions (window partitions, groups) whose base rows
    /// changed are recomputed.
    Partial {
        /// What a partition is (`the PARTITION BY category partitions`).
        what: String,
        /// Why the view is not maintained row by row.
        reason: String,
    },
    /// The query is recomputed; `reason` names the part of the query that
    /// prevents incremental maintenance.
    Full {
        /// Why the view cannot be maintained incrementally.
        reason: String,
    },
}

/// The incrementally maintained query shapes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IncrementalShape {
    /// `SELECT exprs FROM t [WHERE …]`: one stored row per base row, keyed
    /// by the base row's key (the view's hidden first column).
    Project,
    /// `SELECT groups…, aggregates… FROM t [WHERE …] GROUP BY …`: one stored
    /// row per group, keyed by the group values, with running state in
    /// hidden columns after the visible ones.
    Aggregate {
        /// For each visible column: `None` for a group expression, or the
        /// aggregate it shows and the first hidden state column it uses.
        columns: Vec<Option<AggState>>,
    },
    /// `SELECT exprs, RANK() OVER (PARTITION BY p ORDER BY o) … FROM t
    /// [WHERE …]` (RANK, DENSE_RANK, ROW_NUMBER over one window): one stored
    /// row per base row, keyed by (partition, sort key, base row key), the
    /// ranks numbered when the view is read. A change writes only the rows
    /// of the base rows it changed, however many ranks it moves.
    Ranked(RankedLayout),
}

/// A ranking function a view numbers when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RankKind {
    /// `RANK()`: 1 + the rows before the row's peers.
    Rank,
    /// `DENSE_RANK()`: 1 + the distinct sort keys before the row's.
    DenseRank,
    /// `ROW_NUMBER()`: 1 + the rows before the row.
    RowNumber,
}

/// Where a ranked view keeps what its ranks are numbered from: rows are
/// stored in window order, so a scan numbers them as they pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedLayout {
    /// Visible columns holding a ranking function's value (stored as NULL).
    pub ranks: Vec<(usize, RankKind)>,
    /// Hidden column with the encoded partition (a BLOB; first key column;
    /// each value as `types::keycode::encode_sort_key` ascending, NULLs
    /// first, so values that compare equal share a partition).
    pub part: usize,
    /// Hidden column with the encoded sort key (a BLOB; second key column,
    /// see `types::keycode::encode_sort_key`): equal bytes are peers.
    pub order: usize,
    /// The visible columns equal to the PARTITION BY expressions, in their
    /// order (empty unless every one is selected): a read whose WHERE fixes
    /// them reads only those partitions.
    #[serde(default)]
    pub part_columns: Vec<usize>,
}

/// Where an aggregate's running state lives in a view row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggState {
    /// `count`, `sum`, `avg`, `min` or `max` (`count_star` for COUNT(*)).
    pub func: String,
    /// Position of its state column (SUM/AVG: the sum; then the non-NULL count).
    pub state: usize,
}

/// Per-view settings (`None`: the `[materialized_views]` default applies).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MvOptions {
    /// Refresh in the background when stale.
    pub auto_refresh: Option<bool>,
    /// Seconds of pending changes after which the view is due for a refresh.
    pub staleness_threshold_sec: Option<u64>,
    /// Refresh only while system CPU use is below this fraction.
    pub cpu_threshold: Option<f64>,
    /// A hard deadline: older than this, refresh even when the CPU is busy.
    pub max_staleness_sec: Option<u64>,
}

/// A materialized view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MvDef {
    /// The defining query as SQL text.
    pub query: String,
    /// The base tables it reads, by id.
    pub base_tables: Vec<u32>,
    /// How it is maintained.
    pub strategy: Strategy,
    /// The SCN its contents reflect; `None` until the first refresh.
    pub refresh_scn: Option<u64>,
    /// When the last refresh committed (µs since the epoch).
    pub refreshed_at_us: Option<i64>,
    /// Its options.
    pub options: MvOptions,
    /// For a view with a sliding time window (`col > now − …`): the column,
    /// and whether rows crossing the bound are found through an index.
    /// Time then counts as a source of change (see `pg_mv_staleness()`).
    #[serde(default)]
    pub window: Option<WindowInfo>,
}

/// A view's sliding time window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInfo {
    /// The base-table column compared with `now`.
    pub column: String,
    /// Rows crossing the bound are read by a key range (else by a scan).
    pub indexed: bool,
}
