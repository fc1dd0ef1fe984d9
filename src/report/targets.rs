//! KPI targets per group (definitions, "Targets").

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::report::Report;
use crate::sla::SlaPolicy;

/// A bound on a number of a group: `metric` is its dotted path in the
/// report (`csat.score`, `tickets.first_response_s.p90`), `min` and `max`
/// inclusive bounds (at least one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The dotted path.
    pub metric: String,
    /// The lowest value that meets the target.
    pub min: Option<f64>,
    /// The highest value that meets the target.
    pub max: Option<f64>,
}

/// Targets checked against the report's schema under its options.
///
/// ```
/// use cxmetrics::{AggregateOptions, report::{Target, Targets}};
/// let options = AggregateOptions::new();
/// let targets = Targets::new(vec![Target { metric: "nps.score".into(), min: Some(30.0), max: None }], options.layout())?;
/// assert_eq!(targets.len(), 1);
/// let err = Targets::new(vec![Target { metric: "nps.ci95".into(), min: Some(0.0), max: None }], options.layout()).unwrap_err();
/// assert_eq!(err.to_string(), "invalid target nps.ci95: not a number of a group");
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Targets(Vec<Target>);

/// What a report's groups can hold beyond the fixed sections: business
/// twins with a calendar, SLA spans with a policy. Made from options by
/// [`AggregateOptions::layout`](crate::AggregateOptions::layout).
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout<'a> {
    /// Whether the tickets section has business-time twins.
    pub calendar: bool,
    /// The SLA policy, if any.
    pub sla: Option<&'a SlaPolicy>,
}

impl Targets {
    /// Checks each target's path against the report's schema under
    /// `layout` (from [`AggregateOptions::layout`](crate::AggregateOptions::layout)):
    /// a path to a number of a group, whether or not a group
    /// has data there (`nps.score`), but not to an object or a list, to a
    /// business twin without a calendar, or to `sla.<key>` for a target
    /// the SLA policy does not define anywhere.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidTarget`] naming the path.
    pub fn new(targets: Vec<Target>, layout: Layout<'_>) -> Result<Targets, Error> {
        let columns = super::schema::Columns::of_layout(layout);
        for t in &targets {
            let problem = if !super::schema::is_number_path(&t.metric, columns) {
                Some("not a number of a group")
            } else if t.min.is_none() && t.max.is_none() {
                Some("needs min, max or both")
            } else {
                None
            };
            if let Some(problem) = problem {
                return ErrorKind::InvalidTarget {
                    metric: t.metric.clone(),
                    problem: problem.to_owned(),
                }
                .err();
            }
        }
        Ok(Targets(targets))
    }

    /// How many targets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds to every group of `report` the list of its targets, in order,
    /// with the group's value and whether it meets them.
    pub fn apply(&self, report: &mut Report) {
        for group in &mut report.groups {
            let results = self
                .0
                .iter()
                .map(|t| {
                    let value = group.value(&t.metric);
                    let met =
                        value.map(|v| t.min.is_none_or(|m| v >= m) && t.max.is_none_or(|m| v <= m));
                    TargetResult {
                        metric: t.metric.clone(),
                        value,
                        min: t.min,
                        max: t.max,
                        met,
                    }
                })
                .collect();
            group.targets = Some(results);
        }
    }
}

/// A target checked in one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// The dotted path.
    pub metric: String,
    /// The group's value; `None` where it has none.
    pub value: Option<f64>,
    /// The lower bound, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The upper bound, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Whether the value is within the bounds; `None` without a value.
    pub met: Option<bool>,
}
