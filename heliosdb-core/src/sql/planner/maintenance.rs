//! CHECKPOINT, `PRAGMA wal_checkpoint`, VACUUM and VACUUM INTO, which the
//! token rewrite (`statement_syntax`) turns into `SET heliosdb_… = …`.

use crate::catalog::Catalog;
use crate::error::{sql_err, Result};
use crate::sql::binder::{Binder, QueryCtx};
use crate::sql::plan::{Maintenance, StmtPlan};
use crate::sql::scope::Scope;
use crate::sql::statement_syntax::{CHECKPOINT, VACUUM, VACUUM_INTO, VACUUM_INTO_COMPACT, WAL_CHECKPOINT};
use crate::storage::BackupHistory;
use sqlparser::ast;

/// Whether `SET variable` is one of the maintenance statements.
pub fn is_maintenance(variable: &str) -> bool {
    [CHECKPOINT, WAL_CHECKPOINT, VACUUM, VACUUM_INTO, VACUUM_INTO_COMPACT]
        .iter()
        .any(|v| variable.eq_ignore_ascii_case(v))
}

/// Plans the maintenance statement carried as `SET variable = values`.
///
/// # Errors
/// A destination that is not one expression without columns.
pub fn plan(variable: &str, values: &[ast::Expr], catalog: &Catalog) -> Result<StmtPlan> {
    let var = variable.to_ascii_lowercase();
    let m = match var.as_str() {
        CHECKPOINT => Maintenance::Checkpoint { report: false },
        WAL_CHECKPOINT => Maintenance::Checkpoint { report: true },
        VACUUM => Maintenance::Vacuum,
        _ => {
            let [dest] = values else { return Err(sql_err!("VACUUM INTO takes one destination directory")) };
            let dest = Binder::with_ctx(&Scope::default(), &QueryCtx::root(catalog)).bind(dest)?;
            let history = if var == VACUUM_INTO_COMPACT { BackupHistory::Drop } else { BackupHistory::Keep };
            Maintenance::VacuumInto { dest, history }
        }
    };
    Ok(StmtPlan::Maintenance(m))
}
