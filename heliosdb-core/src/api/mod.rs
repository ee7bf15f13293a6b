//! The public Rust API, shaped like rusqlite: [`Connection`], [`Statement`],
//! [`Rows`], [`Row`], parameters and [`Transaction`].

mod connection;
mod maintenance;
mod open;
mod params;
mod rows;
mod session;
mod statement;
mod transaction;

pub use crate::catalog::SchemaObject;
pub use crate::exec::memory::MemoryUse;
pub use connection::Connection;
pub use open::{IntoConfig, OpenTarget};
pub use params::{FromSql, Params, RowIndex, ToSql};
pub use rows::{MappedRows, Row, Rows};
pub use session::Outcome;
pub use statement::{PreparedStatement, Statement};
pub use transaction::Transaction;
