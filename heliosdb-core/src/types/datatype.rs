//! Column types and the mapping from SQL type names.

use crate::error::{sql_err, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The declared type of a column.
///
/// Columns of the engine's own types are typed like SQLite STRICT tables: a
/// value stored in a column is converted to the column's type when that loses
/// nothing, and rejected otherwise. `Any` (a column declared without a type)
/// stores values as given; `Numeric` (a type name the engine does not know)
/// follows SQLite's NUMERIC affinity; the date/time types store canonical
/// ISO-8601 text (see [`TemporalKind`]).
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
    /// A date, time or timestamp, stored as canonical ISO-8601 text.
    Temporal(TemporalKind),
    /// A type name the engine does not know (`UUID`, `MONEY`, …) or bare
    /// `NUMERIC`: SQLite's NUMERIC affinity. Text that is entirely a number
    /// is stored as that number (an integral one as INTEGER); anything else
    /// is stored as given.
    Numeric,
}

/// The date/time column types. Values are stored as the text SQLite's date
/// functions produce, in UTC, so text order is time order:
///
/// | type | stored as |
/// | --- | --- |
/// | `DATE` | `YYYY-MM-DD` |
/// | `TIME` | `HH:MM:SS`, `HH:MM:SS.SSS` when it has milliseconds |
/// | `TIMESTAMP`, `DATETIME` | `YYYY-MM-DD HH:MM:SS`, `….SSS` when it has milliseconds |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemporalKind {
    /// `DATE`.
    Date,
    /// `TIME`.
    Time,
    /// `TIMESTAMP` (also `TIMESTAMP WITH TIME ZONE`: stored in UTC).
    Timestamp,
    /// `DATETIME`: stored like TIMESTAMP; kept apart so the declared type
    /// reads back as written.
    Datetime,
}

impl TemporalKind {
    /// Whether values carry a calendar date (all but TIME).
    pub fn has_date(self) -> bool {
        !matches!(self, TemporalKind::Time)
    }
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
            DataType::Text | DataType::Json | DataType::Temporal(_) => Affinity::Text,
            DataType::Blob | DataType::Any => Affinity::Blob,
            DataType::Numeric => Affinity::Numeric,
        }
    }

    /// Maps a SQL type name (as written in CREATE TABLE or CAST) to a type:
    /// first the names the engine knows exactly, then SQLite's affinity rules
    /// (a name containing `INT` is INTEGER, …), and NUMERIC affinity for any
    /// other name, as SQLite gives it.
    ///
    /// # Errors
    /// A DECIMAL whose precision or scale is out of range.
    pub fn from_sql_name(name: &str, args: &[u64]) -> Result<DataType> {
        let upper = name.trim().to_ascii_uppercase();
        // Exact names first: these would otherwise fall to the substring rules.
        match upper.as_str() {
            "" | "ANY" => return Ok(DataType::Any),
            "NUMERIC" if args.is_empty() => return Ok(DataType::Numeric),
            "JSON" => return Ok(DataType::Json),
            "DATE" => return Ok(DataType::Temporal(TemporalKind::Date)),
            "TIME" | "TIME WITH TIME ZONE" | "TIME WITHOUT TIME ZONE" | "TIMETZ" => {
                return Ok(DataType::Temporal(TemporalKind::Time))
            }
            "TIMESTAMP" | "TIMESTAMP WITH TIME ZONE" | "TIMESTAMP WITHOUT TIME ZONE" | "TIMESTAMPTZ" => {
                return Ok(DataType::Temporal(TemporalKind::Timestamp))
            }
            "DATETIME" => return Ok(DataType::Temporal(TemporalKind::Datetime)),
            _ => {}
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
        // SQLite's last rule: any other name has NUMERIC affinity.
        Ok(DataType::Numeric)
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
            DataType::Temporal(TemporalKind::Date) => f.write_str("DATE"),
            DataType::Temporal(TemporalKind::Time) => f.write_str("TIME"),
            DataType::Temporal(TemporalKind::Timestamp) => f.write_str("TIMESTAMP"),
            DataType::Temporal(TemporalKind::Datetime) => f.write_str("DATETIME"),
            DataType::Numeric => f.write_str("NUMERIC"),
        }
    }
}
