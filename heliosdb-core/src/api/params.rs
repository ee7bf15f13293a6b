//! Converting Rust values to SQL parameters ([`ToSql`], [`Params`]) and result
//! values back to Rust ([`FromSql`], [`RowIndex`]).

use crate::error::{Error, Result};
use crate::sql::parser::ParamInfo;
use crate::types::compare::decimal_as_i64;
use crate::types::value::decimal_to_f64;
use crate::types::Value;
use rust_decimal::Decimal;

/// A Rust value usable as a SQL parameter.
pub trait ToSql {
    /// The SQL value.
    ///
    /// # Errors
    /// The value does not fit any SQL type (a `u64` above `i64::MAX`).
    fn to_sql(&self) -> Result<Value>;

    /// Appends the SQL value to `out`, as binding a list of parameters
    /// does. The provided method pushes what [`ToSql::to_sql`] returns; the
    /// library's own types write their value straight into `out`, which
    /// spares moving a `Result<Value>` through the stack per parameter (its
    /// narrow stores and wide reloads stalled: a twentieth of a prepared
    /// one-row INSERT).
    ///
    /// # Errors
    /// As [`ToSql::to_sql`]; `out` is then unchanged.
    fn push_to(&self, out: &mut Vec<Value>) -> Result<()> {
        out.push(self.to_sql()?);
        Ok(())
    }
}

/// [`ToSql::push_to`] for a type whose value is always `$value(self)`.
macro_rules! push_value {
    ($value:expr) => {
        fn push_to(&self, out: &mut Vec<Value>) -> Result<()> {
            out.push($value(self));
            Ok(())
        }
    };
}

macro_rules! to_sql_int {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> Result<Value> {
                i64::try_from(*self)
                    .map(Value::Integer)
                    .map_err(|_| Error::Range(format!("{} does not fit a 64-bit signed INTEGER", self)))
            }
            fn push_to(&self, out: &mut Vec<Value>) -> Result<()> {
                match i64::try_from(*self) {
                    Ok(i) => {
                        out.push(Value::Integer(i));
                        Ok(())
                    }
                    Err(_) => Err(Error::Range(format!("{} does not fit a 64-bit signed INTEGER", self))),
                }
            }
        }
    )*};
}
to_sql_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl ToSql for f64 {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Real(*self))
    }
    push_value!(|v: &f64| Value::Real(*v));
}
impl ToSql for f32 {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Real(f64::from(*self)))
    }
    push_value!(|v: &f32| Value::Real(f64::from(*v)));
}
impl ToSql for bool {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Boolean(*self))
    }
    push_value!(|v: &bool| Value::Boolean(*v));
}
impl ToSql for str {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.to_string()))
    }
    push_value!(|v: &str| Value::Text(v.to_string()));
}
impl ToSql for String {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
    push_value!(|v: &String| Value::Text(v.clone()));
}
impl ToSql for [u8] {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}
impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.clone()))
    }
}
impl ToSql for Decimal {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Decimal(*self))
    }
}
impl ToSql for Value {
    fn to_sql(&self) -> Result<Value> {
        Ok(self.clone())
    }
    push_value!(|v: &Value| v.clone());
}
impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<Value> {
        match self {
            Some(v) => v.to_sql(),
            None => Ok(Value::Null),
        }
    }
    fn push_to(&self, out: &mut Vec<Value>) -> Result<()> {
        match self {
            Some(v) => v.push_to(out),
            None => {
                out.push(Value::Null);
                Ok(())
            }
        }
    }
}
impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
    fn push_to(&self, out: &mut Vec<Value>) -> Result<()> {
        (**self).push_to(out)
    }
}

/// A set of parameters for one execution: positional (tuples, arrays,
/// slices, `params![]`) or named (`named_params!{}`).
pub trait Params {
    /// The values by slot.
    ///
    /// # Errors
    /// Wrong count, unknown names, unconvertible values.
    fn into_values(self, info: &ParamInfo) -> Result<Vec<Value>>;

    /// The values by slot, written into `out` (whatever it held is
    /// dropped): a statement run many times keeps one vector.
    ///
    /// # Errors
    /// As [`Params::into_values`].
    fn write_values(self, info: &ParamInfo, out: &mut Vec<Value>) -> Result<()>
    where
        Self: Sized,
    {
        *out = self.into_values(info)?;
        Ok(())
    }
}

fn positional(values: Vec<Value>, info: &ParamInfo) -> Result<Vec<Value>> {
    check_count(values.len(), info)?;
    Ok(values)
}

/// `Range` unless `given` values fill the statement's parameter slots.
pub(crate) fn check_count(given: usize, info: &ParamInfo) -> Result<()> {
    if given != info.count() {
        return Err(Error::Range(format!(
            "the statement has {} parameter(s) but {given} value(s) were given",
            info.count(),
        )));
    }
    Ok(())
}

/// Writes positional parameters into `out` through `push` (each pushes its
/// values), then checks their count.
fn write_positional(
    info: &ParamInfo,
    out: &mut Vec<Value>,
    push: impl FnOnce(&mut Vec<Value>) -> Result<()>,
) -> Result<()> {
    out.clear();
    out.reserve(info.count());
    push(out)?;
    check_count(out.len(), info)
}

/// `into_values` by way of `write_values`, for the types that write in place.
macro_rules! into_values_by_write {
    () => {
        fn into_values(self, info: &ParamInfo) -> Result<Vec<Value>> {
            let mut values = Vec::new();
            self.write_values(info, &mut values)?;
            Ok(values)
        }
    };
}

impl Params for () {
    fn into_values(self, info: &ParamInfo) -> Result<Vec<Value>> {
        positional(Vec::new(), info)
    }
}
impl Params for &[&dyn ToSql] {
    into_values_by_write!();
    fn write_values(self, info: &ParamInfo, out: &mut Vec<Value>) -> Result<()> {
        write_positional(info, out, |out| self.iter().try_for_each(|p| p.push_to(out)))
    }
}
impl<const N: usize> Params for &[&dyn ToSql; N] {
    into_values_by_write!();
    fn write_values(self, info: &ParamInfo, out: &mut Vec<Value>) -> Result<()> {
        self.as_slice().write_values(info, out)
    }
}
impl<T: ToSql, const N: usize> Params for [T; N] {
    into_values_by_write!();
    fn write_values(self, info: &ParamInfo, out: &mut Vec<Value>) -> Result<()> {
        write_positional(info, out, |out| self.iter().try_for_each(|p| p.push_to(out)))
    }
}
impl Params for Vec<Value> {
    fn into_values(self, info: &ParamInfo) -> Result<Vec<Value>> {
        positional(self, info)
    }
}
impl Params for &[Value] {
    fn into_values(self, info: &ParamInfo) -> Result<Vec<Value>> {
        positional(self.to_vec(), info)
    }
}
impl Params for &[(&str, &dyn ToSql)] {
    fn into_values(self, info: &ParamInfo) -> Result<Vec<Value>> {
        let mut values = vec![Value::Null; info.count()];
        for (name, v) in self {
            let i = info.index_of(name);
            if i == 0 {
                return Err(Error::Range(format!("no parameter named {name}")));
            }
            values[i - 1] = v.to_sql()?;
        }
        Ok(values)
    }
}
impl<const N: usize> Params for &[(&str, &dyn ToSql); N] {
    fn into_values(self, info: &ParamInfo) -> Result<Vec<Value>> {
        self.as_slice().into_values(info)
    }
}

macro_rules! tuple_params {
    ($($name:ident : $idx:tt),+) => {
        impl<$($name: ToSql),+> Params for ($($name,)+) {
            into_values_by_write!();
            fn write_values(self, info: &ParamInfo, out: &mut Vec<Value>) -> Result<()> {
                write_positional(info, out, |out| {
                    $(self.$idx.push_to(out)?;)+
                    Ok(())
                })
            }
        }
    };
}
tuple_params!(A: 0);
tuple_params!(A: 0, B: 1);
tuple_params!(A: 0, B: 1, C: 2);
tuple_params!(A: 0, B: 1, C: 2, D: 3);
tuple_params!(A: 0, B: 1, C: 2, D: 3, E: 4);
tuple_params!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5);
tuple_params!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6);
tuple_params!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7);
tuple_params!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8);
tuple_params!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8, J: 9);

/// A Rust type a result value converts to.
pub trait FromSql: Sized {
    /// Converts, or explains why not.
    ///
    /// # Errors
    /// `Mismatch` naming both types.
    fn from_sql(v: &Value) -> Result<Self>;
}

fn cannot(v: &Value, to: &str) -> Error {
    Error::Mismatch(format!("cannot read a {} value as {to}", v.type_name()))
}

impl FromSql for i64 {
    fn from_sql(v: &Value) -> Result<i64> {
        match v {
            Value::Integer(i) => Ok(*i),
            Value::Boolean(b) => Ok(i64::from(*b)),
            Value::Decimal(d) => decimal_as_i64(d).ok_or_else(|| cannot(v, "i64")),
            _ => Err(cannot(v, "i64")),
        }
    }
}
macro_rules! from_sql_int {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn from_sql(v: &Value) -> Result<$t> {
                let i = i64::from_sql(v)?;
                <$t>::try_from(i).map_err(|_| Error::Range(format!("{i} does not fit {}", stringify!($t))))
            }
        }
    )*};
}
from_sql_int!(i8, i16, i32, isize, u8, u16, u32, u64, usize);

impl FromSql for f64 {
    fn from_sql(v: &Value) -> Result<f64> {
        match v {
            Value::Integer(i) => Ok(*i as f64),
            Value::Real(f) => Ok(*f),
            Value::Decimal(d) => Ok(decimal_to_f64(d)),
            _ => Err(cannot(v, "f64")),
        }
    }
}
impl FromSql for f32 {
    fn from_sql(v: &Value) -> Result<f32> {
        f64::from_sql(v).map(|f| f as f32)
    }
}
impl FromSql for bool {
    fn from_sql(v: &Value) -> Result<bool> {
        match v {
            Value::Boolean(b) => Ok(*b),
            Value::Integer(i) => Ok(*i != 0),
            _ => Err(cannot(v, "bool")),
        }
    }
}
impl FromSql for String {
    fn from_sql(v: &Value) -> Result<String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            _ => Err(cannot(v, "String")),
        }
    }
}
impl FromSql for Vec<u8> {
    fn from_sql(v: &Value) -> Result<Vec<u8>> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            _ => Err(cannot(v, "Vec<u8>")),
        }
    }
}
impl FromSql for Decimal {
    fn from_sql(v: &Value) -> Result<Decimal> {
        match v {
            Value::Decimal(d) => Ok(*d),
            Value::Integer(i) => Ok(Decimal::from(*i)),
            _ => Err(cannot(v, "Decimal")),
        }
    }
}
impl FromSql for Value {
    fn from_sql(v: &Value) -> Result<Value> {
        Ok(v.clone())
    }
}
impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(v: &Value) -> Result<Option<T>> {
        match v {
            Value::Null => Ok(None),
            other => T::from_sql(other).map(Some),
        }
    }
}

/// A column reference in [`crate::Row::get`]: a 0-based position or a name.
pub trait RowIndex {
    /// The position among `columns`.
    ///
    /// # Errors
    /// Out of range, or no such column name.
    fn index(&self, columns: &[String]) -> Result<usize>;
}
impl RowIndex for usize {
    fn index(&self, columns: &[String]) -> Result<usize> {
        if *self < columns.len() {
            Ok(*self)
        } else {
            Err(Error::Range(format!("column index {self} is out of range (0 to {})", columns.len().saturating_sub(1))))
        }
    }
}
impl RowIndex for &str {
    fn index(&self, columns: &[String]) -> Result<usize> {
        columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(self))
            .ok_or_else(|| Error::Range(format!("no column named {self} in the result")))
    }
}
