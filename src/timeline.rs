//! A ticket's events in their defined order, and the metrics derived from
//! them (definitions, "Ticket timeline").
//!
//! ```
//! use cxmetrics::ticket::{EventId, EventKind, TicketId};
//! use cxmetrics::{time::parse_timestamp, TicketEvent, Timeline};
//! let mut timeline = Timeline::new();
//! // In any order; a repeated delivery of an id is ignored.
//! for (id, at, kind) in [
//!     ("e2", "2026-03-02T09:20:00Z", EventKind::agent_reply("ana")?),
//!     ("e1", "2026-03-02T09:00:00Z", EventKind::created(Some("chat"), None)?),
//!     ("e2", "2026-03-02T09:20:00Z", EventKind::agent_reply("ana")?),
//! ] {
//!     timeline.push(TicketEvent::new(EventId::new(id)?, TicketId::new("T-1")?, parse_timestamp(at)?, kind))?;
//! }
//! let metrics = timeline.metrics(None).ok().flatten().expect("a valid ticket");
//! assert_eq!(metrics.first_response().map(|d| d.as_secs()), Some(1200));
//! assert_eq!((timeline.duplicates(), metrics.channel()), (1, Some("chat")));
//! # Ok::<(), cxmetrics::Error>(())
//! ```
//!
//! The derivation is one pass over the ordered events: a small state
//! machine for the reply waits, the solved state and each agent's handling
//! segment. [`derive`] is generic over how dimension values are held, so
//! that the aggregator runs the same code over interned ids.

use std::borrow::Borrow;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, ErrorKind};
use crate::id::{Name, TicketId};
use crate::ticket::{EventKind, EventTag, Status, TicketEvent};
use crate::time::Instant;

/// Up to this many events, duplicate ids are found by a scan of their
/// hashes; beyond, by a hash set built once.
const SCAN_LIMIT: usize = 32;

/// One ticket's events, accepted in any order and with duplicate
/// deliveries, kept in the documented order: by instant, then by kind
/// (`created`, `customer_reply`, `bot_reply`, `internal_note`, `assigned`,
/// `handling_started`, `handling_ended`, `agent_reply`, `status`), then by
/// event id (byte order). So any arrival order gives the same metrics.
///
/// It holds its events as `E`: owned [`TicketEvent`]s by default, or
/// borrowed `&TicketEvent`s to order and derive from events kept elsewhere
/// without moving them.
///
/// ```
/// use cxmetrics::{TicketEvent, Timeline, ticket::{EventId, EventKind, Name, Status, TicketId}, time::parse_timestamp};
/// let event = |id: &str, at: &str, kind| -> Result<TicketEvent, cxmetrics::Error> {
///     Ok(TicketEvent::new(EventId::new(id)?, TicketId::new("T-1")?, parse_timestamp(at)?, kind))
/// };
/// let mut timeline = Timeline::new();
/// // Out of order, and the reply delivered twice.
/// timeline.push(event("e3", "2026-03-02T09:30:00Z", EventKind::Status { status: Status::Solved })?)?;
/// timeline.push(event("e2", "2026-03-02T09:20:00Z", EventKind::AgentReply { agent: Name::new("ana")? })?)?;
/// timeline.push(event("e1", "2026-03-02T09:00:00Z", EventKind::Created { channel: None, team: None })?)?;
/// timeline.push(event("e2", "2026-03-02T09:20:00Z", EventKind::AgentReply { agent: Name::new("ana")? })?)?;
/// assert_eq!(timeline.duplicates(), 1);
///
/// let metrics = timeline.metrics(None).expect("valid").expect("has events");
/// assert_eq!(metrics.first_response().map(|d| d.as_secs()), Some(1200));
/// assert_eq!(metrics.full_resolution().map(|d| d.as_secs()), Some(1800));
/// assert!(metrics.one_touch());
/// assert_eq!(metrics.agent(), Some("ana"));
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Timeline<E = TicketEvent> {
    /// Accepted events in the documented order.
    entries: Vec<Entry<E>>,
    /// The ids of `entries`, once there are more than [`SCAN_LIMIT`].
    ids: Option<std::collections::HashSet<crate::id::EventId>>,
    duplicates: u64,
}

#[derive(Debug, Clone)]
struct Entry<E> {
    at: Instant,
    tag: EventTag,
    /// A 64-bit hash of the event id: a scan of these finds a repeated id
    /// without comparing strings.
    id_hash: u64,
    event: E,
}

impl<E: Borrow<TicketEvent>> Entry<E> {
    fn event(&self) -> &TicketEvent {
        self.event.borrow()
    }

    fn key(&self) -> (Instant, EventTag, &[u8]) {
        (self.at, self.tag, self.event().id().as_str().as_bytes())
    }
}

impl<E> Default for Timeline<E> {
    fn default() -> Self {
        Timeline {
            entries: Vec::new(),
            ids: None,
            duplicates: 0,
        }
    }
}

/// FNV-1a over the id's bytes: fast for short ids, and only a prefilter
/// (equal hashes are confirmed by comparing the ids).
fn id_hash(id: &crate::id::EventId) -> u64 {
    id.as_str().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether a pushed event was new or a repeated delivery of an id already
/// accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// A new event id: the event was added.
    New,
    /// An id already accepted: ignored (the first delivery is kept) and
    /// counted in [`Timeline::duplicates`].
    Duplicate,
}

impl<E: Borrow<TicketEvent>> Timeline<E> {
    /// An empty timeline.
    pub fn new() -> Self {
        Timeline::default()
    }

    /// An empty timeline with room for `events` events.
    pub fn with_capacity(events: usize) -> Self {
        Timeline {
            entries: Vec::with_capacity(events),
            ..Timeline::default()
        }
    }

    /// Adds an event. O(log n) to find its place plus the shift of later
    /// events (nothing to shift when events arrive in time order), and
    /// O(1) expected to check its id.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TicketMismatch`] when the event belongs to another
    /// ticket than the events before it.
    pub fn push(&mut self, event: E) -> Result<Pushed, Error> {
        let new = event.borrow();
        if let Some(ticket) = self.ticket() {
            if ticket != new.ticket() {
                return ErrorKind::TicketMismatch {
                    expected: ticket.to_string(),
                    found: new.ticket().to_string(),
                }
                .err();
            }
        }
        let id_hash = id_hash(new.id());
        if self.contains(new.id(), id_hash) {
            self.duplicates += 1;
            return Ok(Pushed::Duplicate);
        }
        if let Some(ids) = &mut self.ids {
            ids.insert(new.id().clone());
        } else if self.entries.len() >= SCAN_LIMIT {
            let mut ids: std::collections::HashSet<_> = self
                .entries
                .iter()
                .map(|e| e.event().id().clone())
                .collect();
            ids.insert(new.id().clone());
            self.ids = Some(ids);
        }
        let (at, tag) = (Instant::of(&new.at()), EventTag::of(new.kind()));
        let entry = Entry {
            at,
            tag,
            id_hash,
            event,
        };
        let place = self.entries.partition_point(|e| e.key() < entry.key());
        self.entries.insert(place, entry);
        Ok(Pushed::New)
    }

    fn contains(&self, id: &crate::id::EventId, hash: u64) -> bool {
        match &self.ids {
            Some(ids) => ids.contains(id),
            None => self
                .entries
                .iter()
                .any(|e| e.id_hash == hash && e.event().id() == id),
        }
    }

    /// The ticket, once an event was pushed.
    pub fn ticket(&self) -> Option<&TicketId> {
        self.entries.first().map(|e| e.event().ticket())
    }

    /// The accepted events in the documented order.
    pub fn events(&self) -> impl ExactSizeIterator<Item = &TicketEvent> {
        self.entries.iter().map(Entry::event)
    }

    /// How many pushed events repeated an accepted id.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// The ticket's metrics from its events up to `as_of` (inclusive; all
    /// events when `None`). O(n) in the events kept.
    ///
    /// `Ok(None)` when no event is at or before `as_of`: the ticket does
    /// not exist yet.
    ///
    /// # Errors
    ///
    /// An [`InvalidTicket`] reason when the events up to `as_of` do not
    /// hold exactly one `created` event or it does not come first.
    pub fn metrics(
        &self,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Option<TicketMetrics<'_>>, InvalidTicket> {
        let end = match as_of {
            Some(as_of) => {
                let as_of = Instant::of(&as_of);
                self.entries.partition_point(|e| e.at <= as_of)
            }
            None => self.entries.len(),
        };
        let steps = self.entries[..end]
            .iter()
            .map(|e| Step::of(e.at, e.tag, e.event()));
        Ok(derive(steps)?.map(|derived| TicketMetrics { derived }))
    }
}

/// Why a ticket is left out of every metric (definitions, "Ticket timeline": a valid
/// ticket has exactly one `created` event, and it comes first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvalidTicket {
    /// No `created` event.
    NoCreated,
    /// More than one `created` event.
    SeveralCreated {
        /// How many.
        count: u32,
    },
    /// An event before the `created` event.
    EventBeforeCreated,
}

impl fmt::Display for InvalidTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidTicket::NoCreated => f.write_str("no created event"),
            InvalidTicket::SeveralCreated { count } => write!(f, "{count} created events"),
            InvalidTicket::EventBeforeCreated => f.write_str("an event before the created event"),
        }
    }
}

impl std::error::Error for InvalidTicket {}

/// One event as the derivation sees it; `S` holds a dimension value (a
/// `&Name`, or an interned id in the aggregator).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step<S> {
    pub(crate) at: Instant,
    pub(crate) tag: EventTag,
    pub(crate) agent: Option<S>,
    pub(crate) team: Option<S>,
    pub(crate) channel: Option<S>,
    pub(crate) status: Option<Status>,
    pub(crate) topic: Option<S>,
}

impl<'a> Step<&'a Name> {
    fn of(at: Instant, tag: EventTag, event: &'a TicketEvent) -> Self {
        let mut step = Step {
            at,
            tag,
            agent: None,
            team: None,
            channel: None,
            status: None,
            topic: event.topic(),
        };
        match event.kind() {
            EventKind::Created { channel, team } => {
                step.channel = channel.as_ref();
                step.team = team.as_ref();
            }
            EventKind::Assigned { agent, team } => {
                step.agent = Some(agent);
                step.team = team.as_ref();
            }
            EventKind::HandlingStarted { agent }
            | EventKind::HandlingEnded { agent }
            | EventKind::AgentReply { agent } => step.agent = Some(agent),
            EventKind::Status { status } => step.status = Some(*status),
            EventKind::CustomerReply | EventKind::BotReply | EventKind::InternalNote => {}
        }
        step
    }
}

/// What the derivation finds in a valid ticket: instants rather than
/// durations, so that business-hour and SLA measures use the same spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Derived<S> {
    pub(crate) created: Instant,
    pub(crate) first_agent_reply: Option<Instant>,
    pub(crate) agent_replies: u32,
    /// Closed reply waits, `(opened, closed)`, in order.
    pub(crate) waits: Vec<(Instant, Instant)>,
    /// The start of a wait still open after the last event.
    pub(crate) open_wait: Option<Instant>,
    /// Whether the first wait (from `created`) was cancelled by a solve.
    pub(crate) first_wait_cancelled: bool,
    pub(crate) first_solved: Option<Instant>,
    pub(crate) last_solved: Option<Instant>,
    pub(crate) resolved: bool,
    pub(crate) reopens: u32,
    pub(crate) handle: Option<Duration>,
    pub(crate) channel: Option<S>,
    pub(crate) team: Option<S>,
    pub(crate) topic: Option<S>,
    pub(crate) agent: Option<S>,
}

/// Derives a ticket's metrics from its events in the documented order.
///
/// `Ok(None)` when there are no events; an [`InvalidTicket`] reason when
/// the first event is not the only `created` one.
pub(crate) fn derive<S: Copy + Eq>(
    steps: impl IntoIterator<Item = Step<S>>,
) -> Result<Option<Derived<S>>, InvalidTicket> {
    derive_with(steps, &mut Scratch::default())
}

/// The vectors [`derive_with`] fills, kept from one ticket to the next so
/// that deriving many tickets allocates nothing per ticket.
pub(crate) struct Scratch<S> {
    waits: Vec<(Instant, Instant)>,
    segments: Vec<(S, Instant)>,
}

impl<S> Default for Scratch<S> {
    fn default() -> Self {
        Scratch {
            waits: Vec::new(),
            segments: Vec::new(),
        }
    }
}

impl<S> Scratch<S> {
    /// Takes back the vector of a ticket done with.
    pub(crate) fn recycle(&mut self, derived: Derived<S>) {
        self.waits = derived.waits;
        self.waits.clear();
    }
}

/// [`derive`], with the vectors of `scratch`.
pub(crate) fn derive_with<S: Copy + Eq>(
    steps: impl IntoIterator<Item = Step<S>>,
    scratch: &mut Scratch<S>,
) -> Result<Option<Derived<S>>, InvalidTicket> {
    let mut steps = steps.into_iter();
    let Some(first) = steps.next() else {
        return Ok(None);
    };
    if first.tag != EventTag::Created {
        let created = steps.filter(|s| s.tag == EventTag::Created).count();
        return Err(match created {
            0 => InvalidTicket::NoCreated,
            1 => InvalidTicket::EventBeforeCreated,
            n => InvalidTicket::SeveralCreated { count: saturate(n) },
        });
    }
    let mut d = Derived {
        created: first.at,
        first_agent_reply: None,
        agent_replies: 0,
        waits: std::mem::take(&mut scratch.waits),
        open_wait: Some(first.at),
        first_wait_cancelled: false,
        first_solved: None,
        last_solved: None,
        resolved: false,
        reopens: 0,
        handle: None,
        channel: first.channel,
        team: first.team,
        topic: first.topic,
        agent: None,
    };
    // While the first wait is the open one.
    let mut first_wait_open = true;
    let mut first_reply_agent = None;
    let mut assigned_agent = None;
    // Each agent's open handling segment: few agents work one ticket at once.
    let segments = &mut scratch.segments;
    segments.clear();
    let mut created = 1usize;
    for step in steps {
        if step.topic.is_some() {
            d.topic = step.topic;
        }
        match step.tag {
            EventTag::Created => created += 1,
            EventTag::CustomerReply => {
                if d.open_wait.is_none() {
                    d.open_wait = Some(step.at);
                }
            }
            EventTag::AgentReply => {
                d.agent_replies = d.agent_replies.saturating_add(1);
                if d.first_agent_reply.is_none() {
                    d.first_agent_reply = Some(step.at);
                    first_reply_agent = step.agent;
                }
                if let Some(opened) = d.open_wait.take() {
                    d.waits.push((opened, step.at));
                    first_wait_open = false;
                }
            }
            EventTag::Status => match step.status {
                // Entry into the solved state (solved → closed is no entry).
                Some(status) if status.is_solved() && !d.resolved => {
                    d.resolved = true;
                    d.first_solved.get_or_insert(step.at);
                    d.last_solved = Some(step.at);
                    if d.open_wait.take().is_some() && first_wait_open {
                        d.first_wait_cancelled = true;
                    }
                    first_wait_open = false;
                }
                // Any other status while solved: a reopen.
                Some(status) if !status.is_solved() && d.resolved => {
                    d.resolved = false;
                    d.reopens = d.reopens.saturating_add(1);
                }
                _ => {}
            },
            EventTag::Assigned => {
                assigned_agent = step.agent.or(assigned_agent);
                if step.team.is_some() {
                    d.team = step.team;
                }
            }
            EventTag::HandlingStarted => {
                if let Some(agent) = step.agent {
                    if !segments.iter().any(|&(a, _)| a == agent) {
                        segments.push((agent, step.at));
                    }
                }
            }
            EventTag::HandlingEnded => {
                if let Some(i) = segments.iter().position(|&(a, _)| Some(a) == step.agent) {
                    let (_, started) = segments.swap_remove(i);
                    let total = d.handle.unwrap_or_default();
                    d.handle = Some(total.saturating_add(step.at.since(started)));
                }
            }
            EventTag::BotReply | EventTag::InternalNote => {}
        }
    }
    if created > 1 {
        return Err(InvalidTicket::SeveralCreated {
            count: saturate(created),
        });
    }
    d.agent = assigned_agent.or(first_reply_agent);
    Ok(Some(d))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The metrics of one valid ticket (definitions, "Ticket timeline"), borrowed from its
/// [`Timeline`]. Durations keep nanosecond precision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMetrics<'a> {
    derived: Derived<&'a Name>,
}

impl TicketMetrics<'_> {
    pub(crate) fn derived(&self) -> &Derived<&Name> {
        &self.derived
    }

    /// When the customer's request arrived (the `created` event). The
    /// ticket belongs to the time bucket of this instant.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.derived.created.to_utc()
    }

    /// **First response** = first `agent_reply` − `created`; `None` when
    /// no agent has replied.
    ///
    /// As Zendesk's first reply time: bot replies and internal notes never
    /// count, and a solve in between does not stop the clock (a ticket
    /// solved without a reply and answered later gets the late answer).
    /// Chatwoot differs: its first response clock starts at the last
    /// hand-off from a bot to a human (or at a reopen), not at creation, so
    /// its figure is shorter for tickets a bot handled first.
    pub fn first_response(&self) -> Option<Duration> {
        let d = &self.derived;
        d.first_agent_reply.map(|at| at.since(d.created))
    }

    /// **Answered**: has at least one agent reply.
    pub fn answered(&self) -> bool {
        self.derived.first_agent_reply.is_some()
    }

    /// **Reply waits**, the customer waiting for an agent, each closed
    /// wait in order.
    ///
    /// A wait opens at `created`, and at a `customer_reply` when no wait is
    /// open (so a burst of customer messages is one wait, timed from the
    /// first); it closes at the next `agent_reply`, or is cancelled when
    /// the ticket enters the solved state (a solved ticket owes no reply:
    /// a "thanks!" answered by a solve is no wait). A wait still open at
    /// `as_of` is not counted. Zendesk's "requester wait time" sums the
    /// time spent in the new, open and on-hold statuses instead, which
    /// depends on agents keeping statuses up to date.
    pub fn reply_waits(&self) -> impl ExactSizeIterator<Item = Duration> + '_ {
        self.derived
            .waits
            .iter()
            .map(|&(opened, closed)| closed.since(opened))
    }

    /// The closed reply waits as `(opened, closed)` instants.
    pub fn reply_wait_spans(
        &self,
    ) -> impl ExactSizeIterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        self.derived
            .waits
            .iter()
            .map(|&(opened, closed)| (opened.to_utc(), closed.to_utc()))
    }

    /// When the wait still open after the last event started, if one is.
    pub fn open_wait_since(&self) -> Option<DateTime<Utc>> {
        self.derived.open_wait.map(Instant::to_utc)
    }

    /// Whether the first wait (from `created`) was cancelled by a solve
    /// before any agent reply.
    pub fn first_wait_cancelled(&self) -> bool {
        self.derived.first_wait_cancelled
    }

    /// **Resolved**: in the solved state after the last event.
    ///
    /// The solved state starts unsolved; `status` `solved` or `closed`
    /// enters it, any other status while solved (also after `closed`)
    /// leaves it and is a **reopen**. Customer replies do not reopen by
    /// themselves (helpdesks that reopen on a reply record a status event).
    pub fn resolved(&self) -> bool {
        self.derived.resolved
    }

    /// **First resolution** = first entry into the solved state −
    /// `created`, also for tickets reopened and unresolved at the end.
    /// Zendesk's "first resolution time" is the same.
    pub fn first_resolution(&self) -> Option<Duration> {
        let d = &self.derived;
        d.first_solved.map(|at| at.since(d.created))
    }

    /// **Full resolution** = last entry into the solved state − `created`,
    /// for resolved tickets only (`solved` then `closed` is one entry).
    /// As Zendesk's "full resolution time"; Chatwoot's resolution time
    /// also runs from the start to the latest resolution (a reopen does
    /// not start a new clock), while Help Scout counts a conversation as
    /// resolved only once a user has replied.
    pub fn full_resolution(&self) -> Option<Duration> {
        let d = &self.derived;
        d.last_solved
            .filter(|_| d.resolved)
            .map(|at| at.since(d.created))
    }

    /// Number of reopens.
    pub fn reopens(&self) -> u32 {
        self.derived.reopens
    }

    /// Number of agent replies (bot replies and notes excluded).
    pub fn agent_replies(&self) -> u32 {
        self.derived.agent_replies
    }

    /// **One-touch**: resolved with exactly one agent reply and no reopen.
    pub fn one_touch(&self) -> bool {
        let d = &self.derived;
        d.resolved && d.agent_replies == 1 && d.reopens == 0
    }

    /// **Handle time** (AHT's numerator): the sum of the ticket's closed
    /// handling segments; `None` when it has none.
    ///
    /// A segment opens at `handling_started` of an agent who has no open
    /// segment on the ticket (a second start while open is ignored) and
    /// closes at that agent's next `handling_ended`; an end without an
    /// open segment is ignored and a segment still open is not counted.
    /// Talk, hold and wrap-up alike, as contact centres define AHT.
    pub fn handle_time(&self) -> Option<Duration> {
        self.derived.handle
    }

    /// The `channel` of the `created` event.
    pub fn channel(&self) -> Option<&str> {
        self.derived.channel.map(Name::as_str)
    }

    /// The `team` of the last `created` or `assigned` event that names one.
    pub fn team(&self) -> Option<&str> {
        self.derived.team.map(Name::as_str)
    }

    /// The `topic` of the last event that names one (requests are often
    /// categorised after they arrive).
    pub fn topic(&self) -> Option<&str> {
        self.derived.topic.map(Name::as_str)
    }

    /// The last `assigned` agent, else the agent of the first
    /// `agent_reply`, else `None`.
    pub fn agent(&self) -> Option<&str> {
        self.derived.agent.map(Name::as_str)
    }

    /// The ticket's SLA spans under `policy` (the targets of its channel),
    /// judged at `as_of` (definitions, "SLA"): a closed span is measured,
    /// and met within its target; a span still open at `as_of` is measured
    /// (as a breach) once it has run past its target. Summed over tickets,
    /// these are a report's `sla` counts at the same `as_of`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::SlaNeedsCalendar`] for a policy in business hours
    /// without a calendar.
    pub fn sla(
        &self,
        policy: &crate::sla::SlaPolicy,
        calendar: Option<&crate::calendar::Calendar>,
        as_of: DateTime<Utc>,
    ) -> Result<crate::sla::SlaCounts, Error> {
        policy.check(calendar)?;
        let mut counts = crate::sla::SlaCounts::default();
        counts.measure(
            policy,
            calendar,
            &self.derived,
            self.channel(),
            Instant::of(&as_of),
        );
        Ok(counts)
    }
}

#[cfg(test)]
mod tests;
