//! Customer-service KPIs with exact, documented definitions.
//!
//! `cxmetrics` turns survey responses into **NPS**, **CSAT** and **CES** with
//! confidence intervals and two-group tests, and ticket event timelines into
//! **first response, reply waits, resolution, reopens, one-touch and
//! handle time**, with SLA attainment in business hours and Erlang C
//! staffing. Its accumulators hold exact counts, stream record by record and
//! merge across threads, processes and machines with the result of one pass.
//!
//! ```
//! use cxmetrics::kpi::Nps;
//! use cxmetrics::survey::NpsScore;
//!
//! let mut nps = Nps::new();
//! for score in [10, 9, 6] {
//!     nps.add(NpsScore::new(score)?);
//! }
//! let summary = nps.summary().expect("three responses");
//! assert_eq!((summary.promoters, summary.detractors), (2, 1));
//! assert!((summary.score - 33.333).abs() < 1e-3);
//! // Adjusted-Wald 95% interval (Rocks 2016): wide, as three answers deserve.
//! assert!(summary.ci.lower < 0.0 && summary.ci.upper > 70.0);
//! # Ok::<(), cxmetrics::Error>(())
//! ```
//!
//! # Where to start
//!
//! | you have | start from |
//! |---|---|
//! | survey scores | [`kpi::Nps`], [`kpi::Csat`], [`kpi::Ces`], or [`SurveyKpis`] for all three |
//! | one ticket's events | [`Timeline`] → [`timeline::TicketMetrics`] |
//! | many tickets' metrics | [`TicketKpis`], with [`sla`] and [`calendar`] |
//! | rows of your own, grouped by a key of your own | [`aggregate::Grouped`] |
//! | files or streams of records | [`Aggregator`] with [`AggregateOptions`] → [`Report`]; [`io`] readers |
//! | an arrival forecast | [`staffing::Staffing`] (Erlang C) |
//!
//! The [`cookbook`] has a complete program for each common task.
//!
//! # Layers
//!
//! Data flows one way, and each module uses only those above it:
//!
//! 1. [`survey`], [`ticket`]: validated records ([`time`] for instants,
//!    zones and buckets);
//! 2. [`timeline`]: one ticket's events → its metrics;
//! 3. [`kpi`]: accumulators (add, merge, summary) behind one trait,
//!    [`kpi::Accumulator`]; [`calendar`], [`sla`], [`staffing`] beside them;
//! 4. [`aggregate`]: grouping, id dedupe, merge and saved state;
//! 5. [`report`]: the report, its one schema, targets;
//! 6. [`io`] (feature `io`) reads CSV and JSON Lines; the `cli` feature
//!    builds the `cxmetrics` command on top of it all.
//!
//! Every definition, with its sources and how the leading helpdesks
//! differ, is in the repository's `docs/definitions.md`.
//!
//! # Validation
//!
//! Values are validated once, into types that cannot hold a bad one
//! ([`survey::Scale`], [`survey::NpsScore`], the ids,
//! [`time::parse_timestamp`]). Errors are one [`Error`] type whose
//! [`ErrorKind`] says what was wrong and whose message names the value:
//! `score 11 out of range 0..=10 for nps`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod aggregate;
pub mod calendar;
pub mod cookbook;
mod dimensions;
mod error;
mod id;
#[cfg(feature = "io")]
#[cfg_attr(docsrs, doc(cfg(feature = "io")))]
pub mod io;
pub mod kpi;
pub mod outcome;
pub mod report;
pub mod sla;
pub mod staffing;
pub mod survey;
pub mod ticket;
pub mod time;
pub mod timeline;

pub use aggregate::{AggregateOptions, Aggregator};
pub use error::{Error, ErrorKind};
pub use kpi::{SurveyKpis, TicketKpis};
pub use report::Report;
pub use survey::SurveyResponse;
pub use ticket::TicketEvent;
pub use timeline::Timeline;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
