//! The one shape of every accumulator: add, merge, summary.

use std::time::Duration;

use super::distribution::Distribution;
use super::nps::{Nps, NpsSummary};
use super::rated::{Ces, Csat, ScaleSummary};
use super::survey_kpis::{SurveyKpis, SurveySummary};
use super::tickets::{DistributionSummary, TicketKpis, TicketSummary};
use crate::error::Error;
use crate::survey::{NpsScore, ScaleScore, SurveyScore};
use crate::timeline::TicketMetrics;

/// An accumulator: records go in one at a time, two accumulators of the
/// same kind merge with the result of one pass over both inputs, and the
/// summary is computed from the accumulated state.
///
/// Implemented by [`Nps`], [`Csat`], [`Ces`], [`SurveyKpis`],
/// [`Distribution`] and [`TicketKpis`], so that code grouping records
/// ([`Grouped`](crate::aggregate::Grouped)), SQL engines and language
/// bindings handle them alike.
///
/// ```
/// use cxmetrics::kpi::{Accumulator, Nps};
/// use cxmetrics::survey::NpsScore;
/// fn total<A: Accumulator>(parts: &[A]) -> Result<A, cxmetrics::Error> {
///     let mut whole = A::default();
///     for part in parts {
///         whole.merge(part)?;
///     }
///     Ok(whole)
/// }
/// let mut a = Nps::new();
/// let mut b = Nps::new();
/// Accumulator::add(&mut a, NpsScore::new(10)?)?;
/// Accumulator::add(&mut b, NpsScore::new(3)?)?;
/// let nps = total(&[a, b])?.summary().expect("two responses");
/// assert_eq!(nps.score, 0.0);
/// # Ok::<(), cxmetrics::Error>(())
/// ```
pub trait Accumulator: Default + Clone {
    /// What one record contributes.
    type Item<'a>;
    /// What the accumulated records come to.
    type Summary;

    /// Adds one record.
    ///
    /// # Errors
    ///
    /// When the record does not fit the accumulator (a score on another
    /// scale); nothing is counted then.
    fn add(&mut self, item: Self::Item<'_>) -> Result<(), Error>;

    /// Adds every record of `other`, as if they had been added here.
    ///
    /// # Errors
    ///
    /// When the two differ in kind (scales, rules) or a count would
    /// overflow; `self` is then unchanged.
    fn merge(&mut self, other: &Self) -> Result<(), Error>;

    /// The statistics of the records added so far.
    fn summary(&self) -> Self::Summary;
}

impl Accumulator for Nps {
    type Item<'a> = NpsScore;
    type Summary = Option<NpsSummary>;
    fn add(&mut self, score: NpsScore) -> Result<(), Error> {
        Nps::add(self, score);
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> Result<(), Error> {
        Nps::merge(self, other)
    }
    fn summary(&self) -> Option<NpsSummary> {
        Nps::summary(self)
    }
}

macro_rules! rated {
    ($name:ident) => {
        impl Accumulator for $name {
            type Item<'a> = ScaleScore;
            type Summary = Option<ScaleSummary>;
            fn add(&mut self, score: ScaleScore) -> Result<(), Error> {
                $name::add(self, score)
            }
            fn merge(&mut self, other: &Self) -> Result<(), Error> {
                $name::merge(self, other)
            }
            fn summary(&self) -> Option<ScaleSummary> {
                $name::summary(self)
            }
        }
    };
}
rated!(Csat);
rated!(Ces);

impl Accumulator for SurveyKpis {
    type Item<'a> = SurveyScore;
    type Summary = SurveySummary;
    fn add(&mut self, score: SurveyScore) -> Result<(), Error> {
        SurveyKpis::add(self, score)
    }
    fn merge(&mut self, other: &Self) -> Result<(), Error> {
        SurveyKpis::merge(self, other)
    }
    fn summary(&self) -> SurveySummary {
        SurveyKpis::summary(self)
    }
}

impl Accumulator for Distribution {
    type Item<'a> = Duration;
    type Summary = Option<DistributionSummary>;
    fn add(&mut self, value: Duration) -> Result<(), Error> {
        Distribution::add(self, value);
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> Result<(), Error> {
        Distribution::merge(self, other)
    }
    fn summary(&self) -> Option<DistributionSummary> {
        DistributionSummary::of(self)
    }
}

impl Accumulator for TicketKpis {
    type Item<'a> = &'a TicketMetrics<'a>;
    type Summary = Option<TicketSummary>;
    fn add(&mut self, ticket: &TicketMetrics<'_>) -> Result<(), Error> {
        TicketKpis::add(self, ticket);
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> Result<(), Error> {
        TicketKpis::merge(self, other)
    }
    fn summary(&self) -> Option<TicketSummary> {
        TicketKpis::summary(self)
    }
}
