//! The catalog as rows: `sqlite_schema`, the introspection pragmas
//! (`table_info`, `index_list`, `index_info`, `foreign_key_list`,
//! `table_list`, `database_list`) and `information_schema`'s `tables`,
//! `columns`, `views` and `key_column_usage`, with the columns SQLite and
//! PostgreSQL give them, so tools that introspect through SQL (JDBC
//! `DatabaseMetaData`, DBeaver, pandas, ORMs) find what they expect.
//!
//! A pragma naming an object that does not exist returns no rows, as in SQLite.

use crate::catalog::{Catalog, FkAction, TableDef};
use crate::error::{sql_err, Result};
use crate::sql::table_functions::SystemTable;
use crate::types::Value;

/// The catalog name `information_schema` reports.
const CATALOG: &str = "heliosdb";
/// The one schema (SQLite's `main`).
const SCHEMA: &str = "main";

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn int(i: usize) -> Value {
    Value::Integer(i64::try_from(i).unwrap_or(i64::MAX))
}

fn opt_text(s: Option<&String>) -> Value {
    s.map_or(Value::Null, |s| Value::Text(s.clone()))
}

/// The object name a pragma is called with.
fn name_arg(table: SystemTable, args: &[Value]) -> Result<Option<String>> {
    match args.first() {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Text(s)) => Ok(Some(s.clone())),
        Some(other) => Err(sql_err!("{}() takes a name, not {}", table.name(), other.type_name())),
    }
}

/// A table (or materialized view) by name, if the pragma's argument names one.
fn find_table<'c>(catalog: &'c Catalog, name: Option<&str>) -> Option<&'c TableDef> {
    catalog.table(name?).ok().map(AsRef::as_ref)
}

/// The columns a table shows (`*` skips a materialized view's hidden state).
fn visible_columns(t: &TableDef) -> impl Iterator<Item = (usize, &crate::catalog::ColumnDef)> {
    t.columns.iter().filter(|c| !c.hidden).enumerate()
}

/// A view's columns as (name, declared type), or none when it no longer plans.
fn view_columns(catalog: &Catalog, name: &str) -> Option<Vec<(String, Option<String>)>> {
    let view = catalog.views.get(&crate::catalog::normalize(name))?;
    let qp = crate::sql::planner::select::plan_view(view, catalog).ok()?;
    let names = if view.columns.is_empty() { qp.columns } else { view.columns.clone() };
    Some(names.into_iter().zip(qp.decltypes.into_iter().chain(std::iter::repeat(None))).collect())
}

/// The rows of a catalog table for `args`.
///
/// # Errors
/// An argument that is not a name.
pub fn rows(catalog: &Catalog, table: SystemTable, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let arg = name_arg(table, args)?;
    Ok(match table {
        SystemTable::Schema => schema(catalog),
        SystemTable::TableInfo => table_info(catalog, arg.as_deref()),
        SystemTable::IndexList => index_list(catalog, arg.as_deref()),
        SystemTable::IndexInfo => index_info(catalog, arg.as_deref()),
        SystemTable::ForeignKeyList => foreign_keys(catalog, arg.as_deref()),
        SystemTable::TableList => table_list(catalog, arg.as_deref()),
        SystemTable::DatabaseList => vec![vec![Value::Integer(0), text(SCHEMA), text("")]],
        SystemTable::InfoTables => info_tables(catalog),
        SystemTable::InfoColumns => info_columns(catalog),
        SystemTable::InfoViews => {
            catalog.views.values().map(|v| vec![text(CATALOG), text(SCHEMA), text(&v.name), text(&v.query)]).collect()
        }
        SystemTable::InfoKeyColumnUsage => key_column_usage(catalog),
        other => return Err(sql_err!("{} is not a catalog table", other.name())),
    })
}

fn schema(catalog: &Catalog) -> Vec<Vec<Value>> {
    catalog
        .schema_objects()
        .into_iter()
        .map(|o| {
            let rootpage = match o.kind.as_str() {
                "table" => catalog.table(&o.name).map_or(0, |t| t.id as usize),
                "index" => catalog.index(&o.name).map_or(0, |(_, ix)| ix.id as usize),
                _ => 0,
            };
            vec![text(&o.kind), text(&o.name), text(&o.table), int(rootpage), opt_text(o.sql.as_ref())]
        })
        .collect()
}

fn table_info(catalog: &Catalog, name: Option<&str>) -> Vec<Vec<Value>> {
    if let Some(t) = find_table(catalog, name) {
        return visible_columns(t)
            .map(|(cid, c)| {
                let at = t.column_index(&c.name).unwrap_or(cid);
                let pk = t.primary_key.iter().position(|p| *p == at).map_or(0, |p| p + 1);
                vec![
                    int(cid),
                    text(&c.name),
                    text(&c.decltype()),
                    // As SQLite: NOT NULL as declared; a primary key's implied one is not shown.
                    int(usize::from(c.not_null && pk == 0)),
                    opt_text(c.default.as_ref()),
                    int(pk),
                ]
            })
            .collect();
    }
    let columns = name.and_then(|n| view_columns(catalog, n)).unwrap_or_default();
    columns
        .into_iter()
        .enumerate()
        .map(|(cid, (n, ty))| {
            vec![int(cid), Value::Text(n), text(ty.as_deref().unwrap_or("")), int(0), Value::Null, int(0)]
        })
        .collect()
}

fn index_list(catalog: &Catalog, name: Option<&str>) -> Vec<Vec<Value>> {
    let Some(t) = find_table(catalog, name) else { return Vec::new() };
    t.indexes
        .iter()
        .enumerate()
        .map(|(seq, ix)| {
            let origin = if ix.sql.is_some() { "c" } else { "u" };
            vec![int(seq), text(&ix.name), int(usize::from(ix.unique)), text(origin), int(0)]
        })
        .collect()
}

fn index_info(catalog: &Catalog, name: Option<&str>) -> Vec<Vec<Value>> {
    let Some((t, ix)) = name.and_then(|n| catalog.index(n)) else { return Vec::new() };
    ix.columns
        .iter()
        .enumerate()
        .map(|(seqno, (col, _))| {
            vec![int(seqno), int(*col), t.columns.get(*col).map_or(Value::Null, |c| text(&c.name))]
        })
        .collect()
}

fn foreign_keys(catalog: &Catalog, name: Option<&str>) -> Vec<Vec<Value>> {
    let Some(t) = find_table(catalog, name) else { return Vec::new() };
    let mut out = Vec::new();
    for (id, fk) in t.foreign_keys.iter().enumerate() {
        let on_delete = match fk.on_delete {
            FkAction::Restrict => "NO ACTION",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
        };
        for (seq, col) in fk.columns.iter().enumerate() {
            out.push(vec![
                int(id),
                int(seq),
                text(&fk.parent),
                t.columns.get(*col).map_or(Value::Null, |c| text(&c.name)),
                opt_text(fk.parent_columns.get(seq)),
                text("NO ACTION"),
                text(on_delete),
                text("NONE"),
            ]);
        }
    }
    out
}

fn table_list(catalog: &Catalog, name: Option<&str>) -> Vec<Vec<Value>> {
    let wanted = |n: &str| name.is_none_or(|w| w.eq_ignore_ascii_case(n));
    let mut out: Vec<Vec<Value>> = catalog
        .tables
        .values()
        .filter(|t| wanted(&t.name))
        .map(|t| {
            let ncol = visible_columns(t).count();
            vec![text(SCHEMA), text(&t.name), text("table"), int(ncol), int(usize::from(!t.has_rowid())), int(0)]
        })
        .collect();
    for v in catalog.views.values().filter(|v| wanted(&v.name)) {
        let ncol = view_columns(catalog, &v.name).map_or(0, |c| c.len());
        out.push(vec![text(SCHEMA), text(&v.name), text("view"), int(ncol), int(0), int(0)]);
    }
    out
}

fn info_tables(catalog: &Catalog) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = catalog
        .tables
        .values()
        .map(|t| {
            let kind = if t.mv.is_some() { "MATERIALIZED VIEW" } else { "BASE TABLE" };
            vec![text(CATALOG), text(SCHEMA), text(&t.name), text(kind)]
        })
        .collect();
    out.extend(catalog.views.values().map(|v| vec![text(CATALOG), text(SCHEMA), text(&v.name), text("VIEW")]));
    out
}

fn info_columns(catalog: &Catalog) -> Vec<Vec<Value>> {
    let row = |table: &str, pos: usize, name: &str, default: Value, nullable: bool, ty: &str| {
        vec![
            text(CATALOG),
            text(SCHEMA),
            text(table),
            text(name),
            int(pos + 1),
            default,
            text(if nullable { "YES" } else { "NO" }),
            text(ty),
        ]
    };
    let mut out = Vec::new();
    for t in catalog.tables.values() {
        for (pos, c) in visible_columns(t) {
            out.push(row(&t.name, pos, &c.name, opt_text(c.default.as_ref()), !c.not_null, &c.decltype()));
        }
    }
    for v in catalog.views.values() {
        for (pos, (name, ty)) in view_columns(catalog, &v.name).unwrap_or_default().into_iter().enumerate() {
            out.push(row(&v.name, pos, &name, Value::Null, true, ty.as_deref().unwrap_or("")));
        }
    }
    out
}

fn key_column_usage(catalog: &Catalog) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for t in catalog.tables.values() {
        let mut push = |constraint: &str, cols: &mut dyn Iterator<Item = usize>| {
            for (pos, col) in cols.enumerate() {
                // A materialized view's key is its hidden maintenance column.
                let Some(c) = t.columns.get(col).filter(|c| !c.hidden) else { continue };
                out.push(vec![
                    text(CATALOG),
                    text(SCHEMA),
                    text(constraint),
                    text(CATALOG),
                    text(SCHEMA),
                    text(&t.name),
                    text(&c.name),
                    int(pos + 1),
                ]);
            }
        };
        if !t.primary_key.is_empty() {
            push(&format!("{}_pkey", t.name), &mut t.primary_key.iter().copied());
        }
        for ix in t.indexes.iter().filter(|ix| ix.unique && ix.sql.is_none()) {
            push(&ix.name, &mut ix.columns.iter().map(|(c, _)| *c));
        }
        for fk in &t.foreign_keys {
            let names: Vec<&str> =
                fk.columns.iter().filter_map(|c| t.columns.get(*c)).map(|c| c.name.as_str()).collect();
            push(&format!("{}_{}_fkey", t.name, names.join("_")), &mut fk.columns.iter().copied());
        }
    }
    out
}
