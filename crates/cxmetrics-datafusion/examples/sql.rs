//! Runs one SQL query with cxmetrics' functions over record files and
//! prints its rows as a JSON array of objects (struct columns as nested
//! objects, nulls written out).
//!
//! ```sh
//! cargo run --release -p cxmetrics-datafusion --example sql -- \
//!   --table surveys=examples/data/surveys.csv --table events=examples/data/events.csv \
//!   "SELECT agent, nps(score) AS nps FROM surveys WHERE metric = 'nps' GROUP BY agent"
//! ```
//!
//! `--table NAME=PATH` registers a table of a CSV or Parquet file or a
//! folder of them; repeated with the same name, it adds files to the
//! table. `--calendar FILE` registers the functions with a business-hours
//! calendar (cxmetrics' calendar file). Exit status 2 on any error, with
//! the error on standard error.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use datafusion::arrow::json::{writer::JsonArray, WriterBuilder};
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;

struct Args {
    tables: BTreeMap<String, Vec<PathBuf>>,
    calendar: Option<PathBuf>,
    query: String,
}

const USAGE: &str = "usage: sql [--table NAME=PATH]... [--calendar FILE] QUERY";

fn args() -> Result<Args> {
    let mut tables: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut calendar = None;
    let mut query = None;
    let mut args = std::env::args().skip(1);
    let usage = |what: String| DataFusionError::Plan(format!("{what}\n{USAGE}"));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--table" => {
                let spec = args
                    .next()
                    .ok_or_else(|| usage("--table needs NAME=PATH".into()))?;
                let (name, path) = spec
                    .split_once('=')
                    .filter(|(name, path)| !name.is_empty() && !path.is_empty())
                    .ok_or_else(|| usage(format!("--table {spec}: not NAME=PATH")))?;
                tables.entry(name.to_owned()).or_default().push(path.into());
            }
            "--calendar" => {
                calendar = Some(
                    args.next()
                        .ok_or_else(|| usage("--calendar needs a file".into()))?
                        .into(),
                );
            }
            "-h" | "--help" => return Err(usage("".into())),
            _ if arg.starts_with("--") => return Err(usage(format!("unknown option {arg}"))),
            _ if query.is_some() => return Err(usage("one query only".into())),
            _ => query = Some(arg),
        }
    }
    let query = query.ok_or_else(|| usage("no query".into()))?;
    Ok(Args {
        tables,
        calendar,
        query,
    })
}

async fn run() -> Result<()> {
    let args = args()?;
    let mut config = cxmetrics_datafusion::Config::default();
    if let Some(path) = &args.calendar {
        let text = std::fs::read_to_string(path)?;
        let calendar = cxmetrics::io::options::calendar(&text)
            .map_err(|e| DataFusionError::Plan(format!("{}: {e}", path.display())))?;
        config = config.with_calendar(calendar);
    }
    let ctx = SessionContext::new();
    cxmetrics_datafusion::register_with(&ctx, &config);
    for (name, paths) in &args.tables {
        cxmetrics_datafusion::register_files(&ctx, name, paths).await?;
    }
    let batches = ctx.sql(&args.query).await?.collect().await?;
    let mut writer = WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, JsonArray>(Vec::new());
    for batch in &batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    let mut text = writer.into_inner();
    if text.is_empty() {
        text.extend_from_slice(b"[]");
    }
    text.push(b'\n');
    std::io::stdout().write_all(&text)?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sql: {e}");
            ExitCode::from(2)
        }
    }
}
