//! Pending ids: checked in bulk, by a report (without change) or for good.

use super::*;

impl Aggregator {
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
                s.latest = s.latest.max(Some(event.at()));
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
    pub(super) fn pending_view(&self) -> PendingView {
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
                latest = latest.max(Some(event.at()));
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
}
