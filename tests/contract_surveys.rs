//! The survey sections of the definitions examples (`tests/data`, copied from
//! the definitions), reproduced with the library's types: validation, as_of,
//! grouping and every NPS, CSAT and CES statistic.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use cxmetrics::{
    survey::{ResponseId, Scales, SurveyMetric, SurveyScore},
    time::parse_timestamp,
    SurveyKpis,
};
use serde_json::Value;

/// One accepted response with its grouping fields.
struct Accepted {
    score: SurveyScore,
    at: DateTime<FixedOffset>,
    fields: BTreeMap<String, String>,
}

/// What reading a survey file gives: the accepted responses and the
/// accounting of every row.
#[derive(Default)]
struct Read {
    accepted: Vec<Accepted>,
    rows: u64,
    duplicates: u64,
    /// (line, reason) of each rejected row.
    rejected: Vec<(u64, String)>,
}

/// Reads a contract survey CSV (these files have one line per record) and
/// validates each row into library types.
fn read_surveys(path: &Path) -> Read {
    let mut reader = csv::Reader::from_path(path).expect("readable example");
    let headers = reader.headers().expect("header").clone();
    let mut read = Read::default();
    let mut ids = HashSet::new();
    for (index, row) in reader.records().enumerate() {
        let row = row.expect("well-formed csv");
        let line = index as u64 + 2;
        read.rows += 1;
        let fields: BTreeMap<String, String> = headers
            .iter()
            .zip(row.iter())
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        match validate(&fields) {
            Err(reason) => read.rejected.push((line, reason)),
            Ok((id, score, at)) => {
                if ids.insert(id) {
                    read.accepted.push(Accepted { score, at, fields });
                } else {
                    read.duplicates += 1;
                }
            }
        }
    }
    read
}

fn validate(
    fields: &BTreeMap<String, String>,
) -> Result<(ResponseId, SurveyScore, DateTime<FixedOffset>), String> {
    let get = |name: &str| fields.get(name).ok_or_else(|| format!("missing {name}"));
    let id = ResponseId::new(get("id")?.as_str()).map_err(|e| e.to_string())?;
    let metric: SurveyMetric = get("metric")?
        .parse()
        .map_err(|e: cxmetrics::Error| e.to_string())?;
    let score =
        SurveyScore::parse(metric, get("score")?, Scales::default()).map_err(|e| e.to_string())?;
    let at = parse_timestamp(get("at")?).map_err(|e| e.to_string())?;
    Ok((id, score, at))
}

fn close(actual: f64, expected: &Value) -> bool {
    let expected = expected.as_f64().expect("a number");
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

fn interval_matches(actual: Option<cxmetrics::kpi::Interval>, expected: &Value) -> bool {
    match (actual, expected) {
        (None, Value::Null) => true,
        (Some(i), Value::Array(bounds)) => close(i.lower, &bounds[0]) && close(i.upper, &bounds[1]),
        _ => false,
    }
}

/// Checks the `nps`, `csat` and `ces` sections of `group` against `kpis`.
fn assert_sections(kpis: &SurveyKpis, group: &Value, label: &str) {
    let summary = kpis.summary();
    match (summary.nps, group.get("nps")) {
        (None, None) => {}
        (Some(s), Some(e)) => {
            assert_eq!(s.responses, e["responses"], "{label} nps");
            assert_eq!(s.promoters, e["promoters"], "{label} nps");
            assert_eq!(s.passives, e["passives"], "{label} nps");
            assert_eq!(s.detractors, e["detractors"], "{label} nps");
            assert!(close(s.score, &e["score"]), "{label} nps score {s:?}");
            assert!(
                interval_matches(Some(s.ci), &e["ci95"]),
                "{label} nps ci {s:?} vs {e}"
            );
        }
        (s, e) => panic!("{label}: nps {s:?} vs {e:?}"),
    }
    // CSAT's contract interval is the Wilson one of the share; CES's the t
    // interval of the mean.
    for (name, section, favorable, ci_of) in [
        (
            "csat",
            summary.csat,
            "satisfied",
            (|s: &cxmetrics::kpi::ScaleSummary| Some(s.score_ci)) as fn(&_) -> _,
        ),
        (
            "ces",
            summary.ces,
            "easy",
            |s: &cxmetrics::kpi::ScaleSummary| s.mean_ci,
        ),
    ] {
        match (section, group.get(name)) {
            (None, None) => {}
            (Some(s), Some(e)) => {
                assert_eq!(s.responses, e["responses"], "{label} {name}");
                assert_eq!(s.favorable, e[favorable], "{label} {name}");
                assert!(close(s.score, &e["score"]), "{label} {name} score");
                assert!(close(s.mean, &e["mean"]), "{label} {name} mean");
                assert!(
                    interval_matches(ci_of(&s), &e["ci95"]),
                    "{label} {name} ci {s:?} vs {e}"
                );
            }
            (s, e) => panic!("{label}: {name} {s:?} vs {e:?}"),
        }
    }
}

/// Groups `read`'s responses up to the report's `as_of` by the report's
/// dimensions and day bucket, and compares every group's survey sections.
fn check_report(read: &Read, report: &Value) {
    let as_of = parse_timestamp(report["as_of"].as_str().unwrap()).unwrap();
    let dims: Vec<&str> = report["group_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let zone: chrono_tz::Tz = report["timezone"].as_str().unwrap().parse().unwrap();
    let by_day = report["bucket"] == "day";
    assert!(
        by_day || report["bucket"] == "none",
        "only day buckets here"
    );
    let mut groups: BTreeMap<Vec<Option<String>>, SurveyKpis> = BTreeMap::new();
    for response in read.accepted.iter().filter(|r| r.at <= as_of) {
        let mut key: Vec<Option<String>> = Vec::new();
        if by_day {
            key.push(Some(
                response.at.with_timezone(&zone).date_naive().to_string(),
            ));
        }
        key.extend(dims.iter().map(|d| response.fields.get(*d).cloned()));
        groups.entry(key).or_default().add(response.score).unwrap();
    }
    let expected = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), expected.len(), "number of groups");
    for ((key, kpis), group) in groups.iter().zip(expected) {
        let mut names = Vec::new();
        if by_day {
            names.push("bucket");
        }
        names.extend(&dims);
        for (name, value) in names.iter().zip(key) {
            assert_eq!(
                group[*name].as_str(),
                value.as_deref(),
                "group order and key"
            );
        }
        assert_sections(kpis, group, &format!("{key:?}"));
    }
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(Path::new("tests/data").join(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn surveys_basic_by_agent() {
    let read = read_surveys(Path::new("tests/data/surveys-basic/surveys.csv"));
    assert_eq!(
        (read.rows, read.accepted.len(), read.rejected.len()),
        (13, 13, 0)
    );
    check_report(&read, &load("surveys-basic/report-by-agent.json"));
}

#[test]
fn surveys_basic_as_of_by_agent() {
    let read = read_surveys(Path::new("tests/data/surveys-basic/surveys.csv"));
    check_report(&read, &load("surveys-basic/report-as-of-by-agent.json"));
}

#[test]
fn surveys_basic_by_day_and_channel_in_sao_paulo() {
    let read = read_surveys(Path::new("tests/data/surveys-basic/surveys.csv"));
    check_report(
        &read,
        &load("surveys-basic/report-by-day-channel-saopaulo.json"),
    );
}

/// `dirty/surveys.csv` holds one of each kind of bad record: the library's
/// validation rejects exactly the documented lines, with messages naming
/// the value, and the survey sections of the report follow.
#[test]
fn dirty_surveys_are_rejected_line_by_line() {
    let read = read_surveys(Path::new("tests/data/dirty/surveys.csv"));
    let report = load("dirty/report.json");
    let counts = &report["input"]["surveys"];
    assert_eq!(read.rows, counts["rows"]);
    assert_eq!(read.accepted.len() as u64, counts["accepted"]);
    assert_eq!(read.duplicates, counts["duplicates"]);
    assert_eq!(read.rejected.len() as u64, counts["rejected"]);
    let expected_lines: Vec<u64> = report["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["file"] == "surveys.csv")
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    let lines: Vec<u64> = read.rejected.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, expected_lines);
    let reasons: Vec<&str> = read
        .rejected
        .iter()
        .map(|(_, reason)| reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "score 11 out of range 0..=10 for nps",
            "unknown metric \"NPS\": expected nps, csat or ces",
            "invalid timestamp \"2026-03-02 09:00:00\": expected YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM|-HH:MM)",
            "score \"4.0\" is not an integer",
            "missing id",
            "score 0 out of range 1..=7 for ces",
            "invalid timestamp \"2026-03-02T09:00:00+25:00\": expected YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM|-HH:MM)",
            "invalid timestamp \"2026-02-30T09:00:00Z\": expected YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM|-HH:MM)",
            "score -1 out of range 1..=7 for ces",
        ]
    );
    let kpis: SurveyKpis = read.accepted.iter().map(|r| r.score).collect();
    let group = &report["groups"].as_array().unwrap()[0];
    assert_sections(&kpis, group, "dirty");
}
