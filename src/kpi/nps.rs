//! Net Promoter Score.

use serde::{Deserialize, Serialize};

use super::compare::{z_test, Comparison};
use super::counts::ScoreCounts;
use super::interval::Interval;
use super::options::{NpsInterval, SummaryOptions};
use crate::error::Error;
use crate::survey::{NpsScore, Scale, SurveyMetric};

/// Net Promoter Score accumulator: exact counts of each score 0..=10.
///
/// NPS (Reichheld 2003) = % promoters (9–10) − % detractors (0–6), from −100
/// to 100. Updating is O(1); merging and summarizing are O(11). Mergeable in
/// any order with the result of one pass.
///
/// ```
/// use cxmetrics::{kpi::Nps, survey::NpsScore};
/// let nps: Nps = [10, 9, 9, 8, 3]
///     .into_iter()
///     .map(NpsScore::new)
///     .collect::<Result<_, _>>()?;
/// let summary = nps.summary().expect("five responses");
/// assert_eq!((summary.promoters, summary.detractors), (3, 1));
/// assert_eq!(summary.score, 40.0);
/// assert!(summary.ci.contains(40.0));
/// assert_eq!(Nps::new().summary(), None); // no data is not 0
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "NpsRepr", into = "NpsRepr")]
pub struct Nps {
    counts: ScoreCounts,
}

#[derive(Serialize, Deserialize)]
struct NpsRepr {
    counts: Vec<u64>,
}

impl TryFrom<NpsRepr> for Nps {
    type Error = Error;
    fn try_from(repr: NpsRepr) -> Result<Self, Error> {
        Ok(Nps {
            counts: ScoreCounts::from_counts(Scale::NPS, repr.counts)?,
        })
    }
}

impl From<Nps> for NpsRepr {
    fn from(nps: Nps) -> Self {
        NpsRepr {
            counts: nps.counts.counts().to_vec(),
        }
    }
}

impl Default for Nps {
    fn default() -> Self {
        Nps::new()
    }
}

impl Nps {
    /// An empty accumulator.
    pub fn new() -> Self {
        Nps {
            counts: ScoreCounts::new(Scale::NPS),
        }
    }

    /// Counts one response.
    #[inline]
    pub fn add(&mut self, score: NpsScore) {
        self.counts.add(score.value());
    }

    /// Adds `other`'s responses, as if they had been added here.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CountOverflow`](crate::ErrorKind::CountOverflow) if the
    /// total would pass `u64::MAX` (only possible with forged saved state);
    /// `self` is then unchanged.
    pub fn merge(&mut self, other: &Nps) -> Result<(), Error> {
        self.counts.merge(&other.counts, SurveyMetric::Nps)
    }

    /// The number of responses.
    pub fn responses(&self) -> u64 {
        self.counts.total()
    }

    /// The number of responses with `score`.
    pub fn count(&self, score: NpsScore) -> u64 {
        self.counts.count(score.value())
    }

    pub(crate) fn counts_mut(&mut self) -> &mut ScoreCounts {
        &mut self.counts
    }

    /// The documented statistics (95%, adjusted Wald); `None` when empty.
    pub fn summary(&self) -> Option<NpsSummary> {
        self.summary_with(SummaryOptions::default())
    }

    /// Score, category counts, standard error and interval; `None` when
    /// empty. O(11).
    pub fn summary_with(&self, options: SummaryOptions) -> Option<NpsSummary> {
        let responses = self.responses();
        if responses == 0 {
            return None;
        }
        let promoters = self.counts.total_in(9, 10);
        let passives = self.counts.total_in(7, 8);
        let detractors = self.counts.total_in(0, 6);
        let plain = Proportions::observed(promoters, detractors, responses);
        let estimate = match options.nps_interval {
            NpsInterval::AdjustedWald => Proportions::adjusted(promoters, detractors, responses),
            NpsInterval::Wald => plain,
        };
        let half = options.confidence.z() * estimate.standard_error();
        Some(NpsSummary {
            responses,
            promoters,
            passives,
            detractors,
            score: 100.0 * plain.nps(),
            standard_error: 100.0 * plain.standard_error(),
            ci: Interval::around(estimate.nps(), half)
                .within(-1.0, 1.0)
                .scale(100.0),
        })
    }
}

/// Promoter and detractor shares of `n` responses (possibly pseudo-counts).
#[derive(Debug, Clone, Copy)]
struct Proportions {
    promoters: f64,
    detractors: f64,
    n: f64,
}

impl Proportions {
    fn observed(promoters: u64, detractors: u64, n: u64) -> Self {
        let n = n as f64;
        Proportions {
            promoters: promoters as f64 / n,
            detractors: detractors as f64 / n,
            n,
        }
    }

    /// Rocks (2016): add 0.75 promoter, 1.5 passive and 0.75 detractor.
    fn adjusted(promoters: u64, detractors: u64, n: u64) -> Self {
        let n = n as f64 + 3.0;
        Proportions {
            promoters: (promoters as f64 + 0.75) / n,
            detractors: (detractors as f64 + 0.75) / n,
            n,
        }
    }

    /// NPS as a fraction, −1..=1.
    fn nps(self) -> f64 {
        self.promoters - self.detractors
    }

    /// Variance of the NPS estimate: `(p + d − (p − d)²) / n`.
    fn variance(self) -> f64 {
        ((self.promoters + self.detractors - self.nps().powi(2)) / self.n).max(0.0)
    }

    fn standard_error(self) -> f64 {
        self.variance().sqrt()
    }
}

/// The statistics of a group's NPS responses (definitions, "Survey metrics").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NpsSummary {
    /// Number of responses, n ≥ 1.
    pub responses: u64,
    /// Scores 9–10.
    pub promoters: u64,
    /// Scores 7–8.
    pub passives: u64,
    /// Scores 0–6.
    pub detractors: u64,
    /// `100·(promoters − detractors)/n`, −100..=100.
    pub score: f64,
    /// The plain standard error of `score`,
    /// `100·sqrt((p + d − (p − d)²)/n)` (as the R package `NPS` reports it).
    pub standard_error: f64,
    /// The confidence interval of `score` by the chosen method, clamped to
    /// −100..=100.
    pub ci: Interval,
}

impl NpsSummary {
    /// Compares this group's NPS with `other`'s: the difference (this −
    /// other) in NPS points, its standard error, interval and the
    /// two-sided z test.
    ///
    /// With [`NpsInterval::Wald`] the difference is of the observed scores
    /// and the variances are the observed ones. With
    /// [`NpsInterval::AdjustedWald`] (the default) each group first gets
    /// Rocks' pseudo counts (¾ promoter, ¾ detractor, 1½ passive: n + 3),
    /// and the difference, its error and its interval are of the
    /// **adjusted** scores: closer to zero than the observed difference for
    /// small groups, which keeps the test sane for small or one-sided
    /// groups. The observed difference is `self.score − other.score`.
    ///
    /// ```
    /// use cxmetrics::{kpi::{Nps, NpsInterval, SummaryOptions}, survey::NpsScore};
    /// let group = |det: usize, pas: usize, pro: usize| -> Result<Nps, cxmetrics::Error> {
    ///     let scores = [(0, det), (7, pas), (10, pro)];
    ///     scores.iter().flat_map(|&(s, n)| std::iter::repeat(s).take(n)).map(NpsScore::new).collect()
    /// };
    /// let (a, b) = (group(20, 30, 50)?.summary().unwrap(), group(30, 30, 40)?.summary().unwrap());
    /// let wald = SummaryOptions { nps_interval: NpsInterval::Wald, ..Default::default() };
    /// let c = a.compare(&b, wald);
    /// assert!((c.difference - 20.0).abs() < 1e-9);
    /// assert!((c.p_value - 0.0794).abs() < 1e-4);
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    pub fn compare(&self, other: &NpsSummary, options: SummaryOptions) -> Comparison {
        let estimate = |s: &NpsSummary| match options.nps_interval {
            NpsInterval::AdjustedWald => {
                Proportions::adjusted(s.promoters, s.detractors, s.responses)
            }
            NpsInterval::Wald => Proportions::observed(s.promoters, s.detractors, s.responses),
        };
        let (a, b) = (estimate(self), estimate(other));
        let difference = 100.0 * (a.nps() - b.nps());
        let standard_error = 100.0 * (a.variance() + b.variance()).sqrt();
        z_test(difference, standard_error, options.confidence)
    }
}

impl Extend<NpsScore> for Nps {
    fn extend<I: IntoIterator<Item = NpsScore>>(&mut self, scores: I) {
        for score in scores {
            self.add(score);
        }
    }
}

impl FromIterator<NpsScore> for Nps {
    fn from_iter<I: IntoIterator<Item = NpsScore>>(scores: I) -> Self {
        let mut nps = Nps::new();
        nps.extend(scores);
        nps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::interval::Confidence;
    use proptest::prelude::*;

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    /// A group with the given numbers of detractors, passives and promoters.
    fn group(detractors: u64, passives: u64, promoters: u64) -> Nps {
        let mut counts = vec![0; 11];
        counts[0] = detractors;
        counts[7] = passives;
        counts[10] = promoters;
        Nps::try_from(NpsRepr { counts }).unwrap()
    }

    fn wald() -> SummaryOptions {
        SummaryOptions {
            nps_interval: NpsInterval::Wald,
            ..SummaryOptions::default()
        }
    }

    /// R package `NPS` (Brooks), `nps_se(c(0,7,8,9,10,10))` style vector:
    /// detractors 1, passives 2, promoters 3 → NPS 1/3, SE 0.30429
    /// (fraction), adjusted-Wald 95% [−0.26743, 0.71188].
    #[test]
    fn r_package_nps_vector() {
        let s = group(1, 2, 3).summary().unwrap();
        assert!(close(s.score, 33.333, 1e-3));
        assert!(close(s.standard_error / 100.0, 0.30429, 1e-5), "{s:?}");
        assert!(
            close(s.ci.lower, -26.743, 1e-3) && close(s.ci.upper, 71.188, 1e-3),
            "{s:?}"
        );
    }

    /// Delighted's worked example: 32 promoters, 13 passives, 6 detractors →
    /// NPS 50.98, adjusted-Wald 95% [29.295, 67.001].
    #[test]
    fn delighted_vector() {
        let s = group(6, 13, 32).summary().unwrap();
        assert!(close(s.score, 50.980, 1e-3));
        assert!(
            close(s.ci.lower, 29.295, 1e-3) && close(s.ci.upper, 67.001, 1e-3),
            "{s:?}"
        );
    }

    /// Survey with n = 1162 (291 promoters, 476 passives, 395 detractors):
    /// NPS −8.950, Wald half-width 4.388 at 95%.
    #[test]
    fn large_sample_wald_vector() {
        let s = group(395, 476, 291).summary_with(wald()).unwrap();
        assert!(close(s.score, -8.950, 1e-3));
        let half = (s.ci.upper - s.ci.lower) / 2.0;
        assert!(close(half, 4.388, 1e-3), "{half}");
    }

    /// Two samples A (det 20, pas 30, pro 50) vs B (det 30, pas 30, pro 40):
    /// Wald difference 20.0, SE 11.402, z 1.7541, p 0.0794; adjusted Wald
    /// (n + 3 each) difference 19.417, p 0.0832.
    #[test]
    fn two_sample_vectors() {
        let (a, b) = (group(20, 30, 50), group(30, 30, 40));
        let c = a.summary().unwrap().compare(&b.summary().unwrap(), wald());
        assert!(close(c.difference, 20.0, 1e-9));
        assert!(close(c.standard_error, 11.402, 1e-3), "{c:?}");
        assert!(close(c.statistic, 1.7541, 1e-4));
        assert!(close(c.p_value, 0.0794, 1e-4));
        assert!(close(
            c.ci.lower,
            20.0 - Confidence::P95.z() * c.standard_error,
            1e-9
        ));
        let c = a
            .summary()
            .unwrap()
            .compare(&b.summary().unwrap(), SummaryOptions::default());
        assert!(close(c.difference, 19.417, 1e-3), "{c:?}");
        assert!(close(c.p_value, 0.0832, 1e-4), "{c:?}");
        assert_eq!(c.df, None);
    }

    /// The definitions example `surveys-basic`, agent ben: three promoters →
    /// NPS 100, adjusted Wald: n' = 6, p' = 3.75/6, d' = 0.75/6, centre 0.5,
    /// half = z·sqrt((0.75 − 0.25)/6) = 0.565792867, so [−6.579, 100].
    #[test]
    fn clamped_to_the_score_range() {
        let s = group(0, 0, 3).summary().unwrap();
        assert_eq!(s.score, 100.0);
        assert!(close(s.ci.lower, -6.5792867038085845, 1e-9), "{s:?}");
        assert_eq!(s.ci.upper, 100.0);
        let w = group(0, 0, 3).summary_with(wald()).unwrap();
        assert_eq!((w.ci.lower, w.ci.upper), (100.0, 100.0));
    }

    #[test]
    fn accumulator_is_send_sync_and_empty_is_none() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Nps>();
        assert_send_sync::<NpsSummary>();
        assert_eq!(Nps::default().summary(), None);
        assert_eq!(Nps::default().responses(), 0);
        let json = serde_json::to_string(&group(1, 0, 0)).unwrap();
        assert_eq!(json, r#"{"counts":[1,0,0,0,0,0,0,0,0,0,0]}"#);
        assert!(serde_json::from_str::<Nps>(r#"{"counts":[1,0]}"#).is_err());
    }

    fn scores() -> impl Strategy<Value = Vec<NpsScore>> {
        prop::collection::vec((0i64..=10).prop_map(|v| NpsScore::new(v).unwrap()), 0..200)
    }

    proptest! {
        #[test]
        fn merge_of_any_split_equals_one_pass(scores in scores(), cut1 in any::<prop::sample::Index>(), cut2 in any::<prop::sample::Index>()) {
            let whole: Nps = scores.iter().copied().collect();
            let (i, j) = {
                let (a, b) = (cut1.index(scores.len() + 1), cut2.index(scores.len() + 1));
                (a.min(b), a.max(b))
            };
            let parts: Vec<Nps> = [&scores[..i], &scores[i..j], &scores[j..]]
                .iter()
                .map(|part| part.iter().copied().collect())
                .collect();
            // (a + b) + c
            let mut left = parts[0].clone();
            left.merge(&parts[1]).unwrap();
            left.merge(&parts[2]).unwrap();
            // c + (b + a)
            let mut inner = parts[1].clone();
            inner.merge(&parts[0]).unwrap();
            let mut right = parts[2].clone();
            right.merge(&inner).unwrap();
            prop_assert_eq!(&left, &whole);
            prop_assert_eq!(&right, &whole);
        }

        #[test]
        fn serde_round_trip_is_identity(scores in scores()) {
            let nps: Nps = scores.into_iter().collect();
            let json = serde_json::to_string(&nps).unwrap();
            prop_assert_eq!(serde_json::from_str::<Nps>(&json).unwrap(), nps);
        }

        #[test]
        fn intervals_stay_in_bounds(scores in scores(), level in 0.01f64..0.999, wald in any::<bool>()) {
            let options = SummaryOptions {
                confidence: Confidence::new(level).unwrap(),
                nps_interval: if wald { NpsInterval::Wald } else { NpsInterval::AdjustedWald },
            };
            let nps: Nps = scores.iter().copied().collect();
            match nps.summary_with(options) {
                None => prop_assert!(scores.is_empty()),
                Some(s) => {
                    prop_assert!(-100.0 <= s.ci.lower && s.ci.lower <= s.ci.upper && s.ci.upper <= 100.0, "{:?}", s);
                    prop_assert_eq!(s.promoters + s.passives + s.detractors, s.responses);
                    prop_assert!(s.standard_error.is_finite());
                    if wald {
                        prop_assert!(s.ci.contains(s.score));
                    }
                }
            }
        }
    }
}
