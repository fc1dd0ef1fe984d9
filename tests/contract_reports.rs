//! The definitions examples end to end through the library: files read and
//! validated by the `io` readers, fed to an [`Aggregator`] with the
//! example's options, and its report serialized to JSON and compared with
//! the expected report the way the definitions compares them (numbers to
//! 1e-6, percentiles to 1%, rejection reasons free).

use std::path::Path;

use chrono::{DateTime, Utc};
use cxmetrics::io::{EventReader, InputFormat, Item, SurveyReader};
use cxmetrics::{
    aggregate::Dimension,
    report::RecordKind,
    survey::Scales,
    time::{parse_timestamp, Bucket},
    AggregateOptions, Aggregator,
};
use serde_json::Value;

fn feed(aggregator: &mut Aggregator, dir: &Path, file: &str, kind: RecordKind) {
    let path = dir.join(file);
    let format = InputFormat::from_path(&path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let input = std::fs::File::open(&path).unwrap();
    match kind {
        RecordKind::Surveys => {
            for item in SurveyReader::new(input, format, &name, Scales::default()).unwrap() {
                match item.unwrap() {
                    Item::Record(r) => {
                        aggregator.add_response(&r).unwrap();
                    }
                    Item::Rejected(r) => aggregator.add_rejection(kind, r),
                }
            }
        }
        RecordKind::Events => {
            for item in EventReader::new(input, format, &name).unwrap() {
                match item.unwrap() {
                    Item::Record(e) => {
                        aggregator.add_event(&e).unwrap();
                    }
                    Item::Rejected(r) => aggregator.add_rejection(kind, r),
                }
            }
        }
    }
}

/// Compares as the definitions does; returns the differences.
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

/// Runs one example: `args` are the documented command-line options.
fn check(expected: &str, surveys: &[&str], events: &[&str], args: &[(&str, &str)]) {
    let mut options = AggregateOptions::new();
    for &(flag, value) in args {
        options = match flag {
            "--group-by" => {
                let dims: Vec<Dimension> = value.split(',').map(|d| d.parse().unwrap()).collect();
                options.with_group_by(&dims).unwrap()
            }
            "--bucket" => options.with_bucket(value.parse::<Bucket>().unwrap()),
            "--tz" => options.with_timezone(value.parse().unwrap()),
            "--as-of" => options.with_as_of(DateTime::<Utc>::from(parse_timestamp(value).unwrap())),
            _ => panic!("unsupported option {flag}"),
        };
    }
    check_with(expected, surveys, events, options);
}

/// Runs one example with the given options.
fn check_with(expected: &str, surveys: &[&str], events: &[&str], options: AggregateOptions) {
    let dir = Path::new("tests/data");
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

/// `night`: both DST changes of 2026 inside working hours (Saturday
/// 22:00–24:00 and Sunday 01:00–05:00 in Europe/Berlin).
#[test]
fn night() {
    const H: u32 = 3600;
    let mut hours: [Vec<(u32, u32)>; 7] = Default::default();
    hours[5] = vec![(22 * H, 24 * H)];
    hours[6] = vec![(H, 5 * H)];
    let calendar = cxmetrics::calendar::Calendar::new("Europe/Berlin", hours, &[]).unwrap();
    check_with(
        "night/report.json",
        &[],
        &["night/events.csv"],
        AggregateOptions::new().with_calendar(calendar),
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

/// The leaves of a group's JSON section by path (`tickets.reply_s.p90`),
/// intervals (arrays) and `null` objects as leaves.
fn leaves(value: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                leaves(v, &format!("{path}.{key}"), out);
            }
        }
        _ => out.push((path.trim_start_matches('.').to_owned(), value.clone())),
    }
}

/// The JSON, the fields, the values targets read and the paths targets
/// accept are one schema: every number the JSON shows is a field of the
/// same path and value, and a valid target path.
#[test]
fn one_schema_for_json_fields_and_targets() {
    use cxmetrics::report::{Columns, Target, Targets};
    use cxmetrics::sla::{SlaPolicy, SlaTargets};
    use std::time::Duration;
    const H: u32 = 3600;
    let hours: [Vec<(u32, u32)>; 7] =
        std::array::from_fn(|d| if d < 5 { vec![(9 * H, 17 * H)] } else { vec![] });
    let calendar = cxmetrics::calendar::Calendar::new("Europe/Berlin", hours, &[]).unwrap();
    let policy = SlaPolicy::new(SlaTargets {
        first_response: Some(Duration::from_secs(3600)),
        resolution: Some(Duration::from_secs(86_400)),
        ..Default::default()
    });
    let options = AggregateOptions::new()
        .with_group_by(&[Dimension::Agent])
        .unwrap()
        .with_calendar(calendar)
        .with_sla(policy)
        .unwrap();
    let mut aggregator = Aggregator::new(options.clone());
    let dir = Path::new("tests/data");
    feed(
        &mut aggregator,
        dir,
        "business/surveys.csv",
        RecordKind::Surveys,
    );
    feed(
        &mut aggregator,
        dir,
        "business/events.csv",
        RecordKind::Events,
    );
    let report = aggregator.report();
    let json = serde_json::to_value(&report).unwrap();
    let mut checked = 0;
    for (group, group_json) in report.groups.iter().zip(json["groups"].as_array().unwrap()) {
        let mut shown = Vec::new();
        for section in ["nps", "csat", "ces", "tickets", "sla"] {
            if let Some(v) = group_json.get(section) {
                leaves(v, section, &mut shown);
            }
        }
        let sections = |path: &str| {
            shown
                .iter()
                .any(|(p, _)| p.split('.').next() == path.split('.').next())
        };
        let fields: Vec<_> = group
            .fields(Columns::of_group(group))
            .into_iter()
            .filter(|f| sections(&f.path))
            .collect();
        let mut from_fields = Vec::new();
        for f in &fields {
            let value = serde_json::to_value(f.value).unwrap();
            // A distribution or span without data is one `null` in the JSON.
            let (object, _) = f.path.rsplit_once('.').unwrap();
            if value.is_null() && f.path.matches('.').count() == 2 {
                if from_fields.last() != Some(&(object.to_owned(), Value::Null)) {
                    from_fields.push((object.to_owned(), Value::Null));
                }
                continue;
            }
            from_fields.push((f.path.clone(), value));
        }
        // serde_json's maps sort their keys: the order is not compared.
        from_fields.sort_by(|a, b| a.0.cmp(&b.0));
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(from_fields, shown);
        for f in &fields {
            if f.value.as_f64().is_some() {
                assert_eq!(group.value(&f.path), f.value.as_f64(), "{}", f.path);
                let target = Target {
                    metric: f.path.clone(),
                    min: Some(0.0),
                    max: None,
                };
                Targets::new(vec![target], options.layout()).unwrap();
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked} numbers checked");
    // A span the policy does not define, an interval and an unknown name
    // are not target paths.
    for metric in ["sla.reply.rate", "nps.ci95", "tickets.wait_s.p50"] {
        let target = Target {
            metric: metric.into(),
            min: Some(0.0),
            max: None,
        };
        assert!(
            Targets::new(vec![target], options.layout()).is_err(),
            "{metric}"
        );
    }
}
