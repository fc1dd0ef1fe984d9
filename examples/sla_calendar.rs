//! SLA attainment in business hours, with a calendar.
use std::time::Duration;

use chrono::NaiveDate;
use cxmetrics::calendar::Calendar;
use cxmetrics::sla::{SlaPolicy, SlaTargets};
use cxmetrics::ticket::{EventId, EventKind, TicketId};
use cxmetrics::time::parse_timestamp;
use cxmetrics::{TicketEvent, TicketKpis, Timeline};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 09:00–17:00 Monday to Friday in London, Good Friday off.
    let mut hours: [Vec<(u32, u32)>; 7] = Default::default();
    hours[..5].fill(vec![(9 * 3600, 17 * 3600)]);
    let good_friday = NaiveDate::from_ymd_opt(2026, 4, 3).ok_or("a date")?;
    let calendar = Calendar::new("Europe/London", hours, &[good_friday])?;
    let four_hours = Some(Duration::from_secs(4 * 3600));
    let targets = SlaTargets {
        first_response: four_hours,
        ..Default::default()
    };
    let policy = SlaPolicy::new(targets).in_business_hours();
    let as_of = parse_timestamp("2026-04-08T00:00:00Z")?.to_utc();
    let mut kpis = TicketKpis::new();
    // Ticket, created and first agent reply, London time (A waits over Easter).
    for (ticket, created, replied) in [
        ("A", "04-02T16", "04-06T11"),
        ("B", "04-06T09", "04-06T15"),
        ("C", "04-07T10", "04-07T11"),
    ] {
        let mut timeline = Timeline::new();
        let events = [
            ("1", created, EventKind::created(None, None)?),
            ("2", replied, EventKind::agent_reply("ana")?),
        ];
        for (n, at, kind) in events {
            let id = EventId::new(format!("{ticket}{n}"))?;
            let at = parse_timestamp(&format!("2026-{at}:00:00+01:00"))?;
            timeline.push(TicketEvent::new(id, TicketId::new(ticket)?, at, kind))?;
        }
        let metrics = timeline.metrics(Some(as_of))?.ok_or("a ticket")?;
        let replied = metrics.created_at() + metrics.first_response().ok_or("a reply")?;
        let wait = calendar.business_duration(metrics.created_at(), replied);
        let hours = wait.as_secs_f64() / 3600.0;
        println!("{ticket}: first response in {hours:.1} business hours");
        kpis.add_with_calendar(&metrics, &calendar);
        kpis.add_sla(&metrics, &policy, Some(&calendar), as_of)?;
    }
    let sla = kpis.summary().and_then(|s| s.sla);
    let sla = sla.and_then(|s| s.first_response).ok_or("measured")?;
    let rate = sla.rate().unwrap_or(0.0);
    println!(
        "first response SLA: {} of {} met ({rate:.1}%)",
        sla.met, sla.measured
    );
    Ok(())
}
