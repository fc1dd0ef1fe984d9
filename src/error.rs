//! The crate's one error type.

use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

/// An error from validating a value or combining accumulators.
///
/// The message is lower case, without a trailing period, and names the
/// offending value, e.g. `score 11 out of range 0..=10 for nps`. Match on
/// [`Error::kind`] to handle a case programmatically.
///
/// The crate's lowest layer: its kinds hold plain values (names, numbers,
/// ranges), so that every other module may return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Error {
    kind: ErrorKind,
}

impl Error {
    /// What went wrong, with the values involved.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error { kind }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {}

/// The kinds of [`Error`].
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A score outside its metric's scale.
    #[error("score {value} out of range {}{}", range(scale), for_metric(metric.as_deref()))]
    ScoreOutOfRange {
        /// The metric (`nps`, `csat`, `ces`), when known.
        metric: Option<String>,
        /// The rejected score, as written.
        value: String,
        /// The points of the scale it had to fit.
        scale: RangeInclusive<u8>,
    },
    /// A scale whose bounds are not `0 <= min < max <= 100`.
    #[error("invalid scale {min}-{max}: need integers 0 <= min < max <= 100")]
    InvalidScale {
        /// The requested lowest point.
        min: i64,
        /// The requested highest point.
        max: i64,
    },
    /// Text that is not a scale of the form `MIN-MAX`.
    #[error("invalid scale {0:?}: expected MIN-MAX, e.g. 1-5")]
    ScaleSyntax(String),
    /// A score or accumulator on one scale combined with one on another.
    #[error("scale mismatch for {metric}: {} vs {}", range(left), range(right))]
    ScaleMismatch {
        /// The metric.
        metric: String,
        /// The receiving side's scale.
        left: RangeInclusive<u8>,
        /// The other side's scale.
        right: RangeInclusive<u8>,
    },
    /// Two accumulators whose favorable-score rules differ.
    #[error("rule mismatch for {metric}: {left} vs {right}")]
    RuleMismatch {
        /// The metric.
        metric: String,
        /// The receiving side's rule.
        left: String,
        /// The other side's rule.
        right: String,
    },
    /// A favorable-score rule that selects no point, or every point, of a scale.
    #[error(
        "rule {rule} selects {selected} of the points of scale {}",
        range(scale)
    )]
    InvalidRule {
        /// The rule, as written (`top-two-box`, `at least 4`, …).
        rule: String,
        /// The scale.
        scale: RangeInclusive<u8>,
        /// `none` or `all`.
        selected: String,
    },
    /// Saved counts whose number does not match their scale.
    #[error("{len} counts for scale {}: need one per point", range(scale))]
    CountsLength {
        /// The scale.
        scale: RangeInclusive<u8>,
        /// The number of counts found.
        len: usize,
    },
    /// A grouping dimension other than agent, channel, team and topic.
    #[error("unknown dimension {0:?}: expected agent, channel, team or topic")]
    UnknownDimension(String),
    /// A dimension named twice in a grouping.
    #[error("dimension {0} named twice")]
    RepeatedDimension(String),
    /// A time bucket other than none, day, week and month.
    #[error("unknown bucket {0:?}: expected none, day, week or month")]
    UnknownBucket(String),
    /// A time zone name that is not in the IANA database.
    #[error("unknown time zone {0:?}: expected an IANA name such as Europe/Berlin")]
    UnknownTimeZone(String),
    /// Two states made with different options.
    #[error("states made with different options: {0}")]
    OptionsMismatch(String),
    /// Bytes that are not a saved state of this program and version.
    #[error("not a cxmetrics state: {0}")]
    ForeignState(String),
    /// A state in streaming mode that has folded tickets: its results
    /// cannot be merged exactly.
    #[error("a state that has folded idle tickets cannot be merged")]
    FoldedState,
    /// More record ids than the state can number.
    #[error("too many record ids: a state holds at most about four billion")]
    TooManyIds,
    /// A working interval whose start is not before its end, or that ends
    /// after 24:00.
    #[error("invalid working interval on {}: {}", day_name(*.day), interval_problem(*.start, *.end))]
    InvalidInterval {
        /// The weekday, 0 = Monday.
        day: u8,
        /// Start, in seconds of the day.
        start: u32,
        /// End, in seconds of the day.
        end: u32,
    },
    /// A KPI target that does not fit the report's schema.
    #[error("invalid target {metric}: {problem}")]
    InvalidTarget {
        /// The dotted path.
        metric: String,
        /// What is wrong with it.
        problem: String,
    },
    /// An option file (calendar, SLA, targets) that is not what its
    /// definition says: the field and the problem.
    #[error("{0}")]
    OptionFile(String),
    /// An SLA measured in business hours without a calendar.
    #[error("an sla in business hours needs a calendar")]
    SlaNeedsCalendar,
    /// Text that is not a non-negative decimal number.
    #[error("invalid number {0:?}: expected digits with an optional fraction")]
    InvalidNumber(String),
    /// A staffing question that cannot be answered (definitions, "Staffing").
    #[error("invalid staffing {0}")]
    InvalidStaffing(String),
    /// An input format other than `csv` and `jsonl`.
    #[error("unknown input format {0:?}: expected csv or jsonl")]
    UnknownInputFormat(String),
    /// A file that cannot be read as input (definitions, "Validation and accounting").
    #[error("{file}: {problem}")]
    File {
        /// The file's name.
        file: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Saved state that is not internally consistent.
    #[error("corrupt state: {0}")]
    CorruptState(String),
    /// Counts whose total would not fit in 64 bits.
    #[error("count overflow: more than 2^64 - 1 records")]
    CountOverflow,
    /// A confidence level outside the open interval (0, 1).
    #[error("confidence level {0} out of range: need 0 < level < 1")]
    InvalidConfidence(f64),
    /// A metric name other than `nps`, `csat` and `ces`.
    #[error("unknown metric {0:?}: expected nps, csat or ces")]
    UnknownMetric(String),
    /// An event kind other than the documented nine.
    #[error("unknown event kind {0:?}")]
    UnknownEventKind(String),
    /// A status other than the documented six.
    #[error("unknown status {0:?}")]
    UnknownStatus(String),
    /// An event without a field its kind needs.
    #[error("{kind} needs {}", with_article(field))]
    MissingField {
        /// The event kind.
        kind: String,
        /// The missing field.
        field: String,
    },
    /// An event pushed into the timeline of another ticket.
    #[error("event of ticket {found:?} pushed into the timeline of ticket {expected:?}")]
    TicketMismatch {
        /// The timeline's ticket.
        expected: String,
        /// The event's ticket.
        found: String,
    },
    /// Text that is not a timestamp of the documented form.
    #[error("invalid timestamp {0:?}: expected YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM|-HH:MM)")]
    InvalidTimestamp(String),
    /// A timestamp of the documented form whose instant lies outside the
    /// years 1 to 9999 in UTC.
    #[error("timestamp {0:?} out of range: its UTC date must lie in 0001-01-01..=9999-12-31")]
    TimestampOutOfRange(String),
    /// With a time bucket, an instant whose local date in the report's zone
    /// lies outside the years a bucket label can be written in.
    #[error("timestamp {at} falls on {date} in {zone}: a time bucket's date must lie in 0001-01-01..=9999-12-31")]
    BucketOutOfRange {
        /// The instant, in RFC 3339 (UTC).
        at: String,
        /// Its local date.
        date: String,
        /// The zone.
        zone: String,
    },
    /// Text that is not an integer of the documented form.
    #[error("score {0:?} is not an integer")]
    NotAnInteger(String),
    /// An id that is empty.
    #[error("{0} is empty")]
    Empty(String),
    /// A record without a field it must have.
    #[error("missing {0}")]
    MissingValue(String),
    /// A record's field of another type than text.
    #[error("{field} must be a string, not {found}")]
    WrongType {
        /// The field.
        field: String,
        /// What was found instead: `a number`, `an array`, ….
        found: String,
    },
    /// Input that is not a record at all (a CSV row of the wrong width,
    /// a line that is not a JSON object, invalid UTF-8), with the reason.
    #[error("{0}")]
    MalformedRecord(String),
    // New kinds go last: saved states hold rejections by variant index.
    /// An outcome kind other than the documented six.
    #[error("unknown outcome kind {0:?}: expected cancellation, refund, sale, upsell, renewal or referral")]
    UnknownOutcomeKind(String),
    /// Text that is not an amount of the documented form.
    #[error(
        "invalid value {0:?}: expected an amount >= 0 of digits with up to 6 decimals, e.g. 12.50"
    )]
    InvalidAmount(String),
}

fn for_metric(metric: Option<&str>) -> String {
    metric.map_or_else(String::new, |metric| format!(" for {metric}"))
}

/// A scale's points as `min..=max`.
fn range(scale: &RangeInclusive<u8>) -> String {
    format!("{}..={}", scale.start(), scale.end())
}

fn day_name(day: u8) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .get(usize::from(day))
        .copied()
        .unwrap_or("?")
}

fn clock(seconds: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn interval_problem(start: u32, end: u32) -> String {
    if start >= end {
        format!("start {} is not before end {}", clock(start), clock(end))
    } else {
        format!("end {} is after 24:00", clock(end))
    }
}

fn with_article(field: &str) -> String {
    let article = if field.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {field}")
}

impl ErrorKind {
    /// Shorthand to turn the kind into an `Err`.
    pub(crate) fn err<T>(self) -> Result<T, Error> {
        Err(self.into())
    }

    /// A state that fails a check on load.
    pub(crate) fn corrupt(what: &str) -> ErrorKind {
        ErrorKind::CorruptState(what.to_owned())
    }
}
