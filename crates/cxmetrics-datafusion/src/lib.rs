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
//! # Cookbook
//!
//! NPS by ISO week from Parquet files:
//!
//! ```sql
//! SELECT date_trunc('week', CAST(at AS TIMESTAMP)) AS week, nps(score) AS nps
//! FROM surveys WHERE metric = 'nps' GROUP BY week ORDER BY week
//! ```
//!
//! First-response p90 by team, from the events:
//!
//! ```sql
//! WITH tickets AS (
//!   SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS t
//!   FROM events GROUP BY ticket)
//! SELECT t.team AS team, duration_stats(t.first_response_s).p90 AS p90
//! FROM tickets WHERE t.valid GROUP BY t.team ORDER BY team
//! ```
//!
//! Resolution rate by channel and month:
//!
//! ```sql
//! WITH tickets AS (
//!   SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS t
//!   FROM events GROUP BY ticket)
//! SELECT t.channel AS channel, date_trunc('month', t.created_at) AS month,
//!        100.0 * avg(CASE WHEN t.resolved THEN 1.0 ELSE 0.0 END) AS resolution_rate
//! FROM tickets WHERE t.valid GROUP BY channel, month ORDER BY channel, month
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod columns;
mod durations;
mod function;
mod partial;
mod surveys;
mod tickets;

use std::sync::Arc;

use cxmetrics::calendar::Calendar;
use cxmetrics::kpi::{Favorable, SummaryOptions};
use cxmetrics::survey::Scales;
use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::SessionContext;
use serde::Serialize;

use function::{Function, Kind};

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            scales: Scales::default(),
            csat_rule: Favorable::TopTwoBox,
            ces_rule: Favorable::AboveMidpoint,
            summary: SummaryOptions::default(),
            calendar: None,
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
