//! The saved state: what it holds, and its checks when loaded.

use super::*;
use crate::time::{FIRST_SECS, LAST_SECS};

impl State {
    /// Checks that every number in the state points at something.
    fn validate(&self) -> Result<(), Error> {
        let corrupt = |what: &str| Err(ErrorKind::corrupt(what).into());
        let names = self.names.len() as u32;
        let dims = self.options.group_by().len();
        let (bucket, zone) = (self.options.bucket(), self.options.timezone());
        let key_ok = |key: &GroupKey| {
            key.dims.iter().all(|&s| s <= names)
                && key.dims[dims..].iter().all(|&s| s == 0)
                && bucket.is_label(key.bucket)
        };
        if !self.survey_groups.iter().all(key_ok) {
            return corrupt("a group names an unknown value");
        }
        let scales = self.options.scales();
        let rules_fit = self.options.csat_rule().points(scales.csat).is_ok()
            && self.options.ces_rule().points(scales.ces).is_ok();
        if !rules_fit {
            return corrupt("a favorable rule does not fit its scale");
        }
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
                || !within_records_years(e.secs(), e.nanos)
                || (e.tag() == EventTag::Created as u8
                    && chrono::DateTime::from_timestamp(e.secs(), e.nanos)
                        .is_none_or(|at| bucket.check(at, zone).is_err()))
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
        let folded = &self.folded;
        let mut created = 0u64;
        for (key, kpis) in &folded.groups {
            if !key_ok(key) {
                return corrupt("a group names an unknown value");
            }
            if !kpis.consistent() {
                return corrupt("ticket counts do not add up");
            }
            created = created.saturating_add(kpis.created());
        }
        let folded_tickets = folded.valid.checked_add(folded.invalid);
        // Closed tickets without a `created` event are closed but not counted.
        let closed = folded.tickets.len() as u64;
        if created != folded.valid
            || folded_tickets.is_none_or(|n| n > closed)
            || closed > self.tickets.len() as u64
        {
            return corrupt("closed ticket counts do not add up");
        }
        if self
            .latest
            .is_some_and(|at| !within_records_years(at.secs(), at.nanos()))
        {
            return corrupt("the latest instant is out of range");
        }
        Ok(())
    }
}

/// Whether an instant lies in the years 1 to 9999 (UTC) of the records.
fn within_records_years(secs: i64, nanos: u32) -> bool {
    (FIRST_SECS..LAST_SECS).contains(&secs) && nanos < 1_000_000_000
}

impl Aggregator {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{EventId, Name, TicketId};
    use crate::sla::{SlaPolicy, SlaTargets};
    use crate::time::parse_timestamp;

    /// A state with one closed ticket (answered after its 30-minute first
    /// response target) and one open one.
    fn closed_state() -> State {
        let policy = SlaPolicy::new(SlaTargets {
            first_response: Some(Duration::from_secs(1800)),
            ..Default::default()
        });
        let options = AggregateOptions::new()
            .with_sla(policy)
            .unwrap()
            .with_idle_horizon(Duration::from_secs(3600));
        let mut aggregator = Aggregator::new(options);
        let created = || EventKind::Created {
            channel: None,
            team: None,
        };
        let reply = EventKind::AgentReply {
            agent: Name::new("ana").unwrap(),
        };
        for (id, ticket, at, kind) in [
            ("e1", "T1", "2026-03-02T09:00:00Z", created()),
            ("e2", "T1", "2026-03-02T10:00:00Z", reply),
            ("e3", "T2", "2026-03-02T14:00:00Z", created()),
        ] {
            let event = TicketEvent::new(
                EventId::new(id).unwrap(),
                TicketId::new(ticket).unwrap(),
                parse_timestamp(at).unwrap(),
                kind,
            );
            aggregator.add_event(&event).unwrap();
        }
        assert_eq!(aggregator.close_idle_tickets().unwrap(), 1);
        aggregator.dedupe().unwrap();
        aggregator.state
    }

    /// A state whose closed tickets' counts were changed (as a crafted
    /// file with a valid checksum may hold) is refused as corrupt.
    #[test]
    fn crafted_closed_counts_are_refused() {
        let state = closed_state();
        assert!(Aggregator::from_state(state.clone()).is_ok());
        let crafted: [(&str, u64); 7] = [
            ("/sla/first_response/met", 127),
            ("/sla/first_response/measured", 5),
            ("/answered", 2),
            ("/created", 0),
            ("/created", 2),
            ("/resolved_reopened", 1),
            ("/arrivals_by_hour/3", 9),
        ];
        for (pointer, value) in crafted {
            let mut state = state.clone();
            let kpis = &mut state.folded.groups[0].1;
            let mut json = serde_json::to_value(&*kpis).unwrap();
            *json.pointer_mut(pointer).expect(pointer) = value.into();
            *kpis = serde_json::from_value(json).unwrap();
            let error = Aggregator::from_state(state).unwrap_err();
            assert!(
                matches!(error.kind(), ErrorKind::CorruptState(_)),
                "{pointer} = {value}: {error}"
            );
        }
        let mut state = state.clone();
        state.folded.valid += 1;
        assert!(Aggregator::from_state(state).is_err());
    }

    /// A record whose local date no bucket label can write is refused
    /// with nothing counted; a loaded state with such a label, or a label
    /// that is not one of its bucket's, is corrupt.
    #[test]
    fn labels_outside_years_1_to_9999_are_refused() {
        let zone = crate::time::TimeZone::new("Pacific/Kiritimati").unwrap();
        let options = AggregateOptions::new()
            .with_bucket(Bucket::Week)
            .with_timezone(zone);
        let mut aggregator = Aggregator::new(options);
        let at = |text| parse_timestamp(text).unwrap();
        let event = |id, kind| {
            TicketEvent::new(
                EventId::new(id).unwrap(),
                TicketId::new("T").unwrap(),
                at("9999-12-31T20:00:00Z"),
                kind,
            )
        };
        let created = event(
            "e1",
            EventKind::Created {
                channel: None,
                team: None,
            },
        );
        let error = aggregator.add_event(&created).unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::BucketOutOfRange { .. }),
            "{error}"
        );
        let reply = event(
            "e2",
            EventKind::AgentReply {
                agent: Name::new("ana").unwrap(),
            },
        );
        aggregator.add_event(&reply).unwrap();
        assert_eq!(aggregator.state.event_input.rows, 1);
        aggregator.dedupe().unwrap();
        let state = aggregator.state.clone();
        assert!(Aggregator::from_state(state.clone()).is_ok());

        // The reply turned into a creation: refused at its instant, not
        // at an earlier one.
        let as_created = |secs: i64| {
            let mut crafted = state.clone();
            let mut stored = crafted.events.get(0);
            crafted.events.truncate(0);
            stored.secs_kind = StoredEvent::secs_kind(secs, EventTag::Created, 0);
            crafted.events.push(stored);
            Aggregator::from_state(crafted)
        };
        assert!(as_created(at("9999-12-30T20:00:00Z").timestamp()).is_ok());
        assert!(as_created(at("9999-12-31T20:00:00Z").timestamp()).is_err());

        let mut surveys = Aggregator::new(state.options.clone());
        let response = crate::SurveyResponse::new(
            crate::id::ResponseId::new("r1").unwrap(),
            crate::survey::SurveyScore::new(
                crate::survey::SurveyMetric::Nps,
                9,
                Default::default(),
            )
            .unwrap(),
            at("2026-03-04T09:00:00Z"),
        );
        surveys.add_response(&response).unwrap();
        surveys.dedupe().unwrap();
        let monday = surveys.state.survey_groups[0].bucket;
        assert!(Aggregator::from_state(surveys.state.clone()).is_ok());
        for label in [
            monday + 1,
            i32::MAX,
            (crate::time::LAST_SECS / 86_400) as i32 + 3,
        ] {
            let mut crafted = surveys.state.clone();
            crafted.survey_groups[0].bucket = label;
            assert!(Aggregator::from_state(crafted).is_err(), "{label}");
        }
    }
}
