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

mod ingest;
mod merge;
mod pending;
mod report;
mod state;
mod stream;

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
/// stored per pending response, on the hot path). The one encoding of an
/// instant besides [`Instant`] itself, kept because one comparison of an
/// `i128` beats `Instant`'s two: with `Vec<Instant>` and a sentinel,
/// bench `aggregate/surveys_agent_day_in_order` was 10% slower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Stamp(i128);

impl Stamp {
    /// No instant; below every instant.
    const NONE: Stamp = Stamp(i128::MIN);

    #[inline]
    fn of(at: Instant) -> Stamp {
        Stamp(i128::from(at.secs()) * 1_000_000_000 + i128::from(at.nanos()))
    }

    /// The instant as `(seconds, nanoseconds)`, if any.
    fn get(self) -> Option<Instant> {
        (self != Stamp::NONE).then(|| {
            let secs = self.0.div_euclid(1_000_000_000) as i64;
            Instant::from_parts(secs, self.0.rem_euclid(1_000_000_000) as u32)
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
    latest: Option<Instant>,
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
    latest: Option<Instant>,
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

    /// The options.
    pub fn options(&self) -> &AggregateOptions {
        &self.state.options
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

    /// Options are checked when a state is loaded, not only when set: a
    /// favorable rule that does not fit its scale is a corrupt state.
    #[test]
    fn a_state_with_a_rule_outside_its_scale_is_refused() {
        let mut json = serde_json::to_value(AggregateOptions::new()).unwrap();
        json["csat_rule"] = serde_json::json!({"top_box": 5});
        let options: AggregateOptions = serde_json::from_value(json).unwrap();
        let bytes = Aggregator::new(options).to_bytes();
        let err = Aggregator::from_bytes(&bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "corrupt state: a favorable rule does not fit its scale"
        );
    }
}
