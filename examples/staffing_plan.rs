//! Next week's staffing from last week's report: the bundled sample's
//! arrivals per local hour and AHT in, agents per hour out (Erlang C).
use std::time::Duration;

use cxmetrics::io::{EventReader, InputFormat, Item};
use cxmetrics::staffing::{Decimal, ServiceTarget, Staffing};
use cxmetrics::{AggregateOptions, Aggregator};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = std::fs::File::open("examples/data/events.csv")?;
    let options = AggregateOptions::new().with_timezone("Europe/Berlin".parse()?);
    let mut aggregator = Aggregator::new(options);
    let input = std::io::BufReader::new(file);
    for item in EventReader::new(input, InputFormat::Csv, "events.csv")? {
        if let Item::Record(event) = item? {
            aggregator.add_event(&event)?;
        }
    }
    let report = aggregator.report();
    let all = &report.groups[0];
    let tickets = all.tickets.as_ref().ok_or("tickets")?;
    let aht = Duration::from_secs_f64(tickets.handle.ok_or("handle times")?.mean);
    let days = all.active_dates.max(1) as f64;
    let target = ServiceTarget::new(Decimal::from(80), Duration::from_secs(20))?;
    println!(
        "AHT {:.0}s over {days} days; next week +10% contacts, 80% answered in 20 s",
        aht.as_secs_f64()
    );
    let mut total = 0;
    let hours = tickets.arrivals_by_hour.iter().enumerate();
    for (hour, &created) in hours.filter(|(_, &n)| n > 0) {
        // Contacts per hour next week, in tenths: 10% more than last week's average.
        let tenths = (created as f64 / days * 1.1 * 10.0).round() as u64;
        let contacts = Decimal::new(tenths.max(1), 1)?;
        let question = Staffing::new(contacts, Duration::from_secs(3600), aht, target)?;
        let question = question.with_shrinkage(Decimal::from(30))?;
        let r = question.with_max_occupancy(Decimal::from(85))?.solve()?;
        total += r.scheduled;
        println!(
            "{hour:02}:00  {:>5.1} contacts  {:>2} answering  {:>2} scheduled  SL {:.1}%",
            tenths as f64 / 10.0,
            r.agents,
            r.scheduled,
            100.0 * r.service_level
        );
    }
    println!("{total} agent-hours to schedule per day");
    Ok(())
}
