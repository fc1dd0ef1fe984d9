//! The tool on hostile input: text that would act in a spreadsheet or a
//! terminal is written inert.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cxmetrics"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Responses whose agents are a formula, a negative-looking name, a
/// terminal escape sequence with a newline, and a plain name.
fn hostile_surveys(dir: &Path) {
    let agents = [
        r#"=HYPERLINK(\"http://x\",\"y\")"#,
        "-2+3",
        r"\u001b[31mred\nline\\",
        "ana",
    ];
    let lines: Vec<String> = agents
        .iter()
        .enumerate()
        .map(|(i, agent)| {
            format!(
                r#"{{"id":"r{i}","metric":"nps","score":{},"at":"2026-03-02T09:00:00Z","agent":"{agent}"}}"#,
                9 - i
            )
        })
        .collect();
    fs::write(dir.join("s.jsonl"), lines.join("\n") + "\n").unwrap();
}

#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_guarded() {
    let dir = folder("csv-injection");
    hostile_surveys(&dir);
    let out = run(
        &dir,
        &[
            "report",
            "--surveys",
            "s.jsonl",
            "--group-by",
            "agent",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let agent = headers.iter().position(|h| h == "agent").unwrap();
    let score = headers.iter().position(|h| h == "nps_score").unwrap();
    let mut rows: Vec<(String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[agent].to_owned(), r[score].to_owned()))
        .collect();
    rows.sort();
    // Numbers are never prefixed, negative ones included.
    let expected = [
        ("'-2+3", "0"),
        ("'=HYPERLINK(\"http://x\",\"y\")", "100"),
        ("\u{1b}[31mred\nline\\", "0"),
        ("ana", "-100"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, s)| (a.to_string(), s.to_string()))
        .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(rows, expected);
}

#[test]
fn table_shows_control_characters_escaped() {
    let dir = folder("table-escapes");
    hostile_surveys(&dir);
    fs::write(dir.join("bad\u{1b}[2J.jsonl"), "{\"id\":1}\n").unwrap();
    let out = run(
        &dir,
        &[
            "report",
            "--surveys",
            "s.jsonl",
            "--surveys",
            "bad\u{1b}[2J.jsonl",
            "--group-by",
            "agent",
            "--format",
            "table",
        ],
    );
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.contains('\u{1b}'), "{table}");
    assert!(table.contains(r"\u{1b}[31mred\nline\\"), "{table}");
    assert!(table.contains(r"bad\u{1b}[2J.jsonl:1:"), "{table}");
    // One line per group: the newline in a name did not start a line.
    assert_eq!(
        table.lines().filter(|l| l.contains("(n=1)")).count(),
        4,
        "{table}"
    );
}
