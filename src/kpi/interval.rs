//! Confidence levels, intervals and the distribution functions behind them.

use std::fmt;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::{Error, ErrorKind};

/// The 0.975 quantile of the standard normal distribution, the `z` of every
/// 95% interval in CONTRACT section 3.
pub const Z95: f64 = 1.959963984540054;

/// A two-sided confidence level, `0 < level < 1`; 95% by default.
///
/// The normal quantile `z = Φ⁻¹(1 − (1 − level)/2)` is computed once, here.
///
/// ```
/// use cxmetrics::Confidence;
/// let c90 = Confidence::new(0.90)?;
/// assert!((c90.z() - 1.6448536269514722).abs() < 1e-12);
/// assert_eq!(Confidence::default().z(), cxmetrics::Z95);
/// assert!(Confidence::new(1.0).is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Confidence {
    level: f64,
    z: f64,
}

impl Confidence {
    /// 95%, with the contract's `z` = 1.959963984540054.
    pub const P95: Confidence = Confidence {
        level: 0.95,
        z: Z95,
    };

    /// The confidence level `level` (a fraction: 0.95 is 95%).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfidence`] unless `0 < level < 1`.
    pub fn new(level: f64) -> Result<Confidence, Error> {
        if !(level > 0.0 && level < 1.0) {
            return ErrorKind::InvalidConfidence(level).err();
        }
        if level == 0.95 {
            return Ok(Confidence::P95);
        }
        let z = Normal::standard().inverse_cdf(upper_tail_probability(level));
        Ok(Confidence { level, z })
    }

    /// The level, a fraction.
    pub fn level(self) -> f64 {
        self.level
    }

    /// The two-sided standard normal quantile for this level.
    pub fn z(self) -> f64 {
        self.z
    }

    /// The two-sided Student t quantile with `df` degrees of freedom
    /// (`df > 0`; it need not be an integer, as in Welch's test).
    pub fn t(self, df: f64) -> f64 {
        match StudentsT::new(0.0, 1.0, df) {
            Ok(t) => t.inverse_cdf(upper_tail_probability(self.level)),
            Err(_) => f64::NAN,
        }
    }
}

fn upper_tail_probability(level: f64) -> f64 {
    0.5 + level / 2.0
}

impl Default for Confidence {
    fn default() -> Self {
        Confidence::P95
    }
}

impl TryFrom<f64> for Confidence {
    type Error = Error;
    fn try_from(level: f64) -> Result<Self, Error> {
        Confidence::new(level)
    }
}

impl From<Confidence> for f64 {
    fn from(confidence: Confidence) -> f64 {
        confidence.level
    }
}

/// A closed interval `[lower, upper]`, serialized as a two-element array.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f64; 2]", into = "[f64; 2]")]
pub struct Interval {
    /// The lower bound.
    pub lower: f64,
    /// The upper bound.
    pub upper: f64,
}

impl Interval {
    /// `centre ± half_width`.
    pub fn around(centre: f64, half_width: f64) -> Interval {
        Interval {
            lower: centre - half_width,
            upper: centre + half_width,
        }
    }

    /// The interval with both bounds clamped to `min..=max`.
    pub fn clamp(self, min: f64, max: f64) -> Interval {
        Interval {
            lower: self.lower.clamp(min, max),
            upper: self.upper.clamp(min, max),
        }
    }

    /// The interval with both bounds multiplied by `factor` (e.g. 100 to
    /// turn a proportion into a percentage).
    pub fn scale(self, factor: f64) -> Interval {
        Interval {
            lower: self.lower * factor,
            upper: self.upper * factor,
        }
    }

    /// Whether `value` lies in the interval.
    pub fn contains(self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

impl From<[f64; 2]> for Interval {
    fn from([lower, upper]: [f64; 2]) -> Self {
        Interval { lower, upper }
    }
}

impl From<Interval> for [f64; 2] {
    fn from(interval: Interval) -> Self {
        [interval.lower, interval.upper]
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.lower, self.upper)
    }
}

/// The Wilson score interval (Wilson 1927) of the proportion
/// `successes / n`, as a proportion 0..=1; `n > 0`.
///
/// ```text
/// centre = (p + z²/2n) / (1 + z²/n)
/// half   = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²)
/// ```
pub(crate) fn wilson(successes: u64, n: u64, z: f64) -> Interval {
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Interval::around(centre, half).clamp(0.0, 1.0)
}

/// The Student t interval of a mean: `mean ± t(df = n − 1) · s / sqrt(n)`;
/// `None` for `n < 2`. Not clamped to the scale.
pub(crate) fn t_interval(mean: f64, variance: f64, n: u64, confidence: Confidence) -> Option<Interval> {
    (n >= 2).then(|| {
        let nf = n as f64;
        let t = confidence.t(nf - 1.0);
        Interval::around(mean, t * (variance / nf).sqrt())
    })
}

/// The two-sided p-value of a standard normal statistic,
/// `2·(1 − Φ(|z|))`, computed as `erfc(|z|/√2)` to keep precision in the tail.
pub(crate) fn normal_p_value(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The two-sided p-value of a Student t statistic with `df` degrees of freedom.
pub(crate) fn t_p_value(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) if !t.is_nan() => 2.0 * dist.sf(t.abs()),
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    #[test]
    fn confidence_quantiles() {
        let computed = Normal::standard().inverse_cdf(0.975);
        assert!(close(computed, Z95, 1e-15), "{computed}");
        assert!(close(Confidence::new(0.99).unwrap().z(), 2.5758293035489004, 1e-12));
        // t(0.975, df = 1) = 12.706204736174698 (every t table).
        assert!(close(Confidence::P95.t(1.0), 12.706204736174698, 1e-9));
        assert!(close(Confidence::P95.t(99.0), 1.9842169515864174, 1e-9));
        for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            let err = Confidence::new(bad).unwrap_err();
            assert_eq!(err.to_string(), format!("confidence level {bad} out of range: need 0 < level < 1"));
        }
        let json = serde_json::to_string(&Confidence::new(0.9).unwrap()).unwrap();
        assert_eq!(json, "0.9");
        assert!(serde_json::from_str::<Confidence>("1.0").is_err());
    }

    /// Vectors of the issue: Wilson with z = 1.96 (Wilson 1927; Newcombe 1998,
    /// method 3).
    #[test]
    fn wilson_published_vectors() {
        let i = wilson(25, 100, 1.96);
        assert!(close(i.lower * 100.0, 17.545, 5e-4) && close(i.upper * 100.0, 34.305, 5e-4), "{i}");
        let i = wilson(0, 1, 1.96);
        assert_eq!(i.lower, 0.0);
        assert!(close(i.upper * 100.0, 79.346, 5e-4), "{i}");
    }

    #[test]
    fn p_values() {
        assert!(close(normal_p_value(Z95), 0.05, 1e-10));
        assert!(close(normal_p_value(-Z95), 0.05, 1e-10));
        assert_eq!(normal_p_value(0.0), 1.0);
        // t = 2.228 at df = 10 is the 0.975 quantile: p = 0.05.
        assert!(close(t_p_value(2.2281388519649385, 10.0), 0.05, 1e-9));
        assert!(t_p_value(1.0, 0.0).is_nan());
    }
}
