//! `duration_stats(seconds)`: count, exact mean and nearest-rank
//! quantiles of durations, with the crate's sketch past 256 values.

use std::time::Duration;

use cxmetrics::kpi::Distribution;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Fields};
use datafusion::common::{exec_datafusion_err, plan_err, Result};

use crate::columns::{count, counts, float, floats, structure};
use crate::partial::{corrupt, postcard_bytes, Partial};

pub(crate) fn coerce(types: &[DataType]) -> Result<Vec<DataType>> {
    match types {
        [t] if t.is_numeric() || *t == DataType::Null => Ok(vec![DataType::Float64]),
        [t] => plan_err!("duration_stats: seconds are a number, not {t}"),
        _ => plan_err!("duration_stats: expected duration_stats(seconds)"),
    }
}

pub(crate) fn return_type() -> DataType {
    DataType::Struct(Fields::from(vec![
        count("n"),
        float("mean"),
        float("p50"),
        float("p90"),
    ]))
}

/// Seconds ≥ 0, nulls skipped.
#[derive(Debug, Clone, Default)]
pub(crate) struct DurationPart(Distribution);

impl Partial for DurationPart {
    type Setup = ();
    type Input = Float64Array;

    fn empty(_: &()) -> Self {
        DurationPart::default()
    }

    fn input(_: &(), values: &[ArrayRef]) -> Result<Float64Array> {
        let Some(array) = values.first() else {
            return plan_err!("duration_stats: needs seconds");
        };
        Ok(cast(array, &DataType::Float64)?.as_primitive().clone())
    }

    fn add(&mut self, _: &(), seconds: &Float64Array, row: usize) -> Result<()> {
        if seconds.is_null(row) {
            return Ok(());
        }
        let s = seconds.value(row);
        let value = Duration::try_from_secs_f64(s).map_err(|_| {
            exec_datafusion_err!("duration_stats: {s} is not a number of seconds >= 0")
        })?;
        self.0.add(value);
        Ok(())
    }

    fn merge(&mut self, other: Self) -> Result<()> {
        self.0
            .merge(&other.0)
            .map_err(|e| exec_datafusion_err!("duration_stats: {e}"))
    }

    fn encode(&self) -> Result<Vec<u8>> {
        postcard_bytes("duration_stats", &self.0)
    }

    fn decode(_: &(), bytes: &[u8]) -> Result<Self> {
        postcard::from_bytes(bytes)
            .map(DurationPart)
            .map_err(|e| corrupt("duration_stats", e))
    }

    fn finish(_: &(), parts: &[Self]) -> Result<ArrayRef> {
        let quantiles: Vec<Option<[Duration; 2]>> =
            parts.iter().map(|p| p.0.quantiles([0.5, 0.9])).collect();
        let secs = |i: usize| floats(&quantiles, move |q| q.map(|q| q[i].as_secs_f64()));
        structure(
            return_type(),
            vec![
                counts(parts, |p| p.0.count()),
                floats(parts, |p| p.0.mean_secs()),
                secs(0),
                secs(1),
            ],
        )
    }

    fn heap_size(&self) -> usize {
        // At most 256 exact values, or the sketch's buckets.
        (self.0.count().min(256) as usize) * 16
    }
}
