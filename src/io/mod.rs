//! Streaming readers of the documented CSV and JSON Lines inputs over any
//! [`std::io::Read`] (definitions, "Records"). Feature `io`.
//!
//! Each record is validated into the library's types or comes back as a
//! [`Rejection`] with its line and a reason naming the field and the value;
//! problems with the file itself (unreadable, invalid UTF-8 in CSV, a
//! header without a required column) are an [`Error`].
//!
//! ```
//! use cxmetrics::io::{InputFormat, Item, SurveyReader};
//! use cxmetrics::survey::Scales;
//! let csv = "id,metric,score,at\nr1,nps,9,2026-03-02T09:00:00Z\nr2,nps,11,2026-03-02T09:00:00Z\n";
//! let mut reader = SurveyReader::new(csv.as_bytes(), InputFormat::Csv, "surveys.csv", Scales::default())?;
//! assert!(matches!(reader.next(), Some(Ok(Item::Record(_)))));
//! match reader.next() {
//!     Some(Ok(Item::Rejected(r))) => assert_eq!((r.line, r.reason().as_str()), (3, "score 11 out of range 0..=10 for nps")),
//!     other => panic!("{other:?}"),
//! }
//! assert!(reader.next().is_none());
//! # Ok::<(), cxmetrics::Error>(())
//! ```

mod fields;
pub mod options;
mod rows;

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};

pub use rows::DEFAULT_RECORD_LIMIT;
use rows::{CsvRows, JsonRows, Row};

use crate::dimensions::Dimension;
use crate::error::{Error, ErrorKind};
use crate::outcome::Outcome;
use crate::report::Rejection;
use crate::survey::{Scales, SurveyResponse};
use crate::ticket::{EventKind, TicketEvent};
use crate::time::{Bucket, TimeZone};

/// The two input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// CSV with a header row (RFC 4180 quoting, UTF-8).
    Csv,
    /// JSON Lines: one JSON object a line.
    JsonLines,
}

impl InputFormat {
    /// The format of a file by its extension, case-insensitively: `.csv`,
    /// `.jsonl` or `.ndjson`; `None` for any other.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(InputFormat::Csv),
            "jsonl" | "ndjson" => Some(InputFormat::JsonLines),
            _ => None,
        }
    }
}

impl FromStr for InputFormat {
    type Err = Error;
    /// `csv` or `jsonl`.
    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "csv" => Ok(InputFormat::Csv),
            "jsonl" => Ok(InputFormat::JsonLines),
            _ => ErrorKind::UnknownInputFormat(text.to_owned()).err(),
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputFormat::Csv => "csv",
            InputFormat::JsonLines => "jsonl",
        })
    }
}

/// One record of an input: valid, or rejected with its line and reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<T> {
    /// A valid record.
    Record(T),
    /// An invalid record.
    Rejected(Rejection),
}

enum Rows<R: Read> {
    Csv(Box<CsvRows<R>>),
    Json(JsonRows<R>),
    #[cfg(feature = "parquet")]
    Parquet(Box<rows::ParquetRows>),
}

impl<R: Read> Rows<R> {
    fn new(input: R, format: InputFormat, file: &str, required: &[&str]) -> Result<Self, Error> {
        Ok(match format {
            InputFormat::Csv => Rows::Csv(Box::new(CsvRows::new(input, file, required)?)),
            InputFormat::JsonLines => Rows::Json(JsonRows::new(input, file)?),
        })
    }

    /// The next row, validated by `validate`.
    fn next_item<T>(
        &mut self,
        file: &str,
        validate: impl Fn(&Row<'_>) -> Result<T, Error>,
    ) -> Option<Result<Item<T>, Error>> {
        let next = match self {
            Rows::Csv(rows) => rows.next_row(),
            Rows::Json(rows) => rows.next_row(),
            #[cfg(feature = "parquet")]
            Rows::Parquet(rows) => rows.next_row(),
        };
        let (line, row) = match next {
            Err(error) => return Some(Err(error)),
            Ok(None) => return None,
            Ok(Some(row)) => row,
        };
        let item = match validate(&row) {
            Ok(record) => Item::Record(record),
            Err(error) => Item::Rejected(Rejection::new(file, line, error)),
        };
        Some(Ok(item))
    }

    fn bytes_read(&self) -> u64 {
        match self {
            Rows::Csv(rows) => rows.bytes_read(),
            Rows::Json(rows) => rows.bytes_read(),
            // Parquet is read by row groups, decoded: no count of bytes.
            #[cfg(feature = "parquet")]
            Rows::Parquet(_) => 0,
        }
    }

    fn set_limit(&mut self, limit: usize) {
        match self {
            Rows::Csv(rows) => rows.set_limit(limit),
            Rows::Json(rows) => rows.set_limit(limit),
            // A Parquet file's values are bounded by the file's own pages.
            #[cfg(feature = "parquet")]
            Rows::Parquet(_) => {}
        }
    }
}

fn validated<T>(row: &Row<'_>, f: impl Fn(&dyn FieldsDyn) -> Result<T, Error>) -> Result<T, Error> {
    match row {
        Row::Csv(csv) => f(csv),
        Row::Json(json) => f(*json),
        #[cfg(feature = "parquet")]
        Row::Parquet(row) => f(*row),
        Row::Rejected(reason) => ErrorKind::MalformedRecord(reason.clone()).err(),
    }
}

/// Object-safe access to fields, for [`validated`].
trait FieldsDyn {
    fn survey(&self, scales: Scales, keep: Option<&[Dimension]>) -> Result<SurveyResponse, Error>;
    fn event(&self) -> Result<TicketEvent, Error>;
    fn outcome(&self) -> Result<Outcome, Error>;
}

impl<F: fields::Fields> FieldsDyn for F {
    fn survey(&self, scales: Scales, keep: Option<&[Dimension]>) -> Result<SurveyResponse, Error> {
        fields::survey(self, scales, keep)
    }
    fn event(&self) -> Result<TicketEvent, Error> {
        fields::event(self)
    }
    fn outcome(&self) -> Result<Outcome, Error> {
        fields::outcome(self)
    }
}

/// Reads survey responses (definitions, "Records") from CSV or JSON Lines.
///
/// An iterator of `Result<Item<SurveyResponse>, Error>`: an `Err` is a
/// problem with the file (it cannot be read, or a CSV file holds invalid
/// UTF-8), after which the file should not be read further.
pub struct SurveyReader<R: Read> {
    rows: Rows<R>,
    file: String,
    scales: Scales,
    keep: Option<Vec<Dimension>>,
    buckets: Buckets,
}

/// The time bucket and zone of the records' pipeline, for
/// [`SurveyReader::bucketed`] and [`EventReader::bucketed`].
#[derive(Default)]
struct Buckets(Bucket, TimeZone);

impl Buckets {
    fn check(&self, at: DateTime<FixedOffset>) -> Result<(), Error> {
        self.0.check(at.to_utc(), &self.1)
    }
}

impl<R: Read> SurveyReader<R> {
    /// A reader of `input`, named `file` in rejections; a CSV header is
    /// read and checked at once.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::File`]: unreadable, or a CSV header without `id`,
    /// `metric`, `score` or `at`, or with a column twice.
    pub fn new(input: R, format: InputFormat, file: &str, scales: Scales) -> Result<Self, Error> {
        Ok(SurveyReader {
            rows: Rows::new(input, format, file, &["id", "metric", "score", "at"])?,
            file: file.to_owned(),
            scales,
            keep: None,
            buckets: Buckets::default(),
        })
    }

    /// Keeps only these dimensions in the responses (and no ticket link),
    /// for a pipeline that groups by them: every field is still checked,
    /// but the others cost no allocation.
    pub fn keep_dimensions(mut self, dimensions: &[Dimension]) -> Self {
        self.keep = Some(dimensions.to_vec());
        self
    }

    /// Rejects the responses that a time bucket of `bucket` in `zone`
    /// cannot label (a local date outside 0001-01-01..=9999-12-31, see
    /// [`Bucket::check`]), which an [`Aggregator`](crate::Aggregator) with
    /// these options would refuse: a pipeline reads them as rejections at
    /// their lines.
    pub fn bucketed(mut self, bucket: Bucket, zone: &TimeZone) -> Self {
        self.buckets = Buckets(bucket, zone.clone());
        self
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.rows.bytes_read()
    }

    /// Rejects records longer than `bytes` (default
    /// [`DEFAULT_RECORD_LIMIT`], 16 MiB), so that memory stays bounded on
    /// any input: such a record is rejected at its line, reading goes on
    /// at the next line (a CSV file's at the line where the limit was
    /// passed). The CSV header was read with the default.
    pub fn record_limit(mut self, bytes: usize) -> Self {
        self.rows.set_limit(bytes);
        self
    }
}

#[cfg(feature = "parquet")]
impl SurveyReader<std::fs::File> {
    /// A reader of a Parquet file (feature `parquet`), named `file` in
    /// rejections, whose `line` is then the row number (the first row is
    /// 1). Columns are found by name; text columns hold text, scores and
    /// ids may be integer columns, and `at` text or a timestamp (an
    /// instant, read in UTC). Dictionary-encoded columns are read as their
    /// values.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::File`]: not a Parquet file, or one without `id`,
    /// `metric`, `score` or `at`, or with a column twice.
    pub fn parquet(input: std::fs::File, file: &str, scales: Scales) -> Result<Self, Error> {
        let rows = rows::ParquetRows::new(input, file, &["id", "metric", "score", "at"])?;
        Ok(SurveyReader {
            rows: Rows::Parquet(Box::new(rows)),
            file: file.to_owned(),
            scales,
            keep: None,
            buckets: Buckets::default(),
        })
    }
}

impl<R: Read> Iterator for SurveyReader<R> {
    type Item = Result<Item<SurveyResponse>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let (scales, keep, buckets) = (self.scales, self.keep.as_deref(), &self.buckets);
        self.rows.next_item(&self.file, |row| {
            let response = validated(row, |fields| fields.survey(scales, keep))?;
            buckets.check(response.at())?;
            Ok(response)
        })
    }
}

/// Reads ticket events (definitions, "Records") from CSV or JSON Lines.
///
/// ```
/// use cxmetrics::io::{EventReader, InputFormat, Item};
/// let jsonl = r#"{"id":7,"ticket":"T","at":"2026-03-02T09:00:00Z","kind":"created","agent":17}
/// {"id":"e2","ticket":"T","at":"2026-03-02T09:05:00Z","kind":"agent_reply"}
/// ["not", "a", "record"]
/// "#;
/// let items: Vec<_> = EventReader::new(jsonl.as_bytes(), InputFormat::JsonLines, "events.jsonl")?.collect::<Result<_, _>>()?;
/// // `agent` is not used by `created`: its type does not matter.
/// assert!(matches!(&items[0], Item::Record(e) if e.id().as_str() == "7"));
/// assert!(matches!(&items[1], Item::Rejected(r) if r.reason() == "agent_reply needs an agent"));
/// assert!(matches!(&items[2], Item::Rejected(r) if r.line == 3));
/// # Ok::<(), cxmetrics::Error>(())
/// ```
pub struct EventReader<R: Read> {
    rows: Rows<R>,
    file: String,
    buckets: Buckets,
}

impl<R: Read> EventReader<R> {
    /// A reader of `input`, named `file` in rejections.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::File`]: unreadable, or a CSV header without `id`,
    /// `ticket`, `at` or `kind`, or with a column twice.
    pub fn new(input: R, format: InputFormat, file: &str) -> Result<Self, Error> {
        Ok(EventReader {
            rows: Rows::new(input, format, file, &["id", "ticket", "at", "kind"])?,
            file: file.to_owned(),
            buckets: Buckets::default(),
        })
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.rows.bytes_read()
    }

    /// Rejects the `created` events that a time bucket of `bucket` in
    /// `zone` cannot label, as [`SurveyReader::bucketed`] (a ticket's
    /// bucket is that of its creation).
    pub fn bucketed(mut self, bucket: Bucket, zone: &TimeZone) -> Self {
        self.buckets = Buckets(bucket, zone.clone());
        self
    }

    /// As [`SurveyReader::record_limit`].
    pub fn record_limit(mut self, bytes: usize) -> Self {
        self.rows.set_limit(bytes);
        self
    }
}

#[cfg(feature = "parquet")]
impl EventReader<std::fs::File> {
    /// A reader of a Parquet file (feature `parquet`), as
    /// [`SurveyReader::parquet`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::File`]: not a Parquet file, or one without `id`,
    /// `ticket`, `at` or `kind`, or with a column twice.
    pub fn parquet(input: std::fs::File, file: &str) -> Result<Self, Error> {
        let rows = rows::ParquetRows::new(input, file, &["id", "ticket", "at", "kind"])?;
        Ok(EventReader {
            rows: Rows::Parquet(Box::new(rows)),
            file: file.to_owned(),
            buckets: Buckets::default(),
        })
    }
}

impl<R: Read> Iterator for EventReader<R> {
    type Item = Result<Item<TicketEvent>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let buckets = &self.buckets;
        self.rows.next_item(&self.file, |row| {
            let event = validated(row, |fields| fields.event())?;
            if matches!(event.kind(), EventKind::Created { .. }) {
                buckets.check(event.at())?;
            }
            Ok(event)
        })
    }
}

/// Reads outcomes (definitions, "Outcomes") from CSV or JSON Lines.
///
/// ```
/// use cxmetrics::io::{InputFormat, Item, OutcomeReader};
/// let csv = "id,at,kind,ticket,value\no1,2026-03-02T10:00:00Z,sale,T1,12.50\no2,2026-03-02T11:00:00Z,refund,,-3\n";
/// let items: Vec<_> = OutcomeReader::new(csv.as_bytes(), InputFormat::Csv, "outcomes.csv")?.collect::<Result<_, _>>()?;
/// assert!(matches!(&items[0], Item::Record(o) if o.value().map(|v| v.micros()) == Some(12_500_000)));
/// assert!(matches!(&items[1], Item::Rejected(r) if r.line == 3 && r.reason().contains("invalid value \"-3\"")));
/// # Ok::<(), cxmetrics::Error>(())
/// ```
pub struct OutcomeReader<R: Read> {
    rows: Rows<R>,
    file: String,
    buckets: Buckets,
}

impl<R: Read> OutcomeReader<R> {
    /// A reader of `input`, named `file` in rejections.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::File`]: unreadable, or a CSV header without `id`, `at`
    /// or `kind`, or with a column twice.
    pub fn new(input: R, format: InputFormat, file: &str) -> Result<Self, Error> {
        Ok(OutcomeReader {
            rows: Rows::new(input, format, file, &["id", "at", "kind"])?,
            file: file.to_owned(),
            buckets: Buckets::default(),
        })
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.rows.bytes_read()
    }

    /// Rejects the outcomes that a time bucket of `bucket` in `zone`
    /// cannot label, as [`SurveyReader::bucketed`] (an unattributed
    /// outcome's bucket is that of its own instant).
    pub fn bucketed(mut self, bucket: Bucket, zone: &TimeZone) -> Self {
        self.buckets = Buckets(bucket, zone.clone());
        self
    }

    /// As [`SurveyReader::record_limit`].
    pub fn record_limit(mut self, bytes: usize) -> Self {
        self.rows.set_limit(bytes);
        self
    }
}

impl<R: Read> Iterator for OutcomeReader<R> {
    type Item = Result<Item<Outcome>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let buckets = &self.buckets;
        self.rows.next_item(&self.file, |row| {
            let outcome = validated(row, |fields| fields.outcome())?;
            buckets.check(outcome.at())?;
            Ok(outcome)
        })
    }
}

#[cfg(test)]
mod tests;
