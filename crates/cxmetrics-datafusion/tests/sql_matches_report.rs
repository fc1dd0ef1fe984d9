//! The SQL functions give the report's numbers (to the contract's
//! tolerance) on the bundled sample and the example data sets, and exactly
//! the same rows for 1, 2 and 7 partitions, shuffled files, and partial
//! aggregation given up at once.

mod common;

use std::fs;
use std::path::Path;

use common::{accepted_rows, context, folder, register, root, rows, split};
use cxmetrics::aggregate::Dimension;
use cxmetrics::io::{options, EventReader, InputFormat, Item, SurveyReader};
use cxmetrics::{AggregateOptions, Aggregator};
use cxmetrics_datafusion::cookbook;
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
        let format = InputFormat::from_path(path).unwrap();
        for item in EventReader::new(file, format, "e").unwrap() {
            if let Item::Record(e) = item.unwrap() {
                aggregator.add_event(&e).unwrap();
            }
        }
    }
    serde_json::to_value(aggregator.report()).unwrap()
}

/// The first delivery of each id, kept as the report keeps it.
const FIRST_SURVEYS: &str =
    "FROM (SELECT DISTINCT ON (id) * FROM surveys ORDER BY id, CAST(seq AS BIGINT))";

/// The events without repeated ids, the first delivery of each kept as
/// the report keeps it.
const EVENTS: &str = "(SELECT DISTINCT ON (id) * FROM events ORDER BY id, CAST(seq AS BIGINT))";

/// A cookbook query over the first deliveries.
fn first_deliveries(sql: &str) -> String {
    sql.replace("FROM surveys", FIRST_SURVEYS)
        .replace("FROM events", &format!("FROM {EVENTS}"))
}

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
    let s = data.join("surveys.csv");
    let e = ["events.csv", "events.jsonl"]
        .map(|name| data.join(name))
        .into_iter()
        .find(|path| path.exists())
        .unwrap_or_else(|| data.join("events.csv"));
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
            results.push(rows(&ctx, &first_deliveries(cookbook::REPORT_SURVEYS)).await);
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
            results.push(rows(&ctx, &first_deliveries(cookbook::REPORT_TICKETS)).await);
            results.push(rows(&ctx, &first_deliveries(cookbook::REPORT_REPLIES)).await);
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
async fn dirty_records() {
    check("tests/data/dirty", true, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_edge_cases() {
    check("tests/data/tickets-edge", false, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn night_shift() {
    check("tests/data/night", false, true).await;
}

/// The cookbook's report queries, over the sample as partitioned Parquet
/// files (integer scores, timestamp `at`), give the report's numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookbook_report_over_parquet() {
    let sample = root().join("examples/data");
    let expected = report(
        Some(&sample.join("surveys.csv")),
        Some(&sample.join("events.csv")),
        None,
    );
    let data = folder("cookbook-parquet");
    common::support::sample_as_parquet(&sample, &data, 3)
        .await
        .unwrap();
    for partitions in [1, 4] {
        let ctx = context(partitions, false);
        for table in ["surveys", "events"] {
            cxmetrics_datafusion::register_files(&ctx, table, &[data.join(table)])
                .await
                .unwrap();
        }
        compare_surveys(&expected, &rows(&ctx, cookbook::REPORT_SURVEYS).await);
        compare_tickets(
            &expected,
            &rows(&ctx, cookbook::REPORT_TICKETS).await,
            &rows(&ctx, cookbook::REPORT_REPLIES).await,
        );
    }
}

/// A table of several CSV files named one by one reads each of them once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_of_several_files() {
    let sample = root().join("examples/data/surveys.csv");
    let dir = folder("several-files");
    let columns: Vec<String> = common::SURVEY_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    let accepted = accepted_rows(&sample, true);
    let files = common::support::write_csv_parts(&dir, &columns, &accepted, 3);
    let ctx = context(2, false);
    cxmetrics_datafusion::register_files(&ctx, "surveys", &files)
        .await
        .unwrap();
    let all = rows(
        &ctx,
        "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM surveys",
    )
    .await;
    assert_eq!(all[0]["n"], accepted.len());
    // Identifiers stay text: leading zeros and all.
    let texts = rows(&ctx, "SELECT arrow_typeof(score) AS t FROM surveys LIMIT 1").await;
    assert_eq!(texts[0]["t"], "Utf8");
    let mixed = cxmetrics_datafusion::register_files(
        &ctx,
        "mixed",
        &[files[0].clone(), dir.join("missing.parquet")],
    )
    .await;
    assert!(mixed.unwrap_err().to_string().contains("not of the format"));
}

/// With an SLA in business hours, the tickets' spans summed by agent at
/// the report's `as_of` are the report's `sla` counts, and a policy in
/// business hours without a calendar is an error of the query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_by_agent() {
    let data = root().join("tests/data/business");
    let read = |name: &str| fs::read_to_string(data.join(name)).unwrap();
    let calendar = options::calendar(&read("calendar.json")).unwrap();
    let policy = options::sla(&read("sla.json")).unwrap();
    let mut aggregator = Aggregator::new(
        AggregateOptions::new()
            .with_group_by(&[Dimension::Agent])
            .unwrap()
            .with_calendar(calendar.clone())
            .with_sla(policy.clone())
            .unwrap(),
    );
    let file = fs::File::open(data.join("events.csv")).unwrap();
    for item in EventReader::new(file, InputFormat::Csv, "e").unwrap() {
        if let Item::Record(e) = item.unwrap() {
            aggregator.add_event(&e).unwrap();
        }
    }
    let expected = serde_json::to_value(aggregator.report()).unwrap();
    let as_of = expected["as_of"].as_str().unwrap();

    let dir = folder("sla");
    let columns = split(&data.join("events.csv"), false, &dir, 3, 5);
    let config = cxmetrics_datafusion::Config::default()
        .with_calendar(calendar)
        .with_sla(policy.clone());
    let ctx = common::context_with(3, false, config);
    register(&ctx, "events", &dir, &columns).await;
    let spans = ["first_response", "reply", "resolution"];
    let sums = spans
        .iter()
        .map(|s| {
            format!(
                "sum(m['sla']['{s}']['measured']) AS {s}_measured, \
                 sum(m['sla']['{s}']['met']) AS {s}_met, count(m['sla']['{s}']) AS {s}_tickets"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH t AS (SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic, '{as_of}') AS m
                    FROM {EVENTS} GROUP BY ticket)
         SELECT m['agent'] AS agent, {sums} FROM t WHERE m['valid'] GROUP BY m['agent']"
    );
    let rows = rows(&ctx, &sql).await;
    assert_eq!(rows.len(), expected["groups"].as_array().unwrap().len());
    let mut measured = 0;
    for row in &rows {
        let sla = &group(&expected, &row["agent"])["sla"];
        for s in spans {
            let at = format!("{} sla.{s}", row["agent"]);
            if row[format!("{s}_tickets")] == 0 {
                assert!(sla.get(s).is_none(), "{at}");
                continue;
            }
            assert_eq!(sla[s]["measured"], row[format!("{s}_measured")], "{at}");
            assert_eq!(sla[s]["met"], row[format!("{s}_met")], "{at}");
            measured += sla[s]["measured"].as_u64().unwrap();
        }
    }
    assert!(measured > 0);

    let without_calendar = common::context_with(
        1,
        false,
        cxmetrics_datafusion::Config::default().with_sla(policy),
    );
    register(&without_calendar, "events", &dir, &columns).await;
    let error = without_calendar
        .sql(&sql)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("ticket_metrics") && error.contains("calendar"),
        "{error}"
    );
}
