//! The `cxmetrics` binary end to end: the definitions examples, saved states,
//! and the error cases with their exit statuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn cxmetrics(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cxmetrics"))
        .args(args)
        .current_dir("tests/data")
        .output()
        .expect("the binary runs")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Numbers to 1e-6 relative, p50/p90 to 1%, rejection reasons free.
fn same(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    None => assert!(value.is_null(), "{path}.{key} missing"),
                    Some(_) if key == "reason" => {}
                    Some(got) if (key == "p50" || key == "p90") && value.is_number() => {
                        let (x, y) = (value.as_f64().unwrap(), got.as_f64().unwrap());
                        assert!(
                            (x - y).abs() <= 0.01 * x.abs() + 1e-6,
                            "{path}.{key}: {x} vs {y}"
                        );
                    }
                    Some(got) => same(value, got, &format!("{path}.{key}")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                same(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-6 * x.abs().max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

fn expected(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new("tests/data").join(path)).unwrap())
        .unwrap()
}

/// Every example of `tests/data/README.md` whose options this build has.
#[test]
fn contract_examples() {
    let readme = std::fs::read_to_string("tests/data/README.md").unwrap();
    let mut checked = 0;
    for line in readme.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((report, command)) = rest.split_once("` | `cxmetrics report ") else {
            continue;
        };
        let command = command.trim_end_matches("` |");
        let mut args = vec!["report", "--format", "json"];
        args.extend(command.split_whitespace());
        same(&expected(report), &json(&cxmetrics(&args)), report);
        checked += 1;
    }
    assert_eq!(checked, 10);
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cxmetrics-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn ingest_merge_and_report_from_state() {
    let (a, b, merged) = (temp("a.state"), temp("b.state"), temp("merged.state"));
    let (a, b, merged) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        merged.to_str().unwrap(),
    );
    // The same options in both parts; the dirty example split by kind.
    let opts = ["--group-by", "agent"];
    let run = |args: &[&str]| {
        let out = cxmetrics(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    run(&[
        &["ingest", "--surveys", "dirty/surveys.csv", "--output", a][..],
        &opts[..],
    ]
    .concat());
    run(&[
        &["ingest", "--events", "dirty/events.jsonl", "--output", b][..],
        &opts[..],
    ]
    .concat());
    run(&["merge", a, b, "--output", merged]);
    let from_state = json(&cxmetrics(&[
        "report", "--state", merged, "--format", "json",
    ]));
    let one_pass = json(&cxmetrics(
        &[
            &[
                "report",
                "--surveys",
                "dirty/surveys.csv",
                "--events",
                "dirty/events.jsonl",
                "--format",
                "json",
            ][..],
            &opts[..],
        ]
        .concat(),
    ));
    assert_eq!(from_state, one_pass);
    // Different options: exit 2, naming the file and the difference.
    let other = temp("other.state");
    run(&[
        "ingest",
        "--surveys",
        "dirty/surveys.csv",
        "--output",
        other.to_str().unwrap(),
    ]);
    let out = cxmetrics(&["merge", a, other.to_str().unwrap(), "--output", merged]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("states made with different options: group by"),
        "{}",
        stderr(&out)
    );
    // A corrupt or foreign state: exit 2.
    std::fs::write(merged, b"CXMSTATE\x05\x00garbage").unwrap();
    let out = cxmetrics(&["report", "--state", merged]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("corrupt state"), "{}", stderr(&out));
    // States saved by earlier releases (format versions 3 and 4, without
    // a checksum): refused, naming both versions.
    for version in [3, 4] {
        let out = cxmetrics(&[
            "report",
            "--state",
            &format!("states/version-{version}.state"),
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains(&format!(
                "not a cxmetrics state: format version {version}, this build reads version 5"
            )),
            "{}",
            stderr(&out)
        );
    }
    std::fs::write(merged, b"{\"not\": \"a state\"}").unwrap();
    assert!(stderr(&cxmetrics(&["report", "--state", merged])).contains("not a cxmetrics state"));
    // --state takes no inputs.
    assert_eq!(
        cxmetrics(&["report", "--state", a, "--surveys", "dirty/surveys.csv"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn errors_and_exit_statuses() {
    let code = |args: &[&str]| cxmetrics(args).status.code();
    // Strict: the first rejected record, FILE:LINE: reason.
    let out = cxmetrics(&["report", "--surveys", "dirty/surveys.csv", "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "cxmetrics: surveys.csv:3: score 11 out of range 0..=10 for nps"
    );
    // Lenient: reported and counted.
    let report = json(&cxmetrics(&["report", "--surveys", "dirty/surveys.csv"]));
    assert_eq!(report["input"]["surveys"]["rejected"], 9);
    // Unreadable file, unknown format, missing column, invalid UTF-8, bad options.
    assert!(
        stderr(&cxmetrics(&["report", "--surveys", "nope.csv"])).contains("nope.csv: no such file")
    );
    assert_eq!(code(&["report", "--surveys", "README.md"]), Some(2));
    let bad = temp("bad.csv");
    std::fs::write(&bad, "id,metric,score\nr1,nps,9\n").unwrap();
    let out = cxmetrics(&["report", "--surveys", bad.to_str().unwrap()]);
    assert_eq!(
        (out.status.code(), stderr(&out).trim()),
        (
            Some(2),
            "cxmetrics: bad.csv: the header has no column \"at\""
        )
    );
    std::fs::write(
        &bad,
        b"id,metric,score,at\nr1,nps,9,2026-03-02T09:00:00Z\nr\xff,nps,9,2026-03-02T09:00:00Z\n",
    )
    .unwrap();
    let out = cxmetrics(&["report", "--surveys", bad.to_str().unwrap()]);
    assert_eq!(
        (out.status.code(), stderr(&out).trim()),
        (Some(2), "cxmetrics: bad.csv: invalid UTF-8 on line 3")
    );
    assert_eq!(code(&["report", "--group-by", "agent,agent"]), Some(2));
    assert_eq!(code(&["report", "--group-by", "region"]), Some(2));
    assert_eq!(code(&["report", "--tz", "Mars/Olympus"]), Some(2));
    assert_eq!(
        code(&["report", "--as-of", "2026-03-02 09:00:00Z"]),
        Some(2)
    );
    assert_eq!(code(&["report", "--csat-scale", "5-1"]), Some(2));
    assert_eq!(
        code(&["ingest", "--surveys", "dirty/surveys.csv"]),
        Some(2),
        "ingest needs --output"
    );
    // No input at all: as_of null, no groups.
    let empty = json(&cxmetrics(&["report"]));
    assert_eq!(
        (empty["as_of"].clone(), empty["groups"].clone()),
        (Value::Null, Value::Array(vec![]))
    );
}

/// Option files: a duplicate key, an unknown key or a wrong type is an
/// error naming the file and the field, exit 2.
#[test]
fn calendar_files() {
    let file = temp("calendar.json");
    let path = file.to_str().unwrap();
    let cases = [
        (
            r#"{"timezone": "Europe/Berlin", "hours": {"mon": [["08:00", "18:00"]]}, "extra": 1}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"timezone": "Europe/Berlin", "timezone": "UTC"}"#,
            "duplicate field `timezone`",
        ),
        (
            r#"{"timezone": "Europe/Berlin", "hours": {"mon": [["08:00", "25:00"]]}}"#,
            "hours.mon[0]: invalid time \"25:00\"",
        ),
        (
            r#"{"timezone": "Europe/Berlin", "hours": {"mon": [["18:00", "08:00"]]}}"#,
            "start 18:00:00 is not before end 08:00:00",
        ),
        (
            r#"{"timezone": "Europe/Berlin", "hours": {"moon": [["08:00", "18:00"]]}}"#,
            "unknown field `moon`",
        ),
        (
            r#"{"timezone": "Mars/Base"}"#,
            "unknown time zone \"Mars/Base\"",
        ),
        (
            r#"{"timezone": "UTC", "holidays": ["2026-4-3"]}"#,
            "holidays: invalid date \"2026-4-3\"",
        ),
        (
            r#"{"timezone": "UTC", "hours": {"mon": "08:00-18:00"}}"#,
            "invalid type",
        ),
    ];
    for (json, message) in cases {
        std::fs::write(&file, json).unwrap();
        let out = cxmetrics(&["report", "--events", "night/events.csv", "--calendar", path]);
        assert_eq!(out.status.code(), Some(2), "{json}");
        assert!(
            stderr(&out).contains("calendar.json") && stderr(&out).contains(message),
            "{json}: {}",
            stderr(&out)
        );
    }
    // A 24/7 calendar: business time equals calendar time.
    std::fs::write(&file, r#"{"timezone": "UTC", "hours": {"mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]], "thu": [["00:00", "24:00"]], "fri": [["00:00", "24:00"]], "sat": [["00:00", "24:00"]], "sun": [["00:00", "24:00"]]}}"#).unwrap();
    let report = json(&cxmetrics(&[
        "report",
        "--events",
        "tickets-edge/events.jsonl",
        "--calendar",
        path,
    ]));
    let tickets = &report["groups"][0]["tickets"];
    assert_eq!(
        tickets["first_response_s"],
        tickets["first_response_business_s"]
    );
    assert_eq!(
        tickets["full_resolution_s"],
        tickets["full_resolution_business_s"]
    );
}

#[test]
fn standard_input_and_other_formats() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cxmetrics"))
        .args([
            "report",
            "--surveys",
            "-",
            "--input-format",
            "csv",
            "--format",
            "csv",
            "--group-by",
            "channel",
        ])
        .current_dir("tests/data")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read("tests/data/surveys-basic/surveys.csv").unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("channel,nps_responses,nps_promoters"));
    assert_eq!(lines.count(), 3, "one row per channel");
    // `-` without --input-format: exit 2.
    assert_eq!(
        cxmetrics(&["report", "--surveys", "-"]).status.code(),
        Some(2)
    );
    // The table names the figures.
    let table = cxmetrics(&[
        "report",
        "--events",
        "tickets-edge/events.jsonl",
        "--group-by",
        "agent",
        "--format",
        "table",
    ]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("tickets: 6 valid, 2 invalid"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("ben") && l.contains("11m 45s")),
        "{table}"
    );
}

#[test]
fn staffing() {
    let out = json(&cxmetrics(&[
        "staffing",
        "--arrivals",
        "100",
        "--interval",
        "30m",
        "--aht",
        "180s",
        "--target",
        "80/20s",
        "--shrinkage",
        "30%",
        "--max-occupancy",
        "85%",
        "--agents-per-lead",
        "12",
    ]));
    assert_eq!(
        (
            out["traffic_erlangs"].as_f64(),
            out["agents"].as_u64(),
            out["scheduled"].as_u64(),
            out["leads"].as_u64()
        ),
        (Some(10.0), Some(14), Some(20), Some(2))
    );
    assert!((out["service_level"].as_f64().unwrap() - 0.8884).abs() < 1e-4);
    let without_leads = json(&cxmetrics(&[
        "staffing",
        "--arrivals",
        "25",
        "--interval",
        "15m",
        "--aht",
        "752s",
        "--target",
        "90/20s",
        "--format",
        "json",
    ]));
    assert_eq!(
        (without_leads["agents"].as_u64(), without_leads.get("leads")),
        (Some(28), None)
    );
    for bad in [
        ["--arrivals", "0"],
        ["--target", "100/20s"],
        ["--aht", "0s"],
        ["--interval", "30"],
    ] {
        let mut args = vec![
            "staffing",
            "--arrivals",
            "100",
            "--interval",
            "30m",
            "--aht",
            "180s",
            "--target",
            "80/20s",
        ];
        let i = args.iter().position(|a| *a == bad[0]).unwrap();
        args[i + 1] = bad[1];
        let out = cxmetrics(&args);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            stderr(&out).starts_with("cxmetrics: invalid staffing"),
            "{}",
            stderr(&out)
        );
    }
}

/// The `business` example's inputs, calendar and SLA.
const BUSINESS: &[&str] = &[
    "report",
    "--events",
    "business/events.csv",
    "--surveys",
    "business/surveys.csv",
    "--group-by",
    "agent",
    "--calendar",
    "business/calendar.json",
    "--sla",
    "business/sla.json",
];

/// `business` without targets and staffing: every group's tickets (with
/// their business-time twins) and SLA attainment match on their own.
#[test]
fn business_sla_and_business_hours() {
    let report = json(&cxmetrics(&[BUSINESS, &["--format", "json"]].concat()));
    let expected = expected("business/report-by-agent.json");
    let (groups, wanted) = (
        report["groups"].as_array().unwrap(),
        expected["groups"].as_array().unwrap(),
    );
    assert_eq!(groups.len(), wanted.len());
    for (g, w) in groups.iter().zip(wanted) {
        for section in ["agent", "sla", "tickets", "nps", "csat", "ces"] {
            same(&w[section], &g[section], section);
        }
    }
    // The CSV layout carries the same figures.
    let out = cxmetrics(
        &[
            BUSINESS,
            &["--targets", "business/targets.json", "--format", "csv"],
        ]
        .concat(),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let kim = rows
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "kim")
        .unwrap();
    let cell = |name: &str| {
        kim[header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))]
        .to_owned()
    };
    assert_eq!(cell("sla_reply_measured"), "6");
    assert_eq!(cell("sla_resolution_rate"), "60");
    assert_eq!(cell("target_tickets.resolution_rate_met"), "false");
    assert_eq!(
        cell("tickets_first_response_business_s_p90")
            .parse::<f64>()
            .unwrap(),
        41400.0
    );
    // An SLA in business hours needs the calendar; bad files: exit 2.
    let out = cxmetrics(&[
        "report",
        "--events",
        "business/events.csv",
        "--sla",
        "business/sla.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sla.json: business_hours: true needs --calendar"),
        "{}",
        stderr(&out)
    );
    let file = temp("sla.json");
    for (json, message) in [
        (
            r#"{"first_response_s": -5}"#,
            "first_response_s: -5 is not a number of seconds >= 0",
        ),
        (r#"{"reply_s": "300"}"#, "invalid type"),
        (
            r#"{"channels": {"chat": {"first_reply_s": 120}}}"#,
            "unknown field `first_reply_s`",
        ),
    ] {
        std::fs::write(&file, json).unwrap();
        let out = cxmetrics(&[
            "report",
            "--events",
            "business/events.csv",
            "--sla",
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{json}");
        assert!(stderr(&out).contains(message), "{json}: {}", stderr(&out));
    }
}

/// Targets are checked against the report's schema under its options.
#[test]
fn target_files() {
    let file = temp("targets.json");
    let path = file.to_str().unwrap();
    let cases = [
        (
            r#"{"nps": {"min": 1}}"#,
            "invalid target nps: not a number of a group",
        ),
        (r#"{"nps.ci95": {"min": 1}}"#, "invalid target nps.ci95"),
        (
            r#"{"tickets.reply_business_s.p90": {"max": 1}}"#,
            "invalid target tickets.reply_business_s.p90",
        ),
        (
            r#"{"sla.reply.rate": {"min": 90}}"#,
            "invalid target sla.reply.rate",
        ),
        (
            r#"{"csat.score": {"min": 1}, "csat.score": {"max": 2}}"#,
            "duplicate field `csat.score`",
        ),
        (r#"{"csat.score": {"least": 1}}"#, "unknown field `least`"),
        (r#"{"csat.score": {}}"#, "needs min, max or both"),
    ];
    for (json, message) in cases {
        std::fs::write(&file, json).unwrap();
        let out = cxmetrics(&[
            "report",
            "--surveys",
            "surveys-basic/surveys.csv",
            "--targets",
            path,
        ]);
        assert_eq!(out.status.code(), Some(2), "{json}");
        assert!(stderr(&out).contains(message), "{json}: {}", stderr(&out));
    }
    // From a saved state too, in file order, null where a group has no value.
    let state = temp("basic.state");
    assert!(cxmetrics(&[
        "ingest",
        "--surveys",
        "surveys-basic/surveys.csv",
        "--group-by",
        "agent",
        "--output",
        state.to_str().unwrap()
    ])
    .status
    .success());
    std::fs::write(
        &file,
        r#"{"nps.score": {"min": 0}, "tickets.created": {"min": 1}}"#,
    )
    .unwrap();
    let report = json(&cxmetrics(&[
        "report",
        "--state",
        state.to_str().unwrap(),
        "--targets",
        path,
    ]));
    let targets = &report["groups"][0]["targets"];
    assert_eq!(targets[0]["metric"], "nps.score");
    assert_eq!(targets[0]["met"], false, "ana's NPS is -33.3");
    assert_eq!(
        (targets[1]["value"].clone(), targets[1]["met"].clone()),
        (Value::Null, Value::Null)
    );
}
