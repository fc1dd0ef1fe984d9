//! The contract examples end to end through the library: records validated
//! into the library's types, fed to an [`Aggregator`] with the example's
//! options, and its report serialized to JSON and compared with the
//! expected report the way the contract compares them (numbers to 1e-6,
//! percentiles to 1%, rejection reasons free).

use std::path::Path;

use chrono::{DateTime, Utc};
use cxmetrics::{
    parse_timestamp, AggregateOptions, Aggregator, Bucket, Dimension, EventId, EventKind, Name,
    RecordKind, Rejection, ResponseId, Scales, SurveyMetric, SurveyResponse, SurveyScore,
    TicketEvent, TicketId,
};
use serde_json::{Map, Value};

/// Validates one record's fields (absent = missing or empty) into a
/// survey response.
fn response(field: &dyn Fn(&str) -> Option<String>) -> Result<SurveyResponse, String> {
    let need = |name: &str| field(name).ok_or_else(|| format!("missing {name}"));
    let id = ResponseId::new(need("id")?).map_err(|e| e.to_string())?;
    let metric: SurveyMetric = need("metric")?
        .parse()
        .map_err(|e: cxmetrics::Error| e.to_string())?;
    let score = SurveyScore::parse(metric, &need("score")?, Scales::default())
        .map_err(|e| e.to_string())?;
    let at = parse_timestamp(&need("at")?).map_err(|e| e.to_string())?;
    let mut r = SurveyResponse::new(id, score, at);
    for (name, set) in [
        ("agent", SurveyResponse::with_agent as fn(_, String) -> _),
        ("channel", SurveyResponse::with_channel),
        ("team", SurveyResponse::with_team),
        ("topic", SurveyResponse::with_topic),
    ] {
        if let Some(value) = field(name) {
            r = set(r, value);
        }
    }
    Ok(r)
}

/// Validates one record's fields into a ticket event.
fn event(field: &dyn Fn(&str) -> Option<String>) -> Result<TicketEvent, String> {
    let need = |name: &str| field(name).ok_or_else(|| format!("missing {name}"));
    let id = EventId::new(need("id")?).map_err(|e| e.to_string())?;
    let ticket = TicketId::new(need("ticket")?).map_err(|e| e.to_string())?;
    let at = parse_timestamp(&need("at")?).map_err(|e| e.to_string())?;
    let (agent, status, channel, team) = (
        field("agent"),
        field("status"),
        field("channel"),
        field("team"),
    );
    let kind = EventKind::from_fields(
        &need("kind")?,
        agent.as_deref(),
        status.as_deref(),
        channel.as_deref(),
        team.as_deref(),
    )
    .map_err(|e| e.to_string())?;
    let event = TicketEvent::new(id, ticket, at, kind);
    Ok(match field("topic") {
        Some(topic) => event.with_topic(Name::new(topic).map_err(|e| e.to_string())?),
        None => event,
    })
}

/// A record's line and its fields, or why the line is not a record.
type Record = (u64, Result<Map<String, Value>, String>);

/// Every record of a file, with its line; lines that are not records come
/// back as a reason.
fn records(path: &Path) -> Vec<Record> {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "csv") {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        reader
            .records()
            .map(|row| {
                let row = row.unwrap();
                let line = row.position().unwrap().line();
                let map = headers
                    .iter()
                    .zip(row.iter())
                    .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                    .collect();
                (line, Ok(map))
            })
            .collect()
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(map)) => (i as u64 + 1, Ok(map)),
                _ => (i as u64 + 1, Err("not a record".to_owned())),
            })
            .collect()
    }
}

fn getter(map: &Map<String, Value>) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| match map.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) if name == "id" || name == "ticket" || name == "score" => {
            Some(n.to_string())
        }
        _ => None,
    }
}

fn feed(aggregator: &mut Aggregator, dir: &Path, file: &str, kind: RecordKind) {
    for (line, record) in records(&dir.join(file)) {
        let result = record.and_then(|map| {
            let field = getter(&map);
            match kind {
                RecordKind::Surveys => {
                    response(&field).map(|r| aggregator.add_response(&r).unwrap())
                }
                RecordKind::Events => event(&field).map(|e| aggregator.add_event(&e).unwrap()),
            }
        });
        if let Err(reason) = result {
            let file = Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            aggregator.add_rejection(kind, Rejection { file, line, reason });
        }
    }
}

/// Compares as the contract does; returns the differences.
fn compare(expected: &Value, actual: &Value, path: &str, diffs: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    None if value.is_null() => {}
                    None => diffs.push(format!("{path}.{key}: missing")),
                    Some(_) if key == "reason" => {}
                    Some(got) => {
                        let tolerance = if key == "p50" || key == "p90" {
                            0.01
                        } else {
                            1e-6
                        };
                        match (value, got) {
                            (Value::Number(x), Value::Number(y)) => {
                                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                                if (x - y).abs() > (tolerance * x.abs()).max(1e-6) {
                                    diffs.push(format!("{path}.{key}: expected {x}, got {y}"));
                                }
                            }
                            _ => compare(value, got, &format!("{path}.{key}"), diffs),
                        }
                    }
                }
            }
            for (key, value) in a {
                if !e.contains_key(key) && !value.is_null() {
                    diffs.push(format!("{path}.{key}: unexpected {value}"));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                match (x, y) {
                    (Value::Number(x), Value::Number(y)) => {
                        let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                        if (x - y).abs() > (1e-6 * x.abs()).max(1e-6) {
                            diffs.push(format!("{path}[{i}]: expected {x}, got {y}"));
                        }
                    }
                    _ => compare(x, y, &format!("{path}[{i}]"), diffs),
                }
            }
        }
        _ if expected == actual => {}
        _ => diffs.push(format!("{path}: expected {expected}, got {actual}")),
    }
}

/// Runs one example: `args` are the contract's command-line options.
fn check(expected: &str, surveys: &[&str], events: &[&str], args: &[(&str, &str)]) {
    let dir = Path::new("tests/data");
    let mut options = AggregateOptions::new();
    for &(flag, value) in args {
        options = match flag {
            "--group-by" => {
                let dims: Vec<Dimension> = value.split(',').map(|d| d.parse().unwrap()).collect();
                options.group_by(&dims).unwrap()
            }
            "--bucket" => options.bucket(value.parse::<Bucket>().unwrap()),
            "--tz" => options.timezone(value).unwrap(),
            "--as-of" => options.as_of(DateTime::<Utc>::from(parse_timestamp(value).unwrap())),
            _ => panic!("unsupported option {flag}"),
        };
    }
    let mut aggregator = Aggregator::new(options);
    for file in surveys {
        feed(&mut aggregator, dir, file, RecordKind::Surveys);
    }
    for file in events {
        feed(&mut aggregator, dir, file, RecordKind::Events);
    }
    let actual = serde_json::to_value(aggregator.report()).unwrap();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(expected)).unwrap()).unwrap();
    let mut diffs = Vec::new();
    compare(&expected, &actual, "", &mut diffs);
    assert!(diffs.is_empty(), "{expected}:\n{}", diffs.join("\n"));
    // A saved and restored state reports the same.
    let restored = Aggregator::from_bytes(&aggregator.to_bytes()).unwrap();
    assert_eq!(serde_json::to_value(restored.report()).unwrap(), actual);
}

#[test]
fn surveys_basic() {
    let s = ["surveys-basic/surveys.csv"];
    check(
        "surveys-basic/report-by-agent.json",
        &s,
        &[],
        &[("--group-by", "agent")],
    );
    check(
        "surveys-basic/report-by-day-channel-saopaulo.json",
        &s,
        &[],
        &[
            ("--bucket", "day"),
            ("--tz", "America/Sao_Paulo"),
            ("--group-by", "channel"),
        ],
    );
    check(
        "surveys-basic/report-as-of-by-agent.json",
        &s,
        &[],
        &[("--as-of", "2026-03-02T10:30:00Z"), ("--group-by", "agent")],
    );
}

#[test]
fn tickets_edge() {
    let e = ["tickets-edge/events.jsonl"];
    check(
        "tickets-edge/report-by-agent.json",
        &[],
        &e,
        &[("--group-by", "agent")],
    );
    check(
        "tickets-edge/report-by-day-berlin.json",
        &[],
        &e,
        &[("--bucket", "day"), ("--tz", "Europe/Berlin")],
    );
    check(
        "tickets-edge/report-as-of-by-channel.json",
        &[],
        &e,
        &[
            ("--as-of", "2026-03-03T00:00:00Z"),
            ("--group-by", "channel"),
        ],
    );
    check(
        "tickets-edge/report-by-topic-team.json",
        &[],
        &e,
        &[("--group-by", "topic,team")],
    );
}

#[test]
fn dirty() {
    check(
        "dirty/report.json",
        &["dirty/surveys.csv"],
        &["dirty/events.jsonl"],
        &[],
    );
}
