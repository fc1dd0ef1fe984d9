//! Per-ticket metrics from events of your own.
use cxmetrics::ticket::{EventId, EventKind, Status, TicketId};
use cxmetrics::time::parse_timestamp;
use cxmetrics::{TicketEvent, TicketKpis, Timeline};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // (event id, when, what): your helpdesk's log of one ticket.
    let created = EventKind::created(Some("email"), None)?;
    let solved = EventKind::Status {
        status: Status::Solved,
    };
    let log = [
        ("1", "2026-03-02T09:00:00Z", created),
        ("2", "2026-03-02T09:01:00Z", EventKind::BotReply),
        ("3", "2026-03-02T09:42:00Z", EventKind::agent_reply("ana")?),
        ("4", "2026-03-02T10:15:00Z", EventKind::CustomerReply),
        ("5", "2026-03-02T10:20:00Z", EventKind::agent_reply("ana")?),
        ("6", "2026-03-02T10:21:00Z", solved),
    ];
    let mut timeline = Timeline::new();
    for (id, at, kind) in log {
        let (id, at) = (EventId::new(id)?, parse_timestamp(at)?);
        timeline.push(TicketEvent::new(id, TicketId::new("T-1")?, at, kind))?;
    }
    let ticket = timeline.metrics(None)?.ok_or("no events up to as_of")?;
    let minutes = |d: Option<std::time::Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() / 60.0);
    println!(
        "first response: {:.0} min (the bot reply does not count)",
        minutes(ticket.first_response())
    );
    let waits: Vec<f64> = ticket
        .reply_waits()
        .map(|w| w.as_secs_f64() / 60.0)
        .collect();
    println!("reply waits: {waits:?} min");
    println!(
        "resolved in {:.0} min, one-touch: {}",
        minutes(ticket.full_resolution()),
        ticket.one_touch()
    );
    let mut kpis = TicketKpis::new();
    kpis.add(&ticket);
    let summary = kpis.summary().ok_or("a valid ticket")?;
    let rate = summary.resolution_rate.unwrap_or(0.0);
    println!(
        "resolution rate {rate}%, agent {}",
        ticket.agent().unwrap_or("-")
    );
    Ok(())
}
