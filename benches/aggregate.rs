//! `aggregate/*`: folding pre-parsed responses and events into groups,
//! merging states, saving and restoring them.

use std::hint::black_box;
use std::time::Duration;

use chrono::TimeDelta;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use cxmetrics::{
    aggregate::Dimension,
    survey::{ResponseId, Scales, SurveyMetric, SurveyScore},
    ticket::{EventId, Name, TicketId},
    time::{parse_timestamp, Bucket},
    AggregateOptions, Aggregator, SurveyResponse, TicketEvent,
};

mod common;
use common::Rng;

/// `n` responses of 50 agents over 30 days, in time order.
fn responses(n: usize) -> Vec<SurveyResponse> {
    let mut rng = Rng(3);
    let base = parse_timestamp("2026-03-01T00:00:00+01:00").unwrap();
    let step = 30 * 86_400_000 / n as i64;
    (0..n)
        .map(|i| {
            let metric =
                [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces][rng.below(3) as usize];
            let scale = Scales::default().of(metric);
            let value = i64::from(scale.min()) + rng.below(scale.points() as u64) as i64;
            let score = SurveyScore::new(metric, value, Scales::default()).unwrap();
            let at = base + TimeDelta::milliseconds(i as i64 * step);
            SurveyResponse::new(ResponseId::new(format!("r{i}")).unwrap(), score, at)
                .with_agent(format!("agent-{:02}", rng.below(50)))
                .with_channel(["email", "chat", "phone"][rng.below(3) as usize])
        })
        .collect()
}

/// `tickets` tickets of ten events each, ticket after ticket.
fn events(tickets: usize, seed: u64) -> Vec<TicketEvent> {
    let mut rng = Rng(seed);
    let base = parse_timestamp("2026-03-01T00:00:00Z").unwrap();
    let agents: Vec<Name> = (0..50)
        .map(|i| Name::new(format!("agent-{i:02}")).unwrap())
        .collect();
    let email = Name::new("email").unwrap();
    let mut out = Vec::with_capacity(tickets * 10);
    for t in 0..tickets {
        let ticket = TicketId::new(format!("T{t}")).unwrap();
        let agent = agents[rng.below(50) as usize].clone();
        let mut at = base + TimeDelta::seconds(rng.below(30 * 86_400) as i64);
        let kinds = common::lifecycle(&agent, &email, false);
        for (i, kind) in kinds.into_iter().enumerate() {
            at += TimeDelta::seconds(rng.below(3600) as i64 + 1);
            out.push(TicketEvent::new(
                EventId::new(format!("T{t}-{i}")).unwrap(),
                ticket.clone(),
                at,
                kind,
            ));
        }
    }
    out
}

fn by_agent_day() -> AggregateOptions {
    AggregateOptions::new()
        .with_group_by(&[Dimension::Agent])
        .unwrap()
        .with_bucket(Bucket::Day)
        .with_timezone("Europe/Berlin".parse().unwrap())
}

fn surveys(c: &mut Criterion) {
    let ordered = responses(1_000_000);
    let mut shuffled = ordered.clone();
    let mut rng = Rng(9);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut group = c.benchmark_group("aggregate");
    group.sample_size(20);
    group.throughput(Throughput::Elements(ordered.len() as u64));
    for (name, input) in [
        ("surveys_agent_day_in_order", &ordered),
        ("surveys_agent_day_shuffled", &shuffled),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut aggregator = Aggregator::new(by_agent_day());
                aggregator.add_responses(black_box(input)).unwrap();
                let report = aggregator.report();
                assert_eq!(report.input.surveys.accepted, 1_000_000);
                report.groups.len()
            })
        });
    }
    group.finish();
}

fn tickets(c: &mut Criterion) {
    let input = events(100_000, 5);
    let mut group = c.benchmark_group("aggregate");
    group.sample_size(20);
    group.throughput(Throughput::Elements(input.len() as u64));
    group.bench_function("events_agent_day", |b| {
        b.iter(|| {
            let mut aggregator = Aggregator::new(by_agent_day());
            aggregator.add_events(black_box(&input)).unwrap();
            let report = aggregator.report();
            assert_eq!(report.input.tickets.valid, 100_000);
            report.groups.len()
        })
    });
    group.finish();
}

/// Two states of the events of one million tickets of ten events, split
/// alternately (so every ticket is in both).
fn two_states() -> (Aggregator, Aggregator) {
    let input = events(1_000_000, 11);
    let (mut a, mut b) = (
        Aggregator::new(by_agent_day()),
        Aggregator::new(by_agent_day()),
    );
    for (i, event) in input.iter().enumerate() {
        if i % 2 == 0 {
            a.add_event(event).unwrap();
        } else {
            b.add_event(event).unwrap();
        }
    }
    eprintln!(
        "state of 5M events: {:.1} bytes of heap per event",
        a.heap_bytes() as f64 / 5e6
    );
    (a, b)
}

/// Merging and reporting two states: settled (as saved states and
/// `dedupe` leave them), and with every id pending (as adding leaves them).
/// The merged state is freed after the measurement (about 60 ms), as it
/// is made by cloning before it.
fn merge(c: &mut Criterion) {
    let states = std::cell::OnceCell::new();
    let mut group = c.benchmark_group("aggregate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(10_000_000));
    for (name, settled) in [
        ("merge_and_report_1m_tickets", true),
        ("merge_and_report_1m_tickets_pending", false),
    ] {
        group.bench_function(name, |bench| {
            let (a, b) = states.get_or_init(two_states);
            let (mut a, mut b) = (a.clone(), b.clone());
            if settled {
                a.dedupe().unwrap();
                b.dedupe().unwrap();
            }
            bench.iter_batched_ref(
                || a.clone(),
                |merged| {
                    merged.merge(&b).unwrap();
                    let report = merged.report();
                    assert_eq!(report.input.tickets.valid, 1_000_000);
                    report.groups.len()
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// Settling, saving and restoring a state of 100 000 tickets (a million
/// events).
fn snapshot(c: &mut Criterion) {
    let mut pending = Aggregator::new(by_agent_day());
    pending.add_events(&events(100_000, 13)).unwrap();
    let mut state = pending.clone();
    state.dedupe().unwrap();
    let bytes = state.to_bytes();
    eprintln!(
        "state of 1M events: {:.1} bytes of heap per event with ids pending, {:.1} settled, \
         {:.1} bytes saved per event",
        pending.heap_bytes() as f64 / 1e6,
        state.heap_bytes() as f64 / 1e6,
        bytes.len() as f64 / 1e6
    );
    let mut group = c.benchmark_group("aggregate");
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("settle_1m_events", |b| {
        b.iter_batched(
            || pending.clone(),
            |mut state| {
                state.dedupe().unwrap();
                state.heap_bytes()
            },
            BatchSize::LargeInput,
        )
    });
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("state_encode", |b| {
        b.iter(|| black_box(&state).to_bytes().len())
    });
    group.bench_function("state_decode", |b| {
        b.iter(|| {
            Aggregator::from_bytes(black_box(&bytes))
                .unwrap()
                .heap_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, surveys, tickets, merge, snapshot);
criterion_main!(benches);
