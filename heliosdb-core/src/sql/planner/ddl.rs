//! Planning CREATE/DROP TABLE and INDEX: validating definitions.

use super::dml::bind_default;
use crate::catalog::{Catalog, ColumnDef, IndexDef, TableDef, ViewDef};
use crate::error::{sql_err, Result};
use crate::sql::binder::{data_type, object_name};
use crate::sql::plan::{AlterOp, StmtPlan};
use crate::types::DataType;
use sqlparser::ast;

fn key_column(ic: &ast::IndexColumn, columns: &[ColumnDef], what: &str) -> Result<(usize, bool)> {
    let name = match &ic.column.expr {
        ast::Expr::Identifier(i) => i.value.clone(),
        other => return Err(sql_err!("{what} on expressions is not supported: {other}")),
    };
    let pos = columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(&name))
        .ok_or_else(|| sql_err!("no such column: {name}"))?;
    Ok((pos, matches!(ic.column.options.sort, Some(ast::OrderBySort::Desc))))
}

/// A column definition with its column-level constraints.
pub struct ParsedColumn {
    /// The column.
    pub def: ColumnDef,
    /// `PRIMARY KEY` on the column.
    pub primary_key: bool,
    /// `UNIQUE` on the column.
    pub unique: bool,
    /// `AUTOINCREMENT`.
    pub autoincrement: bool,
}

/// Reads one column definition (shared by CREATE TABLE and ALTER TABLE ADD COLUMN).
///
/// # Errors
/// Bad types or defaults, unsupported options.
pub fn parse_column(col: &ast::ColumnDef) -> Result<ParsedColumn> {
    let mut p = ParsedColumn {
        def: ColumnDef { name: col.name.value.clone(), ty: data_type(&col.data_type)?, not_null: false, default: None },
        primary_key: false,
        unique: false,
        autoincrement: false,
    };
    for opt in &col.options {
        match &opt.option {
            ast::ColumnOption::Null => {}
            ast::ColumnOption::NotNull => p.def.not_null = true,
            ast::ColumnOption::Default(e) => {
                let text = e.to_string();
                bind_default(&text).map_err(|err| sql_err!("bad DEFAULT for column {}: {err}", p.def.name))?;
                p.def.default = Some(text);
            }
            ast::ColumnOption::PrimaryKey(_) => p.primary_key = true,
            ast::ColumnOption::Unique(_) => p.unique = true,
            ast::ColumnOption::DialectSpecific(tokens)
                if tokens.iter().any(|t| t.to_string().eq_ignore_ascii_case("AUTOINCREMENT")) =>
            {
                p.autoincrement = true;
            }
            ast::ColumnOption::Check(_) => return Err(sql_err!("CHECK constraints are not supported yet")),
            ast::ColumnOption::ForeignKey(_) => return Err(sql_err!("FOREIGN KEY constraints are not supported yet")),
            ast::ColumnOption::Comment(_) => {}
            other => return Err(sql_err!("unsupported column option on {}: {other}", p.def.name)),
        }
    }
    Ok(p)
}

/// Plans ALTER TABLE.
///
/// # Errors
/// Unknown table; unsupported operations.
pub fn plan_alter_table(at: &ast::AlterTable, catalog: &Catalog) -> Result<StmtPlan> {
    let table = object_name(&at.name);
    if !catalog.tables.contains_key(&crate::catalog::normalize(&table)) {
        if at.if_exists {
            return Ok(StmtPlan::AlterTable { table, op: AlterOp::Nothing });
        }
        return Err(sql_err!("no such table: {table}"));
    }
    let [operation] = at.operations.as_slice() else {
        return Err(sql_err!("ALTER TABLE takes one operation at a time"));
    };
    let op = match operation {
        ast::AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
            let p = parse_column(column_def)?;
            if p.primary_key || p.unique || p.autoincrement {
                return Err(sql_err!("cannot add a PRIMARY KEY, UNIQUE or AUTOINCREMENT column"));
            }
            AlterOp::AddColumn { column: p.def, if_not_exists: *if_not_exists }
        }
        ast::AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
            AlterOp::RenameColumn { old: old_column_name.value.clone(), new: new_column_name.value.clone() }
        }
        ast::AlterTableOperation::RenameTable { table_name } => {
            let (ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n)) = table_name;
            AlterOp::RenameTable(object_name(n))
        }
        other => return Err(sql_err!("unsupported ALTER TABLE operation: {other}")),
    };
    Ok(StmtPlan::AlterTable { table, op })
}

/// Plans CREATE TABLE (`sql` is the statement text kept for `.schema`).
///
/// # Errors
/// Bad types, duplicate columns, unsupported constraints.
pub fn plan_create_table(ct: &ast::CreateTable, sql: &str) -> Result<StmtPlan> {
    let name = object_name(&ct.name);
    if ct.query.is_some() {
        return Err(sql_err!("CREATE TABLE … AS SELECT is not supported yet"));
    }
    if ct.columns.is_empty() {
        return Err(sql_err!("table {name} must have at least one column"));
    }
    let mut columns: Vec<ColumnDef> = Vec::new();
    let mut pk: Vec<usize> = Vec::new();
    let mut unique_sets: Vec<Vec<(usize, bool)>> = Vec::new();
    let mut autoincrement = false;
    for (i, col) in ct.columns.iter().enumerate() {
        if columns.iter().any(|c| c.name.eq_ignore_ascii_case(&col.name.value)) {
            return Err(sql_err!("duplicate column name: {}", col.name.value));
        }
        let parsed = parse_column(col)?;
        if parsed.primary_key {
            if !pk.is_empty() {
                return Err(sql_err!("table {name} has more than one primary key"));
            }
            pk.push(i);
        }
        if parsed.unique {
            unique_sets.push(vec![(i, false)]);
        }
        autoincrement |= parsed.autoincrement;
        columns.push(parsed.def);
    }
    for c in &ct.constraints {
        match c {
            ast::TableConstraint::PrimaryKey(p) => {
                if !pk.is_empty() {
                    return Err(sql_err!("table {name} has more than one primary key"));
                }
                for ic in &p.columns {
                    pk.push(key_column(ic, &columns, "PRIMARY KEY")?.0);
                }
            }
            ast::TableConstraint::Unique(u) => {
                let cols = u.columns.iter().map(|ic| key_column(ic, &columns, "UNIQUE")).collect::<Result<Vec<_>>>()?;
                unique_sets.push(cols);
            }
            ast::TableConstraint::Check(_) => return Err(sql_err!("CHECK constraints are not supported yet")),
            ast::TableConstraint::ForeignKey(_) => {
                return Err(sql_err!("FOREIGN KEY constraints are not supported yet"))
            }
            other => return Err(sql_err!("unsupported table constraint: {other}")),
        }
    }
    for p in &pk {
        columns[*p].not_null = true;
    }
    let rowid_alias = pk.len() == 1 && columns[pk[0]].ty == DataType::Integer;
    if autoincrement && !rowid_alias {
        return Err(sql_err!("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY"));
    }
    let mut indexes = Vec::new();
    for set in unique_sets {
        let cols: Vec<usize> = set.iter().map(|(c, _)| *c).collect();
        if cols == pk {
            continue; // the primary key already enforces it
        }
        indexes.push(IndexDef {
            id: 0,
            name: format!("{name}_autoindex_{}", indexes.len() + 1),
            columns: set,
            unique: true,
            sql: None,
        });
    }
    let table =
        TableDef { id: 0, name, columns, primary_key: pk, rowid_alias, autoincrement, indexes, sql: sql.to_string() };
    Ok(StmtPlan::CreateTable { table, if_not_exists: ct.if_not_exists })
}

/// Plans CREATE INDEX.
///
/// # Errors
/// Unknown table or columns, missing name, partial indexes.
pub fn plan_create_index(ci: &ast::CreateIndex, catalog: &Catalog, sql: &str) -> Result<StmtPlan> {
    let name = ci.name.as_ref().map(object_name).ok_or_else(|| sql_err!("CREATE INDEX needs an index name"))?;
    if ci.predicate.is_some() {
        return Err(sql_err!("partial indexes (CREATE INDEX … WHERE) are not supported"));
    }
    let tname = object_name(&ci.table_name);
    let table = catalog.table(&tname)?;
    let columns =
        ci.columns.iter().map(|ic| key_column(ic, &table.columns, "CREATE INDEX")).collect::<Result<Vec<_>>>()?;
    Ok(StmtPlan::CreateIndex {
        table: table.name.clone(),
        index: IndexDef { id: 0, name, columns, unique: ci.unique, sql: Some(sql.to_string()) },
        if_not_exists: ci.if_not_exists,
    })
}

/// Plans DROP TABLE / DROP INDEX.
///
/// # Errors
/// Other object kinds.
pub fn plan_drop(kind: &ast::ObjectType, if_exists: bool, names: &[ast::ObjectName]) -> Result<StmtPlan> {
    let names: Vec<String> = names.iter().map(object_name).collect();
    match kind {
        ast::ObjectType::Table => Ok(StmtPlan::DropTable { names, if_exists }),
        ast::ObjectType::Index => Ok(StmtPlan::DropIndex { names, if_exists }),
        ast::ObjectType::View => Ok(StmtPlan::DropView { names, if_exists }),
        other => Err(sql_err!("DROP {other} is not supported yet")),
    }
}

/// Plans CREATE VIEW: the query must plan now (so a broken view is refused
/// at once), and is stored as text, expanded wherever the view is read.
///
/// # Errors
/// A query that does not plan; materialized views (not built yet).
pub fn plan_create_view(cv: &ast::CreateView, catalog: &Catalog, sql: &str) -> Result<StmtPlan> {
    if cv.materialized {
        return Err(sql_err!("materialized views are not supported yet"));
    }
    let name = object_name(&cv.name);
    let qp = super::select::plan_query(&cv.query, catalog)?;
    let columns: Vec<String> = cv.columns.iter().map(|c| c.name.value.clone()).collect();
    if !columns.is_empty() && columns.len() != qp.columns.len() {
        return Err(sql_err!("view {name} names {} columns but its query returns {}", columns.len(), qp.columns.len()));
    }
    Ok(StmtPlan::CreateView {
        view: ViewDef { name, columns, query: cv.query.to_string(), sql: sql.to_string() },
        if_not_exists: cv.if_not_exists,
        or_replace: cv.or_replace,
    })
}
