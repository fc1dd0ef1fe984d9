//! One ticket's SLA spans (`TicketMetrics::sla`), summed over the tickets,
//! are the report's `sla` counts at the report's `as_of`: by channel,
//! whose targets differ, in business hours and in calendar time.

use std::collections::BTreeMap;
use std::fs;

use cxmetrics::aggregate::Dimension;
use cxmetrics::io::{options, EventReader, InputFormat, Item};
use cxmetrics::sla::{SlaCount, SlaCounts};
use cxmetrics::{AggregateOptions, Aggregator, TicketEvent, Timeline};
use serde_json::Value;

fn events() -> Vec<TicketEvent> {
    let file = fs::File::open("tests/data/business/events.csv").unwrap();
    EventReader::new(file, InputFormat::Csv, "events.csv")
        .unwrap()
        .filter_map(|item| match item.unwrap() {
            Item::Record(e) => Some(e),
            Item::Rejected(_) => None,
        })
        .collect()
}

fn count(value: &Value) -> Option<SlaCount> {
    value.get("measured").map(|_| SlaCount {
        measured: value["measured"].as_u64().unwrap(),
        met: value["met"].as_u64().unwrap(),
    })
}

fn check(business: bool) {
    let calendar =
        options::calendar(&fs::read_to_string("tests/data/business/calendar.json").unwrap())
            .unwrap();
    let mut text = fs::read_to_string("tests/data/business/sla.json").unwrap();
    if !business {
        text = text.replace("\"business_hours\": true", "\"business_hours\": false");
    }
    let policy = options::sla(&text).unwrap();
    let options = AggregateOptions::new()
        .with_group_by(&[Dimension::Channel])
        .unwrap()
        .with_calendar(calendar.clone())
        .with_sla(policy.clone())
        .unwrap();
    let mut aggregator = Aggregator::new(options);
    let events = events();
    let mut timelines: BTreeMap<String, Timeline> = BTreeMap::new();
    for event in &events {
        aggregator.add_event(event).unwrap();
        timelines
            .entry(event.ticket().as_str().to_owned())
            .or_default()
            .push(event.clone())
            .unwrap();
    }
    let report = serde_json::to_value(aggregator.report()).unwrap();
    let as_of = report["as_of"].as_str().unwrap().parse().unwrap();

    let mut by_channel: BTreeMap<Option<String>, SlaCounts> = BTreeMap::new();
    for timeline in timelines.values() {
        let Ok(Some(metrics)) = timeline.metrics(None) else {
            continue;
        };
        let counts = metrics.sla(&policy, Some(&calendar), as_of).unwrap();
        by_channel
            .entry(metrics.channel().map(str::to_owned))
            .or_default()
            .merge(&counts)
            .unwrap();
    }
    let groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), by_channel.len());
    let mut measured = 0;
    for group in groups {
        let channel = group["channel"].as_str().map(str::to_owned);
        let ours = &by_channel[&channel];
        let sla = &group["sla"];
        assert_eq!(
            ours.first_response,
            count(&sla["first_response"]),
            "{channel:?}"
        );
        assert_eq!(ours.reply, count(&sla["reply"]), "{channel:?}");
        assert_eq!(ours.resolution, count(&sla["resolution"]), "{channel:?}");
        measured += ours.reply.map_or(0, |c| c.measured);
    }
    assert!(measured > 0);
}

#[test]
fn summed_over_tickets_in_business_hours() {
    check(true);
}

#[test]
fn summed_over_tickets_in_calendar_time() {
    check(false);
}

#[test]
fn business_hours_need_a_calendar() {
    let policy =
        options::sla(&fs::read_to_string("tests/data/business/sla.json").unwrap()).unwrap();
    let events = events();
    let mut timeline = Timeline::new();
    for event in events.iter().filter(|e| e.ticket() == events[0].ticket()) {
        timeline.push(event.clone()).unwrap();
    }
    let metrics = timeline.metrics(None).unwrap().unwrap();
    let at = metrics.created_at();
    assert!(metrics.sla(&policy, None, at).is_err());
}
