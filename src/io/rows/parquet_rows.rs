//! Parquet rows, numbered from 1: the documented columns, read by name,
//! each value as the records' text would hold it.

use std::fmt::Write as _;
use std::fs::File;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, Datelike, FixedOffset};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use super::{file_error, Row};
use crate::error::Error;
use crate::io::fields::{Field, Fields, Key};

/// Rows read at once.
const BATCH: usize = 8192;

/// Runs a step of the Parquet decoder, which may panic on a damaged file
/// (on bit widths or lengths it trusts): a panic becomes a file error.
fn unwound<T>(file: &str, step: impl FnOnce() -> T) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).map_err(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        file_error(file, format!("damaged Parquet data: {why}"))
    })
}

/// One value of the current row.
#[derive(Debug, Default)]
enum Cell {
    #[default]
    Absent,
    Text(String),
    Integer(String),
    Instant(DateTime<FixedOffset>),
    Other(&'static str),
}

/// The current row's values, by [`Key`]; their text buffers are reused.
#[derive(Debug, Default)]
pub(crate) struct ParquetRow {
    cells: [Cell; Key::ALL.len()],
}

impl Fields for ParquetRow {
    fn field(&self, key: Key) -> Field<'_> {
        match &self.cells[key as usize] {
            Cell::Absent => Field::Absent,
            Cell::Text(text) => Field::Text(text),
            Cell::Integer(text) => Field::Integer(text),
            Cell::Instant(at) => Field::Instant(*at),
            Cell::Other(kind) => Field::Other(kind),
        }
    }
}

/// The rows of a Parquet file.
pub(crate) struct ParquetRows {
    batches: ParquetRecordBatchReader,
    /// The batch's column of each key (dictionaries unpacked), if any.
    columns: Vec<(Key, ArrayRef)>,
    rows: usize,
    next: usize,
    line: u64,
    file: String,
    row: ParquetRow,
}

impl ParquetRows {
    /// The rows of `input`, whose schema must hold the `required` columns
    /// (at the top level, once each).
    pub(crate) fn new(input: File, file: &str, required: &[&str]) -> Result<Self, Error> {
        let fail = |e: parquet::errors::ParquetError| file_error(file, e.to_string());
        let builder =
            unwound(file, || ParquetRecordBatchReaderBuilder::try_new(input))?.map_err(fail)?;
        let schema = builder.schema().clone();
        let mut roots = Vec::new();
        for key in Key::ALL {
            let found: Vec<usize> = schema
                .fields()
                .iter()
                .enumerate()
                .filter(|(_, f)| f.name() == key.name())
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] if required.contains(&key.name()) => {
                    return Err(file_error(
                        file,
                        format!("no column {} (required)", key.name()),
                    ));
                }
                [] => {}
                [i] => roots.push(*i),
                _ => return Err(file_error(file, format!("column {} twice", key.name()))),
            }
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let batches = unwound(file, || {
            builder.with_projection(mask).with_batch_size(BATCH).build()
        })?
        .map_err(fail)?;
        Ok(ParquetRows {
            batches,
            columns: Vec::new(),
            rows: 0,
            next: 0,
            line: 0,
            file: file.to_owned(),
            row: ParquetRow::default(),
        })
    }

    /// Takes the columns of the next batch.
    fn load(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        self.columns.clear();
        for key in Key::ALL {
            let Some(column) = batch.column_by_name(key.name()) else {
                continue;
            };
            let column = match column.as_any_dictionary_opt() {
                Some(dictionary) => {
                    arrow_select::take::take(dictionary.values().as_ref(), dictionary.keys(), None)
                        .map_err(|e| file_error(&self.file, e.to_string()))?
                }
                None => Arc::clone(column),
            };
            self.columns.push((key, column));
        }
        self.rows = batch.num_rows();
        self.next = 0;
        Ok(())
    }

    /// The next record with its row number, or `None` at the end.
    ///
    /// # Errors
    ///
    /// A file error when the file cannot be read or decoded.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u64, Row<'_>)>, Error> {
        while self.next == self.rows {
            let batches = &mut self.batches;
            match unwound(&self.file, || batches.next())? {
                None => return Ok(None),
                Some(Err(e)) => return Err(file_error(&self.file, e.to_string())),
                Some(Ok(batch)) => self.load(&batch)?,
            }
        }
        let at = self.next;
        self.next += 1;
        self.line += 1;
        // Every batch has the same columns (the file's projection): the
        // cells of keys without one stay absent, the others are set anew.
        for (key, column) in &self.columns {
            fill(
                &mut self.row.cells[*key as usize],
                column.as_ref(),
                at,
                *key,
            );
        }
        Ok(Some((self.line, Row::Parquet(&self.row))))
    }
}

/// Text in `buffer`; empty text is absent, as an empty CSV field is.
fn string(mut buffer: String, value: &str) -> Cell {
    if value.is_empty() {
        return Cell::Absent;
    }
    buffer.push_str(value);
    Cell::Text(buffer)
}

/// Sets `cell` to the value of `array` at `row`: text as text, integers as
/// their decimal text, a timestamp of `at` as its instant (in UTC).
fn fill(cell: &mut Cell, array: &dyn Array, row: usize, key: Key) {
    if array.is_null(row) {
        *cell = Cell::Absent;
        return;
    }
    // The cell's text buffer, reused.
    let mut text = match std::mem::take(cell) {
        Cell::Text(mut s) | Cell::Integer(mut s) => {
            s.clear();
            s
        }
        _ => String::new(),
    };
    macro_rules! integer {
        ($t:ty) => {{
            let _ = write!(text, "{}", array.as_primitive::<$t>().value(row));
            Cell::Integer(text)
        }};
    }
    *cell = match array.data_type() {
        DataType::Utf8 => string(text, array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => string(text, array.as_string::<i64>().value(row)),
        DataType::Utf8View => string(text, array.as_string_view().value(row)),
        DataType::Int8 => integer!(Int8Type),
        DataType::Int16 => integer!(Int16Type),
        DataType::Int32 => integer!(Int32Type),
        DataType::Int64 => integer!(Int64Type),
        DataType::UInt8 => integer!(UInt8Type),
        DataType::UInt16 => integer!(UInt16Type),
        DataType::UInt32 => integer!(UInt32Type),
        DataType::UInt64 => integer!(UInt64Type),
        DataType::Timestamp(unit, _) if key == Key::At => {
            let (value, per_second, nanos_per) = match unit {
                TimeUnit::Second => (
                    array.as_primitive::<TimestampSecondType>().value(row),
                    1,
                    1_000_000_000,
                ),
                TimeUnit::Millisecond => (
                    array.as_primitive::<TimestampMillisecondType>().value(row),
                    1_000,
                    1_000_000,
                ),
                TimeUnit::Microsecond => (
                    array.as_primitive::<TimestampMicrosecondType>().value(row),
                    1_000_000,
                    1_000,
                ),
                TimeUnit::Nanosecond => (
                    array.as_primitive::<TimestampNanosecondType>().value(row),
                    1_000_000_000,
                    1,
                ),
            };
            let (secs, rest) = (value.div_euclid(per_second), value.rem_euclid(per_second));
            // `rest` is below `per_second`, so its nanoseconds are below
            // one second.
            let nanos = u32::try_from(rest * nanos_per).unwrap_or(0);
            match DateTime::from_timestamp(secs, nanos) {
                Some(at) if (1..=9999).contains(&at.year()) => Cell::Instant(at.fixed_offset()),
                _ => Cell::Other("a timestamp outside years 1 to 9999"),
            }
        }
        DataType::Timestamp(..) => Cell::Other("a timestamp"),
        DataType::Null => Cell::Absent,
        DataType::Boolean => Cell::Other("a boolean"),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Cell::Other("a fraction"),
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => Cell::Other("a decimal"),
        DataType::Date32 | DataType::Date64 => Cell::Other("a date"),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            Cell::Other("binary data")
        }
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
            Cell::Other("a list")
        }
        DataType::Struct(_) | DataType::Map(..) => Cell::Other("an object"),
        _ => Cell::Other("a value of another type"),
    };
}
