//! States built on several threads, merged with the result of one pass.
use cxmetrics::aggregate::Dimension;
use cxmetrics::survey::{ResponseId, Scales, SurveyMetric, SurveyScore};
use cxmetrics::time::parse_timestamp;
use cxmetrics::{AggregateOptions, Aggregator, SurveyResponse};

fn main() -> Result<(), cxmetrics::Error> {
    let options = AggregateOptions::new().with_group_by(&[Dimension::Channel])?;
    let channels = ["chat", "email", "phone"];
    // Four workers, each with its share of 40 000 responses; ids repeat
    // across shares, as redelivered records do.
    let work = |worker: u32| -> Result<Aggregator, cxmetrics::Error> {
        let mut part = Aggregator::new(options.clone());
        let at = parse_timestamp("2026-03-02T09:00:00Z")?;
        for i in (worker * 10_000)..(worker * 10_000 + 10_500) {
            let n = i % 40_000; // the record: its id, score and channel
            let score =
                SurveyScore::new(SurveyMetric::Nps, i64::from(n * 7 % 11), Scales::default())?;
            let response = SurveyResponse::new(ResponseId::new(format!("r{n}"))?, score, at);
            part.add_response(&response.with_channel(channels[(n / 1000 % 3) as usize]))?;
        }
        Ok(part)
    };
    let parts: Vec<Result<Aggregator, cxmetrics::Error>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4).map(|w| scope.spawn(move || work(w))).collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker"))
            .collect()
    });
    let mut total = Aggregator::new(options);
    for part in parts {
        total.merge_owned(part?)?;
    }
    let report = total.report();
    let input = report.input.surveys;
    println!(
        "{} rows: {} accepted, {} duplicates",
        input.rows, input.accepted, input.duplicates
    );
    for group in &report.groups {
        let nps = group.surveys.nps.expect("responses");
        println!(
            "{:?}: NPS {:.1} of {}",
            group.dimensions[0].1, nps.score, nps.responses
        );
    }
    Ok(())
}
