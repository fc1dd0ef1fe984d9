//! Accumulators and their statistics: NPS, CSAT, CES, duration
//! distributions and ticket KPIs, all behind one trait, [`Accumulator`].
//!
//! Every accumulator holds exact integer counts, merges with the result of
//! one pass, and returns `None` rather than a made-up 0 when it has no data.
//!
//! ```
//! use cxmetrics::kpi::Csat;
//! use cxmetrics::survey::Scale;
//! let mut csat = Csat::new(Scale::CSAT);
//! for value in [5, 4, 4, 2, 1] {
//!     csat.add_value(value)?;
//! }
//! let summary = csat.summary().expect("five responses");
//! assert_eq!((summary.favorable, summary.score), (3, 60.0)); // 4–5 of 1–5
//! assert!(summary.score_ci.lower < 60.0 && summary.score_ci.upper > 60.0); // Wilson
//! # Ok::<(), cxmetrics::Error>(())
//! ```

mod accumulator;
mod compare;
mod counts;
mod distribution;
mod favorable;
mod interval;
mod nps;
mod options;
mod rated;
mod survey_kpis;
mod tickets;

pub use accumulator::Accumulator;
pub use compare::Comparison;
pub use distribution::{Distribution, RELATIVE_ACCURACY};
pub use favorable::Favorable;
pub use interval::{Confidence, Interval, Z95};
pub use nps::{Nps, NpsSummary};
pub use options::{NpsInterval, SummaryOptions};
pub use rated::{Ces, Csat, ScaleSummary};
pub use survey_kpis::{SurveyKpis, SurveySummary};
pub(crate) use tickets::TicketFacts;
pub use tickets::{BusinessSummary, DistributionSummary, TicketKpis, TicketSummary};
