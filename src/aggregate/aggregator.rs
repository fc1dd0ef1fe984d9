//! The streaming, mergeable aggregation of responses and events into
//! per-group KPIs.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use super::bits::BitSet;
use super::events::{EventStore, StoredEvent, STATUSES};
use super::groups::{GroupIndex, GroupKey, GroupMap, RecentGroups, SurveyCounts};
use super::ids::{IdSet, Repeats};
use super::intern::Interner;
use super::options::AggregateOptions;
use crate::dimensions::Dimension;
use crate::error::{Error, ErrorKind};
use crate::kpi::{SummaryOptions, SurveyKpis, TicketFacts, TicketKpis};
use crate::report::{
    GroupReport, InputSummary, RecordCounts, RecordKind, Rejection, Report, TicketCounts,
};
use crate::survey::{SurveyMetric, SurveyResponse};
use crate::ticket::{EventKind, EventTag, TicketEvent};
use crate::time::{date_of, Bucket, Bucketer, Instant};
use crate::timeline::{derive_with, Derived, InvalidTicket, Scratch};

/// Rejections kept per kind of record.
const REJECTIONS_KEPT: usize = 100;

/// An accepted survey response up to `as_of`: 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct StoredResponse {
    /// Number of its id in `response_ids`.
    id: u32,
    /// Index of its group key in `survey_groups`.
    group: u32,
    metric: u8,
    value: u8,
}

/// The counts of one kind of record and its first rejections.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Accounting {
    rows: u64,
    rejected: u64,
    rejections: Vec<Rejection>,
}

impl Accounting {
    fn reject(&mut self, rejection: Rejection) {
        self.rows += 1;
        self.rejected += 1;
        if self.rejections.len() < REJECTIONS_KEPT {
            self.rejections.push(rejection);
        }
    }

    fn merge(&mut self, other: &Accounting) {
        self.rows += other.rows;
        self.rejected += other.rejected;
        let room = REJECTIONS_KEPT.saturating_sub(self.rejections.len());
        self.rejections
            .extend(other.rejections.iter().take(room).cloned());
    }

    fn counts(&self, accepted: usize) -> RecordCounts {
        let accepted = accepted as u64;
        RecordCounts {
            rows: self.rows,
            accepted,
            duplicates: self.rows.saturating_sub(self.rejected + accepted),
            rejected: self.rejected,
            late: 0,
        }
    }
}

/// Folds survey responses and ticket events into per-group KPIs
/// (definitions, "Ticket timeline" to "The report").
///
/// Responses and events are added one at a time, in any order; each
/// ticket's events are kept until the report, so they may arrive anywhere
/// in the input. Record ids are deduplicated exactly, also across
/// [`merge`](Self::merge)s, and the merged state reports exactly what one
/// pass over all the input would.
///
/// Ids are checked in bulk, not as records arrive: a record is appended
/// with its id *pending*, and the pending ids are checked together (hashed,
/// grouped by hash, each group against its slice of the table of settled
/// ids) when the report needs them, on every report, and settled for good
/// when the state is saved or the streaming mode folds tickets. So adding
/// is a few appends, a merge appends the other state's records after
/// these, and the report drops repeated deliveries, the first one in input
/// order being kept. Ids that arrive in ascending order (counters, time-
/// ordered UUIDs: each longer than the one before, or as long and greater
/// byte by byte) cannot repeat: while they do, the check costs nothing,
/// and the merge of two such states is checked by one pass over the two
/// sorted sequences of ids, without hashing.
///
/// # Memory
///
/// The state grows with the input, as it must to merge exactly: each
/// pending id takes its bytes + 4 (each delivery, until settled), each
/// settled id its bytes + 15 to 25, each response up to `as_of` 12 bytes
/// (+ 16 while pending), each event 24 bytes (32 when grouping by team or
/// topic), each distinct ticket id and dimension value once. While it
/// runs, a report needs 8 bytes per pending id and about 15 MB to gather
/// derived tickets by group (65 536 at a time). Group
/// accumulators are bounded: counts per scale point and five duration
/// distributions of at most 256 exact values or a sketch of a few
/// thousand buckets (with up to 256 values waiting to be counted).
///
/// ```
/// use cxmetrics::{AggregateOptions, Aggregator, SurveyResponse, aggregate::Dimension, survey::{ResponseId, Scales, SurveyMetric, SurveyScore}, time::parse_timestamp};
/// let options = AggregateOptions::new().with_group_by(&[Dimension::Agent])?;
/// let mut aggregator = Aggregator::new(options);
/// for (id, agent, score) in [("r1", "ana", 10), ("r2", "ana", 6), ("r3", "ben", 9), ("r1", "ana", 10)] {
///     let score = SurveyScore::new(SurveyMetric::Nps, score, Scales::default())?;
///     let at = parse_timestamp("2026-03-02T09:00:00Z")?;
///     aggregator.add_response(&SurveyResponse::new(ResponseId::new(id)?, score, at).with_agent(agent))?;
/// }
/// let report = aggregator.report();
/// assert_eq!(report.input.surveys.duplicates, 1);
/// assert_eq!(report.groups.len(), 2);
/// assert_eq!(report.groups[0].surveys.nps.map(|s| s.score), Some(0.0));
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Aggregator {
    state: State,
    bucketer: Bucketer,
    /// Numbers the keys of `state.survey_groups`.
    survey_index: GroupIndex,
    /// The survey groups looked up last.
    recent_groups: RecentGroups,
    /// The stored responses' counts by group.
    survey_counts: SurveyCounts,
    /// Which of an event's channel, team and topic are kept.
    kept: KeptDimensions,
    /// Where the records whose ids are pending start.
    pending: Pending,
}

/// The records whose ids are pending ([`IdSet`]): not yet known to be
/// first deliveries. They are the last ones of `state.responses` and
/// `state.events`, and are settled (their repeats dropped) in bulk.
#[derive(Debug, Clone, Default)]
struct Pending {
    /// Index of the first pending response.
    responses: usize,
    /// Index of the first pending event.
    events: usize,
    /// The instant of each pending response ([`Stamp::NONE`] for responses
    /// merged from a settled state: its latest instant is taken whole).
    response_at: Vec<Stamp>,
    /// The latest instant of all pending records, repeats included: the
    /// latest accepted one when no pending id is a repeat.
    latest: Stamp,
}

/// An instant as nanoseconds since 1970-01-01, or none: ordered as
/// instants are, none first, and copied without padding bytes (one is
/// stored per pending response, on the hot path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Stamp(i128);

impl Stamp {
    /// No instant; below every instant.
    const NONE: Stamp = Stamp(i128::MIN);

    #[inline]
    fn of((secs, nanos): (i64, u32)) -> Stamp {
        Stamp(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
    }

    /// The instant as `(seconds, nanoseconds)`, if any.
    fn get(self) -> Option<(i64, u32)> {
        (self != Stamp::NONE).then(|| {
            let secs = self.0.div_euclid(1_000_000_000) as i64;
            (secs, self.0.rem_euclid(1_000_000_000) as u32)
        })
    }
}

impl Default for Stamp {
    fn default() -> Self {
        Stamp::NONE
    }
}

/// What the pending records come to, found without changing anything.
struct PendingView {
    /// Which pending response ids and event ids are repeats.
    response_repeats: Repeats,
    event_repeats: Repeats,
    /// The latest accepted instant, pending records included.
    latest: Option<(i64, u32)>,
    /// Pending first deliveries of events of folded tickets.
    late: u64,
}

/// The dimension values of events that the options use: grouped ones,
/// and channels when the SLA policy overrides targets per channel.
#[derive(Debug, Clone, Copy)]
struct KeptDimensions {
    channel: bool,
    team: bool,
    topic: bool,
}

impl KeptDimensions {
    fn of(options: &AggregateOptions) -> Self {
        let grouped = |d: Dimension| options.group_by().contains(&d);
        let sla_channels = options.sla().is_some_and(|p| p.has_channels());
        KeptDimensions {
            channel: grouped(Dimension::Channel) || sla_channels,
            team: grouped(Dimension::Team),
            topic: grouped(Dimension::Topic),
        }
    }
}

/// Everything an [`Aggregator`] saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    options: AggregateOptions,
    /// Dimension values; symbol = number + 1.
    names: Interner,
    tickets: Interner,
    event_ids: IdSet,
    response_ids: IdSet,
    survey_groups: Vec<GroupKey>,
    responses: Vec<StoredResponse>,
    events: EventStore,
    surveys: Accounting,
    event_input: Accounting,
    latest: Option<(i64, u32)>,
    folded: Folded,
}

/// Streaming mode's results of the tickets folded so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Folded {
    /// The numbers of the folded tickets.
    tickets: BitSet,
    groups: Vec<(GroupKey, TicketKpis)>,
    valid: u64,
    invalid: u64,
    /// Accepted events of folded tickets, not used.
    late: u64,
    /// Events kept after the last fold: the next runs when they doubled.
    kept_after_last_fold: usize,
}

impl Folded {
    fn contains(&self, ticket: u32) -> bool {
        self.tickets.contains(ticket as usize)
    }

    fn insert(&mut self, ticket: u32) {
        self.tickets.insert(ticket as usize);
    }

    fn any(&self) -> bool {
        self.valid + self.invalid > 0
    }
}

/// Derived tickets' parts, gathered to be added to their groups' ticket
/// KPIs a batch at a time, in group order.
#[derive(Default)]
struct Staged {
    /// Group number, local hour of creation and facts of each ticket.
    tickets: Vec<(u32, u8, TicketFacts)>,
    /// Each ticket's reply waits, in ticket order.
    waits: Vec<Duration>,
    /// How many reply waits each ticket has.
    wait_counts: Vec<u32>,
    /// The tickets (hour, facts, waits) and their waits moved into group
    /// order, so that adding them reads memory in order.
    sorted: Vec<(u8, TicketFacts, u32)>,
    sorted_waits: Vec<Duration>,
}

impl Staged {
    /// Tickets gathered before they are added (a few in tests, so that
    /// they cross batches).
    const BATCH: usize = if cfg!(test) { 5 } else { 1 << 16 };

    fn push(&mut self, group: u32, hour: usize, t: &Derived<u32>) {
        self.tickets.push((group, hour as u8, TicketFacts::of(t)));
        self.waits
            .extend(t.waits.iter().map(|&(opened, closed)| closed.since(opened)));
        // Fewer waits than events, and events are numbered in 32 bits.
        self.wait_counts.push(t.waits.len() as u32);
    }

    fn is_full(&self) -> bool {
        self.tickets.len() >= Self::BATCH
    }

    /// Adds the gathered tickets, group by group (in ticket order within
    /// a group), and forgets them.
    fn add_to(&mut self, groups: &mut GroupMap<(SurveyKpis, TicketKpis)>) {
        // Where each group's tickets and waits go: a counting sort.
        let mut starts = vec![(0u32, 0u32); groups.len() + 1];
        for (&(group, _, _), &waits) in self.tickets.iter().zip(&self.wait_counts) {
            let next = &mut starts[group as usize + 1];
            *next = (next.0 + 1, next.1 + waits);
        }
        for g in 1..starts.len() {
            let before = starts[g - 1];
            let here = &mut starts[g];
            *here = (here.0 + before.0, here.1 + before.1);
        }
        let ends: Vec<(u32, u32)> = starts[1..].to_vec();
        self.sorted
            .resize(self.tickets.len(), (0, TicketFacts::default(), 0));
        self.sorted_waits.resize(self.waits.len(), Duration::ZERO);
        let mut read = 0;
        for (&(group, hour, facts), &count) in self.tickets.iter().zip(&self.wait_counts) {
            let (slot, wait_slot) = &mut starts[group as usize];
            self.sorted[*slot as usize] = (hour, facts, count);
            let count = count as usize;
            self.sorted_waits[*wait_slot as usize..][..count]
                .copy_from_slice(&self.waits[read..read + count]);
            read += count;
            *slot += 1;
            *wait_slot += count as u32;
        }
        let (mut ticket, mut wait) = (0, 0);
        for (group, &(end, _)) in ends.iter().enumerate() {
            if ticket == end as usize {
                continue;
            }
            let kpis = &mut groups.value_mut(group as u32).1;
            for &(hour, facts, count) in &self.sorted[ticket..end as usize] {
                let count = count as usize;
                kpis.add_facts(&facts, &self.sorted_waits[wait..wait + count]);
                kpis.count_arrival(usize::from(hour));
                wait += count;
            }
            ticket = end as usize;
        }
        self.tickets.clear();
        self.waits.clear();
        self.wait_counts.clear();
    }
}

/// The group key of a derived ticket: the bucket of its `created` instant
/// and its dimensions.
fn ticket_key(bucketer: &mut Bucketer, options: &AggregateOptions, t: &Derived<u32>) -> GroupKey {
    let mut key = GroupKey {
        bucket: bucketer.label(t.created),
        dims: [0; 4],
    };
    for (slot, dimension) in key.dims.iter_mut().zip(options.group_by()) {
        *slot = match dimension {
            Dimension::Agent => t.agent,
            Dimension::Channel => t.channel,
            Dimension::Team => t.team,
            Dimension::Topic => t.topic,
        }
        .unwrap_or(0);
    }
    key
}

impl Aggregator {
    /// An empty aggregator.
    pub fn new(options: AggregateOptions) -> Self {
        let bucketer = Bucketer::new(options.timezone(), options.bucket());
        let kept = KeptDimensions::of(&options);
        let survey_counts = SurveyCounts::new(options.survey_kpis());
        Aggregator {
            pending: Pending::default(),
            state: State {
                options,
                names: Interner::default(),
                tickets: Interner::default(),
                event_ids: IdSet::default(),
                response_ids: IdSet::default(),
                survey_groups: Vec::new(),
                responses: Vec::new(),
                events: EventStore::default(),
                surveys: Accounting::default(),
                event_input: Accounting::default(),
                latest: None,
                folded: Folded::default(),
            },
            bucketer,
            survey_index: GroupIndex::default(),
            recent_groups: RecentGroups::default(),
            survey_counts,
            kept,
        }
    }

    /// Makes room for about `responses` more survey responses and `events`
    /// more ticket events, so that a caller who knows the input's size
    /// (from file sizes, say) spares the state's vectors their regrowth and
    /// the copies it makes. Optional; an overestimate costs address space,
    /// not memory, as the room is touched only as records arrive.
    pub fn reserve(&mut self, responses: usize, events: usize) {
        let s = &mut self.state;
        s.response_ids.reserve(responses, responses * 12);
        s.responses.reserve(responses);
        self.pending.response_at.reserve(responses);
        s.event_ids.reserve(events, events * 12);
        s.events.reserve(events);
        s.tickets.reserve_arena(events / 8, events);
    }

    /// The options.
    pub fn options(&self) -> &AggregateOptions {
        &self.state.options
    }

    fn fixed_as_of(&self) -> Option<Instant> {
        self.state.options.as_of().map(|t| Instant::of(&t))
    }

    fn note_instant(&mut self, at: Instant) {
        let at = (at.secs(), at.nanos());
        if self.state.latest.is_none_or(|latest| latest < at) {
            self.state.latest = Some(at);
        }
    }

    /// The symbol of a dimension value (0 for none).
    #[inline]
    fn symbol(names: &mut Interner, value: Option<&str>) -> Result<u32, Error> {
        value.map_or(Ok(0), |v| Ok(names.intern_cached(v)?.0 + 1))
    }

    #[inline]
    fn group(&mut self, key: GroupKey) -> u32 {
        self.recent_groups
            .number(&mut self.survey_index, &mut self.state.survey_groups, key)
    }

    /// Adds a survey response. O(1): its id is checked against the
    /// others' in bulk, later (when a report, a save or a merge's report
    /// needs it); a repeated id is then counted as a duplicate delivery.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ScaleMismatch`] when the score was validated on other
    /// scales than the options'; nothing is counted then.
    /// [`ErrorKind::TooManyIds`] past about four billion deliveries or
    /// 4 GiB of id bytes.
    pub fn add_response(&mut self, response: &SurveyResponse) -> Result<(), Error> {
        self.check_scale(response)?;
        let id = self.state.response_ids.push(response.id().as_str())?;
        self.state.surveys.rows += 1;
        self.accept_response(response, id)
    }

    fn check_scale(&self, response: &SurveyResponse) -> Result<(), Error> {
        let score = response.score();
        let expected = self.state.options.scales().of(score.metric());
        if score.scale() != expected {
            return Err(expected.mismatch(score.metric(), score.scale()));
        }
        Ok(())
    }

    /// Keeps a response whose id was appended as `id`.
    #[inline]
    fn accept_response(&mut self, response: &SurveyResponse, id: u32) -> Result<(), Error> {
        let score = response.score();
        let at = Instant::of(&response.at());
        if self.fixed_as_of().is_some_and(|as_of| at > as_of) {
            // Only its id is kept. It counts towards the latest instant as
            // if accepted: with a fixed as_of, the report does not use it.
            self.note_instant(at);
            return Ok(());
        }
        let dims = response.dimensions();
        let (grouped, names) = (self.state.options.group_by(), &mut self.state.names);
        let mut symbol = |i: usize| {
            let value = match grouped.get(i) {
                None => return Ok(0),
                Some(Dimension::Agent) => dims.agent(),
                Some(Dimension::Channel) => dims.channel(),
                Some(Dimension::Team) => dims.team(),
                Some(Dimension::Topic) => dims.topic(),
            };
            Self::symbol(names, value)
        };
        // Built as one value, not slot by slot: the key is read back whole
        // at once, which stores of its parts could not serve.
        let dims = [symbol(0)?, symbol(1)?, symbol(2)?, symbol(3)?];
        let key = GroupKey {
            bucket: self.bucketer.label(at),
            dims,
        };
        let group = self.group(key);
        self.state.responses.push(StoredResponse {
            id,
            group,
            metric: score.metric() as u8,
            value: score.value(),
        });
        let at = Stamp::of((at.secs(), at.nanos()));
        self.pending.response_at.push(at);
        self.pending.latest = self.pending.latest.max(at);
        Ok(())
    }

    /// Adds survey responses, as [`add_response`](Self::add_response) one
    /// by one, after making room for all of them at once.
    ///
    /// # Errors
    ///
    /// As [`add_response`](Self::add_response), at the first response in
    /// error; the responses before it are added.
    pub fn add_responses(&mut self, responses: &[SurveyResponse]) -> Result<(), Error> {
        self.state.response_ids.reserve(responses.len(), 0);
        self.state.responses.reserve(responses.len());
        self.pending.response_at.reserve(responses.len());
        responses.iter().try_for_each(|r| self.add_response(r))
    }

    /// Adds ticket events, as [`add_event`](Self::add_event) one by one,
    /// after making room for all of them at once.
    ///
    /// # Errors
    ///
    /// As [`add_event`](Self::add_event); the events before are added.
    pub fn add_events(&mut self, events: &[TicketEvent]) -> Result<(), Error> {
        self.state.event_ids.reserve(events.len(), 0);
        self.state.events.reserve(events.len());
        events.iter().try_for_each(|e| self.add_event(e))
    }

    /// Adds a ticket event. O(1); the event is kept until the report, and
    /// its id checked against the others' in bulk, as a response's is.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyIds`] past about four billion deliveries or
    /// 4 GiB of id bytes.
    pub fn add_event(&mut self, event: &TicketEvent) -> Result<(), Error> {
        let id = self.state.event_ids.push(event.id().as_str())?;
        self.state.event_input.rows += 1;
        self.accept_event(event, id)
    }

    /// Keeps an event whose id was appended as `id`.
    #[inline]
    fn accept_event(&mut self, event: &TicketEvent, id: u32) -> Result<(), Error> {
        let at = Instant::of(&event.at());
        if self.fixed_as_of().is_some_and(|as_of| at > as_of) {
            self.note_instant(at);
            return Ok(());
        }
        let (ticket, _) = self.state.tickets.intern_recent(event.ticket().as_str())?;
        let KeptDimensions {
            channel: by_channel,
            team: by_team,
            topic: by_topic,
        } = self.kept;
        let names = &mut self.state.names;
        let status = match event.kind() {
            EventKind::Status { status } => STATUSES.iter().position(|s| s == status),
            _ => None,
        };
        let mut stored = StoredEvent {
            secs_kind: StoredEvent::secs_kind(
                at.secs(),
                EventTag::of(event.kind()),
                status.unwrap_or(0) as u8,
            ),
            nanos: at.nanos(),
            ticket,
            id,
            who: 0,
            team: 0,
            topic: 0,
        };
        if by_topic {
            stored.topic = Self::symbol(names, event.topic().map(|t| t.as_str()))?;
        }
        match event.kind() {
            EventKind::Created { channel, team } => {
                if by_channel {
                    stored.who = Self::symbol(names, channel.as_ref().map(|c| c.as_str()))?;
                }
                if by_team {
                    stored.team = Self::symbol(names, team.as_ref().map(|t| t.as_str()))?;
                }
            }
            EventKind::Assigned { agent, team } => {
                stored.who = Self::symbol(names, Some(agent.as_str()))?;
                if by_team {
                    stored.team = Self::symbol(names, team.as_ref().map(|t| t.as_str()))?;
                }
            }
            EventKind::AgentReply { agent }
            | EventKind::HandlingStarted { agent }
            | EventKind::HandlingEnded { agent } => {
                stored.who = Self::symbol(names, Some(agent.as_str()))?;
            }
            EventKind::Status { .. }
            | EventKind::CustomerReply
            | EventKind::BotReply
            | EventKind::InternalNote => {}
        }
        self.state.events.push(stored);
        self.pending.latest = self.pending.latest.max(Stamp::of((at.secs(), at.nanos())));
        let kept = self.state.folded.kept_after_last_fold;
        if self.state.options.idle_horizon().is_some() && self.state.events.len() >= 2 * kept + 4096
        {
            self.close_idle_tickets()?;
        }
        Ok(())
    }

    /// Deduplicates now: checks the ids of the records added since the
    /// last check in bulk, drops the repeated deliveries and files the ids
    /// of the others for good. Never needed for a result (a report checks pending ids
    /// by itself, each time); it makes the following reports cheaper and
    /// lets [`to_bytes`](Self::to_bytes) save without first settling a
    /// copy. O(pending records + the settled ids they land among).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyIds`] past 2^32 − 1 settled ids or 4 GiB of
    /// their bytes (not reached: ids are counted as they arrive); the ids
    /// of each kind are settled whole or not at all.
    pub fn dedupe(&mut self) -> Result<(), Error> {
        let s = &mut self.state;
        let known = s.response_ids.len() as u32;
        let numbers = s.response_ids.settle()?;
        let pending = s.responses.split_off(self.pending.responses);
        let mut latest = Stamp::NONE;
        for (response, at) in pending.into_iter().zip(self.pending.response_at.drain(..)) {
            if let Some(id) = numbers[(response.id - known) as usize] {
                self.survey_counts
                    .add(response.group, response.metric, response.value);
                s.responses.push(StoredResponse { id, ..response });
                latest = latest.max(at);
            }
        }
        s.latest = s.latest.max(latest.get());
        self.pending.responses = s.responses.len();
        self.pending.response_at = Vec::new();
        let known = s.event_ids.len() as u32;
        let numbers = s.event_ids.settle()?;
        let pending: Vec<StoredEvent> = (self.pending.events..s.events.len())
            .map(|i| s.events.get(i))
            .collect();
        s.events.truncate(self.pending.events);
        for event in pending {
            if let Some(id) = numbers[(event.id - known) as usize] {
                s.latest = s.latest.max(Some((event.secs(), event.nanos)));
                if s.folded.contains(event.ticket) {
                    s.folded.late += 1;
                } else {
                    s.events.push(StoredEvent { id, ..event });
                }
            }
        }
        self.pending.events = s.events.len();
        self.pending.latest = Stamp::NONE;
        Ok(())
    }

    /// What the pending records come to, without settling them.
    fn pending_view(&self) -> PendingView {
        let s = &self.state;
        let response_repeats = s.response_ids.repeats();
        let event_repeats = s.event_ids.repeats();
        let all_first = response_repeats.firsts() == s.response_ids.pending_len()
            && event_repeats.firsts() == s.event_ids.pending_len();
        if all_first && !s.folded.any() {
            // Every pending record counts: no need to read them again.
            return PendingView {
                response_repeats,
                event_repeats,
                latest: s.latest.max(self.pending.latest.get()),
                late: 0,
            };
        }
        let known = s.response_ids.len() as u32;
        let responses_latest = s.responses[self.pending.responses..]
            .iter()
            .zip(&self.pending.response_at)
            .filter(|(response, _)| !response_repeats.get((response.id - known) as usize))
            .map(|(_, &at)| at)
            .max()
            .unwrap_or(Stamp::NONE);
        let mut latest = s.latest.max(responses_latest.get());
        let known = s.event_ids.len() as u32;
        let mut late = 0;
        for i in self.pending.events..s.events.len() {
            let event = s.events.get(i);
            if !event_repeats.get((event.id - known) as usize) {
                latest = latest.max(Some((event.secs(), event.nanos)));
                late += u64::from(s.folded.contains(event.ticket));
            }
        }
        PendingView {
            response_repeats,
            event_repeats,
            latest,
            late,
        }
    }

    /// Streaming mode: closes every ticket whose last event is more than
    /// the idle horizon before the latest accepted instant (derives it,
    /// adds it to its group's results, and frees its events); returns how
    /// many tickets were closed. Runs by itself as events arrive (whenever the events kept
    /// have doubled), so calling it is only needed to free memory at a
    /// chosen moment. Nothing happens without an idle horizon. O(events
    /// kept + pending records).
    ///
    /// # Errors
    ///
    /// As [`add_event`](Self::add_event), from settling the pending
    /// records first; nothing is folded then.
    pub fn close_idle_tickets(&mut self) -> Result<usize, Error> {
        if self.state.options.idle_horizon().is_none() {
            return Ok(0);
        }
        self.dedupe()?;
        let (Some(idle), Some((secs, nanos))) =
            (self.state.options.idle_horizon(), self.state.latest)
        else {
            return Ok(0);
        };
        let watermark = Instant::from_parts(secs, nanos);
        let nanos_of = |secs: i64, nanos: u32| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        let threshold = nanos_of(secs, nanos) - idle.as_nanos() as i128;
        let mut last = vec![i128::MIN; self.state.tickets.len()];
        for e in self.state.events.iter() {
            let at = nanos_of(e.secs(), e.nanos);
            let slot = &mut last[e.ticket as usize];
            *slot = (*slot).max(at);
        }
        let idle_ticket = |t: u32| {
            let at = last[t as usize];
            at != i128::MIN && at < threshold
        };
        let mut groups: GroupMap<TicketKpis> = self.state.folded.groups.drain(..).collect();
        let mut bucketer = self.bucketer.clone();
        let (mut valid, mut invalid, mut folded) = (0, 0, Vec::new());
        self.derive_tickets(None, &idle_ticket, None, |ticket, derived| {
            folded.push(ticket);
            match derived {
                Err(_) => invalid += 1,
                Ok(None) => {}
                Ok(Some(t)) => {
                    valid += 1;
                    let options = &self.state.options;
                    let key = ticket_key(&mut bucketer, options, t);
                    let hour = bucketer.local_hour(t.created);
                    let kpis = groups.get(key, TicketKpis::default);
                    kpis.add_derived(t, options.calendar());
                    kpis.count_arrival(hour);
                    // Folded tickets are measured at the watermark: final by design.
                    if let Some(policy) = options.sla() {
                        let channel = t.channel.map(|sym| self.state.names.text(sym - 1));
                        kpis.measure_sla(policy, options.calendar(), t, channel, watermark);
                    }
                }
            }
        });
        let f = &mut self.state.folded;
        f.valid += valid;
        f.invalid += invalid;
        f.groups = groups.into_entries().collect();
        for &ticket in &folded {
            f.insert(ticket);
        }
        self.state.events.retain(|e| !idle_ticket(e.ticket));
        self.state.folded.kept_after_last_fold = self.state.events.len();
        self.pending.events = self.state.events.len();
        Ok(folded.len())
    }

    /// Counts a rejected record of `kind` and keeps it among the first 100
    /// of its kind.
    pub fn add_rejection(&mut self, kind: RecordKind, rejection: Rejection) {
        match kind {
            RecordKind::Surveys => self.state.surveys.reject(rejection),
            RecordKind::Events => self.state.event_input.reject(rejection),
        }
    }

    /// Adds `other`'s input, as if it had been added here after this
    /// aggregator's: ids already accepted here are duplicates, rows and
    /// rejections add up, and `other`'s rejections follow these (100 of a
    /// kind at most).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OptionsMismatch`] when the two were made with different
    /// options (`self` is then unchanged); [`ErrorKind::TooManyIds`] past
    /// about four billion ids (`self` is then partly merged).
    pub fn merge(&mut self, other: &Aggregator) -> Result<(), Error> {
        let (mine, theirs) = (&self.state.options, &other.state.options);
        if let Some(difference) = mine.difference(theirs) {
            return ErrorKind::OptionsMismatch(difference).err();
        }
        if self.state.folded.any() || other.state.folded.any() {
            return ErrorKind::FoldedState.err();
        }
        let other_pending = &other.pending;
        let other = &other.state;
        let names = self.state.names.symbols_of(&other.names)?;
        let remap = |sym: u32| names[sym as usize];
        let groups: Vec<u32> = other
            .survey_groups
            .iter()
            .map(|key| {
                self.group(GroupKey {
                    bucket: key.bucket,
                    dims: key.dims.map(remap),
                })
            })
            .collect();
        // `other`'s ids follow these as pending deliveries, and its records
        // follow these as pending records: settling them later drops the
        // repeats, as one pass would have.
        let s = &mut self.state;
        let base = s.response_ids.extend_from(&other.response_ids)?;
        let settled_responses = other_pending.responses;
        s.responses
            .extend(other.responses.iter().map(|r| StoredResponse {
                id: base + r.id,
                group: groups[r.group as usize],
                ..*r
            }));
        let pending_at = &mut self.pending.response_at;
        pending_at.extend(std::iter::repeat_n(Stamp::NONE, settled_responses));
        pending_at.extend(other_pending.response_at.iter().copied());
        self.pending.latest = self.pending.latest.max(other_pending.latest);
        let mut tickets = Vec::with_capacity(other.tickets.len());
        s.tickets.intern_batch_from(
            &other.tickets,
            |i| i as u32,
            other.tickets.len(),
            |number, _| tickets.push(number),
        )?;
        let base = s.event_ids.extend_from(&other.event_ids)?;
        s.events.reserve(other.events.len());
        for event in other.events.iter() {
            s.events.push(StoredEvent {
                id: base + event.id,
                ticket: tickets[event.ticket as usize],
                who: remap(event.who),
                team: remap(event.team),
                topic: remap(event.topic),
                ..event
            });
        }
        self.state.surveys.merge(&other.surveys);
        self.state.event_input.merge(&other.event_input);
        // The latest instant of `other`'s settled records, taken whole: which
        // of two differing deliveries of an id is kept across merged parts
        // is unspecified.
        self.state.latest = self.state.latest.max(other.latest);
        Ok(())
    }

    /// As [`merge`](Self::merge), taking `other` by value: when this state
    /// holds no ticket event, `other`'s events, tickets and event ids move
    /// over instead of being inserted one by one. Combining a state of
    /// survey files with one of event files, built on two threads, costs
    /// little this way.
    ///
    /// # Errors
    ///
    /// As [`merge`](Self::merge).
    pub fn merge_owned(&mut self, mut other: Aggregator) -> Result<(), Error> {
        let no_events = self.state.event_ids.len() == 0
            && self.state.event_ids.pending_len() == 0
            && self.state.event_input.rows == 0;
        if no_events
            && self.state.options == other.state.options
            && !self.state.folded.any()
            && !other.state.folded.any()
        {
            let names = self.state.names.symbols_of(&other.state.names)?;
            let remap = |sym: u32| names[sym as usize];
            let mut events = std::mem::take(&mut other.state.events);
            events.remap_symbols(remap);
            self.state.events = events;
            self.state.tickets = std::mem::take(&mut other.state.tickets);
            self.state.event_ids = std::mem::take(&mut other.state.event_ids);
            self.state.event_input = std::mem::take(&mut other.state.event_input);
            self.pending.events = std::mem::take(&mut other.pending.events);
        }
        // What is left of `other` (all of it, or its surveys) merges as usual.
        self.merge(&other)
    }

    /// The report's instant: the fixed one, else the latest accepted
    /// instant; `None` without input.
    /// O(pending records) without a fixed one: repeated deliveries do not
    /// count.
    pub fn as_of(&self) -> Option<DateTime<Utc>> {
        let fixed = self.state.options.as_of();
        fixed.or_else(|| self.as_of_with(self.pending_view().latest))
    }

    fn as_of_with(&self, latest: Option<(i64, u32)>) -> Option<DateTime<Utc>> {
        self.state
            .options
            .as_of()
            .or_else(|| latest.map(|(s, n)| Instant::from_parts(s, n).to_utc()))
    }

    /// The report with the documented statistics (95%, adjusted Wald).
    pub fn report(&self) -> Report {
        self.report_with(SummaryOptions::default())
    }

    /// The report. O(events · log(events per ticket) + responses + groups ·
    /// log groups); the pending records' ids are checked on the way, and
    /// stay pending.
    pub fn report_with(&self, summary: SummaryOptions) -> Report {
        let state = &self.state;
        let view = self.pending_view();
        let options = &state.options;
        let mut groups: GroupMap<(SurveyKpis, TicketKpis)> = GroupMap::new();
        let fresh = || (options.survey_kpis(), TicketKpis::new());
        let mut tickets = TicketCounts::default();
        // Per bucket, the local dates on which any valid ticket was created.
        let mut active_dates: HashMap<i32, hashbrown::HashSet<i32>> = HashMap::new();
        let as_of = self.as_of_with(view.latest).map(|t| Instant::of(&t));
        if let Some(as_of) = as_of {
            let mut counts = self.survey_counts.clone();
            let known = state.response_ids.len() as u32;
            for r in &state.responses[self.pending.responses..] {
                if !view.response_repeats.get((r.id - known) as usize) {
                    counts.add(r.group, r.metric, r.value);
                }
            }
            for (number, key) in state.survey_groups.iter().enumerate() {
                if let Some(kpis) = counts.kpis(number as u32) {
                    groups.get(*key, fresh).0 = kpis;
                }
            }
            let mut bucketer = self.bucketer.clone();
            // The (bucket, date) pairs recorded last, by date: most tickets
            // repeat one, and skip the set.
            let mut recorded = [(i32::MIN, i32::MIN); 64];
            // Without business time or SLA, a ticket's part is a few
            // numbers: gathered, then added group by group, so that each
            // group's accumulators are fetched once per batch of tickets
            // rather than once per ticket.
            let plain = options.calendar().is_none() && options.sla().is_none();
            let mut staged = Staged::default();
            let pending = Some(&view);
            self.derive_tickets(
                Some(as_of),
                &|_| true,
                pending,
                |_, derived| match derived {
                    Err(_) => tickets.invalid += 1,
                    Ok(None) => {}
                    Ok(Some(t)) => {
                        tickets.valid += 1;
                        let key = ticket_key(&mut bucketer, options, t);
                        let day = bucketer.local_day(t.created);
                        let last = &mut recorded[day.rem_euclid(64) as usize];
                        if *last != (key.bucket, day) {
                            active_dates.entry(key.bucket).or_default().insert(day);
                            *last = (key.bucket, day);
                        }
                        let hour = bucketer.local_hour(t.created);
                        let group = groups.number(key, fresh);
                        if plain {
                            staged.push(group, hour, t);
                            if staged.is_full() {
                                staged.add_to(&mut groups);
                            }
                            return;
                        }
                        let kpis = &mut groups.value_mut(group).1;
                        kpis.add_derived(t, options.calendar());
                        kpis.count_arrival(hour);
                        if let Some(policy) = options.sla() {
                            let channel = t.channel.map(|sym| state.names.text(sym - 1));
                            kpis.measure_sla(policy, options.calendar(), t, channel, as_of);
                        }
                    }
                },
            );
            staged.add_to(&mut groups);
            let folded = &state.folded;
            tickets.valid += folded.valid;
            tickets.invalid += folded.invalid;
            for (key, kpis) in &folded.groups {
                // Folded and live tickets are disjoint: never an overflow in practice.
                let _ = groups.get(*key, fresh).1.merge(kpis);
            }
        }
        let name = |sym: u32| (sym != 0).then(|| state.names.text(sym - 1));
        // Sorted by number, not moved: the accumulators are large.
        let (keys, values) = groups.parts();
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (keys[a], keys[b]);
            a.bucket.cmp(&b.bucket).then_with(|| {
                let dims = options.group_by().len();
                a.dims[..dims]
                    .iter()
                    .map(|&s| name(s))
                    .cmp(b.dims[..dims].iter().map(|&s| name(s)))
            })
        });
        let bucketed = options.bucket() != Bucket::None;
        let groups = order
            .into_iter()
            .map(|i| (keys[i], &values[i]))
            .map(|(key, (surveys, ticket_kpis))| GroupReport {
                bucket: bucketed.then(|| date_of(key.bucket)),
                dimensions: options
                    .group_by()
                    .iter()
                    .zip(key.dims)
                    .map(|(d, sym)| (*d, name(sym).map(str::to_owned)))
                    .collect(),
                surveys: surveys.summary_with(summary),
                tickets: ticket_kpis.summary(),
                targets: None,
                active_dates: active_dates.get(&key.bucket).map_or(0, |d| d.len() as u64),
                staffing: None,
            })
            .collect();
        let mut rejections = state.surveys.rejections.clone();
        rejections.extend(state.event_input.rejections.iter().cloned());
        rejections.truncate(REJECTIONS_KEPT);
        Report {
            as_of: as_of.map(Instant::to_utc),
            timezone: options.timezone().name().to_owned(),
            bucket: options.bucket(),
            group_by: options.group_by().to_vec(),
            input: InputSummary {
                surveys: state
                    .surveys
                    .counts(state.response_ids.len() + view.response_repeats.firsts()),
                events: RecordCounts {
                    late: state.folded.late + view.late,
                    ..state
                        .event_input
                        .counts(state.event_ids.len() + view.event_repeats.firsts())
                },
                tickets,
            },
            rejections,
            groups,
        }
    }

    /// Derives every selected ticket from its events up to `as_of` (all
    /// when `None`), in ticket order; of the pending events, only the first
    /// deliveries of tickets not folded, as `pending` tells (none without).
    fn derive_tickets(
        &self,
        as_of: Option<Instant>,
        select: &dyn Fn(u32) -> bool,
        pending: Option<&PendingView>,
        mut f: impl FnMut(u32, Result<Option<&Derived<u32>>, InvalidTicket>),
    ) {
        let state = &self.state;
        let (settled, known) = (self.pending.events, state.event_ids.len() as u32);
        let used = |i: usize, e: &StoredEvent| {
            i < settled
                || pending.is_some_and(|view| {
                    !view.event_repeats.get((e.id - known) as usize)
                        && !state.folded.contains(e.ticket)
                })
        };
        // Counting sort of the events by ticket, then each ticket's events
        // by (instant, kind, id bytes).
        let mut starts = vec![0u32; state.tickets.len() + 1];
        for ticket in state.events.tickets() {
            starts[ticket as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut order = vec![0u32; state.events.len()];
        let mut next = starts.clone();
        for (i, ticket) in state.events.tickets().enumerate() {
            let slot = &mut next[ticket as usize];
            order[*slot as usize] = i as u32;
            *slot += 1;
        }
        // Each run is copied, with its sort keys, into a buffer that stays
        // in cache while it is sorted and derived.
        let ids = &state.event_ids;
        let mut run: Vec<(i128, StoredEvent)> = Vec::new();
        let mut scratch = Scratch::default();
        for ticket in 0..state.tickets.len() {
            let indices = &order[starts[ticket] as usize..starts[ticket + 1] as usize];
            if indices.is_empty() || !select(ticket as u32) {
                continue;
            }
            run.clear();
            run.extend(indices.iter().filter_map(|&i| {
                let e = state.events.get(i as usize);
                used(i as usize, &e).then(|| (e.sort_key(), e))
            }));
            if run.is_empty() {
                continue;
            }
            let order = |(a_key, a): &(i128, StoredEvent), (b_key, b): &(i128, StoredEvent)| {
                a_key
                    .cmp(b_key)
                    .then_with(|| ids.bytes(a.id).cmp(ids.bytes(b.id)))
            };
            // Most tickets' events come in order: checked in one pass.
            if !run.is_sorted_by(|a, b| order(a, b).is_le()) {
                run.sort_unstable_by(order);
            }
            let steps = run
                .iter()
                .map(|(_, e)| e)
                .take_while(|e| as_of.is_none_or(|as_of| e.at() <= as_of))
                .map(StoredEvent::step);
            let derived = derive_with(steps, &mut scratch);
            f(
                ticket as u32,
                derived.as_ref().map(Option::as_ref).map_err(|e| *e),
            );
            if let Ok(Some(derived)) = derived {
                scratch.recycle(derived);
            }
        }
    }

    /// Bytes held by the state on the heap (a lower bound of its memory:
    /// allocator overhead aside).
    pub fn heap_bytes(&self) -> usize {
        let s = &self.state;
        s.names.heap_bytes()
            + s.tickets.heap_bytes()
            + s.event_ids.heap_bytes()
            + s.response_ids.heap_bytes()
            + s.survey_groups.capacity() * std::mem::size_of::<GroupKey>()
            + s.responses.capacity() * std::mem::size_of::<StoredResponse>()
            + s.events.heap_bytes()
            + self.survey_index.heap_bytes()
            + self.recent_groups.heap_bytes()
            + self.survey_counts.heap_bytes()
            + self.pending.response_at.capacity() * std::mem::size_of::<Stamp>()
    }

    /// The state with no pending record: this one's, or a settled copy's.
    ///
    /// # Errors
    ///
    /// As [`dedupe`](Self::dedupe).
    pub(crate) fn settled_state(&self) -> Result<std::borrow::Cow<'_, State>, Error> {
        let s = &self.state;
        if s.response_ids.pending_len() == 0 && s.event_ids.pending_len() == 0 {
            return Ok(std::borrow::Cow::Borrowed(s));
        }
        let mut copy = self.clone();
        copy.dedupe()?;
        Ok(std::borrow::Cow::Owned(copy.state))
    }

    /// An aggregator from saved state, after checking every index in it.
    pub(crate) fn from_state(state: State) -> Result<Aggregator, Error> {
        state.validate()?;
        let mut aggregator = Aggregator::new(state.options.clone());
        let Some(index) = GroupIndex::of(&state.survey_groups) else {
            return ErrorKind::corrupt("a group is stored twice").err();
        };
        aggregator.survey_index = index;
        for r in &state.responses {
            aggregator.survey_counts.add(r.group, r.metric, r.value);
        }
        // A saved state has no pending record.
        aggregator.pending.responses = state.responses.len();
        aggregator.pending.events = state.events.len();
        aggregator.state = state;
        Ok(aggregator)
    }
}

impl State {
    /// Checks that every number in the state points at something.
    fn validate(&self) -> Result<(), Error> {
        let corrupt = |what: &str| Err(ErrorKind::corrupt(what).into());
        let names = self.names.len() as u32;
        let dims = self.options.group_by().len();
        for key in &self.survey_groups {
            if key.dims.iter().any(|&s| s > names) || key.dims[dims..].iter().any(|&s| s != 0) {
                return corrupt("a group names an unknown value");
            }
        }
        let scales = self.options.scales();
        for r in &self.responses {
            let metric = [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces]
                .get(usize::from(r.metric));
            let valid = metric.is_some_and(|&m| scales.of(m).contains(r.value.into()));
            if !valid
                || !self.response_ids.contains_number(r.id)
                || r.group as usize >= self.survey_groups.len()
            {
                return corrupt("a response is out of range");
            }
        }
        for e in self.events.iter() {
            let syms_ok = [e.who, e.team, e.topic].iter().all(|&s| s <= names);
            if !syms_ok
                || usize::from(e.tag()) >= EventTag::ALL.len()
                || usize::from(e.status()) >= STATUSES.len()
                || e.nanos >= 1_000_000_000
                || e.ticket as usize >= self.tickets.len()
                || !self.event_ids.contains_number(e.id)
                || chrono::DateTime::from_timestamp(e.secs(), e.nanos).is_none()
            {
                return corrupt("an event is out of range");
            }
        }
        let accounted = |a: &Accounting, accepted: usize| {
            a.rejected
                .checked_add(accepted as u64)
                .is_some_and(|n| n <= a.rows)
        };
        if !accounted(&self.surveys, self.response_ids.len())
            || !accounted(&self.event_input, self.event_ids.len())
        {
            return corrupt("input counts do not add up");
        }
        if self.latest.is_some_and(|(s, n)| {
            n >= 1_000_000_000 || chrono::DateTime::from_timestamp(s, n).is_none()
        }) {
            return corrupt("the latest instant is out of range");
        }
        Ok(())
    }
}

impl PartialEq for Aggregator {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes the documentation promises.
    #[test]
    fn stored_records_are_compact() {
        assert_eq!(std::mem::size_of::<StoredResponse>(), 12);
        assert_eq!(std::mem::size_of::<GroupKey>(), 20);
    }

    /// Tickets added group by group, in batches, count as when added one
    /// by one as a timeline's metrics.
    #[test]
    fn gathered_tickets_add_up_as_one_by_one() {
        use crate::id::Name;
        use crate::id::{EventId, TicketId};
        use crate::ticket::Status;
        use crate::time::parse_timestamp;
        use crate::timeline::Timeline;
        let options = AggregateOptions::new()
            .with_group_by(&[Dimension::Agent])
            .unwrap();
        let mut aggregator = Aggregator::new(options);
        let agents = ["ana", "ben", "cy"];
        let mut expected = vec![TicketKpis::new(); agents.len()];
        let base = parse_timestamp("2026-03-02T08:00:00Z").unwrap();
        for t in 0..23 {
            let agent = || Name::new(agents[t % 3]).unwrap();
            let mut kinds = vec![
                EventKind::Created {
                    channel: None,
                    team: None,
                },
                EventKind::AgentReply { agent: agent() },
            ];
            for _ in 0..t % 4 {
                kinds.push(EventKind::CustomerReply);
                kinds.push(EventKind::AgentReply { agent: agent() });
            }
            if t % 2 == 0 {
                kinds.push(EventKind::Status {
                    status: Status::Solved,
                });
            }
            let mut timeline = Timeline::new();
            for (i, kind) in kinds.into_iter().enumerate() {
                let minutes = (t * 60 + i * (t % 5 + 1) * 7) as i64;
                let event = TicketEvent::new(
                    EventId::new(format!("{t}-{i}")).unwrap(),
                    TicketId::new(format!("t{t}")).unwrap(),
                    base + chrono::TimeDelta::minutes(minutes),
                    kind,
                );
                aggregator.add_event(&event).unwrap();
                timeline.push(event).unwrap();
            }
            let metrics = timeline.metrics(None).unwrap().unwrap();
            let kpis = &mut expected[t % 3];
            kpis.add(&metrics);
            kpis.count_arrival((8 + t) % 24);
        }
        let report = aggregator.report();
        assert_eq!(report.groups.len(), agents.len());
        for (group, kpis) in report.groups.iter().zip(&expected) {
            assert_eq!(group.tickets, kpis.summary(), "{:?}", group.dimensions);
        }
    }

    /// A second delivery of an id, later than everything else, is a
    /// duplicate: it moves neither the latest instant nor any count,
    /// whether the first was settled in between or not.
    #[test]
    fn a_repeated_delivery_does_not_move_as_of() {
        use crate::id::{EventId, ResponseId, TicketId};
        use crate::survey::{Scales, SurveyScore};
        use crate::time::parse_timestamp;
        let at = |t: &str| parse_timestamp(t).unwrap();
        let response = |t| {
            let score = SurveyScore::new(SurveyMetric::Nps, 9, Scales::default()).unwrap();
            SurveyResponse::new(ResponseId::new("r1").unwrap(), score, at(t))
        };
        let event = |t, id: &str| {
            let created = EventKind::Created {
                channel: None,
                team: None,
            };
            TicketEvent::new(
                EventId::new(id).unwrap(),
                TicketId::new("t1").unwrap(),
                at(t),
                created,
            )
        };
        for settle in [false, true] {
            let mut a = Aggregator::new(AggregateOptions::new());
            a.add_response(&response("2026-03-02T09:00:00Z")).unwrap();
            a.add_event(&event("2026-03-02T08:00:00Z", "e1")).unwrap();
            if settle {
                a.dedupe().unwrap();
            }
            a.add_response(&response("2026-03-02T11:00:00Z")).unwrap();
            a.add_event(&event("2026-03-02T10:00:00Z", "e1")).unwrap();
            let expected = at("2026-03-02T09:00:00Z").with_timezone(&Utc);
            assert_eq!(a.as_of(), Some(expected), "settled: {settle}");
            let report = a.report();
            assert_eq!(report.input.surveys.duplicates, 1);
            assert_eq!(report.input.events.duplicates, 1);
            assert_eq!(report.input.tickets.valid, 1);
            a.dedupe().unwrap();
            assert_eq!(a.report(), report);
        }
    }
}
