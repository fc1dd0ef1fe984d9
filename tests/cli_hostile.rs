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

/// Staffing questions at the extremes answer within a second, or are
/// refused naming the limit; an hour past the traffic Erlang C answers has
/// no agents and says why, never 0.
#[test]
fn staffing_extremes_answer_at_once_or_are_refused() {
    let dir = folder("staffing-extremes");
    let staffing = [
        "staffing",
        "--arrivals",
        "100",
        "--interval",
        "30m",
        "--aht",
        "180s",
        "--target",
        "80/20s",
        "--format",
        "json",
    ];
    for (option, value, message) in [
        (
            "--max-occupancy",
            "0.0000000001%",
            "more than the 1000000000 this answers",
        ),
        (
            "--shrinkage",
            "99.9999999999999999%",
            "more than the 1000000000 this answers",
        ),
    ] {
        let started = std::time::Instant::now();
        let mut args = staffing.to_vec();
        args.extend([option, value]);
        let out = run(&dir, &args);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
    fs::write(
        dir.join("e.csv"),
        "id,ticket,at,kind,agent\n\
         e1,T1,0001-01-01T09:00:00Z,created,\n\
         e2,T1,0001-01-01T09:00:01Z,handling_started,ana\n\
         e3,T1,2100-01-01T00:00:00Z,handling_ended,ana\n",
    )
    .unwrap();
    let out = run(
        &dir,
        &[
            "report",
            "--events",
            "e.csv",
            "--staffing",
            "80/20s",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hour = &report["groups"][0]["staffing"][0];
    assert_eq!(hour["agents"], serde_json::Value::Null, "{hour}");
    let why = hour["unstaffed"].as_str().unwrap();
    assert!(why.contains("expected 0 to 10000000"), "{why}");
}

/// Tickets that span year 1 to 9999, with a calendar of 21 000 working
/// intervals a week: business time in closed form, not day by day (this
/// took over a minute when spans were walked).
#[test]
fn spans_of_thousands_of_years_with_a_calendar_answer_at_once() {
    let dir = folder("long-spans");
    let intervals: Vec<String> = (0..3000)
        .map(|i| {
            let clock = |s: u32| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
            format!("[\"{}\", \"{}\"]", clock(i * 28), clock(i * 28 + 14))
        })
        .collect();
    let day = format!("[{}]", intervals.join(", "));
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(|d| format!("\"{d}\": {day}"));
    fs::write(
        dir.join("calendar.json"),
        format!(
            "{{\"timezone\": \"Europe/Berlin\", \"hours\": {{{}}}}}",
            days.join(", ")
        ),
    )
    .unwrap();
    let mut events = String::from("id,ticket,at,kind,agent,status\n");
    for t in 0..10 {
        events += &format!("c{t},T{t},0001-01-01T0{t}:00:00Z,created,,\n");
        events += &format!(
            "r{t},T{t},9999-12-3{}T0{t}:00:00Z,agent_reply,ana,\n",
            t % 2
        );
        events += &format!("s{t},T{t},9999-12-31T23:00:0{t}Z,status,,solved\n");
    }
    fs::write(dir.join("e.csv"), events).unwrap();
    let started = std::time::Instant::now();
    let out = run(
        &dir,
        &[
            "report",
            "--events",
            "e.csv",
            "--calendar",
            "calendar.json",
            "--format",
            "json",
        ],
    );
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tickets = &report["groups"][0]["tickets"];
    assert_eq!(tickets["created"], 10);
    // 3000 intervals of 14 s a day are 42 000 s of 86 400, to within the
    // edges of the span.
    let business = tickets["first_response_business_s"]["mean"]
        .as_f64()
        .unwrap();
    let calendar = tickets["first_response_s"]["mean"].as_f64().unwrap();
    assert!(
        (business / calendar - 42_000.0 / 86_400.0).abs() < 1e-6,
        "{business} / {calendar}"
    );
}

/// Endless input without a line end ends with exit 2 under a 2 GiB memory
/// limit; a record past `--max-record-bytes` is rejected at its line and
/// the next lines are read.
#[test]
fn endless_and_overlong_records_are_bounded() {
    let dir = folder("endless");
    for format in ["csv", "jsonl"] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v 2097152; exec \"$0\" report --surveys /dev/zero --input-format {format}"
            ))
            .arg(env!("CARGO_BIN_EXE_cxmetrics"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("zero: line 1 runs on past 268435456 bytes without a line end"),
            "{stderr}"
        );
    }
    let long = "x".repeat(5000);
    fs::write(
        dir.join("s.csv"),
        format!("id,metric,score,at,agent\nr1,nps,9,2026-03-02T09:00:00Z,{long}\nr2,nps,9,2026-03-02T09:00:00Z,ana\n"),
    )
    .unwrap();
    let out = run(
        &dir,
        &[
            "report",
            "--surveys",
            "s.csv",
            "--max-record-bytes",
            "1000",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["input"]["surveys"]["accepted"], 1);
    assert_eq!(report["rejections"][0]["line"], 2);
    assert_eq!(
        report["rejections"][0]["reason"],
        "record longer than 1000 bytes"
    );
}

/// Option files are read strictly: a key twice in any object, or an array
/// where an object belongs, is an error naming the file.
#[test]
fn option_files_refuse_repeated_keys_and_arrays_for_objects() {
    let dir = folder("option-files");
    fs::write(
        dir.join("e.csv"),
        "id,ticket,at,kind\ne1,T1,2026-03-02T09:00:00Z,created\n",
    )
    .unwrap();
    let cases = [
        (
            "--sla",
            r#"{"first_response_s": 60, "channels": {"email": {"reply_s": 1}, "email": {"reply_s": 2}}}"#,
            "duplicate field `email`",
        ),
        (
            "--sla",
            r#"{"first_response_s": 60, "first_response_s": 90}"#,
            "duplicate field `first_response_s`",
        ),
        (
            "--sla",
            r#"{"channels": {"email": [1, 2, 3]}}"#,
            "channels.email: expected a JSON object",
        ),
        (
            "--calendar",
            r#"["Europe/Berlin"]"#,
            "the file: expected a JSON object",
        ),
        (
            "--calendar",
            r#"{"timezone": "UTC", "hours": [[["08:00", "18:00"]]]}"#,
            "hours: expected a JSON object",
        ),
        (
            "--targets",
            r#"{"tickets.created": [1, 2]}"#,
            "tickets.created: expected a JSON object",
        ),
    ];
    for (option, text, message) in cases {
        fs::write(dir.join("o.json"), text).unwrap();
        let out = run(
            &dir,
            &[
                "report", "--events", "e.csv", option, "o.json", "--format", "json",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("o.json: ") && stderr.contains(message),
            "{text}: {stderr}"
        );
    }
}

/// With a time bucket, a response or a ticket creation whose local date
/// lies outside years 1 to 9999 is rejected at its line (no label such as
/// `+10000-01-01` or `0000-12-31`); other events at that instant, and any
/// record without a bucket, are kept.
#[test]
fn bucket_labels_stay_within_years_1_to_9999() {
    let dir = folder("ends-of-time");
    fs::write(
        dir.join("s.csv"),
        "id,metric,score,at\nr1,nps,9,9999-12-31T20:00:00Z\nr2,nps,7,0001-01-01T02:00:00Z\nr3,nps,10,2026-01-01T00:00:00Z\n",
    )
    .unwrap();
    fs::write(
        dir.join("e.csv"),
        "id,ticket,at,kind,agent\ne1,T1,9999-12-31T20:00:00Z,created,\ne2,T0,2026-01-01T00:00:00Z,created,\ne3,T0,9999-12-31T20:00:00Z,agent_reply,ana\n",
    )
    .unwrap();
    let report = |bucket: &str| {
        let out = run(
            &dir,
            &[
                "report",
                "--surveys",
                "s.csv",
                "--events",
                "e.csv",
                "--bucket",
                bucket,
                "--tz",
                "Pacific/Kiritimati",
                "--format",
                "json",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    for bucket in ["day", "week", "month"] {
        let report = report(bucket);
        let input = &report["input"];
        assert_eq!(input["surveys"]["rejected"], 2, "{bucket}");
        assert_eq!(input["events"]["rejected"], 1, "{bucket}");
        assert_eq!(input["events"]["accepted"], 2, "{bucket}");
        let places: Vec<_> = report["rejections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["file"].as_str().unwrap(), r["line"].as_u64().unwrap()))
            .collect();
        assert_eq!(places, [("s.csv", 2), ("s.csv", 3), ("e.csv", 2)]);
        assert_eq!(
            report["rejections"][1]["reason"],
            "timestamp 0001-01-01T02:00:00Z falls on 0000-12-31 in Pacific/Kiritimati: \
             a time bucket's date must lie in 0001-01-01..=9999-12-31"
        );
        for group in report["groups"].as_array().unwrap() {
            let label = group["bucket"].as_str().unwrap();
            assert!(
                label.len() == 10 && label.as_bytes()[0].is_ascii_digit() && label >= "0001",
                "{label}"
            );
        }
    }
    let whole = report("none");
    assert_eq!(whole["input"]["surveys"]["rejected"], 0);
    assert_eq!(whole["input"]["events"]["rejected"], 0);
}
