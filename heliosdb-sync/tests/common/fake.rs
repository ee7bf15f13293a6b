//! A fabricated change source: tables kept in memory, every transaction
//! logged as the change rows `heliosdb_changes` returns (the JSON format of
//! the feed), so the shipper and the PostgreSQL side can be tested without
//! the core's change feed.
#![allow(dead_code)]

use super::{canon_row, Canon};
use heliosdb_sync::change::{Change, JsonRow, Op};
use heliosdb_sync::schema::TableSchema;
use heliosdb_sync::source::{ChangeSource, FeedInfo};
use heliosdb_sync::{Result, SyncError};
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, HashMap};

/// Rows of one table: key fingerprint → (key object, row).
type Table = BTreeMap<String, (JsonRow, JsonRow)>;
type State = HashMap<String, Table>;

pub struct Fake {
    pub schemas: HashMap<String, TableSchema>,
    state: State,
    history: BTreeMap<u64, State>,
    pub log: Vec<Change>,
    pub scn: u64,
    pub acked: u64,
    pub feed_tables: Vec<String>,
    next_rowid: i64,
    pending: Vec<Change>,
    /// Acknowledgements fail with Busy while this is > 0 (counts down).
    pub failing_acks: usize,
    /// The initial snapshot fails (a `Data` error) after handing over this many rows.
    pub snapshot_fails_after: Option<usize>,
}

pub fn schema(name: &str, cols: &[(&str, &str, u32)]) -> TableSchema {
    TableSchema::new(name, cols.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), *c)).collect()).unwrap()
}

impl Fake {
    pub fn new(tables: Vec<TableSchema>) -> Fake {
        let feed_tables = tables.iter().map(|t| t.name.clone()).collect();
        let state: State = tables.iter().map(|t| (t.name.clone(), Table::new())).collect();
        Fake {
            schemas: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
            history: BTreeMap::from([(0, state.clone())]),
            state,
            log: Vec::new(),
            scn: 0,
            acked: 0,
            feed_tables,
            next_rowid: 1,
            pending: Vec::new(),
            failing_acks: 0,
            snapshot_fails_after: None,
        }
    }

    fn key_of(&mut self, table: &str, row: &JsonRow) -> JsonRow {
        let s = &self.schemas[table];
        let mut key = JsonRow::new();
        if s.rowid {
            key.insert("rowid".into(), json!(self.next_rowid));
            self.next_rowid += 1;
        } else {
            for k in &s.key {
                key.insert(k.clone(), row[k].clone());
            }
        }
        key
    }

    fn fp(key: &JsonRow) -> String {
        serde_json::to_string(key).unwrap()
    }

    fn push(&mut self, table: &str, op: Op, key: JsonRow, before: Option<JsonRow>, after: Option<JsonRow>) {
        self.pending.push(Change {
            scn: 0,
            txid: 0,
            commit_time: String::new(),
            table: table.into(),
            op,
            key,
            before,
            after,
        });
    }

    pub fn insert(&mut self, table: &str, row: Json) -> JsonRow {
        let row = row.as_object().unwrap().clone();
        let key = self.key_of(table, &row);
        let t = self.state.get_mut(table).unwrap();
        assert!(t.insert(Self::fp(&key), (key.clone(), row.clone())).is_none(), "duplicate key in the fake");
        self.push(table, Op::Insert, key.clone(), None, Some(row));
        key
    }

    /// Changes the row under `key` (a primary-key change moves it).
    pub fn update(&mut self, table: &str, key: &JsonRow, set: Json) -> JsonRow {
        let t = self.state.get_mut(table).unwrap();
        let (k, before) = t.remove(&Self::fp(key)).expect("update of a missing row");
        let mut after = before.clone();
        for (c, v) in set.as_object().unwrap() {
            after.insert(c.clone(), v.clone());
        }
        let s = &self.schemas[table];
        let new_key: JsonRow =
            if s.rowid { k.clone() } else { s.key.iter().map(|c| (c.clone(), after[c].clone())).collect() };
        let t = self.state.get_mut(table).unwrap();
        t.insert(Self::fp(&new_key), (new_key.clone(), after.clone()));
        self.push(table, Op::Update, k, Some(before), Some(after));
        new_key
    }

    pub fn delete(&mut self, table: &str, key: &JsonRow) {
        let (k, before) = self.state.get_mut(table).unwrap().remove(&Self::fp(key)).expect("delete of a missing row");
        self.push(table, Op::Delete, k, Some(before), None);
    }

    pub fn keys(&self, table: &str) -> Vec<JsonRow> {
        self.state[table].values().map(|(k, _)| k.clone()).collect()
    }

    /// Commits the pending changes as one transaction (an empty one still takes an SCN).
    pub fn commit(&mut self) -> u64 {
        self.scn += 1;
        let scn = self.scn;
        for mut c in std::mem::take(&mut self.pending) {
            c.scn = scn;
            c.txid = scn + 100;
            c.commit_time = format!("2024-06-01 00:00:{:02}.000000", scn % 60);
            self.log.push(c);
        }
        self.history.insert(scn, self.state.clone());
        scn
    }

    /// Creates the feed now: it starts at the current SCN.
    pub fn start_feed(&mut self) {
        self.acked = self.scn;
        self.log.clear();
    }

    /// Table `name` as of `scn`, canonical.
    pub fn expected(&self, name: &str, scn: u64) -> Canon {
        let state = self.history.range(..=scn).next_back().map(|(_, s)| s).unwrap();
        let s = &self.schemas[name];
        state[name].values().map(|(k, row)| canon_row(s, k.get("rowid"), row)).collect()
    }
}

impl ChangeSource for Fake {
    fn feed(&mut self, name: &str) -> Result<Option<FeedInfo>> {
        let pending = self.log.iter().filter(|c| c.scn > self.acked).count() as u64;
        Ok(Some(FeedInfo {
            name: name.into(),
            tables: self.feed_tables.clone(),
            acked_scn: self.acked,
            pending_changes: pending,
            lag_sec: 0.0,
        }))
    }

    fn create_feed(&mut self, _name: &str, _tables: &[String]) -> Result<()> {
        Err(SyncError::Data("the fake's feed always exists".into()))
    }

    fn changes(&mut self, _feed: &str, after_scn: u64, max_rows: usize) -> Result<Vec<Change>> {
        let mut out: Vec<Change> = Vec::new();
        for c in self.log.iter().filter(|c| c.scn > after_scn) {
            if out.len() >= max_rows && out.last().is_some_and(|l| l.scn != c.scn) {
                break;
            }
            out.push(c.clone());
        }
        Ok(out)
    }

    fn ack(&mut self, _feed: &str, scn: u64) -> Result<u64> {
        if self.failing_acks > 0 {
            self.failing_acks -= 1;
            return Err(SyncError::Source(heliosdb_lite::Error::Busy("fake: database is locked".into())));
        }
        if scn > self.scn {
            return Err(SyncError::Data(format!("ack of scn {scn} beyond the newest commit {}", self.scn)));
        }
        self.acked = self.acked.max(scn);
        Ok(self.acked)
    }

    fn table_schema(&mut self, table: &str) -> Result<TableSchema> {
        self.schemas.get(table).cloned().ok_or_else(|| SyncError::Data(format!("no table {table}")))
    }

    fn snapshot(&mut self, table: &TableSchema, scn: u64, each: &mut dyn FnMut(Change) -> Result<()>) -> Result<()> {
        let state = self.history.range(..=scn).next_back().map(|(_, s)| s).unwrap();
        let fails = &mut self.snapshot_fails_after;
        state[&table.name]
            .values()
            .map(|(k, row)| Change {
                scn,
                txid: 0,
                commit_time: String::new(),
                table: table.name.clone(),
                op: Op::Insert,
                key: k.clone(),
                before: None,
                after: Some(row.clone()),
            })
            .try_for_each(|c| match fails {
                Some(0) => {
                    *fails = None;
                    Err(SyncError::Data("injected: the snapshot read failed".into()))
                }
                Some(n) => {
                    *n -= 1;
                    each(c)
                }
                None => each(c),
            })
    }
}
