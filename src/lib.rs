//! Customer-service KPIs with exact, documented definitions.
//!
//! `cxmetrics` turns survey responses into **NPS**, **CSAT** and **CES** with
//! confidence intervals and two-group tests, from accumulators that hold
//! exact counts, stream record by record and merge across threads, processes
//! and machines with the result of one pass.
//!
//! ```
//! use cxmetrics::{Scales, SurveyKpis, SurveyMetric, SurveyScore};
//!
//! let scales = Scales::default(); // CSAT 1..=5, CES 1..=7
//! let mut kpis = SurveyKpis::new(scales);
//! for (metric, value) in [
//!     (SurveyMetric::Nps, 10), (SurveyMetric::Nps, 9), (SurveyMetric::Nps, 6),
//!     (SurveyMetric::Csat, 5), (SurveyMetric::Csat, 2),
//! ] {
//!     kpis.add(SurveyScore::new(metric, value, scales)?)?;
//! }
//!
//! let nps = kpis.summary().nps.expect("three NPS responses");
//! assert_eq!((nps.promoters, nps.detractors), (2, 1));
//! assert!((nps.score - 33.333).abs() < 1e-3);
//! // Adjusted-Wald 95% interval (Rocks 2016): wide, as three answers deserve.
//! assert!(nps.ci.lower < 0.0 && nps.ci.upper > 70.0);
//!
//! let csat = kpis.summary().csat.expect("two CSAT responses");
//! assert_eq!(csat.score, 50.0); // top-2-box: 4–5 on 1..=5
//! assert!(kpis.summary().ces.is_none()); // no data is not 0
//! # Ok::<(), cxmetrics::Error>(())
//! ```
//!
//! # Definitions
//!
//! | metric | formula | interval |
//! |---|---|---|
//! | NPS | 100·(promoters 9–10 − detractors 0–6)/n | adjusted Wald (Rocks 2016), or Wald |
//! | CSAT | 100·satisfied/n, satisfied = top two points (top point on 2–3 point scales) | Wilson (1927) |
//! | CES | 100·easy/n, easy = above the midpoint (5–7 on 1–7); mean | Student t of the mean |
//!
//! The rules are configurable ([`Favorable`]), the confidence level too
//! ([`Confidence`]). Groups compare with [`NpsSummary::compare`],
//! [`ScaleSummary::compare_score`] (two-proportion z test) and
//! [`ScaleSummary::compare_mean`] (Welch's t test).
//!
//! # Tickets
//!
//! A [`Timeline`] takes one ticket's [`TicketEvent`]s in any order, ignores
//! repeated deliveries, orders them as the contract does (instant, then kind,
//! then id) and derives [`TicketMetrics`] up to an `as_of` instant; a ticket
//! without exactly one leading `created` event is an [`InvalidTicket`].
//! Each metric's documentation states its rule and how the leading
//! helpdesks differ.
//!
//! # Reports
//!
//! An [`Aggregator`] folds responses and events into the groups of a
//! [`Report`] (by agent, channel, team, topic, and day, ISO week or month in
//! an IANA zone), deduplicating record ids exactly and keeping each ticket's
//! events until the report, so input may arrive in any order and in parts:
//! states save to bytes ([`Aggregator::to_bytes`]) and
//! [`merge`](Aggregator::merge) with exactly the result of one pass. The
//! report serializes as the contract's JSON. With the `io` feature,
//! `io::SurveyReader` and `io::EventReader` read CSV and JSON Lines
//! over any `std::io::Read`, rejecting bad records with their line and a
//! reason; the `cli` feature builds the `cxmetrics` command.
//!
//! # Validation
//!
//! Values are validated once, into types that cannot hold a bad one:
//! [`Scale`], [`NpsScore`], [`ScaleScore`], [`SurveyScore`], the ids and
//! [`parse_timestamp`]. Errors are one [`Error`] type whose
//! [`ErrorKind`] says what was wrong and whose message names the value:
//! `score 11 out of range 0..=10 for nps`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod aggregate;
mod calendar;
mod dimensions;
mod error;
mod id;
#[cfg(feature = "io")]
pub mod io;
mod kpi;
mod report;
mod sla;
mod staffing;
mod survey;
mod targets;
mod ticket;
mod time;
mod timeline;

pub use aggregate::{AggregateOptions, Aggregator, Bucket, Dimension, TimeZone};
pub use calendar::Calendar;
pub use dimensions::Dimensions;
pub use error::{Error, ErrorKind};
pub use id::{EventId, Name, ResponseId, TicketId};
pub use kpi::{
    BusinessSummary, Ces, Comparison, Confidence, Csat, Distribution, DistributionSummary,
    Favorable, Interval, Nps, NpsInterval, NpsSummary, ScaleSummary, SummaryOptions, SurveyKpis,
    SurveySummary, TicketKpis, TicketSummary, RELATIVE_ACCURACY, Z95,
};
pub use report::{
    GroupReport, HourlyStaffing, InputSummary, RecordCounts, RecordKind, Rejection, Report,
    TicketCounts,
};
pub use sla::{SlaCount, SlaCounts, SlaPolicy, SlaTargets};
pub use staffing::{erlang_c, required_agents, Decimal, ServiceTarget, Staffing, StaffingResult};
pub use survey::{
    NpsCategory, NpsScore, Scale, ScaleScore, Scales, SurveyMetric, SurveyResponse, SurveyScore,
};
pub use targets::{Target, TargetResult, Targets};
pub use ticket::{EventKind, Status, TicketEvent};
pub use time::parse_timestamp;
pub use timeline::{Delivery, InvalidTicket, TicketMetrics, Timeline};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
