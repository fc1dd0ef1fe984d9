//! Merging another state: its records after these, as one pass would read them.

use super::*;

impl Aggregator {
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
}
