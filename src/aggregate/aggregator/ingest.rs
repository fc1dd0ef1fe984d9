//! Adding records: responses and events appended with their ids pending.

use super::*;
use crate::time::{FIRST_SECS, LAST_SECS};
use chrono::FixedOffset;

impl Aggregator {
    /// Makes room for about `responses` more survey responses and `events`
    /// more ticket events, so that a caller who knows the input's size
    /// (from file sizes, say) spares the state's vectors their regrowth and
    /// the copies it makes. Optional; an overestimate costs address space,
    /// not memory, as the room is touched only as records arrive.
    ///
    /// A hint only: room that cannot be had is not made (and a state holds
    /// at most about four billion ids of each kind).
    pub fn reserve(&mut self, responses: usize, events: usize) {
        let most = u32::MAX as usize;
        let (responses, events) = (responses.min(most), events.min(most));
        let s = &mut self.state;
        s.response_ids
            .reserve(responses, responses.saturating_mul(12));
        let _ = s.responses.try_reserve(responses);
        let _ = self.pending.response_at.try_reserve(responses);
        s.event_ids.reserve(events, events.saturating_mul(12));
        s.events.reserve(events);
        s.tickets.reserve_arena(events / 8, events);
    }

    pub(super) fn fixed_as_of(&self) -> Option<Instant> {
        self.state.options.as_of().map(|t| Instant::of(&t))
    }

    pub(super) fn note_instant(&mut self, at: Instant) {
        if self.state.latest.is_none_or(|latest| latest < at) {
            self.state.latest = Some(at);
        }
    }

    /// The symbol of a dimension value (0 for none).
    #[inline]
    pub(super) fn symbol(names: &mut Interner, value: Option<&str>) -> Result<u32, Error> {
        value.map_or(Ok(0), |v| Ok(names.intern_cached(v)?.0 + 1))
    }

    #[inline]
    pub(super) fn group(&mut self, key: GroupKey) -> u32 {
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
    /// [`ErrorKind::TimestampOutOfRange`] for an instant outside the
    /// years 1 to 9999 (UTC) of the records.
    /// [`ErrorKind::BucketOutOfRange`] with a time bucket, when the
    /// response's local date is outside 0001-01-01..=9999-12-31 (see
    /// [`Bucket::check`](crate::time::Bucket::check)); nothing is counted.
    /// [`ErrorKind::TooManyIds`] past about four billion deliveries or
    /// 4 GiB of id bytes.
    pub fn add_response(&mut self, response: &SurveyResponse) -> Result<(), Error> {
        self.check_scale(response)?;
        self.check_instant(response.at(), true)?;
        let id = self.state.response_ids.push(response.id().as_str())?;
        self.state.surveys.rows += 1;
        self.accept_response(response, id)
    }

    /// Checks that `at` lies in the records' years 1 to 9999 (UTC), as
    /// one parsed from text does, and when it `labels` a bucket that the
    /// bucket's label can be written. One comparison but within a day of
    /// either end.
    #[inline]
    fn check_instant(&self, at: DateTime<FixedOffset>, labels: bool) -> Result<(), Error> {
        const DAY: i64 = 86_400;
        if (FIRST_SECS + DAY..LAST_SECS - DAY).contains(&at.timestamp()) {
            return Ok(());
        }
        self.check_instant_near_the_ends(at.to_utc(), labels)
    }

    #[cold]
    #[inline(never)]
    fn check_instant_near_the_ends(&self, at: DateTime<Utc>, labels: bool) -> Result<(), Error> {
        if !(FIRST_SECS..LAST_SECS).contains(&at.timestamp()) {
            let text = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            return ErrorKind::TimestampOutOfRange(text).err();
        }
        let options = &self.state.options;
        match labels {
            true => options.bucket().check(at, options.timezone()),
            false => Ok(()),
        }
    }

    pub(super) fn check_scale(&self, response: &SurveyResponse) -> Result<(), Error> {
        let score = response.score();
        let expected = self.state.options.scales().of(score.metric());
        if score.scale() != expected {
            return Err(expected.mismatch(score.metric(), score.scale()));
        }
        Ok(())
    }

    /// Keeps a response whose id was appended as `id`.
    #[inline]
    pub(super) fn accept_response(
        &mut self,
        response: &SurveyResponse,
        id: u32,
    ) -> Result<(), Error> {
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
        let at = Stamp::of(at);
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
    /// [`ErrorKind::TimestampOutOfRange`] for an instant outside the
    /// years 1 to 9999 (UTC) of the records.
    /// [`ErrorKind::BucketOutOfRange`] for a `created` event, with a time
    /// bucket, whose local date is outside 0001-01-01..=9999-12-31 (the
    /// ticket's bucket is that of its creation); nothing is counted.
    /// [`ErrorKind::TooManyIds`] past about four billion deliveries or
    /// 4 GiB of id bytes.
    pub fn add_event(&mut self, event: &TicketEvent) -> Result<(), Error> {
        self.check_instant(
            event.at(),
            matches!(event.kind(), EventKind::Created { .. }),
        )?;
        let id = self.state.event_ids.push(event.id().as_str())?;
        self.state.event_input.rows += 1;
        self.accept_event(event, id)
    }

    /// Keeps an event whose id was appended as `id`.
    #[inline]
    pub(super) fn accept_event(&mut self, event: &TicketEvent, id: u32) -> Result<(), Error> {
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
        self.pending.latest = self.pending.latest.max(Stamp::of(at));
        let kept = self.state.folded.kept_after_last_fold;
        if self.state.options.idle_horizon().is_some() && self.state.events.len() >= 2 * kept + 4096
        {
            self.close_idle_tickets()?;
        }
        Ok(())
    }

    /// Counts a rejected record of `kind` and keeps it among the first 100
    /// of its kind.
    pub fn add_rejection(&mut self, kind: RecordKind, rejection: Rejection) {
        match kind {
            RecordKind::Surveys => self.state.surveys.reject(rejection),
            RecordKind::Events => self.state.event_input.reject(rejection),
        }
    }
}
