//! Temporary files for rows that do not fit a statement's working memory.
//!
//! A [`SpillWriter`] appends rows (in the row codec's encoding, each behind
//! its length) to an anonymous file in the database directory; a
//! [`SpillReader`] reads them back in order. The files are unlinked as they
//! are created (`tempfile::tempfile_in`), so they vanish when dropped, when
//! a statement fails, and when the process is killed.
//!
//! [`RowSpool`] is the list every operator that keeps rows for later uses:
//! rows stay in memory while the statement's [`Grant`] can grow, and go to
//! a file when it cannot.

use super::memory::{row_bytes, Grant, WorkMemory};
use crate::error::{Error, Result};
use crate::types::rowcodec::{decode_row, encode_row_into};
use crate::types::Value;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

/// Read and write buffer of one temporary file.
const BUF_BYTES: usize = 32 * 1024;

fn io_err(e: std::io::Error) -> Error {
    Error::Io(format!("temporary file: {e}"))
}

/// Rows being written to a temporary file.
pub struct SpillWriter {
    out: BufWriter<File>,
    rows: u64,
    mem: Arc<WorkMemory>,
    buf: Vec<u8>,
}

impl SpillWriter {
    /// A new, empty temporary file.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn new(mem: &Arc<WorkMemory>) -> Result<SpillWriter> {
        let file = tempfile::tempfile_in(mem.dir()).map_err(io_err)?;
        Ok(SpillWriter {
            out: BufWriter::with_capacity(BUF_BYTES, file),
            rows: 0,
            mem: Arc::clone(mem),
            buf: Vec::new(),
        })
    }

    /// Appends one row.
    ///
    /// # Errors
    /// The write failed (a full disk, for instance).
    pub fn push(&mut self, row: &[Value]) -> Result<()> {
        self.buf.clear();
        encode_row_into(&mut self.buf, 0, row);
        let len = u32::try_from(self.buf.len()).map_err(|_| Error::NoMem("a row too large to spill".into()))?;
        self.out.write_all(&len.to_le_bytes()).map_err(io_err)?;
        self.out.write_all(&self.buf).map_err(io_err)?;
        self.mem.note_spilled(u64::from(len) + 4);
        self.rows += 1;
        Ok(())
    }

    /// Appends a (key, row) pair, read back with [`SpillReader::next_pair`].
    ///
    /// # Errors
    /// As [`SpillWriter::push`].
    pub fn push_pair(&mut self, key: &[Value], row: &[Value]) -> Result<()> {
        self.push(key)?;
        self.push(row)
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Finishes writing; the reader starts at the first row.
    ///
    /// # Errors
    /// Flushing or rewinding failed.
    pub fn finish(self) -> Result<SpillReader> {
        let mut file = self.out.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        Ok(SpillReader { input: BufReader::with_capacity(BUF_BYTES, file), rows: self.rows, left: self.rows })
    }
}

/// Files a spilling hash operator splits its overflow into per pass.
pub const PARTITIONS: usize = 16;

/// The partition file of a key at one pass (`depth`): each pass hashes
/// differently, so a file that is split again spreads over all its parts.
pub fn partition_of(key: &[Value], depth: u32) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    depth.hash(&mut h);
    key.hash(&mut h);
    (h.finish() % PARTITIONS as u64) as usize
}

/// [`PARTITIONS`] temporary files that rows go to by a hash of their key.
pub struct PartitionFiles {
    files: Vec<SpillWriter>,
    depth: u32,
}

impl PartitionFiles {
    /// Empty files for pass `depth`.
    ///
    /// # Errors
    /// A file cannot be created.
    pub fn new(mem: &Arc<WorkMemory>, depth: u32) -> Result<PartitionFiles> {
        Ok(PartitionFiles { files: (0..PARTITIONS).map(|_| SpillWriter::new(mem)).collect::<Result<_>>()?, depth })
    }

    /// Writes `records` (one logical entry, read back together) to `key`'s file.
    ///
    /// # Errors
    /// The write failed.
    pub fn push(&mut self, key: &[Value], records: &[&[Value]]) -> Result<()> {
        let f = &mut self.files[partition_of(key, self.depth)];
        records.iter().try_for_each(|r| f.push(r))
    }

    /// Every file, in partition order, ready to read.
    ///
    /// # Errors
    /// Flushing a file failed.
    pub fn finish(self) -> Result<Vec<SpillReader>> {
        self.files.into_iter().map(SpillWriter::finish).collect()
    }
}

/// Rows being read back from a temporary file, in the order written.
pub struct SpillReader {
    input: BufReader<File>,
    rows: u64,
    left: u64,
}

impl SpillReader {
    /// The next row, or `None` after the last.
    ///
    /// # Errors
    /// The read failed or the file is damaged.
    pub fn next_row(&mut self) -> Result<Option<Vec<Value>>> {
        if self.left == 0 {
            return Ok(None);
        }
        let mut len = [0u8; 4];
        self.input.read_exact(&mut len).map_err(io_err)?;
        let mut buf = vec![0u8; u32::from_le_bytes(len) as usize];
        self.input.read_exact(&mut buf).map_err(io_err)?;
        self.left -= 1;
        decode_row(&buf, 0).map(Some)
    }

    /// The next (key, row) pair written by [`SpillWriter::push_pair`].
    ///
    /// # Errors
    /// As [`SpillReader::next_row`]; a key without its row is damage.
    pub fn next_pair(&mut self) -> Result<Option<(Vec<Value>, Vec<Value>)>> {
        let Some(key) = self.next_row()? else { return Ok(None) };
        let row = self.next_row()?.ok_or_else(|| Error::Io("temporary file: a key without its row".into()))?;
        Ok(Some((key, row)))
    }

    /// Starts again from the first row.
    ///
    /// # Errors
    /// The seek failed.
    pub fn rewind(&mut self) -> Result<()> {
        self.input.seek(SeekFrom::Start(0)).map_err(io_err)?;
        self.left = self.rows;
        Ok(())
    }

    /// Rows in the file.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

impl Iterator for SpillReader {
    type Item = Result<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

/// A list of rows kept in memory while the statement's budget allows, and
/// in a temporary file past it. Read back in the order pushed.
pub struct RowSpool {
    grant: Grant,
    /// The rows after those in `file`.
    tail: Vec<Vec<Value>>,
    file: Option<SpillWriter>,
}

impl RowSpool {
    /// An empty spool drawing on `mem`.
    pub fn new(mem: &Arc<WorkMemory>) -> RowSpool {
        RowSpool { grant: mem.grant(), tail: Vec::new(), file: None }
    }

    /// Appends a row, moving the rows held so far to disk when the budget
    /// has no room for it.
    ///
    /// # Errors
    /// Writing the temporary file failed.
    pub fn push(&mut self, row: Vec<Value>) -> Result<()> {
        let bytes = row_bytes(&row);
        if !self.grant.try_grow(bytes) {
            let file = match &mut self.file {
                Some(f) => f,
                None => self.file.insert(SpillWriter::new(self.grant.memory())?),
            };
            for r in self.tail.drain(..) {
                file.push(&r)?;
            }
            self.tail = Vec::new();
            self.grant.release();
            if !self.grant.try_grow(bytes) {
                // Not even one row fits beside the other operators: it
                // goes straight to the file.
                return file.push(&row);
            }
        }
        self.tail.push(row);
        Ok(())
    }

    /// Whether any row went to disk.
    pub fn spilled(&self) -> bool {
        self.file.is_some()
    }

    /// Every row of `rows`, spooled.
    ///
    /// # Errors
    /// The rows' own errors; writing the temporary file failed.
    pub fn collect(rows: impl Iterator<Item = Result<Vec<Value>>>, mem: &Arc<WorkMemory>) -> Result<SpooledRows> {
        let mut spool = RowSpool::new(mem);
        for row in rows {
            spool.push(row?)?;
        }
        spool.finish()
    }

    /// All the rows in a temporary file (to be read more than once).
    ///
    /// # Errors
    /// Writing the file failed.
    pub fn into_file(mut self) -> Result<SpillReader> {
        let mut file = match self.file.take() {
            Some(f) => f,
            None => SpillWriter::new(self.grant.memory())?,
        };
        for r in self.tail.drain(..) {
            file.push(&r)?;
        }
        file.finish()
    }

    /// The rows, in the order pushed.
    ///
    /// # Errors
    /// Finishing the temporary file failed.
    pub fn finish(self) -> Result<SpooledRows> {
        let file = self.file.map(|f| f.finish().map(Box::new)).transpose()?;
        let len = file.as_ref().map_or(0, |f| f.rows()) as usize + self.tail.len();
        Ok(SpooledRows { file, tail: self.tail.into_iter(), len, _grant: Some(self.grant) })
    }
}

/// Rows read back from a [`RowSpool`] (or simply held in memory).
pub struct SpooledRows {
    /// Boxed: most results never spill, and a statement's outcome (these
    /// rows inside) is moved several times on the way to the caller.
    file: Option<Box<SpillReader>>,
    tail: std::vec::IntoIter<Vec<Value>>,
    len: usize,
    /// Keeps the tail's memory accounted until the rows are dropped.
    _grant: Option<Grant>,
}

impl SpooledRows {
    /// Rows held in memory, with no budget behind them.
    pub fn from_vec(rows: Vec<Vec<Value>>) -> SpooledRows {
        SpooledRows { file: None, len: rows.len(), tail: rows.into_iter(), _grant: None }
    }

    /// How many rows are left to read.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no row is left.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether any row is read from disk.
    pub fn spilled(&self) -> bool {
        self.file.is_some()
    }

    /// All remaining rows in memory.
    ///
    /// # Errors
    /// Reading the temporary file failed.
    pub fn into_vec(self) -> Result<Vec<Vec<Value>>> {
        self.collect()
    }
}

impl Default for SpooledRows {
    fn default() -> SpooledRows {
        SpooledRows::from_vec(Vec::new())
    }
}

impl std::fmt::Debug for SpooledRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpooledRows").field("len", &self.len).field("spilled", &self.spilled()).finish()
    }
}

impl Iterator for SpooledRows {
    type Item = Result<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(file) = &mut self.file {
            match file.next_row() {
                Ok(Some(row)) => {
                    self.len -= 1;
                    return Some(Ok(row));
                }
                Ok(None) => self.file = None,
                Err(e) => {
                    self.file = None;
                    self.len = 0;
                    return Some(Err(e));
                }
            }
        }
        let row = self.tail.next()?;
        self.len -= 1;
        Some(Ok(row))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spool_past_its_budget_reads_back_every_row_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mem = WorkMemory::new(4, Some(dir.path().to_path_buf()));
        let mut spool = RowSpool::new(&mem);
        let rows: Vec<Vec<Value>> =
            (0..20_000).map(|i| vec![Value::Integer(i), Value::Text(format!("row {i}")), Value::Null]).collect();
        for r in &rows {
            spool.push(r.clone()).unwrap();
        }
        assert!(spool.spilled());
        let back = spool.finish().unwrap();
        assert_eq!(back.len(), rows.len());
        assert_eq!(back.into_vec().unwrap(), rows);
        assert!(mem.peak() <= mem.limit());
        assert!(mem.spilled() > 0);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "temporary files are unlinked");
    }
}
