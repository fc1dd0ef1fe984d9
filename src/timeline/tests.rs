//! The `tickets-edge` contract example, ticket by ticket, with the numbers
//! worked out; and the properties every timeline must have.

use super::*;
use crate::id::EventId;
use crate::ticket::EventFields;
use crate::time::parse_timestamp;
use proptest::prelude::*;

/// Parses one line of the documented JSON Lines event format.
fn event(line: &str) -> TicketEvent {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let field = |name: &str| v.get(name).and_then(|f| f.as_str());
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
    let mut event = TicketEvent::new(
        EventId::new(field("id").unwrap()).unwrap(),
        TicketId::new(field("ticket").unwrap()).unwrap(),
        parse_timestamp(field("at").unwrap()).unwrap(),
        kind,
    );
    if let Some(topic) = field("topic") {
        event = event.with_topic(topic);
    }
    event
}

fn timeline(lines: &[&str]) -> Timeline {
    let mut timeline = Timeline::new();
    for line in lines {
        timeline.push(event(line)).unwrap();
    }
    timeline
}

fn secs(d: Option<Duration>) -> Option<f64> {
    d.map(|d| d.as_secs_f64())
}

fn at(text: &str) -> DateTime<Utc> {
    parse_timestamp(text).unwrap().with_timezone(&Utc)
}

const TICKET_A: &[&str] = &[
    r#"{"id":"e1","ticket":"A","at":"2026-03-02T09:00:00Z","kind":"created","channel":"chat","team":"billing","topic":"billing"}"#,
    r#"{"id":"e2","ticket":"A","at":"2026-03-02T09:00:03Z","kind":"bot_reply"}"#,
    r#"{"id":"e3","ticket":"A","at":"2026-03-02T09:01:00Z","kind":"internal_note","agent":"ana"}"#,
    r#"{"id":"e4","ticket":"A","at":"2026-03-02T09:02:00Z","kind":"assigned","agent":"ana"}"#,
    r#"{"id":"e5","ticket":"A","at":"2026-03-02T09:03:00Z","kind":"handling_started","agent":"ana"}"#,
    r#"{"id":"e6","ticket":"A","at":"2026-03-02T09:04:00Z","kind":"handling_started","agent":"ana"}"#,
    r#"{"id":"e7","ticket":"A","at":"2026-03-02T09:08:00Z","kind":"handling_ended","agent":"ana"}"#,
    r#"{"id":"e8","ticket":"A","at":"2026-03-02T09:08:00Z","kind":"agent_reply","agent":"ana"}"#,
    r#"{"id":"e9","ticket":"A","at":"2026-03-02T09:20:00Z","kind":"customer_reply"}"#,
    r#"{"id":"e10","ticket":"A","at":"2026-03-02T09:25:00Z","kind":"customer_reply"}"#,
    r#"{"id":"e11","ticket":"A","at":"2026-03-02T09:40:00Z","kind":"agent_reply","agent":"ana"}"#,
    r#"{"id":"e12","ticket":"A","at":"2026-03-02T09:41:00Z","kind":"status","status":"solved"}"#,
    r#"{"id":"e13","ticket":"A","at":"2026-03-03T10:00:00Z","kind":"customer_reply"}"#,
    r#"{"id":"e14","ticket":"A","at":"2026-03-03T10:00:01Z","kind":"status","status":"open"}"#,
    r#"{"id":"e15","ticket":"A","at":"2026-03-03T11:00:00+01:00","kind":"assigned","agent":"ben","team":"tech","topic":"refunds"}"#,
    r#"{"id":"e16","ticket":"A","at":"2026-03-03T10:30:00Z","kind":"handling_ended","agent":"ben"}"#,
    r#"{"id":"e17","ticket":"A","at":"2026-03-03T10:31:00Z","kind":"handling_started","agent":"ben"}"#,
    r#"{"id":"e18","ticket":"A","at":"2026-03-03T10:45:30Z","kind":"handling_ended","agent":"ben"}"#,
    r#"{"id":"e19","ticket":"A","at":"2026-03-03T10:46:00Z","kind":"agent_reply","agent":"ben"}"#,
    r#"{"id":"e20","ticket":"A","at":"2026-03-03T11:00:00Z","kind":"status","status":"solved"}"#,
    r#"{"id":"e21","ticket":"A","at":"2026-03-05T11:00:00Z","kind":"status","status":"closed"}"#,
];

/// Ticket A: a bot reply and a note that never count, a double start, an
/// orphan end, a reopen and reassignment to another team.
#[test]
fn ticket_a() {
    let t = timeline(TICKET_A);
    let m = t.metrics(None).unwrap().unwrap();
    // First response: the bot (09:00:03) and the note (09:01) don't count;
    // ana's reply at 09:08 does: 8 min = 480 s.
    assert_eq!(secs(m.first_response()), Some(480.0));
    // Waits: created 09:00 → reply 09:08 = 480 s; customer 09:20 (09:25 is
    // the same wait) → reply 09:40 = 1200 s; customer 03-03 10:00 → ben's
    // reply 10:46 = 2760 s.
    let waits: Vec<f64> = m.reply_waits().map(|d| d.as_secs_f64()).collect();
    assert_eq!(waits, [480.0, 1200.0, 2760.0]);
    assert!(m.open_wait_since().is_none());
    // Solved 09:41 (first resolution 41 min = 2460 s), reopened 03-03
    // 10:00:01, solved again 03-03 11:00 (full resolution 26 h = 93600 s);
    // closed on 03-05 is no new entry into the solved state.
    assert_eq!(secs(m.first_resolution()), Some(2460.0));
    assert_eq!(secs(m.full_resolution()), Some(93600.0));
    assert_eq!(
        (m.resolved(), m.reopens(), m.agent_replies(), m.one_touch()),
        (true, 1, 3, false)
    );
    // Handling: ana 09:03 → 09:08 (the second start at 09:04 is ignored) =
    // 300 s; ben's end at 10:30 has no open segment; 10:31 → 10:45:30 =
    // 870 s. Total 1170 s.
    assert_eq!(secs(m.handle_time()), Some(1170.0));
    // Dimensions: channel of created; team of the last created/assigned
    // naming one (e15, 10:00Z, written as 11:00+01:00); topic of the last
    // event naming one (e15); agent = last assigned.
    assert_eq!(
        (m.channel(), m.team(), m.topic(), m.agent()),
        (Some("chat"), Some("tech"), Some("refunds"), Some("ben"))
    );
    assert_eq!(m.created_at(), at("2026-03-02T09:00:00Z"));
}

/// Ticket A at the `report-as-of-by-channel` cut-off 2026-03-03T00:00Z:
/// solved after one day's events, the reopen not yet happened.
#[test]
fn ticket_a_as_of() {
    let t = timeline(TICKET_A);
    let m = t
        .metrics(Some(at("2026-03-03T00:00:00Z")))
        .unwrap()
        .unwrap();
    assert_eq!((m.resolved(), m.reopens(), m.agent_replies()), (true, 0, 2));
    assert_eq!(secs(m.full_resolution()), Some(2460.0));
    assert_eq!(secs(m.handle_time()), Some(300.0));
    assert_eq!(
        (m.team(), m.topic(), m.agent()),
        (Some("billing"), Some("billing"), Some("ana"))
    );
    // Before the ticket existed: no metrics, and not invalid either.
    assert_eq!(t.metrics(Some(at("2026-03-01T00:00:00Z"))).unwrap(), None);
}

/// Ticket B: the reply is listed before `created` in the input, but comes
/// after it in time; a handling segment never ends.
#[test]
fn ticket_b() {
    let t = timeline(&[
        r#"{"id":"e33","ticket":"B","at":"2026-03-02T13:00:00Z","kind":"agent_reply","agent":"ana"}"#,
        r#"{"id":"e30","ticket":"B","at":"2026-03-02T12:00:00Z","kind":"created","channel":"email"}"#,
        r#"{"id":"e31","ticket":"B","at":"2026-03-02T12:30:00Z","kind":"customer_reply"}"#,
        r#"{"id":"e32","ticket":"B","at":"2026-03-02T12:59:00Z","kind":"handling_started","agent":"ana"}"#,
        r#"{"id":"e34","ticket":"B","at":"2026-03-02T13:01:00Z","kind":"status","status":"solved"}"#,
        r#"{"id":"e35","ticket":"B","at":"2026-03-02T13:05:00Z","kind":"status","status":"closed"}"#,
    ]);
    let m = t.metrics(None).unwrap().unwrap();
    // 12:00 → 13:00 = 3600 s; the customer message at 12:30 joins the open wait.
    assert_eq!(secs(m.first_response()), Some(3600.0));
    assert_eq!(
        m.reply_waits().map(|d| d.as_secs()).collect::<Vec<_>>(),
        [3600]
    );
    // Solved 13:01 = 3660 s; closed at 13:05 is the same solved state.
    assert_eq!(
        (secs(m.first_resolution()), secs(m.full_resolution())),
        (Some(3660.0), Some(3660.0))
    );
    assert!(m.one_touch());
    // ana's segment from 12:59 never ends: no handle time.
    assert_eq!(m.handle_time(), None);
    // No assignment: the agent of the first reply.
    assert_eq!(
        (m.channel(), m.team(), m.topic(), m.agent()),
        (Some("email"), None, None, Some("ana"))
    );
}

/// Ticket C: created at 23:30−02:00 (01:30Z next day), replied at
/// 01:35:00.250Z; a topic named late, on a status event.
#[test]
fn ticket_c() {
    let t = timeline(&[
        r#"{"id":"e40","ticket":"C","at":"2026-03-02T23:30:00-02:00","kind":"created","channel":"phone"}"#,
        r#"{"id":"e41","ticket":"C","at":"2026-03-03T01:31:00Z","kind":"handling_started","agent":"ben"}"#,
        r#"{"id":"e42","ticket":"C","at":"2026-03-03T01:35:00Z","kind":"handling_ended","agent":"ben"}"#,
        r#"{"id":"e43","ticket":"C","at":"2026-03-03T01:35:00.250Z","kind":"agent_reply","agent":"ben"}"#,
        r#"{"id":"e44","ticket":"C","at":"2026-03-03T01:36:00Z","kind":"status","status":"pending","topic":"hardware"}"#,
    ]);
    let m = t.metrics(None).unwrap().unwrap();
    assert_eq!(m.first_response(), Some(Duration::new(300, 250_000_000)));
    assert_eq!(secs(m.handle_time()), Some(240.0));
    assert_eq!(
        (m.resolved(), m.first_resolution(), m.full_resolution()),
        (false, None, None)
    );
    assert_eq!((m.topic(), m.agent()), (Some("hardware"), Some("ben")));
    assert_eq!(m.created_at(), at("2026-03-03T01:30:00Z"));
}

/// Tickets D and E are invalid: a reply before `created`, and no
/// `created` at all.
#[test]
fn tickets_d_and_e_are_invalid() {
    let d = timeline(&[
        r#"{"id":"e50","ticket":"D","at":"2026-03-02T10:00:00Z","kind":"agent_reply","agent":"ana"}"#,
        r#"{"id":"e51","ticket":"D","at":"2026-03-02T10:05:00Z","kind":"created","channel":"email"}"#,
    ]);
    assert_eq!(
        d.metrics(None).unwrap_err(),
        InvalidTicket::EventBeforeCreated
    );
    // Cut before `created`, D is just as invalid: its only event is a reply.
    assert_eq!(
        d.metrics(Some(at("2026-03-02T10:01:00Z"))).unwrap_err(),
        InvalidTicket::NoCreated
    );
    let e = timeline(&[
        r#"{"id":"e60","ticket":"E","at":"2026-03-02T10:00:00Z","kind":"customer_reply"}"#,
    ]);
    assert_eq!(e.metrics(None).unwrap_err(), InvalidTicket::NoCreated);
    assert_eq!(e.metrics(None).unwrap_err().to_string(), "no created event");
}

/// Ticket F: events at the same instant listed out of their tie order;
/// `created` and `customer_reply` at 15:00, `status solved` and
/// `agent_reply` at 15:10: the reply comes first, so it is answered, and
/// then solved.
#[test]
fn ticket_f() {
    let t = timeline(&[
        r#"{"id":"f3","ticket":"F","at":"2026-03-02T15:10:00Z","kind":"status","status":"solved"}"#,
        r#"{"id":"f1","ticket":"F","at":"2026-03-02T15:00:00Z","kind":"customer_reply"}"#,
        r#"{"id":"f0","ticket":"F","at":"2026-03-02T15:00:00Z","kind":"created","channel":"social"}"#,
        r#"{"id":"f2","ticket":"F","at":"2026-03-02T15:10:00Z","kind":"agent_reply","agent":"cem"}"#,
    ]);
    let m = t.metrics(None).unwrap().unwrap();
    assert_eq!(secs(m.first_response()), Some(600.0));
    assert_eq!(
        m.reply_waits().map(|d| d.as_secs()).collect::<Vec<_>>(),
        [600]
    );
    assert!(!m.first_wait_cancelled());
    assert_eq!(secs(m.full_resolution()), Some(600.0));
    assert!(m.one_touch());
}

/// Ticket G: a "thanks!" wait cancelled by the solve, a reopen by a
/// status at the same instant as the customer's message, and a close.
#[test]
fn ticket_g() {
    let t = timeline(&[
        r#"{"id":"g0","ticket":"G","at":"2026-03-04T08:00:00Z","kind":"created","channel":"email","topic":"billing"}"#,
        r#"{"id":"g1","ticket":"G","at":"2026-03-04T08:30:00Z","kind":"agent_reply","agent":"cem"}"#,
        r#"{"id":"g2","ticket":"G","at":"2026-03-04T08:40:00Z","kind":"customer_reply"}"#,
        r#"{"id":"g3","ticket":"G","at":"2026-03-04T09:00:00Z","kind":"status","status":"solved"}"#,
        r#"{"id":"g4","ticket":"G","at":"2026-03-04T12:00:00Z","kind":"customer_reply"}"#,
        r#"{"id":"g5","ticket":"G","at":"2026-03-04T12:00:00Z","kind":"status","status":"open"}"#,
        r#"{"id":"g6","ticket":"G","at":"2026-03-04T12:45:00Z","kind":"agent_reply","agent":"cem"}"#,
        r#"{"id":"g7","ticket":"G","at":"2026-03-04T13:00:00Z","kind":"status","status":"closed"}"#,
    ]);
    let m = t.metrics(None).unwrap().unwrap();
    // 08:00 → 08:30 = 1800 s. The 08:40 wait is cancelled by the 09:00
    // solve; 12:00 → 12:45 = 2700 s.
    assert_eq!(secs(m.first_response()), Some(1800.0));
    assert_eq!(
        m.reply_waits().map(|d| d.as_secs()).collect::<Vec<_>>(),
        [1800, 2700]
    );
    // First resolution 09:00 = 3600 s, full 13:00 = 18000 s.
    assert_eq!(
        (secs(m.first_resolution()), secs(m.full_resolution())),
        (Some(3600.0), Some(18000.0))
    );
    assert_eq!((m.reopens(), m.one_touch()), (1, false));
}

/// Ticket H: solved before any reply (the first wait is cancelled), then
/// answered the next day: first response counts the late answer.
#[test]
fn ticket_h() {
    let t = timeline(&[
        r#"{"id":"h0","ticket":"H","at":"2026-03-04T10:00:00Z","kind":"created","channel":"email"}"#,
        r#"{"id":"h1","ticket":"H","at":"2026-03-04T10:20:00Z","kind":"status","status":"solved"}"#,
        r#"{"id":"h2","ticket":"H","at":"2026-03-05T09:00:00Z","kind":"customer_reply"}"#,
        r#"{"id":"h3","ticket":"H","at":"2026-03-05T09:10:00Z","kind":"agent_reply","agent":"cem"}"#,
    ]);
    let m = t.metrics(None).unwrap().unwrap();
    // 03-04 10:00 → 03-05 09:10 = 23 h 10 min = 83400 s.
    assert_eq!(secs(m.first_response()), Some(83400.0));
    assert!(m.first_wait_cancelled());
    // Only the 09:00 → 09:10 wait (600 s) is a reply wait.
    assert_eq!(
        m.reply_waits().map(|d| d.as_secs()).collect::<Vec<_>>(),
        [600]
    );
    // Still solved (a customer reply alone does not reopen): 1200 s.
    assert_eq!(
        (m.resolved(), secs(m.full_resolution())),
        (true, Some(1200.0))
    );
    assert!(m.one_touch());
}

#[test]
fn duplicates_and_foreign_tickets() {
    let mut t = timeline(&TICKET_A[..3]);
    assert_eq!(t.push(event(TICKET_A[1])).unwrap(), Pushed::Duplicate);
    let other =
        event(r#"{"id":"x","ticket":"Z","at":"2026-03-02T09:00:00Z","kind":"customer_reply"}"#);
    assert_eq!(
        t.push(other).unwrap_err().to_string(),
        "event of ticket \"Z\" pushed into the timeline of ticket \"A\""
    );
    assert_eq!((t.duplicates(), t.events().len()), (1, 3));
    // Several `created` events.
    let twice = timeline(&[
        TICKET_A[0],
        r#"{"id":"e1b","ticket":"A","at":"2026-03-02T09:30:00Z","kind":"created"}"#,
    ]);
    assert_eq!(
        twice.metrics(None).unwrap_err(),
        InvalidTicket::SeveralCreated { count: 2 }
    );
}

#[test]
fn long_timelines_switch_to_a_hash_set() {
    let mut t = Timeline::new();
    let base = parse_timestamp("2026-03-02T09:00:00Z").unwrap();
    for round in 0..2 {
        for i in 0..100 {
            let kind = if i == 0 {
                EventKind::Created {
                    channel: None,
                    team: None,
                }
            } else {
                EventKind::CustomerReply
            };
            let e = TicketEvent::new(
                EventId::new(format!("e{i}")).unwrap(),
                TicketId::new("L").unwrap(),
                base + chrono::TimeDelta::seconds(i),
                kind,
            );
            let expected = if round == 0 {
                Pushed::New
            } else {
                Pushed::Duplicate
            };
            assert_eq!(t.push(e).unwrap(), expected);
        }
    }
    assert_eq!((t.events().len(), t.duplicates()), (100, 100));
    assert!(t
        .metrics(None)
        .unwrap()
        .unwrap()
        .open_wait_since()
        .is_some());
}

/// Strategy: a random ticket as JSON-ish parts — any kinds (also invalid
/// sequences), a few agents, instants on a coarse grid so that ties happen.
fn arbitrary_events() -> impl Strategy<Value = Vec<TicketEvent>> {
    let kinds = prop_oneof![
        Just(EventKind::Created {
            channel: Some(Name::new("chat").unwrap()),
            team: None
        }),
        Just(EventKind::CustomerReply),
        Just(EventKind::BotReply),
        Just(EventKind::InternalNote),
        (0..3u8).prop_map(|a| EventKind::Assigned {
            agent: Name::new(format!("a{a}")).unwrap(),
            team: Some(Name::new(format!("t{a}")).unwrap())
        }),
        (0..3u8).prop_map(|a| EventKind::HandlingStarted {
            agent: Name::new(format!("a{a}")).unwrap()
        }),
        (0..3u8).prop_map(|a| EventKind::HandlingEnded {
            agent: Name::new(format!("a{a}")).unwrap()
        }),
        (0..3u8).prop_map(|a| EventKind::AgentReply {
            agent: Name::new(format!("a{a}")).unwrap()
        }),
        prop::sample::select(vec![
            Status::New,
            Status::Open,
            Status::Pending,
            Status::OnHold,
            Status::Solved,
            Status::Closed
        ])
        .prop_map(|status| EventKind::Status { status }),
    ];
    prop::collection::vec((kinds, 0i64..40, any::<bool>()), 0..24).prop_map(|parts| {
        let base = parse_timestamp("2026-03-02T09:00:00Z").unwrap();
        parts
            .into_iter()
            .enumerate()
            .map(|(i, (kind, minute, topic))| {
                let e = TicketEvent::new(
                    EventId::new(format!("e{i:02}")).unwrap(),
                    TicketId::new("P").unwrap(),
                    base + chrono::TimeDelta::minutes(minute),
                    kind,
                );
                if topic {
                    e.with_topic(format!("topic{}", i % 3))
                } else {
                    e
                }
            })
            .collect()
    })
}

/// A metrics value comparable across timelines.
fn snapshot<E: Borrow<TicketEvent>>(t: &Timeline<E>, as_of: Option<DateTime<Utc>>) -> String {
    format!("{:?}", t.metrics(as_of))
}

proptest! {
    /// Any permutation of a ticket's events, with any of them delivered
    /// again, gives the same metrics.
    #[test]
    fn order_and_duplicates_do_not_matter(events in arbitrary_events(), seed in any::<u64>(), repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let reference = {
            let mut t = Timeline::new();
            for e in &events { t.push(e.clone()).unwrap(); }
            t
        };
        let mut shuffled = events.clone();
        for index in &repeats {
            if !events.is_empty() { shuffled.push(events[index.index(events.len())].clone()); }
        }
        // Fisher–Yates with a SplitMix64 stream.
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            shuffled.swap(i, ((z ^ (z >> 31)) % (i as u64 + 1)) as usize);
        }
        let mut t = Timeline::new();
        for e in shuffled { t.push(e).unwrap(); }
        prop_assert_eq!(t.duplicates(), if events.is_empty() { 0 } else { repeats.len() as u64 });
        prop_assert_eq!(snapshot(&t, None), snapshot(&reference, None));
        let cut = Some(at("2026-03-02T09:20:00Z"));
        prop_assert_eq!(snapshot(&t, cut), snapshot(&reference, cut));
        // Borrowed events give the same as owned ones.
        let mut borrowed: Timeline<&TicketEvent> = Timeline::with_capacity(events.len());
        for e in &events { borrowed.push(e).unwrap(); }
        prop_assert_eq!(format!("{:?}", borrowed.metrics(cut)), snapshot(&reference, cut));
    }

    /// Arbitrary, also invalid, event sequences never panic, and the
    /// results are internally consistent.
    #[test]
    fn arbitrary_sequences_never_panic(events in arbitrary_events()) {
        let mut t = Timeline::new();
        for e in events { t.push(e).unwrap(); }
        if let Ok(Some(m)) = t.metrics(None) {
            prop_assert!(m.first_response().is_some() == m.answered());
            prop_assert!(!m.one_touch() || (m.resolved() && m.agent_replies() == 1));
            prop_assert!(m.full_resolution().is_none() || m.resolved());
            prop_assert!(m.first_resolution() <= m.full_resolution() || m.full_resolution().is_none());
            prop_assert!(m.reply_waits().len() <= m.agent_replies() as usize);
        }
    }
}
