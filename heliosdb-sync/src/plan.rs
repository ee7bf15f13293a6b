//! Turning a run of changes into what PostgreSQL must do: the net effect on
//! each key ([`coalesce`]) and the multi-row statements that do it
//! ([`upsert_sql`], [`delete_sql`], [`chunks`]).
//!
//! A batch is applied in one PostgreSQL transaction, so only its net effect
//! matters: the last change to a key decides whether the key ends up with
//! a row (an upsert of the latest image) or without (a delete). That also
//! keeps one `INSERT … ON CONFLICT DO UPDATE` from touching a row twice,
//! which PostgreSQL refuses. An update that changes the primary key deletes
//! the old key and upserts the new one.

use crate::change::{Change, JsonRow, Op};
use crate::error::{Result, SyncError};
use crate::schema::{ident, qualified, TableSchema, ROWID, SOURCE_ID};
use postgres::types::Type;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

/// The net effect of a batch on one table.
#[derive(Debug, Default, PartialEq)]
pub struct TablePlan {
    /// Keys that end without a row.
    pub deletes: Vec<Vec<Json>>,
    /// Keys that end with a row, and that row.
    pub upserts: Vec<(Vec<Json>, JsonRow)>,
}

/// The net effect of `changes`, per table (tables in name order).
///
/// # Errors
/// `Data` for a change to a table not in `tables`, or without its key.
pub fn coalesce(tables: &HashMap<String, TableSchema>, changes: &[Change]) -> Result<BTreeMap<String, TablePlan>> {
    // Per table: key fingerprint → slot, slots in first-touched order.
    type Slots = (HashMap<String, usize>, Vec<(Vec<Json>, Option<JsonRow>)>);
    let mut acc: BTreeMap<String, Slots> = BTreeMap::new();
    for c in changes {
        let schema = tables
            .get(&c.table)
            .ok_or_else(|| SyncError::Data(format!("a change to table {} that the target does not know", c.table)))?;
        let (index, slots) = acc.entry(c.table.clone()).or_default();
        let mut set = |key: Vec<Json>, row: Option<JsonRow>| {
            let fp = serde_json::to_string(&key).unwrap_or_default();
            match index.get(&fp) {
                Some(&i) => slots[i].1 = row,
                None => {
                    index.insert(fp, slots.len());
                    slots.push((key, row));
                }
            }
        };
        match c.op {
            Op::Insert => set(schema.key_of(c.after.as_ref(), &c.key)?, c.after.clone()),
            Op::Update => {
                let old = schema.key_of(c.before.as_ref(), &c.key)?;
                let new = schema.key_of(c.after.as_ref(), &c.key)?;
                if old != new {
                    set(old, None);
                }
                set(new, c.after.clone());
            }
            Op::Delete => set(schema.key_of(c.before.as_ref(), &c.key)?, None),
        }
    }
    Ok(acc
        .into_iter()
        .map(|(t, (_, slots))| {
            let mut plan = TablePlan::default();
            for (key, row) in slots {
                match row {
                    Some(r) => plan.upserts.push((key, r)),
                    None => plan.deletes.push(key),
                }
            }
            (t, plan)
        })
        .collect())
}

/// Most rows one statement carries (a power of two).
pub const MAX_ROWS_PER_STATEMENT: usize = 256;

/// The largest power of two ≤ `n` (n ≥ 1).
fn floor_pow2(n: usize) -> usize {
    1 << (usize::BITS - 1 - n.leading_zeros())
}

/// Rows per statement for `params_per_row` parameters a row (PostgreSQL
/// takes at most 65,535 parameters), a power of two.
pub fn rows_per_statement(params_per_row: usize) -> usize {
    floor_pow2((65_534 / params_per_row.max(1)).clamp(1, MAX_ROWS_PER_STATEMENT))
}

/// Splits `n` rows into statement sizes that are powers of two of at most
/// `max` (so a handful of prepared statements serve any count).
pub fn chunks(mut n: usize, max: usize) -> Vec<usize> {
    let mut out = Vec::new();
    while n > 0 {
        let size = floor_pow2(n.min(max));
        out.push(size);
        n -= size;
    }
    out
}

/// `INSERT … VALUES (…), … ON CONFLICT (source_id, key) DO UPDATE SET …`
/// for `rows` rows, and its parameter types. `$1` is the source id; each
/// row then takes one parameter per other target column.
pub fn upsert_sql(pg_schema: &str, t: &TableSchema, rows: usize) -> (String, Vec<Type>) {
    let cols = t.target_columns();
    let names: Vec<String> = cols.iter().map(|(n, _)| ident(n)).collect();
    let mut types = vec![Type::TEXT];
    let mut values = Vec::with_capacity(rows);
    let mut n = 2;
    for _ in 0..rows {
        let mut v = vec!["$1".to_string()];
        for (_, ty) in &cols[1..] {
            v.push(ty.placeholder(n));
            types.push(ty.wire_type());
            n += 1;
        }
        values.push(format!("({})", v.join(", ")));
    }
    let (conflict, action) = conflict_clause(t);
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({conflict}) DO {action}",
        qualified(pg_schema, &t.name),
        names.join(", "),
        values.join(", "),
    );
    (sql, types)
}

/// From this many rows on, a table's upserts go through `COPY` into a
/// temporary staging table and one `INSERT … SELECT … ON CONFLICT`.
pub const COPY_THRESHOLD: usize = 256;

/// The statements of the `COPY` path for `t`, staging table `stage`:
/// create the staging table (temporary, emptied at commit), `COPY` into
/// it, upsert from it (`$1` is the source id), and empty it.
pub fn copy_upsert_sql(pg_schema: &str, t: &TableSchema, stage: &str) -> [String; 4] {
    let cols = t.target_columns();
    let stage_cols: Vec<String> = cols[1..]
        .iter()
        .map(|(n, ty)| format!("{} {}", ident(n), if *ty == crate::typemap::PgType::Bytea { "bytea" } else { "text" }))
        .collect();
    let names: Vec<String> = cols.iter().map(|(n, _)| ident(n)).collect();
    let mut select = vec!["$1".to_string()];
    select.extend(cols[1..].iter().map(|(n, ty)| ty.cast(&ident(n))));
    let (conflict, action) = conflict_clause(t);
    [
        format!("CREATE TEMP TABLE IF NOT EXISTS {} ({}) ON COMMIT DELETE ROWS", ident(stage), stage_cols.join(", ")),
        format!("COPY {} FROM STDIN", ident(stage)),
        format!(
            "INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({conflict}) DO {action}",
            qualified(pg_schema, &t.name),
            names.join(", "),
            select.join(", "),
            ident(stage)
        ),
        format!("TRUNCATE {}", ident(stage)),
    ]
}

/// `(source_id, key…)` and `UPDATE SET c = EXCLUDED.c, …` (or `NOTHING`).
fn conflict_clause(t: &TableSchema) -> (String, String) {
    let mut conflict = vec![ident(SOURCE_ID)];
    conflict.extend(t.key.iter().map(|k| ident(k)));
    let updates: Vec<String> = t
        .target_columns()
        .iter()
        .filter(|(c, _)| *c != SOURCE_ID && !t.key.iter().any(|k| k == c))
        .map(|(c, _)| format!("{0} = EXCLUDED.{0}", ident(c)))
        .collect();
    let action = if updates.is_empty() { "NOTHING".to_string() } else { format!("UPDATE SET {}", updates.join(", ")) };
    (conflict.join(", "), action)
}

/// `DELETE … WHERE source_id = $1 AND key IN (…)` for `rows` keys.
pub fn delete_sql(pg_schema: &str, t: &TableSchema, rows: usize) -> (String, Vec<Type>) {
    let key_types = t.key_types();
    let mut types = vec![Type::TEXT];
    let mut tuples = Vec::with_capacity(rows);
    let mut n = 2;
    for _ in 0..rows {
        let mut v = Vec::with_capacity(key_types.len());
        for ty in &key_types {
            v.push(ty.placeholder(n));
            types.push(ty.wire_type());
            n += 1;
        }
        tuples.push(if v.len() == 1 { v.remove(0) } else { format!("({})", v.join(", ")) });
    }
    let key: Vec<String> = t.key.iter().map(|k| ident(k)).collect();
    let lhs = if key.len() == 1 { key[0].clone() } else { format!("({})", key.join(", ")) };
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1 AND {lhs} IN ({})",
        qualified(pg_schema, &t.name),
        ident(SOURCE_ID),
        tuples.join(", ")
    );
    (sql, types)
}

/// The parameters of one upsert row (after the shared `$1`).
///
/// # Errors
/// `Data` for a value its column cannot take.
pub fn upsert_params(t: &TableSchema, key: &[Json], row: &JsonRow, out: &mut Vec<crate::typemap::Param>) -> Result<()> {
    for (name, ty) in &t.target_columns()[1..] {
        let v = if t.rowid && *name == ROWID {
            key.first().unwrap_or(&Json::Null)
        } else {
            row.get(*name).unwrap_or(&Json::Null)
        };
        out.push(ty.param(v).map_err(|m| SyncError::Data(format!("{}.{name}: {m}", t.name)))?);
    }
    Ok(())
}

/// The parameters of one deleted key (after the shared `$1`).
///
/// # Errors
/// `Data` for a key value its column cannot take.
pub fn delete_params(t: &TableSchema, key: &[Json], out: &mut Vec<crate::typemap::Param>) -> Result<()> {
    for ((name, ty), v) in t.key.iter().zip(t.key_types()).zip(key) {
        out.push(ty.param(v).map_err(|m| SyncError::Data(format!("{}.{name}: {m}", t.name)))?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> TableSchema {
        TableSchema::new("t", vec![("id".into(), "INTEGER".into(), 1), ("v".into(), "TEXT".into(), 0)]).unwrap()
    }

    fn change(scn: u64, op: Op, key: i64, before: Option<&str>, after: Option<&str>) -> Change {
        let obj = |s: &str| serde_json::from_str::<JsonRow>(s).unwrap();
        Change {
            scn,
            txid: scn,
            commit_time: String::new(),
            table: "t".into(),
            op,
            key: obj(&format!("{{\"id\":{key}}}")),
            before: before.map(obj),
            after: after.map(obj),
        }
    }

    #[test]
    fn the_last_change_to_a_key_wins() {
        let tables = HashMap::from([("t".to_string(), schema())]);
        let changes = vec![
            change(1, Op::Insert, 1, None, Some(r#"{"id":1,"v":"a"}"#)),
            change(1, Op::Insert, 2, None, Some(r#"{"id":2,"v":"b"}"#)),
            change(2, Op::Update, 1, Some(r#"{"id":1,"v":"a"}"#), Some(r#"{"id":1,"v":"c"}"#)),
            change(3, Op::Delete, 2, Some(r#"{"id":2,"v":"b"}"#), None),
            // the key moves: 1 → 5
            change(4, Op::Update, 1, Some(r#"{"id":1,"v":"c"}"#), Some(r#"{"id":5,"v":"c"}"#)),
            change(5, Op::Insert, 2, None, Some(r#"{"id":2,"v":"again"}"#)),
        ];
        let plan = coalesce(&tables, &changes).unwrap();
        let p = &plan["t"];
        assert_eq!(p.deletes, vec![vec![Json::from(1)]]);
        let ups: Vec<(i64, &str)> =
            p.upserts.iter().map(|(k, r)| (k[0].as_i64().unwrap(), r["v"].as_str().unwrap())).collect();
        assert_eq!(ups, vec![(2, "again"), (5, "c")]);
        let mut bad = changes[0].clone();
        bad.table = "nope".into();
        assert!(coalesce(&tables, &[bad]).is_err());
    }

    #[test]
    fn statements_and_chunks() {
        let (sql, types) = upsert_sql("public", &schema(), 2);
        assert_eq!(
            sql,
            "INSERT INTO \"public\".\"t\" (\"source_id\", \"id\", \"v\") VALUES ($1, $2::bigint, $3), \
             ($1, $4::bigint, $5) ON CONFLICT (\"source_id\", \"id\") DO UPDATE SET \"v\" = EXCLUDED.\"v\""
        );
        assert_eq!(types.len(), 5);
        let (sql, _) = delete_sql("public", &schema(), 2);
        assert_eq!(sql, "DELETE FROM \"public\".\"t\" WHERE \"source_id\" = $1 AND \"id\" IN ($2::bigint, $3::bigint)");
        assert_eq!(chunks(700, 256), vec![256, 256, 128, 32, 16, 8, 4]);
        assert_eq!(chunks(0, 256), Vec::<usize>::new());
        assert_eq!(rows_per_statement(10), 256);
        assert_eq!(rows_per_statement(1000), 64);
    }
}
