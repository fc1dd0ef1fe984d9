//! SLA attainment in business hours, with a calendar.
use std::time::Duration;

use chrono::NaiveDate;
use cxmetrics::calendar::Calendar;
use cxmetrics::sla::{SlaPolicy, SlaTargets};
use cxmetrics::ticket::{EventId, EventKind, TicketId};
use cxmetrics::time::parse_timestamp;
use cxmetrics::{TicketEvent, TicketKpis, Timeline};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let day = vec![(9 * 3600, 17 * 3600)]; // 09:00–17:00, Monday to Friday
    let hours = [
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day,
        vec![],
        vec![],
    ];
    let good_friday = NaiveDate::from_ymd_opt(2026, 4, 3).ok_or("a date")?;
    let calendar = Calendar::new("Europe/London", hours, &[good_friday])?;
    let targets = SlaTargets {
        first_response: Some(Duration::from_secs(4 * 3600)),
        ..Default::default()
    };
    let policy = SlaPolicy::new(targets).in_business_hours();
    let as_of = parse_timestamp("2026-04-08T00:00:00Z")?.to_utc();
    let mut kpis = TicketKpis::new();
    // (ticket, created, first agent reply), in London time.
    for (ticket, created, replied) in [
        (
            "A",
            "2026-04-02T16:00:00+01:00",
            "2026-04-06T11:00:00+01:00",
        ), // over Good Friday and a weekend
        (
            "B",
            "2026-04-06T09:00:00+01:00",
            "2026-04-06T15:30:00+01:00",
        ),
        (
            "C",
            "2026-04-07T10:00:00+01:00",
            "2026-04-07T10:20:00+01:00",
        ),
    ] {
        let mut timeline = Timeline::new();
        for (n, at, kind) in [
            ("1", created, EventKind::created(None, None)?),
            ("2", replied, EventKind::agent_reply("ana")?),
        ] {
            timeline.push(TicketEvent::new(
                EventId::new(format!("{ticket}{n}"))?,
                TicketId::new(ticket)?,
                parse_timestamp(at)?,
                kind,
            ))?;
        }
        let metrics = timeline.metrics(Some(as_of))?.ok_or("a ticket")?;
        let reply = metrics.created_at() + metrics.first_response().ok_or("a reply")?;
        let business = calendar.business_duration(metrics.created_at(), reply);
        println!(
            "{ticket}: first response in {:.2} business hours",
            business.as_secs_f64() / 3600.0
        );
        kpis.add_with_calendar(&metrics, &calendar);
        kpis.add_sla(&metrics, &policy, Some(&calendar), as_of)?;
    }
    let sla = kpis
        .summary()
        .and_then(|s| s.sla)
        .and_then(|s| s.first_response)
        .ok_or("measured")?;
    println!(
        "first response SLA: {} of {} met ({:.1}%)",
        sla.met,
        sla.measured,
        sla.rate().unwrap_or(0.0)
    );
    Ok(())
}
