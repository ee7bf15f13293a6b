//! Execution: running plans against a [`crate::storage::Reader`].
//!
//! * [`eval`] — expression evaluation; [`clock`] — a statement's instant; [`arith`] — arithmetic and string operators;
//! * [`functions`] — scalar functions; [`strings`] — string functions, LIKE, GLOB;
//!   [`printf`] — SQL `printf`; [`datetime`] — SQLite's date functions;
//!   [`json`] — SQLite's JSON1 functions;
//! * [`aggregate`] — aggregate state; [`window`] — window functions;
//! * [`scan`] — turning an access path into key ranges and rows;
//!   `index_row` — the row a covering index's entry stands for;
//!   `implied` — WHERE terms a covering-index range already answers;
//!   `batch` — scans of the present run a page of rows at a time;
//! * [`temporal`] — reads of the past: AS OF scans, history scans;
//! * [`system`] — rows of table functions and system tables (`generate_series`, `sqlite_schema`, …);
//! * [`memory`] — a statement's working memory; [`spill`] — temporary files
//!   for rows past it; [`sort`] — in-memory and external merge sort;
//!   [`grouping`] — hash aggregation and DISTINCT that spill by partition;
//!   [`join`] — hash and nested-loop joins that spill; [`setop`] — UNION, INTERSECT, EXCEPT;
//! * [`query`] — the operators (filter, project, aggregate, sort, join, …);
//!   `late_topn` — `ORDER BY … LIMIT n` decoding whole rows only for the `n` kept;
//!   [`recursive`] — recursive CTEs;
//! * [`write`] — writing and deleting one row with its index entries;
//! * [`constraints`] — CHECK and FOREIGN KEY enforcement; [`triggers`] — row triggers;
//! * [`dml`] / [`ddl`] — running INSERT/UPDATE/DELETE and CREATE/DROP;
//!   [`upsert`] — an INSERT's ON CONFLICT clause.

pub mod aggregate;
pub mod arith;
mod batch;
pub mod clock;
pub mod constraints;
pub mod datetime;
pub mod ddl;
pub mod dml;
pub mod eval;
pub mod functions;
pub mod grouping;
mod implied;
mod index_row;
pub mod join;
pub mod json;
mod late_topn;
pub mod math;
pub mod memory;
pub mod pair_sort;
pub mod printf;
pub mod query;
mod ranked_scan;
pub mod recursive;
pub mod scan;
pub mod setop;
pub mod sort;
pub mod spill;
pub mod strings;
pub mod system;
pub mod temporal;
pub mod triggers;
pub mod upsert;
pub mod window;
pub mod write;

pub use eval::EvalCtx;

use crate::error::Result;
use crate::types::Value;

/// A stream of rows.
pub type RowIter<'a> = Box<dyn Iterator<Item = Result<Vec<Value>>> + 'a>;
