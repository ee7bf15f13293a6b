//! What the differential tests share: heliosdb-core's seeded generator
//! (the same file, so the two crates' randomized tests replay alike), plus
//! the picks a query generator needs, and running one query on HeliosDB
//! and on SQLite (rusqlite) with results as comparable cells.

#![allow(dead_code)] // each test binary uses its own part

use heliosdb_core::Value;

#[path = "../../../heliosdb-core/tests/common/mod.rs"]
mod core_common;

pub use core_common::Rng;

/// Query-generator helpers on [`Rng`].
#[allow(dead_code)] // each test uses its own subset
pub trait Pick {
    /// One of `xs`.
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str;
    /// A number in `lo..=hi`.
    fn int_in(&mut self, lo: i64, hi: i64) -> i64;
    /// A small integer, -10..=10.
    fn int(&mut self) -> i64 {
        self.int_in(-10, 10)
    }
}

impl Pick for Rng {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn int_in(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// One result value as both engines can report it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Num(f64),
    Text(String),
}

/// Equal, numbers within a relative 1e-9.
pub fn same(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Num(x), Cell::Num(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

/// A total order on cells (for comparing results as multisets).
pub fn cell_order(a: &Cell, b: &Cell) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Cell::Null, Cell::Null) => Equal,
        (Cell::Null, _) => Less,
        (_, Cell::Null) => Greater,
        (Cell::Num(x), Cell::Num(y)) => x.partial_cmp(y).unwrap_or(Equal),
        (Cell::Num(_), _) => Less,
        (_, Cell::Num(_)) => Greater,
        (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
    }
}

/// A query's rows on HeliosDB, or its error text.
pub fn helios_rows(conn: &heliosdb_core::Connection, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
    let mut st = conn.prepare(sql).map_err(|e| e.to_string())?;
    let mut rows = st.query(()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(|e| e.to_string())? {
        out.push(
            r.values()
                .iter()
                .map(|v| match v {
                    Value::Null => Cell::Null,
                    Value::Text(s) => Cell::Text(s.clone()),
                    other => Cell::Num(other.as_f64().unwrap_or(f64::NAN)),
                })
                .collect(),
        );
    }
    Ok(out)
}

/// A query's rows on SQLite, or its error text.
pub fn sqlite_rows(conn: &rusqlite::Connection, sql: &str) -> Result<Vec<Vec<Cell>>, String> {
    let mut st = conn.prepare(sql).map_err(|e| e.to_string())?;
    let n = st.column_count();
    let mut rows = st.query([]).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(|e| e.to_string())? {
        let mut row = Vec::new();
        for i in 0..n {
            row.push(match r.get_ref(i).map_err(|e| e.to_string())? {
                rusqlite::types::ValueRef::Null => Cell::Null,
                rusqlite::types::ValueRef::Integer(i) => Cell::Num(i as f64),
                rusqlite::types::ValueRef::Real(f) => Cell::Num(f),
                rusqlite::types::ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                rusqlite::types::ValueRef::Blob(b) => Cell::Text(format!("{b:?}")),
            });
        }
        out.push(row);
    }
    Ok(out)
}

/// Whether two results agree: the same rows, in the same order if
/// `ordered`, otherwise as multisets.
pub fn results_agree(mut x: Vec<Vec<Cell>>, mut y: Vec<Vec<Cell>>, ordered: bool) -> bool {
    if !ordered {
        let key = |a: &Vec<Cell>, b: &Vec<Cell>| {
            a.iter().zip(b).map(|(p, q)| cell_order(p, q)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
        };
        x.sort_by(key);
        y.sort_by(key);
    }
    x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| p.len() == q.len() && p.iter().zip(q).all(|(u, v)| same(u, v)))
}

/// One result value typed exactly as SQLite types it (REAL by its bits), for
/// the differential tests that require the same types and digits.
#[derive(Debug, Clone, PartialEq)]
pub enum Exact {
    Null,
    Int(i64),
    Real(u64),
    Text(String),
    Blob(Vec<u8>),
}

/// A HeliosDB value as an [`Exact`] cell.
pub fn exact(v: &Value) -> Exact {
    match v {
        Value::Null => Exact::Null,
        Value::Integer(i) => Exact::Int(*i),
        Value::Boolean(b) => Exact::Int(i64::from(*b)),
        Value::Real(f) => Exact::Real(f.to_bits()),
        Value::Text(s) => Exact::Text(s.clone()),
        Value::Blob(b) => Exact::Blob(b.clone()),
        other => Exact::Text(other.to_string()),
    }
}

/// A query's rows on HeliosDB as [`Exact`] cells, or its error text.
pub fn helios_exact_rows(conn: &heliosdb_core::Connection, sql: &str) -> Result<Vec<Vec<Exact>>, String> {
    let mut st = conn.prepare(sql).map_err(|e| e.to_string())?;
    let mut rows = st.query(()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        out.push(row.values().iter().map(exact).collect());
    }
    Ok(out)
}

/// A query's rows on SQLite as [`Exact`] cells, or its error text.
pub fn sqlite_exact_rows(conn: &rusqlite::Connection, sql: &str) -> Result<Vec<Vec<Exact>>, String> {
    use rusqlite::types::ValueRef;
    let mut st = conn.prepare(sql).map_err(|e| e.to_string())?;
    let n = st.column_count();
    let mut rows = st.query([]).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(|e| e.to_string())? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            row.push(match r.get_ref(i).map_err(|e| e.to_string())? {
                ValueRef::Null => Exact::Null,
                ValueRef::Integer(i) => Exact::Int(i),
                ValueRef::Real(f) => Exact::Real(f.to_bits()),
                ValueRef::Text(t) => Exact::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Exact::Blob(b.to_vec()),
            });
        }
        out.push(row);
    }
    Ok(out)
}
