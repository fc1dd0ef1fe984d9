//! Streaming mode: idle tickets folded into the results, their events
//! freed, later events for them counted as late.

use std::time::Duration;

use chrono::TimeDelta;
use cxmetrics::{
    aggregate::Dimension,
    ticket::{EventId, EventKind, Name, Status, TicketId},
    time::parse_timestamp,
    AggregateOptions, Aggregator, ErrorKind, TicketEvent,
};
use proptest::prelude::*;

fn event(id: usize, ticket: u8, minutes: i64, kind: EventKind) -> TicketEvent {
    let at = parse_timestamp("2026-03-02T08:00:00Z").unwrap() + TimeDelta::minutes(minutes);
    TicketEvent::new(
        EventId::new(format!("e{id}")).unwrap(),
        TicketId::new(format!("t{ticket}")).unwrap(),
        at,
        kind,
    )
}

fn kind(k: u8, agent: u8) -> EventKind {
    let agent = Name::new(format!("agent{}", agent % 3)).unwrap();
    match k % 6 {
        0 => EventKind::CustomerReply,
        1 => EventKind::AgentReply { agent },
        2 => EventKind::Assigned { agent, team: None },
        3 => EventKind::Status {
            status: Status::Solved,
        },
        4 => EventKind::HandlingStarted { agent },
        _ => EventKind::HandlingEnded { agent },
    }
}

/// Tickets opened one after another, each living `span` minutes, their
/// events merged in time order.
fn stream() -> impl Strategy<Value = Vec<TicketEvent>> {
    prop::collection::vec(
        (
            0..600i64,
            prop::collection::vec((0..6u8, 0..90i64, 0..3u8), 0..8),
        ),
        1..30,
    )
    .prop_map(|tickets| {
        let mut timed = Vec::new();
        for (t, (start, steps)) in tickets.into_iter().enumerate() {
            timed.push((
                start,
                EventKind::Created {
                    channel: None,
                    team: None,
                },
                t,
            ));
            let mut at = start;
            for (k, gap, agent) in steps {
                at += gap;
                timed.push((at, kind(k, agent), t));
            }
        }
        timed.sort_by_key(|(at, _, _)| *at);
        timed
            .into_iter()
            .enumerate()
            .map(|(i, (at, kind, t))| event(i, t as u8, at, kind))
            .collect()
    })
}

fn options() -> AggregateOptions {
    AggregateOptions::new()
        .with_group_by(&[Dimension::Agent])
        .unwrap()
}

proptest! {
    /// Folding as the stream goes reports what one pass over everything
    /// does, whenever no event came for a folded ticket; otherwise those
    /// events are counted as late, and every record is accounted for.
    #[test]
    fn folding_without_late_events_changes_nothing(events in stream(), idle in 1..400u64, every in 1..20usize) {
        let mut batch = Aggregator::new(options());
        let mut streaming = Aggregator::new(options().with_idle_horizon(Duration::from_secs(idle * 60)));
        for (i, e) in events.iter().enumerate() {
            batch.add_event(e).unwrap();
            streaming.add_event(e).unwrap();
            if i % every == 0 {
                streaming.close_idle_tickets().unwrap();
            }
        }
        let (b, s) = (batch.report(), streaming.report());
        let counts = s.input.events;
        prop_assert_eq!(counts.rows, counts.accepted + counts.duplicates + counts.rejected);
        prop_assert!(counts.late <= counts.accepted);
        if counts.late == 0 {
            prop_assert_eq!(s.groups, b.groups);
            prop_assert_eq!(s.input.tickets, b.input.tickets);
        }
        // Save and restore keep the folded results.
        let restored = Aggregator::from_bytes(&streaming.to_bytes()).unwrap();
        prop_assert_eq!(restored.report(), streaming.report());
    }
}

#[test]
fn late_events_are_counted_and_folded_states_do_not_merge() {
    let mut a = Aggregator::new(options().with_idle_horizon(Duration::from_secs(3600)));
    let ana = || Name::new("ana").unwrap();
    a.add_event(&event(
        0,
        1,
        0,
        EventKind::Created {
            channel: None,
            team: None,
        },
    ))
    .unwrap();
    a.add_event(&event(1, 1, 10, EventKind::AgentReply { agent: ana() }))
        .unwrap();
    a.add_event(&event(
        2,
        2,
        200,
        EventKind::Created {
            channel: None,
            team: None,
        },
    ))
    .unwrap();
    // Restored, the state holds its ids settled and no spare room: folding
    // ticket 1 frees its two events.
    let mut a = Aggregator::from_bytes(&a.to_bytes()).unwrap();
    let before = a.heap_bytes();
    assert_eq!(
        a.close_idle_tickets().unwrap(),
        1,
        "ticket 1 has been idle for over an hour"
    );
    assert!(a.heap_bytes() < before);
    assert_eq!(a.close_idle_tickets().unwrap(), 0);
    a.add_event(&event(
        3,
        1,
        210,
        EventKind::Status {
            status: Status::Solved,
        },
    ))
    .unwrap();
    let report = a.report();
    assert_eq!(report.input.events.late, 1);
    assert_eq!(
        (report.input.events.accepted, report.input.tickets.valid),
        (4, 2)
    );
    let ana_group = report
        .groups
        .iter()
        .find(|g| g.dimensions[0].1.as_deref() == Some("ana"))
        .unwrap();
    assert_eq!(
        ana_group.tickets.unwrap().resolved,
        0,
        "the late solve is not used"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["input"]["events"]["late"], 1);
    let err = a
        .clone()
        .merge(&Aggregator::new(
            options().with_idle_horizon(Duration::from_secs(3600)),
        ))
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::FoldedState);
    // Without streaming, `late` is never written.
    let plain = serde_json::to_value(Aggregator::new(options()).report()).unwrap();
    assert!(plain["input"]["events"].get("late").is_none());
}

#[test]
fn memory_stays_bounded_on_an_endless_stream() {
    let mut a =
        Aggregator::new(AggregateOptions::new().with_idle_horizon(Duration::from_secs(3600)));
    let base = parse_timestamp("2026-03-02T08:00:00Z").unwrap();
    let mut peak = 0;
    for t in 0..20_000i64 {
        let ticket = TicketId::new(format!("s{t}")).unwrap();
        let kinds = [
            EventKind::Created {
                channel: None,
                team: None,
            },
            EventKind::AgentReply {
                agent: Name::new("ana").unwrap(),
            },
            EventKind::Status {
                status: Status::Solved,
            },
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            let at = base + TimeDelta::minutes(10 * t + 5 * i as i64);
            a.add_event(&TicketEvent::new(
                EventId::new(format!("x{t}-{i}")).unwrap(),
                ticket.clone(),
                at,
                kind,
            ))
            .unwrap();
        }
        peak = peak.max(a.heap_bytes());
    }
    let report = a.report();
    assert_eq!(
        (report.input.tickets.valid, report.input.events.late),
        (20_000, 0)
    );
    assert_eq!(
        report.groups[0]
            .tickets
            .unwrap()
            .first_response
            .unwrap()
            .mean,
        300.0
    );
    // Ids are kept, events are freed as tickets go idle: the peak stays far
    // below keeping all 60 000 events (2.4 MB of event records).
    let ids_only = Aggregator::from_bytes(&a.to_bytes()).unwrap().heap_bytes();
    assert!(
        peak < ids_only + 60_000 * 40 / 4,
        "peak {peak}, ids and the rest {ids_only}"
    );
}
