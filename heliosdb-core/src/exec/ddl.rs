//! Running CREATE/DROP TABLE and INDEX inside a write transaction.

use super::eval::EvalCtx;
use super::scan::scan;
use super::write::{index_entry, row_key_of, unique_violation};
use crate::catalog::{normalize, IndexDef, TableDef, ViewDef};
use crate::error::{sql_err, Result};
use crate::sql::plan::AlterOp;
use crate::sql::planner::select::full_scan;
use crate::storage::{keys, Ks, Reader, WriteTx};
use std::sync::Arc;

fn name_taken(tx: &WriteTx, name: &str) -> bool {
    let cat = tx.catalog();
    cat.tables.contains_key(&normalize(name)) || cat.views.contains_key(&normalize(name)) || cat.index(name).is_some()
}

/// CREATE VIEW.
///
/// # Errors
/// The name is taken (unless IF NOT EXISTS, or OR REPLACE of a view).
pub fn create_view(tx: &mut WriteTx, view: ViewDef, if_not_exists: bool, or_replace: bool) -> Result<()> {
    let key = normalize(&view.name);
    let is_view = tx.catalog().views.contains_key(&key);
    if name_taken(tx, &view.name) && !(or_replace && is_view) {
        if if_not_exists && is_view {
            return Ok(());
        }
        return Err(sql_err!("{} {} already exists", if is_view { "view" } else { "table" }, view.name));
    }
    let cat = tx.catalog_mut();
    cat.views.insert(key, Arc::new(view));
    cat.version = crate::catalog::next_version();
    Ok(())
}

/// DROP VIEW.
///
/// # Errors
/// No such view (unless IF EXISTS).
pub fn drop_view(tx: &mut WriteTx, names: &[String], if_exists: bool) -> Result<()> {
    for name in names {
        if !tx.catalog().views.contains_key(&normalize(name)) {
            if if_exists {
                continue;
            }
            return Err(sql_err!("no such view: {name}"));
        }
        let cat = tx.catalog_mut();
        cat.views.remove(&normalize(name));
        cat.version = crate::catalog::next_version();
        tx.note_dropped_view(name);
    }
    Ok(())
}

/// CREATE TABLE.
///
/// # Errors
/// The name is taken (unless IF NOT EXISTS).
pub fn create_table(
    tx: &mut WriteTx,
    mut table: TableDef,
    if_not_exists: bool,
    time_travel: Option<bool>,
) -> Result<()> {
    if name_taken(tx, &table.name) {
        if if_not_exists && tx.catalog().tables.contains_key(&normalize(&table.name)) {
            return Ok(());
        }
        return Err(sql_err!("table {} already exists", table.name));
    }
    table.time_travel = time_travel.unwrap_or(tx.engine().config().storage.time_travel_enabled);
    table.created_scn = tx.scn();
    let cat = tx.catalog_mut();
    table.id = cat.allocate_id();
    for ix in &mut table.indexes {
        ix.id = cat.allocate_id();
    }
    cat.tables.insert(normalize(&table.name), Arc::new(table));
    cat.version = crate::catalog::next_version();
    Ok(())
}

fn delete_prefix(tx: &mut WriteTx, ks: Ks, id: u32) -> Result<()> {
    let (lo, hi) = keys::prefix_bounds(&keys::object_prefix(id));
    let doomed: Vec<Vec<u8>> = tx.scan(ks, lo, hi).map(|kv| kv.map(|(k, _)| k.to_vec())).collect::<Result<_>>()?;
    for k in doomed {
        tx.delete(ks, k)?;
    }
    Ok(())
}

/// DROP TABLE.
///
/// # Errors
/// No such table (unless IF EXISTS).
pub fn drop_table(tx: &mut WriteTx, names: &[String], if_exists: bool) -> Result<()> {
    for name in names {
        let Some(table) = tx.catalog().tables.get(&normalize(name)).cloned() else {
            if if_exists {
                continue;
            }
            return Err(sql_err!("no such table: {name}"));
        };
        if table.mv.is_some() {
            return Err(sql_err!("{name} is a materialized view: use DROP MATERIALIZED VIEW"));
        }
        super::constraints::check_droppable(tx, &table)?;
        if let Some(v) =
            tx.catalog().tables.values().find(|t| t.mv.as_ref().is_some_and(|d| d.base_tables.contains(&table.id)))
        {
            return Err(sql_err!("cannot drop table {name}: materialized view {} reads it", v.name));
        }
        if let Some(f) = tx.catalog().feeds.values().find(|f| f.tables.contains(&table.id)) {
            return Err(sql_err!(
                "cannot drop table {name}: change feed {} follows it (DROP CHANGEFEED first)",
                f.name
            ));
        }
        drop_relation(tx, &table)?;
    }
    Ok(())
}

/// Removes a table (or a materialized view's table) with its rows, history,
/// change log and indexes.
///
/// # Errors
/// Storage errors.
pub fn drop_relation(tx: &mut WriteTx, table: &TableDef) -> Result<()> {
    delete_prefix(tx, Ks::Rows, table.id)?;
    // Its history goes with it: a dropped table cannot be read AS OF.
    delete_prefix(tx, Ks::Versions, table.id)?;
    delete_prefix(tx, Ks::Changes, table.id)?;
    for ix in &table.indexes {
        delete_prefix(tx, Ks::Index, ix.id)?;
    }
    let cat = tx.catalog_mut();
    cat.tables.remove(&normalize(&table.name));
    cat.version = crate::catalog::next_version();
    tx.note_dropped_table(table.id);
    Ok(())
}

/// CREATE INDEX: builds the entries of every existing row.
///
/// # Errors
/// Name taken, or existing rows violate a UNIQUE index.
pub fn create_index(tx: &mut WriteTx, table_name: &str, mut index: IndexDef, if_not_exists: bool) -> Result<()> {
    if name_taken(tx, &index.name) {
        if if_not_exists && tx.catalog().index(&index.name).is_some() {
            return Ok(());
        }
        return Err(sql_err!("index {} already exists", index.name));
    }
    let table = Arc::clone(tx.catalog().table(table_name)?);
    index.id = tx.catalog_mut().allocate_id();
    let mut def = (*table).clone();
    def.indexes.push(index);
    build_index(tx, &def, def.indexes.len() - 1)?;
    let cat = tx.catalog_mut();
    cat.tables.insert(normalize(&def.name), Arc::new(def));
    cat.version = crate::catalog::next_version();
    Ok(())
}

/// Writes the entries of index `pos` of `def` for every row of the table.
fn build_index(tx: &mut WriteTx, def: &TableDef, pos: usize) -> Result<()> {
    let rows: Vec<Vec<crate::types::Value>> = {
        let clock = super::clock::StmtClock::at(0);
        let ctx = EvalCtx::new(&[], &clock, None);
        scan(&*tx, &full_scan(&Arc::new(def.clone())), &ctx)?.collect::<Result<_>>()?
    };
    let ix = &def.indexes[pos];
    for row in rows {
        let key = row_key_of(def, &row);
        let (ik, unique_form) = index_entry(ix, &row, &key);
        crate::storage::keys::check_key_len(&ik, &def.name, &format!("the entry in index {}", ix.name))?;
        if unique_form && tx.get(Ks::Index, &ik)?.is_some() {
            return Err(unique_violation(def, pos));
        }
        tx.put(Ks::Index, ik, key)?;
    }
    Ok(())
}

/// `REINDEX [name]`: rebuilds every index, the indexes of table `name`, or
/// index `name`, from the table rows.
///
/// # Errors
/// No table or index has that name.
pub fn reindex(tx: &mut WriteTx, name: Option<&str>) -> Result<()> {
    let targets: Vec<(Arc<TableDef>, usize)> = {
        let cat = tx.catalog();
        let all = |t: &Arc<TableDef>| (0..t.indexes.len()).map(|i| (Arc::clone(t), i)).collect::<Vec<_>>();
        match name {
            None => cat.tables.values().flat_map(all).collect(),
            Some(n) => match (cat.tables.get(&normalize(n)), cat.index(n)) {
                (Some(t), _) => all(t),
                (None, Some((t, ix))) => {
                    vec![(Arc::clone(t), t.indexes.iter().position(|i| i.id == ix.id).unwrap_or(0))]
                }
                (None, None) => return Err(sql_err!("no such table or index: {n}")),
            },
        }
    };
    for (table, pos) in targets {
        delete_prefix(tx, Ks::Index, table.indexes[pos].id)?;
        build_index(tx, &table, pos)?;
    }
    Ok(())
}

/// CREATE TRIGGER: trigger names are unique in the database.
///
/// # Errors
/// The name is taken; the table is gone.
pub fn create_trigger(tx: &mut WriteTx, table: &str, trigger: crate::catalog::TriggerDef) -> Result<()> {
    if find_trigger(tx, &trigger.name).is_some() {
        return Err(sql_err!("trigger {} already exists", trigger.name));
    }
    let mut def = (**tx.catalog().table(table)?).clone();
    def.triggers.push(trigger);
    let cat = tx.catalog_mut();
    cat.tables.insert(normalize(&def.name), Arc::new(def));
    cat.version = crate::catalog::next_version();
    Ok(())
}

fn find_trigger(tx: &WriteTx, name: &str) -> Option<Arc<TableDef>> {
    tx.catalog().tables.values().find(|t| t.triggers.iter().any(|tr| tr.name.eq_ignore_ascii_case(name))).cloned()
}

/// DROP TRIGGER.
///
/// # Errors
/// No such trigger (unless IF EXISTS).
pub fn drop_trigger(tx: &mut WriteTx, name: &str, if_exists: bool) -> Result<()> {
    let Some(table) = find_trigger(tx, name) else {
        return if if_exists { Ok(()) } else { Err(sql_err!("no such trigger: {name}")) };
    };
    let mut def = (*table).clone();
    def.triggers.retain(|t| !t.name.eq_ignore_ascii_case(name));
    let cat = tx.catalog_mut();
    cat.tables.insert(normalize(&def.name), Arc::new(def));
    cat.version = crate::catalog::next_version();
    Ok(())
}

/// DROP INDEX.
///
/// # Errors
/// No such index (unless IF EXISTS); constraint indexes cannot be dropped.
pub fn drop_index(tx: &mut WriteTx, names: &[String], if_exists: bool) -> Result<()> {
    for name in names {
        let Some((table, ix)) = tx.catalog().index(name).map(|(t, i)| (Arc::clone(t), i.clone())) else {
            if if_exists {
                continue;
            }
            return Err(sql_err!("no such index: {name}"));
        };
        if ix.sql.is_none() {
            return Err(sql_err!("index {name} belongs to a UNIQUE or PRIMARY KEY constraint and cannot be dropped"));
        }
        delete_prefix(tx, Ks::Index, ix.id)?;
        let mut def = (*table).clone();
        def.indexes.retain(|i| i.id != ix.id);
        let cat = tx.catalog_mut();
        cat.tables.insert(normalize(&def.name), Arc::new(def));
        cat.version = crate::catalog::next_version();
    }
    Ok(())
}

/// ALTER TABLE.
///
/// # Errors
/// Name clashes, unknown columns, a NOT NULL column without a default.
pub fn alter_table(tx: &mut WriteTx, table: &str, op: &AlterOp, clock: &super::clock::StmtClock) -> Result<()> {
    let Some(current) = tx.catalog().tables.get(&normalize(table)).cloned() else {
        return match op {
            AlterOp::Nothing => Ok(()),
            _ => Err(sql_err!("no such table: {table}")),
        };
    };
    let mut def = (*current).clone();
    match op {
        AlterOp::Nothing => return Ok(()),
        AlterOp::AddColumn { column, if_not_exists } => {
            if def.column_index(&column.name).is_some() {
                if *if_not_exists {
                    return Ok(());
                }
                return Err(sql_err!("duplicate column name: {}", column.name));
            }
            let value = match &column.default {
                Some(text) => {
                    let expr = crate::sql::planner::dml::bind_default(text)?;
                    if !expr.is_constant() {
                        return Err(sql_err!("cannot add a column with a non-constant default"));
                    }
                    let v = super::eval::eval(&expr, &[], &EvalCtx::new(&[], clock, None))?;
                    match super::datetime::storage::stored_at(column.ty, &v, || clock.now_us()) {
                        Some(now) => now,
                        None => crate::types::cast::coerce_to_column(v, column.ty, &def.name, &column.name)?,
                    }
                }
                None => crate::types::Value::Null,
            };
            if column.not_null && value.is_null() {
                return Err(sql_err!("cannot add a NOT NULL column with default value NULL"));
            }
            def.columns.push(column.clone());
            // Row images written before now have the old shape: `AS OF` a
            // point before this commit is refused rather than misread.
            def.altered_scn = Some(tx.scn());
            // Rows written before the column existed read it as NULL; give
            // them the default instead by rewriting them.
            if !value.is_null() {
                let rows: Vec<Vec<crate::types::Value>> = {
                    let ctx = EvalCtx::new(&[], clock, None);
                    scan(&*tx, &full_scan(&current), &ctx)?.collect::<Result<_>>()?
                };
                for mut row in rows {
                    let key = row_key_of(&current, &row);
                    let rowid = if def.has_rowid() { row.pop() } else { None };
                    row.push(value.clone());
                    row.extend(rowid);
                    super::write::put_row(tx, &def, key, &row)?;
                }
            }
        }
        AlterOp::RenameColumn { old, new } => {
            let i = def.column_index(old).ok_or_else(|| sql_err!("no such column: {old}"))?;
            if def.column_index(new).is_some() {
                return Err(sql_err!("duplicate column name: {new}"));
            }
            def.columns[i].name = new.clone();
        }
        AlterOp::RenameTable(new) => {
            if name_taken(tx, new) {
                return Err(sql_err!("there is already another table, view or index named {new}"));
            }
            def.name = new.clone();
        }
    }
    // Foreign keys that name this table or its renamed column follow the
    // rename, as in SQLite (its own self-references included).
    let renamed_column = match op {
        AlterOp::RenameColumn { old, new } => Some((old.as_str(), new.as_str())),
        _ => None,
    };
    let new_name = def.name.clone();
    follow_rename(&mut def, table, &new_name, renamed_column);
    def.sql = def.canonical_sql();
    let cat = tx.catalog_mut();
    cat.tables.remove(&normalize(table));
    let children: Vec<Arc<TableDef>> = cat
        .tables
        .values()
        .filter(|t| t.foreign_keys.iter().any(|fk| fk.parent.eq_ignore_ascii_case(table)))
        .cloned()
        .collect();
    for child in children {
        let mut c = (*child).clone();
        follow_rename(&mut c, table, &def.name, renamed_column);
        c.sql = c.canonical_sql();
        cat.tables.insert(normalize(&c.name), Arc::new(c));
    }
    cat.tables.insert(normalize(&def.name), std::sync::Arc::new(def));
    cat.version = crate::catalog::next_version();
    Ok(())
}

/// Points `t`'s foreign keys on table `old_table` at `new_table`, and at the
/// new name of a renamed parent column.
fn follow_rename(t: &mut TableDef, old_table: &str, new_table: &str, column: Option<(&str, &str)>) {
    for fk in t.foreign_keys.iter_mut().filter(|fk| fk.parent.eq_ignore_ascii_case(old_table)) {
        fk.parent = new_table.to_string();
        if let Some((old, new)) = column {
            for c in fk.parent_columns.iter_mut().filter(|c| c.eq_ignore_ascii_case(old)) {
                *c = new.to_string();
            }
        }
    }
}
