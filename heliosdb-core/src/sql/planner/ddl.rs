//! Planning CREATE/DROP TABLE and INDEX: validating definitions.

use super::dml::bind_default;
use crate::catalog::{normalize, Catalog, CheckDef, ColumnDef, FkAction, ForeignKeyDef, IndexDef, TableDef, ViewDef};
use crate::error::{sql_err, Result};
use crate::sql::binder::{data_type, declared_type_name, object_name};
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
    /// `CHECK (…)` on the column.
    pub checks: Vec<CheckDef>,
    /// `REFERENCES parent (col)` on the column: (parent, parent columns, on delete).
    pub references: Option<(String, Vec<String>, FkAction)>,
}

fn fk_action(a: &Option<ast::ReferentialAction>) -> Result<FkAction> {
    Ok(match a {
        None | Some(ast::ReferentialAction::Restrict | ast::ReferentialAction::NoAction) => FkAction::Restrict,
        Some(ast::ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ast::ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ast::ReferentialAction::SetDefault) => return Err(sql_err!("ON DELETE SET DEFAULT is not supported")),
    })
}

fn check_def(c: &ast::CheckConstraint) -> CheckDef {
    CheckDef { name: c.name.as_ref().map(|n| n.value.clone()), expr: c.expr.to_string() }
}

/// Reads one column definition (shared by CREATE TABLE and ALTER TABLE ADD COLUMN).
///
/// # Errors
/// Bad types or defaults, unsupported options.
pub fn parse_column(col: &ast::ColumnDef) -> Result<ParsedColumn> {
    let mut p = ParsedColumn {
        def: ColumnDef {
            name: col.name.value.clone(),
            ty: data_type(&col.data_type)?,
            not_null: false,
            default: None,
            hidden: false,
            decl: Some(declared_type_name(&col.data_type)),
        },
        primary_key: false,
        unique: false,
        autoincrement: false,
        checks: Vec::new(),
        references: None,
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
            ast::ColumnOption::Check(c) => p.checks.push(check_def(c)),
            ast::ColumnOption::ForeignKey(fk) => {
                if fk
                    .on_update
                    .is_some_and(|a| !matches!(a, ast::ReferentialAction::Restrict | ast::ReferentialAction::NoAction))
                {
                    return Err(sql_err!("ON UPDATE actions other than RESTRICT are not supported"));
                }
                let cols = fk.referred_columns.iter().map(|c| c.value.clone()).collect();
                p.references = Some((object_name(&fk.foreign_table), cols, fk_action(&fk.on_delete)?));
            }
            ast::ColumnOption::Comment(_) => {}
            other => return Err(sql_err!("unsupported column option on {}: {other}", p.def.name)),
        }
    }
    Ok(p)
}

/// Parses one SQL expression (stored CHECK and DEFAULT texts).
///
/// # Errors
/// Text that does not parse.
pub fn parse_expr(text: &str) -> Result<ast::Expr> {
    let dialect = crate::sql::parser::HeliosDialect::default();
    sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| sql_err!("stored expression {text} does not parse: {e}"))
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
    if let ast::AlterTableOperation::SetOptionsParens { options } = operation {
        let empty = crate::sql::scope::Scope::default();
        let mut out = Vec::new();
        for o in options {
            let ast::SqlOption::KeyValue { key, value } = o else {
                return Err(sql_err!("expected option = value, found {o}"));
            };
            let v = crate::sql::binder::Binder::new(&empty).bind(value)?;
            let clock = crate::exec::clock::StmtClock::at(0);
            let v = crate::exec::eval::eval(&v, &[], &crate::exec::EvalCtx::new(&[], &clock, None))?;
            out.push((key.value.clone(), v));
        }
        return Ok(StmtPlan::AlterMaterializedView { name: table, options: out });
    }
    if catalog.tables.get(&crate::catalog::normalize(&table)).is_some_and(|t| t.mv.is_some()) {
        return Err(sql_err!("{table} is a materialized view: its columns come from its query"));
    }
    let op = match operation {
        ast::AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
            let p = parse_column(column_def)?;
            if p.primary_key || p.unique || p.autoincrement || !p.checks.is_empty() || p.references.is_some() {
                return Err(sql_err!(
                    "cannot add a column with PRIMARY KEY, UNIQUE, AUTOINCREMENT, CHECK or REFERENCES"
                ));
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
pub fn plan_create_table(ct: &ast::CreateTable, catalog: &Catalog, sql: &str) -> Result<StmtPlan> {
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
    let mut checks: Vec<CheckDef> = Vec::new();
    let mut fk_specs: Vec<(Vec<String>, String, Vec<String>, FkAction)> = Vec::new();
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
        checks.extend(parsed.checks);
        if let Some((parent, cols, action)) = parsed.references {
            fk_specs.push((vec![col.name.value.clone()], parent, cols, action));
        }
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
            ast::TableConstraint::Check(c) => checks.push(check_def(c)),
            ast::TableConstraint::ForeignKey(fk) => {
                if fk
                    .on_update
                    .is_some_and(|a| !matches!(a, ast::ReferentialAction::Restrict | ast::ReferentialAction::NoAction))
                {
                    return Err(sql_err!("ON UPDATE actions other than RESTRICT are not supported"));
                }
                fk_specs.push((
                    fk.columns.iter().map(|c| c.value.clone()).collect(),
                    object_name(&fk.foreign_table),
                    fk.referred_columns.iter().map(|c| c.value.clone()).collect(),
                    fk_action(&fk.on_delete)?,
                ));
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
    let mut table = TableDef {
        id: 0,
        name,
        columns,
        primary_key: pk,
        rowid_alias,
        autoincrement,
        indexes,
        checks,
        foreign_keys: Vec::new(),
        sql: sql.to_string(),
        time_travel: true,
        created_scn: 0,
        altered_scn: None,
        mv: None,
        track_changes: false,
        triggers: Vec::new(),
    };
    // CHECK expressions must bind against the table's own columns.
    let scope = super::select::table_scope(&table, &table.name);
    for c in &table.checks {
        let parsed = parse_expr(&c.expr)?;
        crate::sql::binder::Binder::new(&scope).bind(&parsed).map_err(|e| sql_err!("bad CHECK constraint: {e}"))?;
    }
    for (cols, parent, parent_cols, on_delete) in fk_specs {
        let columns = cols
            .iter()
            .map(|c| table.column_index(c).ok_or_else(|| sql_err!("unknown column {c} in foreign key definition")))
            .collect::<Result<Vec<_>>>()?;
        let self_ref = normalize(&parent) == normalize(&table.name);
        let parent_def: &TableDef = if self_ref { &table } else { catalog.table(&parent)? };
        let parent_columns: Vec<String> = if parent_cols.is_empty() {
            if parent_def.primary_key.is_empty() {
                return Err(sql_err!("foreign key to {parent} names no columns and {parent} has no primary key"));
            }
            parent_def.primary_key.iter().map(|i| parent_def.columns[*i].name.clone()).collect()
        } else {
            parent_cols
        };
        if parent_columns.len() != columns.len() {
            return Err(sql_err!(
                "foreign key on {} has {} columns but references {}",
                table.name,
                columns.len(),
                parent_columns.len()
            ));
        }
        let positions = parent_columns
            .iter()
            .map(|c| parent_def.column_index(c).ok_or_else(|| sql_err!("no such column: {parent}.{c}")))
            .collect::<Result<Vec<_>>>()?;
        let keyed = positions == parent_def.primary_key
            || parent_def
                .indexes
                .iter()
                .any(|ix| ix.unique && ix.columns.iter().map(|(c, _)| *c).collect::<Vec<_>>() == positions);
        if !keyed {
            return Err(sql_err!(
                "foreign key mismatch: {parent}({}) is not a PRIMARY KEY or UNIQUE",
                parent_columns.join(", ")
            ));
        }
        table.foreign_keys.push(ForeignKeyDef { columns, parent, parent_columns, on_delete });
    }
    let time_travel = table_options(&ct.table_options)?;
    Ok(StmtPlan::CreateTable { table, if_not_exists: ct.if_not_exists, time_travel })
}

/// `WITH (time_travel = true|false)`: the only table option there is.
fn table_options(options: &ast::CreateTableOptions) -> Result<Option<bool>> {
    let list = match options {
        ast::CreateTableOptions::None => return Ok(None),
        ast::CreateTableOptions::With(list) => list,
        other => return Err(sql_err!("unsupported table options: {other}")),
    };
    let mut time_travel = None;
    for opt in list {
        match opt {
            ast::SqlOption::KeyValue { key, value } if key.value.eq_ignore_ascii_case("time_travel") => {
                let text = value.to_string().trim_matches('\'').to_ascii_lowercase();
                time_travel = Some(match text.as_str() {
                    "true" | "on" | "1" => true,
                    "false" | "off" | "0" => false,
                    _ => return Err(sql_err!("time_travel must be true or false, not {value}")),
                });
            }
            other => return Err(sql_err!("unknown table option: {other} (the table option is time_travel)")),
        }
    }
    Ok(time_travel)
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
        ast::ObjectType::MaterializedView => Ok(StmtPlan::DropMaterializedView { names, if_exists }),
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
        return crate::mv::plan_create(cv, catalog, sql);
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
