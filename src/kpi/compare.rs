//! Two-group comparisons: period vs period, agent vs team.

use serde::{Deserialize, Serialize};

use super::counts::Moments;
use super::interval::{normal_p_value, t_p_value, Confidence, Interval};

/// The difference between two groups' statistic (first − second), with its
/// standard error, confidence interval and a two-sided test of "no
/// difference".
///
/// Made by [`NpsSummary::compare`](crate::kpi::NpsSummary::compare),
/// [`ScaleSummary::compare_score`](crate::kpi::ScaleSummary::compare_score) and
/// [`ScaleSummary::compare_mean`](crate::kpi::ScaleSummary::compare_mean).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// First minus second: percentage points for scores, scale units for
    /// means. For NPS with the adjusted-Wald method, the difference of the
    /// adjusted scores (see [`NpsSummary::compare`](crate::kpi::NpsSummary::compare)).
    pub difference: f64,
    /// The standard error of the difference, in the same units.
    pub standard_error: f64,
    /// The confidence interval of the difference.
    pub ci: Interval,
    /// The test statistic: `z` for scores, Welch's `t` for means. Infinite
    /// when the groups differ and both have zero variance.
    pub statistic: f64,
    /// Degrees of freedom of a t test (Welch–Satterthwaite); `None` for a
    /// z test.
    pub df: Option<f64>,
    /// Two-sided p-value of the statistic.
    pub p_value: f64,
}

/// `difference / standard_error`, with 0/0 read as "no difference" and
/// d/0 as an infinitely strong one.
fn ratio(difference: f64, standard_error: f64) -> f64 {
    if standard_error > 0.0 {
        difference / standard_error
    } else if difference == 0.0 {
        0.0
    } else {
        difference.signum() * f64::INFINITY
    }
}

/// A z test of a difference with the given standard error; the interval is
/// `difference ± z·SE`.
pub(crate) fn z_test(difference: f64, standard_error: f64, confidence: Confidence) -> Comparison {
    let statistic = ratio(difference, standard_error);
    Comparison {
        difference,
        standard_error,
        ci: Interval::around(difference, confidence.z() * standard_error),
        statistic,
        df: None,
        p_value: normal_p_value(statistic),
    }
}

/// Two-proportion z test of `k1/n1 − k2/n2`, in percentage points.
///
/// The interval uses the unpooled standard error
/// `sqrt(p1(1 − p1)/n1 + p2(1 − p2)/n2)` (the reported `standard_error`);
/// the statistic and p-value use the pooled one
/// `sqrt(p(1 − p)(1/n1 + 1/n2))`, `p = (k1 + k2)/(n1 + n2)`, the classic
/// test of equal proportions.
pub(crate) fn two_proportions(
    (k1, n1): (u64, u64),
    (k2, n2): (u64, u64),
    confidence: Confidence,
) -> Comparison {
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (p1, p2) = (k1 as f64 / n1f, k2 as f64 / n2f);
    let difference = p1 - p2;
    let unpooled = (p1 * (1.0 - p1) / n1f + p2 * (1.0 - p2) / n2f).sqrt();
    let pooled_p = (k1 + k2) as f64 / (n1f + n2f);
    let pooled = (pooled_p * (1.0 - pooled_p) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    let statistic = ratio(difference, pooled);
    Comparison {
        difference: 100.0 * difference,
        standard_error: 100.0 * unpooled,
        ci: Interval::around(difference, confidence.z() * unpooled).scale(100.0),
        statistic,
        df: None,
        p_value: normal_p_value(statistic),
    }
}

/// Welch's unequal-variances t test of `mean1 − mean2`; `None` unless both
/// groups have a variance (n ≥ 2) and they are not both zero.
pub(crate) fn welch(a: Moments, b: Moments, confidence: Confidence) -> Option<Comparison> {
    let (va, vb) = (a.variance? / a.n as f64, b.variance? / b.n as f64);
    let se2 = va + vb;
    if se2 <= 0.0 {
        return None;
    }
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    let standard_error = se2.sqrt();
    let difference = a.mean - b.mean;
    let statistic = difference / standard_error;
    Some(Comparison {
        difference,
        standard_error,
        ci: Interval::around(difference, confidence.t(df) * standard_error),
        statistic,
        df: Some(df),
        p_value: t_p_value(statistic, df),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    /// Two-proportion test worked by hand (and checked with scipy): 60/100
    /// vs 45/100: pooled p = 0.525, pooled SE = sqrt(.525·.475·.02) =
    /// 0.070623, z = 2.123977, p-value 0.0336721.
    #[test]
    fn two_proportions_hand_computed() {
        let c = two_proportions((60, 100), (45, 100), Confidence::P95);
        assert!(close(c.difference, 15.0, 1e-9));
        assert!(close(c.statistic, 2.123977, 1e-6), "{c:?}");
        assert!(close(c.p_value, 0.0336721, 1e-7), "{c:?}");
        // Unpooled SE = sqrt(.6·.4/100 + .45·.55/100) = 0.0698212.
        assert!(close(c.standard_error, 6.98212, 1e-5));
        assert!(close(
            c.ci.lower,
            15.0 - Confidence::P95.z() * 6.98212002188447,
            1e-9
        ));
        let same = two_proportions((10, 10), (5, 5), Confidence::P95);
        assert_eq!((same.statistic, same.p_value), (0.0, 1.0));
    }

    /// Welch's test worked by hand: means 5 and 4, variances 4 and 1,
    /// n 10 and 20: SE² = 0.4 + 0.05 = 0.45, t = 1.490712,
    /// df = 0.2025 / (0.16/9 + 0.0025/19) = 11.30694; p = 0.1633975 and
    /// t(0.975, df) = 2.1937174 (scipy.stats.ttest_ind_from_stats).
    #[test]
    fn welch_hand_computed() {
        let a = Moments {
            n: 10,
            mean: 5.0,
            variance: Some(4.0),
        };
        let b = Moments {
            n: 20,
            mean: 4.0,
            variance: Some(1.0),
        };
        let c = welch(a, b, Confidence::P95).unwrap();
        assert!(close(c.statistic, 1.490712, 1e-6));
        assert!(close(c.df.unwrap(), 11.30694, 1e-5), "{c:?}");
        assert!(close(c.p_value, 0.1633975, 1e-7), "{c:?}");
        assert!(
            close(c.ci.upper, 1.0 + 2.1937174 * 0.45f64.sqrt(), 1e-6),
            "{c:?}"
        );
        let flat = Moments {
            n: 3,
            mean: 2.0,
            variance: Some(0.0),
        };
        assert_eq!(welch(flat, flat, Confidence::P95), None);
        let single = Moments {
            n: 1,
            mean: 2.0,
            variance: None,
        };
        assert_eq!(welch(single, a, Confidence::P95), None);
    }
}
