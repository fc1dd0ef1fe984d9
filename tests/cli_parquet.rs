//! Parquet inputs of the tool: the same validation, rejections (at row
//! numbers) and accounting as the CSV files they hold, with text, integer,
//! timestamp and dictionary columns.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use parquet::arrow::ArrowWriter;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cxmetrics"))
}

fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `columns` as a Parquet file (in two row groups, so that reading
/// goes on from one to the next).
fn write(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let file = fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    let half = batch.num_rows() / 2;
    writer.write(&batch.slice(0, half)).unwrap();
    writer.flush().unwrap();
    writer
        .write(&batch.slice(half, batch.num_rows() - half))
        .unwrap();
    writer.close().unwrap();
}

/// A CSV file's columns as text (empty fields null), one per header name.
fn csv_columns(path: &Path) -> Vec<(String, Vec<Option<String>>)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut columns: Vec<(String, Vec<Option<String>>)> =
        header.iter().map(|h| (h.clone(), Vec::new())).collect();
    for record in reader.records() {
        let record = record.unwrap();
        for (i, (_, values)) in columns.iter_mut().enumerate() {
            let value = record.get(i).unwrap_or("");
            values.push((!value.is_empty()).then(|| value.to_owned()));
        }
    }
    columns
}

fn text(values: &[Option<String>]) -> ArrayRef {
    Arc::new(values.iter().map(|v| v.as_deref()).collect::<StringArray>())
}

/// Writes text columns as a Parquet file.
fn write_text(path: &Path, columns: &[(String, Vec<Option<String>>)]) {
    let arrays = columns
        .iter()
        .map(|(name, values)| (name.as_str(), text(values)))
        .collect();
    write(path, arrays);
}

/// `report --format json` of the files, with `options`.
fn report(surveys: &[&Path], events: &[&Path], options: &[&str]) -> Value {
    let mut command = bin();
    command.args(["report", "--format", "json"]).args(options);
    for path in surveys {
        command.arg("--surveys").arg(path);
    }
    for path in events {
        command.arg("--events").arg(path);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A report without its rejections, and the rejections as (line, reason).
fn split(mut report: Value) -> (Value, Vec<(u64, String)>) {
    let rejections = report["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    report["rejections"] = Value::Null;
    (report, rejections)
}

/// The bundled sample, every column text, gives the CSV report: the same
/// numbers and accounting, the same rejections at row numbers (the CSV
/// line less the header, each record being one line).
#[test]
fn the_sample_as_text_columns() {
    let dir = folder("parquet-sample");
    let sample = Path::new("examples/data");
    let mut paths = Vec::new();
    for table in ["surveys", "events"] {
        let columns = csv_columns(&sample.join(format!("{table}.csv")));
        let path = dir.join(format!("{table}.parquet"));
        write_text(&path, &columns);
        paths.push(path);
    }
    let options = ["--group-by", "channel", "--bucket", "week"];
    let csv = report(
        &[&sample.join("surveys.csv")],
        &[&sample.join("events.csv")],
        &options,
    );
    let parquet = report(&[&paths[0]], &[&paths[1]], &options);
    let (csv, csv_rejections) = split(csv);
    let (parquet, parquet_rejections) = split(parquet);
    assert_eq!(csv, parquet);
    assert!(!csv_rejections.is_empty());
    let shifted: Vec<(u64, String)> = csv_rejections
        .into_iter()
        .map(|(line, reason)| (line - 1, reason))
        .collect();
    assert_eq!(shifted, parquet_rejections);
}

/// Integer scores, millisecond timestamps in UTC and dictionary-encoded
/// text give the report of the same records written as CSV text.
#[test]
fn typed_columns() {
    let dir = folder("parquet-typed");
    let source = Path::new("tests/data/surveys-basic/surveys.csv");
    let columns = csv_columns(source);
    let mut arrays: Vec<(&str, ArrayRef)> = Vec::new();
    for (name, values) in &columns {
        let array: ArrayRef = match name.as_str() {
            "score" => Arc::new(
                values
                    .iter()
                    .map(|v| v.as_deref().map(|s| s.parse::<i64>().unwrap()))
                    .collect::<Int64Array>(),
            ),
            "at" => Arc::new(
                values
                    .iter()
                    .map(|v| {
                        v.as_deref().map(|s| {
                            chrono::DateTime::parse_from_rfc3339(s)
                                .unwrap()
                                .timestamp_millis()
                        })
                    })
                    .collect::<TimestampMillisecondArray>()
                    .with_timezone("UTC"),
            ),
            "agent" | "channel" => Arc::new(
                values
                    .iter()
                    .map(|v| v.as_deref())
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
            _ => text(values),
        };
        arrays.push((name.as_str(), array));
    }
    let path = dir.join("surveys.parquet");
    write(&path, arrays);
    for options in [
        &["--group-by", "agent"][..],
        &["--group-by", "channel", "--bucket", "day"],
    ] {
        let (csv, csv_rejections) = split(report(&[source], &[], options));
        let (parquet, parquet_rejections) = split(report(&[&path], &[], options));
        assert_eq!(csv, parquet, "{options:?}");
        assert_eq!(csv_rejections.len(), parquet_rejections.len());
        assert!(csv["groups"].as_array().unwrap().len() > 1);
    }
}

/// Values of a type no record field has are rejected at their row, naming
/// the field and the type; a file without a required column, or not
/// Parquet at all, is an error naming the file.
#[test]
fn wrong_types_and_files() {
    let dir = folder("parquet-wrong");
    let path = dir.join("surveys.parquet");
    let n = |v: &[&str]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
    write(
        &path,
        vec![
            ("id", n(&["a", "b", "c", "d"])),
            ("metric", n(&["nps", "nps", "csat", "nps"])),
            ("score", n(&["9", "11", "4", "x"])),
            ("at", n(&["2026-03-02T09:00:00Z"; 4])),
            (
                "agent",
                Arc::new(BooleanArray::from(vec![None, None, Some(true), None])),
            ),
        ],
    );
    let output = bin()
        .args(["report", "--format", "json", "--surveys"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["input"]["surveys"]["rows"], 4);
    assert_eq!(report["input"]["surveys"]["accepted"], 1);
    let lines: Vec<(u64, String)> = split(report).1;
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        (2, "score 11 out of range 0..=10 for nps".to_owned())
    );
    assert_eq!(lines[1].0, 3);
    assert!(
        lines[1].1.contains("agent") && lines[1].1.contains("boolean"),
        "{lines:?}"
    );
    assert_eq!(lines[2].0, 4);

    let strict = bin()
        .args(["report", "--strict", "--surveys"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("surveys.parquet:2: score 11"));

    let missing = dir.join("no-score.parquet");
    write(
        &missing,
        vec![
            ("id", n(&["a"])),
            ("metric", n(&["nps"])),
            ("at", n(&["2026-03-02T09:00:00Z"])),
        ],
    );
    let not_parquet = dir.join("text.parquet");
    fs::write(&not_parquet, "id,metric,score,at\n").unwrap();
    for (file, says) in [
        (&missing, "no column score"),
        (&not_parquet, "text.parquet"),
    ] {
        let output = bin()
            .args(["report", "--surveys"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{file:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
}

/// A damaged Parquet file is reported, never a crash: bytes of a valid
/// file overwritten (a small deterministic sample of positions) give exit
/// status 0 or 2, never a panic's 101.
#[test]
fn damaged_files() {
    let dir = folder("parquet-damaged");
    let columns = csv_columns(Path::new("tests/data/surveys-basic/surveys.csv"));
    let path = dir.join("surveys.parquet");
    write_text(&path, &columns);
    let good = fs::read(&path).unwrap();
    let damaged = dir.join("damaged.parquet");
    let mut seed: u64 = 7;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    let mut refused = 0;
    for _ in 0..60 {
        let mut bytes = good.clone();
        for _ in 0..1 + next() % 8 {
            let at = next() % bytes.len();
            bytes[at] = next() as u8;
        }
        fs::write(&damaged, &bytes).unwrap();
        let output = bin()
            .args(["report", "--format", "json", "--surveys"])
            .arg(&damaged)
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 2)),
            "{code:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        if code == Some(2) {
            refused += 1;
            assert!(String::from_utf8_lossy(&output.stderr).contains("damaged.parquet"));
        }
    }
    assert!(refused > 0);
}

/// Empty text is an absent value, as an empty CSV field is: a response
/// with agent "" falls in the group of no agent.
#[test]
fn empty_text_is_absent() {
    let dir = folder("parquet-empty");
    let path = dir.join("surveys.parquet");
    let n = |v: &[Option<&str>]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
    write(
        &path,
        vec![
            ("id", n(&[Some("a"), Some("b")])),
            ("metric", n(&[Some("nps"), Some("nps")])),
            ("score", n(&[Some("9"), Some("3")])),
            ("at", n(&[Some("2026-03-02T09:00:00Z"); 2])),
            ("agent", n(&[Some(""), None])),
        ],
    );
    let report = report(&[&path], &[], &["--group-by", "agent"]);
    let groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0]["agent"], Value::Null);
    assert_eq!(groups[0]["nps"]["responses"], 2);
}
