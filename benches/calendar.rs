//! `calendar/*`: business time of spans in a calendar with DST and holidays.

use std::hint::black_box;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cxmetrics::calendar::Calendar;

mod common;
use common::Rng;

fn calendar(c: &mut Criterion) {
    const H: u32 = 3600;
    let day = vec![(8 * H, 12 * H), (13 * H, 18 * H)];
    let hours = [
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        vec![(8 * H, 16 * H)],
        vec![],
        vec![],
    ];
    let holidays: Vec<NaiveDate> = (1..=12)
        .map(|m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap())
        .collect();
    let calendar = Calendar::new("Europe/Berlin", hours.clone(), &holidays).unwrap();
    // Random spans of up to 90 days in 2026, both DST changes included.
    let mut rng = Rng(17);
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = (0..100_000)
        .map(|_| {
            let start = 1_767_225_600 + rng.below(365 * 86_400) as i64;
            let end = start + rng.below(90 * 86_400) as i64;
            (
                DateTime::from_timestamp(start, 0).unwrap(),
                DateTime::from_timestamp(end, 0).unwrap(),
            )
        })
        .collect();
    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(spans.len() as u64));
    group.bench_function("business_duration_90d", |b| {
        b.iter(|| {
            let total: u64 = black_box(&spans)
                .iter()
                .map(|&(a, z)| calendar.business_duration(a, z).as_secs())
                .sum();
            assert!(total > 0);
            total
        })
    });
    // Building a calendar: what every state load and option file costs.
    group.throughput(Throughput::Elements(1));
    group.bench_function("new", |b| {
        b.iter(|| {
            let zone = black_box("Europe/Berlin");
            Calendar::new(zone, black_box(hours.clone()), &holidays).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, calendar);
criterion_main!(benches);
