//! Confidence levels, intervals and the distribution functions behind them.

use std::fmt;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::{Error, ErrorKind};

/// The 0.975 quantile of the standard normal distribution, the `z` of every
/// 95% interval in definitions, "Survey metrics".
pub const Z95: f64 = 1.959963984540054;

/// A two-sided confidence level, `0 < level < 1`; 95% by default.
///
/// The normal quantile `z = Φ⁻¹(1 − (1 − level)/2)` is computed once, here.
///
/// ```
/// use cxmetrics::kpi::Confidence;
/// let c90 = Confidence::new(0.90)?;
/// assert!((c90.z() - 1.6448536269514722).abs() < 1e-12);
/// assert_eq!(Confidence::default().z(), cxmetrics::kpi::Z95);
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
    /// 95%, with the documented `z` = 1.959963984540054.
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
    /// (`df > 0`; it need not be an integer, as in Welch's test); NaN for
    /// another `df`.
    ///
    /// Exact for df = 1 and 2; otherwise Hill's algorithm (ACM 396, the
    /// method of R's `qt`) refined by Newton steps below df = 100: within
    /// 1e-11 of scipy's `t.ppf` and about 50 ns for large df.
    pub fn t(self, df: f64) -> f64 {
        student_t_quantile(df, self.z, 1.0 - self.level)
    }
}

/// The upper quantile `t` with `P(|T| > t) = two_sided` of Student's t
/// with `df` degrees of freedom; `z` is the normal quantile of the same
/// probability.
///
/// Exact closed forms for df = 1 (Cauchy) and df = 2; otherwise Hill's
/// approximation (G. W. Hill 1970, "Algorithm 396: Student's
/// t-quantiles", the method of R's `qt`), whose relative error is below
/// 4e-12 from df = 100 on, and below that refined by Newton steps on
/// statrs's t distribution function until they change less than 1e-14.
/// A tenth to a fiftieth of the time of statrs's numeric inversion of the
/// incomplete beta function, and closer to reference values (scipy).
fn student_t_quantile(df: f64, z: f64, two_sided: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI};
    let Ok(dist) = StudentsT::new(0.0, 1.0, df) else {
        return f64::NAN;
    };
    let p = 1.0 - two_sided / 2.0;
    if df < 1.0 {
        return heavy_tailed_quantile(df, two_sided);
    }
    if df == 1.0 {
        return (PI * (p - 0.5)).tan();
    }
    if df == 2.0 {
        return (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
    }
    // Hill (1970), for the two-sided probability `two_sided`.
    let a = 1.0 / (df - 0.5);
    let b = 48.0 / (a * a);
    let mut c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    let d = ((94.5 / (b + c) - 3.0) / b + 1.0) * (a * FRAC_PI_2).sqrt() * df;
    let mut y = (d * two_sided).powf(2.0 / df);
    let mut q = if y > 0.05 + a {
        // Asymptotic inverse expansion about the normal quantile.
        let x = z;
        y = x * x;
        if df < 5.0 {
            c += 0.3 * (df - 4.5) * (x + 0.6);
        }
        c += (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        (df * (a * y * y).exp_m1()).sqrt()
    } else {
        y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0)
            + 0.5 / (df + 4.0))
            * y
            - 1.0)
            * (df + 1.0)
            / (df + 2.0)
            + 1.0 / y;
        (df * y).sqrt()
    };
    if df < 100.0 {
        // Second-order Newton steps on F(q) = p; at most a few are needed.
        for _ in 0..8 {
            let x = (dist.cdf(q) - p) / statrs::distribution::Continuous::pdf(&dist, q);
            let step = x * (1.0 - x * q * (df + 1.0) / (2.0 * (q * q + df)));
            q -= step;
            // Also stops on NaN: nothing better will come of more steps.
            if step.is_nan() || step.abs() <= 1e-14 * q.abs() {
                break;
            }
        }
    }
    q
}

/// [`student_t_quantile`] below one degree of freedom, where the tails
/// are so heavy that Hill's start is useless and Newton steps diverge: the
/// `x = df / (df + t²)` with `I_x(df/2, 1/2) = two_sided` (the regularized
/// incomplete beta function, increasing in `x`), found by bisection on
/// `ln x`. Infinite when `t` passes the largest float (df below about
/// 0.005 at 95%).
fn heavy_tailed_quantile(df: f64, two_sided: f64) -> f64 {
    let tail = |ln_x: f64| {
        statrs::function::beta::checked_beta_reg(df / 2.0, 0.5, ln_x.exp()).unwrap_or(f64::NAN)
    };
    // ln of the smallest positive float, and of 1.
    let (mut low, mut high) = (-745.0f64, 0.0f64);
    if tail(low) >= two_sided {
        return f64::INFINITY;
    }
    for _ in 0..200 {
        let middle = (low + high) / 2.0;
        if middle == low || middle == high {
            break;
        }
        if tail(middle) < two_sided {
            low = middle;
        } else {
            high = middle;
        }
    }
    let x = high.exp();
    (df * (1.0 - x) / x).sqrt()
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

    /// The interval with both bounds clamped to `min..=max` (a NaN bound
    /// stays NaN).
    ///
    /// ```
    /// use cxmetrics::kpi::Interval;
    /// let i = Interval { lower: -0.2, upper: 0.5 }.clamp(0.0, 1.0)?;
    /// assert_eq!((i.lower, i.upper), (0.0, 0.5));
    /// assert!(i.clamp(1.0, 0.0).is_err() && i.clamp(f64::NAN, 1.0).is_err());
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidNumber`] for `min` above `max` or either NaN.
    pub fn clamp(self, min: f64, max: f64) -> Result<Interval, Error> {
        if min.is_nan() || max.is_nan() || min > max {
            return ErrorKind::InvalidNumber(format!(
                "clamp bounds {min}..={max}: need min <= max, neither NaN"
            ))
            .err();
        }
        Ok(self.within(min, max))
    }

    /// [`clamp`](Self::clamp) to bounds known to be ordered.
    pub(crate) fn within(self, min: f64, max: f64) -> Interval {
        let bound = |x: f64| if x.is_nan() { x } else { x.max(min).min(max) };
        Interval {
            lower: bound(self.lower),
            upper: bound(self.upper),
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
    Interval::around(centre, half).within(0.0, 1.0)
}

/// The Student t interval of a mean: `mean ± t(df = n − 1) · s / sqrt(n)`;
/// `None` for `n < 2`. Not clamped to the scale.
pub(crate) fn t_interval(
    mean: f64,
    variance: f64,
    n: u64,
    confidence: Confidence,
) -> Option<Interval> {
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
        assert!(close(
            Confidence::new(0.99).unwrap().z(),
            2.5758293035489004,
            1e-12
        ));
        // t(0.975, df = 1) = 12.706204736174698 (every t table).
        assert!(close(Confidence::P95.t(1.0), 12.706204736174698, 1e-9));
        assert!(close(Confidence::P95.t(99.0), 1.9842169515864174, 1e-9));
        for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            let err = Confidence::new(bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("confidence level {bad} out of range: need 0 < level < 1")
            );
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
        assert!(
            close(i.lower * 100.0, 17.545, 5e-4) && close(i.upper * 100.0, 34.305, 5e-4),
            "{i}"
        );
        let i = wilson(0, 1, 1.96);
        assert_eq!(i.lower, 0.0);
        assert!(close(i.upper * 100.0, 79.346, 5e-4), "{i}");
    }

    /// Below one degree of freedom, against scipy.stats.t.ppf (level, df,
    /// quantile) to a relative 1e-9 (scipy's own values at df = 0.01 above
    /// 95% are saturated, and left out); far below, infinite; never NaN,
    /// never a panic.
    #[test]
    fn t_quantiles_below_one_degree_of_freedom() {
        const SCIPY: &[(f64, f64, f64)] = &[
            (0.5, 0.01, 6.3641819284004225e+28),
            (0.5, 0.05, 119583.37585464696),
            (0.5, 0.1, 168.23607319770693),
            (0.5, 0.3, 3.0273369408647977),
            (0.5, 0.5, 1.5537739740300383),
            (0.5, 0.9, 1.0475960006128457),
            (0.5, 0.99, 1.0042128009475646),
            (0.9, 0.01, 5.020454317028747e+98),
            (0.9, 0.05, 1.1404359422183168e+19),
            (0.9, 0.1, 1642931922.6025467),
            (0.9, 0.3, 653.0205210290723),
            (0.9, 0.5, 41.13600009287819),
            (0.9, 0.9, 7.6453466981048654),
            (0.9, 0.99, 6.422957871938558),
            (0.95, 0.05, 1.1958337585475138e+25),
            (0.95, 0.1, 1682362288745.0078),
            (0.95, 0.3, 6582.0356994007525),
            (0.95, 0.5, 164.55767348048818),
            (0.95, 0.9, 16.580058171327135),
            (0.95, 0.99, 13.01354801156106),
            (0.99, 0.05, 1.1404359422183146e+39),
            (0.99, 0.1, 1.642931922602544e+19),
            (0.99, 0.3, 1406890.3435210227),
            (0.99, 0.5, 4113.964588804174),
            (0.99, 0.9, 99.23651682193169),
            (0.99, 0.99, 66.25766977997208),
            (0.999, 0.05, 1.1404359422208441e+59),
            (0.999, 0.1, 1.642931922604366e+29),
            (0.999, 0.3, 3031053361.1538153),
            (0.999, 0.5, 411396.462526262),
            (0.999, 0.9, 1281.7270410366752),
            (0.999, 0.99, 678.2182080548479),
        ];
        for &(level, df, expected) in SCIPY {
            let t = Confidence::new(level).unwrap().t(df);
            assert!(
                ((t - expected) / expected).abs() < 1e-9,
                "level {level}, df {df}: {t} vs {expected}"
            );
        }
        assert_eq!(Confidence::P95.t(0.001), f64::INFINITY);
        for df in [1e-300, 1e-9, 0.2, 0.3, 0.31, 0.5, 0.999_999] {
            assert!(!Confidence::P95.t(df).is_nan(), "{df}");
        }
        for df in [0.0, -1.0, f64::NAN] {
            assert!(Confidence::P95.t(df).is_nan(), "{df}");
        }
    }

    proptest::proptest! {
        /// For any level and any df > 0: a positive quantile (infinite only
        /// past the largest float) whose distribution function gives back
        /// the level.
        #[test]
        fn t_quantiles_invert_the_distribution(level in 0.01f64..0.9999, log_df in -2.0f64..7.0) {
            let df = 10f64.powf(log_df);
            let t = Confidence::new(level).unwrap().t(df);
            proptest::prop_assert!(t > 0.0, "{} {}: {}", level, df, t);
            if t.is_finite() && df <= 1e4 {
                let dist = StudentsT::new(0.0, 1.0, df).unwrap();
                let two_sided = 2.0 * dist.sf(t);
                proptest::prop_assert!(((1.0 - two_sided) - level).abs() < 1e-8, "{} {}: {} gives {}", level, df, t, 1.0 - two_sided);
            } else if df > 1e4 {
                // statrs's distribution function loses digits there (scipy
                // agrees with the quantile, not with it): the quantile lies
                // just above the normal one, within a part in df.
                let z = Normal::standard().inverse_cdf(0.5 + level / 2.0);
                proptest::prop_assert!(t >= z * (1.0 - 1e-12) && (t - z) / z < 10.0 / df, "{} {}: {} vs normal {}", level, df, t, z);
            }
        }
    }

    /// Student t quantiles against scipy.stats.t.ppf (level, df, quantile).
    /// statrs's own numeric inversion drifts by up to 3e-8 at large df;
    /// this method stays within 1e-11.
    #[test]
    fn t_quantiles_match_scipy() {
        const SCIPY: &[(f64, f64, f64)] = &[
            (0.5, 1.0, 1.0000000000000002),
            (0.5, 1.5, 0.8725946625415716),
            (0.5, 2.0, 0.8164965809277261),
            (0.5, 2.5, 0.7850136829922992),
            (0.5, 3.0, 0.7648923284043444),
            (0.5, 4.0, 0.7406970841126829),
            (0.5, 5.0, 0.7266868438004226),
            (0.5, 7.0, 0.7111417780817866),
            (0.5, 9.5, 0.7011881382612825),
            (0.5, 20.0, 0.6869544964488036),
            (0.5, 33.3, 0.6819286969345992),
            (0.5, 99.0, 0.6769759855461531),
            (0.5, 100.0, 0.6769510430114717),
            (0.5, 101.0, 0.6769265959592855),
            (0.5, 3000.0, 0.6745715373368374),
            (0.5, 10000000.0, 0.6744897747295749),
            (0.9, 1.0, 6.313751514675037),
            (0.9, 1.5, 3.70518082009675),
            (0.9, 2.0, 2.9199855803537242),
            (0.9, 2.5, 2.5582186141359355),
            (0.9, 3.0, 2.3533634348018233),
            (0.9, 4.0, 2.1318467863266495),
            (0.9, 5.0, 2.0150483733330233),
            (0.9, 7.0, 1.8945786050900062),
            (0.9, 9.5, 1.8221893013186778),
            (0.9, 20.0, 1.7247182429207866),
            (0.9, 33.3, 1.6919201816779494),
            (0.9, 99.0, 1.6603911560169906),
            (0.9, 100.0, 1.6602343260853392),
            (0.9, 101.0, 1.6600806304117863),
            (0.9, 3000.0, 1.6453617078374076),
            (0.9, 10000000.0, 1.6448537793284017),
            (0.95, 1.0, 12.706204736174694),
            (0.95, 1.5, 6.016663104427929),
            (0.95, 2.0, 4.302652729749462),
            (0.95, 2.5, 3.5746548420036817),
            (0.95, 3.0, 3.1824463052837078),
            (0.95, 4.0, 2.7764451051977934),
            (0.95, 5.0, 2.5705818356363146),
            (0.95, 7.0, 2.364624251592784),
            (0.95, 9.5, 2.2441374614922958),
            (0.95, 20.0, 2.085963447265864),
            (0.95, 33.3, 2.033819224134053),
            (0.95, 99.0, 1.9842169515864174),
            (0.95, 100.0, 1.9839715185235518),
            (0.95, 101.0, 1.983731002955606),
            (0.95, 3000.0, 1.960755055322458),
            (0.95, 10000000.0, 1.959964221767205),
            (0.99, 1.0, 63.656741162871526),
            (0.99, 1.5, 17.820310514462804),
            (0.99, 2.0, 9.924843200918287),
            (0.99, 2.5, 7.163728138948783),
            (0.99, 3.0, 5.840909309733355),
            (0.99, 4.0, 4.604094871349992),
            (0.99, 5.0, 4.032142983555228),
            (0.99, 7.0, 3.4994832973504924),
            (0.99, 9.5, 3.2070156284394886),
            (0.99, 20.0, 2.8453397097861077),
            (0.99, 33.3, 2.7317794841750676),
            (0.99, 99.0, 2.626405457280827),
            (0.99, 100.0, 2.6258905214380173),
            (0.99, 101.0, 2.6253859646684408),
            (0.99, 3000.0, 2.5774691348386076),
            (0.99, 10000000.0, 2.5758297952037488),
            (0.999, 1.0, 636.6192487687897),
            (0.999, 1.5, 82.84744670366369),
            (0.999, 2.0, 31.599054576445365),
            (0.999, 2.5, 18.277893528131457),
            (0.999, 3.0, 12.923978636687961),
            (0.999, 4.0, 8.610301581379522),
            (0.999, 5.0, 6.868826625881276),
            (0.999, 7.0, 5.407882520861828),
            (0.999, 9.5, 4.677275237950294),
            (0.999, 20.0, 3.8495162749308744),
            (0.999, 33.3, 3.607784245548223),
            (0.999, 99.0, 3.391528833363685),
            (0.999, 100.0, 3.390491311164263),
            (0.999, 101.0, 3.3894748840473063),
            (0.999, 3000.0, 3.293772880685501),
            (0.999, 10000000.0, 3.2905277044652532),
        ];
        for &(level, df, expected) in SCIPY {
            let actual = Confidence::new(level).unwrap().t(df);
            let relative = ((actual - expected) / expected).abs();
            assert!(
                relative < 1e-11,
                "level {level} df {df}: {actual} vs {expected}"
            );
        }
        assert!(Confidence::P95.t(0.0).is_nan());
        assert!(Confidence::P95.t(f64::NAN).is_nan());
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
