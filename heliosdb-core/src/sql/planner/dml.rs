//! Planning INSERT, UPDATE and DELETE.

use super::access;
use super::select::{full_scan, plan_query_in, table_scope};
use crate::catalog::{Catalog, TableDef};
use crate::error::{sql_err, Error, Result};
use crate::sql::binder::{object_name, Binder, QueryCtx};
use crate::sql::expr::Expr;
use crate::sql::parser::HeliosDialect;
use crate::sql::plan::{Conflict, DeletePlan, InsertPlan, InsertSource, Plan, Returning, StmtPlan, UpdatePlan};
use crate::sql::scope::Scope;
use sqlparser::ast;
use sqlparser::parser::Parser;
use std::sync::Arc;

/// Binds a column's DEFAULT text (stored in the catalog as SQL).
///
/// # Errors
/// The stored text does not parse or bind (it did when the table was created).
pub fn bind_default(text: &str) -> Result<Expr> {
    let dialect = HeliosDialect::default();
    let ast = Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| sql_err!("bad DEFAULT expression {text}: {e}"))?;
    Binder::new(&Scope::default()).bind(&ast)
}

fn bind_returning(items: &Option<Vec<ast::SelectItem>>, table: &TableDef) -> Result<Option<Returning>> {
    let Some(items) = items else { return Ok(None) };
    let scope = table_scope(table, &table.name);
    let b = Binder::new(&scope);
    let mut exprs = Vec::new();
    let mut columns = Vec::new();
    for item in items {
        match item {
            ast::SelectItem::Wildcard(_) => {
                for (i, c) in table.columns.iter().enumerate() {
                    exprs.push(Expr::Column(i));
                    columns.push(c.name.clone());
                }
            }
            ast::SelectItem::UnnamedExpr(e) => {
                exprs.push(b.bind(e)?);
                columns.push(match e {
                    ast::Expr::Identifier(i) => i.value.clone(),
                    other => other.to_string(),
                });
            }
            ast::SelectItem::ExprWithAlias { expr, alias } => {
                exprs.push(b.bind(expr)?);
                columns.push(alias.value.clone());
            }
            other => return Err(sql_err!("unsupported RETURNING item: {other}")),
        }
    }
    Ok(Some(Returning { exprs, columns }))
}

/// DML targets must be tables: a materialized view changes only by refresh.
fn writable(table: &TableDef) -> Result<()> {
    if table.mv.is_some() {
        return Err(sql_err!(
            "cannot modify materialized view {}: its rows change only by REFRESH MATERIALIZED VIEW",
            table.name
        ));
    }
    Ok(())
}

/// Plans an INSERT.
///
/// # Errors
/// Unknown table or columns, wrong number of values.
pub fn plan_insert(ins: &ast::Insert, qctx: &QueryCtx<'_>) -> Result<StmtPlan> {
    let catalog = qctx.catalog;
    let name = match &ins.table {
        ast::TableObject::TableName(n) => object_name(n),
        other => return Err(sql_err!("unsupported INSERT target: {other}")),
    };
    let table = Arc::clone(catalog.table(&name)?);
    writable(&table)?;
    let targets: Vec<usize> = if ins.columns.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        let mut t = Vec::new();
        for c in &ins.columns {
            let cname = object_name(c);
            let pos = table
                .column_index(&cname)
                .ok_or_else(|| sql_err!("table {} has no column named {cname}", table.name))?;
            if t.contains(&pos) {
                return Err(sql_err!("column {cname} appears twice in INSERT"));
            }
            t.push(pos);
        }
        t
    };
    let empty = Scope::default();
    let source = match &ins.source {
        None => InsertSource::Defaults,
        Some(q) => match q.body.as_ref() {
            ast::SetExpr::Values(v) if q.order_by.is_none() && q.limit_clause.is_none() => {
                let b = Binder::with_ctx(&empty, qctx);
                let mut rows = Vec::with_capacity(v.rows.len());
                for r in &v.rows {
                    if r.len() != targets.len() {
                        return Err(sql_err!(
                            "table {} has {} columns but {} values were supplied",
                            table.name,
                            targets.len(),
                            r.len()
                        ));
                    }
                    rows.push(r.iter().map(|e| b.bind(e)).collect::<Result<Vec<_>>>()?);
                }
                InsertSource::Values(rows)
            }
            _ => {
                let qp = plan_query_in(q, qctx)?;
                if qp.columns.len() != targets.len() {
                    return Err(sql_err!(
                        "table {} has {} columns but the SELECT returns {}",
                        table.name,
                        targets.len(),
                        qp.columns.len()
                    ));
                }
                InsertSource::Query(Box::new(qp.plan))
            }
        },
    };
    let defaults =
        table.columns.iter().map(|c| c.default.as_deref().map(bind_default).transpose()).collect::<Result<Vec<_>>>()?;
    let conflict = match (&ins.or, ins.replace_into) {
        (_, true) | (Some(ast::SqliteOnConflict::Replace), _) => Conflict::Replace,
        (Some(ast::SqliteOnConflict::Ignore), _) => Conflict::Ignore,
        _ => Conflict::Abort,
    };
    let qualifier = ins.table_alias.as_ref().map_or(table.name.as_str(), |a| a.alias.value.as_str());
    let upsert = ins.on.as_ref().map(|on| super::upsert::plan_upsert(on, &table, qualifier, qctx)).transpose()?;
    let returning = bind_returning(&ins.returning, &table)?;
    Ok(StmtPlan::Insert(InsertPlan { table, targets, source, defaults, conflict, upsert, returning }))
}

/// The table a DML statement targets and the scope of its rows.
fn target(tf: &ast::TableFactor, catalog: &Catalog) -> Result<(Arc<TableDef>, Scope)> {
    match tf {
        ast::TableFactor::Table { name, alias, .. } => {
            let table = Arc::clone(catalog.table(&object_name(name))?);
            writable(&table)?;
            let q = alias.as_ref().map_or(table.name.clone(), |a| a.name.value.clone());
            let scope = table_scope(&table, &q);
            Ok((table, scope))
        }
        other => Err(sql_err!("unsupported target: {other}")),
    }
}

/// Scan of the target rows matching WHERE, every column decoded.
fn source(table: &Arc<TableDef>, scope: &Scope, selection: &Option<ast::Expr>, qctx: &QueryCtx<'_>) -> Result<Plan> {
    let mut scan = crate::sql::plan::ScanPlan { with_scn: true, ..full_scan(table) };
    let Some(w) = selection else { return Ok(Plan::Scan(scan)) };
    let pred = Binder::with_ctx(scope, qctx).bind(w)?;
    scan.access = access::choose(table, &pred);
    Ok(Plan::Filter { input: Box::new(Plan::Scan(scan)), pred })
}

/// Binds the `SET col = expr, …` of an UPDATE (or of an UPSERT's DO UPDATE)
/// to (column position, expression).
///
/// # Errors
/// Unknown columns, tuple assignments, expressions that do not bind.
pub fn bind_assignments(
    assignments: &[ast::Assignment],
    table: &TableDef,
    b: &Binder<'_>,
) -> Result<Vec<(usize, Expr)>> {
    let mut out = Vec::with_capacity(assignments.len());
    for a in assignments {
        let cname = match &a.target {
            ast::AssignmentTarget::ColumnName(n) => object_name(n),
            ast::AssignmentTarget::Tuple(_) => return Err(sql_err!("tuple assignments are not supported")),
        };
        let pos = table.column_index(&cname).ok_or_else(|| sql_err!("no such column: {cname}"))?;
        out.push((pos, b.bind(&a.value)?));
    }
    Ok(out)
}

/// Plans an UPDATE.
///
/// # Errors
/// Unknown table or columns.
pub fn plan_update(up: &ast::Update, qctx: &QueryCtx<'_>) -> Result<StmtPlan> {
    let catalog = qctx.catalog;
    if up.from.is_some() || !up.table.joins.is_empty() {
        return Err(sql_err!("UPDATE … FROM is not supported yet"));
    }
    let (table, scope) = target(&up.table.relation, catalog)?;
    let b = Binder::with_ctx(&scope, qctx);
    let assignments = bind_assignments(&up.assignments, &table, &b)?;
    let source = source(&table, &scope, &up.selection, qctx)?;
    let returning = bind_returning(&up.returning, &table)?;
    Ok(StmtPlan::Update(UpdatePlan { source, table, assignments, returning }))
}

/// Plans a DELETE.
///
/// # Errors
/// Unknown table.
pub fn plan_delete(del: &ast::Delete, qctx: &QueryCtx<'_>) -> Result<StmtPlan> {
    let catalog = qctx.catalog;
    let tables = match &del.from {
        ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
    };
    let [only] = tables.as_slice() else {
        return Err(Error::Sql("DELETE from several tables is not supported".into()));
    };
    if !only.joins.is_empty() || del.using.is_some() {
        return Err(sql_err!("DELETE with joins is not supported"));
    }
    let (table, scope) = target(&only.relation, catalog)?;
    let source = source(&table, &scope, &del.selection, qctx)?;
    let returning = bind_returning(&del.returning, &table)?;
    Ok(StmtPlan::Delete(DeletePlan { source, table, returning }))
}
