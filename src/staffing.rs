//! Staffing with Erlang C: agents needed for an arrival rate, a handling
//! time and a service-level target (definitions, "Staffing").
//!
//! ```
//! use cxmetrics::staffing::{erlang_c, Staffing};
//! // 10 Erlangs on 14 agents: a contact waits with probability 17.4%.
//! assert!((erlang_c(14, 10.0)? - 0.1741).abs() < 1e-4);
//! let result = Staffing::parse("100", "30m", "180s", "80/20s")?.solve()?;
//! assert_eq!(result.agents, 14);
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, ErrorKind};

/// An exact non-negative decimal, `mantissa / 10^scale`, so that the
/// contract's ceilings (⌈21 / 70%⌉ = 30) do not suffer binary rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: u128,
    scale: u32,
}

impl Decimal {
    /// `mantissa / 10^scale`: `Decimal::new(855, 1)` is 85.5.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidNumber`] for a scale above 18.
    pub fn new(mantissa: u64, scale: u32) -> Result<Decimal, Error> {
        if scale > 18 {
            return ErrorKind::InvalidNumber(format!("{mantissa}e-{scale}")).err();
        }
        Ok(Decimal {
            mantissa: u128::from(mantissa),
            scale,
        })
    }

    /// A percentage as written on the command line: `30%`, `85`, `0.5%`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidNumber`] naming the text.
    pub fn percent(text: &str) -> Result<Decimal, Error> {
        percent(text)
    }

    /// A duration, exactly, in seconds.
    fn seconds(duration: Duration) -> Decimal {
        let nanos = duration.as_nanos();
        Decimal {
            mantissa: nanos,
            scale: 9,
        }
    }

    /// The value as a float, for the Erlang formulas.
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// `(numerator, denominator)` of the value.
    fn ratio(self) -> (u128, u128) {
        (self.mantissa, 10u128.pow(self.scale))
    }
}

impl FromStr for Decimal {
    type Err = Error;

    /// Digits with an optional fraction (`12`, `0.5`, `85.25`); at most 18
    /// digits in all.
    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = || Error::from(ErrorKind::InvalidNumber(text.to_owned()));
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = whole.len() + fraction.len();
        let all_digits = whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || (text.contains('.') && fraction.is_empty())
            || !all_digits
            || digits > 18
        {
            return Err(invalid());
        }
        let mantissa = format!("{whole}{fraction}")
            .parse()
            .map_err(|_| invalid())?;
        Ok(Decimal {
            mantissa,
            scale: fraction.len() as u32,
        })
    }
}

impl From<u32> for Decimal {
    fn from(value: u32) -> Decimal {
        Decimal {
            mantissa: u128::from(value),
            scale: 0,
        }
    }
}

impl fmt::Display for Decimal {
    /// Exactly: `85.5`, `30`, `0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = 10u128.pow(self.scale);
        let (whole, fraction) = (self.mantissa / unit, self.mantissa % unit);
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:0width$}", width = self.scale as usize);
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// `⌈a / b⌉` of two positive ratios, exactly (in floating point only if the
/// exact products would pass 2^128, far beyond any staffing question).
fn ceil_div((an, ad): (u128, u128), (bn, bd): (u128, u128)) -> u128 {
    match (an.checked_mul(bd), ad.checked_mul(bn)) {
        (Some(num), Some(den)) if den > 0 => num.div_ceil(den),
        _ => ((an as f64 / ad as f64) / (bn as f64 / bd as f64)).ceil() as u128,
    }
}

/// The most traffic answered, in Erlangs: far beyond any contact centre,
/// and each question still takes milliseconds.
pub const MAX_TRAFFIC: u64 = 10_000_000;

/// The most agents an answer may hold (required, raised for the maximum
/// occupancy, or scheduled): a question past it is refused, never
/// answered with a wrapped or capped number.
pub const MAX_AGENTS: u64 = 1_000_000_000;

/// Traffic that Erlang C answers here: finite, 0 to [`MAX_TRAFFIC`].
fn check_traffic(traffic: f64) -> Result<(), Error> {
    if traffic.is_finite() && (0.0..=MAX_TRAFFIC as f64).contains(&traffic) {
        return Ok(());
    }
    ErrorKind::InvalidStaffing(format!(
        "traffic {traffic} Erlangs: expected 0 to {MAX_TRAFFIC}"
    ))
    .err()
}

fn too_many_agents(what: &str, agents: u128) -> Error {
    ErrorKind::InvalidStaffing(format!(
        "{what}: {agents} agents, more than the {MAX_AGENTS} this answers"
    ))
    .into()
}

/// A duration written as a positive number with a unit: `30m`, `180s`,
/// `1h`, `0.5h`; in seconds.
fn duration(text: &str, what: &'static str) -> Result<Decimal, Error> {
    let invalid = || {
        Error::from(ErrorKind::InvalidStaffing(format!(
            "{what} {text:?}: expected a positive number of s, m or h"
        )))
    };
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(invalid()),
    };
    let value: Decimal = number.parse().map_err(|_| invalid())?;
    if value.is_zero() {
        return Err(invalid());
    }
    Ok(Decimal {
        mantissa: value.mantissa * factor,
        scale: value.scale,
    })
}

/// A percentage, `%` optional: `30%`, `85`, `0.5%`.
fn percent(text: &str) -> Result<Decimal, Error> {
    text.strip_suffix('%').unwrap_or(text).parse()
}

/// The service-level target `P/Ts`: P percent of contacts answered within
/// T seconds (`80/20s`), with 0 < P < 100 and T > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTarget {
    percent: Decimal,
    seconds: Decimal,
}

impl ServiceTarget {
    /// `percent` of contacts answered `within` a time: 0 < percent < 100,
    /// `within` above zero.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStaffing`] naming the value.
    pub fn new(percent: Decimal, within: Duration) -> Result<ServiceTarget, Error> {
        let (num, den) = percent.ratio();
        if percent.is_zero() || num >= 100 * den || within.is_zero() {
            return ErrorKind::InvalidStaffing(format!(
                "target {percent}% within {}s: need 0 < P < 100 and a time above 0",
                Decimal::seconds(within)
            ))
            .err();
        }
        Ok(ServiceTarget {
            percent,
            seconds: Decimal::seconds(within),
        })
    }

    /// The share to reach, 0..1.
    pub fn share(self) -> f64 {
        self.percent.to_f64() / 100.0
    }

    /// The answer time, in seconds.
    pub fn seconds(self) -> f64 {
        self.seconds.to_f64()
    }
}

impl FromStr for ServiceTarget {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = || {
            Error::from(ErrorKind::InvalidStaffing(format!(
                "target {text:?}: expected P/Ts with 0 < P < 100, e.g. 80/20s"
            )))
        };
        let (p, t) = text.split_once('/').ok_or_else(invalid)?;
        let percent = percent(p).map_err(|_| invalid())?;
        let seconds: Decimal = t
            .strip_suffix('s')
            .ok_or_else(invalid)?
            .parse()
            .map_err(|_| invalid())?;
        let (num, den) = percent.ratio();
        if percent.is_zero() || num >= 100 * den || seconds.is_zero() {
            return Err(invalid());
        }
        Ok(ServiceTarget { percent, seconds })
    }
}

/// The probability that a contact waits, Erlang C, for `agents` agents and
/// `traffic` Erlangs; from the Erlang B recursion
/// `B(n) = A·B(n−1) / (n + A·B(n−1))`, which neither overflows nor loses
/// precision at 100 000 Erlangs and more. With no more agents than
/// traffic the queue grows without end and every contact waits: 1. Without
/// traffic none waits: 0 (with at least one agent).
///
/// ```
/// use cxmetrics::staffing::erlang_c;
/// assert_eq!(erlang_c(1, 5.0)?, 1.0);
/// assert_eq!(erlang_c(3, 0.0)?, 0.0);
/// assert!(erlang_c(3, f64::NAN).is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::InvalidStaffing`] for traffic that is not a number from 0
/// to [`MAX_TRAFFIC`].
pub fn erlang_c(agents: u64, traffic: f64) -> Result<f64, Error> {
    check_traffic(traffic)?;
    if agents as f64 <= traffic {
        return Ok(1.0);
    }
    if traffic == 0.0 {
        return Ok(0.0);
    }
    Ok(erlang_c_from_b(
        agents,
        traffic,
        erlang_b_from(1.0, 0, agents, traffic),
    ))
}

fn erlang_c_from_b(agents: u64, traffic: f64, b: f64) -> f64 {
    let n = agents as f64;
    n * b / (n - traffic * (1.0 - b))
}

/// The smallest number of agents N > `traffic` whose service level reaches
/// `target`, for a mean handling time of `aht` seconds.
///
/// # Errors
///
/// [`ErrorKind::InvalidStaffing`] for traffic that is not a number above 0
/// up to [`MAX_TRAFFIC`], or an `aht` that is not a number above 0.
pub fn required_agents(traffic: f64, aht: f64, target: ServiceTarget) -> Result<u64, Error> {
    check_traffic(traffic)?;
    if traffic == 0.0 || !(aht.is_finite() && aht > 0.0) {
        return ErrorKind::InvalidStaffing(format!(
            "traffic {traffic} Erlangs with aht {aht}s: expected both above 0"
        ))
        .err();
    }
    Ok(search(traffic, aht, target).0)
}

/// The smallest N > A meeting the target, with Erlang B of N: the
/// recursion runs up to ⌊A⌋, then on, N by N, until SL(t) ≥ target.
fn search(traffic: f64, aht: f64, target: ServiceTarget) -> (u64, f64) {
    let first = traffic.floor() as u64 + 1;
    let mut b = erlang_b_from(1.0, 0, first - 1, traffic);
    let mut agents = first;
    loop {
        b = erlang_b_from(b, agents - 1, agents, traffic);
        let c = erlang_c_from_b(agents, traffic, b);
        if 1.0 - c * (-(agents as f64 - traffic) * target.seconds() / aht).exp() >= target.share() {
            return (agents, b);
        }
        agents += 1;
    }
}

/// Erlang B of `to` agents from Erlang B `b` of `from` agents. Once B
/// rounds to 0 it stays 0: the walk ends there, so that any `to` takes
/// at most `traffic` plus a few thousand steps.
fn erlang_b_from(mut b: f64, from: u64, to: u64, traffic: f64) -> f64 {
    for n in from + 1..=to {
        b = traffic * b / (n as f64 + traffic * b);
        if b == 0.0 {
            break;
        }
    }
    b
}

/// What Erlang C says about a staffing level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StaffingResult {
    /// Offered traffic A = arrivals · AHT / interval, in Erlangs.
    pub traffic_erlangs: f64,
    /// Agents answering: the smallest N > A meeting the target, raised
    /// for the maximum occupancy.
    pub agents: u64,
    /// Agents to schedule: ⌈N / (1 − shrinkage)⌉.
    pub scheduled: u64,
    /// The share answered within the target time, for `agents`.
    pub service_level: f64,
    /// Average speed of answer, seconds.
    pub asa_s: f64,
    /// A / N.
    pub occupancy: f64,
    /// Erlang C: the probability of waiting.
    pub p_wait: f64,
    /// Team leads: ⌈scheduled / agents per lead⌉, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leads: Option<u64>,
}

/// A staffing question: arrivals per interval, average handling time and
/// a service-level target, with optional shrinkage, maximum occupancy and
/// agents per lead.
///
/// Erlang C assumes Poisson arrivals, exponential handling times and no
/// abandonment: callers who hang up make it overstaff.
///
/// ```
/// use cxmetrics::staffing::{Decimal, Staffing};
/// // callcentrehelper's worked example: 100 calls per 30 minutes, AHT
/// // 180 s, 80% answered in 20 s.
/// let result = Staffing::parse("100", "30m", "180s", "80/20s")?.solve()?;
/// assert_eq!((result.traffic_erlangs, result.agents), (10.0, 14));
/// assert!((result.service_level - 0.8884).abs() < 1e-4);
/// let scheduled = Staffing::parse("100", "30m", "180s", "80/20s")?
///     .with_shrinkage(Decimal::percent("30%")?)?
///     .with_max_occupancy(Decimal::from(85))?
///     .solve()?
///     .scheduled;
/// assert_eq!(scheduled, 20);
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staffing {
    arrivals: Decimal,
    interval: Decimal,
    aht: Decimal,
    target: ServiceTarget,
    shrinkage: Option<Decimal>,
    max_occupancy: Option<Decimal>,
    agents_per_lead: Option<u64>,
    /// Offered traffic, arrivals · AHT / interval, as an exact ratio.
    traffic: (u128, u128),
}

impl Staffing {
    /// `arrivals` (a positive number) per `interval`, handled in `aht` on
    /// average, to reach `target`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cxmetrics::staffing::{Decimal, ServiceTarget, Staffing};
    /// let target = ServiceTarget::new(Decimal::from(80), Duration::from_secs(20))?;
    /// let question = Staffing::new(Decimal::from(100), Duration::from_secs(1800), Duration::from_secs(180), target)?;
    /// assert_eq!(question.solve()?.agents, 14);
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStaffing`] naming the value.
    pub fn new(
        arrivals: Decimal,
        interval: Duration,
        aht: Duration,
        target: ServiceTarget,
    ) -> Result<Staffing, Error> {
        if arrivals.is_zero() {
            return ErrorKind::InvalidStaffing("arrivals 0: expected a positive number".into())
                .err();
        }
        if interval.is_zero() || aht.is_zero() {
            return ErrorKind::InvalidStaffing(
                "interval and aht: expected a positive duration".into(),
            )
            .err();
        }
        Staffing::of(
            arrivals,
            Decimal::seconds(interval),
            Decimal::seconds(aht),
            target,
        )
    }

    /// As [`new`](Self::new), from the command line's texts: `arrivals`
    /// (`100`, `12.5`), `interval` and `aht` as a number and a unit
    /// (`30m`, `180s`, `1h`), `target` as `P/Ts` (`80/20s`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStaffing`] naming the value.
    pub fn parse(
        arrivals: &str,
        interval: &str,
        aht: &str,
        target: &str,
    ) -> Result<Staffing, Error> {
        let arrivals: Decimal = arrivals
            .parse()
            .ok()
            .filter(|a: &Decimal| !a.is_zero())
            .ok_or_else(|| {
                ErrorKind::InvalidStaffing(format!(
                    "arrivals {arrivals:?}: expected a positive number"
                ))
            })?;
        let (interval, aht, target) = (
            duration(interval, "interval")?,
            duration(aht, "aht")?,
            target.parse()?,
        );
        Staffing::of(arrivals, interval, aht, target)
    }

    fn of(
        arrivals: Decimal,
        interval: Decimal,
        aht: Decimal,
        target: ServiceTarget,
    ) -> Result<Staffing, Error> {
        let (an, ad) = arrivals.ratio();
        let (hn, hd) = aht.ratio();
        let (inn, ind) = interval.ratio();
        let num = an.checked_mul(hn).and_then(|x| x.checked_mul(ind));
        let den = ad.checked_mul(hd).and_then(|x| x.checked_mul(inn));
        let traffic = match (num, den) {
            // num ≤ MAX·den; a MAX·den past u128 is above any num.
            (Some(num), Some(den))
                if u128::from(MAX_TRAFFIC)
                    .checked_mul(den)
                    .is_none_or(|most| num <= most) =>
            {
                (num, den)
            }
            _ => {
                return ErrorKind::InvalidStaffing(format!(
                    "traffic: more than {MAX_TRAFFIC} Erlangs (arrivals × aht ÷ interval), the most this answers"
                ))
                .err()
            }
        };
        Ok(Staffing {
            arrivals,
            interval,
            aht,
            target,
            shrinkage: None,
            max_occupancy: None,
            agents_per_lead: None,
            traffic,
        })
    }

    /// Shrinkage, in percent: the share of paid time not on contacts,
    /// 0 ≤ s < 100.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStaffing`].
    pub fn with_shrinkage(mut self, percent: Decimal) -> Result<Staffing, Error> {
        let (n, d) = percent.ratio();
        if n >= 100 * d {
            return ErrorKind::InvalidStaffing(format!(
                "shrinkage \"{percent}%\": expected 0% to below 100%"
            ))
            .err();
        }
        self.shrinkage = Some(percent);
        Ok(self)
    }

    /// Maximum occupancy, in percent: 0 < o ≤ 100.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStaffing`].
    pub fn with_max_occupancy(mut self, percent: Decimal) -> Result<Staffing, Error> {
        let (n, d) = percent.ratio();
        if n == 0 || n > 100 * d {
            return ErrorKind::InvalidStaffing(format!(
                "max occupancy \"{percent}%\": expected above 0% up to 100%"
            ))
            .err();
        }
        self.max_occupancy = Some(percent);
        Ok(self)
    }

    /// Agents per team lead (a positive integer): adds `leads`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStaffing`] for 0.
    pub fn with_agents_per_lead(mut self, agents: u64) -> Result<Staffing, Error> {
        if agents == 0 {
            return ErrorKind::InvalidStaffing(
                "agents per lead 0: expected a positive integer".into(),
            )
            .err();
        }
        self.agents_per_lead = Some(agents);
        Ok(self)
    }

    /// The offered traffic as an exact ratio: arrivals · AHT / interval.
    fn traffic_ratio(&self) -> (u128, u128) {
        self.traffic
    }

    /// The required and scheduled agents with their service figures.
    /// Bounded time for any question: a few milliseconds at
    /// [`MAX_TRAFFIC`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidStaffing`] when the agents raised for the
    /// maximum occupancy, or those scheduled for the shrinkage, pass
    /// [`MAX_AGENTS`].
    pub fn solve(&self) -> Result<StaffingResult, Error> {
        let (tn, td) = self.traffic_ratio();
        let traffic = tn as f64 / td as f64;
        let aht = self.aht.to_f64();
        let wait = self.target.seconds();
        let (mut agents, mut b) = search(traffic, aht, self.target);
        if let Some(occupancy) = self.max_occupancy {
            let capped = ceil_div((tn, td), occupancy_ratio(occupancy));
            let capped = u64::try_from(capped)
                .ok()
                .filter(|&n| n <= MAX_AGENTS)
                .ok_or_else(|| too_many_agents(&format!("max occupancy {occupancy}%"), capped))?
                .max(agents);
            b = erlang_b_from(b, agents, capped, traffic);
            agents = capped;
        }
        let p_wait = erlang_c_from_b(agents, traffic, b);
        let n = agents as f64;
        let service_level = 1.0 - p_wait * (-(n - traffic) * wait / aht).exp();
        let scheduled = match self.shrinkage {
            Some(s) => {
                let (sn, sd) = s.ratio();
                // ⌈N / (1 − s/100)⌉ = ⌈N·100·sd / (100·sd − sn)⌉
                let scheduled = ceil_div((u128::from(agents) * 100 * sd, 1), (100 * sd - sn, 1));
                u64::try_from(scheduled)
                    .ok()
                    .filter(|&n| n <= MAX_AGENTS)
                    .ok_or_else(|| too_many_agents(&format!("shrinkage {s}%"), scheduled))?
            }
            None => agents,
        };
        Ok(StaffingResult {
            traffic_erlangs: traffic,
            agents,
            scheduled,
            service_level,
            asa_s: p_wait * aht / (n - traffic),
            occupancy: traffic / n,
            p_wait,
            leads: self.agents_per_lead.map(|per| scheduled.div_ceil(per)),
        })
    }
}

/// A percentage as a ratio of 1: `85%` → 85/100.
fn occupancy_ratio(percent: Decimal) -> (u128, u128) {
    let (n, d) = percent.ratio();
    (n, 100 * d)
}

#[cfg(test)]
mod tests;
