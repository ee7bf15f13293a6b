//! Running the maintenance statements (CHECKPOINT, `PRAGMA wal_checkpoint`,
//! VACUUM, VACUUM INTO) against the engine, outside any write transaction.

use super::session::Outcome;
use crate::error::{Error, Result};
use crate::exec::eval::{eval, EvalCtx};
use crate::sql::plan::Maintenance;
use crate::storage::Engine;
use crate::types::Value;
use std::sync::Arc;

/// What a maintenance statement answers, and the notice it leaves.
pub(crate) struct Done {
    pub outcome: Outcome,
    pub notice: Option<String>,
}

/// Runs `m`. `in_transaction`: an explicit transaction is open on this
/// connection (VACUUM refuses to run then, as in SQLite).
///
/// # Errors
/// VACUUM inside a transaction; a destination that is not text or already
/// exists; I/O errors.
pub(crate) fn run(
    engine: &Arc<Engine>,
    m: &Maintenance,
    params: &[Value],
    clock: &crate::exec::clock::StmtClock,
    in_transaction: bool,
) -> Result<Done> {
    if in_transaction && !matches!(m, Maintenance::Checkpoint { .. }) {
        return Err(Error::Sql("cannot VACUUM from within a transaction".into()));
    }
    let done = |outcome| Ok(Done { outcome, notice: None });
    match m {
        Maintenance::Checkpoint { report } => {
            engine.checkpoint()?;
            if !*report {
                return done(Outcome::default());
            }
            // SQLite's row: not busy, and no journal left to move.
            let columns = ["busy", "log", "checkpointed"].map(String::from).to_vec();
            done(Outcome {
                columns,
                rows: crate::exec::spill::SpooledRows::from_vec(vec![vec![Value::Integer(0); 3]]),
                changes: 0,
            })
        }
        Maintenance::Vacuum => {
            engine.vacuum()?;
            done(Outcome::default())
        }
        Maintenance::VacuumInto { dest, history } => {
            let path = match eval(dest, &[], &EvalCtx::new(params, clock, None))? {
                Value::Text(p) if !p.is_empty() => p,
                other => {
                    return Err(Error::Sql(format!(
                        "VACUUM INTO needs a directory name as text, not {}",
                        other.type_name()
                    )))
                }
            };
            let scn = engine.backup(std::path::Path::new(&path), *history)?;
            Ok(Done { outcome: Outcome::default(), notice: Some(format!("backed up SCN {scn} into {path}")) })
        }
    }
}
