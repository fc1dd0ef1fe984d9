//! KPI targets per group (definitions, "Targets").

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::report::{GroupReport, Report};
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

/// The distributions of the tickets section, and their business twins.
const DISTRIBUTIONS: [&str; 5] = [
    "first_response_s",
    "reply_s",
    "first_resolution_s",
    "full_resolution_s",
    "handle_s",
];
const BUSINESS: [&str; 4] = [
    "first_response_business_s",
    "reply_business_s",
    "first_resolution_business_s",
    "full_resolution_business_s",
];

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

fn is_number_path(path: &[&str], layout: Layout<'_>) -> bool {
    let calendar = layout.calendar;
    let sla = |key: &str| {
        layout.sla.is_some_and(|p| {
            let t = p.targets(None);
            let any = |f: fn(&crate::sla::SlaTargets) -> bool| f(&t) || p.channel_targets().any(f);
            match key {
                "first_response" => any(|t| t.first_response.is_some()),
                "reply" => any(|t| t.reply.is_some()),
                "resolution" => any(|t| t.resolution.is_some()),
                _ => false,
            }
        })
    };
    match path {
        ["nps", f] => ["responses", "promoters", "passives", "detractors", "score"].contains(f),
        ["csat", f] => ["responses", "satisfied", "score", "mean"].contains(f),
        ["ces", f] => ["responses", "easy", "score", "mean"].contains(f),
        ["tickets", f] => [
            "created",
            "answered",
            "resolved",
            "reopened",
            "one_touch",
            "handled",
            "resolution_rate",
            "one_touch_rate",
            "reopen_rate",
        ]
        .contains(f),
        ["tickets", d, s] => {
            ["mean", "p50", "p90"].contains(s)
                && (DISTRIBUTIONS.contains(d) || (calendar && BUSINESS.contains(d)))
        }
        ["sla", key, f] => ["measured", "met", "breached", "rate"].contains(f) && sla(key),
        _ => false,
    }
}

impl Targets {
    /// Checks each target's path against the report's schema under
    /// `layout` (from [`AggregateOptions::layout`](crate::AggregateOptions::layout)): a path to a number of a group, whether or not a group
    /// has data there (`nps.score`), but not to an object or a list, to a
    /// business twin without a calendar, or to `sla.<key>` for a target
    /// the SLA policy does not define anywhere.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidTarget`] naming the path.
    pub fn new(targets: Vec<Target>, layout: Layout<'_>) -> Result<Targets, Error> {
        for t in &targets {
            let path: Vec<&str> = t.metric.split('.').collect();
            let problem = if !is_number_path(&path, layout) {
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

impl GroupReport {
    /// The number at a dotted path of the group (`tickets.reply_s.p90`),
    /// if the group has one there.
    pub fn value(&self, path: &str) -> Option<f64> {
        let parts: Vec<&str> = path.split('.').collect();
        let s = &self.surveys;
        let t = self.tickets.as_ref();
        let dist = |d: Option<crate::kpi::DistributionSummary>, stat: &str| {
            d.and_then(|d| match stat {
                "mean" => Some(d.mean),
                "p50" => Some(d.p50),
                "p90" => Some(d.p90),
                _ => None,
            })
        };
        match parts.as_slice() {
            ["nps", f] => s.nps.and_then(|n| match *f {
                "responses" => Some(n.responses as f64),
                "promoters" => Some(n.promoters as f64),
                "passives" => Some(n.passives as f64),
                "detractors" => Some(n.detractors as f64),
                "score" => Some(n.score),
                _ => None,
            }),
            [section @ ("csat" | "ces"), f] => {
                let summary = if *section == "csat" { s.csat } else { s.ces };
                summary.and_then(|c| match *f {
                    "responses" => Some(c.responses as f64),
                    "satisfied" | "easy" => Some(c.favorable as f64),
                    "score" => Some(c.score),
                    "mean" => Some(c.mean),
                    _ => None,
                })
            }
            ["tickets", f] => t.and_then(|t| match *f {
                "created" => Some(t.created as f64),
                "answered" => Some(t.answered as f64),
                "resolved" => Some(t.resolved as f64),
                "reopened" => Some(t.reopened as f64),
                "one_touch" => Some(t.one_touch as f64),
                "handled" => Some(t.handled as f64),
                "resolution_rate" => t.resolution_rate,
                "one_touch_rate" => t.one_touch_rate,
                "reopen_rate" => t.reopen_rate,
                _ => None,
            }),
            ["tickets", d, stat] => t.and_then(|t| {
                let b = t.business;
                let summary = match *d {
                    "first_response_s" => t.first_response,
                    "reply_s" => t.reply,
                    "first_resolution_s" => t.first_resolution,
                    "full_resolution_s" => t.full_resolution,
                    "handle_s" => t.handle,
                    "first_response_business_s" => b.and_then(|b| b.first_response),
                    "reply_business_s" => b.and_then(|b| b.reply),
                    "first_resolution_business_s" => b.and_then(|b| b.first_resolution),
                    "full_resolution_business_s" => b.and_then(|b| b.full_resolution),
                    _ => None,
                };
                dist(summary, stat)
            }),
            ["sla", key, f] => t.and_then(|t| t.sla).and_then(|sla| {
                let count = match *key {
                    "first_response" => sla.first_response,
                    "reply" => sla.reply,
                    "resolution" => sla.resolution,
                    _ => None,
                }?;
                match *f {
                    "measured" => Some(count.measured as f64),
                    "met" => Some(count.met as f64),
                    "breached" => Some(count.breached() as f64),
                    "rate" => count.rate(),
                    _ => None,
                }
            }),
            _ => None,
        }
    }
}
