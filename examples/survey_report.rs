//! NPS, CSAT and CES per group of a survey CSV, with 95% intervals, and a
//! test of whether the best and the worst group by NPS really differ.
//!
//! ```sh
//! cargo run --release --features io --example survey_report -- examples/data/surveys.csv --by channel
//! ```
//!
//! The file has the documented survey columns (`id`, `metric`, `score`,
//! `at`, optional `agent`, `channel`, `team`, `topic`), as CSV or JSON
//! Lines, read with the crate's `io` reader (feature `io`). Every row is
//! accounted for: rejected rows are listed with their line and reason,
//! repeated ids counted as duplicates.

use std::collections::{BTreeMap, HashSet};
use std::error::Error;
use std::path::Path;
use std::process::ExitCode;

use cxmetrics::io::{InputFormat, Item, SurveyReader};
use cxmetrics::{
    kpi::{Interval, SummaryOptions},
    survey::Scales,
    SurveyKpis, SurveyResponse,
};

/// The value of dimension `by` of a response.
fn dimension<'a>(response: &'a SurveyResponse, by: &str) -> Option<&'a str> {
    let dims = response.dimensions();
    match by {
        "agent" => dims.agent(),
        "channel" => dims.channel(),
        "team" => dims.team(),
        _ => dims.topic(),
    }
}

fn interval(ci: Option<Interval>, decimals: usize) -> String {
    ci.map_or("-".into(), |ci| {
        format!("[{:.decimals$}, {:.decimals$}]", ci.lower, ci.upper)
    })
}

fn run(path: &str, by: &str) -> Result<(), Box<dyn Error>> {
    let format = InputFormat::from_path(Path::new(path)).ok_or("expected a .csv or .jsonl file")?;
    let name = Path::new(path)
        .file_name()
        .map_or(path.into(), |n| n.to_string_lossy());
    let reader = SurveyReader::new(std::fs::File::open(path)?, format, &name, Scales::default())?;
    let (mut rows, mut duplicates, mut rejected) = (0u64, 0u64, 0u64);
    let mut ids = HashSet::new();
    let mut groups: BTreeMap<String, SurveyKpis> = BTreeMap::new();
    let mut all = SurveyKpis::default();
    for item in reader {
        rows += 1;
        match item? {
            Item::Rejected(r) => {
                rejected += 1;
                eprintln!("{}:{}: {}", r.file, r.line, r.reason());
            }
            Item::Record(response) => {
                if !ids.insert(response.id().clone()) {
                    duplicates += 1;
                    continue;
                }
                let key = dimension(&response, by).unwrap_or("(none)");
                groups
                    .entry(key.to_owned())
                    .or_default()
                    .add(response.score())?;
                all.add(response.score())?;
            }
        }
    }
    println!(
        "{rows} rows: {} accepted, {duplicates} duplicates, {rejected} rejected\n",
        rows - duplicates - rejected
    );
    println!(
        "{:<12} {:>5} {:>7} {:>17} {:>6} {:>17} {:>5} {:>6} {:>15}",
        by, "n", "NPS", "95% CI", "CSAT%", "95% CI", "mean", "CES", "95% CI"
    );
    let options = SummaryOptions::default();
    for (name, kpis) in groups.iter().chain([(&"(all)".to_owned(), &all)]) {
        let s = kpis.summary_with(options);
        let n = kpis.nps().responses() + kpis.csat().responses() + kpis.ces().responses();
        let nps = s.nps.map_or("-".into(), |s| format!("{:.1}", s.score));
        let csat = s.csat.map_or("-".into(), |s| format!("{:.1}", s.score));
        let csat_mean = s.csat.map_or("-".into(), |s| format!("{:.2}", s.mean));
        let ces = s.ces.map_or("-".into(), |s| format!("{:.2}", s.mean));
        println!(
            "{name:<12} {n:>5} {nps:>7} {:>17} {csat:>6} {:>17} {csat_mean:>5} {ces:>6} {:>15}",
            interval(s.nps.map(|s| s.ci), 1),
            interval(s.csat.map(|s| s.score_ci), 1),
            interval(s.ces.and_then(|s| s.mean_ci), 2),
        );
    }
    // Best and worst group by NPS: is the gap more than noise?
    let mut ranked: Vec<_> = groups
        .iter()
        .filter_map(|(name, kpis)| kpis.nps().summary_with(options).map(|s| (name, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    if let (Some((best, a)), Some((worst, b))) = (ranked.first(), ranked.last()) {
        if best != worst {
            let c = a.compare(b, options);
            let p = if c.p_value < 1e-4 {
                "p < 0.0001".into()
            } else {
                format!("p = {:.4}", c.p_value)
            };
            println!(
                "\nNPS {best} vs {worst}: {:+.1} points, 95% CI [{:.1}, {:.1}], {p} (adjusted Wald, Rocks 2016)",
                c.difference, c.ci.lower, c.ci.upper
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, by) = match args.as_slice() {
        [path] => (path.as_str(), "channel"),
        [path, flag, by]
            if flag == "--by" && ["agent", "channel", "team", "topic"].contains(&by.as_str()) =>
        {
            (path.as_str(), by.as_str())
        }
        _ => {
            eprintln!("usage: survey_report FILE.csv [--by agent|channel|team|topic]");
            return ExitCode::from(2);
        }
    };
    match run(path, by) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("survey_report: {path}: {error}");
            ExitCode::from(2)
        }
    }
}
