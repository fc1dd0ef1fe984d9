//! The command line (definitions, "Saved states and merging"), parsed into the library's types.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use cxmetrics::io::InputFormat;
use cxmetrics::{
    aggregate::Dimension,
    survey::{Scale, Scales},
    time::{parse_timestamp, Bucket, TimeZone},
    AggregateOptions,
};

/// Customer-service KPIs with exact definitions: NPS, CSAT and CES with
/// confidence intervals; first response, reply, resolution and handle
/// times from ticket events.
#[derive(Debug, Parser)]
#[command(name = "cxmetrics", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute the report of survey and event files, or of a saved state.
    Report(ReportArgs),
    /// Save the aggregation state of input files, to merge and report later.
    Ingest(IngestArgs),
    /// Combine saved states made with the same options into one.
    Merge(MergeArgs),
    /// Agents needed for an arrival rate and handling time (Erlang C).
    Staffing(StaffingArgs),
}

#[derive(Debug, Args)]
pub struct StaffingArgs {
    /// Contacts arriving per interval (a positive number).
    #[arg(long)]
    pub arrivals: String,
    /// The interval: a positive number of s, m or h (`30m`).
    #[arg(long)]
    pub interval: String,
    /// Average handling time: a positive number of s, m or h (`180s`).
    #[arg(long)]
    pub aht: String,
    /// Service-level target P/Ts: P% answered within T seconds (`80/20s`).
    #[arg(long)]
    pub target: String,
    /// Share of paid time not on contacts (`30%`).
    #[arg(long)]
    pub shrinkage: Option<String>,
    /// Highest occupancy allowed (`85%`).
    #[arg(long)]
    pub max_occupancy: Option<String>,
    /// Scheduled agents per team lead: adds `leads`.
    #[arg(long)]
    pub agents_per_lead: Option<u64>,
    /// Output format (default: table on a terminal, else json).
    #[arg(long, value_enum)]
    pub format: Option<StaffingFormat>,
}

/// The staffing command's output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StaffingFormat {
    /// `{"traffic_erlangs", "agents", "scheduled", …}`.
    Json,
    /// One figure a line.
    Table,
}

/// Input files and how to read them.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// A survey response file (.csv, .jsonl or .ndjson; `-` for standard input). Repeatable.
    #[arg(long = "surveys", value_name = "FILE")]
    pub surveys: Vec<PathBuf>,
    /// A ticket event file (.csv, .jsonl or .ndjson; `-` for standard input). Repeatable.
    #[arg(long = "events", value_name = "FILE")]
    pub events: Vec<PathBuf>,
    /// The format of inputs without a known extension, `-` included.
    #[arg(long, value_name = "csv|jsonl", value_parser = parse_format)]
    pub input_format: Option<InputFormat>,
    /// Stop at the first rejected record, with exit status 2.
    #[arg(long)]
    pub strict: bool,
    /// Reject records longer than BYTES (a line that runs on 16 times as
    /// long without a line end is a file error).
    #[arg(long, value_name = "BYTES", default_value_t = cxmetrics::io::DEFAULT_RECORD_LIMIT)]
    pub max_record_bytes: usize,
}

/// How records are grouped and cut; recorded in saved states.
#[derive(Debug, Args)]
pub struct GroupArgs {
    /// Comma list of agent, channel, team, topic.
    #[arg(long, value_name = "DIMS", value_parser = parse_dimensions)]
    pub group_by: Option<Dimensions>,
    /// Time bucket: none, day, week or month.
    #[arg(long, value_name = "none|day|week|month", value_parser = parse_bucket)]
    pub bucket: Option<Bucket>,
    /// IANA time zone of the buckets.
    #[arg(long, value_name = "IANA")]
    pub tz: Option<String>,
    /// The report's instant (RFC 3339): records after it are ignored.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub as_of: Option<DateTime<Utc>>,
    /// The CSAT scale.
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_scale)]
    pub csat_scale: Option<Scale>,
    /// The CES scale.
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_scale)]
    pub ces_scale: Option<Scale>,
    /// Business hours (JSON): durations also in business time.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    /// SLA targets (JSON): attainment per group.
    #[arg(long, value_name = "FILE")]
    pub sla: Option<PathBuf>,
}

impl GroupArgs {
    /// The aggregation options.
    pub fn options(&self) -> Result<AggregateOptions, String> {
        let mut options = AggregateOptions::new()
            .with_group_by(self.group_by.as_ref().map_or(&[][..], |d| &d.0))
            .map_err(|e| format!("--group-by: {e}"))?
            .with_bucket(self.bucket.unwrap_or_default())
            .with_timezone(
                TimeZone::new(self.tz.as_deref().unwrap_or("UTC"))
                    .map_err(|e| format!("--tz: {e}"))?,
            )
            .with_scales(Scales {
                csat: self.csat_scale.unwrap_or(Scale::CSAT),
                ces: self.ces_scale.unwrap_or(Scale::CES),
            })
            .map_err(|e| e.to_string())?;
        if let Some(as_of) = self.as_of {
            options = options.with_as_of(as_of);
        }
        if let Some(path) = &self.calendar {
            options = options.with_calendar(crate::files::calendar(path).map_err(|f| f.0)?);
        }
        if let Some(path) = &self.sla {
            let policy = crate::files::sla(path, options.calendar()).map_err(|f| f.0)?;
            options = options.with_sla(policy).map_err(|e| e.to_string())?;
        }
        Ok(options)
    }

    fn any(&self) -> bool {
        self.group_by.is_some()
            || self.bucket.is_some()
            || self.tz.is_some()
            || self.as_of.is_some()
            || self.csat_scale.is_some()
            || self.ces_scale.is_some()
            || self.calendar.is_some()
            || self.sla.is_some()
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// Report from a state saved by `ingest` or `merge` instead of input files.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Output format (default: table on a terminal, else json).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE (replaced whole, or left as it was on an
    /// error) instead of standard output (`-`).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// KPI targets (JSON): each group gains `targets`.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Erlang C agents per local hour for this service-level target (`80/20s`).
    #[arg(long, value_name = "P/Ts", value_parser = parse_target)]
    pub staffing: Option<cxmetrics::staffing::ServiceTarget>,
}

impl ReportArgs {
    /// With `--state`, the input and grouping options belong to the state.
    pub fn check(&self) -> Result<(), String> {
        let inputs = !self.input.surveys.is_empty() || !self.input.events.is_empty();
        if self.state.is_some()
            && (inputs
                || self.group.any()
                || self.input.strict
                || self.input.max_record_bytes != cxmetrics::io::DEFAULT_RECORD_LIMIT
                || self.input.input_format.is_some())
        {
            return Err("--state takes no input files and no grouping options: they were recorded by ingest".into());
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub group: GroupArgs,
    /// Where to save the state (replaced whole, or left as it was on an
    /// error); `-` is standard output.
    #[arg(long, value_name = "STATE", required = true)]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// States saved by `ingest` or `merge`, made with the same options
    /// (`-`: standard input, once).
    #[arg(required = true, value_name = "STATE")]
    pub states: Vec<PathBuf>,
    /// Where to save the merged state (replaced whole, or left as it was
    /// on an error; it may be one of the inputs); `-` is standard output.
    #[arg(long, value_name = "STATE", required = true)]
    pub output: PathBuf,
}

/// The report's output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The documented JSON report.
    Json,
    /// One row per group, flattened columns.
    Csv,
    /// Aligned columns for people.
    Table,
}

/// Grouping dimensions, distinct, in order.
#[derive(Debug, Clone)]
pub struct Dimensions(pub Vec<Dimension>);

fn parse_dimensions(text: &str) -> Result<Dimensions, String> {
    if text.is_empty() {
        return Ok(Dimensions(Vec::new()));
    }
    let dims: Vec<Dimension> = text
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|e: cxmetrics::Error| e.to_string())?;
    AggregateOptions::new()
        .with_group_by(&dims)
        .map_err(|e| e.to_string())?;
    Ok(Dimensions(dims))
}

fn parse_bucket(text: &str) -> Result<Bucket, String> {
    text.parse().map_err(|e: cxmetrics::Error| e.to_string())
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    parse_timestamp(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| e.to_string())
}

fn parse_scale(text: &str) -> Result<Scale, String> {
    text.parse().map_err(|e: cxmetrics::Error| e.to_string())
}

fn parse_target(text: &str) -> Result<cxmetrics::staffing::ServiceTarget, String> {
    text.parse().map_err(|e: cxmetrics::Error| e.to_string())
}

fn parse_format(text: &str) -> Result<InputFormat, String> {
    text.parse()
        .map_err(|_| format!("unknown input format {text:?}: expected csv or jsonl"))
}
