//! The `tickets` sections of the `tickets-edge` contract examples
//! (`tests/data`), reproduced from the library's per-ticket metrics:
//! validity, as_of, dimensions, buckets, counts, rates, means and
//! nearest-rank percentiles.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cxmetrics::{
    ticket::{EventFields, EventId, EventKind, TicketId},
    time::parse_timestamp,
    timeline::TicketMetrics,
    TicketEvent, Timeline,
};
use serde_json::{json, Value};

fn read_events(path: &str) -> Vec<TicketEvent> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let field = |name: &str| v.get(name).and_then(Value::as_str);
            let kind = EventKind::from_fields(
                field("kind").unwrap(),
                EventFields {
                    agent: field("agent"),
                    status: field("status"),
                    channel: field("channel"),
                    team: field("team"),
                },
            )
            .unwrap();
            let event = TicketEvent::new(
                EventId::new(field("id").unwrap()).unwrap(),
                TicketId::new(field("ticket").unwrap()).unwrap(),
                parse_timestamp(field("at").unwrap()).unwrap(),
                kind,
            );
            match field("topic") {
                Some(topic) => event.with_topic(topic),
                None => event,
            }
        })
        .collect()
}

/// `{"mean", "p50", "p90"}` of the values, nearest-rank percentiles
/// (rank ⌈q·n⌉), or null.
fn distribution(values: &mut [Duration]) -> Value {
    if values.is_empty() {
        return Value::Null;
    }
    values.sort();
    let n = values.len();
    let rank = |q: f64| values[((q * n as f64).ceil() as usize).clamp(1, n) - 1].as_secs_f64();
    let mean = values.iter().map(Duration::as_secs_f64).sum::<f64>() / n as f64;
    json!({"mean": mean, "p50": rank(0.5), "p90": rank(0.9)})
}

fn rate(part: u64, whole: u64) -> Value {
    if whole == 0 {
        Value::Null
    } else {
        json!(100.0 * part as f64 / whole as f64)
    }
}

/// The documented `tickets` section of a group of valid tickets.
fn section(tickets: &[TicketMetrics<'_>]) -> Value {
    let count =
        |f: &dyn Fn(&TicketMetrics<'_>) -> bool| tickets.iter().filter(|t| f(t)).count() as u64;
    let created = tickets.len() as u64;
    let resolved = count(&|t| t.resolved());
    let one_touch = count(&|t| t.one_touch());
    let resolved_reopened = count(&|t| t.resolved() && t.reopens() > 0);
    let values = |f: &dyn Fn(&TicketMetrics<'_>) -> Vec<Duration>| {
        let mut all: Vec<Duration> = tickets.iter().flat_map(f).collect();
        distribution(&mut all)
    };
    json!({
        "created": created,
        "answered": count(&|t| t.answered()),
        "resolved": resolved,
        "reopened": count(&|t| t.reopens() > 0),
        "one_touch": one_touch,
        "handled": count(&|t| t.handle_time().is_some()),
        "resolution_rate": rate(resolved, created),
        "one_touch_rate": rate(one_touch, resolved),
        "reopen_rate": rate(resolved_reopened, resolved),
        "first_response_s": values(&|t| t.first_response().into_iter().collect()),
        "reply_s": values(&|t| t.reply_waits().collect()),
        "first_resolution_s": values(&|t| t.first_resolution().into_iter().collect()),
        "full_resolution_s": values(&|t| t.full_resolution().into_iter().collect()),
        "handle_s": values(&|t| t.handle_time().into_iter().collect()),
    })
}

fn same(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (a.as_f64().unwrap(), e.as_f64().unwrap());
            assert!(
                (a - e).abs() <= 1e-9 * e.abs().max(1.0),
                "{path}: {a} vs {e}"
            );
        }
        (Value::Object(a), Value::Object(e)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                e.keys().collect::<Vec<_>>(),
                "{path}"
            );
            for (key, value) in e {
                same(&a[key], value, &format!("{path}.{key}"));
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn check(report_path: &str) {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(report_path).unwrap()).unwrap();
    let as_of: DateTime<Utc> = parse_timestamp(report["as_of"].as_str().unwrap())
        .unwrap()
        .into();
    let zone: chrono_tz::Tz = report["timezone"].as_str().unwrap().parse().unwrap();
    let by_day = report["bucket"] == "day";
    let dims: Vec<String> = report["group_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect();

    let mut timelines: BTreeMap<TicketId, Timeline> = BTreeMap::new();
    for event in read_events("tests/data/tickets-edge/events.jsonl") {
        timelines
            .entry(event.ticket().clone())
            .or_default()
            .push(event)
            .unwrap();
    }
    let (mut valid, mut invalid) = (0, 0);
    let mut groups: BTreeMap<Vec<Option<String>>, Vec<TicketMetrics<'_>>> = BTreeMap::new();
    for timeline in timelines.values() {
        match timeline.metrics(Some(as_of)) {
            Err(_) => invalid += 1,
            Ok(None) => {}
            Ok(Some(m)) => {
                valid += 1;
                let mut key = Vec::new();
                if by_day {
                    key.push(Some(
                        m.created_at().with_timezone(&zone).date_naive().to_string(),
                    ));
                }
                for dim in &dims {
                    let value = match dim.as_str() {
                        "agent" => m.agent(),
                        "channel" => m.channel(),
                        "team" => m.team(),
                        "topic" => m.topic(),
                        other => panic!("unknown dimension {other}"),
                    };
                    key.push(value.map(str::to_owned));
                }
                groups.entry(key).or_default().push(m);
            }
        }
    }
    assert_eq!(
        json!({"valid": valid, "invalid": invalid}),
        report["input"]["tickets"]
    );
    let expected = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), expected.len(), "groups of {report_path}");
    for ((key, tickets), group) in groups.iter().zip(expected) {
        let names = by_day
            .then_some("bucket")
            .into_iter()
            .chain(dims.iter().map(String::as_str));
        for (name, value) in names.zip(key) {
            assert_eq!(
                group[name].as_str(),
                value.as_deref(),
                "{report_path}: group key"
            );
        }
        same(
            &section(tickets),
            &group["tickets"],
            &format!("{report_path} {key:?}"),
        );
    }
}

#[test]
fn tickets_edge_by_agent() {
    check("tests/data/tickets-edge/report-by-agent.json");
}

#[test]
fn tickets_edge_by_topic_and_team() {
    check("tests/data/tickets-edge/report-by-topic-team.json");
}

#[test]
fn tickets_edge_as_of_by_channel() {
    check("tests/data/tickets-edge/report-as-of-by-channel.json");
}

#[test]
fn tickets_edge_by_day_in_berlin() {
    check("tests/data/tickets-edge/report-by-day-berlin.json");
}
