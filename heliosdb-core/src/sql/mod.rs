//! SQL front end: parse → bind → plan.
//!
//! * [`parser`] — sqlparser with HeliosDB's dialect and parameter numbering;
//! * [`limits`] — expression-depth and compound-SELECT limits, checked on tokens;
//! * [`expr`] — bound expressions (names resolved to column positions);
//! * [`scope`] — the columns visible to an expression;
//! * [`binder`] — AST expressions → bound expressions (window calls in its
//!   `window` submodule); [`function_names`] — its function table;
//! * [`affinity`] — SQLite's comparison affinity, applied while binding;
//! * [`window_syntax`] — `EXCLUDE …` after a window frame, which sqlparser lacks;
//! * [`table_functions`] — table functions and system tables: names, arguments, columns;
//! * [`column_syntax`] — column definitions without a type, which sqlparser lacks;
//! * [`plan`] — the operator tree the executor runs;
//! * [`planner`] — statements → plans (access-path choice included);
//! * [`explain`] — the text EXPLAIN prints for a plan.

pub mod affinity;
pub mod binder;
pub mod column_names;
pub mod column_syntax;
pub mod explain;
pub mod expr;
pub mod function_names;
pub mod limits;
pub mod parser;
pub mod plan;
pub mod planner;
pub mod scope;
pub mod statement_syntax;
pub mod table_functions;
pub mod tokens;
pub mod window_syntax;
