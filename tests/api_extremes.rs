//! The public API at the ends of its argument types: every call answers,
//! with a value or a typed error, and never panics (a debug build checks
//! every arithmetic overflow too).

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use cxmetrics::calendar::Calendar;
use cxmetrics::kpi::{Confidence, Distribution, Interval};
use cxmetrics::staffing::{erlang_c, required_agents, Decimal, ServiceTarget, Staffing};
use cxmetrics::survey::ResponseId;
use cxmetrics::survey::{Scale, Scales, SurveyMetric, SurveyScore};
use cxmetrics::ticket::EventKind;
use cxmetrics::ticket::{EventId, Name, TicketId};
use cxmetrics::time::{Bucket, TimeZone};
use cxmetrics::{AggregateOptions, Aggregator, ErrorKind, SurveyResponse, TicketEvent, Timeline};

/// The first and last instants chrono can hold, and the records' own ends.
fn instants() -> [DateTime<Utc>; 5] {
    let at = |secs| DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
    [
        DateTime::<Utc>::MIN_UTC,
        at(-62_135_596_800),
        at(0),
        at(253_402_300_799),
        DateTime::<Utc>::MAX_UTC,
    ]
}

fn fixed(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.fixed_offset()
}

#[test]
fn instants_outside_the_records_years_are_refused_with_nothing_counted() {
    let zone = TimeZone::new("Pacific/Kiritimati").unwrap();
    for bucket in [Bucket::None, Bucket::Day, Bucket::Month] {
        let options = AggregateOptions::new()
            .with_bucket(bucket)
            .with_timezone(zone.clone());
        let mut aggregator = Aggregator::new(options);
        for (i, at) in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC]
            .into_iter()
            .enumerate()
        {
            let score = SurveyScore::new(SurveyMetric::Nps, 9, Scales::default()).unwrap();
            let response =
                SurveyResponse::new(ResponseId::new(format!("r{i}")).unwrap(), score, fixed(at));
            let error = aggregator.add_response(&response).unwrap_err();
            assert!(
                matches!(error.kind(), ErrorKind::TimestampOutOfRange(_)),
                "{error}"
            );
            let event = TicketEvent::new(
                EventId::new(format!("e{i}")).unwrap(),
                TicketId::new("T").unwrap(),
                fixed(at),
                EventKind::AgentReply {
                    agent: Name::new("ana").unwrap(),
                },
            );
            let error = aggregator.add_event(&event).unwrap_err();
            assert!(
                matches!(error.kind(), ErrorKind::TimestampOutOfRange(_)),
                "{error}"
            );
        }
        let report = aggregator.report();
        assert_eq!(report.input.surveys.rows, 0);
        assert_eq!(report.input.events.rows, 0);
        // What was kept saves and loads: nothing unloadable gets in.
        let restored = Aggregator::from_bytes(&aggregator.to_bytes()).unwrap();
        assert_eq!(restored.report(), report);
    }
}

#[test]
fn calendars_measure_any_span_chrono_can_hold() {
    let calendar = Calendar::new(
        "America/New_York",
        [
            vec![(28_800, 64_800)],
            vec![(0, 86_400)],
            vec![],
            vec![],
            vec![],
            vec![],
            vec![(3_600, 7_200)],
        ],
        &[],
    )
    .unwrap();
    for from in instants() {
        for to in instants() {
            let business = calendar.business_duration(from, to);
            if to <= from {
                assert_eq!(business, Duration::ZERO);
            } else {
                assert!(business <= (to - from).to_std().unwrap(), "{from} {to}");
            }
        }
    }
    assert_eq!(calendar.hours(usize::MAX), &[]);
}

#[test]
fn timelines_of_extreme_instants_measure_their_spans() {
    let mut timeline = Timeline::new();
    let event = |id: &str, at, kind| {
        TicketEvent::new(
            EventId::new(id).unwrap(),
            TicketId::new("T").unwrap(),
            fixed(at),
            kind,
        )
    };
    let [min, .., max] = instants();
    timeline
        .push(event(
            "e1",
            min,
            EventKind::Created {
                channel: None,
                team: None,
            },
        ))
        .unwrap();
    timeline
        .push(event(
            "e2",
            max,
            EventKind::AgentReply {
                agent: Name::new("ana").unwrap(),
            },
        ))
        .unwrap();
    let metrics = timeline.metrics(None).unwrap().unwrap();
    assert_eq!(metrics.first_response(), (max - min).to_std().ok());
    assert!(timeline.metrics(Some(min)).unwrap().is_some());
}

#[test]
fn statistics_answer_any_float() {
    let floats = [
        f64::NEG_INFINITY,
        -1.0,
        -0.0,
        0.0,
        1e-300,
        0.3,
        1.0,
        1e300,
        f64::INFINITY,
        f64::NAN,
    ];
    let confidence = Confidence::default();
    for df in floats {
        let t = confidence.t(df);
        assert!(t.is_nan() || t > 0.0, "df {df}: {t}");
        for level in floats {
            let _ = Confidence::new(level);
        }
        for other in floats {
            let interval = Interval::around(df, other);
            let _ = interval.clamp(other, df);
            let _ = interval.scale(other).contains(df);
        }
    }
    let mut distribution = Distribution::new();
    for _ in 0..300 {
        distribution.add(Duration::MAX);
        distribution.add(Duration::ZERO);
    }
    for q in floats {
        let quantile = distribution.quantile(q);
        assert_eq!(quantile.is_some(), (0.0..=1.0).contains(&q), "{q}");
    }
    assert!(distribution.mean().is_some());
}

#[test]
fn staffing_answers_any_number() {
    let floats = [
        f64::NEG_INFINITY,
        -1.0,
        0.0,
        1e-300,
        1.0,
        1e7,
        1e300,
        f64::INFINITY,
        f64::NAN,
    ];
    for agents in [0, 1, 1_000_000_000, u64::MAX] {
        for traffic in floats {
            if let Ok(p) = erlang_c(agents, traffic) {
                assert!((0.0..=1.0).contains(&p), "{agents} {traffic}: {p}");
            }
        }
    }
    let target = ServiceTarget::new(Decimal::new(80, 2).unwrap(), Duration::from_secs(20)).unwrap();
    for traffic in floats {
        for aht in floats {
            let _ = required_agents(traffic, aht, target);
        }
    }
    let durations = [
        Duration::ZERO,
        Duration::from_nanos(1),
        Duration::from_secs(1800),
        Duration::MAX,
    ];
    for mantissa in [0, 1, u64::MAX] {
        for scale in [0, 18, 19, u32::MAX] {
            let Ok(arrivals) = Decimal::new(mantissa, scale) else {
                assert!(scale > 18);
                continue;
            };
            for interval in durations {
                for aht in durations {
                    for within in durations {
                        for percent in [
                            Decimal::new(0, 0).unwrap(),
                            Decimal::new(1, 18).unwrap(),
                            Decimal::new(100, 0).unwrap(),
                            arrivals,
                        ] {
                            let Ok(target) = ServiceTarget::new(percent, within) else {
                                continue;
                            };
                            if let Ok(staffing) = Staffing::new(arrivals, interval, aht, target) {
                                let _ = staffing.solve();
                                for extra in [
                                    Decimal::new(u64::MAX, 0).unwrap(),
                                    Decimal::new(1, 18).unwrap(),
                                ] {
                                    let _ = staffing.with_shrinkage(extra).map(|s| s.solve());
                                    let _ = staffing.with_max_occupancy(extra).map(|s| s.solve());
                                }
                                let _ = staffing.with_agents_per_lead(u64::MAX).map(|s| s.solve());
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn options_and_hints_at_their_ends() {
    for horizon in [Duration::ZERO, Duration::from_nanos(1), Duration::MAX] {
        for as_of in instants() {
            let options = AggregateOptions::new()
                .with_idle_horizon(horizon)
                .with_as_of(as_of);
            let mut aggregator = Aggregator::new(options);
            let event = TicketEvent::new(
                EventId::new("e1").unwrap(),
                TicketId::new("T").unwrap(),
                fixed(instants()[2]),
                EventKind::Created {
                    channel: None,
                    team: None,
                },
            );
            aggregator.add_event(&event).unwrap();
            let _ = aggregator.close_idle_tickets();
            let _ = aggregator.report();
        }
    }
    let mut aggregator = Aggregator::new(AggregateOptions::new());
    aggregator.reserve(usize::MAX, usize::MAX);
    aggregator.reserve(usize::MAX / 13, 0);
    assert!(Scale::new(i64::MIN, i64::MAX).is_err());
    assert!(Scale::CSAT.score(i64::MIN).is_err());
    assert!(SurveyScore::new(SurveyMetric::Ces, i64::MAX, Scales::default()).is_err());
}
