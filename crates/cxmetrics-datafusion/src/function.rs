//! The aggregate functions as DataFusion sees them: names, argument types,
//! result types, and their accumulators made from the plan's literals.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use cxmetrics::survey::{Scale, SurveyMetric};
use cxmetrics::time::parse_timestamp;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{plan_datafusion_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, ColumnarValue, GroupsAccumulator, Signature, Volatility,
};

use crate::durations::{self, DurationPart};
use crate::partial::{Groups, One, Partial};
use crate::surveys::{self, NpsPart, RatedPart, RatedSetup};
use crate::tickets::{self, TicketPart, TicketSetup};
use crate::Config;

/// The five functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Nps,
    Csat,
    Ces,
    Durations,
    Tickets,
}

impl Kind {
    pub(crate) const ALL: [Kind; 5] = [
        Kind::Nps,
        Kind::Csat,
        Kind::Ces,
        Kind::Durations,
        Kind::Tickets,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Nps => "nps",
            Kind::Csat => "csat",
            Kind::Ces => "ces",
            Kind::Durations => "duration_stats",
            Kind::Tickets => "ticket_metrics",
        }
    }
}

/// One of the functions with the configuration it was registered with.
#[derive(Debug)]
pub(crate) struct Function {
    kind: Kind,
    signature: Signature,
    config: Arc<Config>,
}

impl Function {
    pub(crate) fn new(kind: Kind, config: Arc<Config>) -> Self {
        Function {
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
            config,
        }
    }

    fn accumulators<P: Partial>(setup: P::Setup) -> (One<P>, Groups<P>) {
        (One::new(setup.clone()), Groups::new(setup))
    }

    /// Both accumulators of this function for a plan's arguments.
    fn make(
        &self,
        args: &AccumulatorArgs,
    ) -> Result<(Box<dyn Accumulator>, Box<dyn GroupsAccumulator>)> {
        fn boxed<P: Partial>(
            (one, groups): (One<P>, Groups<P>),
        ) -> (Box<dyn Accumulator>, Box<dyn GroupsAccumulator>) {
            (Box::new(one), Box::new(groups))
        }
        let config = &self.config;
        Ok(match self.kind {
            Kind::Nps => boxed(Self::accumulators::<NpsPart>(config.summary)),
            Kind::Csat | Kind::Ces => boxed(Self::accumulators::<RatedPart>(self.rated(args)?)),
            Kind::Durations => boxed(Self::accumulators::<DurationPart>(())),
            Kind::Tickets => boxed(Self::accumulators::<TicketPart>(TicketSetup {
                as_of: self.as_of(args)?,
                calendar: config.calendar.clone().map(Arc::new),
                sla: config.sla.clone().map(Arc::new),
            })),
        })
    }

    /// The scale (the registered one, or the literals `min`, `max`) and
    /// rule of a CSAT or CES call.
    fn rated(&self, args: &AccumulatorArgs) -> Result<RatedSetup> {
        let (metric, scale, rule) = match self.kind {
            Kind::Ces => (
                SurveyMetric::Ces,
                self.config.scales.ces,
                self.config.ces_rule,
            ),
            _ => (
                SurveyMetric::Csat,
                self.config.scales.csat,
                self.config.csat_rule,
            ),
        };
        let scale = match args.exprs.len() {
            3 => {
                let bound = |i: usize| match literal(self.kind.name(), args, i)? {
                    ScalarValue::Int64(Some(v)) => Ok(v),
                    other => plan_err!(
                        "{}: scale bounds are integers, not {other}",
                        self.kind.name()
                    ),
                };
                Scale::new(bound(1)?, bound(2)?)
                    .map_err(|e| plan_datafusion_err!("{}: {e}", self.kind.name()))?
            }
            _ => scale,
        };
        RatedSetup {
            metric,
            scale,
            rule,
            options: self.config.summary,
        }
        .check()
    }

    /// `ticket_metrics`' optional `as_of`, a timestamp or its text.
    fn as_of(&self, args: &AccumulatorArgs) -> Result<Option<DateTime<Utc>>> {
        if args.exprs.len() < 9 {
            return Ok(None);
        }
        let nanos = |n: Option<i64>, per: i64| {
            n.map(|n| DateTime::<Utc>::from_timestamp_nanos(n.saturating_mul(per)))
        };
        match literal("ticket_metrics", args, 8)? {
            ScalarValue::Utf8(Some(t))
            | ScalarValue::LargeUtf8(Some(t))
            | ScalarValue::Utf8View(Some(t)) => parse_timestamp(&t)
                .map(|t| Some(t.to_utc()))
                .map_err(|e| plan_datafusion_err!("ticket_metrics: as_of: {e}")),
            ScalarValue::TimestampNanosecond(n, _) => Ok(nanos(n, 1)),
            ScalarValue::TimestampMicrosecond(n, _) => Ok(nanos(n, 1_000)),
            ScalarValue::TimestampMillisecond(n, _) => Ok(nanos(n, 1_000_000)),
            ScalarValue::TimestampSecond(n, _) => Ok(nanos(n, 1_000_000_000)),
            other => plan_err!("ticket_metrics: as_of is a timestamp, not {other}"),
        }
    }
}

/// Argument `i` of a call, which must be constant: evaluated once, on no
/// rows.
fn literal(function: &str, args: &AccumulatorArgs, i: usize) -> Result<ScalarValue> {
    let expr = args
        .exprs
        .get(i)
        .ok_or_else(|| plan_datafusion_err!("{function}: argument {} is missing", i + 1))?;
    match expr.evaluate(&RecordBatch::new_empty(Arc::new(args.schema.clone())))? {
        ColumnarValue::Scalar(value) => Ok(value),
        ColumnarValue::Array(_) => plan_err!("{function}: argument {} must be a literal", i + 1),
    }
}

impl PartialEq for Function {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.config.key() == other.config.key()
    }
}

impl Eq for Function {}

impl Hash for Function {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.config.key().hash(state);
    }
}

impl AggregateUDFImpl for Function {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match self.kind {
            Kind::Nps => surveys::coerce("nps", types, false),
            Kind::Csat => surveys::coerce("csat", types, true),
            Kind::Ces => surveys::coerce("ces", types, true),
            Kind::Durations => durations::coerce(types),
            Kind::Tickets => tickets::coerce(types),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::Nps => surveys::nps_type(),
            Kind::Csat => surveys::rated_type("satisfied"),
            Kind::Ces => surveys::rated_type("easy"),
            Kind::Durations => durations::return_type(),
            Kind::Tickets => {
                tickets::return_type(self.config.calendar.is_some(), self.config.sla.is_some())
            }
        })
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(self.make(&args)?.0)
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let name = format!("{}[cxmetrics state]", args.name);
        Ok(vec![Arc::new(Field::new(name, DataType::Binary, true))])
    }

    fn groups_accumulator_supported(&self, _: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(self.make(&args)?.1)
    }
}
