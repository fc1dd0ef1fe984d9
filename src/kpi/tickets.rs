//! The ticket KPIs of one group.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::distribution::Distribution;
use crate::calendar::Calendar;
use crate::error::{Error, ErrorKind};
use crate::timeline::{Derived, TicketMetrics};

/// What a valid ticket adds to its group, its reply waits and business
/// time and SLA aside: small and self-contained, so that many tickets can
/// be gathered and then added group by group.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TicketFacts {
    first_response: Option<Duration>,
    first_resolution: Option<Duration>,
    full_resolution: Option<Duration>,
    handle: Option<Duration>,
    resolved: bool,
    reopened: bool,
    one_touch: bool,
}

impl TicketFacts {
    pub(crate) fn of<S>(t: &Derived<S>) -> Self {
        TicketFacts {
            first_response: t.first_agent_reply.map(|at| at.since(t.created)),
            first_resolution: t.first_solved.map(|at| at.since(t.created)),
            full_resolution: t
                .last_solved
                .filter(|_| t.resolved)
                .map(|at| at.since(t.created)),
            handle: t.handle,
            resolved: t.resolved,
            reopened: t.reopens > 0,
            one_touch: t.resolved && t.agent_replies == 1 && t.reopens == 0,
        }
    }
}

/// Counts and duration distributions of a group's valid tickets (definitions,
/// "Ticket metrics"). Bounded memory whatever the number of tickets;
/// merges exactly.
///
/// ```
/// use cxmetrics::{TicketEvent, TicketKpis, Timeline, ticket::{EventId, EventKind, Name, Status, TicketId}, time::parse_timestamp};
/// let mut timeline = Timeline::new();
/// for (id, at, kind) in [
///     ("e1", "2026-03-02T09:00:00Z", EventKind::Created { channel: None, team: None }),
///     ("e2", "2026-03-02T09:30:00Z", EventKind::AgentReply { agent: Name::new("ana")? }),
///     ("e3", "2026-03-02T10:00:00Z", EventKind::Status { status: Status::Solved }),
/// ] {
///     timeline.push(TicketEvent::new(EventId::new(id)?, TicketId::new("T")?, parse_timestamp(at)?, kind))?;
/// }
/// let mut kpis = TicketKpis::new();
/// kpis.add(&timeline.metrics(None)?.expect("one ticket"));
/// let summary = kpis.summary().expect("one ticket");
/// assert_eq!((summary.created, summary.resolved, summary.one_touch), (1, 1, 1));
/// assert_eq!(summary.resolution_rate, Some(100.0));
/// assert_eq!(summary.first_response.map(|d| d.mean), Some(1800.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketKpis {
    created: u64,
    answered: u64,
    resolved: u64,
    reopened: u64,
    resolved_reopened: u64,
    one_touch: u64,
    handled: u64,
    first_response: Distribution,
    reply: Distribution,
    first_resolution: Distribution,
    full_resolution: Distribution,
    handle: Distribution,
    /// Whether tickets were also measured in business time.
    #[serde(default)]
    business_hours: bool,
    #[serde(default)]
    first_response_business: Distribution,
    #[serde(default)]
    reply_business: Distribution,
    #[serde(default)]
    first_resolution_business: Distribution,
    #[serde(default)]
    full_resolution_business: Distribution,
    #[serde(default)]
    sla: Option<crate::sla::SlaCounts>,
    /// Tickets created in each local hour of the report's time zone.
    #[serde(default)]
    arrivals_by_hour: [u64; 24],
}

impl TicketKpis {
    /// No tickets yet.
    pub fn new() -> Self {
        TicketKpis::default()
    }

    /// Counts one valid ticket.
    pub fn add(&mut self, ticket: &TicketMetrics<'_>) {
        self.add_derived(ticket.derived(), None);
    }

    /// Counts one valid ticket, measuring its first response, reply waits
    /// and resolutions also in the business time of `calendar`.
    pub fn add_with_calendar(&mut self, ticket: &TicketMetrics<'_>, calendar: &Calendar) {
        self.add_derived(ticket.derived(), Some(calendar));
    }

    /// Measures one valid ticket's SLA spans under `policy` at `as_of`
    /// (in the business time of `calendar` when the policy says so): the
    /// summary's `sla` counts then include it. Call it beside
    /// [`add`](Self::add) for each ticket.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cxmetrics::sla::{SlaPolicy, SlaTargets};
    /// use cxmetrics::ticket::{EventId, EventKind, TicketEvent, TicketId};
    /// use cxmetrics::time::parse_timestamp;
    /// use cxmetrics::{TicketKpis, Timeline};
    /// let mut timeline = Timeline::new();
    /// for (id, at, kind) in [
    ///     ("e1", "2026-03-02T09:00:00Z", EventKind::created(None, None)?),
    ///     ("e2", "2026-03-02T09:45:00Z", EventKind::agent_reply("ana")?),
    /// ] {
    ///     timeline.push(TicketEvent::new(EventId::new(id)?, TicketId::new("T1")?, parse_timestamp(at)?, kind))?;
    /// }
    /// let ticket = timeline.metrics(None).ok().flatten().expect("a valid ticket");
    /// let policy = SlaPolicy::new(SlaTargets { first_response: Some(Duration::from_secs(1800)), ..Default::default() });
    /// let mut kpis = TicketKpis::new();
    /// kpis.add(&ticket);
    /// kpis.add_sla(&ticket, &policy, None, parse_timestamp("2026-03-03T00:00:00Z")?.to_utc())?;
    /// let first = kpis.summary().and_then(|s| s.sla).and_then(|s| s.first_response).unwrap();
    /// assert_eq!((first.measured, first.met, first.breached()), (1, 0, 1));
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SlaNeedsCalendar`] for a policy in business hours
    /// without a calendar.
    pub fn add_sla(
        &mut self,
        ticket: &TicketMetrics<'_>,
        policy: &crate::sla::SlaPolicy,
        calendar: Option<&Calendar>,
        as_of: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), Error> {
        policy.check(calendar)?;
        let as_of = crate::time::Instant::of(&as_of);
        self.measure_sla(policy, calendar, ticket.derived(), ticket.channel(), as_of);
        Ok(())
    }

    /// Measures one valid ticket's SLA spans at `as_of`.
    pub(crate) fn measure_sla<S>(
        &mut self,
        policy: &crate::sla::SlaPolicy,
        calendar: Option<&Calendar>,
        t: &Derived<S>,
        channel: Option<&str>,
        as_of: crate::time::Instant,
    ) {
        self.sla
            .get_or_insert_with(Default::default)
            .measure(policy, calendar, t, channel, as_of);
    }

    /// Counts a ticket created in local hour `hour` (0..=23).
    pub(crate) fn count_arrival(&mut self, hour: usize) {
        if let Some(count) = self.arrivals_by_hour.get_mut(hour) {
            *count += 1;
        }
    }

    pub(crate) fn add_derived<S>(&mut self, t: &Derived<S>, calendar: Option<&Calendar>) {
        if let Some(calendar) = calendar {
            self.business_hours = true;
            let business = |from: crate::time::Instant, to: crate::time::Instant| {
                calendar.business_duration(from.to_utc(), to.to_utc())
            };
            if let Some(at) = t.first_agent_reply {
                self.first_response_business.add(business(t.created, at));
            }
            for &(opened, closed) in &t.waits {
                self.reply_business.add(business(opened, closed));
            }
            if let Some(at) = t.first_solved {
                self.first_resolution_business.add(business(t.created, at));
            }
            if let Some(at) = t.last_solved.filter(|_| t.resolved) {
                self.full_resolution_business.add(business(t.created, at));
            }
        }
        let waits = t.waits.iter().map(|&(opened, closed)| closed.since(opened));
        self.add_plain(&TicketFacts::of(t), waits);
    }

    /// Counts a ticket of `facts` whose reply waits are `waits`.
    pub(crate) fn add_facts(&mut self, facts: &TicketFacts, waits: &[Duration]) {
        self.add_plain(facts, waits.iter().copied());
    }

    fn add_plain(&mut self, f: &TicketFacts, waits: impl Iterator<Item = Duration>) {
        self.created += 1;
        self.answered += u64::from(f.first_response.is_some());
        self.resolved += u64::from(f.resolved);
        self.reopened += u64::from(f.reopened);
        self.resolved_reopened += u64::from(f.resolved && f.reopened);
        self.one_touch += u64::from(f.one_touch);
        self.handled += u64::from(f.handle.is_some());
        if let Some(d) = f.first_response {
            self.first_response.add(d);
        }
        for d in waits {
            self.reply.add(d);
        }
        if let Some(d) = f.first_resolution {
            self.first_resolution.add(d);
        }
        if let Some(d) = f.full_resolution {
            self.full_resolution.add(d);
        }
        if let Some(d) = f.handle {
            self.handle.add(d);
        }
    }

    /// Whether the counts hold together as counts made by adding tickets
    /// do: the checks of a saved state.
    pub(crate) fn consistent(&self) -> bool {
        let created = self.created;
        let sla_ok = self.sla.as_ref().is_none_or(|sla| {
            sla.consistent()
                && [sla.first_response, sla.resolution]
                    .into_iter()
                    .flatten()
                    .all(|c| c.measured <= created)
        });
        let business_ok = self.business_hours
            || [
                &self.first_response_business,
                &self.reply_business,
                &self.first_resolution_business,
                &self.full_resolution_business,
            ]
            .iter()
            .all(|d| d.count() == 0);
        let arrivals = self
            .arrivals_by_hour
            .iter()
            .try_fold(0u64, |sum, &n| sum.checked_add(n));
        [
            self.answered,
            self.resolved,
            self.reopened,
            self.one_touch,
            self.handled,
        ]
        .iter()
        .all(|&n| n <= created)
            && self.resolved_reopened <= self.resolved.min(self.reopened)
            && self.first_response.count() == self.answered
            && self.handle.count() == self.handled
            && self.first_resolution.count() <= created
            && self.full_resolution.count() <= self.resolved
            && self.first_response_business.count() <= self.answered
            && self.first_resolution_business.count() <= created
            && self.full_resolution_business.count() <= self.resolved
            && self.reply_business.count() <= self.reply.count()
            && arrivals.is_some_and(|n| n <= created)
            && sla_ok
            && business_ok
    }

    /// Adds `other`'s tickets, as if they had been added here.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CountOverflow`](crate::ErrorKind::CountOverflow) past
    /// `u64::MAX` (only with forged saved state); `self` is then unchanged.
    pub fn merge(&mut self, other: &TicketKpis) -> Result<(), Error> {
        let mut merged = self.clone();
        for (mine, theirs) in [
            (&mut merged.created, other.created),
            (&mut merged.answered, other.answered),
            (&mut merged.resolved, other.resolved),
            (&mut merged.reopened, other.reopened),
            (&mut merged.resolved_reopened, other.resolved_reopened),
            (&mut merged.one_touch, other.one_touch),
            (&mut merged.handled, other.handled),
        ] {
            *mine = mine.checked_add(theirs).ok_or(ErrorKind::CountOverflow)?;
        }
        merged.first_response.merge(&other.first_response)?;
        merged.reply.merge(&other.reply)?;
        merged.first_resolution.merge(&other.first_resolution)?;
        merged.full_resolution.merge(&other.full_resolution)?;
        merged.handle.merge(&other.handle)?;
        merged.business_hours |= other.business_hours;
        for (mine, theirs) in merged
            .arrivals_by_hour
            .iter_mut()
            .zip(other.arrivals_by_hour)
        {
            *mine = mine.checked_add(theirs).ok_or(ErrorKind::CountOverflow)?;
        }
        if let Some(theirs) = &other.sla {
            merged
                .sla
                .get_or_insert_with(Default::default)
                .merge(theirs)?;
        }
        merged
            .first_response_business
            .merge(&other.first_response_business)?;
        merged.reply_business.merge(&other.reply_business)?;
        merged
            .first_resolution_business
            .merge(&other.first_resolution_business)?;
        merged
            .full_resolution_business
            .merge(&other.full_resolution_business)?;
        *self = merged;
        Ok(())
    }

    /// The number of valid tickets counted.
    pub fn created(&self) -> u64 {
        self.created
    }

    /// Each closed reply wait of the group's tickets.
    pub fn reply_waits(&self) -> &Distribution {
        &self.reply
    }

    /// The handle times; its mean is AHT.
    pub fn handle_times(&self) -> &Distribution {
        &self.handle
    }

    /// The documented statistics; `None` without tickets.
    pub fn summary(&self) -> Option<TicketSummary> {
        (self.created > 0).then(|| TicketSummary {
            created: self.created,
            answered: self.answered,
            resolved: self.resolved,
            reopened: self.reopened,
            one_touch: self.one_touch,
            handled: self.handled,
            resolution_rate: percent(self.resolved, self.created),
            one_touch_rate: percent(self.one_touch, self.resolved),
            reopen_rate: percent(self.resolved_reopened, self.resolved),
            first_response: DistributionSummary::of(&self.first_response),
            reply: DistributionSummary::of(&self.reply),
            first_resolution: DistributionSummary::of(&self.first_resolution),
            full_resolution: DistributionSummary::of(&self.full_resolution),
            handle: DistributionSummary::of(&self.handle),
            arrivals_by_hour: self.arrivals_by_hour,
            sla: self.sla.filter(|s| {
                s.first_response.is_some() || s.reply.is_some() || s.resolution.is_some()
            }),
            business: self.business_hours.then(|| BusinessSummary {
                first_response: DistributionSummary::of(&self.first_response_business),
                reply: DistributionSummary::of(&self.reply_business),
                first_resolution: DistributionSummary::of(&self.first_resolution_business),
                full_resolution: DistributionSummary::of(&self.full_resolution_business),
            }),
        })
    }
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// Mean, median and 90th percentile of a distribution, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DistributionSummary {
    /// Exact mean.
    pub mean: f64,
    /// Nearest-rank median (within 0.5% beyond 256 values).
    pub p50: f64,
    /// Nearest-rank 90th percentile (within 0.5% beyond 256 values).
    pub p90: f64,
}

impl DistributionSummary {
    /// The summary of `d`; `None` when empty.
    pub fn of(d: &Distribution) -> Option<Self> {
        let [p50, p90] = d.quantiles([0.5, 0.9])?;
        Some(DistributionSummary {
            mean: d.mean_secs()?,
            p50: p50.as_secs_f64(),
            p90: p90.as_secs_f64(),
        })
    }
}

/// The statistics of a group's valid tickets (definitions, "Survey metrics").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    /// Valid tickets in the group.
    pub created: u64,
    /// Tickets with an agent reply.
    pub answered: u64,
    /// Tickets in the solved state at the end.
    pub resolved: u64,
    /// Tickets with at least one reopen.
    pub reopened: u64,
    /// Resolved with one agent reply and no reopen.
    pub one_touch: u64,
    /// Tickets with a handle time.
    pub handled: u64,
    /// `100·resolved/created`.
    pub resolution_rate: Option<f64>,
    /// `100·one_touch/resolved`; `None` when nothing is resolved.
    pub one_touch_rate: Option<f64>,
    /// `100·(resolved tickets with a reopen)/resolved`; `None` when nothing
    /// is resolved.
    pub reopen_rate: Option<f64>,
    /// First response times.
    pub first_response: Option<DistributionSummary>,
    /// Every closed reply wait.
    pub reply: Option<DistributionSummary>,
    /// First resolution times.
    pub first_resolution: Option<DistributionSummary>,
    /// Full resolution times.
    pub full_resolution: Option<DistributionSummary>,
    /// Handle times: the mean is AHT.
    pub handle: Option<DistributionSummary>,
    /// The business-time twins, when a calendar was given.
    pub business: Option<BusinessSummary>,
    /// SLA attainment, when a policy applies to the group's tickets.
    pub sla: Option<crate::sla::SlaCounts>,
    /// Tickets created in each local hour (0..=23) of the report's zone,
    /// as counted by the [`Aggregator`](crate::Aggregator) (which knows
    /// the zone); all zero from [`TicketKpis::add`].
    pub arrivals_by_hour: [u64; 24],
}

/// The four durations measured in business time (definitions, "Business hours").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BusinessSummary {
    /// First response times.
    pub first_response: Option<DistributionSummary>,
    /// Every closed reply wait.
    pub reply: Option<DistributionSummary>,
    /// First resolution times.
    pub first_resolution: Option<DistributionSummary>,
    /// Full resolution times.
    pub full_resolution: Option<DistributionSummary>,
}
