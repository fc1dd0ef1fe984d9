//! What the aggregator groups by, and how.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::dimensions::Dimension;
use crate::error::{Error, ErrorKind};
use crate::survey::Scales;
use crate::time::{Bucket, TimeZone};

/// How an [`Aggregator`](crate::Aggregator) groups and cuts its input
/// (CONTRACT section 4). Two states merge only when their options are
/// equal.
///
/// ```
/// use cxmetrics::{AggregateOptions, aggregate::Dimension, time::Bucket};
/// let options = AggregateOptions::new()
///     .group_by(&[Dimension::Agent, Dimension::Channel])?
///     .bucket(Bucket::Week)
///     .timezone("Europe/Berlin")?;
/// assert_eq!(options.dimensions(), [Dimension::Agent, Dimension::Channel]);
/// assert!(AggregateOptions::new().group_by(&[Dimension::Team, Dimension::Team]).is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateOptions {
    group_by: Vec<Dimension>,
    bucket: Bucket,
    timezone: TimeZone,
    as_of: Option<DateTime<Utc>>,
    scales: Scales,
    #[serde(default)]
    idle_horizon: Option<std::time::Duration>,
    #[serde(default)]
    calendar: Option<crate::calendar::Calendar>,
    #[serde(default)]
    sla: Option<crate::sla::SlaPolicy>,
}

impl AggregateOptions {
    /// The contract's defaults: no grouping, no bucket, UTC, `as_of` the
    /// latest accepted instant, CSAT 1..=5 and CES 1..=7.
    pub fn new() -> Self {
        AggregateOptions::default()
    }

    /// Groups by these dimensions, in this order.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::RepeatedDimension`] when one is named twice.
    pub fn group_by(mut self, dimensions: &[Dimension]) -> Result<Self, Error> {
        for (i, d) in dimensions.iter().enumerate() {
            if dimensions[..i].contains(d) {
                return ErrorKind::RepeatedDimension(d.as_str().to_owned()).err();
            }
        }
        self.group_by = dimensions.to_vec();
        Ok(self)
    }

    /// Buckets by time.
    pub fn bucket(mut self, bucket: Bucket) -> Self {
        self.bucket = bucket;
        self
    }

    /// The time zone of the buckets (and of staffing hours).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownTimeZone`].
    pub fn timezone(mut self, name: &str) -> Result<Self, Error> {
        self.timezone = TimeZone::new(name)?;
        Ok(self)
    }

    /// A fixed report instant: records after it are ignored.
    pub fn as_of(mut self, as_of: DateTime<Utc>) -> Self {
        self.as_of = Some(as_of);
        self
    }

    /// The CSAT and CES scales.
    pub fn scales(mut self, scales: Scales) -> Self {
        self.scales = scales;
        self
    }

    /// Streaming mode, outside the contract: fold tickets without events
    /// for `idle` (by event time: `idle` before the latest accepted
    /// instant) into the group results and free their events.
    ///
    /// For unbounded streams, whose state would otherwise grow without
    /// end. The trade-off: a folded ticket's metrics are final, so an
    /// event that arrives for it later is counted as `late` in the input
    /// counts and not used (never silently dropped); and a state that has
    /// folded tickets cannot be merged exactly, so [`merge`] refuses it.
    /// Ids are still kept, to deduplicate.
    ///
    /// [`merge`]: crate::Aggregator::merge
    pub fn idle_horizon(mut self, idle: std::time::Duration) -> Self {
        self.idle_horizon = Some(idle);
        self
    }

    /// Business hours: each ticket's first response, reply waits and
    /// resolutions are also measured in business time (the report's
    /// `*_business_s` distributions).
    pub fn calendar(mut self, calendar: crate::calendar::Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// The business-hours calendar, if set.
    pub fn business_hours(&self) -> Option<&crate::calendar::Calendar> {
        self.calendar.as_ref()
    }

    /// SLA targets: each group gains SLA attainment (measured, met,
    /// breached, rate) for the spans the policy targets. Set the calendar
    /// first when the policy is in business hours.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SlaNeedsCalendar`].
    pub fn sla(mut self, policy: crate::sla::SlaPolicy) -> Result<Self, Error> {
        policy.check(self.calendar.as_ref())?;
        self.sla = Some(policy);
        Ok(self)
    }

    /// The SLA policy, if set.
    pub fn sla_policy(&self) -> Option<&crate::sla::SlaPolicy> {
        self.sla.as_ref()
    }

    /// The idle horizon of streaming mode, if set.
    pub fn idle(&self) -> Option<std::time::Duration> {
        self.idle_horizon
    }

    /// The grouping dimensions, in order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.group_by
    }

    /// The time bucket.
    pub fn time_bucket(&self) -> Bucket {
        self.bucket
    }

    /// The time zone.
    pub fn zone(&self) -> &TimeZone {
        &self.timezone
    }

    /// The fixed report instant, if one was set.
    pub fn fixed_as_of(&self) -> Option<DateTime<Utc>> {
        self.as_of
    }

    /// The CSAT and CES scales.
    pub fn survey_scales(&self) -> Scales {
        self.scales
    }
}
