//! Exact counts per point of a scale: the state behind every survey metric.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::survey::{Scale, SurveyMetric};

/// How many responses gave each point of a scale.
///
/// Invariant: `counts.len() == scale.points()` and the total fits in `u64`,
/// checked when deserializing and merging, so sums never overflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CountsRepr", into = "CountsRepr")]
pub(crate) struct ScoreCounts {
    scale: Scale,
    counts: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct CountsRepr {
    scale: Scale,
    counts: Vec<u64>,
}

impl TryFrom<CountsRepr> for ScoreCounts {
    type Error = Error;
    fn try_from(repr: CountsRepr) -> Result<Self, Error> {
        ScoreCounts::from_counts(repr.scale, repr.counts)
    }
}

impl From<ScoreCounts> for CountsRepr {
    fn from(counts: ScoreCounts) -> Self {
        CountsRepr {
            scale: counts.scale,
            counts: counts.counts,
        }
    }
}

impl ScoreCounts {
    pub(crate) fn new(scale: Scale) -> Self {
        ScoreCounts {
            scale,
            counts: vec![0; scale.points()],
        }
    }

    /// Counts from saved values, one per point of `scale`, lowest first.
    ///
    /// # Errors
    ///
    /// A wrong number of counts, or a total beyond `u64`.
    pub(crate) fn from_counts(scale: Scale, counts: Vec<u64>) -> Result<Self, Error> {
        if counts.len() != scale.points() {
            return ErrorKind::CountsLength {
                scale: scale.range(),
                len: counts.len(),
            }
            .err();
        }
        if counts
            .iter()
            .try_fold(0u64, |sum, &c| sum.checked_add(c))
            .is_none()
        {
            return ErrorKind::CountOverflow.err();
        }
        Ok(ScoreCounts { scale, counts })
    }

    /// The counts, one per point, lowest first.
    pub(crate) fn counts(&self) -> &[u64] {
        &self.counts
    }

    pub(crate) fn scale(&self) -> Scale {
        self.scale
    }

    /// Counts one response of `value`, a point of the scale.
    ///
    /// The caller has checked that `value` lies on this scale (scores carry
    /// their scale); the index is still bounds-checked, never unchecked.
    #[inline]
    pub(crate) fn add(&mut self, value: u8) {
        let index = usize::from(value.wrapping_sub(self.scale.min()));
        if let Some(count) = self.counts.get_mut(index) {
            *count += 1;
        }
    }

    /// Adds `counts`, one per point from the lowest; counts past the
    /// last point are ignored. The caller keeps the total within `u64`
    /// (the aggregator's counts are bounded by its 32-bit record numbers).
    pub(crate) fn add_counts(&mut self, counts: &[u32]) {
        for (count, &more) in self.counts.iter_mut().zip(counts) {
            *count += u64::from(more);
        }
    }

    /// The count of `value`, 0 outside the scale.
    pub(crate) fn count(&self, value: u8) -> u64 {
        let index = usize::from(value.wrapping_sub(self.scale.min()));
        self.counts.get(index).copied().unwrap_or(0)
    }

    /// Points with their counts, lowest first.
    pub(crate) fn points(&self) -> impl Iterator<Item = (u8, u64)> + '_ {
        (self.scale.min()..=self.scale.max()).zip(self.counts.iter().copied())
    }

    /// Adds `other`'s counts.
    ///
    /// # Errors
    ///
    /// A scale mismatch, or a total beyond `u64` (`self` is then unchanged).
    pub(crate) fn merge(&mut self, other: &ScoreCounts, metric: SurveyMetric) -> Result<(), Error> {
        if self.scale != other.scale {
            return Err(self.scale.mismatch(metric, other.scale));
        }
        if self.total().checked_add(other.total()).is_none() {
            return ErrorKind::CountOverflow.err();
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        Ok(())
    }

    /// The number of responses.
    pub(crate) fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The number of responses with a score in `lo..=hi`.
    pub(crate) fn total_in(&self, lo: u8, hi: u8) -> u64 {
        self.points()
            .filter(|&(value, _)| lo <= value && value <= hi)
            .map(|(_, count)| count)
            .sum()
    }

    /// Mean and sample variance (`n − 1` denominator; `None` for n < 2) of
    /// the scores, or `None` when empty.
    ///
    /// The mean comes from the exact integer sum; the variance sums
    /// `count · (value − mean)²` over at most 101 points, so no drift.
    pub(crate) fn moments(&self) -> Option<Moments> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let sum: u128 = self
            .points()
            .map(|(value, count)| u128::from(value) * u128::from(count))
            .sum();
        let mean = sum as f64 / n as f64;
        let variance = (n >= 2).then(|| {
            let squares: f64 = self
                .points()
                .map(|(value, count)| count as f64 * (f64::from(value) - mean).powi(2))
                .sum();
            squares / (n - 1) as f64
        });
        Some(Moments { n, mean, variance })
    }
}

/// Count, mean and sample variance of a set of scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moments {
    pub(crate) n: u64,
    pub(crate) mean: f64,
    pub(crate) variance: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_exact_for_small_vectors() {
        let mut counts = ScoreCounts::new(Scale::CSAT);
        for v in [1, 2, 3, 4, 5] {
            counts.add(v);
        }
        let m = counts.moments().unwrap();
        assert_eq!((m.n, m.mean, m.variance), (5, 3.0, Some(2.5)));
        assert_eq!(counts.total_in(4, 5), 2);
        assert_eq!(ScoreCounts::new(Scale::CES).moments(), None);
    }

    #[test]
    fn deserializing_checks_the_invariant() {
        let ok = r#"{"scale":{"min":1,"max":3},"counts":[1,2,3]}"#;
        assert_eq!(serde_json::from_str::<ScoreCounts>(ok).unwrap().total(), 6);
        let short = r#"{"scale":{"min":1,"max":3},"counts":[1,2]}"#;
        let err = serde_json::from_str::<ScoreCounts>(short).unwrap_err();
        assert!(
            err.to_string().contains("2 counts for scale 1..=3"),
            "{err}"
        );
        let huge = format!(
            r#"{{"scale":{{"min":1,"max":2}},"counts":[{},1]}}"#,
            u64::MAX
        );
        assert!(serde_json::from_str::<ScoreCounts>(&huge).is_err());
    }

    #[test]
    fn merge_refuses_overflow_and_other_scales() {
        let full = format!(
            r#"{{"scale":{{"min":1,"max":2}},"counts":[{},0]}}"#,
            u64::MAX
        );
        let mut full: ScoreCounts = serde_json::from_str(&full).unwrap();
        let mut one = ScoreCounts::new(Scale::new(1, 2).unwrap());
        one.add(2);
        let before = full.clone();
        assert!(full.merge(&one, SurveyMetric::Csat).is_err());
        assert_eq!(full, before);
        let err = one
            .merge(&ScoreCounts::new(Scale::CSAT), SurveyMetric::Csat)
            .unwrap_err();
        assert_eq!(err.to_string(), "scale mismatch for csat: 1..=2 vs 1..=5");
    }
}
