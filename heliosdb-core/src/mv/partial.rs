//! Partial refresh: views whose rows fall into independent partitions of
//! the base table — window functions `OVER (PARTITION BY …)`, and grouped
//! queries the group fold cannot maintain (`HAVING`, an aggregate inside an
//! expression, `group_concat`, …). A refresh recomputes only the partitions
//! whose base rows changed.
//!
//! The affected partitions come from the change log (the partition
//! expressions evaluated on each change's old and new row image). The
//! defining query then runs with its base-table scan restricted to those
//! partitions — through an index on the partition column when there is one
//! — and with the partition expressions appended to its output, so each
//! result row says which partition it belongs to. The view stores its rows
//! keyed by (partition, ordinal), so a partition's old rows are one key
//! range; only rows that differ are rewritten.

use crate::catalog::{normalize, Catalog, TableDef};
use crate::error::Result;
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::scan::decode_stored_row;
use crate::sql::binder::{object_name, Binder};
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::{Access, Plan};
use crate::sql::planner::access::choose;
use crate::sql::planner::select::{for_each_scan_node, plan_query, table_scope};
use crate::storage::{changes, Reader};
use crate::types::keycode::encode_value;
use crate::types::Value;
use sqlparser::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Hidden column: the encoded partition a stored row belongs to.
pub const PART_COLUMN: &str = "heliosdb_part";
/// Hidden column: the row's ordinal within its partition.
pub const SEQ_COLUMN: &str = "heliosdb_seq";
/// More affected partitions than this: recompute the whole view (one scan
/// beats a filter with this many alternatives on every row).
pub const MAX_PARTITIONS: usize = 256;

/// A view maintained by recomputing partitions.
#[derive(Debug, Clone)]
pub struct Partitioned {
    /// The one base table.
    pub table: Arc<TableDef>,
    /// The partition expressions over a base-table row.
    pub keys: Vec<Expr>,
    /// The defining query with the partition expressions appended to its output.
    pub query: ast::Query,
    /// What a partition is, for notices (`the PARTITION BY category partitions`).
    pub what: String,
}

fn window_partitions(sel: &ast::Select) -> std::result::Result<Option<Vec<ast::Expr>>, String> {
    let mut common: Option<Vec<ast::Expr>> = None;
    let mut bad = None;
    let _ = ast::visit_expressions(&sel.projection, |e| {
        if let ast::Expr::Function(f) = e {
            match &f.over {
                None => {}
                Some(ast::WindowType::WindowSpec(spec)) => {
                    let mine = spec.partition_by.clone();
                    common = Some(match common.take() {
                        None => mine,
                        Some(c) => c.into_iter().filter(|x| mine.contains(x)).collect(),
                    });
                }
                Some(ast::WindowType::NamedWindow(_)) => bad = Some("a named window".to_string()),
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    if let Some(b) = bad {
        return Err(b);
    }
    match common {
        Some(c) if c.is_empty() => Err("a window function without a PARTITION BY shared by every window".into()),
        other => Ok(other),
    }
}

/// Whether view query `q` (which the group fold cannot maintain) can be
/// refreshed by partitions: `Ok(None)` when it has no partition structure,
/// `Err(why)` when it has one this module cannot use.
///
/// # Errors
/// Binding errors (the query planned before, so these would be bugs).
pub fn analyze(q: &ast::Query, catalog: &Catalog) -> Result<std::result::Result<Partitioned, String>> {
    let no = |why: &str| Ok(Err(why.to_string()));
    if q.with.is_some() || q.limit_clause.is_some() || q.fetch.is_some() {
        return no("WITH or LIMIT in the query");
    }
    let ast::SetExpr::Select(sel) = q.body.as_ref() else { return no("UNION/INTERSECT/EXCEPT") };
    let mut subquery = false;
    let _ = ast::visit_expressions(q, |e| {
        subquery |= matches!(e, ast::Expr::Subquery(_) | ast::Expr::Exists { .. } | ast::Expr::InSubquery { .. });
        std::ops::ControlFlow::<()>::Continue(())
    });
    if subquery {
        return no("a subquery (its result may depend on any row)");
    }
    if sel.distinct.is_some() || sel.from.len() != 1 || !sel.from[0].joins.is_empty() {
        return no("DISTINCT or a join around a window or HAVING");
    }
    let ast::TableFactor::Table { name, alias, args: None, version: None, .. } = &sel.from[0].relation else {
        return no("a FROM item that is not a table");
    };
    let tname = object_name(name);
    if catalog.views.contains_key(&normalize(&tname)) {
        return Ok(Err(format!("it reads the view {tname}")));
    }
    let table = Arc::clone(catalog.table(&tname)?);
    if table.mv.is_some() {
        return Ok(Err(format!("it reads the materialized view {tname}")));
    }
    let grouped = match &sel.group_by {
        ast::GroupByExpr::Expressions(g, mods) if mods.is_empty() => g.clone(),
        _ => return no("GROUP BY ALL or grouping modifiers"),
    };
    let windows = match window_partitions(sel) {
        Ok(w) => w,
        Err(why) => return Ok(Err(why)),
    };
    let (parts, what) = match (windows, grouped.is_empty()) {
        (Some(p), true) => {
            let names = p.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            (p, format!("the PARTITION BY {names} partitions"))
        }
        (None, false) => {
            let names = grouped.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            (grouped, format!("the GROUP BY {names} groups"))
        }
        (Some(_), false) => return no("window functions over grouped rows"),
        (None, true) => return no("no partitions"),
    };
    let qualifier = alias.as_ref().map_or(table.name.clone(), |a| a.name.value.clone());
    let scope = table_scope(&table, &qualifier);
    let mut keys = Vec::new();
    for p in &parts {
        let e = Binder::new(&scope).bind(p)?;
        if super::sliding::uses_now(&e) || e.has_aggregate() {
            return no("a partition expression that is not a plain expression of the row");
        }
        keys.push(e);
    }
    if let Some(w) = &sel.selection {
        let e = Binder::new(&scope).bind(w)?;
        if super::sliding::uses_now(&e) {
            return no("a now()-relative WHERE with a window or HAVING");
        }
    }
    let mut query = q.clone();
    if let ast::SetExpr::Select(s) = query.body.as_mut() {
        for (i, p) in parts.into_iter().enumerate() {
            s.projection
                .push(ast::SelectItem::ExprWithAlias { expr: p, alias: ast::Ident::new(format!("{PART_COLUMN}_{i}")) });
        }
    }
    query.order_by = None;
    Ok(Ok(Partitioned { table, keys, query, what }))
}

fn encode(values: &[Value]) -> Vec<u8> {
    let mut key = Vec::new();
    for v in values {
        encode_value(&mut key, v);
    }
    key
}

/// The partitions the base table's changes between SCN `from` and the
/// reader's snapshot touch (by encoded key, with their values).
///
/// # Errors
/// Storage and evaluation errors.
pub fn affected(
    p: &Partitioned,
    reader: &dyn Reader,
    from: u64,
    ctx: &EvalCtx,
) -> Result<BTreeMap<Vec<u8>, Vec<Value>>> {
    let all = vec![true; p.table.columns.len()];
    let mut out = BTreeMap::new();
    for c in changes::read(reader, p.table.id, from, reader.snapshot_scn())? {
        for image in [&c.old, &c.new].into_iter().flatten() {
            let row = decode_stored_row(&p.table, &c.row_key, image, &all)?;
            let values = p.keys.iter().map(|k| eval(k, &row, ctx)).collect::<Result<Vec<_>>>()?;
            out.insert(encode(&values), values);
        }
    }
    Ok(out)
}

/// A predicate true on exactly the base rows of `parts`.
fn partition_filter(keys: &[Expr], parts: &BTreeMap<Vec<u8>, Vec<Value>>) -> Expr {
    let lit = |v: &Value| Box::new(Expr::Literal(v.clone()));
    if let [key] = keys {
        if parts.values().all(|v| !v[0].is_null()) {
            return Expr::InList {
                expr: Box::new(key.clone()),
                list: parts.values().map(|v| *lit(&v[0])).collect(),
                negated: false,
            };
        }
    }
    let one = |values: &Vec<Value>| {
        keys.iter()
            .zip(values)
            .map(|(k, v)| Expr::Binary(BinaryOp::Is, Box::new(k.clone()), lit(v)))
            .reduce(|a, b| Expr::Binary(BinaryOp::And, Box::new(a), Box::new(b)))
            .unwrap_or(Expr::Literal(Value::Integer(1)))
    };
    parts
        .values()
        .map(one)
        .reduce(|a, b| Expr::Binary(BinaryOp::Or, Box::new(a), Box::new(b)))
        .unwrap_or(Expr::Literal(Value::Integer(0)))
}

/// Wraps every scan of `table` in `plan` in a filter on `pred`, reading it
/// through a key range `pred` allows when the scan has none of its own.
fn restrict(plan: &mut Plan, table: &TableDef, pred: &Expr) {
    for_each_scan_node(plan, &mut |node| {
        let Plan::Scan(sp) = node else { return };
        if sp.table.id != table.id {
            return;
        }
        let mut sp = sp.clone();
        if matches!(sp.access, Access::Full) {
            sp.access = choose(table, pred);
        }
        pred.walk(&mut |e| {
            if let Expr::Column(i) = e {
                if let Some(n) = sp.needed.get_mut(*i) {
                    *n = true;
                }
            }
        });
        *node = Plan::Filter { input: Box::new(Plan::Scan(sp)), pred: pred.clone() };
    });
}

/// The view's rows per partition: of `only` those partitions, or of all.
///
/// # Errors
/// Planning, storage and evaluation errors.
pub fn compute(
    p: &Partitioned,
    catalog: &Catalog,
    reader: &dyn Reader,
    ctx: &EvalCtx,
    only: Option<&BTreeMap<Vec<u8>, Vec<Value>>>,
) -> Result<BTreeMap<Vec<u8>, Vec<Vec<Value>>>> {
    let mut plan = plan_query(&p.query, catalog)?.plan;
    if let Some(parts) = only {
        restrict(&mut plan, &p.table, &partition_filter(&p.keys, parts));
    }
    let mut out: BTreeMap<Vec<u8>, Vec<Vec<Value>>> = BTreeMap::new();
    if let Some(parts) = only {
        // A partition whose rows all left still needs its stored rows removed.
        for k in parts.keys() {
            out.insert(k.clone(), Vec::new());
        }
    }
    let n = p.keys.len();
    for row in crate::exec::query::run(&plan, reader, ctx)? {
        let mut row = row?;
        let part = encode(&row.split_off(row.len().saturating_sub(n)));
        out.entry(part).or_default().push(row);
    }
    Ok(out)
}

/// The stored rows' key range of partition `part` of view `view_id`.
pub fn partition_bounds(view_id: u32, part: &[u8]) -> (std::ops::Bound<Vec<u8>>, std::ops::Bound<Vec<u8>>) {
    crate::storage::keys::prefix_bounds(&crate::storage::keys::row_key(view_id, &[&Value::Blob(part.to_vec())]))
}

/// The distinct partitions stored in a view (for a full refresh, which must
/// also remove partitions that no longer exist).
///
/// # Errors
/// Storage errors; damaged rows.
pub fn stored_partitions(reader: &dyn Reader, view: &TableDef) -> Result<BTreeSet<Vec<u8>>> {
    let (lo, hi) = crate::storage::keys::prefix_bounds(&crate::storage::keys::object_prefix(view.id));
    let part_at = view.columns.iter().position(|c| c.name == PART_COLUMN);
    let mut needed = vec![false; view.columns.len()];
    if let Some(i) = part_at {
        needed[i] = true;
    }
    let mut out = BTreeSet::new();
    for kv in reader.scan(crate::storage::Ks::Rows, lo, hi) {
        let (k, v) = kv?;
        let row = decode_stored_row(view, &k, &v, &needed)?;
        if let Some(Value::Blob(b)) = part_at.and_then(|i| row.get(i)) {
            out.insert(b.clone());
        }
    }
    Ok(out)
}
