//! Batch-at-a-time scans: a table (or an index that holds every column a
//! scan needs) read from storage a page at a time, each row decoded into a
//! buffer that is reused from row to row.
//!
//! The row-at-a-time path hands every row up a chain of boxed iterators as
//! a freshly allocated `Vec<Value>`: storage builds a key and an image
//! slice per row, the scan allocates a row and its strings, the WHERE
//! drops the row it rejects. A [`BatchScan`] takes a page from storage
//! ([`Reader::scan_batches`]: plain slices into the page; for a read of the
//! past, `versions::scan_as_of_batches`: a page of rows as they were) and
//! decodes each row into one buffer whose values (and the strings in them)
//! are refilled in place. Operators that fold their input (aggregation, top-N) read that
//! buffer by reference through [`Rows`], so a row they do not keep
//! allocates nothing; every other operator takes each row out of it
//! ([`Rows::owned`]).
//!
//! The WHERE is evaluated as rows are handed out, one row at a time, with
//! the same [`eval_predicate`] as everywhere else: what a batch saves is the
//! machinery around each row, not SQL semantics. Handing out lazily also
//! keeps a `LIMIT` from evaluating rows it never reaches.

use super::eval::{eval_predicate, with_params_bound, EvalCtx};
use super::implied::Implied;
use super::index_row::IndexRow;
use super::scan::{as_of_lease, batch_ranges, decode_stored_row_into, KeyRange};
use super::RowIter;
use crate::error::{Error, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Plan, ScanPlan};
use crate::storage::{keys, versions, BatchIter, Bytes, Ks, Reader, RowBatch};
use crate::temporal::leases::Lease;
use crate::types::rowcodec::row_scn;
use crate::types::Value;
use std::borrow::Cow;

/// A scan through the primary key or a covering index (of the present, or
/// of the past `AS OF` a point through the primary key), and the WHERE
/// right above it, run a page at a time.
pub(super) struct BatchScan<'a> {
    reader: &'a dyn Reader,
    sp: &'a ScanPlan,
    /// The covering index read (its entries are the rows), or `None`: rows.
    covering: Option<IndexRow<'a>>,
    /// The WHERE, its parameters bound ([`with_params_bound`]).
    pred: Option<Cow<'a, Expr>>,
    /// The WHERE's terms the ranges read already answer, for rows of the
    /// right kind ([`Implied`]): such a row runs only the rest.
    implied: Option<Implied>,
    ctx: &'a EvalCtx<'a>,
    ranges: std::vec::IntoIter<KeyRange>,
    current: Option<BatchIter<'a>>,
    /// The point a read of the past reads at (leased while the scan runs),
    /// or `None`: the present.
    as_of: Option<Lease>,
}

impl<'a> BatchScan<'a> {
    /// The batch scan that runs `plan`, when `plan` is a scan (or a WHERE
    /// over one) that [`batch_ranges`] accepts.
    ///
    /// # Errors
    /// Evaluation errors in key expressions; an `AS OF` point that cannot
    /// be read.
    pub(super) fn of(plan: &'a Plan, reader: &'a dyn Reader, ctx: &'a EvalCtx<'a>) -> Result<Option<BatchScan<'a>>> {
        let (sp, pred) = match plan {
            Plan::Scan(sp) => (sp, None),
            Plan::Filter { input, pred } => match &**input {
                Plan::Scan(sp) => (sp, Some(pred)),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        let Some((ranges, covering)) = batch_ranges(sp, ctx)? else { return Ok(None) };
        let as_of = as_of_lease(reader, sp, ctx)?;
        let pred = match pred {
            Some(p) => Some(with_params_bound(p, ctx)?.map_or(Cow::Borrowed(p), Cow::Owned)),
            None => None,
        };
        // Through an ascending index, terms on its first column may be
        // answered by the range itself.
        let implied = match (covering.and_then(|i| sp.table.indexes.get(i)), &pred) {
            (Some(ix), Some(pred)) => match ix.columns.first() {
                Some(&(col, false)) => Implied::find(pred, col, &keys::object_prefix(ix.id), &ranges),
                _ => None,
            },
            _ => None,
        };
        let covering = covering.map(|i| IndexRow::new(&sp.table, i)).transpose()?;
        let ranges = ranges.into_iter();
        Ok(Some(BatchScan { reader, sp, covering, pred, implied, ctx, ranges, current: None, as_of }))
    }

    /// Row `i` of `stored` into `row`, as the row-at-a-time scan builds it.
    fn decode(&self, stored: &RowBatch, i: usize, row: &mut Vec<Value>) -> Result<()> {
        if row.capacity() == 0 {
            // New, or its last row was taken: allocated once, at full size
            // (the columns, the rowid and an SCN stamp).
            row.reserve_exact(self.sp.table.columns.len().max(self.sp.needed.len()) + 2);
        }
        if let Some(layout) = &self.covering {
            // An index entry: its key and the row key it points at.
            let row_key = stored.image(i);
            if layout.fill(&stored.key(i), row_key, row)? {
                return Ok(());
            }
            // A DECIMAL whose scale the key lacks: read the row.
            let table = &self.sp.table;
            let image = self
                .reader
                .get(Ks::Rows, row_key)?
                .ok_or_else(|| Error::Corrupt(format!("index of table {} points at a missing row", table.name)))?;
            row.clear();
            let rowid = || crate::storage::keys::decode_rowid(row_key);
            return decode_stored_row_into(table, rowid, &image, &self.sp.needed, row);
        }
        let image = stored.image(i);
        decode_stored_row_into(&self.sp.table, || stored.rowid(i), image, &self.sp.needed, row)?;
        if self.sp.with_scn {
            row.push(Value::Integer(row_scn(image)? as i64));
        }
        Ok(())
    }

    /// How many of `page`'s rows from `from` on pass the WHERE, for a
    /// covering-index scan whose ranges answer all of it ([`Implied`] with
    /// no rest): an entry whose first value is of an answered kind is
    /// counted from its key alone; any other is decoded into `row` and runs
    /// the WHERE.
    ///
    /// # Errors
    /// Damaged entries; the WHERE's evaluation errors.
    fn count_answered(&self, implied: &Implied, page: &RowBatch, from: usize, row: &mut Vec<Value>) -> Result<u64> {
        let mut n = 0;
        for i in from..page.len() {
            if keys::key_values(&page.key(i)).is_some_and(|values| implied.holds_key(values)) {
                n += 1;
                continue;
            }
            self.decode(page, i, row)?;
            let pred = if implied.holds(row) { implied.rest.as_ref() } else { self.pred.as_deref() };
            if pred.map_or(Ok(true), |p| eval_predicate(p, row, self.ctx))? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The next non-empty storage batch of the ranges, in order.
    fn next_stored(&mut self) -> Result<Option<RowBatch>> {
        loop {
            if let Some(current) = &mut self.current {
                match current.next() {
                    Some(Ok(b)) if b.is_empty() => continue,
                    Some(b) => return b.map(Some),
                    None => self.current = None,
                }
            }
            let ks = if self.covering.is_some() { Ks::Index } else { Ks::Rows };
            let as_of = self.as_of.as_ref().map(Lease::scn);
            match (self.ranges.next(), as_of) {
                (None, _) => return Ok(None),
                (Some(KeyRange::Span(lo, hi)), None) => self.current = Some(self.reader.scan_batches(ks, lo, hi)),
                (Some(KeyRange::Span(lo, hi)), Some(scn)) => {
                    self.current = Some(versions::scan_as_of_batches(self.reader, lo, hi, scn));
                }
                (Some(KeyRange::Point(k)), _) => {
                    let found = match as_of {
                        None => self.reader.get(ks, &k)?,
                        Some(scn) => versions::get_as_of(self.reader, &k, scn)?,
                    };
                    if let Some(image) = found {
                        return Ok(Some(RowBatch::entries(vec![(Bytes::from(k), image)])));
                    }
                }
            }
        }
    }
}

/// Rows read one at a time by reference: a batch scan's buffer, or the
/// rows of any other plan. A consumer may modify a row or take it
/// (`std::mem::take`); what it leaves is overwritten by the next row.
pub(super) enum Rows<'a> {
    /// Rows of a row-at-a-time iterator, each held here while it is read.
    Stream { iter: RowIter<'a>, row: Vec<Value> },
    /// Rows of a batch scan: the storage batch being read, the next row of
    /// it, and the buffer rows are decoded into.
    Batches { scan: BatchScan<'a>, stored: Option<RowBatch>, at: usize, row: Vec<Value>, failed: bool },
}

impl<'a> Rows<'a> {
    /// The rows of `plan`: batched when `plan` is a scan [`BatchScan::of`]
    /// runs, else row by row through [`super::query::run`].
    ///
    /// # Errors
    /// Errors starting the plan.
    pub(super) fn of(plan: &'a Plan, reader: &'a dyn Reader, ctx: &'a EvalCtx<'a>) -> Result<Rows<'a>> {
        Ok(match BatchScan::of(plan, reader, ctx)? {
            Some(scan) => Rows::batched(scan),
            None => Rows::stream(super::query::run(plan, reader, ctx)?),
        })
    }

    /// The rows of a batch scan.
    pub(super) fn batched(scan: BatchScan<'a>) -> Rows<'a> {
        Rows::Batches { scan, stored: None, at: 0, row: Vec::new(), failed: false }
    }

    /// The rows of a row iterator.
    pub(super) fn stream(iter: RowIter<'a>) -> Rows<'a> {
        Rows::Stream { iter, row: Vec::new() }
    }

    /// The next row, or `None` after the last. After an error, `None`.
    /// A batch scan checks for an interrupt once per storage batch.
    ///
    /// # Errors
    /// What producing the row failed with: storage errors, damaged rows,
    /// the WHERE's evaluation errors, an interrupt.
    pub(super) fn next_row(&mut self) -> Result<Option<&mut Vec<Value>>> {
        match self {
            Rows::Stream { iter, row } => match iter.next().transpose()? {
                Some(r) => {
                    *row = r;
                    Ok(Some(row))
                }
                None => Ok(None),
            },
            Rows::Batches { failed: true, .. } => Ok(None),
            Rows::Batches { scan, stored, at, row, failed } => {
                let step = (|| -> Result<bool> {
                    loop {
                        if let Some(page) = stored.as_ref().filter(|p| *at < p.len()) {
                            scan.decode(page, *at, row)?;
                            *at += 1;
                            let pred = match &scan.implied {
                                Some(implied) if implied.holds(row) => implied.rest.as_ref(),
                                _ => scan.pred.as_deref(),
                            };
                            match pred {
                                Some(pred) if !eval_predicate(pred, row, scan.ctx)? => continue,
                                _ => return Ok(true),
                            }
                        }
                        *stored = scan.next_stored()?;
                        *at = 0;
                        if stored.is_none() {
                            return Ok(false);
                        }
                        crate::interrupt::check()?;
                    }
                })();
                match step {
                    Ok(true) => Ok(Some(row)),
                    Ok(false) => Ok(None),
                    Err(e) => {
                        *failed = true;
                        Err(e)
                    }
                }
            }
        }
    }

    /// How many rows are left, counted without decoding them where no value
    /// is needed: a batch scan with no WHERE adds up its storage batches'
    /// lengths (`SELECT count(*) FROM t`, a dashboard's most common
    /// question, then reads each page but builds no row); any other input is
    /// read row by row.
    ///
    /// # Errors
    /// As [`Rows::next_row`].
    pub(super) fn count(&mut self) -> Result<u64> {
        if let Rows::Batches { scan, stored, at, failed: false, .. } = self {
            if scan.pred.is_none() {
                let mut n = stored.take().map_or(0, |page| page.len().saturating_sub(*at)) as u64;
                while let Some(page) = scan.next_stored()? {
                    n += page.len() as u64;
                    crate::interrupt::check()?;
                }
                return Ok(n);
            }
        }
        if let Rows::Batches { scan, stored, at, row, failed: false } = self {
            // A covering-index range that answers the whole WHERE
            // (`count(*) … WHERE ts > ?`): entries counted by their keys.
            // (Taken out of the scan, which the count reads to its end.)
            if let Some(implied) = scan.implied.take_if(|i| i.rest.is_none() && scan.covering.is_some()) {
                let mut n = match stored.take() {
                    Some(page) => scan.count_answered(&implied, &page, *at, row)?,
                    None => 0,
                };
                while let Some(page) = scan.next_stored()? {
                    n += scan.count_answered(&implied, &page, 0, row)?;
                    crate::interrupt::check()?;
                }
                return Ok(n);
            }
        }
        let mut n = 0;
        while self.next_row()?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    /// The rows as owned values, for operators that keep every row.
    pub(super) fn owned(self) -> RowIter<'a> {
        match self {
            Rows::Stream { iter, .. } => iter,
            mut rows => {
                Box::new(std::iter::from_fn(move || rows.next_row().map(|r| r.map(std::mem::take)).transpose()))
            }
        }
    }
}
