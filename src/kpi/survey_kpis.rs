//! The three survey metrics of one group, fed from mixed responses.

use serde::{Deserialize, Serialize};

use super::counts::ScoreCounts;
use super::favorable::Favorable;
use super::nps::{Nps, NpsSummary};
use super::options::SummaryOptions;
use super::rated::{Ces, Csat, ScaleSummary};
use crate::error::Error;
use crate::survey::{Scales, SurveyScore};

/// NPS, CSAT and CES of one group, updated from a stream of responses of
/// any metric.
///
/// ```
/// use cxmetrics::{SurveyKpis, survey::{Scales, SurveyMetric, SurveyScore}};
/// let scales = Scales::default();
/// let mut kpis = SurveyKpis::new(scales);
/// for (metric, value) in [(SurveyMetric::Nps, 10), (SurveyMetric::Csat, 4), (SurveyMetric::Ces, 6)] {
///     kpis.add(SurveyScore::new(metric, value, scales)?)?;
/// }
/// let summary = kpis.summary();
/// assert_eq!(summary.nps.map(|s| s.score), Some(100.0));
/// assert_eq!(summary.csat.map(|s| s.score), Some(100.0));
/// assert_eq!(summary.ces.map(|s| s.mean), Some(6.0));
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyKpis {
    nps: Nps,
    csat: Csat,
    ces: Ces,
}

impl Default for SurveyKpis {
    fn default() -> Self {
        SurveyKpis::new(Scales::default())
    }
}

impl SurveyKpis {
    /// Empty accumulators on `scales`, with the documented rules.
    pub fn new(scales: Scales) -> Self {
        SurveyKpis {
            nps: Nps::new(),
            csat: Csat::new(scales.csat),
            ces: Ces::new(scales.ces),
        }
    }

    /// Empty accumulators on `scales` with the given favorable rules.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRule`](crate::ErrorKind::InvalidRule) when a rule does not fit its scale.
    pub fn with_rules(scales: Scales, csat: Favorable, ces: Favorable) -> Result<Self, Error> {
        Ok(SurveyKpis {
            nps: Nps::new(),
            csat: Csat::with_rule(scales.csat, csat)?,
            ces: Ces::with_rule(scales.ces, ces)?,
        })
    }

    /// Counts one response in its metric's accumulator. O(1), without a
    /// data-dependent branch on the metric.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ScaleMismatch`](crate::ErrorKind::ScaleMismatch) when the score was validated on other
    /// scales than these accumulators'; nothing is counted then.
    #[inline]
    pub fn add(&mut self, score: SurveyScore) -> Result<(), Error> {
        let metric = score.metric();
        // Indexing an array of the three tables by the metric is a load,
        // where a `match` would be a branch mispredicted on mixed input.
        let tables: [&mut ScoreCounts; 3] = [
            self.nps.counts_mut(),
            self.csat.counts_mut(),
            self.ces.counts_mut(),
        ];
        let counts = &mut *tables[metric as usize];
        if counts.scale() != score.scale() {
            return Err(counts.scale().mismatch(metric, score.scale()));
        }
        counts.add(score.value());
        Ok(())
    }

    /// Accumulators on `scales` (with the documented rules) holding
    /// `counts`: per metric, in `SurveyMetric` order, one count per point
    /// of its scale, lowest first. The caller makes the lengths match the
    /// scales; a count past the end of a scale is not counted.
    pub(crate) fn with_counts(self, counts: [&[u32]; 3]) -> Self {
        let mut kpis = self;
        let tables: [&mut ScoreCounts; 3] = [
            kpis.nps.counts_mut(),
            kpis.csat.counts_mut(),
            kpis.ces.counts_mut(),
        ];
        for (table, counts) in tables.into_iter().zip(counts) {
            table.add_counts(counts);
        }
        kpis
    }

    /// Adds `other`'s responses, metric by metric.
    ///
    /// # Errors
    ///
    /// A scale or rule mismatch, or a count overflow; `self` is then
    /// unchanged.
    pub fn merge(&mut self, other: &SurveyKpis) -> Result<(), Error> {
        // Merge into copies first so that a failure leaves `self` unchanged.
        let mut merged = self.clone();
        merged.nps.merge(&other.nps)?;
        merged.csat.merge(&other.csat)?;
        merged.ces.merge(&other.ces)?;
        *self = merged;
        Ok(())
    }

    /// The NPS accumulator.
    pub fn nps(&self) -> &Nps {
        &self.nps
    }

    /// The CSAT accumulator.
    pub fn csat(&self) -> &Csat {
        &self.csat
    }

    /// The CES accumulator.
    pub fn ces(&self) -> &Ces {
        &self.ces
    }

    /// The documented statistics of each metric (95%, adjusted Wald).
    pub fn summary(&self) -> SurveySummary {
        self.summary_with(SummaryOptions::default())
    }

    /// The statistics of each metric; a metric without responses is `None`.
    pub fn summary_with(&self, options: SummaryOptions) -> SurveySummary {
        SurveySummary {
            nps: self.nps.summary_with(options),
            csat: self.csat.summary_with(options),
            ces: self.ces.summary_with(options),
        }
    }
}

impl Extend<SurveyScore> for SurveyKpis {
    /// Counts every score.
    ///
    /// # Panics
    ///
    /// When a score was validated on other scales (a programming error);
    /// [`SurveyKpis::add`] returns an error instead.
    fn extend<I: IntoIterator<Item = SurveyScore>>(&mut self, scores: I) {
        for score in scores {
            if let Err(error) = self.add(score) {
                panic!("{error}");
            }
        }
    }
}

impl FromIterator<SurveyScore> for SurveyKpis {
    /// Counts scores validated on the documented scales.
    ///
    /// # Panics
    ///
    /// When a score was validated on other scales.
    fn from_iter<I: IntoIterator<Item = SurveyScore>>(scores: I) -> Self {
        let mut kpis = SurveyKpis::default();
        kpis.extend(scores);
        kpis
    }
}

/// The statistics of the three survey metrics of a group; `None` where the
/// group has no response of that metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveySummary {
    /// NPS statistics.
    pub nps: Option<NpsSummary>,
    /// CSAT statistics (`favorable` = satisfied).
    pub csat: Option<ScaleSummary>,
    /// CES statistics (`favorable` = easy).
    pub ces: Option<ScaleSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{Scale, SurveyMetric};
    use proptest::prelude::*;

    /// A score on the default scales, every point of each reachable: made
    /// in range rather than filtered, so that no case count runs out of
    /// candidates.
    fn score() -> impl Strategy<Value = SurveyScore> {
        (0..3usize, 0i64..=10).prop_map(|(metric, value)| {
            let metric = [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces][metric];
            let scale = Scales::default().of(metric);
            let value = i64::from(scale.min()) + value % scale.points() as i64;
            SurveyScore::new(metric, value, Scales::default()).unwrap()
        })
    }

    #[test]
    fn mismatched_scales_are_errors_and_leave_no_trace() {
        let mut kpis = SurveyKpis::default();
        let other = Scales {
            csat: Scale::new(1, 10).unwrap(),
            ces: Scale::CES,
        };
        let score = SurveyScore::new(SurveyMetric::Csat, 9, other).unwrap();
        assert_eq!(
            kpis.add(score).unwrap_err().to_string(),
            "scale mismatch for csat: 1..=5 vs 1..=10"
        );
        assert_eq!(kpis, SurveyKpis::default());
        let mut theirs = SurveyKpis::new(other);
        theirs
            .add(SurveyScore::new(SurveyMetric::Nps, 3, other).unwrap())
            .unwrap();
        assert!(kpis.merge(&theirs).is_err());
        assert_eq!(
            kpis,
            SurveyKpis::default(),
            "a failed merge changes nothing"
        );
    }

    #[test]
    fn send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SurveyKpis>();
        assert_send_sync::<SurveySummary>();
    }

    proptest! {
        /// Streaming == batch: one accumulator fed response by response
        /// equals per-metric accumulators built from the filtered batch.
        #[test]
        fn streaming_equals_batch(scores in prop::collection::vec(score(), 0..300)) {
            let streamed: SurveyKpis = scores.iter().copied().collect();
            let of = |metric| scores.iter().filter(move |s| s.metric() == metric).map(|s| s.scale_score());
            let nps: Nps = scores.iter().filter_map(|s| s.nps()).collect();
            let mut csat = Csat::default();
            csat.try_extend(of(SurveyMetric::Csat)).unwrap();
            let ces: Ces = of(SurveyMetric::Ces).collect();
            prop_assert_eq!(streamed.nps(), &nps);
            prop_assert_eq!(streamed.csat(), &csat);
            prop_assert_eq!(streamed.ces().summary(), ces.summary());
        }

        #[test]
        fn merge_equals_one_pass_and_round_trips(scores in prop::collection::vec(score(), 0..300), cut in any::<prop::sample::Index>()) {
            let i = cut.index(scores.len() + 1);
            let whole: SurveyKpis = scores.iter().copied().collect();
            let mut right: SurveyKpis = scores[i..].iter().copied().collect();
            right.merge(&scores[..i].iter().copied().collect()).unwrap();
            prop_assert_eq!(&right, &whole);
            let json = serde_json::to_string(&whole).unwrap();
            prop_assert_eq!(serde_json::from_str::<SurveyKpis>(&json).unwrap(), whole);
        }
    }
}
