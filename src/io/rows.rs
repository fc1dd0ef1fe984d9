//! Rows of CSV and JSON Lines files, with their physical line numbers,
//! and of Parquet files, with their row numbers.

use std::io::{BufRead, BufReader, Read};

use crate::error::{Error, ErrorKind};

mod csv_rows;
mod json_rows;
#[cfg(feature = "parquet")]
mod parquet_rows;

pub(crate) use csv_rows::{CsvRow, CsvRows};
pub(crate) use json_rows::{JsonRow, JsonRows};
#[cfg(feature = "parquet")]
pub(crate) use parquet_rows::{ParquetRow, ParquetRows};

/// Skips one leading UTF-8 byte-order mark.
fn skip_bom<R: Read>(input: R) -> std::io::Result<BufReader<R>> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(reader)
}

/// Whether a line holds only spaces and tabs (or nothing).
fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == b' ' || b == b'\t')
}

fn file_error(file: &str, problem: impl Into<String>) -> Error {
    ErrorKind::File {
        file: file.to_owned(),
        problem: problem.into(),
    }
    .into()
}

/// A row: its fields, or why the line is not a record.
pub(crate) enum Row<'a> {
    Csv(CsvRow<'a>),
    Json(&'a JsonRow),
    #[cfg(feature = "parquet")]
    Parquet(&'a ParquetRow),
    Rejected(String),
}

/// The longest record read by default: 16 MiB, far above any real
/// record; see [`SurveyReader::record_limit`](super::SurveyReader::record_limit).
pub const DEFAULT_RECORD_LIMIT: usize = 16 << 20;

/// A line that runs on for this many times the record limit without a
/// line end is not text of records: a file error, so that endless input
/// (`/dev/zero`) ends.
const RUN_ON: usize = 16;

fn run_on_error(file: &str, line: u64, limit: usize) -> Error {
    file_error(
        file,
        format!(
            "line {line} runs on past {} bytes without a line end: not a file of records",
            limit.saturating_mul(RUN_ON)
        ),
    )
}
