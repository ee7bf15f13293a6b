//! [`Change`]: one row of `heliosdb_changes(…)`, its JSON images parsed.

use crate::error::{Result, SyncError};
use serde_json::{Map, Value as Json};

/// A JSON object: column name → value.
pub type JsonRow = Map<String, Json>;

/// What a change did to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A new row (`before` is absent).
    Insert,
    /// A changed row (both images).
    Update,
    /// A removed row (`after` is absent).
    Delete,
}

impl Op {
    /// Parses `INSERT` / `UPDATE` / `DELETE`.
    ///
    /// # Errors
    /// `Data` for anything else.
    pub fn parse(s: &str) -> Result<Op> {
        match s {
            "INSERT" => Ok(Op::Insert),
            "UPDATE" => Ok(Op::Update),
            "DELETE" => Ok(Op::Delete),
            other => Err(SyncError::Data(format!("unknown change op {other:?}"))),
        }
    }
}

/// One change of a committed source transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The commit's SCN.
    pub scn: u64,
    /// The transaction id.
    pub txid: u64,
    /// Commit time, `YYYY-MM-DD HH:MM:SS.ffffff` UTC.
    pub commit_time: String,
    /// The table, as declared in `CREATE TABLE`.
    pub table: String,
    /// Insert, update or delete.
    pub op: Op,
    /// The primary-key columns (`{"rowid": n}` for a table without one).
    pub key: JsonRow,
    /// Every column before (absent for an insert).
    pub before: Option<JsonRow>,
    /// Every column after (absent for a delete).
    pub after: Option<JsonRow>,
}

impl Change {
    /// Builds a change from the text columns of `heliosdb_changes`.
    ///
    /// # Errors
    /// `Data` when an SCN is negative, the op unknown, a JSON column is not a
    /// JSON object, or an image the op needs is missing.
    #[allow(clippy::too_many_arguments)]
    pub fn from_columns(
        scn: i64,
        txid: i64,
        commit_time: String,
        table: String,
        op: &str,
        key: &str,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Result<Change> {
        let op = Op::parse(op)?;
        let scn = u64::try_from(scn).map_err(|_| SyncError::Data(format!("negative scn {scn}")))?;
        let txid = u64::try_from(txid).map_err(|_| SyncError::Data(format!("negative txid {txid}")))?;
        let key = object(key, "key", scn)?;
        let before = before.map(|b| object(b, "before", scn)).transpose()?;
        let after = after.map(|a| object(a, "after", scn)).transpose()?;
        if op != Op::Delete && after.is_none() {
            return Err(SyncError::Data(format!("{op:?} at scn {scn} on {table} has no after image")));
        }
        Ok(Change { scn, txid, commit_time, table, op, key, before, after })
    }
}

fn object(text: &str, what: &str, scn: u64) -> Result<JsonRow> {
    crate::json::parse_object(text)
        .map_err(|e| SyncError::Data(format!("{what} at scn {scn} is not a JSON object ({e}): {text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_row() {
        let c = Change::from_columns(
            7,
            3,
            "2024-01-01 00:00:00.000000".into(),
            "t".into(),
            "UPDATE",
            r#"{"id":1}"#,
            Some(r#"{"id":1,"v":"a"}"#),
            Some(r#"{"id":1,"v":"b"}"#),
        )
        .unwrap();
        assert_eq!(c.op, Op::Update);
        assert_eq!(c.after.unwrap()["v"], "b");
        assert!(Change::from_columns(1, 1, String::new(), "t".into(), "MERGE", "{}", None, None).is_err());
        assert!(Change::from_columns(1, 1, String::new(), "t".into(), "INSERT", "{}", None, None).is_err());
        assert!(Change::from_columns(1, 1, String::new(), "t".into(), "DELETE", "[1]", None, None).is_err());
    }
}
