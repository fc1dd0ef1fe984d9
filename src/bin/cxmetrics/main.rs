//! `cxmetrics`: the documented command line (definitions, "The report").
//! It only parses arguments and files and calls the library.

mod args;
mod files;
mod input;
mod output;
mod write;

use cxmetrics::staffing::{Decimal, Staffing};
use std::fs;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use cxmetrics::Aggregator;

use args::{Cli, Command, Format, IngestArgs, MergeArgs, ReportArgs, StaffingArgs, StaffingFormat};

/// A failure: its message goes to standard error, and the exit status is 2.
#[derive(Debug)]
pub struct Failure(pub String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => report(args),
        Command::Ingest(args) => ingest(args),
        Command::Merge(args) => merge(args),
        Command::Staffing(args) => staffing(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("cxmetrics: {message}");
            ExitCode::from(2)
        }
    }
}

fn load_state(path: &Path) -> Result<Aggregator, Failure> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
    } else {
        fs::read(path)
    };
    let bytes = bytes.map_err(|e| {
        Failure(format!(
            "{}: {}",
            path.display(),
            e.to_string().to_lowercase()
        ))
    })?;
    Aggregator::from_bytes(&bytes).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

/// Saves a state, its pending ids settled in place first (so that saving
/// copies nothing).
fn save_state(mut aggregator: Aggregator, path: &Path) -> Result<(), Failure> {
    aggregator
        .dedupe()
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    write::output(path, &aggregator.to_bytes())
}

fn aggregate(input: &args::InputArgs, group: &args::GroupArgs) -> Result<Aggregator, Failure> {
    let options = group.options().map_err(Failure)?;
    input::read_inputs(options, input)
}

fn report(args: ReportArgs) -> Result<(), Failure> {
    args.check().map_err(Failure)?;
    let aggregator = match &args.state {
        Some(state) => load_state(state)?,
        None => aggregate(&args.input, &args.group)?,
    };
    let mut report = aggregator.report();
    if let Some(target) = args.staffing {
        report.apply_staffing(target);
    }
    if let Some(path) = &args.targets {
        files::targets(path, aggregator.options())?.apply(&mut report);
    }
    let format = args.format.unwrap_or(
        if args.output.as_deref().is_none_or(|p| p == Path::new("-"))
            && std::io::stdout().is_terminal()
        {
            Format::Table
        } else {
            Format::Json
        },
    );
    let mut buffer = Vec::new();
    let written = match format {
        Format::Json => output::json(&report, &mut buffer),
        Format::Csv => output::csv(&report, &mut buffer),
        Format::Table => output::table(&report, &mut buffer),
    };
    written.map_err(|e| Failure(format!("writing the report: {e}")))?;
    write::output(args.output.as_deref().unwrap_or(Path::new("-")), &buffer)
}

fn ingest(args: IngestArgs) -> Result<(), Failure> {
    let aggregator = aggregate(&args.input, &args.group)?;
    save_state(aggregator, &args.output)
}

fn merge(args: MergeArgs) -> Result<(), Failure> {
    if args.states.iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err(Failure("standard input (-) can be read once".into()));
    }
    let mut states = args.states.iter();
    let first = states
        .next()
        .ok_or_else(|| Failure("merge needs at least one state".into()))?;
    let mut merged = load_state(first)?;
    for path in states {
        let state = load_state(path)?;
        merged
            .merge(&state)
            .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    }
    save_state(merged, &args.output)
}

fn staffing(args: StaffingArgs) -> Result<(), Failure> {
    let fail = |e: cxmetrics::Error| Failure(e.to_string());
    let mut question =
        Staffing::parse(&args.arrivals, &args.interval, &args.aht, &args.target).map_err(fail)?;
    // A percentage as written, or the option's own message.
    let percent = |text: &str, what: &str, expected: &str| {
        Decimal::percent(text).map_err(|_| {
            Failure(format!(
                "invalid staffing {what} {text:?}: expected {expected}"
            ))
        })
    };
    if let Some(shrinkage) = &args.shrinkage {
        let value = percent(shrinkage, "shrinkage", "0% to below 100%")?;
        question = question.with_shrinkage(value).map_err(fail)?;
    }
    if let Some(occupancy) = &args.max_occupancy {
        let value = percent(occupancy, "max occupancy", "above 0% up to 100%")?;
        question = question.with_max_occupancy(value).map_err(fail)?;
    }
    if let Some(per_lead) = args.agents_per_lead {
        question = question.with_agents_per_lead(per_lead).map_err(fail)?;
    }
    let r = question.solve().map_err(fail)?;
    let table = args.format.map_or(std::io::stdout().is_terminal(), |f| {
        f == StaffingFormat::Table
    });
    let text = if table {
        let mut text = format!(
            "traffic      {:.3} Erlangs\nagents       {}\nscheduled    {}\nservice      {:.4}\nasa          {:.2} s\noccupancy    {:.4}\np(wait)      {:.4}\n",
            r.traffic_erlangs, r.agents, r.scheduled, r.service_level, r.asa_s, r.occupancy, r.p_wait
        );
        if let Some(leads) = r.leads {
            text.push_str(&format!("leads        {leads}\n"));
        }
        text
    } else {
        serde_json::to_string_pretty(&r).map_err(|e| Failure(e.to_string()))? + "\n"
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Failure(format!("writing the result: {e}")))
}
