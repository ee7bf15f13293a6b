//! [`PgTarget`]: the PostgreSQL side. It creates the target tables and the
//! watermark table, and applies a batch of changes together with the new
//! watermark in one transaction, so PostgreSQL holds a batch's rows if and
//! only if it holds the watermark that says so.
//!
//! The watermark table, in the target schema:
//!
//! ```sql
//! heliosdb_sync_watermark (source_id text, feed text, last_scn bigint,
//!                          last_commit_time text, updated_at timestamptz,
//!                          PRIMARY KEY (source_id, feed))
//! ```
//!
//! Each batch first locks its watermark row and checks it still holds the
//! SCN the shipper resumed from; another shipper for the same source and
//! feed therefore cannot interleave with this one (its batch is refused
//! with [`SyncError::Conflict`] and it resumes from the new watermark).

use crate::change::Change;
use crate::error::{Result, SyncError};
use crate::plan::{
    chunks, coalesce, copy_upsert_sql, delete_params, delete_sql, rows_per_statement, upsert_params, upsert_sql,
    COPY_THRESHOLD,
};
use crate::schema::{ident, qualified, TableSchema};
use crate::sink::SnapshotPages;
use crate::typemap::Param;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Statement, Transaction};
use std::collections::HashMap;
use std::io::Write as _;
use std::time::Duration;

/// The watermark table's name.
pub const WATERMARK_TABLE: &str = "heliosdb_sync_watermark";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Upsert,
    Delete,
}

/// What one applied batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyStats {
    /// Rows inserted or updated (after coalescing).
    pub upserts: u64,
    /// Keys deleted (after coalescing).
    pub deletes: u64,
}

/// A connection to PostgreSQL that ships one source's feed.
pub struct PgTarget {
    client: Client,
    source_id: String,
    feed: String,
    schema: String,
    tables: HashMap<String, TableSchema>,
    statements: HashMap<(String, Kind, usize), Statement>,
    /// Temporary staging table per target table (the `COPY` path).
    stages: HashMap<String, String>,
}

impl PgTarget {
    /// Connects and creates the target schema and the watermark table if needed.
    ///
    /// # Errors
    /// `Config` for a bad connection string; `Postgres` when the server
    /// cannot be reached or refuses (transient when it is unreachable).
    pub fn connect(conninfo: &str, source_id: &str, feed: &str, schema: &str) -> Result<PgTarget> {
        let mut config: postgres::Config =
            conninfo.parse().map_err(|e| SyncError::Config(format!("bad PostgreSQL connection string: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("heliosdb-sync");
        }
        config.keepalives(true).keepalives_idle(Duration::from_secs(30));
        let client = config.connect(NoTls)?;
        let mut target = PgTarget {
            client,
            source_id: source_id.to_string(),
            feed: feed.to_string(),
            schema: schema.to_string(),
            tables: HashMap::new(),
            statements: HashMap::new(),
            stages: HashMap::new(),
        };
        let wm = qualified(schema, WATERMARK_TABLE);
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {wm} (source_id text NOT NULL, feed text NOT NULL, last_scn bigint NOT NULL, \
             last_commit_time text, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source_id, feed))"
        );
        target.ddl(&[create])?;
        Ok(target)
    }

    /// Runs DDL under a transaction-scoped advisory lock, so shippers of
    /// several devices starting together do not race on `CREATE TABLE`.
    fn ddl(&mut self, statements: &[String]) -> Result<()> {
        self.ddl_with(|_, _| Ok(statements.to_vec()))
    }

    /// [`PgTarget::ddl`] with statements chosen under the lock (by looking at the catalog).
    fn ddl_with(&mut self, make: impl FnOnce(&mut Transaction<'_>, &str) -> Result<Vec<String>>) -> Result<()> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock(hashtext('heliosdb-sync ddl'))", &[])?;
        let exists = tx.query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&self.schema])?.is_some();
        if !exists {
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", ident(&self.schema)))?;
        }
        for s in make(&mut tx, &self.schema)? {
            tx.batch_execute(&s)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Creates the target table of `table` if needed, renames the columns
    /// renamed in the source, and adds any source column it lacks;
    /// remembers the schema for [`PgTarget::apply`].
    ///
    /// # Errors
    /// `Data` when the table is named like the watermark table; `Postgres` on failure.
    pub fn ensure_table(&mut self, table: &TableSchema) -> Result<()> {
        if table.name == WATERMARK_TABLE {
            return Err(SyncError::Data(format!("a source table may not be named {WATERMARK_TABLE}")));
        }
        self.ddl_with(|tx, schema| {
            let mut statements = renamed_columns(tx, schema, table)?;
            statements.push(table.create_sql(schema));
            statements.push(table.add_columns_sql(schema));
            Ok(statements)
        })?;
        self.statements.retain(|(t, _, _), _| t != &table.name);
        if let Some(stage) = self.stages.get(&table.name) {
            // Its columns may have changed: made again on next use.
            self.client.batch_execute(&format!("DROP TABLE IF EXISTS pg_temp.{}", ident(stage)))?;
        }
        self.tables.insert(table.name.clone(), table.clone());
        Ok(())
    }

    /// The schema this target knows for `table`, if any.
    pub fn table(&self, table: &str) -> Option<&TableSchema> {
        self.tables.get(table)
    }

    /// The last SCN shipped for this source and feed, `None` before the first batch.
    ///
    /// # Errors
    /// `Postgres` on failure.
    pub fn watermark(&mut self) -> Result<Option<u64>> {
        let sql = format!(
            "SELECT last_scn FROM {} WHERE source_id = $1 AND feed = $2",
            qualified(&self.schema, WATERMARK_TABLE)
        );
        let row = self.client.query_opt(&sql, &[&self.source_id, &self.feed])?;
        Ok(row.map(|r| r.get::<_, i64>(0) as u64))
    }

    /// Applies `changes` (their net effect) and moves the watermark from
    /// `expected` to `new_scn`, all in one PostgreSQL transaction.
    ///
    /// # Errors
    /// `Conflict` when the watermark is not `expected` (nothing applied);
    /// `Data` for a change the target cannot take; `Postgres` on failure
    /// (nothing applied).
    pub fn apply(
        &mut self,
        changes: &[Change],
        expected: Option<u64>,
        new_scn: u64,
        commit_time: &str,
    ) -> Result<ApplyStats> {
        self.batch(expected, new_scn, commit_time, |b| b.apply(changes))
    }

    /// Replaces every row of this source in every known table by the rows
    /// `rows` hands over, page by page, to the callback it is given (inserts,
    /// as from a snapshot), and sets the watermark to `scn`, all in one
    /// transaction: the first sync of a source, or a resync after its
    /// watermark was lost. Only one page is held at a time.
    ///
    /// # Errors
    /// As [`PgTarget::apply`], and any error of `rows` (nothing applied).
    pub fn replace_all(&mut self, expected: Option<u64>, scn: u64, rows: &mut SnapshotPages<'_>) -> Result<ApplyStats> {
        self.batch(expected, scn, "", |b| {
            b.clear()?;
            rows(&mut |page: &[Change]| b.apply(page))
        })
    }

    /// One PostgreSQL transaction: lock and check the watermark, run `body`,
    /// move the watermark to `new_scn`, commit. Any error rolls it all back.
    fn batch(
        &mut self,
        expected: Option<u64>,
        new_scn: u64,
        commit_time: &str,
        body: impl FnOnce(&mut Batch<'_, '_>) -> Result<()>,
    ) -> Result<ApplyStats> {
        let PgTarget { client, source_id, feed, schema, tables, statements, stages } = self;
        let mut tx = client.transaction()?;
        check_watermark(&mut tx, schema, source_id, feed, expected)?;
        let mut b = Batch { tx, statements, stages, schema, tables, source_id, stats: ApplyStats::default() };
        body(&mut b)?;
        let Batch { mut tx, stats, .. } = b;
        move_watermark(&mut tx, schema, source_id, feed, expected, new_scn, commit_time)?;
        tx.commit()?;
        Ok(stats)
    }
}

/// A PostgreSQL transaction shipping one batch, with what applying needs.
struct Batch<'t, 'c> {
    tx: Transaction<'c>,
    statements: &'t mut HashMap<(String, Kind, usize), Statement>,
    stages: &'t mut HashMap<String, String>,
    schema: &'t str,
    tables: &'t HashMap<String, TableSchema>,
    source_id: &'t str,
    stats: ApplyStats,
}

impl Batch<'_, '_> {
    /// Applies the net effect of `changes`.
    fn apply(&mut self, changes: &[Change]) -> Result<()> {
        let plans = coalesce(self.tables, changes)?;
        let Batch { tx, statements, stages, schema, tables, source_id, stats } = self;
        apply_plans(tx, statements, stages, schema, tables, source_id, &plans, stats)
    }

    /// Deletes every row of this source from every known table.
    fn clear(&mut self) -> Result<()> {
        let mut names: Vec<&String> = self.tables.keys().collect();
        names.sort();
        for name in names {
            let sql =
                format!("DELETE FROM {} WHERE {} = $1", qualified(self.schema, name), ident(crate::schema::SOURCE_ID));
            self.stats.deletes += self.tx.execute(&sql, &[&self.source_id])?;
        }
        Ok(())
    }
}

/// Locks the watermark row and checks it still holds `expected`.
fn check_watermark(
    tx: &mut Transaction<'_>,
    schema: &str,
    source_id: &str,
    feed: &str,
    expected: Option<u64>,
) -> Result<()> {
    let wm = qualified(schema, WATERMARK_TABLE);
    let current = tx
        .query_opt(
            &format!("SELECT last_scn FROM {wm} WHERE source_id = $1 AND feed = $2 FOR UPDATE"),
            &[&source_id, &feed],
        )?
        .map(|r| r.get::<_, i64>(0) as u64);
    if current != expected {
        return Err(SyncError::Conflict(format!(
            "watermark of {source_id}/{feed} is {current:?} in PostgreSQL, expected {expected:?}"
        )));
    }
    Ok(())
}

/// Moves the watermark from `expected` to `new_scn`.
fn move_watermark(
    tx: &mut Transaction<'_>,
    schema: &str,
    source_id: &str,
    feed: &str,
    expected: Option<u64>,
    new_scn: u64,
    commit_time: &str,
) -> Result<()> {
    let wm = qualified(schema, WATERMARK_TABLE);
    let scn = i64::try_from(new_scn).map_err(|_| SyncError::Data(format!("scn {new_scn} is too large")))?;
    let moved = match expected {
        None => tx.execute(
            &format!(
                "INSERT INTO {wm} (source_id, feed, last_scn, last_commit_time) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (source_id, feed) DO NOTHING"
            ),
            &[&source_id, &feed, &scn, &commit_time],
        )?,
        Some(prev) => tx.execute(
            &format!(
                "UPDATE {wm} SET last_scn = $3, last_commit_time = $4, updated_at = now() \
                 WHERE source_id = $1 AND feed = $2 AND last_scn = $5"
            ),
            &[&source_id, &feed, &scn, &commit_time, &(prev as i64)],
        )?,
    };
    if moved != 1 {
        return Err(SyncError::Conflict(format!("watermark of {source_id}/{feed} moved during the batch")));
    }
    Ok(())
}

/// Applies each table's net upserts and deletes.
#[allow(clippy::too_many_arguments)]
fn apply_plans(
    tx: &mut Transaction<'_>,
    statements: &mut HashMap<(String, Kind, usize), Statement>,
    stages: &mut HashMap<String, String>,
    schema: &str,
    tables: &HashMap<String, TableSchema>,
    source_id: &str,
    plans: &std::collections::BTreeMap<String, crate::plan::TablePlan>,
    stats: &mut ApplyStats,
) -> Result<()> {
    for (name, plan) in plans {
        let t = &tables[name];
        let per_row = t.key.len();
        let mut done = 0;
        for size in chunks(plan.deletes.len(), rows_per_statement(per_row)) {
            let mut params = vec![Param::Text(source_id.to_string())];
            for key in &plan.deletes[done..done + size] {
                delete_params(t, key, &mut params)?;
            }
            let st = statement(tx, statements, schema, t, Kind::Delete, size)?;
            stats.deletes += tx.execute(&st, &refs(&params))?;
            done += size;
        }
        if plan.upserts.len() >= COPY_THRESHOLD {
            let stage = stages.len();
            let stage = stages.entry(name.clone()).or_insert_with(|| format!("heliosdb_sync_stage_{stage}"));
            stats.upserts += copy_upserts(tx, schema, t, stage, source_id, &plan.upserts)?;
            continue;
        }
        let per_row = t.target_columns().len() - 1;
        let mut done = 0;
        for size in chunks(plan.upserts.len(), rows_per_statement(per_row)) {
            let mut params = Vec::with_capacity(1 + size * per_row);
            params.push(Param::Text(source_id.to_string()));
            for (key, row) in &plan.upserts[done..done + size] {
                upsert_params(t, key, row, &mut params)?;
            }
            let st = statement(tx, statements, schema, t, Kind::Upsert, size)?;
            stats.upserts += tx.execute(&st, &refs(&params))?;
            done += size;
        }
    }
    Ok(())
}

/// `ALTER TABLE … RENAME COLUMN` for each column renamed in the source since
/// the target table was made. HeliosDB can add and rename columns but not
/// drop them, and a rename keeps the column's place, so a target column
/// whose name the source no longer has, at the place of a source column
/// the target does not have, is that column renamed.
fn renamed_columns(tx: &mut Transaction<'_>, schema: &str, table: &TableSchema) -> Result<Vec<String>> {
    let existing: Vec<String> = tx
        .query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 \
             ORDER BY ordinal_position",
            &[&schema, &table.name],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let wanted: Vec<&str> = table.target_columns().iter().map(|(n, _)| *n).collect();
    Ok(existing
        .iter()
        .zip(&wanted)
        .filter(|(old, new)| old != new && !wanted.contains(&old.as_str()) && !existing.iter().any(|e| e == *new))
        .map(|(old, new)| {
            format!("ALTER TABLE {} RENAME COLUMN {} TO {}", qualified(schema, &table.name), ident(old), ident(new))
        })
        .collect())
}

/// Upserts through `COPY` into a temporary staging table, then one
/// `INSERT … SELECT … ON CONFLICT`: the fast path for big batches.
fn copy_upserts(
    tx: &mut Transaction<'_>,
    schema: &str,
    t: &TableSchema,
    stage: &str,
    source_id: &str,
    rows: &[(Vec<serde_json::Value>, crate::change::JsonRow)],
) -> Result<u64> {
    let [create, copy, insert, truncate] = copy_upsert_sql(schema, t, stage);
    tx.batch_execute(&create)?;
    let mut buf = Vec::with_capacity(rows.len() * 64);
    let mut params = Vec::new();
    for (key, row) in rows {
        params.clear();
        upsert_params(t, key, row, &mut params)?;
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                buf.push(b'\t');
            }
            p.write_copy_field(&mut buf);
        }
        buf.push(b'\n');
    }
    let mut writer = tx.copy_in(&copy)?;
    writer.write_all(&buf).map_err(|e| SyncError::Data(format!("COPY into {stage}: {e}")))?;
    writer.finish()?;
    let n = tx.execute(&insert, &[&source_id])?;
    // Emptied at commit anyway; emptied now for the next table of the batch.
    tx.batch_execute(&truncate)?;
    Ok(n)
}

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// The prepared statement for `size` rows of `kind` on `t`, prepared once per connection.
fn statement(
    tx: &mut Transaction<'_>,
    cache: &mut HashMap<(String, Kind, usize), Statement>,
    schema: &str,
    t: &TableSchema,
    kind: Kind,
    size: usize,
) -> Result<Statement> {
    let key = (t.name.clone(), kind, size);
    if let Some(st) = cache.get(&key) {
        return Ok(st.clone());
    }
    let (sql, types): (String, Vec<Type>) = match kind {
        Kind::Upsert => upsert_sql(schema, t, size),
        Kind::Delete => delete_sql(schema, t, size),
    };
    let st = tx.prepare_typed(&sql, &types)?;
    cache.insert(key, st.clone());
    Ok(st)
}
