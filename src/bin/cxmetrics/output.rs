//! Writing a report as JSON, CSV or an aligned table.
//!
//! CSV: one row per group. Columns: `bucket` (with a time bucket), each
//! `--group-by` dimension, then per section its fields with the section as
//! prefix (`nps_responses`, `nps_score`, `nps_ci95_low`, `nps_ci95_high`,
//! …, `tickets_first_response_s_p90`, …); with a calendar the business
//! twins (`tickets_reply_business_s_p90`), with an SLA `sla_<span>_measured`,
//! `_met`, `_breached`, `_rate`, with targets `target_<metric>_value` and
//! `_met`. A cell without data is empty.
//!
//! Text from the input (dimension values, target names) is written so that
//! it cannot act: in CSV a cell that begins with `=`, `+`, `-`, `@`, a tab
//! or a carriage return, which a spreadsheet would run as a formula, is
//! prefixed with `'` (OWASP's advice on CSV injection; numbers are never
//! text and never prefixed); in the table, control characters (newlines,
//! terminal escape sequences) are shown escaped, `\n` or `\u{1b}`, and a
//! backslash as `\\`.

use std::io::Write;

use cxmetrics::kpi::SurveySummary;
use cxmetrics::report::{Columns, Field, GroupReport, Value};
use cxmetrics::time::Bucket;
use cxmetrics::Report;

/// The report as the documented JSON.
pub fn json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// A group without data, whose cells name the columns.
fn header_group(report: &Report) -> GroupReport {
    GroupReport {
        bucket: None,
        dimensions: report.group_by.iter().map(|d| (*d, None)).collect(),
        surveys: SurveySummary::default(),
        tickets: None,
        targets: None,
        active_dates: 0,
        staffing: None,
    }
}

/// A text cell of a CSV report, made inert for spreadsheets.
fn guarded(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// Text from the input as the table shows it: control characters escaped.
fn printable(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => shown.push_str("\\\\"),
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\t' => shown.push_str("\\t"),
            c if c.is_control() => shown.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => shown.push(c),
        }
    }
    shown
}

/// The key cells of a group: bucket and dimensions.
fn key(report: &Report, group: &GroupReport) -> Vec<(String, String)> {
    let mut key = Vec::new();
    if report.bucket != Bucket::None {
        key.push((
            "bucket".to_owned(),
            group.bucket.map(|b| b.to_string()).unwrap_or_default(),
        ));
    }
    for (dimension, value) in &group.dimensions {
        key.push((dimension.to_string(), value.clone().unwrap_or_default()));
    }
    key
}

/// The report as CSV, one row per group.
pub fn csv(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let columns = Columns::of_report(report);
    let targets: Vec<&str> = report
        .groups
        .first()
        .and_then(|g| g.targets.as_ref())
        .map(|t| t.iter().map(|t| t.metric.as_str()).collect())
        .unwrap_or_default();
    let row = |group: &GroupReport| -> Vec<(String, String)> {
        let mut cells: Vec<(String, String)> = key(report, group)
            .into_iter()
            .map(|(name, value)| (name, guarded(value)))
            .collect();
        cells.extend(group.fields(columns).iter().flat_map(Field::columns));
        for &metric in &targets {
            let result = group.targets.iter().flatten().find(|r| r.metric == metric);
            let met = result.and_then(|r| r.met).map(|m| m.to_string());
            cells.push((
                format!("target_{metric}_value"),
                number(result.and_then(|r| r.value)),
            ));
            cells.push((format!("target_{metric}_met"), met.unwrap_or_default()));
        }
        cells
    };
    let header = row(&header_group(report))
        .into_iter()
        .map(|(name, _)| guarded(name));
    writer.write_record(header)?;
    for group in &report.groups {
        writer.write_record(row(group).into_iter().map(|(_, cell)| cell))?;
    }
    writer.flush()
}

/// A duration in seconds, compactly: `45s`, `12m 30s`, `3h 05m`, `2d 04h`.
fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{seconds:.1}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h {:02}m", s / 3600, s / 60 % 60),
        _ => format!("{}d {:02}h", s / 86_400, s / 3600 % 24),
    }
}

/// The report as an aligned table of its main figures.
pub fn table(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let as_of = report.as_of.map_or("-".to_owned(), |t| {
        t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    });
    let by = report
        .group_by
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(
        out,
        "as of {as_of} ({}), bucket {}, by {}",
        report.timezone,
        report.bucket,
        if by.is_empty() { "-" } else { &by }
    )?;
    let i = &report.input;
    for (name, c) in [("surveys", i.surveys), ("events", i.events)] {
        writeln!(
            out,
            "{name}: {} rows, {} accepted, {} duplicates, {} rejected",
            c.rows, c.accepted, c.duplicates, c.rejected
        )?;
    }
    writeln!(
        out,
        "tickets: {} valid, {} invalid",
        i.tickets.valid, i.tickets.invalid
    )?;
    writeln!(out)?;
    let mut header: Vec<String> = key(report, &header_group(report))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    header.extend(
        [
            "nps",
            "nps 95% ci",
            "csat%",
            "ces",
            "tickets",
            "resolved%",
            "first resp p50",
            "reply p50",
            "aht",
        ]
        .map(String::from),
    );
    let dash = || "-".to_owned();
    let mut rows = vec![header];
    for group in &report.groups {
        let mut row: Vec<String> = key(report, group)
            .into_iter()
            .map(|(_, v)| {
                if v.is_empty() {
                    "(none)".to_owned()
                } else {
                    printable(&v)
                }
            })
            .collect();
        let figure = |path: &str| group.value(path);
        let counted = |value: &str, n: &str, places: usize| match (figure(value), figure(n)) {
            (Some(v), Some(n)) => format!("{v:.places$} (n={n})"),
            _ => dash(),
        };
        row.push(counted("nps.score", "nps.responses", 1));
        row.push(match group.field("nps.ci95") {
            Some(Value::Interval(Some(ci))) => format!("[{:.1}, {:.1}]", ci.lower, ci.upper),
            _ => dash(),
        });
        row.push(counted("csat.score", "csat.responses", 1));
        row.push(counted("ces.mean", "ces.responses", 2));
        let shown = |path: &str, show: fn(f64) -> String| figure(path).map_or_else(dash, show);
        row.push(shown("tickets.created", |n| n.to_string()));
        row.push(shown("tickets.resolution_rate", |r| format!("{r:.1}")));
        row.push(shown("tickets.first_response_s.p50", duration));
        row.push(shown("tickets.reply_s.p50", duration));
        row.push(shown("tickets.handle_s.mean", duration));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let keys = report.group_by.len() + usize::from(report.bucket != Bucket::None);
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if c < keys {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    let staffed: Vec<&GroupReport> = report
        .groups
        .iter()
        .filter(|g| g.staffing.as_ref().is_some_and(|s| !s.is_empty()))
        .collect();
    if !staffed.is_empty() {
        writeln!(out)?;
        writeln!(out, "agents needed per local hour (Erlang C):")?;
        for group in staffed {
            let name: Vec<String> = key(report, group)
                .into_iter()
                .map(|(_, v)| {
                    if v.is_empty() {
                        "(none)".to_owned()
                    } else {
                        printable(&v)
                    }
                })
                .collect();
            let hours: Vec<String> = group
                .staffing
                .iter()
                .flatten()
                .map(|h| match h.agents {
                    Some(agents) => format!("{:02}h {agents}", h.hour),
                    None => format!("{:02}h -", h.hour),
                })
                .collect();
            writeln!(
                out,
                "  {}: {}",
                if name.is_empty() {
                    "all".to_owned()
                } else {
                    name.join(" ")
                },
                hours.join(", ")
            )?;
        }
    }
    if !report.rejections.is_empty() {
        writeln!(out)?;
        let total = i.surveys.rejected + i.events.rejected;
        writeln!(out, "{total} rejected records; the first:")?;
        for r in report.rejections.iter().take(5) {
            writeln!(
                out,
                "  {}:{}: {}",
                printable(&r.file),
                r.line,
                printable(&r.reason())
            )?;
        }
    }
    Ok(())
}
