//! Reading input files into an aggregator: every record accounted for.

use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::time::Instant;

use cxmetrics::io::{EventReader, InputFormat, Item, SurveyReader};
use cxmetrics::{Aggregator, RecordKind, Rejection, Scales};

use crate::args::InputArgs;
use crate::Failure;

/// Records added to the aggregator at once.
const BATCH: usize = 4096;

/// A progress line on standard error, when it is a terminal.
struct Progress {
    enabled: bool,
    started: Instant,
    shown: Instant,
    records: u64,
}

impl Progress {
    fn new() -> Self {
        let now = Instant::now();
        Progress {
            enabled: std::io::stderr().is_terminal(),
            started: now,
            shown: now,
            records: 0,
        }
    }

    fn tick(&mut self, file: &str, bytes: u64) {
        self.records += 1;
        if !self.enabled
            || !self.records.is_multiple_of(65_536)
            || self.shown.elapsed().as_millis() < 500
        {
            return;
        }
        self.shown = Instant::now();
        let rate = self.records as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\r{file}: {:.1} MB read, {} records, {:.1} million records/s   ",
            bytes as f64 / 1e6,
            self.records,
            rate / 1e6
        );
    }

    fn done(&self) {
        if self.enabled && self.records >= 65_536 {
            eprint!("\r{:72}\r", "");
        }
    }
}

/// The name the contract gives a file: its last path component, `-` for
/// standard input.
fn name_of(path: &Path) -> String {
    if path == Path::new("-") {
        return "-".to_owned();
    }
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn open(
    path: &Path,
    format: Option<InputFormat>,
) -> Result<(Box<dyn Read>, InputFormat, String), Failure> {
    let name = name_of(path);
    let format = InputFormat::from_path(path).or(format).ok_or_else(|| {
        Failure(format!(
            "{}: unknown input format: name it with --input-format csv|jsonl",
            path.display()
        ))
    })?;
    let input: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(File::open(path).map_err(|e| {
            Failure(format!(
                "{}: {}",
                path.display(),
                e.to_string().to_lowercase()
            ))
        })?)
    };
    Ok((input, format, name))
}

/// Reads every input file into `aggregator`: survey files in order, then
/// event files.
pub fn read_inputs(
    aggregator: &mut Aggregator,
    input: &InputArgs,
    scales: Scales,
) -> Result<(), Failure> {
    let mut progress = Progress::new();
    let reject = |aggregator: &mut Aggregator, kind, rejection: Rejection| {
        if input.strict {
            return Err(Failure(format!(
                "{}:{}: {}",
                rejection.file, rejection.line, rejection.reason
            )));
        }
        aggregator.add_rejection(kind, rejection);
        Ok(())
    };
    for path in &input.surveys {
        let (file, format, name) = open(path, input.input_format)?;
        let mut reader =
            SurveyReader::new(file, format, &name, scales).map_err(|e| Failure(e.to_string()))?;
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(item) = reader.next() {
            match item.map_err(|e| Failure(e.to_string()))? {
                Item::Record(response) => batch.push(response),
                Item::Rejected(rejection) => reject(aggregator, RecordKind::Surveys, rejection)?,
            }
            if batch.len() == BATCH {
                aggregator
                    .add_responses(&batch)
                    .map_err(|e| Failure(e.to_string()))?;
                batch.clear();
            }
            progress.tick(&name, reader.bytes_read());
        }
        aggregator
            .add_responses(&batch)
            .map_err(|e| Failure(e.to_string()))?;
    }
    for path in &input.events {
        let (file, format, name) = open(path, input.input_format)?;
        let mut reader =
            EventReader::new(file, format, &name).map_err(|e| Failure(e.to_string()))?;
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(item) = reader.next() {
            match item.map_err(|e| Failure(e.to_string()))? {
                Item::Record(event) => batch.push(event),
                Item::Rejected(rejection) => reject(aggregator, RecordKind::Events, rejection)?,
            }
            if batch.len() == BATCH {
                aggregator
                    .add_events(&batch)
                    .map_err(|e| Failure(e.to_string()))?;
                batch.clear();
            }
            progress.tick(&name, reader.bytes_read());
        }
        aggregator
            .add_events(&batch)
            .map_err(|e| Failure(e.to_string()))?;
    }
    progress.done();
    Ok(())
}
