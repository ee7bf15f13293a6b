//! Rows of table functions and system tables (see
//! [`crate::sql::table_functions`] for their names and columns).
//!
//! * [`series`] — `generate_series`;
//! * `json_each` / `json_tree` — rows from [`super::json::each_rows`];
//! * [`catalog_rows`] — `sqlite_schema`, the introspection pragmas and
//!   `information_schema`, all read from the reader's catalog, so they show
//!   the schema of the snapshot the statement reads.

pub mod catalog_rows;
pub mod series;

use super::eval::{eval, EvalCtx};
use super::RowIter;
use crate::error::{sql_err, Result};
use crate::interrupt::checked;
use crate::sql::expr::Expr;
use crate::sql::table_functions::SystemTable;
use crate::storage::Reader;
use crate::types::Value;

/// For each row of `input`, the function's rows for the arguments evaluated
/// on that row, each prefixed with the row (a lateral join).
pub fn lateral<'a>(
    input: RowIter<'a>,
    table: SystemTable,
    args: &'a [Expr],
    reader: &'a dyn Reader,
    ctx: &'a EvalCtx,
) -> RowIter<'a> {
    Box::new(input.flat_map(move |row| -> RowIter<'a> {
        let produced = row.and_then(|left| {
            let values = args.iter().map(|e| eval(e, &left, ctx)).collect::<Result<Vec<_>>>()?;
            Ok((left, rows(reader, table, values)?))
        });
        match produced {
            Ok((left, rows)) if left.is_empty() => rows,
            Ok((left, rows)) => Box::new(rows.map(move |r| {
                r.map(|r| {
                    let mut out = Vec::with_capacity(left.len() + r.len());
                    out.extend(left.iter().cloned());
                    out.extend(r);
                    out
                })
            })),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }))
}

/// The rows of `table` called with `args` (already checked for number).
///
/// # Errors
/// Arguments of the wrong kind (a series step of 0, malformed JSON, …).
pub fn rows<'a>(reader: &'a dyn Reader, table: SystemTable, args: Vec<Value>) -> Result<RowIter<'a>> {
    let int = |x: u64| Value::Integer(i64::try_from(x).unwrap_or(i64::MAX));
    let listed = |rows: Vec<Vec<Value>>| -> RowIter<'a> { Box::new(rows.into_iter().map(Ok)) };
    Ok(match table {
        SystemTable::Snapshots => {
            let max = reader.snapshot_scn();
            let rows = reader
                .engine()
                .snapshots()
                .into_iter()
                .filter(|r| r.scn <= max)
                .map(|r| vec![int(r.scn), int(r.txid), Value::Text(super::datetime::format_us(r.time_us))])
                .collect();
            listed(rows)
        }
        SystemTable::MvStaleness => listed(crate::mv::staleness::rows(
            reader.engine(),
            reader.catalog(),
            crate::storage::commit_log::now_micros(),
        )),
        SystemTable::Changes => listed(crate::feed::read::rows(reader, &args)?),
        SystemTable::Changefeeds => listed(crate::feed::status::rows(
            reader.engine(),
            reader.catalog(),
            crate::storage::commit_log::now_micros(),
        )),
        SystemTable::GenerateSeries => checked(series::rows(&args)?),
        SystemTable::JsonEach | SystemTable::JsonTree => {
            let path = match args.get(1) {
                None => None,
                Some(Value::Text(p)) => Some(p.as_str()),
                Some(Value::Null) => return Ok(Box::new(std::iter::empty())),
                Some(other) => return Err(sql_err!("JSON path error near '{}'", super::arith::text_of(other))),
            };
            let json = args.first().cloned().unwrap_or(Value::Null);
            listed(super::json::each_rows(&json, path, table == SystemTable::JsonTree)?)
        }
        catalog_table => listed(catalog_rows::rows(reader.catalog(), catalog_table, &args)?),
    })
}
