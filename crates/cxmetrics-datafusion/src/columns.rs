//! Building the functions' struct results, column by column.

use std::sync::Arc;

use cxmetrics::kpi::Interval;
use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, StructArray};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{plan_err, Result};

pub(crate) fn float(name: &str) -> Field {
    Field::new(name, DataType::Float64, true)
}

pub(crate) fn count(name: &str) -> Field {
    Field::new(name, DataType::Int64, false)
}

pub(crate) fn ci(interval: Option<Interval>) -> (Option<f64>, Option<f64>) {
    (interval.map(|i| i.lower), interval.map(|i| i.upper))
}

pub(crate) fn structure(data_type: DataType, columns: Vec<ArrayRef>) -> Result<ArrayRef> {
    match data_type {
        DataType::Struct(fields) => Ok(Arc::new(StructArray::try_new(fields, columns, None)?)),
        other => plan_err!("a result of type {other}, not a struct"),
    }
}

pub(crate) fn counts<T>(parts: &[T], f: impl Fn(&T) -> u64) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(
        parts
            .iter()
            .map(|p| i64::try_from(f(p)).unwrap_or(i64::MAX)),
    ))
}

pub(crate) fn floats<T>(parts: &[T], f: impl Fn(&T) -> Option<f64>) -> ArrayRef {
    Arc::new(parts.iter().map(f).collect::<Float64Array>())
}
