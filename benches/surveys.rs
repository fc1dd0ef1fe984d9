//! `surveys/*`: updating the survey accumulators and computing their statistics.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use cxmetrics::{
    kpi::SummaryOptions,
    survey::{Scales, SurveyMetric, SurveyScore},
    SurveyKpis,
};

mod common;
use common::Rng;

/// A deterministic mix of NPS, CSAT and CES scores in random order, so the
/// metric of the next response cannot be predicted.
fn mixed_scores(n: usize, seed: u64) -> Vec<SurveyScore> {
    let mut rng = Rng(seed);
    let scales = Scales::default();
    (0..n)
        .map(|_| {
            let metric =
                [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces][rng.below(3) as usize];
            let scale = scales.of(metric);
            let value = rng.below(scale.points() as u64) + u64::from(scale.min());
            SurveyScore::new(metric, value as i64, scales).expect("on the scale")
        })
        .collect()
}

fn update(c: &mut Criterion) {
    let scores = mixed_scores(1 << 20, 7);
    let mut group = c.benchmark_group("surveys");
    group.throughput(Throughput::Elements(scores.len() as u64));
    group.bench_function("update_mixed", |b| {
        b.iter(|| {
            let mut kpis = SurveyKpis::default();
            for &score in black_box(&scores) {
                // Every score is on the default scales: never an error.
                let _ = kpis.add(score);
            }
            assert_eq!(
                kpis.nps().responses() + kpis.csat().responses() + kpis.ces().responses(),
                scores.len() as u64
            );
            kpis
        })
    });
    group.finish();
}

fn statistics(c: &mut Criterion) {
    let a: SurveyKpis = mixed_scores(3000, 1).into_iter().collect();
    let b: SurveyKpis = mixed_scores(2000, 2).into_iter().collect();
    let options = SummaryOptions::default();
    let mut group = c.benchmark_group("surveys");
    group.throughput(Throughput::Elements(1));
    group.bench_function("group_statistics", |bench| {
        bench.iter_batched_ref(
            || (a.clone(), b.clone()),
            |(a, b)| {
                let (a, b) = (
                    black_box(a).summary_with(options),
                    black_box(b).summary_with(options),
                );
                let (an, bn) = (a.nps.unwrap(), b.nps.unwrap());
                let (ac, bc) = (a.csat.unwrap(), b.csat.unwrap());
                let (ae, be) = (a.ces.unwrap(), b.ces.unwrap());
                let nps = an.compare(&bn, options);
                let csat = ac.compare_score(&bc, options);
                let ces = ae.compare_mean(&be, options);
                assert!(nps.p_value.is_finite() && csat.p_value.is_finite() && ces.is_some());
                (a, b, nps, csat, ces)
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, update, statistics);
criterion_main!(benches);
