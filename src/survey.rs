//! Survey responses: metrics, scales, validated scores and the response
//! record.
//!
//! ```
//! use cxmetrics::survey::{NpsCategory, NpsScore, Scale, Scales, SurveyMetric, SurveyScore};
//! assert_eq!(NpsScore::new(9)?.category(), NpsCategory::Promoter);
//! assert!(NpsScore::new(11).is_err());
//! let ten_point = Scales { csat: Scale::new(1, 10)?, ..Scales::default() };
//! let score = SurveyScore::parse(SurveyMetric::Csat, "8", ten_point)?;
//! assert_eq!((score.value(), score.scale().max()), (8, 10));
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::id::TicketId;

pub use crate::dimensions::Dimensions;
pub use crate::id::ResponseId;

/// The three survey metrics.
///
/// The discriminants are dense (0, 1, 2) so that accumulators can index
/// per-metric tables by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SurveyMetric {
    /// Net Promoter Score: "How likely are you to recommend us?", 0..=10.
    Nps = 0,
    /// Customer satisfaction: "How satisfied were you?", 1..=5 by default.
    Csat = 1,
    /// Customer effort: "It was easy to handle my request", 1..=7 by default.
    Ces = 2,
}

impl SurveyMetric {
    /// The metric's name as the definitions spell it: `nps`, `csat`, `ces`.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyMetric::Nps => "nps",
            SurveyMetric::Csat => "csat",
            SurveyMetric::Ces => "ces",
        }
    }
}

impl fmt::Display for SurveyMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SurveyMetric {
    type Err = Error;

    /// Parses `nps`, `csat` or `ces` (lower case, exact).
    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "nps" => Ok(SurveyMetric::Nps),
            "csat" => Ok(SurveyMetric::Csat),
            "ces" => Ok(SurveyMetric::Ces),
            _ => ErrorKind::UnknownMetric(text.to_owned()).err(),
        }
    }
}

/// An integer rating scale `min..=max` with `0 <= min < max <= 100`.
///
/// ```
/// use cxmetrics::survey::Scale;
/// let scale: Scale = "1-5".parse()?;
/// assert_eq!(scale, Scale::CSAT);
/// assert_eq!(scale.points(), 5);
/// assert!(Scale::new(5, 1).is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ScaleRepr", into = "ScaleRepr")]
pub struct Scale {
    min: u8,
    max: u8,
}

#[derive(Serialize, Deserialize)]
struct ScaleRepr {
    min: i64,
    max: i64,
}

impl TryFrom<ScaleRepr> for Scale {
    type Error = Error;
    fn try_from(repr: ScaleRepr) -> Result<Self, Error> {
        Scale::new(repr.min, repr.max)
    }
}

impl From<Scale> for ScaleRepr {
    fn from(scale: Scale) -> Self {
        ScaleRepr {
            min: scale.min.into(),
            max: scale.max.into(),
        }
    }
}

impl Scale {
    /// The NPS scale, 0..=10.
    pub const NPS: Scale = Scale { min: 0, max: 10 };
    /// The documented default CSAT scale, 1..=5.
    pub const CSAT: Scale = Scale { min: 1, max: 5 };
    /// The documented default CES scale, 1..=7 (CES 2.0 agreement scale).
    pub const CES: Scale = Scale { min: 1, max: 7 };
    /// The highest point any scale may have.
    pub const LIMIT: u8 = 100;

    /// The scale `min..=max`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidScale`] unless `0 <= min < max <= 100`.
    pub fn new(min: i64, max: i64) -> Result<Scale, Error> {
        if 0 <= min && min < max && max <= i64::from(Self::LIMIT) {
            Ok(Scale {
                min: min as u8,
                max: max as u8,
            })
        } else {
            ErrorKind::InvalidScale { min, max }.err()
        }
    }

    /// The lowest point.
    pub fn min(self) -> u8 {
        self.min
    }

    /// The highest point.
    pub fn max(self) -> u8 {
        self.max
    }

    /// The number of points, `max - min + 1`.
    pub fn points(self) -> usize {
        usize::from(self.max - self.min) + 1
    }

    /// The midpoint `(min + max) / 2`, a half point when the number of
    /// points is even.
    pub fn midpoint(self) -> f64 {
        (f64::from(self.min) + f64::from(self.max)) / 2.0
    }

    /// Whether `value` is a point of the scale.
    pub fn contains(self, value: i64) -> bool {
        i64::from(self.min) <= value && value <= i64::from(self.max)
    }

    /// Validates `value` as a score on this scale.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ScoreOutOfRange`] when `value` is not a point of the scale.
    pub fn score(self, value: i64) -> Result<ScaleScore, Error> {
        self.score_for(None, value)
    }

    pub(crate) fn score_for(
        self,
        metric: Option<SurveyMetric>,
        value: i64,
    ) -> Result<ScaleScore, Error> {
        if self.contains(value) {
            Ok(ScaleScore {
                scale: self,
                value: value as u8,
            })
        } else {
            self.out_of_range(metric, value.to_string())
        }
    }

    fn out_of_range<T>(self, metric: Option<SurveyMetric>, value: String) -> Result<T, Error> {
        ErrorKind::ScoreOutOfRange {
            metric: metric.map(|m| m.as_str().to_owned()),
            value,
            scale: self.range(),
        }
        .err()
    }

    /// The scale's points, `min..=max`.
    pub fn range(self) -> std::ops::RangeInclusive<u8> {
        self.min..=self.max
    }

    /// The error of a score or accumulator on scale `other` met where
    /// this scale was expected.
    pub(crate) fn mismatch(self, metric: SurveyMetric, other: Scale) -> Error {
        ErrorKind::ScaleMismatch {
            metric: metric.as_str().to_owned(),
            left: self.range(),
            right: other.range(),
        }
        .into()
    }
}

impl fmt::Display for Scale {
    /// Writes `min..=max`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.min, self.max)
    }
}

impl FromStr for Scale {
    type Err = Error;

    /// Parses `MIN-MAX` (as in `--csat-scale 1-5`).
    fn from_str(text: &str) -> Result<Self, Error> {
        let syntax = || ErrorKind::ScaleSyntax(text.to_owned());
        let (min, max) = text.split_once('-').ok_or_else(syntax)?;
        let bound = |part: &str| -> Result<i64, Error> {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax().into());
            }
            // More digits than fit are far beyond the limit of 100 anyway.
            Ok(part.parse().unwrap_or(i64::MAX))
        };
        Scale::new(bound(min)?, bound(max)?)
    }
}

/// A valid NPS score, 0..=10.
///
/// ```
/// use cxmetrics::survey::{NpsCategory, NpsScore};
/// assert_eq!(NpsScore::new(9)?.category(), NpsCategory::Promoter);
/// assert_eq!(
///     NpsScore::new(11).unwrap_err().to_string(),
///     "score 11 out of range 0..=10 for nps"
/// );
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct NpsScore(u8);

impl NpsScore {
    /// Validates `value` as an NPS score.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ScoreOutOfRange`] unless `0 <= value <= 10`.
    pub fn new(value: i64) -> Result<NpsScore, Error> {
        Scale::NPS
            .score_for(Some(SurveyMetric::Nps), value)
            .map(|score| NpsScore(score.value))
    }

    /// The score.
    pub fn value(self) -> u8 {
        self.0
    }

    /// Promoter (9–10), passive (7–8) or detractor (0–6), as Reichheld
    /// defined them.
    pub fn category(self) -> NpsCategory {
        match self.0 {
            9.. => NpsCategory::Promoter,
            7..=8 => NpsCategory::Passive,
            _ => NpsCategory::Detractor,
        }
    }
}

impl TryFrom<i64> for NpsScore {
    type Error = Error;
    fn try_from(value: i64) -> Result<Self, Error> {
        NpsScore::new(value)
    }
}

impl From<NpsScore> for u8 {
    fn from(score: NpsScore) -> u8 {
        score.0
    }
}

/// The three NPS respondent groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NpsCategory {
    /// Scores 0–6.
    Detractor,
    /// Scores 7–8.
    Passive,
    /// Scores 9–10.
    Promoter,
}

/// A valid score on a [`Scale`]; it carries its scale, so it cannot be
/// counted on another one by mistake.
///
/// ```
/// use cxmetrics::survey::Scale;
/// let score = Scale::CSAT.score(4)?;
/// assert_eq!((score.value(), score.scale()), (4, Scale::CSAT));
/// assert!(Scale::CSAT.score(6).is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ScaleScoreRepr", into = "ScaleScoreRepr")]
pub struct ScaleScore {
    scale: Scale,
    value: u8,
}

#[derive(Serialize, Deserialize)]
struct ScaleScoreRepr {
    scale: Scale,
    value: i64,
}

impl TryFrom<ScaleScoreRepr> for ScaleScore {
    type Error = Error;
    fn try_from(repr: ScaleScoreRepr) -> Result<Self, Error> {
        repr.scale.score(repr.value)
    }
}

impl From<ScaleScore> for ScaleScoreRepr {
    fn from(score: ScaleScore) -> Self {
        ScaleScoreRepr {
            scale: score.scale,
            value: score.value.into(),
        }
    }
}

impl ScaleScore {
    /// The score.
    pub fn value(self) -> u8 {
        self.value
    }

    /// The scale it was validated on.
    pub fn scale(self) -> Scale {
        self.scale
    }
}

/// The scales of the two metrics whose scale is configurable (NPS is always
/// 0..=10). The default is the documented: CSAT 1..=5, CES 1..=7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scales {
    /// The CSAT scale.
    pub csat: Scale,
    /// The CES scale.
    pub ces: Scale,
}

impl Default for Scales {
    fn default() -> Self {
        Scales {
            csat: Scale::CSAT,
            ces: Scale::CES,
        }
    }
}

impl Scales {
    /// The scale of `metric`.
    pub fn of(self, metric: SurveyMetric) -> Scale {
        match metric {
            SurveyMetric::Nps => Scale::NPS,
            SurveyMetric::Csat => self.csat,
            SurveyMetric::Ces => self.ces,
        }
    }
}

/// A valid score of one of the three metrics, with the scale it was
/// validated on. Four bytes, `Copy`.
///
/// ```
/// use cxmetrics::survey::{Scales, SurveyMetric, SurveyScore};
/// let score = SurveyScore::new(SurveyMetric::Csat, 4, Scales::default())?;
/// assert_eq!((score.metric(), score.value()), (SurveyMetric::Csat, 4));
/// let err = SurveyScore::parse(SurveyMetric::Nps, "11", Scales::default()).unwrap_err();
/// assert_eq!(err.to_string(), "score 11 out of range 0..=10 for nps");
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SurveyScoreRepr", into = "SurveyScoreRepr")]
pub struct SurveyScore {
    metric: SurveyMetric,
    score: ScaleScore,
}

#[derive(Serialize, Deserialize)]
struct SurveyScoreRepr {
    metric: SurveyMetric,
    #[serde(flatten)]
    score: ScaleScore,
}

impl TryFrom<SurveyScoreRepr> for SurveyScore {
    type Error = Error;
    fn try_from(repr: SurveyScoreRepr) -> Result<Self, Error> {
        if repr.metric == SurveyMetric::Nps && repr.score.scale != Scale::NPS {
            return Err(Scale::NPS.mismatch(repr.metric, repr.score.scale));
        }
        Ok(SurveyScore {
            metric: repr.metric,
            score: repr.score,
        })
    }
}

impl From<SurveyScore> for SurveyScoreRepr {
    fn from(score: SurveyScore) -> Self {
        SurveyScoreRepr {
            metric: score.metric,
            score: score.score,
        }
    }
}

impl SurveyScore {
    /// Validates `value` as a score of `metric` on `scales`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ScoreOutOfRange`] naming the value, the scale and the metric.
    pub fn new(metric: SurveyMetric, value: i64, scales: Scales) -> Result<Self, Error> {
        let score = scales.of(metric).score_for(Some(metric), value)?;
        Ok(SurveyScore { metric, score })
    }

    /// Parses the documented integer text (an optional `+` or `-`, then ASCII
    /// digits: `05` is 5; `4.0`, `5e0` and ` 5` are not integers) and
    /// validates it as a score of `metric`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotAnInteger`] or [`ErrorKind::ScoreOutOfRange`].
    pub fn parse(metric: SurveyMetric, text: &str, scales: Scales) -> Result<Self, Error> {
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return ErrorKind::NotAnInteger(text.to_owned()).err();
        }
        match text.parse::<i64>() {
            Ok(value) => SurveyScore::new(metric, value, scales),
            Err(_) => scales
                .of(metric)
                .out_of_range(Some(metric), text.to_owned()),
        }
    }

    /// The metric.
    #[inline]
    pub fn metric(self) -> SurveyMetric {
        self.metric
    }

    /// The score.
    #[inline]
    pub fn value(self) -> u8 {
        self.score.value
    }

    /// The scale the score was validated on.
    #[inline]
    pub fn scale(self) -> Scale {
        self.score.scale
    }

    /// The score with its scale, whatever the metric.
    pub fn scale_score(self) -> ScaleScore {
        self.score
    }

    /// The NPS score, if this is one.
    pub fn nps(self) -> Option<NpsScore> {
        (self.metric == SurveyMetric::Nps).then_some(NpsScore(self.score.value))
    }
}

/// One survey response (definitions, "Records"): who answered what, when,
/// about whom.
///
/// ```
/// use cxmetrics::{SurveyResponse, survey::{ResponseId, Scales, SurveyMetric, SurveyScore}, time::parse_timestamp};
/// let response = SurveyResponse::new(
///     ResponseId::new("r1")?,
///     SurveyScore::new(SurveyMetric::Nps, 9, Scales::default())?,
///     parse_timestamp("2026-03-02T09:00:00Z")?,
/// )
/// .with_agent("ana")
/// .with_channel("email");
/// assert_eq!(response.dimensions().agent(), Some("ana"));
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResponse {
    id: ResponseId,
    score: SurveyScore,
    at: DateTime<FixedOffset>,
    #[serde(default)]
    dimensions: Dimensions,
    #[serde(default)]
    ticket: Option<TicketId>,
}

impl SurveyResponse {
    /// A response without dimensions.
    pub fn new(id: ResponseId, score: SurveyScore, at: DateTime<FixedOffset>) -> Self {
        SurveyResponse {
            id,
            score,
            at,
            dimensions: Dimensions::default(),
            ticket: None,
        }
    }

    /// Sets the agent the response is about; an empty text means absent.
    pub fn with_agent(mut self, agent: impl AsRef<str>) -> Self {
        self.dimensions.set_agent(agent);
        self
    }

    /// Sets the channel; an empty text means absent.
    pub fn with_channel(mut self, channel: impl AsRef<str>) -> Self {
        self.dimensions.set_channel(channel);
        self
    }

    /// Sets the team; an empty text means absent.
    pub fn with_team(mut self, team: impl AsRef<str>) -> Self {
        self.dimensions.set_team(team);
        self
    }

    /// Sets the topic (the kind of request); an empty text means absent.
    pub fn with_topic(mut self, topic: impl AsRef<str>) -> Self {
        self.dimensions.set_topic(topic);
        self
    }

    /// Sets the ticket the response is about.
    pub fn with_ticket(mut self, ticket: TicketId) -> Self {
        self.ticket = Some(ticket);
        self
    }

    /// The response id.
    pub fn id(&self) -> &ResponseId {
        &self.id
    }

    /// The validated score.
    pub fn score(&self) -> SurveyScore {
        self.score
    }

    /// When the response was given, with the offset it was written in.
    pub fn at(&self) -> DateTime<FixedOffset> {
        self.at
    }

    /// Agent, channel, team and topic.
    pub fn dimensions(&self) -> &Dimensions {
        &self.dimensions
    }

    /// The ticket the response is about, if known.
    pub fn ticket(&self) -> Option<&TicketId> {
        self.ticket.as_ref()
    }
}

#[cfg(test)]
mod tests;
