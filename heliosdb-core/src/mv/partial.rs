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

use super::refresh::put_if_changed;
use crate::catalog::{Catalog, TableDef};
use crate::error::Result;
use crate::exec::eval::{eval, EvalCtx};
use crate::exec::scan::decode_stored_row;
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::{Access, Plan};
use crate::sql::planner::access::choose;
use crate::sql::planner::select::{for_each_scan_node, plan_query};
use crate::storage::{changes, Reader};
use crate::storage::{keys, Ks, WriteTx};
use crate::types::keycode::encode_value;
use crate::types::rowcodec::{encode_row, row_scn};
use crate::types::Value;
use sqlparser::ast;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Hidden column: the encoded partition a stored row belongs to.
pub const PART_COLUMN: &str = "heliosdb_part";
/// Hidden column: the row's ordinal within its partition.
pub const SEQ_COLUMN: &str = "heliosdb_seq";
/// More affected partitions than this: recompute the whole view (one scan
/// beats a filter with this many alternatives on every row).
pub const MAX_PARTITIONS: usize = 256;

pub use super::partition_shapes::analyze;

/// One base table of a partitioned view and the expressions over its rows
/// that name a row's partition.
#[derive(Debug, Clone)]
pub struct Side {
    /// The table.
    pub table: Arc<TableDef>,
    /// Partition expressions over a row of `table`.
    pub keys: Vec<Expr>,
}

/// What a partition of a view is.
#[derive(Debug, Clone)]
pub enum Unit {
    /// Rows whose partition expressions agree, per base table (window
    /// partitions, groups, a LEFT JOIN's equi-join key). The query's output
    /// ends with the partition expressions.
    Keys(Vec<Side>),
    /// The branches of a UNION ALL: branch `i` reads the tables in `tables[i]`
    /// and is recomputed alone by `queries[i]`.
    Branches {
        /// Base table ids per branch.
        tables: Vec<Vec<u32>>,
        /// Each branch as a query of its own.
        queries: Vec<ast::Query>,
    },
    /// `ORDER BY … LIMIT n` over one table: one partition, recomputed only
    /// when a changed row sorts at or before the current last row. The
    /// query's output ends with the sort keys, kept in hidden columns.
    TopN {
        /// The table.
        table: Arc<TableDef>,
        /// The WHERE, over a row of `table`.
        filter: Option<Expr>,
        /// Sort keys over a row of `table`: (expression, descending).
        order: Vec<(Expr, bool)>,
        /// The LIMIT (plus OFFSET): rows the view can hold.
        limit: usize,
    },
}

/// A view maintained by recomputing partitions.
#[derive(Debug, Clone)]
pub struct Partitioned {
    /// What a partition is.
    pub unit: Unit,
    /// The defining query, its output extended as [`Unit`] says.
    pub query: ast::Query,
    /// What a partition is, for notices (`the PARTITION BY category partitions`).
    pub what: String,
}

/// Hidden column holding sort key `i` of a top-N view.
pub fn sort_column(i: usize) -> String {
    format!("heliosdb_sort_{i}")
}

/// The encoded form of a partition's values (its key in the view).
pub fn encode(values: &[Value]) -> Vec<u8> {
    let mut key = Vec::new();
    for v in values {
        encode_value(&mut key, v);
    }
    key
}

/// The partitions the base tables' changes between SCN `from` and the
/// reader's snapshot touch (by encoded key, with their values); `view`'s
/// stored rows serve a top-N view's test.
///
/// # Errors
/// Storage and evaluation errors.
pub fn affected(
    p: &Partitioned,
    view: &TableDef,
    reader: &dyn Reader,
    from: u64,
    ctx: &EvalCtx,
) -> Result<BTreeMap<Vec<u8>, Vec<Value>>> {
    let now = reader.snapshot_scn();
    let mut out = BTreeMap::new();
    let images = |t: &TableDef, f: &mut dyn FnMut(Vec<Value>) -> Result<()>| -> Result<()> {
        let all = vec![true; t.columns.len()];
        changes::for_each(reader, t.id, from, now, &mut |c| {
            for image in [c.old, c.new].into_iter().flatten() {
                f(decode_stored_row(t, c.row_key, image, &all)?)?;
            }
            Ok(())
        })
    };
    match &p.unit {
        Unit::Keys(sides) => {
            for side in sides {
                images(&side.table, &mut |row| {
                    let values = side.keys.iter().map(|k| eval(k, &row, ctx)).collect::<Result<Vec<_>>>()?;
                    out.insert(encode(&values), values);
                    Ok(())
                })?;
            }
        }
        Unit::Branches { tables, .. } => {
            for (i, ids) in tables.iter().enumerate() {
                let changed = ids.iter().map(|id| changes::read(reader, *id, from, now)).collect::<Result<Vec<_>>>()?;
                if changed.iter().any(|c| !c.is_empty()) {
                    let values = vec![Value::Integer(i as i64)];
                    out.insert(encode(&values), values);
                }
            }
        }
        Unit::TopN { table, filter, order, limit } => {
            let last = super::topn::last_stored(reader, view, *limit, order.len())?;
            let mut reaches = false;
            images(table, &mut |row| {
                reaches = reaches || super::topn::reaches(filter.as_ref(), order, &row, last.as_deref(), ctx)?;
                Ok(())
            })?;
            if reaches {
                out.insert(Vec::new(), Vec::new());
            }
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
    let mut out: BTreeMap<Vec<u8>, Vec<Vec<Value>>> = BTreeMap::new();
    if only.is_some_and(BTreeMap::is_empty) {
        return Ok(out); // nothing changed that reaches the view
    }
    if let Some(parts) = only {
        // A partition whose rows all left still needs its stored rows removed.
        for k in parts.keys() {
            out.insert(k.clone(), Vec::new());
        }
    }
    let run = |plan: &Plan, out: &mut BTreeMap<Vec<u8>, Vec<Vec<Value>>>, tail: usize, part: Option<&[u8]>| {
        for row in crate::exec::query::run(plan, reader, ctx)? {
            let mut row = row?;
            let key = match part {
                Some(k) => k.to_vec(),
                None => encode(&row.split_off(row.len().saturating_sub(tail))),
            };
            out.entry(key).or_default().push(row);
        }
        Ok::<(), crate::error::Error>(())
    };
    match &p.unit {
        Unit::Keys(sides) => {
            let mut plan = plan_query(&p.query, catalog)?.plan;
            if let Some(parts) = only {
                for side in sides {
                    restrict(&mut plan, &side.table, &partition_filter(&side.keys, parts));
                }
            }
            run(&plan, &mut out, sides.first().map_or(0, |s| s.keys.len()), None)?;
        }
        Unit::Branches { queries, .. } => {
            for (i, q) in queries.iter().enumerate() {
                let key = encode(&[Value::Integer(i as i64)]);
                if only.is_some_and(|parts| !parts.contains_key(&key)) {
                    continue;
                }
                run(&plan_query(q, catalog)?.plan, &mut out, 0, Some(&key))?;
            }
        }
        Unit::TopN { .. } => {
            // The sort keys stay in the rows (hidden columns); one partition.
            run(&plan_query(&p.query, catalog)?.plan, &mut out, 0, Some(&[]))?;
        }
    }
    Ok(out)
}

/// The stored rows' key range of partition `part` of view `view_id`.
pub fn partition_bounds(view_id: u32, part: &[u8]) -> (std::ops::Bound<Vec<u8>>, std::ops::Bound<Vec<u8>>) {
    crate::storage::keys::prefix_bounds(&crate::storage::keys::row_key(view_id, &[&Value::Blob(part.to_vec())]))
}

/// A stable 64-bit hash of a row's bytes (FNV-1a): where a row is stored
/// within its partition, so an unchanged row keeps its key.
fn content_slot(bytes: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 1) as i64
}

/// Replaces the stored rows of partition `part` with `new_rows` inside
/// `tx`; returns the rows written or removed. Positional partitions keep
/// query order (row `i` under ordinal `i`); the others store each row under
/// a slot derived from its content, so rows present before and after are
/// left alone and only the difference is written.
///
/// # Errors
/// Storage errors; damaged rows.
pub fn write_partition(
    tx: &mut WriteTx,
    view: &TableDef,
    part: &[u8],
    new_rows: Vec<Vec<Value>>,
    positional: bool,
) -> Result<u64> {
    let width = view.columns.len().saturating_sub(2);
    let all = vec![true; view.columns.len()];
    let (lo, hi) = partition_bounds(view.id, part);
    // Each old row with its SCN stamp, so replacing it needs no second read.
    let old: Vec<(Vec<Value>, u64)> = tx
        .scan(Ks::Rows, lo, hi)
        .map(|kv| {
            let (k, v) = kv?;
            Ok((decode_stored_row(view, &k, &v, &all)?, row_scn(&v)?))
        })
        .collect::<Result<_>>()?;
    let key = |seq: i64| keys::row_key(view.id, &[&Value::Blob(part.to_vec()), &Value::Integer(seq)]);
    let stored = |mut r: Vec<Value>, seq: i64| {
        r.truncate(width);
        r.push(Value::Blob(part.to_vec()));
        r.push(Value::Integer(seq));
        r
    };
    let mut changed = 0;
    if positional {
        let (mut old, mut new_rows) = (old.into_iter(), new_rows.into_iter());
        for seq in 0i64.. {
            let (o, n) = (old.next(), new_rows.next());
            if o.is_none() && n.is_none() {
                break;
            }
            let (o, scn) = o.map_or((None, None), |(r, scn)| (Some(r), Some(scn)));
            changed += put_if_changed(tx, view, key(seq), o, n.map(|r| stored(r, seq)), scn)?;
        }
        return Ok(changed);
    }
    // Old rows by content; a new row equal to one of them keeps it.
    let seq_of = |r: &[Value]| if let Some(Value::Integer(s)) = r.get(width + 1) { *s } else { 0 };
    let mut pool: HashMap<Vec<u8>, Vec<(Vec<Value>, u64)>> = HashMap::new();
    let mut used: HashSet<i64> = HashSet::new();
    for (r, scn) in old {
        used.insert(seq_of(&r));
        pool.entry(encode_row(0, &r[..width.min(r.len())])).or_default().push((r, scn));
    }
    let mut fresh = Vec::new();
    for mut r in new_rows {
        r.truncate(width);
        let bytes = encode_row(0, &r);
        match pool.get_mut(&bytes).and_then(Vec::pop) {
            Some(_) => {}
            None => fresh.push((r, bytes)),
        }
    }
    // A row that left and one that came pair up as an update in place;
    // what is left over is removed, or stored under a slot of its own.
    let mut gone = pool.into_values().flatten();
    let mut fresh = fresh.into_iter();
    loop {
        match (gone.next(), fresh.next()) {
            (Some((g, scn)), Some((r, _))) => {
                let seq = seq_of(&g);
                changed += put_if_changed(tx, view, key(seq), Some(g), Some(stored(r, seq)), Some(scn))?;
            }
            (Some((g, scn)), None) => {
                changed += put_if_changed(tx, view, key(seq_of(&g)), Some(g), None, Some(scn))?;
            }
            (None, Some(f)) => {
                let (r, bytes) = f;
                let mut seq = content_slot(&bytes);
                while !used.insert(seq) {
                    seq = seq.wrapping_add(1) & i64::MAX;
                }
                changed += put_if_changed(tx, view, key(seq), None, Some(stored(r, seq)), None)?;
            }
            (None, None) => break,
        }
    }
    Ok(changed)
}

/// The distinct partitions stored in a view (for a full refresh, which must
/// also remove partitions that no longer exist).
///
/// # Errors
/// Storage errors; damaged rows.
pub fn stored_partitions(reader: &dyn Reader, view: &TableDef) -> Result<BTreeSet<Vec<u8>>> {
    let (mut lo, hi) = crate::storage::keys::prefix_bounds(&crate::storage::keys::object_prefix(view.id));
    let mut out = BTreeSet::new();
    let Some(part_at) = view.columns.iter().position(|c| c.name == PART_COLUMN) else { return Ok(out) };
    let mut needed = vec![false; view.columns.len()];
    needed[part_at] = true;
    // One row per partition: after reading a partition's first row the
    // scan starts again past the partition's key range (a seek), so the
    // cost follows the number of partitions, not of rows.
    loop {
        let Some(kv) = reader.scan(crate::storage::Ks::Rows, lo.clone(), hi.clone()).next() else { break };
        let (k, v) = kv?;
        let row = decode_stored_row(view, &k, &v, &needed)?;
        let Some(Value::Blob(b)) = row.get(part_at) else {
            return Err(crate::error::Error::Corrupt(format!("materialized view {} lost a partition key", view.name)));
        };
        out.insert(b.clone());
        let std::ops::Bound::Excluded(next) = partition_bounds(view.id, b).1 else { break };
        lo = std::ops::Bound::Included(next);
    }
    Ok(out)
}
