//! Model-based test of the ticket timeline: random valid operation
//! sequences go to the real [`Timeline`] and to a deliberately naive
//! reference that reads definitions, "Ticket timeline" literally, rescanning the event
//! list for every question instead of keeping state; both must agree.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use cxmetrics::{
    ticket::{EventId, EventKind, Name, Status, TicketId},
    time::parse_timestamp,
    TicketEvent, Timeline,
};
use proptest::prelude::*;

/// What can happen after `created`.
#[derive(Debug, Clone)]
enum Op {
    Customer,
    Bot,
    Note,
    Assign(u8, Option<u8>),
    Start(u8),
    End(u8),
    Reply(u8),
    Status(Status),
    Topic(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let status = prop::sample::select(vec![
        Status::New,
        Status::Open,
        Status::Pending,
        Status::OnHold,
        Status::Solved,
        Status::Closed,
    ]);
    prop_oneof![
        3 => Just(Op::Customer),
        1 => Just(Op::Bot),
        1 => Just(Op::Note),
        1 => (0..3u8, prop::option::of(0..2u8)).prop_map(|(a, t)| Op::Assign(a, t)),
        2 => (0..3u8).prop_map(Op::Start),
        2 => (0..3u8).prop_map(Op::End),
        3 => (0..3u8).prop_map(Op::Reply),
        3 => status.prop_map(Op::Status),
        1 => (0..3u8).prop_map(Op::Topic),
    ]
}

/// A valid ticket: `created` first, then operations, each 1 to 3600 s
/// after the one before (strictly increasing, so the order is the input's).
fn ticket() -> impl Strategy<Value = (Option<u8>, Vec<(u64, Op)>)> {
    (
        prop::option::of(0..2u8),
        prop::collection::vec((1u64..3600, op()), 0..40),
    )
}

fn name(prefix: &str, n: u8) -> Name {
    Name::new(format!("{prefix}{n}")).unwrap()
}

/// The events of a generated ticket, with their instants.
fn events(team: Option<u8>, ops: &[(u64, Op)]) -> Vec<(DateTime<FixedOffset>, TicketEvent)> {
    let mut at = parse_timestamp("2026-03-02T09:00:00+01:00").unwrap();
    let mut out = Vec::new();
    let created = EventKind::Created {
        channel: Some(Name::new("chat").unwrap()),
        team: team.map(|t| name("team", t)),
    };
    let make = |i: usize, at, kind| {
        TicketEvent::new(
            EventId::new(format!("e{i}")).unwrap(),
            TicketId::new("M").unwrap(),
            at,
            kind,
        )
    };
    out.push((at, make(0, at, created)));
    for (i, (delta, op)) in ops.iter().enumerate() {
        at += TimeDelta::seconds(*delta as i64);
        let (kind, topic) = match op {
            Op::Customer => (EventKind::CustomerReply, None),
            Op::Bot => (EventKind::BotReply, None),
            Op::Note => (EventKind::InternalNote, None),
            Op::Assign(a, t) => (
                EventKind::Assigned {
                    agent: name("agent", *a),
                    team: t.map(|t| name("team", t)),
                },
                None,
            ),
            Op::Start(a) => (
                EventKind::HandlingStarted {
                    agent: name("agent", *a),
                },
                None,
            ),
            Op::End(a) => (
                EventKind::HandlingEnded {
                    agent: name("agent", *a),
                },
                None,
            ),
            Op::Reply(a) => (
                EventKind::AgentReply {
                    agent: name("agent", *a),
                },
                None,
            ),
            Op::Status(s) => (EventKind::Status { status: *s }, None),
            Op::Topic(t) => (EventKind::InternalNote, Some(name("topic", *t))),
        };
        let mut event = make(i + 1, at, kind);
        if let Some(topic) = topic {
            event = event.with_topic(topic.as_str());
        }
        out.push((at, event));
    }
    out
}

/// The metrics both sides must agree on, in whole nanoseconds.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    first_response: Option<Duration>,
    waits: Vec<Duration>,
    open_wait: bool,
    resolved: bool,
    first_resolution: Option<Duration>,
    full_resolution: Option<Duration>,
    reopens: u32,
    agent_replies: u32,
    one_touch: bool,
    handle: Option<Duration>,
    team: Option<String>,
    topic: Option<String>,
    agent: Option<String>,
}

fn span(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> Duration {
    (to - from).to_std().unwrap()
}

/// The documented definitions, read literally over the list of events.
fn naive(list: &[(DateTime<FixedOffset>, TicketEvent)]) -> Expected {
    let created = list[0].0;
    let kind = |i: usize| list[i].1.kind();
    let is_reply = |i: usize| matches!(kind(i), EventKind::AgentReply { .. });
    let solved_status =
        |i: usize| matches!(kind(i), EventKind::Status { status } if status.is_solved());
    // "solved state": whether the ticket is solved after event i.
    let solved_after = |i: usize| -> bool {
        let mut solved = false;
        for j in 0..=i {
            if let EventKind::Status { status } = kind(j) {
                solved = status.is_solved();
            }
        }
        solved
    };
    let solved_before = |i: usize| i > 0 && solved_after(i - 1);
    // Entries into the solved state.
    let entries: Vec<usize> = (0..list.len())
        .filter(|&i| solved_status(i) && !solved_before(i))
        .collect();
    let reopens = (0..list.len())
        .filter(|&i| {
            matches!(kind(i), EventKind::Status { status } if !status.is_solved())
                && solved_before(i)
        })
        .count() as u32;
    // A wait is closed by a reply, or ended by an entry into the solved
    // state; the next one starts at the first `created` / customer reply
    // after such a boundary.
    let boundary = |i: usize| is_reply(i) || entries.contains(&i);
    let opener = |i: usize| i == 0 || matches!(kind(i), EventKind::CustomerReply);
    let wait_start_before = |end: usize| -> Option<usize> {
        let last_boundary = (0..end).rev().find(|&j| boundary(j));
        let from = last_boundary.map_or(0, |b| b + 1);
        (from..end).find(|&j| opener(j))
    };
    let waits: Vec<Duration> = (0..list.len())
        .filter(|&i| is_reply(i))
        .filter_map(|i| wait_start_before(i).map(|start| span(list[start].0, list[i].0)))
        .collect();
    let open_wait = wait_start_before(list.len()).is_some();
    let replies: Vec<usize> = (0..list.len()).filter(|&i| is_reply(i)).collect();
    let resolved = solved_after(list.len() - 1);
    // Handling: each agent's own starts and ends, paired in order.
    let mut handle: Option<Duration> = None;
    for agent in 0..3 {
        let me = name("agent", agent);
        let mut open: Option<DateTime<FixedOffset>> = None;
        for (at, event) in list {
            match event.kind() {
                EventKind::HandlingStarted { agent } if *agent == me && open.is_none() => {
                    open = Some(*at)
                }
                EventKind::HandlingEnded { agent } if *agent == me => {
                    if let Some(start) = open.take() {
                        handle = Some(handle.unwrap_or_default() + span(start, *at));
                    }
                }
                _ => {}
            }
        }
    }
    let team = list.iter().rev().find_map(|(_, e)| match e.kind() {
        EventKind::Created { team, .. } | EventKind::Assigned { team, .. } => team.clone(),
        _ => None,
    });
    let topic = list.iter().rev().find_map(|(_, e)| e.topic().cloned());
    let assigned = list.iter().rev().find_map(|(_, e)| match e.kind() {
        EventKind::Assigned { agent, .. } => Some(agent.clone()),
        _ => None,
    });
    let first_reply_agent = replies.first().map(|&i| match kind(i) {
        EventKind::AgentReply { agent } => agent.clone(),
        _ => unreachable!(),
    });
    Expected {
        first_response: replies.first().map(|&i| span(created, list[i].0)),
        waits,
        open_wait,
        resolved,
        first_resolution: entries.first().map(|&i| span(created, list[i].0)),
        full_resolution: entries
            .last()
            .filter(|_| resolved)
            .map(|&i| span(created, list[i].0)),
        reopens,
        agent_replies: replies.len() as u32,
        one_touch: resolved && replies.len() == 1 && reopens == 0,
        handle,
        team: team.map(|t| t.to_string()),
        topic: topic.map(|t| t.to_string()),
        agent: assigned.or(first_reply_agent).map(|a| a.to_string()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn timeline_equals_the_naive_model((team, ops) in ticket()) {
        let list = events(team, &ops);
        let mut timeline = Timeline::new();
        for (_, event) in &list {
            timeline.push(event.clone()).unwrap();
        }
        let m = timeline.metrics(None).unwrap().expect("has events");
        let actual = Expected {
            first_response: m.first_response(),
            waits: m.reply_waits().collect(),
            open_wait: m.open_wait_since().is_some(),
            resolved: m.resolved(),
            first_resolution: m.first_resolution(),
            full_resolution: m.full_resolution(),
            reopens: m.reopens(),
            agent_replies: m.agent_replies(),
            one_touch: m.one_touch(),
            handle: m.handle_time(),
            team: m.team().map(str::to_owned),
            topic: m.topic().map(str::to_owned),
            agent: m.agent().map(str::to_owned),
        };
        prop_assert_eq!(actual, naive(&list));
    }
}
