//! The source side: [`ChangeSource`], what the shipper needs from a
//! database, and [`HeliosSource`], its implementation over a HeliosDB-Lite
//! connection through the change-feed SQL (`heliosdb_changes`,
//! `heliosdb_ack`, `heliosdb_changefeeds`, `pragma_table_info`, `AS OF SCN`).

use crate::change::{Change, JsonRow, Op};
use crate::error::{Result, SyncError};
use crate::schema::{ident, TableSchema, ROWID};
use base64::Engine as _;
use heliosdb_lite::{Connection, Value};
use serde_json::Value as Json;

/// A change feed as the source describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedInfo {
    /// The feed's name.
    pub name: String,
    /// The tables it follows.
    pub tables: Vec<String>,
    /// The SCN the consumer has acknowledged (the feed's start when new).
    pub acked_scn: u64,
    /// Changes not yet acknowledged.
    pub pending_changes: u64,
    /// Age in seconds of the oldest unacknowledged change (0 when none).
    pub lag_sec: f64,
}

/// What the shipper reads from and acknowledges to.
pub trait ChangeSource {
    /// The feed named `name`, or `None` when there is none.
    ///
    /// # Errors
    /// Source failures.
    fn feed(&mut self, name: &str) -> Result<Option<FeedInfo>>;

    /// Creates feed `name` for `tables`.
    ///
    /// # Errors
    /// Source failures (an unknown table, a feed that exists).
    fn create_feed(&mut self, name: &str, tables: &[String]) -> Result<()>;

    /// Up to about `max_rows` changes after `after_scn`, whole transactions, in commit order.
    ///
    /// # Errors
    /// Source failures; `Data` for a malformed change row.
    fn changes(&mut self, feed: &str, after_scn: u64, max_rows: usize) -> Result<Vec<Change>>;

    /// Records that everything up to `scn` is shipped; returns the feed's acknowledged SCN.
    ///
    /// # Errors
    /// Source failures (an SCN beyond the newest commit).
    fn ack(&mut self, feed: &str, scn: u64) -> Result<u64>;

    /// A table's columns and key.
    ///
    /// # Errors
    /// `Data` for an unknown table; source failures.
    fn table_schema(&mut self, table: &str) -> Result<TableSchema>;

    /// Every row of `table` as of `scn`, as inserts stamped with that SCN,
    /// handed to `each` one at a time (a table need not fit in memory).
    ///
    /// # Errors
    /// Source failures (history older than retention: snapshot too old);
    /// the first error of `each`.
    fn snapshot(&mut self, table: &TableSchema, scn: u64, each: &mut dyn FnMut(Change) -> Result<()>) -> Result<()>;
}

/// [`ChangeSource`] over a HeliosDB-Lite connection.
pub struct HeliosSource<'c> {
    conn: &'c Connection,
}

impl<'c> HeliosSource<'c> {
    /// Reads and acknowledges through `conn` (the connection's thread only:
    /// connections are not `Sync`).
    pub fn new(conn: &'c Connection) -> HeliosSource<'c> {
        HeliosSource { conn }
    }
}

/// A SQL string literal.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn as_u64(v: &Value, what: &str) -> Result<u64> {
    match v {
        Value::Integer(i) if *i >= 0 => Ok(*i as u64),
        Value::Null => Ok(0),
        other => Err(SyncError::Data(format!("{what}: expected a non-negative integer, got {other:?}"))),
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Text(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `a,b` or `["a","b"]` (how a system view may list a feed's tables).
pub fn parse_table_list(s: &str) -> Vec<String> {
    let t = s.trim();
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(t) {
            return v;
        }
    }
    t.split(',').map(|x| x.trim().trim_matches('"').to_string()).filter(|x| !x.is_empty()).collect()
}

/// A source value as the change feed writes it in JSON: BLOB as padded
/// standard base64, DECIMAL as its exact digits, non-finite REAL as null.
pub fn value_to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(*i),
        Value::Real(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Text(s) => Json::String(s.clone()),
        Value::Blob(b) => Json::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::Boolean(b) => Json::Bool(*b),
        Value::Decimal(d) => Json::String(d.to_string()),
        #[allow(unreachable_patterns)]
        other => Json::String(other.to_string()),
    }
}

impl ChangeSource for HeliosSource<'_> {
    fn feed(&mut self, name: &str) -> Result<Option<FeedInfo>> {
        let sql = format!(
            "SELECT name, tables, acked_scn, pending_changes, lag_sec FROM heliosdb_changefeeds WHERE name = {}",
            literal(name)
        );
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(())?;
        let Some(r) = rows.next()? else { return Ok(None) };
        let v = r.values();
        Ok(Some(FeedInfo {
            name: name.to_string(),
            tables: as_text(&v[1]).map(|s| parse_table_list(&s)).unwrap_or_default(),
            acked_scn: as_u64(&v[2], "acked_scn")?,
            pending_changes: as_u64(&v[3], "pending_changes")?,
            lag_sec: v[4].as_f64().unwrap_or(0.0),
        }))
    }

    fn create_feed(&mut self, name: &str, tables: &[String]) -> Result<()> {
        let list: Vec<String> = tables.iter().map(|t| sql_name(t)).collect();
        self.conn.execute_batch(&format!("CREATE CHANGEFEED {} FOR TABLE {}", sql_name(name), list.join(", ")))?;
        Ok(())
    }

    fn changes(&mut self, feed: &str, after_scn: u64, max_rows: usize) -> Result<Vec<Change>> {
        let sql = format!(
            "SELECT scn, txid, commit_time, table_name, op, key, before, after FROM heliosdb_changes({}, {max_rows}, {after_scn})",
            literal(feed)
        );
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(())?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let v = r.values();
            let int = |i: usize| match &v[i] {
                Value::Integer(n) => Ok(*n),
                other => Err(SyncError::Data(format!("heliosdb_changes column {i}: not an integer: {other:?}"))),
            };
            let text = |i: usize| as_text(&v[i]).unwrap_or_default();
            out.push(Change::from_columns(
                int(0)?,
                int(1)?,
                text(2),
                text(3),
                &text(4),
                &text(5),
                as_text(&v[6]).as_deref(),
                as_text(&v[7]).as_deref(),
            )?);
        }
        Ok(out)
    }

    fn ack(&mut self, feed: &str, scn: u64) -> Result<u64> {
        let v: Value =
            self.conn.query_row(&format!("SELECT heliosdb_ack({}, {scn})", literal(feed)), (), |r| r.get(0))?;
        as_u64(&v, "heliosdb_ack")
    }

    fn table_schema(&mut self, table: &str) -> Result<TableSchema> {
        let sql = format!("SELECT name, type, pk FROM pragma_table_info({})", literal(table));
        let mut st = self.conn.prepare(&sql)?;
        let cols = st
            .query_map((), |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)?)))?
            .map(|c| c.map(|(n, t, pk)| (n, t.unwrap_or_default(), u32::try_from(pk).unwrap_or(0))))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        TableSchema::new(table, cols)
    }

    fn snapshot(&mut self, table: &TableSchema, scn: u64, each: &mut dyn FnMut(Change) -> Result<()>) -> Result<()> {
        // The hidden rowid is a column only of a table without a declared primary key.
        let mut cols: Vec<String> = table.columns.iter().map(|c| ident(&c.name)).collect();
        cols.insert(0, if table.rowid { ROWID.to_string() } else { "NULL".to_string() });
        let sql = format!("SELECT {} FROM {} AS OF SCN {scn}", cols.join(", "), ident(&table.name));
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(())?;
        while let Some(r) = rows.next()? {
            let v = r.values();
            let after: JsonRow =
                table.columns.iter().zip(&v[1..]).map(|(c, val)| (c.name.clone(), value_to_json(val))).collect();
            let mut key = JsonRow::new();
            if table.rowid {
                key.insert(ROWID.into(), value_to_json(&v[0]));
            } else {
                for k in &table.key {
                    key.insert(k.clone(), after.get(k).cloned().unwrap_or(Json::Null));
                }
            }
            each(Change {
                scn,
                txid: 0,
                commit_time: String::new(),
                table: table.name.clone(),
                op: Op::Insert,
                key,
                before: None,
                after: Some(after),
            })?;
        }
        Ok(())
    }
}

/// A name in HeliosDB SQL: bare when it is a plain identifier, else quoted.
fn sql_name(n: &str) -> String {
    let plain = n.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        n.to_string()
    } else {
        ident(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_and_literals() {
        assert_eq!(parse_table_list("a, b"), vec!["a", "b"]);
        assert_eq!(parse_table_list(r#"["a","b c"]"#), vec!["a", "b c"]);
        assert_eq!(parse_table_list(""), Vec::<String>::new());
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(sql_name("t_1"), "t_1");
        assert_eq!(sql_name("my table"), "\"my table\"");
    }

    #[test]
    fn values_are_written_as_the_feed_writes_them() {
        assert_eq!(value_to_json(&Value::Blob(vec![0, 255])), Json::String("AP8=".into()));
        assert_eq!(value_to_json(&Value::Real(f64::INFINITY)), Json::Null);
        assert_eq!(value_to_json(&Value::Boolean(true)), Json::Bool(true));
        assert_eq!(value_to_json(&Value::Integer(-3)), Json::from(-3));
    }
}
