//! The report: input accounting and the KPIs of every group, serialized
//! as the report's JSON, and KPI targets checked per group.
//!
//! ```
//! use cxmetrics::report::{Target, Targets};
//! use cxmetrics::survey::{ResponseId, Scales, SurveyMetric, SurveyScore};
//! use cxmetrics::time::parse_timestamp;
//! use cxmetrics::{AggregateOptions, Aggregator, SurveyResponse};
//! let options = AggregateOptions::new();
//! let mut aggregator = Aggregator::new(options.clone());
//! let score = SurveyScore::new(SurveyMetric::Csat, 5, Scales::default())?;
//! aggregator.add_response(&SurveyResponse::new(ResponseId::new("r1")?, score, parse_timestamp("2026-03-02T09:00:00Z")?))?;
//! let mut report = aggregator.report();
//! let targets = Targets::new(vec![Target { metric: "csat.score".into(), min: Some(85.0), max: None }], options.layout())?;
//! targets.apply(&mut report);
//! assert_eq!(report.groups[0].targets.as_ref().unwrap()[0].met, Some(true));
//! assert_eq!(report.groups[0].value("csat.responses"), Some(1.0));
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::dimensions::Dimension;
use crate::error::Error;
use crate::kpi::{SurveySummary, TicketSummary};
use crate::time::Bucket;

mod schema;
mod targets;

pub use schema::{Columns, Field, Value};
pub use targets::{Layout, Target, TargetResult, Targets};

/// Which kind of record a count or rejection is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// Survey responses.
    Surveys,
    /// Ticket events.
    Events,
}

/// How the records of one kind were accounted for:
/// `rows = accepted + duplicates + rejected`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCounts {
    /// Records read.
    pub rows: u64,
    /// Valid records with a new id.
    pub accepted: u64,
    /// Valid records whose id was already accepted.
    pub duplicates: u64,
    /// Invalid records.
    pub rejected: u64,
    /// Accepted events of tickets already folded in streaming mode, not
    /// used ([`AggregateOptions::idle_horizon`](crate::AggregateOptions::idle_horizon));
    /// always 0 otherwise, and then not serialized.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub late: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Valid and invalid tickets (definitions, "Ticket timeline").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCounts {
    /// Tickets with exactly one leading `created` event.
    pub valid: u64,
    /// Other tickets with events up to `as_of`; left out of every metric.
    pub invalid: u64,
}

/// The input accounting of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSummary {
    /// Survey responses.
    pub surveys: RecordCounts,
    /// Ticket events.
    pub events: RecordCounts,
    /// Tickets.
    pub tickets: TicketCounts,
}

/// A rejected record: where it is and why.
///
/// ```
/// use cxmetrics::report::Rejection;
/// use cxmetrics::{ErrorKind, Error};
/// let error = Error::from(ErrorKind::MissingValue("score".into()));
/// let rejection = Rejection::new("surveys.csv", 12, error);
/// assert_eq!(rejection.reason(), "missing score");
/// assert!(matches!(rejection.error.kind(), ErrorKind::MissingValue(field) if field == "score"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rejection {
    /// The file's name (its last path component; `-` for standard input).
    pub file: String,
    /// The line where the record starts (a CSV header is line 1).
    pub line: u64,
    /// What is wrong with the record; its message names the field and
    /// the value.
    pub error: Error,
}

impl Rejection {
    /// The record of `file` starting on `line`, rejected for `error`.
    pub fn new(file: impl Into<String>, line: u64, error: Error) -> Rejection {
        Rejection {
            file: file.into(),
            line,
            error,
        }
    }

    /// The reason as the report writes it: lower case, naming the field
    /// and the value.
    pub fn reason(&self) -> String {
        self.error.to_string()
    }
}

/// A rejection as the report writes it: `{"file", "line", "reason"}`.
struct RejectionJson<'a>(&'a Rejection);

impl Serialize for RejectionJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("file", &self.0.file)?;
        map.serialize_entry("line", &self.0.line)?;
        map.serialize_entry("reason", &self.0.reason())?;
        map.end()
    }
}

/// One group of a report: its key and its sections.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupReport {
    /// The first local date of the group's time bucket; `None` without buckets.
    pub bucket: Option<NaiveDate>,
    /// The value of each grouping dimension, in `group_by` order; `None`
    /// where the records have none.
    pub dimensions: Vec<(Dimension, Option<String>)>,
    /// NPS, CSAT and CES.
    pub surveys: SurveySummary,
    /// The tickets section; `None` without valid tickets.
    pub tickets: Option<TicketSummary>,
    /// The KPI targets checked in this group, when targets were given.
    pub targets: Option<Vec<TargetResult>>,
    /// Distinct local dates, within the group's bucket, on which any valid
    /// ticket of the whole input was created: the days hourly arrival
    /// rates are averaged over.
    pub active_dates: u64,
    /// Agents needed per local hour, when asked for.
    pub staffing: Option<Vec<HourlyStaffing>>,
}

/// Erlang C staffing for one local hour of a group (definitions, "Staffing").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourlyStaffing {
    /// The local hour, 0..=23.
    pub hour: u8,
    /// Tickets created in this hour ÷ active dates.
    pub arrivals_per_hour: f64,
    /// Agents needed for that rate with the group's AHT and the target;
    /// `None` past what Erlang C answers here (traffic above
    /// [`MAX_TRAFFIC`](crate::staffing::MAX_TRAFFIC) Erlangs), with the
    /// reason in `unstaffed`.
    pub agents: Option<u64>,
    /// Why `agents` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unstaffed: Option<String>,
}

impl Report {
    /// Adds to each group that has tickets and an AHT above zero, for each
    /// local hour with arrivals, the agents Erlang C needs to reach
    /// `target` (no shrinkage, no occupancy cap).
    pub fn apply_staffing(&mut self, target: crate::staffing::ServiceTarget) {
        for group in &mut self.groups {
            let Some(t) = &group.tickets else { continue };
            let Some(aht) = t.handle.map(|h| h.mean).filter(|&m| m > 0.0) else {
                continue;
            };
            let days = group.active_dates.max(1) as f64;
            let hours = t
                .arrivals_by_hour
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(hour, &n)| {
                    let rate = n as f64 / days;
                    let agents = crate::staffing::required_agents(rate * aht / 3600.0, aht, target);
                    HourlyStaffing {
                        hour: hour as u8,
                        arrivals_per_hour: rate,
                        unstaffed: agents.as_ref().err().map(ToString::to_string),
                        agents: agents.ok(),
                    }
                })
                .collect();
            group.staffing = Some(hours);
        }
    }
}

/// A report (definitions, "The report"). Its `Serialize` writes the documented
/// JSON: sections without data are left out, statistics without data are
/// `null`.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The report's instant; `None` when there was no input.
    pub as_of: Option<DateTime<Utc>>,
    /// The time zone's name, as given.
    pub timezone: String,
    /// The time bucket.
    pub bucket: Bucket,
    /// The grouping dimensions.
    pub group_by: Vec<Dimension>,
    /// Input accounting.
    pub input: InputSummary,
    /// The first 100 rejected records, surveys first.
    pub rejections: Vec<Rejection>,
    /// The groups, sorted by bucket, then by the dimensions in `group_by`
    /// order (absent before present, byte order).
    pub groups: Vec<GroupReport>,
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            "as_of",
            &self
                .as_of
                .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        )?;
        map.serialize_entry("timezone", &self.timezone)?;
        map.serialize_entry("bucket", &self.bucket)?;
        map.serialize_entry("group_by", &self.group_by)?;
        map.serialize_entry("input", &self.input)?;
        let rejections: Vec<_> = self.rejections.iter().map(RejectionJson).collect();
        map.serialize_entry("rejections", &rejections)?;
        map.serialize_entry("groups", &self.groups)?;
        map.end()
    }
}

impl Serialize for GroupReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(bucket) = self.bucket {
            map.serialize_entry("bucket", &bucket.to_string())?;
        }
        for (dimension, value) in &self.dimensions {
            map.serialize_entry(dimension.as_str(), value)?;
        }
        schema::serialize_sections(self, &mut map)?;
        if let Some(staffing) = &self.staffing {
            map.serialize_entry("staffing", staffing)?;
        }
        if let Some(targets) = &self.targets {
            map.serialize_entry("targets", targets)?;
        }
        map.end()
    }
}
