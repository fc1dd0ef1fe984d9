//! Data sets as tables, shared by the examples and the tests: the records
//! of a CSV file that cxmetrics accepts, written as several CSV or Parquet
//! files with every documented column.

#![allow(dead_code)]

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use cxmetrics::io::{EventReader, InputFormat, Item, SurveyReader};
use cxmetrics::survey::Scales;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::error::Result;
use datafusion::prelude::SessionContext;

/// The documented columns of survey responses.
pub const SURVEY_COLUMNS: [&str; 9] = [
    "id", "metric", "score", "at", "agent", "channel", "team", "topic", "ticket",
];

/// The documented columns of ticket events.
pub const EVENT_COLUMNS: [&str; 9] = [
    "id", "ticket", "at", "kind", "agent", "status", "channel", "team", "topic",
];

/// The format of a record file by its extension.
fn format_of(path: &Path) -> InputFormat {
    InputFormat::from_path(path).expect("a .csv or .jsonl file")
}

/// The numbers of the lines (1 = a CSV header) that the crate rejects in a
/// file of records.
fn rejected_lines(path: &Path, surveys: bool) -> BTreeSet<u64> {
    let file = fs::File::open(path).expect("a readable record file");
    let name = path.display().to_string();
    let format = format_of(path);
    fn lines<T>(items: impl Iterator<Item = Result<Item<T>, cxmetrics::Error>>) -> BTreeSet<u64> {
        items
            .filter_map(
                |item| match item.expect("records the reader can go through") {
                    Item::Rejected(r) => Some(r.line),
                    Item::Record(_) => None,
                },
            )
            .collect()
    }
    if surveys {
        lines(SurveyReader::new(file, format, &name, Scales::default()).unwrap())
    } else {
        lines(EventReader::new(file, format, &name).unwrap())
    }
}

/// The records of a CSV or JSON Lines file that the crate accepts, in file
/// order, each with the documented columns as text (empty where the record
/// has none; a JSON number as written).
pub fn accepted_rows(path: &Path, surveys: bool) -> Vec<Vec<String>> {
    let rejected = rejected_lines(path, surveys);
    let columns = if surveys {
        SURVEY_COLUMNS
    } else {
        EVENT_COLUMNS
    };
    if format_of(path) == InputFormat::JsonLines {
        let text = fs::read_to_string(path).expect("a readable record file");
        return text
            .lines()
            .enumerate()
            .filter(|(i, line)| !rejected.contains(&(*i as u64 + 1)) && !line.trim().is_empty())
            .map(|(_, line)| {
                let record: serde_json::Value =
                    serde_json::from_str(line).expect("an accepted record");
                columns
                    .iter()
                    .map(|c| match &record[*c] {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
    }
    // Rows of another width are rejected records, skipped below.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .expect("a CSV file");
    let header = reader.headers().expect("a header").clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.expect("a CSV record");
        if rejected.contains(&record.position().expect("a position").line()) {
            continue;
        }
        let field = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_owned()
        };
        rows.push(columns.iter().map(|c| field(c)).collect());
    }
    rows
}

/// The first delivery of each id, as the report counts them.
pub fn first_deliveries(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut seen = HashSet::new();
    rows.into_iter()
        .filter(|row| seen.insert(row[0].clone()))
        .collect()
}

/// Writes `rows` under `columns` to `parts` CSV files in `dir`, row `i` to
/// file `i % parts`; returns the files.
pub fn write_csv_parts(
    dir: &Path,
    columns: &[String],
    rows: &[Vec<String>],
    parts: usize,
) -> Vec<PathBuf> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).expect("a writable folder");
    let paths: Vec<PathBuf> = (0..parts)
        .map(|i| dir.join(format!("part-{i}.csv")))
        .collect();
    let mut writers: Vec<_> = paths
        .iter()
        .map(|p| {
            let mut w = csv::Writer::from_path(p).expect("a writable file");
            w.write_record(columns).expect("a header");
            w
        })
        .collect();
    for (i, row) in rows.iter().enumerate() {
        writers[i % parts].write_record(row).expect("a record");
    }
    for mut w in writers {
        w.flush().expect("written");
    }
    paths
}

/// The sample's accepted records, first deliveries, as `parts` Parquet
/// files per table under `dir/surveys` and `dir/events`: scores as
/// integers and `at` as UTC timestamps, the rest as text.
pub async fn sample_as_parquet(sample: &Path, dir: &Path, parts: usize) -> Result<()> {
    let ctx = SessionContext::new();
    for (table, surveys, columns) in [
        ("surveys", true, SURVEY_COLUMNS),
        ("events", false, EVENT_COLUMNS),
    ] {
        let rows = first_deliveries(accepted_rows(&sample.join(format!("{table}.csv")), surveys));
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let staged = dir.join(format!("{table}-csv"));
        let files = write_csv_parts(&staged, &columns, &rows, parts);
        let out = dir.join(table);
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out)?;
        let select = columns
            .iter()
            .map(|c| match c.as_str() {
                "score" => "CAST(score AS BIGINT) AS score".to_owned(),
                "at" => "CAST(at AS TIMESTAMP) AS at".to_owned(),
                other => other.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        for (i, file) in files.iter().enumerate() {
            let name = format!("{table}_{i}");
            cxmetrics_datafusion::register_files(&ctx, &name, &[file]).await?;
            let part = out.join(format!("part-{i}.parquet"));
            ctx.sql(&format!("SELECT {select} FROM {name}"))
                .await?
                .write_parquet(
                    part.to_str().expect("a path in UTF-8"),
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    None,
                )
                .await?;
        }
        fs::remove_dir_all(&staged)?;
    }
    Ok(())
}

/// A query's rows as JSON objects (nulls left out, as Arrow writes them).
pub async fn rows(ctx: &SessionContext, sql: &str) -> Result<Vec<serde_json::Value>> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let mut writer = datafusion::arrow::json::ArrayWriter::new(Vec::new());
    for batch in &batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let parsed = serde_json::from_slice(&bytes)
        .map_err(|e| datafusion::error::DataFusionError::Execution(e.to_string()))?;
    match parsed {
        serde_json::Value::Array(rows) => Ok(rows),
        other => Err(datafusion::error::DataFusionError::Execution(format!(
            "not an array of rows: {other}"
        ))),
    }
}
