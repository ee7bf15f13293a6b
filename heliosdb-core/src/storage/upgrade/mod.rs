//! Upgrading a directory written by an earlier release, in place, when it
//! is opened. Each step rewrites in atomic batches that a killed process can
//! leave midway (the next open resumes), and stamps its format version last.
//!
//! * `heliosdb-1` → `heliosdb-2` ([`versions_v1`]): superseded versions keyed
//!   by the SCN at which they ended;
//! * `heliosdb-2` → `heliosdb-3` ([`rows_v2`]): rows keyed by one integer
//!   packed into pages (see `storage::pages`).

mod rows_v2;
mod versions_v1;

use super::keys;
use super::kv::FjallStore;
use crate::error::Result;

/// Brings a directory stamped `format` up to the current format. `false`
/// when `format` is not one this build can upgrade.
///
/// # Errors
/// Storage errors; `Corrupt` for records not in the layout their format says.
pub fn upgrade(store: &FjallStore, format: &[u8]) -> Result<bool> {
    if format == keys::FORMAT_VERSION_1 {
        versions_v1::from_v1(store)?;
    } else if format != keys::FORMAT_VERSION_2 {
        return Ok(false);
    }
    rows_v2::from_v2(store)?;
    Ok(true)
}

/// Every row `sql` returns (the upgrade tests compare what a database
/// answers before and after).
#[cfg(test)]
fn test_rows(conn: &crate::Connection, sql: &str) -> Vec<Vec<crate::Value>> {
    let mut st = conn.prepare(sql).unwrap();
    let mut rows = st.query(()).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        out.push(r.values().to_vec());
    }
    out
}
