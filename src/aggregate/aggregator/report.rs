//! The report: tickets derived from their events and gathered by group.

use super::*;

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

/// Derived tickets on their way into their groups' ticket KPIs.
struct Gather<'a> {
    options: &'a AggregateOptions,
    names: &'a Interner,
    as_of: Instant,
    bucketer: Bucketer,
    groups: GroupMap<(SurveyKpis, TicketKpis)>,
    /// Per bucket, the local dates on which any valid ticket was created.
    active_dates: HashMap<i32, hashbrown::HashSet<i32>>,
    /// The (bucket, date) pairs recorded last, by date: most tickets
    /// repeat one, and skip the set.
    recorded: [(i32, i32); 64],
    /// Without business time or SLA, a ticket's part is a few numbers:
    /// staged, then added group by group, so that each group's
    /// accumulators are fetched once per batch of tickets rather than once
    /// per ticket.
    plain: bool,
    staged: Staged,
}

impl Gather<'_> {
    /// Adds a valid ticket to its group. Inlined into the report's loop
    /// over tickets, the hottest in the crate.
    #[inline(always)]
    fn add(&mut self, t: &Derived<u32>) {
        let options = self.options;
        let key = ticket_key(&mut self.bucketer, options, t);
        let day = self.bucketer.local_day(t.created);
        let last = &mut self.recorded[day.rem_euclid(64) as usize];
        if *last != (key.bucket, day) {
            self.active_dates.entry(key.bucket).or_default().insert(day);
            *last = (key.bucket, day);
        }
        let hour = self.bucketer.local_hour(t.created);
        let fresh = || (options.survey_kpis(), TicketKpis::new());
        let group = self.groups.number(key, fresh);
        if self.plain {
            self.staged.push(group, hour, t);
            if self.staged.is_full() {
                self.staged.add_to(&mut self.groups);
            }
            return;
        }
        let kpis = &mut self.groups.value_mut(group).1;
        kpis.add_derived(t, options.calendar());
        kpis.count_arrival(hour);
        if let Some(policy) = options.sla() {
            let channel = t.channel.map(|sym| self.names.text(sym - 1));
            kpis.measure_sla(policy, options.calendar(), t, channel, self.as_of);
        }
    }
}

/// The group key of a derived ticket: the bucket of its `created` instant
/// and its dimensions.
pub(super) fn ticket_key(
    bucketer: &mut Bucketer,
    options: &AggregateOptions,
    t: &Derived<u32>,
) -> GroupKey {
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
    /// The report's instant: the fixed one, else the latest accepted
    /// instant; `None` without input.
    /// O(pending records) without a fixed one: repeated deliveries do not
    /// count.
    pub fn as_of(&self) -> Option<DateTime<Utc>> {
        let fixed = self.state.options.as_of();
        fixed.or_else(|| self.as_of_with(self.pending_view().latest))
    }

    pub(super) fn as_of_with(&self, latest: Option<Instant>) -> Option<DateTime<Utc>> {
        self.state
            .options
            .as_of()
            .or_else(|| latest.map(Instant::to_utc))
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
        let mut active_dates = HashMap::new();
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
            let mut gather = Gather {
                options,
                names: &state.names,
                as_of,
                bucketer: self.bucketer.clone(),
                groups,
                active_dates: HashMap::new(),
                recorded: [(i32::MIN, i32::MIN); 64],
                plain: options.calendar().is_none() && options.sla().is_none(),
                staged: Staged::default(),
            };
            self.derive_tickets(
                Some(as_of),
                &|_| true,
                Some(&view),
                |_, derived| match derived {
                    Err(_) => tickets.invalid += 1,
                    Ok(None) => {}
                    Ok(Some(t)) => {
                        tickets.valid += 1;
                        gather.add(t);
                    }
                },
            );
            gather.staged.add_to(&mut gather.groups);
            (groups, active_dates) = (gather.groups, gather.active_dates);
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
    pub(super) fn derive_tickets(
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
            for &i in indices {
                let e = state.events.get(i as usize);
                if used(i as usize, &e) {
                    run.push((e.sort_key(), e));
                }
            }
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
}
