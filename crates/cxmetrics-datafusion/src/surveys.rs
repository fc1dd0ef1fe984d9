//! `nps(score)`, `csat(score [, min, max])`, `ces(score [, min, max])`.

use cxmetrics::kpi::{
    Ces, Csat, Favorable, Interval, Nps, NpsSummary, ScaleSummary, SummaryOptions,
};
use cxmetrics::survey::{NpsScore, Scale, Scales, SurveyMetric, SurveyScore};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Fields};
use datafusion::common::{exec_datafusion_err, plan_err, Result};

use crate::columns::{ci, count, counts, float, floats, structure};
use crate::partial::{corrupt, postcard_bytes, Partial};

/// A batch's scores: integers, or text of the CSV form (`05`, `+9`).
pub(crate) enum Scores {
    Integers(Int64Array),
    Texts(StringArray),
}

/// A score as it came.
enum Written<'a> {
    Integer(i64),
    Text(&'a str),
}

impl Scores {
    pub(crate) fn of(function: &str, values: &[ArrayRef]) -> Result<Scores> {
        let Some(array) = values.first() else {
            return plan_err!("{function}: needs a score");
        };
        Ok(match array.data_type() {
            t if t.is_integer() || *t == DataType::Null => {
                Scores::Integers(cast(array, &DataType::Int64)?.as_primitive().clone())
            }
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                Scores::Texts(cast(array, &DataType::Utf8)?.as_string::<i32>().clone())
            }
            other => {
                return plan_err!("{function}: a score is an integer or a string, not {other}")
            }
        })
    }

    fn get(&self, row: usize) -> Option<Written<'_>> {
        match self {
            Scores::Integers(a) => a.is_valid(row).then(|| Written::Integer(a.value(row))),
            Scores::Texts(a) => a.is_valid(row).then(|| Written::Text(a.value(row))),
        }
    }
}

/// The argument types a survey function takes: an integer or text score,
/// then integer scale bounds.
pub(crate) fn coerce(function: &str, types: &[DataType], bounds: bool) -> Result<Vec<DataType>> {
    let most = if bounds { 3 } else { 1 };
    if types.is_empty() || types.len() > most || types.len() == 2 {
        return match bounds {
            true => {
                plan_err!("{function}: expected {function}(score) or {function}(score, min, max)")
            }
            false => plan_err!("{function}: expected {function}(score)"),
        };
    }
    let score = match &types[0] {
        t if t.is_integer() || *t == DataType::Null => DataType::Int64,
        t @ (DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => t.clone(),
        other => return plan_err!("{function}: a score is an integer or a string, not {other}"),
    };
    let mut coerced = vec![score];
    for t in &types[1..] {
        if !t.is_integer() {
            return plan_err!("{function}: scale bounds are integer literals, not {t}");
        }
        coerced.push(DataType::Int64);
    }
    Ok(coerced)
}

pub(crate) fn nps_type() -> DataType {
    DataType::Struct(Fields::from(vec![
        float("score"),
        count("responses"),
        count("promoters"),
        count("passives"),
        count("detractors"),
        float("ci_low"),
        float("ci_high"),
    ]))
}

/// `satisfied` for CSAT, `easy` for CES.
pub(crate) fn rated_type(favorable: &str) -> DataType {
    DataType::Struct(Fields::from(vec![
        float("score"),
        count("responses"),
        count(favorable),
        float("mean"),
        float("ci_low"),
        float("ci_high"),
    ]))
}

/// `nps(score)`: scores 0–10, nulls skipped.
#[derive(Debug, Clone, Default)]
pub(crate) struct NpsPart(Nps);

impl Partial for NpsPart {
    type Setup = SummaryOptions;
    type Input = Scores;

    fn empty(_: &SummaryOptions) -> Self {
        NpsPart::default()
    }

    fn input(_: &SummaryOptions, values: &[ArrayRef]) -> Result<Scores> {
        Scores::of("nps", values)
    }

    fn add(&mut self, _: &SummaryOptions, scores: &Scores, row: usize) -> Result<()> {
        let score = match scores.get(row) {
            None => return Ok(()),
            Some(Written::Integer(value)) => NpsScore::new(value),
            Some(Written::Text(text)) => {
                SurveyScore::parse(SurveyMetric::Nps, text, Scales::default())
                    .and_then(|s| NpsScore::new(i64::from(s.value())))
            }
        };
        self.0
            .add(score.map_err(|e| exec_datafusion_err!("nps: {e}"))?);
        Ok(())
    }

    fn merge(&mut self, other: Self) -> Result<()> {
        self.0
            .merge(&other.0)
            .map_err(|e| exec_datafusion_err!("nps: {e}"))
    }

    fn encode(&self) -> Result<Vec<u8>> {
        postcard_bytes("nps", &self.0)
    }

    fn decode(_: &SummaryOptions, bytes: &[u8]) -> Result<Self> {
        postcard::from_bytes(bytes)
            .map(NpsPart)
            .map_err(|e| corrupt("nps", e))
    }

    fn finish(options: &SummaryOptions, parts: &[Self]) -> Result<ArrayRef> {
        let summaries: Vec<Option<NpsSummary>> =
            parts.iter().map(|p| p.0.summary_with(*options)).collect();
        let part_counts =
            |f: fn(&NpsSummary) -> u64| counts(&summaries, |s| s.as_ref().map_or(0, f));
        structure(
            nps_type(),
            vec![
                floats(&summaries, |s| s.as_ref().map(|s| s.score)),
                part_counts(|s| s.responses),
                part_counts(|s| s.promoters),
                part_counts(|s| s.passives),
                part_counts(|s| s.detractors),
                floats(&summaries, |s| ci(s.as_ref().map(|s| s.ci)).0),
                floats(&summaries, |s| ci(s.as_ref().map(|s| s.ci)).1),
            ],
        )
    }

    fn heap_size(&self) -> usize {
        0
    }
}

/// What a CSAT or CES function is fixed to when planned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RatedSetup {
    pub(crate) metric: SurveyMetric,
    pub(crate) scale: Scale,
    pub(crate) rule: Favorable,
    pub(crate) options: SummaryOptions,
}

impl RatedSetup {
    fn name(&self) -> &'static str {
        self.metric.as_str()
    }

    fn scales(&self) -> Scales {
        match self.metric {
            SurveyMetric::Ces => Scales {
                ces: self.scale,
                ..Scales::default()
            },
            _ => Scales {
                csat: self.scale,
                ..Scales::default()
            },
        }
    }

    /// The rule checked against the scale at planning.
    pub(crate) fn check(self) -> Result<Self> {
        self.rule
            .points(self.scale)
            .map_err(|e| exec_datafusion_err!("{}: {e}", self.name()))?;
        Ok(self)
    }
}

/// A CSAT or CES accumulator on the function's scale and rule.
#[derive(Debug, Clone)]
pub(crate) enum RatedPart {
    Csat(Csat),
    Ces(Ces),
}

impl RatedPart {
    fn summary(&self, options: SummaryOptions) -> Option<ScaleSummary> {
        match self {
            RatedPart::Csat(k) => k.summary_with(options),
            RatedPart::Ces(k) => k.summary_with(options),
        }
    }
}

impl Partial for RatedPart {
    type Setup = RatedSetup;
    type Input = Scores;

    fn empty(setup: &RatedSetup) -> Self {
        // The rule was checked against the scale at planning.
        match setup.metric {
            SurveyMetric::Ces => {
                RatedPart::Ces(Ces::with_rule(setup.scale, setup.rule).unwrap_or_default())
            }
            _ => RatedPart::Csat(Csat::with_rule(setup.scale, setup.rule).unwrap_or_default()),
        }
    }

    fn input(setup: &RatedSetup, values: &[ArrayRef]) -> Result<Scores> {
        Scores::of(setup.name(), values)
    }

    fn add(&mut self, setup: &RatedSetup, scores: &Scores, row: usize) -> Result<()> {
        let value = match scores.get(row) {
            None => return Ok(()),
            Some(Written::Integer(value)) => Ok(value),
            Some(Written::Text(text)) => {
                SurveyScore::parse(setup.metric, text, setup.scales()).map(|s| i64::from(s.value()))
            }
        };
        let added = value.and_then(|v| match self {
            RatedPart::Csat(k) => k.add_value(v),
            RatedPart::Ces(k) => k.add_value(v),
        });
        added.map_err(|e| exec_datafusion_err!("{}: {e}", setup.name()))
    }

    fn merge(&mut self, other: Self) -> Result<()> {
        let merged = match (self, &other) {
            (RatedPart::Csat(a), RatedPart::Csat(b)) => a.merge(b),
            (RatedPart::Ces(a), RatedPart::Ces(b)) => a.merge(b),
            _ => return Err(corrupt("csat", "a CES state")),
        };
        merged.map_err(|e| exec_datafusion_err!("{e}"))
    }

    fn encode(&self) -> Result<Vec<u8>> {
        match self {
            RatedPart::Csat(k) => postcard_bytes("csat", k),
            RatedPart::Ces(k) => postcard_bytes("ces", k),
        }
    }

    fn decode(setup: &RatedSetup, bytes: &[u8]) -> Result<Self> {
        let fail = |e| corrupt(setup.name(), e);
        match setup.metric {
            SurveyMetric::Ces => postcard::from_bytes(bytes)
                .map(RatedPart::Ces)
                .map_err(fail),
            _ => postcard::from_bytes(bytes)
                .map(RatedPart::Csat)
                .map_err(fail),
        }
    }

    fn finish(setup: &RatedSetup, parts: &[Self]) -> Result<ArrayRef> {
        let summaries: Vec<Option<ScaleSummary>> =
            parts.iter().map(|p| p.summary(setup.options)).collect();
        // As the report's `ci95`: CSAT's of its score (Wilson), CES's of
        // its mean (Student t, none below two responses).
        let ces = setup.metric == SurveyMetric::Ces;
        let favorable = if ces { "easy" } else { "satisfied" };
        let interval = |s: &Option<ScaleSummary>| -> Option<Interval> {
            let s = s.as_ref()?;
            if ces {
                s.mean_ci
            } else {
                Some(s.score_ci)
            }
        };
        structure(
            rated_type(favorable),
            vec![
                floats(&summaries, |s| s.as_ref().map(|s| s.score)),
                counts(&summaries, |s| s.as_ref().map_or(0, |s| s.responses)),
                counts(&summaries, |s| s.as_ref().map_or(0, |s| s.favorable)),
                floats(&summaries, |s| s.as_ref().map(|s| s.mean)),
                floats(&summaries, |s| ci(interval(s)).0),
                floats(&summaries, |s| ci(interval(s)).1),
            ],
        )
    }

    fn heap_size(&self) -> usize {
        let points = match self {
            RatedPart::Csat(k) => k.scale().points(),
            RatedPart::Ces(k) => k.scale().points(),
        };
        points * 8
    }
}
