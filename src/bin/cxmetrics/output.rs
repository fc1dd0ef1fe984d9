//! Writing a report as JSON, CSV or an aligned table.
//!
//! CSV: one row per group. Columns: `bucket` (with a time bucket), each
//! `--group-by` dimension, then per section its fields with the section as
//! prefix (`nps_responses`, `nps_score`, `nps_ci95_low`, `nps_ci95_high`,
//! …, `tickets_first_response_s_p90`, …); with a calendar the business
//! twins (`tickets_reply_business_s_p90`), with an SLA `sla_<span>_measured`,
//! `_met`, `_breached`, `_rate`, with targets `target_<metric>_value` and
//! `_met`. A cell without data is empty.

use std::io::Write;

use cxmetrics::{
    kpi::{DistributionSummary, Interval},
    report::GroupReport,
    time::Bucket,
    Report,
};

/// The report as the documented JSON.
pub fn json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

fn count(value: Option<u64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// The flattened cells of a group after its key.
fn cells(group: &GroupReport) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    let mut push = |name: &str, value: String| cells.push((name.to_owned(), value));
    let ci = |i: Option<Interval>| (number(i.map(|i| i.lower)), number(i.map(|i| i.upper)));
    let nps = group.surveys.nps;
    push("nps_responses", count(nps.map(|s| s.responses)));
    push("nps_promoters", count(nps.map(|s| s.promoters)));
    push("nps_passives", count(nps.map(|s| s.passives)));
    push("nps_detractors", count(nps.map(|s| s.detractors)));
    push("nps_score", number(nps.map(|s| s.score)));
    let (low, high) = ci(nps.map(|s| s.ci));
    push("nps_ci95_low", low);
    push("nps_ci95_high", high);
    for (name, favorable, section) in [
        ("csat", "satisfied", group.surveys.csat),
        ("ces", "easy", group.surveys.ces),
    ] {
        push(
            &format!("{name}_responses"),
            count(section.map(|s| s.responses)),
        );
        push(
            &format!("{name}_{favorable}"),
            count(section.map(|s| s.favorable)),
        );
        push(&format!("{name}_score"), number(section.map(|s| s.score)));
        push(&format!("{name}_mean"), number(section.map(|s| s.mean)));
        let interval = if name == "csat" {
            section.map(|s| s.score_ci)
        } else {
            section.and_then(|s| s.mean_ci)
        };
        let (low, high) = ci(interval);
        push(&format!("{name}_ci95_low"), low);
        push(&format!("{name}_ci95_high"), high);
    }
    let t = group.tickets;
    for (name, value) in [
        ("created", t.map(|t| t.created)),
        ("answered", t.map(|t| t.answered)),
        ("resolved", t.map(|t| t.resolved)),
        ("reopened", t.map(|t| t.reopened)),
        ("one_touch", t.map(|t| t.one_touch)),
        ("handled", t.map(|t| t.handled)),
    ] {
        push(&format!("tickets_{name}"), count(value));
    }
    for (name, value) in [
        ("resolution_rate", t.and_then(|t| t.resolution_rate)),
        ("one_touch_rate", t.and_then(|t| t.one_touch_rate)),
        ("reopen_rate", t.and_then(|t| t.reopen_rate)),
    ] {
        push(&format!("tickets_{name}"), number(value));
    }
    let distributions: [(&str, Option<DistributionSummary>); 5] = [
        ("first_response_s", t.and_then(|t| t.first_response)),
        ("reply_s", t.and_then(|t| t.reply)),
        ("first_resolution_s", t.and_then(|t| t.first_resolution)),
        ("full_resolution_s", t.and_then(|t| t.full_resolution)),
        ("handle_s", t.and_then(|t| t.handle)),
    ];
    for (name, d) in distributions {
        push(&format!("tickets_{name}_mean"), number(d.map(|d| d.mean)));
        push(&format!("tickets_{name}_p50"), number(d.map(|d| d.p50)));
        push(&format!("tickets_{name}_p90"), number(d.map(|d| d.p90)));
    }
    cells
}

/// A group without data, whose cells name the columns.
fn header_group(report: &Report) -> GroupReport {
    GroupReport {
        bucket: None,
        dimensions: report.group_by.iter().map(|d| (*d, None)).collect(),
        surveys: cxmetrics::kpi::SurveySummary {
            nps: None,
            csat: None,
            ces: None,
        },
        tickets: None,
        targets: None,
        active_dates: 0,
        staffing: None,
    }
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
    let empty = header_group(report);
    let extra = Extra::of(report);
    let header: Vec<String> = key(report, &empty)
        .into_iter()
        .chain(cells(&empty))
        .chain(extra.cells(&empty))
        .map(|(name, _)| name)
        .collect();
    writer.write_record(&header)?;
    for group in &report.groups {
        let row: Vec<String> = key(report, group)
            .into_iter()
            .chain(cells(group))
            .chain(extra.cells(group))
            .map(|(_, v)| v)
            .collect();
        writer.write_record(&row)?;
    }
    writer.flush()
}

/// The optional columns a report has: business-time twins (with a
/// calendar), SLA spans (those some group is measured on) and targets.
struct Extra {
    business: bool,
    sla: Vec<&'static str>,
    targets: Vec<String>,
}

impl Extra {
    fn of(report: &Report) -> Extra {
        let tickets = || report.groups.iter().filter_map(|g| g.tickets.as_ref());
        let sla = ["first_response", "reply", "resolution"]
            .into_iter()
            .filter(|key| {
                tickets()
                    .filter_map(|t| t.sla)
                    .any(|s| sla_count(&s, key).is_some())
            })
            .collect();
        let targets = report
            .groups
            .first()
            .and_then(|g| g.targets.as_ref())
            .map(|t| t.iter().map(|t| t.metric.clone()).collect())
            .unwrap_or_default();
        Extra {
            business: tickets().any(|t| t.business.is_some()),
            sla,
            targets,
        }
    }

    fn cells(&self, group: &GroupReport) -> Vec<(String, String)> {
        let mut cells = Vec::new();
        let t = group.tickets.as_ref();
        if self.business {
            let b = t.and_then(|t| t.business);
            let twins: [(&str, Option<DistributionSummary>); 4] = [
                (
                    "first_response_business_s",
                    b.and_then(|b| b.first_response),
                ),
                ("reply_business_s", b.and_then(|b| b.reply)),
                (
                    "first_resolution_business_s",
                    b.and_then(|b| b.first_resolution),
                ),
                (
                    "full_resolution_business_s",
                    b.and_then(|b| b.full_resolution),
                ),
            ];
            for (name, d) in twins {
                cells.push((format!("tickets_{name}_mean"), number(d.map(|d| d.mean))));
                cells.push((format!("tickets_{name}_p50"), number(d.map(|d| d.p50))));
                cells.push((format!("tickets_{name}_p90"), number(d.map(|d| d.p90))));
            }
        }
        for key in &self.sla {
            let c = t.and_then(|t| t.sla).and_then(|s| sla_count(&s, key));
            cells.push((format!("sla_{key}_measured"), count(c.map(|c| c.measured))));
            cells.push((format!("sla_{key}_met"), count(c.map(|c| c.met))));
            cells.push((
                format!("sla_{key}_breached"),
                count(c.map(|c| c.breached())),
            ));
            cells.push((format!("sla_{key}_rate"), number(c.and_then(|c| c.rate()))));
        }
        for metric in &self.targets {
            let result = group.targets.iter().flatten().find(|r| &r.metric == metric);
            cells.push((
                format!("target_{metric}_value"),
                number(result.and_then(|r| r.value)),
            ));
            let met = result
                .and_then(|r| r.met)
                .map(|m| m.to_string())
                .unwrap_or_default();
            cells.push((format!("target_{metric}_met"), met));
        }
        cells
    }
}

fn sla_count(sla: &cxmetrics::sla::SlaCounts, key: &str) -> Option<cxmetrics::sla::SlaCount> {
    match key {
        "first_response" => sla.first_response,
        "reply" => sla.reply,
        _ => sla.resolution,
    }
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
            .map(|(_, v)| if v.is_empty() { "(none)".to_owned() } else { v })
            .collect();
        let s = &group.surveys;
        let t = group.tickets;
        row.push(
            s.nps
                .map_or_else(dash, |n| format!("{:.1} (n={})", n.score, n.responses)),
        );
        row.push(
            s.nps
                .map_or_else(dash, |n| format!("[{:.1}, {:.1}]", n.ci.lower, n.ci.upper)),
        );
        row.push(
            s.csat
                .map_or_else(dash, |c| format!("{:.1} (n={})", c.score, c.responses)),
        );
        row.push(
            s.ces
                .map_or_else(dash, |c| format!("{:.2} (n={})", c.mean, c.responses)),
        );
        row.push(t.map_or_else(dash, |t| t.created.to_string()));
        row.push(
            t.and_then(|t| t.resolution_rate)
                .map_or_else(dash, |r| format!("{r:.1}")),
        );
        row.push(
            t.and_then(|t| t.first_response)
                .map_or_else(dash, |d| duration(d.p50)),
        );
        row.push(
            t.and_then(|t| t.reply)
                .map_or_else(dash, |d| duration(d.p50)),
        );
        row.push(
            t.and_then(|t| t.handle)
                .map_or_else(dash, |d| duration(d.mean)),
        );
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
                .map(|(_, v)| if v.is_empty() { "(none)".to_owned() } else { v })
                .collect();
            let hours: Vec<String> = group
                .staffing
                .iter()
                .flatten()
                .map(|h| format!("{:02}h {}", h.hour, h.agents))
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
            writeln!(out, "  {}:{}: {}", r.file, r.line, r.reason())?;
        }
    }
    Ok(())
}
