//! cxmetrics' aggregates as Apache DataFusion SQL functions: NPS, CSAT and
//! CES with their intervals, duration statistics with the crate's
//! percentiles, and one ticket's metrics from its events. Each function's
//! partial state is cxmetrics' own saved accumulator in one binary column,
//! so a query gives one pass's numbers however DataFusion partitions,
//! repartitions or distributes it (on a Ballista cluster too).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! use datafusion::prelude::SessionContext;
//! let ctx = SessionContext::new();
//! cxmetrics_datafusion::register(&ctx);
//! let batches = ctx
//!     .sql("SELECT nps(score) AS nps FROM (VALUES (10), (9), (7), (3)) AS t(score)")
//!     .await?
//!     .collect()
//!     .await?;
//! let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
//! assert!(text.contains("{score: 25.0, responses: 4, promoters: 2, passives: 1, detractors: 1"));
//! # Ok(())
//! # }
//! ```
//!
//! # Functions
//!
//! | function | result |
//! |---|---|
//! | `nps(score)` | `{score, responses, promoters, passives, detractors, ci_low, ci_high}` |
//! | `csat(score [, min, max])` | `{score, responses, satisfied, mean, ci_low, ci_high}` |
//! | `ces(score [, min, max])` | `{score, responses, easy, mean, ci_low, ci_high}` |
//! | `duration_stats(seconds)` | `{n, mean, p50, p90}` |
//! | `ticket_metrics(id, at, kind, agent, status, channel, team, topic [, as_of])` | one ticket's metrics, below |
//!
//! The definitions are cxmetrics' (its `docs/definitions.md`): NPS on 0–10
//! with the adjusted-Wald interval; CSAT (default 1–5, top two box) and CES
//! (default 1–7, above the midpoint) with their means; `ci_low`, `ci_high`
//! are the report's `ci95` (95% unless configured): the Wilson interval of
//! the CSAT score, the Student t interval of the CES mean (null below two
//! responses). Scores are
//! integers or text of the CSV form (`05`, `+9`); `min` and `max` are
//! integer literals. Quantiles are nearest-rank, exact up to 256 values
//! and within 0.5% beyond.
//!
//! Nulls: a null score or number of seconds is skipped (as SQL's own
//! aggregates skip them); a group of nothing but nulls gives `responses` 0
//! (or `n` 0) and null figures. In `ticket_metrics`, null `agent`,
//! `status`, `channel`, `team` or `topic` are absent values, and a null
//! `id`, `at` or `kind` is an error.
//!
//! Errors: a value the definitions reject (a score off the scale, a
//! negative duration, an unknown kind, a kind without its agent, a
//! timestamp of another form) stops the query with an error that names the
//! function and the value, e.g. `nps: score 11 out of range 0..=10 for
//! nps`. Filter such rows out first where they are expected.
//!
//! # Tickets
//!
//! `ticket_metrics` takes one ticket's events, so it is used with `GROUP BY
//! ticket`; its result can then be grouped by any expression. Its fields:
//! `valid` (exactly one `created`, first), `created_at` (a UTC timestamp),
//! `channel`, `team`, `topic`, `agent`, `first_response_s`, `answered`,
//! `resolved`, `first_resolution_s`, `full_resolution_s`, `reopens`,
//! `agent_replies`, `one_touch`, `handle_s`, `reply_waits_s` (a list), and
//! with a calendar their business-time twins `first_response_business_s`,
//! `reply_waits_business_s`, `first_resolution_business_s`,
//! `full_resolution_business_s`. An invalid ticket has `valid` false and
//! every other field null; a ticket whose events all come after `as_of`
//! has every field null. `at` is text in the records' timestamp form or an
//! Arrow timestamp (one without a zone is taken as UTC); `as_of` is a
//! literal of either kind.
//!
//! # Configuration
//!
//! What a literal cannot carry well is set when the functions are
//! registered ([`register_with`]): the CSAT and CES scales and rules, the
//! confidence level and NPS interval, and a business-hours calendar. On a
//! cluster, register the same [`Config`] on every process.
//!
//! # Tables and cookbook
//!
//! [`register_files`] makes a table of record files (CSV or Parquet, files
//! or folders); [`cookbook`] holds queries of everyday questions over them
//! (NPS by week, first-response p90 by team, resolution rate by channel
//! and month, the whole report by agent), each a constant to run as it is:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! use cxmetrics_datafusion::cookbook;
//! use datafusion::prelude::SessionContext;
//! let ctx = SessionContext::new();
//! cxmetrics_datafusion::register(&ctx);
//! ctx.sql("CREATE TABLE surveys (id TEXT, metric TEXT, score INT, at TEXT)").await?;
//! ctx.sql("INSERT INTO surveys VALUES ('a', 'nps', 10, '2026-03-02T09:00:00Z'), \
//!          ('b', 'nps', 3, '2026-03-03T09:00:00+01:00'), ('c', 'nps', 9, '2026-03-09T10:00:00Z')")
//!     .await?
//!     .collect()
//!     .await?;
//! let weeks = ctx.sql(cookbook::NPS_BY_WEEK).await?.collect().await?;
//! let text = datafusion::arrow::util::pretty::pretty_format_batches(&weeks)?.to_string();
//! assert!(text.contains("| 2026-03-02T00:00:00 | {score: 0.0, responses: 2"));
//! assert!(text.contains("| 2026-03-09T00:00:00 | {score: 100.0, responses: 1"));
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod columns;
pub mod cookbook;
mod durations;
mod function;
mod partial;
mod surveys;
mod tables;
mod tickets;

use std::sync::Arc;

use cxmetrics::calendar::Calendar;
use cxmetrics::kpi::{Favorable, SummaryOptions};
use cxmetrics::sla::SlaPolicy;
use cxmetrics::survey::Scales;
use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::SessionContext;
use serde::Serialize;

use function::{Function, Kind};
pub use tables::register_files;

/// The options of the functions that SQL literals do not carry: the
/// definitions' defaults unless set.
///
/// ```
/// use cxmetrics::kpi::{Confidence, SummaryOptions};
/// use cxmetrics_datafusion::Config;
/// let config = Config::default().with_summary(SummaryOptions {
///     confidence: Confidence::new(0.90)?,
///     ..SummaryOptions::default()
/// });
/// assert_eq!(config.udafs().len(), 5);
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    scales: Scales,
    csat_rule: Favorable,
    ces_rule: Favorable,
    summary: SummaryOptions,
    calendar: Option<Calendar>,
    sla: Option<SlaPolicy>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            scales: Scales::default(),
            csat_rule: Favorable::TopTwoBox,
            ces_rule: Favorable::AboveMidpoint,
            summary: SummaryOptions::default(),
            calendar: None,
            sla: None,
        }
    }
}

impl Config {
    /// The scales of `csat(score)` and `ces(score)` without bounds.
    pub fn with_scales(mut self, scales: Scales) -> Self {
        self.scales = scales;
        self
    }

    /// The rule of CSAT's favorable points (top two box unless set).
    pub fn with_csat_rule(mut self, rule: Favorable) -> Self {
        self.csat_rule = rule;
        self
    }

    /// The rule of CES's favorable points (above the midpoint unless set).
    pub fn with_ces_rule(mut self, rule: Favorable) -> Self {
        self.ces_rule = rule;
        self
    }

    /// The confidence level and NPS interval of every result.
    pub fn with_summary(mut self, summary: SummaryOptions) -> Self {
        self.summary = summary;
        self
    }

    /// A business-hours calendar: `ticket_metrics` gains the business-time
    /// twins of its durations.
    pub fn with_calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// SLA targets: `ticket_metrics` gains `sla`, the ticket's spans
    /// `{first_response, reply, resolution}`, each `{measured, met}` (null
    /// where the ticket's channel has no target), judged at the `as_of`
    /// argument, or else at the ticket's last event. Summed over tickets
    /// with one `as_of`, they are the report's `sla` counts. A policy in
    /// business hours needs [`with_calendar`](Self::with_calendar) too,
    /// else the query fails.
    pub fn with_sla(mut self, policy: SlaPolicy) -> Self {
        self.sla = Some(policy);
        self
    }

    /// The functions with this configuration, for a registry of one's own
    /// (a Ballista scheduler's or executor's session, say).
    pub fn udafs(&self) -> Vec<AggregateUDF> {
        let config = Arc::new(self.clone());
        Kind::ALL
            .iter()
            .map(|&kind| AggregateUDF::new_from_impl(Function::new(kind, config.clone())))
            .collect()
    }

    /// The configuration as bytes, so that two registrations compare
    /// equal exactly when they compute the same.
    fn key(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }
}

/// Registers the functions with the definitions' defaults.
pub fn register(ctx: &SessionContext) {
    register_with(ctx, &Config::default());
}

/// Registers the functions with `config`.
pub fn register_with(ctx: &SessionContext, config: &Config) {
    for udaf in config.udafs() {
        ctx.register_udaf(udaf);
    }
}
