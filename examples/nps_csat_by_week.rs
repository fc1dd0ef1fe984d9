//! NPS and CSAT by ISO week, from survey rows of your own.
use chrono::{DateTime, Utc};
use cxmetrics::aggregate::Grouped;
use cxmetrics::survey::{Scales, SurveyMetric, SurveyScore};
use cxmetrics::time::{parse_timestamp, Bucket, TimeZone};
use cxmetrics::SurveyKpis;

/// A row as your application holds it.
struct Answer {
    at: DateTime<Utc>,
    metric: &'static str,
    score: i64,
}

fn main() -> Result<(), cxmetrics::Error> {
    let rows = [
        ("2026-03-02T09:00:00Z", "nps", 10),
        ("2026-03-03T15:30:00Z", "nps", 6),
        ("2026-03-04T11:00:00Z", "csat", 5),
        ("2026-03-10T08:00:00Z", "nps", 9),
        ("2026-03-11T17:45:00Z", "csat", 2),
    ];
    let mut answers = Vec::new();
    for (at, metric, score) in rows {
        let at = parse_timestamp(at)?.to_utc();
        answers.push(Answer { at, metric, score });
    }
    let zone = TimeZone::new("Europe/Berlin")?;
    let mut by_week: Grouped<_, SurveyKpis> = Grouped::new();
    for answer in &answers {
        let metric: SurveyMetric = answer.metric.parse()?;
        let score = SurveyScore::new(metric, answer.score, Scales::default())?;
        by_week.add(Bucket::Week.label(answer.at, &zone), score)?;
    }
    for (week, summary) in by_week.summaries() {
        let week = week.map_or("-".to_owned(), |w| w.to_string());
        let nps = summary.nps.map_or("-".to_owned(), |n| {
            format!("{:.1} (n={})", n.score, n.responses)
        });
        let csat = summary
            .csat
            .map_or("-".to_owned(), |c| format!("{:.1}%", c.score));
        println!("week of {week}: NPS {nps}, CSAT {csat}");
    }
    Ok(())
}
