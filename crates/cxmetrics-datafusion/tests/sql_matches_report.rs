//! The SQL functions give the report's numbers (to the contract's
//! tolerance) on the bundled sample and the example data sets, and exactly
//! the same rows for 1, 2 and 7 partitions, shuffled files, and partial
//! aggregation given up at once.

mod common;

use std::fs;
use std::path::Path;

use common::{context, folder, register, root, rows, split};
use cxmetrics::aggregate::Dimension;
use cxmetrics::io::{options, EventReader, InputFormat, Item, SurveyReader};
use cxmetrics::{AggregateOptions, Aggregator};
use serde_json::Value;

/// The report by agent of the files, as JSON.
fn report(surveys: Option<&Path>, events: Option<&Path>, calendar: Option<&Path>) -> Value {
    let mut options = AggregateOptions::new()
        .with_group_by(&[Dimension::Agent])
        .unwrap();
    if let Some(path) = calendar {
        options =
            options.with_calendar(options::calendar(&fs::read_to_string(path).unwrap()).unwrap());
    }
    let mut aggregator = Aggregator::new(options);
    if let Some(path) = surveys {
        let file = fs::File::open(path).unwrap();
        let scales = aggregator.options().scales();
        for item in SurveyReader::new(file, InputFormat::Csv, "s", scales).unwrap() {
            if let Item::Record(r) = item.unwrap() {
                aggregator.add_response(&r).unwrap();
            }
        }
    }
    if let Some(path) = events {
        let file = fs::File::open(path).unwrap();
        for item in EventReader::new(file, InputFormat::Csv, "e").unwrap() {
            if let Item::Record(e) = item.unwrap() {
                aggregator.add_event(&e).unwrap();
            }
        }
    }
    serde_json::to_value(aggregator.report()).unwrap()
}

const SURVEYS: &str = "
    SELECT agent,
           nps(CASE WHEN metric = 'nps' THEN score END) AS nps,
           csat(CASE WHEN metric = 'csat' THEN score END) AS csat,
           ces(CASE WHEN metric = 'ces' THEN score END) AS ces
    FROM (SELECT DISTINCT ON (id) * FROM surveys ORDER BY id, CAST(seq AS BIGINT))
    GROUP BY agent ORDER BY agent NULLS FIRST";

/// The events without repeated ids, the first delivery of each kept as
/// the report keeps it.
const EVENTS: &str = "(SELECT DISTINCT ON (id) * FROM events ORDER BY id, CAST(seq AS BIGINT))";

const TICKETS: &str = "
    WITH t AS (SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS m
               FROM EVENTS GROUP BY ticket),
         v AS (SELECT m FROM t WHERE m['valid'])
    SELECT m['agent'] AS agent, count(*) AS created,
           sum(CASE WHEN m['answered'] THEN 1 ELSE 0 END) AS answered,
           sum(CASE WHEN m['resolved'] THEN 1 ELSE 0 END) AS resolved,
           sum(CASE WHEN m['reopens'] > 0 THEN 1 ELSE 0 END) AS reopened,
           sum(CASE WHEN m['one_touch'] THEN 1 ELSE 0 END) AS one_touch,
           duration_stats(m['first_response_s']) AS first_response_s,
           duration_stats(m['first_resolution_s']) AS first_resolution_s,
           duration_stats(m['full_resolution_s']) AS full_resolution_s,
           duration_stats(m['handle_s']) AS handle_s
    FROM v GROUP BY m['agent'] ORDER BY agent NULLS FIRST";

const REPLIES: &str = "
    WITH t AS (SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS m
               FROM EVENTS GROUP BY ticket),
         w AS (SELECT m['agent'] AS agent, unnest(m['reply_waits_s']) AS wait
               FROM t WHERE m['valid'])
    SELECT agent, duration_stats(wait) AS reply_s FROM w GROUP BY agent ORDER BY agent NULLS FIRST";

const BUSINESS: &str = "
    WITH t AS (SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS m
               FROM EVENTS GROUP BY ticket)
    SELECT m['agent'] AS agent,
           duration_stats(m['first_response_business_s']) AS first_response_business_s,
           duration_stats(m['first_resolution_business_s']) AS first_resolution_business_s,
           duration_stats(m['full_resolution_business_s']) AS full_resolution_business_s
    FROM t WHERE m['valid'] GROUP BY m['agent'] ORDER BY agent NULLS FIRST";

/// Equal to the contract's tolerance: 1e-6 relative (absolute near
/// zero); both null, or both absent.
fn close(expected: &Value, actual: &Value, at: &str) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            assert!(
                (e - a).abs() <= 1e-6 * e.abs().max(1.0),
                "{at}: report {e}, sql {a}"
            );
        }
        (e, a) => assert_eq!(e, a, "{at}"),
    }
}

/// A group's value in the report, `null` where the section is left out.
fn get<'a>(group: &'a Value, path: &[&str]) -> &'a Value {
    path.iter()
        .fold(group, |v, key| v.get(key).unwrap_or(&Value::Null))
}

/// The report's group of `agent`.
fn group<'a>(report: &'a Value, agent: &Value) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| &g["agent"] == agent)
        .unwrap_or_else(|| panic!("no group {agent}"))
}

fn compare_surveys(report: &Value, sql: &[Value]) {
    let with_surveys = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| ["nps", "csat", "ces"].iter().any(|s| g.get(s).is_some()))
        .count();
    assert_eq!(sql.len(), with_surveys);
    for row in sql {
        let group = group(report, &row["agent"]);
        for (section, counts) in [
            (
                "nps",
                &["responses", "promoters", "passives", "detractors"][..],
            ),
            ("csat", &["responses", "satisfied"][..]),
            ("ces", &["responses", "easy"][..]),
        ] {
            let at = format!("{} {section}", row["agent"]);
            let responses = row[section]["responses"].as_u64().unwrap();
            if responses == 0 {
                assert!(group.get(section).is_none(), "{at}");
                continue;
            }
            for key in counts.iter().chain(&["score"]) {
                close(
                    get(group, &[section, key]),
                    &row[section][*key],
                    &format!("{at}.{key}"),
                );
            }
            if section != "nps" {
                close(
                    get(group, &[section, "mean"]),
                    &row[section]["mean"],
                    &format!("{at}.mean"),
                );
            }
            let ci = get(group, &[section, "ci95"]);
            close(
                &ci.get(0).cloned().unwrap_or(Value::Null),
                &row[section]["ci_low"],
                &format!("{at}.ci_low"),
            );
            close(
                &ci.get(1).cloned().unwrap_or(Value::Null),
                &row[section]["ci_high"],
                &format!("{at}.ci_high"),
            );
        }
    }
}

/// A `duration_stats` result against the report's distribution.
fn compare_distribution(expected: &Value, actual: &Value, at: &str) {
    if actual["n"].as_u64() == Some(0) {
        assert!(expected.is_null(), "{at}: {expected}");
        return;
    }
    close(&expected["mean"], &actual["mean"], &format!("{at}.mean"));
    for q in ["p50", "p90"] {
        close(&expected[q], &actual[q], &format!("{at}.{q}"));
    }
}

fn compare_tickets(report: &Value, tickets: &[Value], replies: &[Value]) {
    let with_tickets = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g.get("tickets").is_some())
        .count();
    assert_eq!(tickets.len(), with_tickets);
    for row in tickets {
        let expected = &group(report, &row["agent"])["tickets"];
        let at = format!("{} tickets", row["agent"]);
        for key in ["created", "answered", "resolved", "reopened", "one_touch"] {
            close(&expected[key], &row[key], &format!("{at}.{key}"));
        }
        for key in [
            "first_response_s",
            "first_resolution_s",
            "full_resolution_s",
            "handle_s",
        ] {
            compare_distribution(&expected[key], &row[key], &format!("{at}.{key}"));
        }
    }
    for row in replies {
        let expected = &group(report, &row["agent"])["tickets"]["reply_s"];
        compare_distribution(
            expected,
            &row["reply_s"],
            &format!("{} reply_s", row["agent"]),
        );
    }
}

/// Every query on every configuration: the same rows each time, and the
/// report's numbers.
async fn check(name: &str, surveys: bool, events: bool) {
    let data = root().join(name);
    let (s, e) = (data.join("surveys.csv"), data.join("events.csv"));
    let calendar = data.join("calendar.json");
    let calendar = calendar.exists().then_some(calendar.as_path());
    let expected = report(
        surveys.then_some(s.as_path()),
        events.then_some(e.as_path()),
        calendar,
    );
    let dir = folder(&name.replace('/', "-"));
    let mut first: Option<Vec<Vec<Value>>> = None;
    for (seed, (partitions, skip)) in [(1, false), (2, false), (7, false), (2, true)]
        .into_iter()
        .enumerate()
    {
        let mut ctx = context(partitions, skip);
        if let Some(path) = calendar {
            let calendar = options::calendar(&fs::read_to_string(path).unwrap()).unwrap();
            ctx = common::context_with(
                partitions,
                skip,
                cxmetrics_datafusion::Config::default().with_calendar(calendar),
            );
        }
        let mut results = Vec::new();
        if surveys {
            let columns = split(&s, true, &dir.join(format!("s{seed}")), 3, seed as u64);
            register(&ctx, "surveys", &dir.join(format!("s{seed}")), &columns).await;
            results.push(rows(&ctx, SURVEYS).await);
        }
        if events {
            let columns = split(
                &e,
                false,
                &dir.join(format!("e{seed}")),
                3,
                seed as u64 + 10,
            );
            register(&ctx, "events", &dir.join(format!("e{seed}")), &columns).await;
            results.push(rows(&ctx, &TICKETS.replace("EVENTS", EVENTS)).await);
            results.push(rows(&ctx, &REPLIES.replace("EVENTS", EVENTS)).await);
            if calendar.is_some() {
                results.push(rows(&ctx, &BUSINESS.replace("EVENTS", EVENTS)).await);
            }
        }
        match &first {
            None => first = Some(results),
            Some(first) => assert_eq!(
                first, &results,
                "{name}: {partitions} partitions, skip {skip}"
            ),
        }
    }
    let mut results = first.unwrap().into_iter();
    if surveys {
        compare_surveys(&expected, &results.next().unwrap());
    }
    if events {
        let tickets = results.next().unwrap();
        let replies = results.next().unwrap();
        compare_tickets(&expected, &tickets, &replies);
        if calendar.is_some() {
            for row in results.next().unwrap() {
                let group = &group(&expected, &row["agent"])["tickets"];
                for key in [
                    "first_response_business_s",
                    "first_resolution_business_s",
                    "full_resolution_business_s",
                ] {
                    compare_distribution(
                        &group[key],
                        &row[key],
                        &format!("{} {key}", row["agent"]),
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_sample() {
    check("examples/data", true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn surveys_basic() {
    check("tests/data/surveys-basic", true, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_hours() {
    check("tests/data/business", true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn night_shift() {
    check("tests/data/night", false, true).await;
}
