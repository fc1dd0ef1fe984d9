//! Streaming mode: tickets idle past the horizon closed and their events freed.

use super::report::ticket_key;
use super::*;

impl Aggregator {
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
        let (Some(idle), Some(watermark)) = (self.state.options.idle_horizon(), self.state.latest)
        else {
            return Ok(0);
        };
        let (secs, nanos) = (watermark.secs(), watermark.nanos());
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
}
