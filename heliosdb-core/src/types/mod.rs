//! Values and types: the data model every other layer shares.
//!
//! * [`value`] — the runtime [`Value`] and its display;
//! * [`numfmt`] — REAL → text the way SQLite's printf renders doubles;
//! * [`datatype`] — column types and how SQL type names map onto them;
//! * [`compare`] — the one place where values are compared and hashed;
//! * [`cast`] — coercion into column types (STRICT rules) and SQL `CAST`;
//! * [`keycode`] — the order-preserving key encoding used by the storage;
//! * [`rowcodec`] — the compact binary row encoding.

pub mod cast;
pub mod compare;
pub mod datatype;
pub mod keycode;
pub mod numfmt;
pub mod rowcodec;
pub mod value;

pub use datatype::{Affinity, DataType, TemporalKind};
pub use value::Value;
