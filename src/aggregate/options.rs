//! What the aggregator groups by, and how.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::dimensions::Dimension;
use crate::error::{Error, ErrorKind};
use crate::kpi::{Favorable, SurveyKpis};
use crate::sla::SlaPolicy;
use crate::survey::Scales;
use crate::time::{Bucket, TimeZone};

/// How an [`Aggregator`](crate::Aggregator) groups and cuts its input.
/// Two states merge only when their options are equal.
///
/// Each option is read by `x()` and set by `with_x(value)`; setters that
/// can refuse a value return a `Result`.
///
/// ```
/// use cxmetrics::aggregate::Dimension;
/// use cxmetrics::time::{Bucket, TimeZone};
/// use cxmetrics::AggregateOptions;
/// let options = AggregateOptions::new()
///     .with_group_by(&[Dimension::Agent, Dimension::Channel])?
///     .with_bucket(Bucket::Week)
///     .with_timezone(TimeZone::new("Europe/Berlin")?);
/// assert_eq!(options.group_by(), [Dimension::Agent, Dimension::Channel]);
/// assert_eq!(options.timezone().name(), "Europe/Berlin");
/// assert!(AggregateOptions::new().with_group_by(&[Dimension::Team, Dimension::Team]).is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateOptions {
    group_by: Vec<Dimension>,
    bucket: Bucket,
    timezone: TimeZone,
    as_of: Option<DateTime<Utc>>,
    scales: Scales,
    csat_rule: Favorable,
    ces_rule: Favorable,
    idle_horizon: Option<std::time::Duration>,
    calendar: Option<Calendar>,
    sla: Option<SlaPolicy>,
}

impl Default for AggregateOptions {
    fn default() -> Self {
        AggregateOptions {
            group_by: Vec::new(),
            bucket: Bucket::None,
            timezone: TimeZone::default(),
            as_of: None,
            scales: Scales::default(),
            csat_rule: Favorable::TopTwoBox,
            ces_rule: Favorable::AboveMidpoint,
            idle_horizon: None,
            calendar: None,
            sla: None,
        }
    }
}

impl AggregateOptions {
    /// The defaults: no grouping, no bucket, UTC, `as_of` the latest
    /// accepted instant, CSAT 1..=5 top-two-box, CES 1..=7 above the
    /// midpoint.
    pub fn new() -> Self {
        AggregateOptions::default()
    }

    /// Groups by these dimensions, in this order.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::RepeatedDimension`] when one is named twice.
    pub fn with_group_by(mut self, dimensions: &[Dimension]) -> Result<Self, Error> {
        for (i, d) in dimensions.iter().enumerate() {
            if dimensions[..i].contains(d) {
                return ErrorKind::RepeatedDimension(d.as_str().to_owned()).err();
            }
        }
        self.group_by = dimensions.to_vec();
        Ok(self)
    }

    /// Buckets by time, in the options' time zone.
    pub fn with_bucket(mut self, bucket: Bucket) -> Self {
        self.bucket = bucket;
        self
    }

    /// The time zone of the buckets (and of staffing hours).
    pub fn with_timezone(mut self, zone: TimeZone) -> Self {
        self.timezone = zone;
        self
    }

    /// A fixed report instant: records after it are left out.
    pub fn with_as_of(mut self, as_of: DateTime<Utc>) -> Self {
        self.as_of = Some(as_of);
        self
    }

    /// The CSAT and CES scales.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRule`] when a favorable rule set before does
    /// not fit the new scale.
    pub fn with_scales(mut self, scales: Scales) -> Result<Self, Error> {
        self.csat_rule.points(scales.csat)?;
        self.ces_rule.points(scales.ces)?;
        self.scales = scales;
        Ok(self)
    }

    /// Which CSAT scores count as satisfied (top two box by default).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRule`] when the rule selects no point or every
    /// point of the CSAT scale.
    pub fn with_csat_rule(mut self, rule: Favorable) -> Result<Self, Error> {
        rule.points(self.scales.csat)?;
        self.csat_rule = rule;
        Ok(self)
    }

    /// Which CES scores count as easy (above the midpoint by default).
    ///
    /// # Errors
    ///
    /// As [`with_csat_rule`](Self::with_csat_rule), for the CES scale.
    pub fn with_ces_rule(mut self, rule: Favorable) -> Result<Self, Error> {
        rule.points(self.scales.ces)?;
        self.ces_rule = rule;
        Ok(self)
    }

    /// Streaming mode: tickets without events for `idle` (by event time:
    /// `idle` before the latest accepted instant) are derived, added to
    /// their groups' results, and their events freed.
    ///
    /// For unbounded streams, whose state would otherwise grow without
    /// end. The trade-off: a closed ticket's metrics are final, so an event
    /// that arrives for it later is counted as `late` in the input counts
    /// and not used (never silently dropped); and a state that has closed
    /// tickets cannot be merged exactly, so [`merge`] refuses it. Ids are
    /// still kept, to deduplicate.
    ///
    /// [`merge`]: crate::Aggregator::merge
    pub fn with_idle_horizon(mut self, idle: std::time::Duration) -> Self {
        self.idle_horizon = Some(idle);
        self
    }

    /// Business hours: each ticket's first response, reply waits and
    /// resolutions are also measured in business time (the report's
    /// `*_business_s` distributions).
    pub fn with_calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// SLA targets: each group gains SLA attainment (measured, met,
    /// breached, rate) for the spans the policy targets. Set the calendar
    /// first when the policy is in business hours.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SlaNeedsCalendar`].
    pub fn with_sla(mut self, policy: SlaPolicy) -> Result<Self, Error> {
        policy.check(self.calendar.as_ref())?;
        self.sla = Some(policy);
        Ok(self)
    }

    /// The grouping dimensions, in order.
    pub fn group_by(&self) -> &[Dimension] {
        &self.group_by
    }

    /// The time bucket.
    pub fn bucket(&self) -> Bucket {
        self.bucket
    }

    /// The time zone.
    pub fn timezone(&self) -> &TimeZone {
        &self.timezone
    }

    /// The fixed report instant, if one was set.
    pub fn as_of(&self) -> Option<DateTime<Utc>> {
        self.as_of
    }

    /// The CSAT and CES scales.
    pub fn scales(&self) -> Scales {
        self.scales
    }

    /// The rule of satisfied CSAT scores.
    pub fn csat_rule(&self) -> Favorable {
        self.csat_rule
    }

    /// The rule of easy CES scores.
    pub fn ces_rule(&self) -> Favorable {
        self.ces_rule
    }

    /// The idle horizon of streaming mode, if set.
    pub fn idle_horizon(&self) -> Option<std::time::Duration> {
        self.idle_horizon
    }

    /// The business-hours calendar, if set.
    pub fn calendar(&self) -> Option<&Calendar> {
        self.calendar.as_ref()
    }

    /// The SLA policy, if set.
    pub fn sla(&self) -> Option<&SlaPolicy> {
        self.sla.as_ref()
    }

    /// What the groups of a report made with these options can hold, for
    /// checking [`Targets`](crate::report::Targets).
    pub fn layout(&self) -> crate::report::Layout<'_> {
        crate::report::Layout {
            calendar: self.calendar.is_some(),
            sla: self.sla.as_ref(),
        }
    }

    /// Empty survey accumulators on these scales with these rules.
    pub(crate) fn survey_kpis(&self) -> SurveyKpis {
        SurveyKpis::with_rules(self.scales, self.csat_rule, self.ces_rule)
            .unwrap_or_else(|_| SurveyKpis::new(self.scales))
    }

    /// The first option in which `self` and `other` differ, for the error
    /// of a refused merge.
    pub(crate) fn difference(&self, other: &AggregateOptions) -> Option<String> {
        let list = |d: &[Dimension]| d.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",");
        let show = |t: Option<DateTime<Utc>>| t.map_or("none".to_owned(), |t| t.to_rfc3339());
        let duration = |d: Option<std::time::Duration>| {
            d.map_or("none".to_owned(), |d| format!("{}s", d.as_secs_f64()))
        };
        let (a, b) = (self, other);
        Some(if a.group_by != b.group_by {
            format!(
                "group by {:?} vs {:?}",
                list(&a.group_by),
                list(&b.group_by)
            )
        } else if a.bucket != b.bucket {
            format!("bucket {} vs {}", a.bucket, b.bucket)
        } else if a.timezone != b.timezone {
            format!("time zone {} vs {}", a.timezone.name(), b.timezone.name())
        } else if a.as_of != b.as_of {
            format!("as_of {} vs {}", show(a.as_of), show(b.as_of))
        } else if a.scales != b.scales {
            let s = |o: &AggregateOptions| format!("csat {} ces {}", o.scales.csat, o.scales.ces);
            format!("scales {} vs {}", s(a), s(b))
        } else if a.csat_rule != b.csat_rule {
            format!("csat rule {} vs {}", a.csat_rule, b.csat_rule)
        } else if a.ces_rule != b.ces_rule {
            format!("ces rule {} vs {}", a.ces_rule, b.ces_rule)
        } else if a.idle_horizon != b.idle_horizon {
            format!(
                "idle horizon {} vs {}",
                duration(a.idle_horizon),
                duration(b.idle_horizon)
            )
        } else if a.calendar != b.calendar {
            let zone = |o: &AggregateOptions| {
                o.calendar
                    .as_ref()
                    .map_or("none".to_owned(), |c| format!("in {}", c.zone().name()))
            };
            format!(
                "calendar {} vs {} (hours, holidays or zone)",
                zone(a),
                zone(b)
            )
        } else if a.sla != b.sla {
            "sla policies differ".to_owned()
        } else {
            return None;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refused merge names the option that differs, whichever it is.
    #[test]
    fn differences_are_named() {
        let base = AggregateOptions::new();
        let idle = base
            .clone()
            .with_idle_horizon(std::time::Duration::from_secs(60));
        assert_eq!(base.difference(&idle).unwrap(), "idle horizon none vs 60s");
        let calendar = base
            .clone()
            .with_calendar(Calendar::always_open("Europe/Berlin").unwrap());
        assert_eq!(
            base.difference(&calendar).unwrap(),
            "calendar none vs in Europe/Berlin (hours, holidays or zone)"
        );
        let sla = base
            .clone()
            .with_sla(SlaPolicy::new(crate::sla::SlaTargets::default()))
            .unwrap();
        assert_eq!(base.difference(&sla).unwrap(), "sla policies differ");
        let rule = base.clone().with_csat_rule(Favorable::TopBox(1)).unwrap();
        assert_eq!(
            base.difference(&rule).unwrap(),
            "csat rule top-two-box vs top-1-box"
        );
        assert_eq!(base.difference(&base.clone()), None);
    }

    /// Favorable rules are checked against the scales, whichever is set first.
    #[test]
    fn rules_fit_the_scales() {
        let two_point = Scales {
            csat: crate::survey::Scale::new(1, 2).unwrap(),
            ces: crate::survey::Scale::CES,
        };
        let top_two = AggregateOptions::new()
            .with_csat_rule(Favorable::TopBox(2))
            .unwrap();
        assert!(top_two.with_scales(two_point).is_err());
        assert!(AggregateOptions::new()
            .with_scales(two_point)
            .unwrap()
            .with_csat_rule(Favorable::TopBox(2))
            .is_err());
    }

    /// The aggregator counts satisfied responses by the options' rule.
    #[test]
    fn the_report_follows_the_rules() {
        use crate::survey::{ResponseId, SurveyMetric, SurveyResponse, SurveyScore};
        let at = crate::time::parse_timestamp("2026-03-02T09:00:00Z").unwrap();
        let satisfied = |options: AggregateOptions| {
            let mut aggregator = crate::Aggregator::new(options);
            for (i, value) in [5, 4, 4, 2].into_iter().enumerate() {
                let score = SurveyScore::new(SurveyMetric::Csat, value, Scales::default()).unwrap();
                let id = ResponseId::new(format!("r{i}")).unwrap();
                aggregator
                    .add_response(&SurveyResponse::new(id, score, at))
                    .unwrap();
            }
            aggregator.report().groups[0]
                .surveys
                .csat
                .unwrap()
                .favorable
        };
        assert_eq!(satisfied(AggregateOptions::new()), 3);
        let top_box = AggregateOptions::new()
            .with_csat_rule(Favorable::TopBox(1))
            .unwrap();
        assert_eq!(satisfied(top_box), 1);
    }
}
