//! `timeline/*`: ordering ticket events and deriving each ticket's metrics.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use cxmetrics::{
    ticket::{EventId, Name, TicketId},
    time::parse_timestamp,
    TicketEvent, Timeline,
};

mod common;
use common::Rng;

/// Tickets of about ten events: created, a bot reply, assignment, a
/// handling segment, replies, a customer follow-up, a solve, sometimes a
/// reopen; one in four delivered out of order.
fn tickets(count: usize) -> Vec<Vec<TicketEvent>> {
    let mut rng = Rng(42);
    let base = parse_timestamp("2026-03-02T08:00:00Z").unwrap();
    let agents: Vec<Name> = (0..20)
        .map(|i| Name::new(format!("agent-{i:02}")).unwrap())
        .collect();
    let channel = Name::new("email").unwrap();
    (0..count)
        .map(|n| {
            let ticket = TicketId::new(format!("T{n}")).unwrap();
            let agent = agents[rng.below(20) as usize].clone();
            let mut at = base + TimeDelta::seconds(rng.below(30 * 86_400) as i64);
            let kinds = common::lifecycle(&agent, &channel, rng.below(5) == 0);
            let mut events: Vec<TicketEvent> = kinds
                .into_iter()
                .enumerate()
                .map(|(i, kind)| {
                    at += TimeDelta::seconds(rng.below(7200) as i64 + 1);
                    TicketEvent::new(
                        EventId::new(format!("T{n}-{i}")).unwrap(),
                        ticket.clone(),
                        at,
                        kind,
                    )
                })
                .collect();
            if rng.below(4) == 0 {
                events.reverse();
            }
            events
        })
        .collect()
}

fn timeline(c: &mut Criterion) {
    let tickets = tickets(20_000);
    let events: usize = tickets.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("timeline");
    group.throughput(Throughput::Elements(events as u64));
    // Events parsed and kept elsewhere: each ticket's timeline borrows them,
    // orders them, derives the metrics and is dropped.
    group.bench_function("order_and_derive", |b| {
        b.iter(|| {
            let (mut resolved, mut first_response) = (0usize, std::time::Duration::ZERO);
            for events in black_box(&tickets) {
                let mut timeline = Timeline::with_capacity(events.len());
                for event in events {
                    let _ = timeline.push(event);
                }
                if let Ok(Some(m)) = timeline.metrics(None) {
                    resolved += usize::from(m.resolved());
                    first_response += m.first_response().unwrap_or_default();
                    black_box((m.reply_waits().len(), m.handle_time(), m.agent()));
                }
            }
            assert_eq!(resolved, tickets.len());
            first_response
        })
    });
    // Owned events moved in (and their strings freed) inside the measurement.
    group.bench_function("order_and_derive_owned", |b| {
        b.iter_batched(
            || tickets.clone(),
            |owned| {
                let mut resolved = 0usize;
                for events in owned {
                    let mut timeline = Timeline::with_capacity(events.len());
                    for event in events {
                        let _ = timeline.push(event);
                    }
                    if let Ok(Some(m)) = timeline.metrics(None) {
                        resolved += usize::from(m.resolved());
                        black_box((m.first_response(), m.reply_waits().len(), m.handle_time()));
                    }
                }
                assert_eq!(resolved, 20_000);
            },
            BatchSize::LargeInput,
        )
    });
    let built: Vec<Timeline> = tickets
        .iter()
        .map(|events| {
            let mut timeline = Timeline::new();
            for event in events {
                let _ = timeline.push(event.clone());
            }
            timeline
        })
        .collect();
    group.bench_function("derive", |b| {
        b.iter(|| {
            let mut resolved = 0usize;
            for timeline in black_box(&built) {
                if let Ok(Some(m)) = timeline.metrics(None) {
                    resolved += usize::from(m.resolved());
                    black_box((
                        m.first_response(),
                        m.reply_waits().len(),
                        m.handle_time(),
                        m.agent(),
                    ));
                }
            }
            assert_eq!(resolved, built.len());
        })
    });
    group.finish();
}

criterion_group!(benches, timeline);
criterion_main!(benches);
