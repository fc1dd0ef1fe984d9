//! Per-group accumulators and their statistics.
//!
//! Every accumulator holds exact integer counts, merges with the result of
//! one pass, and returns `None` rather than a made-up 0 when it has no data.

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
