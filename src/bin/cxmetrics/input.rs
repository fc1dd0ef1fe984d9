//! Reading input files into an aggregator: every record accounted for.

use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::time::Instant;

use std::sync::Mutex;

use cxmetrics::io::{EventReader, InputFormat, Item, SurveyReader};
use cxmetrics::{
    report::{RecordKind, Rejection},
    AggregateOptions, Aggregator,
};

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

    fn show(&mut self, file: &str, bytes: u64) {
        if !self.enabled || self.shown.elapsed().as_millis() < 500 {
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

/// The name the definitions gives a file: its last path component, `-` for
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

/// An input file, opened.
enum Source {
    /// CSV or JSON Lines, from a file or standard input.
    Stream(Box<dyn Read + Send>, InputFormat),
    /// A Parquet file (feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet(File),
}

fn is_parquet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

fn open(path: &Path, format: Option<InputFormat>) -> Result<(Source, String), Failure> {
    let name = name_of(path);
    let file = || {
        File::open(path).map_err(|e| {
            Failure(format!(
                "{}: {}",
                path.display(),
                e.to_string().to_lowercase()
            ))
        })
    };
    if is_parquet(path) {
        #[cfg(feature = "parquet")]
        return Ok((Source::Parquet(file()?), name));
        #[cfg(not(feature = "parquet"))]
        return Err(Failure(format!(
            "{}: Parquet input needs a build with feature parquet",
            path.display()
        )));
    }
    let format = InputFormat::from_path(path).or(format).ok_or_else(|| {
        Failure(format!(
            "{}: unknown input format: name it with --input-format csv|jsonl",
            path.display()
        ))
    })?;
    let input: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(file()?)
    };
    Ok((Source::Stream(input, format), name))
}

/// Adds the records of `reader` to `aggregator` in batches; rejections are
/// counted (or stop the run under `--strict`).
fn drain<T, I>(
    aggregator: &mut Aggregator,
    input: &InputArgs,
    progress: &Mutex<Progress>,
    (name, kind): (&str, RecordKind),
    mut reader: I,
    bytes_read: impl Fn(&I) -> u64,
    add: impl Fn(&mut Aggregator, &[T]) -> Result<(), cxmetrics::Error>,
) -> Result<(), Failure>
where
    I: Iterator<Item = Result<Item<T>, cxmetrics::Error>>,
{
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(item) = reader.next() {
        match item.map_err(|e| Failure(e.to_string()))? {
            Item::Record(record) => batch.push(record),
            Item::Rejected(rejection) => reject(aggregator, input, kind, rejection)?,
        }
        if batch.len() == BATCH {
            add(aggregator, &batch).map_err(|e| Failure(e.to_string()))?;
            batch.clear();
            tick(progress, name, bytes_read(&reader));
        }
    }
    add(aggregator, &batch).map_err(|e| Failure(e.to_string()))
}

/// Reads the survey files in order into `aggregator`.
fn read_surveys(
    aggregator: &mut Aggregator,
    input: &InputArgs,
    progress: &Mutex<Progress>,
) -> Result<(), Failure> {
    let options = aggregator.options().clone();
    /// One file's responses, read as the options say.
    fn one<R: Read>(
        (aggregator, input, progress): (&mut Aggregator, &InputArgs, &Mutex<Progress>),
        (name, options): (&str, &AggregateOptions),
        reader: Result<SurveyReader<R>, cxmetrics::Error>,
    ) -> Result<(), Failure> {
        let reader = reader
            .map_err(|e| Failure(e.to_string()))?
            .keep_dimensions(options.group_by())
            .bucketed(options.bucket(), options.timezone())
            .record_limit(input.max_record_bytes);
        let add = |a: &mut Aggregator, batch: &[_]| a.add_responses(batch);
        let at = (name, RecordKind::Surveys);
        drain(
            aggregator,
            input,
            progress,
            at,
            reader,
            SurveyReader::bytes_read,
            add,
        )
    }
    for path in &input.surveys {
        let (source, name) = open(path, input.input_format)?;
        let (run, file) = (
            (&mut *aggregator, input, progress),
            (name.as_str(), &options),
        );
        match source {
            Source::Stream(input, format) => one(
                run,
                file,
                SurveyReader::new(input, format, &name, options.scales()),
            )?,
            #[cfg(feature = "parquet")]
            Source::Parquet(input) => one(
                run,
                file,
                SurveyReader::parquet(input, &name, options.scales()),
            )?,
        }
    }
    Ok(())
}

/// Reads the event files in order into `aggregator`.
fn read_events(
    aggregator: &mut Aggregator,
    input: &InputArgs,
    progress: &Mutex<Progress>,
) -> Result<(), Failure> {
    let options = aggregator.options().clone();
    /// One file's events, read as the options say.
    fn one<R: Read>(
        (aggregator, input, progress): (&mut Aggregator, &InputArgs, &Mutex<Progress>),
        (name, options): (&str, &AggregateOptions),
        reader: Result<EventReader<R>, cxmetrics::Error>,
    ) -> Result<(), Failure> {
        let reader = reader
            .map_err(|e| Failure(e.to_string()))?
            .bucketed(options.bucket(), options.timezone())
            .record_limit(input.max_record_bytes);
        let add = |a: &mut Aggregator, batch: &[_]| a.add_events(batch);
        let at = (name, RecordKind::Events);
        drain(
            aggregator,
            input,
            progress,
            at,
            reader,
            EventReader::bytes_read,
            add,
        )
    }
    for path in &input.events {
        let (source, name) = open(path, input.input_format)?;
        let (run, file) = (
            (&mut *aggregator, input, progress),
            (name.as_str(), &options),
        );
        match source {
            Source::Stream(input, format) => {
                one(run, file, EventReader::new(input, format, &name))?
            }
            #[cfg(feature = "parquet")]
            Source::Parquet(input) => one(run, file, EventReader::parquet(input, &name))?,
        }
    }
    Ok(())
}

/// Counts a rejected record, or stops with it under `--strict`.
fn reject(
    aggregator: &mut Aggregator,
    input: &InputArgs,
    kind: RecordKind,
    rejection: Rejection,
) -> Result<(), Failure> {
    if input.strict {
        return Err(Failure(format!(
            "{}:{}: {}",
            rejection.file,
            rejection.line,
            rejection.reason()
        )));
    }
    aggregator.add_rejection(kind, rejection);
    Ok(())
}

fn tick(progress: &Mutex<Progress>, file: &str, bytes: u64) {
    if let Ok(mut progress) = progress.lock() {
        progress.records += BATCH as u64;
        progress.show(file, bytes);
    }
}

/// Reads every input file into a new aggregator with `options`: survey
/// files in order, then event files. With both kinds, the event files are
/// read on a second thread into a state of their own, which then moves
/// into the first ([`Aggregator::merge_owned`]): the result is that of one pass.
pub fn read_inputs(options: AggregateOptions, input: &InputArgs) -> Result<Aggregator, Failure> {
    let stdin = Path::new("-");
    let reads_of_stdin = input
        .surveys
        .iter()
        .chain(&input.events)
        .filter(|p| *p == stdin);
    if reads_of_stdin.count() > 1 {
        return Err(Failure("standard input (-) can be read once".into()));
    }
    let progress = Mutex::new(Progress::new());
    let mut aggregator = Aggregator::new(options.clone());
    // Room for the records the files may hold (rows of 40 bytes or more),
    // so the state never regrows: memory reserved but not used is never
    // touched, and costs no resident memory.
    let estimate = |paths: &[std::path::PathBuf]| {
        let bytes: u64 = paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        usize::try_from(bytes / 40).unwrap_or(usize::MAX)
    };
    let (survey_rows, event_rows) = (estimate(&input.surveys), estimate(&input.events));
    std::thread::scope(|scope| {
        let events = (!input.surveys.is_empty() && !input.events.is_empty()).then(|| {
            let progress = &progress;
            scope.spawn(move || {
                let mut state = Aggregator::new(options);
                state.reserve(0, event_rows);
                read_events(&mut state, input, progress).map(|()| state)
            })
        });
        aggregator.reserve(
            survey_rows,
            if input.surveys.is_empty() {
                event_rows
            } else {
                0
            },
        );
        // Surveys come first: under --strict their rejection is the first.
        let surveys = read_surveys(&mut aggregator, input, &progress);
        let events = match events {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(Failure("reading the event files failed".into()))),
            None => read_events(&mut aggregator, input, &progress)
                .map(|()| Aggregator::new(aggregator.options().clone())),
        };
        surveys?;
        aggregator
            .merge_owned(events?)
            .map_err(|e| Failure(e.to_string()))
    })?;
    if let Ok(progress) = progress.lock() {
        progress.done();
    }
    Ok(aggregator)
}
