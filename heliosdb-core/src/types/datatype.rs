//! Column types and the mapping from SQL type names.

use crate::error::{sql_err, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The declared type of a column.
///
/// Columns are typed like SQLite STRICT tables: a value stored in a column is
/// converted to the column's type when that loses nothing, and rejected
/// otherwise. `Any` (a column declared without a type) stores values as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataType {
    /// 64-bit signed integer.
    Integer,
    /// Double-precision float.
    Real,
    /// UTF-8 text.
    Text,
    /// Bytes.
    Blob,
    /// TRUE/FALSE.
    Boolean,
    /// Exact decimal with `precision` total digits and `scale` fractional ones.
    Decimal {
        /// Total significant digits (at most 28).
        precision: u8,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// No declared type: any value.
    Any,
    /// Text that must be well-formed JSON (checked on write).
    Json,
}

/// A column's affinity for comparisons (SQLite's rule): whether a value
/// compared with the column is first read as a number, as text, or as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    /// No conversion (BLOB and ANY columns).
    Blob,
    /// Numbers become text.
    Text,
    /// Text that is a number becomes that number (INTEGER, REAL, BOOLEAN,
    /// DECIMAL columns).
    Numeric,
}

/// The largest DECIMAL precision the engine represents exactly.
pub const MAX_DECIMAL_PRECISION: u8 = 28;

impl DataType {
    /// The comparison affinity of a column of this type.
    pub fn affinity(self) -> Affinity {
        match self {
            DataType::Integer | DataType::Real | DataType::Boolean | DataType::Decimal { .. } => Affinity::Numeric,
            DataType::Text | DataType::Json => Affinity::Text,
            DataType::Blob | DataType::Any => Affinity::Blob,
        }
    }

    /// Maps a SQL type name (as written in CREATE TABLE or CAST) to a type,
    /// using SQLite's affinity rules for names it does not know exactly.
    ///
    /// # Errors
    /// A DECIMAL whose precision or scale is out of range.
    pub fn from_sql_name(name: &str, args: &[u64]) -> Result<DataType> {
        let upper = name.to_ascii_uppercase();
        if upper == "JSON" {
            return Ok(DataType::Json);
        }
        if upper.contains("INT") {
            return Ok(DataType::Integer);
        }
        if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") || upper.contains("STRING") {
            return Ok(DataType::Text);
        }
        if upper.contains("BLOB") || upper.contains("BINARY") || upper == "BYTEA" {
            return Ok(DataType::Blob);
        }
        if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
            return Ok(DataType::Real);
        }
        if upper.starts_with("BOOL") {
            return Ok(DataType::Boolean);
        }
        if upper.contains("DEC") || upper.contains("NUMERIC") {
            let precision = args.first().copied().unwrap_or(u64::from(MAX_DECIMAL_PRECISION));
            let scale = args.get(1).copied().unwrap_or(0);
            if precision == 0 || precision > u64::from(MAX_DECIMAL_PRECISION) {
                return Err(sql_err!("DECIMAL precision {precision} is out of range (1 to {MAX_DECIMAL_PRECISION})"));
            }
            if scale > precision {
                return Err(sql_err!("DECIMAL scale {scale} is larger than its precision {precision}"));
            }
            return Ok(DataType::Decimal { precision: precision as u8, scale: scale as u8 });
        }
        if upper.is_empty() || upper == "ANY" {
            return Ok(DataType::Any);
        }
        // SQLite gives unknown names NUMERIC affinity; a STRICT-like engine
        // should not silently invent a type, so the name is rejected.
        Err(sql_err!("unknown data type {name}"))
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataType::Integer => f.write_str("INTEGER"),
            DataType::Real => f.write_str("REAL"),
            DataType::Text => f.write_str("TEXT"),
            DataType::Blob => f.write_str("BLOB"),
            DataType::Boolean => f.write_str("BOOLEAN"),
            DataType::Decimal { precision, scale } => write!(f, "DECIMAL({precision},{scale})"),
            DataType::Any => f.write_str("ANY"),
            DataType::Json => f.write_str("JSON"),
        }
    }
}
