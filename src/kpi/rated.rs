//! CSAT and CES: rating-scale metrics with a favorable share and a mean.

use serde::{Deserialize, Serialize};

use super::compare::{two_proportions, welch, Comparison};
use super::counts::{Moments, ScoreCounts};
use super::favorable::Favorable;
use super::interval::{t_interval, wilson, Confidence, Interval};
use super::options::SummaryOptions;
use crate::error::{Error, ErrorKind};
use crate::survey::{Scale, ScaleScore, SurveyMetric};

/// The state shared by [`Csat`] and [`Ces`]: counts per point and the rule
/// that picks the favorable points, validated against the scale.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rated {
    counts: ScoreCounts,
    rule: Favorable,
    /// The favorable points, `lo..=hi`, resolved from `rule` once.
    favorable: (u8, u8),
}

/// The saved form of a [`Csat`] or [`Ces`]: rule, scale and counts, as
/// plain fields (a flattened map would have no length for formats such as
/// postcard).
#[derive(Serialize, Deserialize)]
struct RatedRepr {
    rule: Favorable,
    scale: Scale,
    counts: Vec<u64>,
}

impl Rated {
    fn new(scale: Scale, rule: Favorable) -> Result<Self, Error> {
        Rated::from_counts(ScoreCounts::new(scale), rule)
    }

    fn from_counts(counts: ScoreCounts, rule: Favorable) -> Result<Self, Error> {
        let points = rule.points(counts.scale())?;
        Ok(Rated {
            counts,
            rule,
            favorable: (*points.start(), *points.end()),
        })
    }

    #[inline]
    fn add(&mut self, score: ScaleScore, metric: SurveyMetric) -> Result<(), Error> {
        if score.scale() != self.counts.scale() {
            return Err(self.counts.scale().mismatch(metric, score.scale()));
        }
        self.counts.add(score.value());
        Ok(())
    }

    fn merge(&mut self, other: &Rated, metric: SurveyMetric) -> Result<(), Error> {
        if self.rule != other.rule {
            return ErrorKind::RuleMismatch {
                metric: metric.as_str().to_owned(),
                left: self.rule.to_string(),
                right: other.rule.to_string(),
            }
            .err();
        }
        self.counts.merge(&other.counts, metric)
    }

    fn summary(&self, confidence: Confidence) -> Option<ScaleSummary> {
        let moments = self.counts.moments()?;
        let favorable = self.counts.total_in(self.favorable.0, self.favorable.1);
        let n = moments.n;
        Some(ScaleSummary {
            responses: n,
            favorable,
            score: 100.0 * favorable as f64 / n as f64,
            score_ci: wilson(favorable, n, confidence.z()).scale(100.0),
            mean: moments.mean,
            std_dev: moments.variance.map(f64::sqrt),
            mean_ci: moments
                .variance
                .and_then(|v| t_interval(moments.mean, v, n, confidence)),
        })
    }
}

/// The statistics of a group's CSAT or CES responses (definitions, "Survey metrics").
///
/// `favorable` is CSAT's `satisfied` and CES's `easy`. The documented
/// `ci95` is `score_ci` for CSAT and `mean_ci` for CES.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaleSummary {
    /// Number of responses, n ≥ 1.
    pub responses: u64,
    /// Responses on a favorable point (see [`Favorable`]).
    pub favorable: u64,
    /// `100·favorable/n`, 0..=100.
    pub score: f64,
    /// Wilson score interval (Wilson 1927) of `score`, in percent, within
    /// 0..=100.
    pub score_ci: Interval,
    /// Mean score, in scale units, from the exact integer sum.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator); `None` for n < 2.
    pub std_dev: Option<f64>,
    /// Student t interval of the mean, `mean ± t(n − 1)·s/√n`, in scale
    /// units and not clamped to the scale; `None` for n < 2.
    pub mean_ci: Option<Interval>,
}

impl ScaleSummary {
    fn moments(&self) -> Moments {
        Moments {
            n: self.responses,
            mean: self.mean,
            variance: self.std_dev.map(|s| s * s),
        }
    }

    /// Compares the favorable shares (this − other, in points) with the
    /// two-proportion z test: pooled standard error for the statistic,
    /// unpooled for the interval and `standard_error`.
    pub fn compare_score(&self, other: &ScaleSummary, options: SummaryOptions) -> Comparison {
        two_proportions(
            (self.favorable, self.responses),
            (other.favorable, other.responses),
            options.confidence,
        )
    }

    /// Compares the means (this − other) with Welch's unequal-variances t
    /// test; `None` unless both groups have n ≥ 2 and not both a zero
    /// variance.
    pub fn compare_mean(
        &self,
        other: &ScaleSummary,
        options: SummaryOptions,
    ) -> Option<Comparison> {
        welch(self.moments(), other.moments(), options.confidence)
    }
}

/// Defines a rating-scale accumulator type around [`Rated`].
macro_rules! rated_metric {
    (
        $(#[$doc:meta])*
        $name:ident, $metric:expr, $scale:expr, $rule:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "RatedRepr", into = "RatedRepr")]
        pub struct $name(Rated);

        impl TryFrom<RatedRepr> for $name {
            type Error = Error;
            fn try_from(repr: RatedRepr) -> Result<Self, Error> {
                let counts = ScoreCounts::from_counts(repr.scale, repr.counts)?;
                Rated::from_counts(counts, repr.rule).map($name)
            }
        }

        impl From<$name> for RatedRepr {
            fn from(kpi: $name) -> Self {
                RatedRepr {
                    rule: kpi.0.rule,
                    scale: kpi.0.counts.scale(),
                    counts: kpi.0.counts.counts().to_vec(),
                }
            }
        }

        impl Default for $name {
            /// An empty accumulator on the documented scale with its rule.
            fn default() -> Self {
                $name::new($scale)
            }
        }

        impl $name {
            /// An empty accumulator on `scale` with the documented rule.
            pub fn new(scale: Scale) -> Self {
                Rated::new(scale, $rule)
                    .map($name)
                    .expect("the documented rules fit every scale of two or more points")
            }

            /// An empty accumulator on `scale` whose favorable points are
            /// chosen by `rule`.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::InvalidRule`] when the rule selects no point or
            /// every point of the scale.
            pub fn with_rule(scale: Scale, rule: Favorable) -> Result<Self, Error> {
                Rated::new(scale, rule).map($name)
            }

            /// Counts one response. O(1).
            ///
            /// # Errors
            ///
            /// [`ErrorKind::ScaleMismatch`] when the score was validated on
            /// another scale; nothing is counted then.
            #[inline]
            pub fn add(&mut self, score: ScaleScore) -> Result<(), Error> {
                self.0.add(score, $metric)
            }

            /// Validates `value` on this accumulator's scale and counts it.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::ScoreOutOfRange`] naming the value.
            pub fn add_value(&mut self, value: i64) -> Result<(), Error> {
                let score = self.scale().score_for(Some($metric), value)?;
                self.add(score)
            }

            /// Counts every score of `scores`, stopping at the first that
            /// is on another scale.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::ScaleMismatch`]; the scores before it are counted.
            pub fn try_extend<I: IntoIterator<Item = ScaleScore>>(&mut self, scores: I) -> Result<(), Error> {
                scores.into_iter().try_for_each(|score| self.add(score))
            }

            /// Adds `other`'s responses, as if they had been added here.
            /// O(points).
            ///
            /// # Errors
            ///
            /// [`ErrorKind::ScaleMismatch`] or [`ErrorKind::RuleMismatch`]
            /// when the two were made with different options,
            /// [`ErrorKind::CountOverflow`] past `u64::MAX` responses; `self`
            /// is then unchanged.
            pub fn merge(&mut self, other: &$name) -> Result<(), Error> {
                self.0.merge(&other.0, $metric)
            }

            /// The scale.
            pub fn scale(&self) -> Scale {
                self.0.counts.scale()
            }

            /// The rule that picks the favorable points.
            pub fn rule(&self) -> Favorable {
                self.0.rule
            }

            /// The number of responses.
            pub fn responses(&self) -> u64 {
                self.0.counts.total()
            }

            /// The number of responses with `value` (0 off the scale).
            pub fn count(&self, value: u8) -> u64 {
                self.0.counts.count(value)
            }

            pub(crate) fn counts_mut(&mut self) -> &mut ScoreCounts {
                &mut self.0.counts
            }

            /// The documented statistics (95%); `None` when empty.
            pub fn summary(&self) -> Option<ScaleSummary> {
                self.summary_with(SummaryOptions::default())
            }

            /// Favorable share with its Wilson interval, mean with its
            /// Student t interval; `None` when empty. O(points).
            pub fn summary_with(&self, options: SummaryOptions) -> Option<ScaleSummary> {
                self.0.summary(options.confidence)
            }
        }

        impl Extend<ScaleScore> for $name {
            /// Counts every score.
            ///
            /// # Panics
            ///
            /// When a score was validated on another scale: a programming
            /// error, as adding metres to seconds. Use
            /// [`try_extend`](Self::try_extend) to get an error instead.
            fn extend<I: IntoIterator<Item = ScaleScore>>(&mut self, scores: I) {
                if let Err(error) = self.try_extend(scores) {
                    panic!("{error}");
                }
            }
        }

        impl FromIterator<ScaleScore> for $name {
            /// Counts the scores on the scale of the first one (the
            /// contract's scale when there is none).
            ///
            /// # Panics
            ///
            /// When the scores are on different scales.
            fn from_iter<I: IntoIterator<Item = ScaleScore>>(scores: I) -> Self {
                let mut scores = scores.into_iter().peekable();
                let scale = scores.peek().map_or($scale, |score| score.scale());
                let mut kpi = $name::new(scale);
                kpi.extend(scores);
                kpi
            }
        }
    };
}

rated_metric!(
    /// Customer satisfaction accumulator: exact counts per point of its
    /// scale (1..=5 by default).
    ///
    /// `score` = % satisfied, where satisfied is [`Favorable::TopTwoBox`] by
    /// default: the top two points (4–5 on 1–5), or the top point alone on a
    /// scale of two or three points (thumbs up of 1–2, as Zendesk's
    /// good / (good + bad)). Its interval is Wilson's; the mean score comes
    /// with a Student t interval.
    ///
    /// ```
    /// use cxmetrics::{kpi::Csat, survey::Scale};
    /// let mut csat = Csat::default();
    /// for value in [5, 5, 4, 3, 1] {
    ///     csat.add(Scale::CSAT.score(value)?)?;
    /// }
    /// let s = csat.summary().expect("five responses");
    /// assert_eq!((s.favorable, s.score, s.mean), (3, 60.0, 3.6));
    /// assert!(s.score_ci.contains(60.0));
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    Csat,
    SurveyMetric::Csat,
    Scale::CSAT,
    Favorable::TopTwoBox
);

rated_metric!(
    /// Customer effort accumulator: exact counts per point of its scale
    /// (1..=7 by default, the CES 2.0 agreement scale "the company made it
    /// easy to handle my issue", higher = easier).
    ///
    /// `score` = % easy, where easy is [`Favorable::AboveMidpoint`] by
    /// default (5–7 on 1–7); the documented interval is the Student t
    /// interval of the mean (`mean_ci`, df = n − 1). For the 1–5 effort
    /// scale of CES 1.0 (lower = less effort) choose
    /// [`Favorable::BelowMidpoint`] with [`Ces::with_rule`].
    ///
    /// ```
    /// use cxmetrics::{kpi::{Ces, Favorable}, survey::Scale};
    /// let mut ces = Ces::default();
    /// for value in [7, 6, 4] {
    ///     ces.add_value(value)?;
    /// }
    /// let s = ces.summary().expect("three responses");
    /// assert_eq!((s.favorable, s.mean), (2, 17.0 / 3.0));
    ///
    /// let mut effort = Ces::with_rule(Scale::new(1, 5)?, Favorable::BelowMidpoint)?;
    /// effort.add_value(2)?;
    /// assert_eq!(effort.summary().unwrap().score, 100.0);
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    Ces,
    SurveyMetric::Ces,
    Scale::CES,
    Favorable::AboveMidpoint
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Saved in a format without map lengths (postcard, as the SQL
    /// adapter's partial states) and in JSON, each back to the same value.
    #[test]
    fn saved_forms_round_trip() {
        let mut csat = Csat::new(Scale::CSAT);
        for v in [1, 4, 5, 5] {
            csat.add_value(v).unwrap();
        }
        let ces = Ces::with_rule(Scale::CES, Favorable::AtLeast(6)).unwrap();
        let bytes = postcard::to_allocvec(&csat).unwrap();
        assert_eq!(postcard::from_bytes::<Csat>(&bytes).unwrap(), csat);
        let bytes = postcard::to_allocvec(&ces).unwrap();
        assert_eq!(postcard::from_bytes::<Ces>(&bytes).unwrap(), ces);
        let json = serde_json::to_value(&csat).unwrap();
        assert_eq!(json["counts"], serde_json::json!([1, 0, 0, 1, 2]));
        assert_eq!(serde_json::from_value::<Csat>(json).unwrap(), csat);
    }

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    fn with_counts<K: TryFrom<RatedRepr, Error = Error>>(
        scale: Scale,
        rule: Favorable,
        counts: Vec<u64>,
    ) -> K {
        K::try_from(RatedRepr {
            rule,
            scale,
            counts,
        })
        .unwrap()
    }

    /// CSAT counts for 1..5 = [5, 5, 10, 30, 50] (hand-computed; Wilson
    /// 1927): 80 of 100 satisfied → 80%, Wilson 95% [71.117, 86.663];
    /// mean 4.15, s² = 1.2399, t(0.975, 99) = 1.98422 → [3.9291, 4.3709].
    #[test]
    fn csat_vector() {
        let csat: Csat = with_counts(Scale::CSAT, Favorable::TopTwoBox, vec![5, 5, 10, 30, 50]);
        let s = csat.summary().unwrap();
        assert_eq!((s.responses, s.favorable, s.score), (100, 80, 80.0));
        assert!(
            close(s.score_ci.lower, 71.117, 1e-3) && close(s.score_ci.upper, 86.663, 1e-3),
            "{s:?}"
        );
        assert!(close(s.mean, 4.15, 1e-12));
        let ci = s.mean_ci.unwrap();
        assert!(
            close(ci.lower, 3.9291, 1e-4) && close(ci.upper, 4.3709, 1e-4),
            "{ci}"
        );
    }

    /// CES counts for 1..7 = [2, 3, 5, 10, 20, 30, 30] (hand-computed): mean
    /// 5.53, t interval [5.2404, 5.8196], easy (5–7) 80%.
    #[test]
    fn ces_vector() {
        let ces: Ces = with_counts(
            Scale::CES,
            Favorable::AboveMidpoint,
            vec![2, 3, 5, 10, 20, 30, 30],
        );
        let s = ces.summary().unwrap();
        assert!(close(s.mean, 5.53, 1e-12));
        let ci = s.mean_ci.unwrap();
        assert!(
            close(ci.lower, 5.2404, 1e-4) && close(ci.upper, 5.8196, 1e-4),
            "{ci}"
        );
        assert_eq!((s.favorable, s.score), (80, 80.0));
    }

    /// The definitions example `surveys-basic`, agent ana: CES scores 7 and 4 →
    /// mean 5.5, s = 2.1213, t(0.975, 1) = 12.7062 → [−13.559, 24.559];
    /// CSAT 5 and 4 → Wilson [34.238, 100].
    #[test]
    fn contract_small_samples() {
        let mut ces = Ces::default();
        ces.try_extend([Scale::CES.score(7).unwrap(), Scale::CES.score(4).unwrap()])
            .unwrap();
        let ci = ces.summary().unwrap().mean_ci.unwrap();
        assert!(
            close(ci.lower, -13.55930710426204, 1e-9) && close(ci.upper, 24.55930710426204, 1e-9),
            "{ci}"
        );
        let csat: Csat = [5, 4]
            .into_iter()
            .map(|v| Scale::CSAT.score(v).unwrap())
            .collect();
        let s = csat.summary().unwrap();
        assert!(close(s.score_ci.lower, 34.2380227506653, 1e-9), "{s:?}");
        assert_eq!(s.score_ci.upper, 100.0);
        let one: Ces = [Scale::CES.score(5).unwrap()].into_iter().collect();
        assert_eq!(
            (
                one.summary().unwrap().mean_ci,
                one.summary().unwrap().std_dev
            ),
            (None, None)
        );
    }

    #[test]
    fn thumbs_and_custom_rules() {
        let thumbs = Scale::new(1, 2).unwrap();
        let mut csat = Csat::new(thumbs);
        csat.try_extend([2, 2, 1].map(|v| thumbs.score(v).unwrap()))
            .unwrap();
        assert_eq!(csat.summary().unwrap().favorable, 2);
        assert_eq!(csat.rule(), Favorable::TopTwoBox);
        let mut top3 = Csat::with_rule(Scale::new(0, 10).unwrap(), Favorable::TopBox(3)).unwrap();
        top3.add_value(8).unwrap();
        top3.add_value(7).unwrap();
        assert_eq!(top3.summary().unwrap().score, 50.0);
        assert_eq!(
            top3.add_value(11).unwrap_err().to_string(),
            "score 11 out of range 0..=10 for csat"
        );
        let binary = Csat::new(Scale::new(0, 1).unwrap());
        assert_eq!(binary.rule(), Favorable::TopTwoBox);
    }

    #[test]
    fn mismatches_are_errors() {
        let mut csat = Csat::default();
        let err = csat.add(Scale::CES.score(6).unwrap()).unwrap_err();
        assert_eq!(err.to_string(), "scale mismatch for csat: 1..=5 vs 1..=7");
        assert_eq!(csat.responses(), 0);
        let other = Csat::with_rule(Scale::CSAT, Favorable::TopBox(1)).unwrap();
        let err = csat.merge(&other).unwrap_err();
        assert_eq!(
            err.to_string(),
            "rule mismatch for csat: top-two-box vs top-1-box"
        );
        let err = Ces::default().merge(&Ces::new(Scale::CSAT)).unwrap_err();
        assert_eq!(err.to_string(), "scale mismatch for ces: 1..=7 vs 1..=5");
    }

    #[test]
    #[should_panic(expected = "scale mismatch for ces: 1..=7 vs 1..=5")]
    fn extend_with_a_foreign_scale_panics() {
        Ces::default().extend([Scale::CSAT.score(3).unwrap()]);
    }

    #[test]
    fn send_sync_and_serde_shape() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Csat>();
        assert_send_sync::<Ces>();
        assert_send_sync::<ScaleSummary>();
        let mut csat = Csat::default();
        csat.add_value(5).unwrap();
        let json = serde_json::to_string(&csat).unwrap();
        assert_eq!(
            json,
            r#"{"rule":"top_two_box","scale":{"min":1,"max":5},"counts":[0,0,0,0,1]}"#
        );
        let bad_rule = r#"{"rule":{"top_box":5},"scale":{"min":1,"max":5},"counts":[0,0,0,0,1]}"#;
        assert!(serde_json::from_str::<Csat>(bad_rule).is_err());
    }

    /// Welch and two-proportion comparisons through the summaries.
    #[test]
    fn comparisons() {
        let a: Csat = with_counts(Scale::CSAT, Favorable::TopTwoBox, vec![5, 5, 10, 30, 50]);
        let b: Csat = with_counts(Scale::CSAT, Favorable::TopTwoBox, vec![10, 10, 20, 30, 30]);
        let (a, b) = (a.summary().unwrap(), b.summary().unwrap());
        let share = a.compare_score(&b, SummaryOptions::default());
        assert!(close(share.difference, 20.0, 1e-9));
        let mean = a.compare_mean(&b, SummaryOptions::default()).unwrap();
        assert!(close(mean.difference, 4.15 - 3.6, 1e-12));
        assert!(mean.p_value > 0.0 && mean.p_value < 0.01, "{mean:?}");
    }

    fn rated_scores(scale: Scale) -> impl Strategy<Value = Vec<ScaleScore>> {
        prop::collection::vec(
            (scale.min()..=scale.max()).prop_map(move |v| scale.score(v.into()).unwrap()),
            0..120,
        )
    }

    fn any_scale() -> impl Strategy<Value = Scale> {
        (0i64..100, 1i64..=100).prop_filter_map("valid scale", |(min, span)| {
            Scale::new(min, min + span).ok()
        })
    }

    proptest! {
        #[test]
        fn merge_in_any_order_equals_one_pass((scale, scores) in any_scale().prop_flat_map(|s| (Just(s), rated_scores(s))), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4), order in any::<prop::sample::Index>()) {
            let mut whole = Csat::new(scale);
            whole.try_extend(scores.iter().copied()).unwrap();
            let mut bounds: Vec<usize> = cuts.iter().map(|c| c.index(scores.len() + 1)).collect();
            bounds.extend([0, scores.len()]);
            bounds.sort_unstable();
            let mut parts: Vec<Csat> = bounds.windows(2).map(|w| {
                let mut part = Csat::new(scale);
                part.try_extend(scores[w[0]..w[1]].iter().copied()).unwrap();
                part
            }).collect();
            let shift = order.index(parts.len());
            parts.rotate_left(shift);
            let mut merged = Csat::new(scale);
            for part in parts.iter().rev() {
                merged.merge(part).unwrap();
            }
            prop_assert_eq!(merged.summary(), whole.summary());
            prop_assert_eq!(&merged, &whole);
        }

        #[test]
        fn serde_round_trip_is_identity((scale, scores) in any_scale().prop_flat_map(|s| (Just(s), rated_scores(s)))) {
            let mut ces = Ces::new(scale);
            ces.try_extend(scores).unwrap();
            let json = serde_json::to_string(&ces).unwrap();
            prop_assert_eq!(serde_json::from_str::<Ces>(&json).unwrap(), ces);
        }

        #[test]
        fn intervals_are_sane((scale, scores) in any_scale().prop_flat_map(|s| (Just(s), rated_scores(s))), level in 0.01f64..0.999) {
            let options = SummaryOptions { confidence: Confidence::new(level).unwrap(), ..Default::default() };
            let mut csat = Csat::new(scale);
            csat.try_extend(scores.iter().copied()).unwrap();
            match csat.summary_with(options) {
                None => prop_assert!(scores.is_empty()),
                Some(s) => {
                    prop_assert!(0.0 <= s.score_ci.lower && s.score_ci.lower <= s.score_ci.upper && s.score_ci.upper <= 100.0);
                    prop_assert!(s.score_ci.lower <= s.score + 1e-9 && s.score <= s.score_ci.upper + 1e-9, "{:?}", s);
                    prop_assert!(f64::from(scale.min()) <= s.mean + 1e-9 && s.mean <= f64::from(scale.max()) + 1e-9);
                    if let Some(ci) = s.mean_ci {
                        prop_assert!(ci.lower <= s.mean + 1e-9 && s.mean <= ci.upper + 1e-9);
                    }
                    prop_assert_eq!(s.mean_ci.is_some(), scores.len() >= 2);
                }
            }
        }
    }
}
