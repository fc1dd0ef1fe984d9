//! SLA attainment: first response, reply and resolution targets, with
//! per-channel overrides, in calendar or business time (definitions,
//! "SLA").
//!
//! ```
//! use std::time::Duration;
//! use cxmetrics::sla::{SlaPolicy, SlaTargets};
//! let hour = Some(Duration::from_secs(3600));
//! let policy = SlaPolicy::new(SlaTargets { first_response: hour, ..Default::default() })
//!     .channel("chat", SlaTargets { first_response: Some(Duration::from_secs(120)), ..Default::default() });
//! assert_eq!(policy.targets(Some("chat")).first_response, Some(Duration::from_secs(120)));
//! assert_eq!(policy.targets(Some("email")).first_response, hour);
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::error::{Error, ErrorKind};
use crate::time::Instant;
use crate::timeline::Derived;

/// Targets for the three spans; an absent target is not measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTargets {
    /// First response: the first reply wait, from `created`.
    pub first_response: Option<Duration>,
    /// Every reply wait.
    pub reply: Option<Duration>,
    /// `created` to the first entry into the solved state.
    pub resolution: Option<Duration>,
}

/// An SLA policy: default targets, per-channel overrides (each target of a
/// channel entry replaces the default, the others are inherited), and
/// whether time is measured in business hours.
///
/// A span is **measured** when it closed, or when it is still open at
/// `as_of` and has run strictly past its target by then (a breach is known
/// before the reply comes); it is **met** when it closed within its target.
/// The first response span is cancelled, and not measured, when the
/// ticket is solved before its first agent reply; so is a reply wait
/// cancelled by a solve.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    business_hours: bool,
    defaults: SlaTargets,
    channels: BTreeMap<String, SlaTargets>,
}

impl SlaPolicy {
    /// A policy with default targets, measured in calendar time.
    pub fn new(defaults: SlaTargets) -> Self {
        SlaPolicy {
            business_hours: false,
            defaults,
            channels: BTreeMap::new(),
        }
    }

    /// Measures in the business hours of the report's calendar.
    pub fn in_business_hours(mut self) -> Self {
        self.business_hours = true;
        self
    }

    /// Overrides targets for tickets of `channel`: each `Some` replaces
    /// the default.
    pub fn channel(mut self, channel: &str, overrides: SlaTargets) -> Self {
        self.channels.insert(channel.to_owned(), overrides);
        self
    }

    /// Whether time is measured in business hours.
    pub fn business_hours(&self) -> bool {
        self.business_hours
    }

    /// The overrides of every channel.
    pub(crate) fn channel_targets(&self) -> impl Iterator<Item = &SlaTargets> {
        self.channels.values()
    }

    /// Whether any channel has overrides.
    pub(crate) fn has_channels(&self) -> bool {
        !self.channels.is_empty()
    }

    /// The targets that apply to a ticket of `channel`.
    pub fn targets(&self, channel: Option<&str>) -> SlaTargets {
        let d = self.defaults;
        match channel.and_then(|c| self.channels.get(c)) {
            None => d,
            Some(o) => SlaTargets {
                first_response: o.first_response.or(d.first_response),
                reply: o.reply.or(d.reply),
                resolution: o.resolution.or(d.resolution),
            },
        }
    }

    /// Checks the policy against the calendar it will be measured with.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SlaNeedsCalendar`] for business hours without one.
    pub fn check(&self, calendar: Option<&Calendar>) -> Result<(), Error> {
        if self.business_hours && calendar.is_none() {
            return ErrorKind::SlaNeedsCalendar.err();
        }
        Ok(())
    }
}

/// Measured and met spans of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaCount {
    /// Spans measured.
    pub measured: u64,
    /// Spans met.
    pub met: u64,
}

impl SlaCount {
    /// `measured − met`; 0 for counts with more met than measured (which
    /// no count made by this crate has, and a saved state is checked for).
    pub fn breached(self) -> u64 {
        self.measured.saturating_sub(self.met)
    }

    /// `100·met/measured`; `None` when nothing was measured.
    pub fn rate(self) -> Option<f64> {
        (self.measured > 0).then(|| 100.0 * self.met as f64 / self.measured as f64)
    }

    fn closed(&mut self, span: Duration, target: Duration) {
        self.measured += 1;
        self.met += u64::from(span <= target);
    }

    fn open(&mut self, elapsed: Duration, target: Duration) {
        self.measured += u64::from(elapsed > target);
    }

    fn merge(&mut self, other: SlaCount) -> Option<()> {
        let measured = self.measured.checked_add(other.measured)?;
        let met = self.met.checked_add(other.met)?;
        (self.measured, self.met) = (measured, met);
        Some(())
    }
}

/// A group's SLA counts; a span kind is `None` until a ticket of the group
/// has a target for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaCounts {
    /// First responses.
    pub first_response: Option<SlaCount>,
    /// Reply waits.
    pub reply: Option<SlaCount>,
    /// Resolutions.
    pub resolution: Option<SlaCount>,
}

impl SlaCounts {
    /// Adds `other`'s counts.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CountOverflow`] past
    /// `u64::MAX` spans of a kind; `self` is then unchanged.
    pub fn merge(&mut self, other: &SlaCounts) -> Result<(), crate::Error> {
        let mut merged = *self;
        for (mine, theirs) in [
            (&mut merged.first_response, other.first_response),
            (&mut merged.reply, other.reply),
            (&mut merged.resolution, other.resolution),
        ] {
            if let Some(theirs) = theirs {
                mine.get_or_insert_with(SlaCount::default)
                    .merge(theirs)
                    .ok_or(crate::ErrorKind::CountOverflow)?;
            }
        }
        *self = merged;
        Ok(())
    }

    /// Whether every count has no more met than measured spans.
    pub(crate) fn consistent(&self) -> bool {
        [self.first_response, self.reply, self.resolution]
            .into_iter()
            .flatten()
            .all(|c| c.met <= c.measured)
    }

    /// Measures one valid ticket of `channel` at `as_of`.
    pub(crate) fn measure<S>(
        &mut self,
        policy: &SlaPolicy,
        calendar: Option<&Calendar>,
        ticket: &Derived<S>,
        channel: Option<&str>,
        as_of: Instant,
    ) {
        let targets = policy.targets(channel);
        let span = |from: Instant, to: Instant| match calendar.filter(|_| policy.business_hours) {
            Some(calendar) => calendar.business_duration(from.to_utc(), to.to_utc()),
            None => to.since(from),
        };
        if let Some(target) = targets.first_response {
            let count = self.first_response.get_or_insert_with(SlaCount::default);
            if !ticket.first_wait_cancelled {
                match ticket.first_agent_reply {
                    Some(at) => count.closed(span(ticket.created, at), target),
                    None => count.open(span(ticket.created, as_of), target),
                }
            }
        }
        if let Some(target) = targets.reply {
            let count = self.reply.get_or_insert_with(SlaCount::default);
            for &(opened, closed) in &ticket.waits {
                count.closed(span(opened, closed), target);
            }
            if let Some(opened) = ticket.open_wait {
                count.open(span(opened, as_of), target);
            }
        }
        if let Some(target) = targets.resolution {
            let count = self.resolution.get_or_insert_with(SlaCount::default);
            match ticket.first_solved {
                Some(at) => count.closed(span(ticket.created, at), target),
                None => count.open(span(ticket.created, as_of), target),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::{EventId, EventKind, Name, Status, TicketEvent, TicketId};
    use crate::time::parse_timestamp;
    use crate::timeline::Timeline;

    fn ticket(events: &[(&str, EventKind)]) -> Timeline {
        let mut t = Timeline::new();
        for (i, (at, kind)) in events.iter().enumerate() {
            let e = TicketEvent::new(
                EventId::new(format!("e{i}")).unwrap(),
                TicketId::new("T").unwrap(),
                parse_timestamp(at).unwrap(),
                kind.clone(),
            );
            t.push(e).unwrap();
        }
        t
    }

    fn counts(t: &Timeline, policy: &SlaPolicy, as_of: &str) -> SlaCounts {
        let as_of = Instant::of(&parse_timestamp(as_of).unwrap());
        let m = t.metrics(None).unwrap().unwrap();
        let mut counts = SlaCounts::default();
        counts.measure(policy, None, m.derived(), m.channel(), as_of);
        counts
    }

    #[test]
    fn breaches_are_known_before_the_reply() {
        let created = EventKind::Created {
            channel: Some(Name::new("chat").unwrap()),
            team: None,
        };
        let t = ticket(&[("2026-03-02T09:00:00Z", created)]);
        let hour = Some(Duration::from_secs(3600));
        let policy = SlaPolicy::new(SlaTargets {
            first_response: hour,
            reply: hour,
            resolution: None,
        });
        // Open for 30 minutes: not measured yet.
        let c = counts(&t, &policy, "2026-03-02T09:30:00Z");
        assert_eq!(
            (
                c.first_response.unwrap().measured,
                c.reply.unwrap().measured
            ),
            (0, 0)
        );
        assert_eq!(
            c.resolution, None,
            "no resolution target: not in the section"
        );
        // Exactly at the target: not yet breached (strictly past it is).
        assert_eq!(
            counts(&t, &policy, "2026-03-02T10:00:00Z")
                .first_response
                .unwrap()
                .measured,
            0
        );
        let c = counts(&t, &policy, "2026-03-02T10:00:01Z")
            .first_response
            .unwrap();
        assert_eq!(
            (c.measured, c.met, c.breached(), c.rate()),
            (1, 0, 1, Some(0.0))
        );
        // A chat override of two minutes.
        let strict = policy.clone().channel(
            "chat",
            SlaTargets {
                first_response: Some(Duration::from_secs(120)),
                ..SlaTargets::default()
            },
        );
        assert_eq!(strict.targets(Some("chat")).reply, hour, "inherited");
        assert_eq!(
            counts(&t, &strict, "2026-03-02T09:05:00Z")
                .first_response
                .unwrap()
                .measured,
            1
        );
    }

    #[test]
    fn a_solve_before_the_first_reply_cancels_the_first_response_span() {
        let t = ticket(&[
            (
                "2026-03-02T09:00:00Z",
                EventKind::Created {
                    channel: None,
                    team: None,
                },
            ),
            (
                "2026-03-02T09:10:00Z",
                EventKind::Status {
                    status: Status::Solved,
                },
            ),
            ("2026-03-03T09:00:00Z", EventKind::CustomerReply),
            (
                "2026-03-03T09:30:00Z",
                EventKind::AgentReply {
                    agent: Name::new("ana").unwrap(),
                },
            ),
        ]);
        let hour = Some(Duration::from_secs(3600));
        let policy = SlaPolicy::new(SlaTargets {
            first_response: hour,
            reply: hour,
            resolution: hour,
        });
        let c = counts(&t, &policy, "2026-03-04T00:00:00Z");
        assert_eq!(
            c.first_response.unwrap(),
            SlaCount {
                measured: 0,
                met: 0
            }
        );
        assert_eq!(
            c.reply.unwrap(),
            SlaCount {
                measured: 1,
                met: 1
            }
        );
        assert_eq!(
            c.resolution.unwrap(),
            SlaCount {
                measured: 1,
                met: 1
            }
        );
        assert_eq!(SlaCount::default().rate(), None);
    }

    /// Counts built by hand that no measuring makes: no panic, no wrap.
    #[test]
    fn inconsistent_or_huge_counts_neither_panic_nor_wrap() {
        let odd = SlaCount {
            measured: 0,
            met: 1,
        };
        assert_eq!((odd.breached(), odd.rate()), (0, None));
        let full = SlaCount {
            measured: u64::MAX,
            met: u64::MAX,
        };
        let mut counts = SlaCounts {
            first_response: Some(full),
            ..Default::default()
        };
        let before = counts;
        let one = SlaCounts {
            first_response: Some(SlaCount {
                measured: 1,
                met: 1,
            }),
            ..Default::default()
        };
        assert!(counts.merge(&one).is_err());
        assert_eq!(counts, before);
        assert!(!SlaCounts {
            reply: Some(odd),
            ..Default::default()
        }
        .consistent());
        assert!(counts.consistent());
    }
}
