//! The fields of a group's report, each named once: the JSON sections,
//! the CSV columns, the paths targets name and the table's figures all
//! come from [`GroupReport::fields`] and the walk behind it.
//!
//! A field's path is its section, then its name, then (inside an object
//! such as a duration distribution) the object's member:
//! `nps.score`, `csat.ci95`, `tickets.reply_s.p90`, `sla.reply.rate`.
//!
//! ```
//! use cxmetrics::report::{Columns, Value};
//! use cxmetrics::survey::{ResponseId, Scales, SurveyMetric, SurveyScore};
//! use cxmetrics::time::parse_timestamp;
//! use cxmetrics::{AggregateOptions, Aggregator, SurveyResponse};
//! let mut aggregator = Aggregator::new(AggregateOptions::new());
//! let score = SurveyScore::new(SurveyMetric::Nps, 10, Scales::default())?;
//! aggregator.add_response(&SurveyResponse::new(ResponseId::new("r1")?, score, parse_timestamp("2026-03-02T09:00:00Z")?))?;
//! let report = aggregator.report();
//! let group = &report.groups[0];
//! let fields = group.fields(Columns::of_group(group));
//! assert_eq!(fields[0].path, "nps.responses");
//! assert_eq!(fields[0].value, Value::Count(Some(1)));
//! assert_eq!(group.field("nps.score"), Some(Value::Number(Some(100.0))));
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::kpi::{DistributionSummary, Interval, SurveySummary, TicketSummary};
use crate::report::{GroupReport, Layout, Report};
use crate::sla::{SlaCount, SlaCounts, SlaTargets};

/// One value of a group's report; `None` where the group has no data for it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// A count of responses, tickets or spans.
    Count(Option<u64>),
    /// A score, rate, mean or duration in seconds.
    Number(Option<f64>),
    /// A 95% confidence interval.
    Interval(Option<Interval>),
}

impl Value {
    /// The value as a number: counts and numbers; `None` for an interval
    /// or a value without data.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Count(n) => n.map(|n| n as f64),
            Value::Number(x) => x,
            Value::Interval(_) => None,
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Count(n) => n.serialize(serializer),
            Value::Number(x) => x.serialize(serializer),
            Value::Interval(i) => i.serialize(serializer),
        }
    }
}

/// A field of a group's report: its path and its value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Field {
    /// Section, name and member joined by `.`: `tickets.reply_s.p90`.
    pub path: String,
    /// The group's value.
    pub value: Value,
}

impl Field {
    /// The field's CSV columns and cells: the path with `_` for `.`, an
    /// interval as two columns `_low` and `_high`; an empty cell where the
    /// group has no data.
    pub fn columns(&self) -> Vec<(String, String)> {
        let name = self.path.replace('.', "_");
        let text = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
        match self.value {
            Value::Count(n) => vec![(name, n.map_or_else(String::new, |n| n.to_string()))],
            Value::Number(x) => vec![(name, text(x))],
            Value::Interval(i) => vec![
                (format!("{name}_low"), text(i.map(|i| i.lower))),
                (format!("{name}_high"), text(i.map(|i| i.upper))),
            ],
        }
    }
}

/// The optional fields a report shows: the business-time twins of the
/// durations (with a calendar) and the SLA spans measured.
///
/// One group's JSON shows what that group has ([`of_group`](Self::of_group));
/// CSV columns show what any group has ([`of_report`](Self::of_report));
/// targets may name what the options can produce ([`of_layout`](Self::of_layout)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Columns {
    /// The `*_business_s` twins of the durations.
    pub business: bool,
    /// The SLA spans: first response, reply, resolution.
    pub sla: [bool; 3],
}

/// The duration distributions of the tickets section, in report order.
const DURATIONS: [&str; 5] = [
    "first_response_s",
    "reply_s",
    "first_resolution_s",
    "full_resolution_s",
    "handle_s",
];

/// Their business-time twins (handling time has none).
const BUSINESS_DURATIONS: [&str; 4] = [
    "first_response_business_s",
    "reply_business_s",
    "first_resolution_business_s",
    "full_resolution_business_s",
];

/// The SLA spans, in report order.
const SPANS: [&str; 3] = ["first_response", "reply", "resolution"];

fn spans(sla: &SlaCounts) -> [Option<SlaCount>; 3] {
    [sla.first_response, sla.reply, sla.resolution]
}

impl Columns {
    /// The optional fields `group` has.
    pub fn of_group(group: &GroupReport) -> Columns {
        let t = group.tickets.as_ref();
        Columns {
            business: t.is_some_and(|t| t.business.is_some()),
            sla: t
                .and_then(|t| t.sla.as_ref())
                .map_or([false; 3], |s| spans(s).map(|c| c.is_some())),
        }
    }

    /// The optional fields any group of `report` has.
    pub fn of_report(report: &Report) -> Columns {
        report
            .groups
            .iter()
            .map(Columns::of_group)
            .fold(Columns::default(), |a, b| Columns {
                business: a.business || b.business,
                sla: [0, 1, 2].map(|i| a.sla[i] || b.sla[i]),
            })
    }

    /// The optional fields a report made with `layout` can have.
    pub fn of_layout(layout: Layout<'_>) -> Columns {
        let sla = layout.sla.map_or([false; 3], |policy| {
            let any = |f: fn(&SlaTargets) -> bool| {
                f(&policy.targets(None)) || policy.channel_targets().any(f)
            };
            [
                any(|t| t.first_response.is_some()),
                any(|t| t.reply.is_some()),
                any(|t| t.resolution.is_some()),
            ]
        });
        Columns {
            business: layout.calendar,
            sla,
        }
    }
}

/// A member of a section: a value, or an object of values (`None` as a
/// whole when the group has no data for it).
enum Node {
    Leaf(Value),
    Object(bool, Vec<(&'static str, Value)>),
}

/// A section of a group's report; `shown` when the group has it.
struct Section {
    name: &'static str,
    shown: bool,
    members: Vec<(&'static str, Node)>,
}

fn count(n: Option<u64>) -> Node {
    Node::Leaf(Value::Count(n))
}

fn number(x: Option<f64>) -> Node {
    Node::Leaf(Value::Number(x))
}

fn distribution(d: Option<DistributionSummary>) -> Node {
    let stat = |f: fn(&DistributionSummary) -> f64| Value::Number(d.as_ref().map(f));
    Node::Object(
        d.is_some(),
        vec![
            ("mean", stat(|d| d.mean)),
            ("p50", stat(|d| d.p50)),
            ("p90", stat(|d| d.p90)),
        ],
    )
}

/// The sections of a group with `surveys` and `tickets`, in report order,
/// with the optional members `columns` asks for.
fn sections(
    surveys: &SurveySummary,
    tickets: Option<&TicketSummary>,
    columns: Columns,
) -> Vec<Section> {
    let nps = surveys.nps;
    let mut all = vec![Section {
        name: "nps",
        shown: nps.is_some(),
        members: vec![
            ("responses", count(nps.map(|s| s.responses))),
            ("promoters", count(nps.map(|s| s.promoters))),
            ("passives", count(nps.map(|s| s.passives))),
            ("detractors", count(nps.map(|s| s.detractors))),
            ("score", number(nps.map(|s| s.score))),
            ("ci95", Node::Leaf(Value::Interval(nps.map(|s| s.ci)))),
        ],
    }];
    let scales = [
        (
            "csat",
            "satisfied",
            surveys.csat,
            surveys.csat.map(|s| s.score_ci),
        ),
        (
            "ces",
            "easy",
            surveys.ces,
            surveys.ces.and_then(|s| s.mean_ci),
        ),
    ];
    for (name, favorable, s, ci) in scales {
        all.push(Section {
            name,
            shown: s.is_some(),
            members: vec![
                ("responses", count(s.map(|s| s.responses))),
                (favorable, count(s.map(|s| s.favorable))),
                ("score", number(s.map(|s| s.score))),
                ("mean", number(s.map(|s| s.mean))),
                ("ci95", Node::Leaf(Value::Interval(ci))),
            ],
        });
    }
    let t = tickets;
    let mut members = vec![
        ("created", count(t.map(|t| t.created))),
        ("answered", count(t.map(|t| t.answered))),
        ("resolved", count(t.map(|t| t.resolved))),
        ("reopened", count(t.map(|t| t.reopened))),
        ("one_touch", count(t.map(|t| t.one_touch))),
        ("handled", count(t.map(|t| t.handled))),
        ("resolution_rate", number(t.and_then(|t| t.resolution_rate))),
        ("one_touch_rate", number(t.and_then(|t| t.one_touch_rate))),
        ("reopen_rate", number(t.and_then(|t| t.reopen_rate))),
    ];
    let durations = t
        .map(|t| {
            [
                t.first_response,
                t.reply,
                t.first_resolution,
                t.full_resolution,
                t.handle,
            ]
        })
        .unwrap_or_default();
    let durations = DURATIONS.into_iter().zip(durations);
    members.extend(durations.map(|(name, d)| (name, distribution(d))));
    if columns.business {
        let twins = t
            .and_then(|t| t.business)
            .map(|b| {
                [
                    b.first_response,
                    b.reply,
                    b.first_resolution,
                    b.full_resolution,
                ]
            })
            .unwrap_or_default();
        let twins = BUSINESS_DURATIONS.into_iter().zip(twins);
        members.extend(twins.map(|(name, d)| (name, distribution(d))));
    }
    all.push(Section {
        name: "tickets",
        shown: t.is_some(),
        members,
    });
    let sla = t.and_then(|t| t.sla);
    let counts = sla.as_ref().map_or([None; 3], spans);
    let members = SPANS
        .into_iter()
        .zip(counts)
        .zip(columns.sla)
        .filter(|&(_, wanted)| wanted)
        .map(|((span, c), _)| {
            let values = vec![
                ("measured", Value::Count(c.map(|c| c.measured))),
                ("met", Value::Count(c.map(|c| c.met))),
                ("breached", Value::Count(c.map(|c| c.breached()))),
                ("rate", Value::Number(c.and_then(|c| c.rate()))),
            ];
            (span, Node::Object(c.is_some(), values))
        })
        .collect();
    all.push(Section {
        name: "sla",
        shown: sla.is_some(),
        members,
    });
    all
}

/// Every field of `sections`, flattened, in order.
fn flatten(sections: Vec<Section>) -> Vec<Field> {
    let mut fields = Vec::new();
    for section in sections {
        for (name, node) in section.members {
            match node {
                Node::Leaf(value) => fields.push(Field {
                    path: format!("{}.{name}", section.name),
                    value,
                }),
                Node::Object(_, values) => {
                    fields.extend(values.into_iter().map(|(m, value)| Field {
                        path: format!("{}.{name}.{m}", section.name),
                        value,
                    }))
                }
            }
        }
    }
    fields
}

/// The value at `path` in `sections`, found by name without building
/// the paths.
fn find(sections: Vec<Section>, path: &str) -> Option<Value> {
    let mut parts = path.splitn(3, '.');
    let (section, name, member) = (parts.next()?, parts.next()?, parts.next());
    let section = sections.into_iter().find(|s| s.name == section)?;
    let (_, node) = section.members.into_iter().find(|&(n, _)| n == name)?;
    match (node, member) {
        (Node::Leaf(value), None) => Some(value),
        (Node::Object(_, values), Some(member)) => values
            .into_iter()
            .find(|&(n, _)| n == member)
            .map(|(_, value)| value),
        _ => None,
    }
}

/// Whether `path` names a number (a count or a number, not an interval)
/// that a report made with `columns` can have.
pub(super) fn is_number_path(path: &str, columns: Columns) -> bool {
    let empty = sections(&SurveySummary::default(), None, columns);
    find(empty, path).is_some_and(|v| !matches!(v, Value::Interval(_)))
}

impl GroupReport {
    /// The group's fields in report order, with the optional fields
    /// `columns` asks for (the values `None` where the group has no data,
    /// whole sections included).
    pub fn fields(&self, columns: Columns) -> Vec<Field> {
        flatten(sections(&self.surveys, self.tickets.as_ref(), columns))
    }

    /// The field at `path` (`tickets.reply_s.p90`); `None` when no report
    /// has such a field.
    pub fn field(&self, path: &str) -> Option<Value> {
        let every = Columns {
            business: true,
            sla: [true; 3],
        };
        find(sections(&self.surveys, self.tickets.as_ref(), every), path)
    }

    /// The number at `path` (`csat.score`, `tickets.reply_s.p90`,
    /// `sla.reply.rate`); `None` when the group has no data for it or
    /// `path` names no number.
    pub fn value(&self, path: &str) -> Option<f64> {
        self.field(path).and_then(|v| v.as_f64())
    }
}

/// The sections of a group as the report's JSON writes them, each a map
/// entry: the sections the group has, with the optional members it has.
pub(super) fn serialize_sections<M: SerializeMap>(
    group: &GroupReport,
    map: &mut M,
) -> Result<(), M::Error> {
    for section in sections(
        &group.surveys,
        group.tickets.as_ref(),
        Columns::of_group(group),
    ) {
        if section.shown {
            map.serialize_entry(section.name, &SectionJson(&section.members))?;
        }
    }
    Ok(())
}

struct SectionJson<'a>(&'a [(&'static str, Node)]);

impl Serialize for SectionJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, node) in self.0 {
            match node {
                Node::Leaf(value) => map.serialize_entry(name, value)?,
                Node::Object(true, values) => map.serialize_entry(name, &ObjectJson(values))?,
                Node::Object(false, _) => map.serialize_entry(name, &None::<()>)?,
            }
        }
        map.end()
    }
}

struct ObjectJson<'a>(&'a [(&'static str, Value)]);

impl Serialize for ObjectJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
