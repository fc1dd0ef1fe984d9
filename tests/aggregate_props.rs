//! Properties of the aggregator: any split of the input into parts, merged
//! along any tree, reports what one pass reports; a saved, restored and
//! continued state reports what one that never stopped does; corrupt or
//! foreign states are errors, never panics.

use chrono::{DateTime, TimeDelta, Utc};
use cxmetrics::{
    aggregate::Dimension,
    report::{RecordKind, Rejection},
    survey::{ResponseId, Scales, SurveyMetric, SurveyScore},
    ticket::{EventId, EventKind, Name, Status, TicketId},
    time::{parse_timestamp, Bucket},
    AggregateOptions, Aggregator, ErrorKind, SurveyResponse, TicketEvent,
};
use proptest::prelude::*;
use serde_json::Value;

/// One input record.
#[derive(Debug, Clone)]
enum Record {
    Response(SurveyResponse),
    Event(TicketEvent),
    Rejected(RecordKind, u64),
}

fn base() -> DateTime<chrono::FixedOffset> {
    parse_timestamp("2026-03-28T20:00:00+01:00").unwrap()
}

fn name(prefix: &str, n: u8) -> Name {
    Name::new(format!("{prefix}{n}")).unwrap()
}

/// A pool of distinct responses; the input samples it with repetition,
/// so a repeated id is an identical delivery.
fn response(
    n: u16,
    metric: usize,
    value: i64,
    minutes: i64,
    agent: u8,
    channel: u8,
) -> SurveyResponse {
    let metric = [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces][metric];
    let scale = Scales::default().of(metric);
    let value = i64::from(scale.min()) + value % scale.points() as i64;
    let score = SurveyScore::new(metric, value, Scales::default()).unwrap();
    let mut r = SurveyResponse::new(
        ResponseId::new(format!("r{n}")).unwrap(),
        score,
        base() + TimeDelta::minutes(minutes),
    );
    if agent < 3 {
        r = r.with_agent(format!("agent{agent}"));
    }
    r.with_channel(format!("ch{channel}"))
}

fn event(n: u16, ticket: u8, kind: u8, minutes: i64, who: u8) -> TicketEvent {
    let agent = name("agent", who % 3);
    let kind = match kind % 9 {
        0 => EventKind::Created {
            channel: Some(name("ch", who % 2)),
            team: who.is_multiple_of(3).then(|| name("team", who)),
        },
        1 => EventKind::CustomerReply,
        2 => EventKind::BotReply,
        3 => EventKind::InternalNote,
        4 => EventKind::Assigned {
            agent,
            team: Some(name("team", who % 2)),
        },
        5 => EventKind::HandlingStarted { agent },
        6 => EventKind::HandlingEnded { agent },
        7 => EventKind::AgentReply { agent },
        _ => EventKind::Status {
            status: [
                Status::Solved,
                Status::Open,
                Status::Closed,
                Status::Pending,
            ][usize::from(who % 4)],
        },
    };
    let e = TicketEvent::new(
        EventId::new(format!("e{n}")).unwrap(),
        TicketId::new(format!("t{ticket}")).unwrap(),
        base() + TimeDelta::minutes(minutes),
        kind,
    );
    if who.is_multiple_of(5) {
        e.with_topic(name("topic", who % 2).as_str())
    } else {
        e
    }
}

fn input() -> impl Strategy<Value = Vec<Record>> {
    let responses = prop::collection::vec((0..3usize, 0..11i64, 0..3000i64, 0..4u8, 0..2u8), 1..40);
    // Most tickets start with `created`; timelines of 1..8 events.
    let tickets = prop::collection::vec(
        (
            0..3000i64,
            prop::collection::vec((1..9u8, prop_oneof![Just(0i64), 1..600i64], 0..20u8), 0..8),
            any::<bool>(),
        ),
        1..12,
    );
    (
        responses,
        tickets,
        prop::collection::vec(0..200usize, 0..300),
        prop::collection::vec(0..2u8, 0..4),
        any::<bool>(),
    )
        .prop_map(|(responses, tickets, picks, rejected, in_order)| {
            let mut pool: Vec<Record> = responses
                .into_iter()
                .enumerate()
                .map(|(i, (m, v, t, a, c))| Record::Response(response(i as u16, m, v, t, a, c)))
                .collect();
            let mut n = 0u16;
            for (t, (start, steps, created)) in tickets.into_iter().enumerate() {
                let mut minutes = start;
                if created {
                    pool.push(Record::Event(event(n, t as u8, 0, minutes, t as u8)));
                    n += 1;
                }
                for (kind, gap, who) in steps {
                    minutes += gap;
                    pool.push(Record::Event(event(n, t as u8, kind, minutes, who)));
                    n += 1;
                }
            }
            // Every pool record once, in a scrambled order or in the order
            // of their ids (which the id sets check without hashing), plus
            // repeated deliveries.
            let len = pool.len();
            let step = if in_order { 1 } else { 7919 };
            let mut records: Vec<Record> =
                (0..len).map(|i| pool[(i * step) % len].clone()).collect();
            records.extend(picks.iter().map(|&p| pool[p % len].clone()));
            for (i, kind) in rejected.into_iter().enumerate() {
                let kind = if kind == 0 {
                    RecordKind::Surveys
                } else {
                    RecordKind::Events
                };
                records.insert(
                    i * 3 % (records.len() + 1),
                    Record::Rejected(kind, i as u64 + 2),
                );
            }
            records
        })
}

fn options(variant: u8) -> AggregateOptions {
    let o = AggregateOptions::new();
    match variant % 5 {
        4 => {
            // Business hours: Monday to Friday 08:00–18:00 in Berlin, made once.
            static CALENDAR: std::sync::OnceLock<cxmetrics::calendar::Calendar> =
                std::sync::OnceLock::new();
            let calendar = CALENDAR.get_or_init(|| {
                let day = vec![(8 * 3600, 18 * 3600)];
                let hours = [
                    day.clone(),
                    day.clone(),
                    day.clone(),
                    day.clone(),
                    day,
                    vec![],
                    vec![],
                ];
                cxmetrics::calendar::Calendar::new("Europe/Berlin", hours, &[]).unwrap()
            });
            o.with_group_by(&[Dimension::Agent])
                .unwrap()
                .with_calendar(calendar.clone())
        }
        0 => o,
        1 => o
            .with_group_by(&[Dimension::Agent])
            .unwrap()
            .with_bucket(Bucket::Day)
            .with_timezone("Europe/Berlin".parse().unwrap()),
        2 => o
            .with_group_by(&[Dimension::Channel, Dimension::Team, Dimension::Topic])
            .unwrap()
            .with_bucket(Bucket::Week),
        _ => o
            .with_group_by(&[Dimension::Topic, Dimension::Agent])
            .unwrap()
            .with_bucket(Bucket::Month)
            .with_as_of(DateTime::<Utc>::from(base() + TimeDelta::minutes(1500))),
    }
}

fn feed(aggregator: &mut Aggregator, records: &[Record]) {
    for record in records {
        match record {
            Record::Response(r) => {
                aggregator.add_response(r).unwrap();
            }
            Record::Event(e) => {
                aggregator.add_event(e).unwrap();
            }
            Record::Rejected(kind, line) => {
                let bad = cxmetrics::ErrorKind::MalformedRecord("bad".to_owned());
                let rejection = Rejection::new("input", *line, bad.into());
                aggregator.add_rejection(*kind, rejection);
            }
        }
    }
}

/// As [`feed`], with runs of responses and of events added as batches.
fn feed_batched(aggregator: &mut Aggregator, records: &[Record]) {
    let mut rest = records;
    while let Some(first) = rest.first() {
        let run = rest
            .iter()
            .take_while(|r| std::mem::discriminant(*r) == std::mem::discriminant(first))
            .count();
        let (head, tail) = rest.split_at(run);
        match first {
            Record::Response(_) => {
                let batch: Vec<SurveyResponse> = head
                    .iter()
                    .filter_map(|r| match r {
                        Record::Response(r) => Some(r.clone()),
                        _ => None,
                    })
                    .collect();
                aggregator.add_responses(&batch).unwrap();
            }
            Record::Event(_) => {
                let batch: Vec<TicketEvent> = head
                    .iter()
                    .filter_map(|r| match r {
                        Record::Event(e) => Some(e.clone()),
                        _ => None,
                    })
                    .collect();
                aggregator.add_events(&batch).unwrap();
            }
            Record::Rejected(..) => feed(aggregator, head),
        }
        rest = tail;
    }
}

/// The report as JSON, with the rejections sorted: a merge tree may list
/// them in another order.
fn report(aggregator: &Aggregator) -> Value {
    let mut json = serde_json::to_value(aggregator.report()).unwrap();
    if let Value::Array(list) = &mut json["rejections"] {
        list.sort_by_key(|r| (r["file"].to_string(), r["line"].as_u64()));
    }
    json
}

/// Merges `parts` along a tree chosen by `choices`.
fn merge_tree(mut parts: Vec<Aggregator>, choices: &[prop::sample::Index]) -> Aggregator {
    let mut step = 0;
    while parts.len() > 1 {
        let i = choices.get(step).map_or(0, |c| c.index(parts.len() - 1));
        step += 1;
        let right = parts.remove(i + 1);
        // By reference or by value: the same result.
        if step % 2 == 0 {
            parts[i].merge(&right).unwrap();
        } else {
            parts[i].merge_owned(right).unwrap();
        }
    }
    parts.pop().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_split_merged_in_any_tree_equals_one_pass(
        records in input(),
        variant in 0..5u8,
        assignment in prop::collection::vec(0..4usize, 400),
        choices in prop::collection::vec(any::<prop::sample::Index>(), 4),
    ) {
        let mut whole = Aggregator::new(options(variant));
        feed(&mut whole, &records);
        let mut parts: Vec<Vec<Record>> = vec![Vec::new(); 4];
        for (i, record) in records.iter().enumerate() {
            parts[assignment[i % assignment.len()]].push(record.clone());
        }
        let parts: Vec<Aggregator> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let mut a = Aggregator::new(options(variant));
                // Half the parts take their records in batches.
                if i % 2 == 0 { feed(&mut a, part) } else { feed_batched(&mut a, part) }
                a
            })
            .collect();
        let merged = merge_tree(parts, &choices);
        let (expected, actual) = (report(&whole), report(&merged));
        prop_assert_eq!(&actual["input"], &expected["input"]);
        prop_assert_eq!(&actual["groups"], &expected["groups"]);
        prop_assert_eq!(actual, expected);
    }

    /// Surveys in one state, events in another (as the command line reads
    /// them on two threads): absorbing moves the events over, and the
    /// result is one pass's.
    #[test]
    fn absorbing_a_state_of_events_equals_one_pass(records in input(), variant in 0..5u8) {
        let mut whole = Aggregator::new(options(variant));
        feed(&mut whole, &records);
        let is_event = |r: &&Record| matches!(r, Record::Event(_) | Record::Rejected(RecordKind::Events, _));
        let surveys: Vec<Record> = records.iter().filter(|r| !is_event(r)).cloned().collect();
        let events: Vec<Record> = records.iter().filter(is_event).cloned().collect();
        let (mut a, mut b) = (Aggregator::new(options(variant)), Aggregator::new(options(variant)));
        feed_batched(&mut a, &surveys);
        feed_batched(&mut b, &events);
        a.merge_owned(b).unwrap();
        prop_assert_eq!(report(&a), report(&whole));
    }

    #[test]
    fn save_restore_continue_equals_never_stopping(records in input(), variant in 0..5u8, cut in any::<prop::sample::Index>()) {
        let mut whole = Aggregator::new(options(variant));
        feed(&mut whole, &records);
        let cut = cut.index(records.len() + 1);
        let mut first = Aggregator::new(options(variant));
        feed(&mut first, &records[..cut]);
        let mut resumed = Aggregator::from_bytes(&first.to_bytes()).unwrap();
        feed_batched(&mut resumed, &records[cut..]);
        prop_assert_eq!(report(&resumed), report(&whole));
        // Settled (as saving does), the two states are the same: ids are
        // settled in delivery order, wherever the input was cut.
        let (mut resumed, mut whole) = (resumed, whole);
        resumed.dedupe().unwrap();
        whole.dedupe().unwrap();
        prop_assert!(resumed == whole, "states differ");
    }

    #[test]
    fn damaged_states_are_errors_never_panics(records in input(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let mut a = Aggregator::new(options(1));
        feed(&mut a, &records);
        let bytes = a.to_bytes();
        // Truncated anywhere: an error.
        let end = cut.index(bytes.len());
        prop_assert!(Aggregator::from_bytes(&bytes[..end]).is_err());
        // One byte changed: an error or a state that reports without panicking.
        let mut flipped = bytes.clone();
        let i = at.index(bytes.len());
        flipped[i] ^= byte | 1;
        if let Ok(state) = Aggregator::from_bytes(&flipped) {
            let _ = state.report();
        }
        // Trailing bytes: an error.
        let mut longer = bytes;
        longer.push(0);
        prop_assert!(Aggregator::from_bytes(&longer).is_err());
    }

    #[test]
    fn arbitrary_bytes_are_errors(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut with_header = b"CXMSTATE\x01\x00".to_vec();
        with_header.extend(&bytes);
        for candidate in [bytes, with_header] {
            if let Ok(state) = Aggregator::from_bytes(&candidate) {
                let _ = state.report();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The aggregator's per-ticket path (stored events, counting sort,
    /// tie order by id bytes) agrees with [`Timeline`] on every ticket.
    #[test]
    fn tickets_agree_with_timelines(records in input()) {
        let mut aggregator = Aggregator::new(AggregateOptions::new().with_group_by(&[Dimension::Agent]).unwrap());
        feed(&mut aggregator, &records);
        let mut timelines: std::collections::BTreeMap<String, cxmetrics::Timeline> = Default::default();
        for record in &records {
            if let Record::Event(e) = record {
                let _ = timelines.entry(e.ticket().to_string()).or_default().push(e.clone());
            }
        }
        let as_of = aggregator.as_of();
        let mut by_agent: std::collections::BTreeMap<Option<String>, cxmetrics::TicketKpis> = Default::default();
        // Arrivals per UTC hour (the aggregator's default zone), per agent.
        let mut hours: std::collections::BTreeMap<Option<String>, [u64; 24]> = Default::default();
        let (mut valid, mut invalid) = (0u64, 0u64);
        for timeline in timelines.values() {
            match timeline.metrics(as_of) {
                Ok(Some(m)) => {
                    valid += 1;
                    by_agent.entry(m.agent().map(str::to_owned)).or_default().add(&m);
                    use chrono::Timelike;
                    hours.entry(m.agent().map(str::to_owned)).or_default()[m.created_at().hour() as usize] += 1;
                }
                Ok(None) => {}
                Err(_) => invalid += 1,
            }
        }
        let report = aggregator.report();
        prop_assert_eq!((report.input.tickets.valid, report.input.tickets.invalid), (valid, invalid));
        let actual: Vec<_> = report
            .groups
            .iter()
            .filter_map(|g| g.tickets.map(|t| (g.dimensions[0].1.clone(), t)))
            .collect();
        let expected: Vec<_> = by_agent
            .iter()
            .map(|(agent, k)| {
                let summary = cxmetrics::kpi::TicketSummary { arrivals_by_hour: hours[agent], ..k.summary().unwrap() };
                (agent.clone(), summary)
            })
            .collect();
        prop_assert_eq!(actual, expected);
    }
}

#[test]
fn foreign_versions_and_options_are_refused() {
    let a = Aggregator::new(options(1));
    let mut bytes = a.to_bytes();
    bytes[8] = 9;
    let err = Aggregator::from_bytes(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a cxmetrics state: format version 9, this build reads version 5"
    );
    assert!(matches!(
        Aggregator::from_bytes(b"PK\x03\x04").unwrap_err().kind(),
        ErrorKind::ForeignState(_)
    ));
    let mut b = Aggregator::new(options(2));
    let err = b.merge(&a).unwrap_err();
    assert_eq!(
        err.to_string(),
        "states made with different options: group by \"channel,team,topic\" vs \"agent\""
    );
    let scales = cxmetrics::survey::Scales {
        csat: cxmetrics::survey::Scale::new(1, 10).unwrap(),
        ces: cxmetrics::survey::Scale::CES,
    };
    let mut c = Aggregator::new(AggregateOptions::new().with_scales(scales).unwrap());
    assert!(c.merge(&Aggregator::new(AggregateOptions::new())).is_err());
    let as_of = Aggregator::new(AggregateOptions::new().with_as_of(DateTime::<Utc>::from(base())));
    assert!(Aggregator::new(AggregateOptions::new())
        .merge(&as_of)
        .unwrap_err()
        .to_string()
        .starts_with("states made with different options: as_of"));
}

/// Every change of one byte of a saved state is refused: the checksum
/// catches what the checks of counts and indices would let through.
#[test]
fn every_single_byte_change_is_refused() {
    let mut aggregator = Aggregator::new(options(1));
    for i in 0..200u16 {
        let minutes = i64::from(i) * 7;
        aggregator
            .add_response(&response(
                i,
                usize::from(i % 3),
                i64::from(i),
                minutes,
                (i % 4) as u8,
                (i % 2) as u8,
            ))
            .unwrap();
        aggregator
            .add_event(&event(
                i,
                (i % 23) as u8,
                (i % 6) as u8,
                minutes,
                (i % 5) as u8,
            ))
            .unwrap();
    }
    let bytes = aggregator.to_bytes();
    let report = Aggregator::from_bytes(&bytes).unwrap().report();
    assert_eq!(report, aggregator.report());
    assert!(bytes.len() > 2000, "{} bytes", bytes.len());
    for i in 0..bytes.len() {
        for flip in [0x01, 0x80, 0xff, (i % 255 + 1) as u8] {
            let mut damaged = bytes.clone();
            damaged[i] ^= flip;
            let error = Aggregator::from_bytes(&damaged).unwrap_err();
            assert!(
                matches!(
                    error.kind(),
                    ErrorKind::CorruptState(_) | ErrorKind::ForeignState(_)
                ),
                "byte {i} ^ {flip:#x}: {error}"
            );
        }
    }
    // Cut short or lengthened anywhere: refused too.
    for len in 0..bytes.len() {
        assert!(
            Aggregator::from_bytes(&bytes[..len]).is_err(),
            "cut at {len}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Aggregator::from_bytes(&longer).is_err());
}

#[test]
fn aggregator_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Aggregator>();
}
