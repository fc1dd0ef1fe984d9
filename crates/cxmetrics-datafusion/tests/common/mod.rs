//! Data sets as tables: the records the crate accepts, shuffled and split
//! over several files, read by DataFusion with every column as text.

#![allow(dead_code)]

#[path = "../../examples/support/mod.rs"]
pub mod support;

use std::fs;
use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::{CsvReadOptions, SessionConfig, SessionContext};
use serde_json::Value;
pub use support::{accepted_rows, EVENT_COLUMNS, SURVEY_COLUMNS};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A small deterministic shuffle (a linear congruential generator).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        items.swap(i, (seed >> 33) as usize % (i + 1));
    }
}

/// Writes the records of a CSV file that the crate accepts into `parts`
/// files under `dir`, shuffled by `seed`, with every documented column
/// (empty where the file has none) and `seq`, the record's place in the
/// file; returns the columns.
pub fn split(path: &Path, surveys: bool, dir: &Path, parts: usize, seed: u64) -> Vec<String> {
    let columns = if surveys {
        SURVEY_COLUMNS
    } else {
        EVENT_COLUMNS
    };
    let mut rows = accepted_rows(path, surveys);
    for (seq, row) in rows.iter_mut().enumerate() {
        row.push(seq.to_string());
    }
    shuffle(&mut rows, seed);
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).unwrap();
    let per = rows.len().div_ceil(parts).max(1);
    for (i, chunk) in rows.chunks(per).enumerate() {
        let mut writer = csv::Writer::from_path(dir.join(format!("part-{i}.csv"))).unwrap();
        writer.write_record(columns.iter().chain(&["seq"])).unwrap();
        for row in chunk {
            writer.write_record(row).unwrap();
        }
        writer.flush().unwrap();
    }
    columns
        .iter()
        .chain(&["seq"])
        .map(|c| c.to_string())
        .collect()
}

/// A session with `partitions` target partitions; with `skip_partial`,
/// partial aggregation is given up at once, so that every row reaches the
/// final phase as a state of its own.
pub fn context(partitions: usize, skip_partial: bool) -> SessionContext {
    context_with(
        partitions,
        skip_partial,
        cxmetrics_datafusion::Config::default(),
    )
}

/// [`context`] with the functions registered with `config`.
pub fn context_with(
    partitions: usize,
    skip_partial: bool,
    config: cxmetrics_datafusion::Config,
) -> SessionContext {
    let mut session = SessionConfig::new().with_target_partitions(partitions);
    if skip_partial {
        let options = session.options_mut();
        options
            .execution
            .skip_partial_aggregation_probe_rows_threshold = 1;
        options
            .execution
            .skip_partial_aggregation_probe_ratio_threshold = 0.0;
    }
    let ctx = SessionContext::new_with_config(session);
    cxmetrics_datafusion::register_with(&ctx, &config);
    ctx
}

/// Registers the CSV files under `dir` as table `name`, every column text.
pub async fn register(ctx: &SessionContext, name: &str, dir: &Path, columns: &[String]) {
    let schema = Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    );
    let options = CsvReadOptions::new().schema(&schema).file_extension(".csv");
    ctx.register_csv(name, dir.to_str().unwrap(), options)
        .await
        .unwrap();
}

/// A query's rows as JSON objects.
pub async fn rows(ctx: &SessionContext, sql: &str) -> Vec<Value> {
    support::rows(ctx, sql).await.unwrap()
}

/// A temporary folder for one test.
pub fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}
