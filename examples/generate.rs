//! Generates realistic, deterministic customer-service data.
//!
//! ```sh
//! cargo run --release --example generate -- --tickets 5000 --surveys 2000 --seed 7 --out DIR
//! ```
//!
//! writes `DIR/events.csv` (ticket lifecycles, definitions, "Records") and
//! `DIR/surveys.csv` (survey responses, section 1.1). A dozen agents in
//! three teams answer tickets from email, chat, phone and social during
//! March 2026: bots answer chats first, agents leave internal notes, hand
//! over to another team, log handling segments, solve; customers come back
//! with "thanks!" or reopen. Timestamps are written in several UTC offsets,
//! and each ticket's events are listed in time order except, now and then,
//! a few out of order. Agents differ in skill, which shows in their scores.
//! `--dirty P` makes about P per thousand records bad (and some repeated)
//! in the ways the definitions rejects or counts. The same seed always gives
//! the same files.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset, SecondsFormat};

/// SplitMix64: small, fast and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A duration in seconds, log-uniform between `min` and `max`.
    fn seconds(&mut self, min: f64, max: f64) -> i64 {
        (min * (max / min).powf(self.unit())) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const TEAMS: [&str; 3] = ["billing", "shipping", "tech"];
const CHANNELS: [&str; 4] = ["email", "chat", "phone", "social"];
const TOPICS: [&str; 5] = ["refund", "delivery", "login", "invoice", "bug"];
/// UTC offsets in minutes: UTC, Central Europe, Brazil, India.
const OFFSETS: [i32; 4] = [0, 60, -180, 330];
/// 2026-03-01T00:00:00Z.
const START: i64 = 1_772_323_200;

struct Agent {
    name: String,
    team: &'static str,
    /// 0..1: satisfaction their customers report, and their speed.
    skill: f64,
}

/// `START + seconds`, written with a UTC offset of `offset_minutes`.
fn timestamp(seconds: i64, offset_minutes: i32) -> String {
    let offset = FixedOffset::east_opt(offset_minutes * 60).expect("offset within a day");
    DateTime::from_timestamp(START + seconds, 0)
        .expect("in range")
        .with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A score on `min..=max` around a satisfaction level `quality` in 0..1.
fn rating(rng: &mut Rng, min: u64, max: u64, quality: f64) -> u64 {
    let span = (max - min) as f64;
    let noise = (rng.unit() + rng.unit() + rng.unit()) / 3.0 - 0.5;
    min + ((quality + noise * 0.9).clamp(0.0, 1.0) * span).round() as u64
}

/// One event row: seconds since START, kind, agent, status, channel, team, topic.
struct Event {
    at: i64,
    kind: &'static str,
    agent: String,
    status: &'static str,
    channel: &'static str,
    team: &'static str,
    topic: &'static str,
}

impl Event {
    fn new(at: i64, kind: &'static str) -> Self {
        Event {
            at,
            kind,
            agent: String::new(),
            status: "",
            channel: "",
            team: "",
            topic: "",
        }
    }

    fn by(mut self, agent: &Agent) -> Self {
        self.agent = agent.name.clone();
        self
    }

    fn status(at: i64, status: &'static str) -> Self {
        Event {
            status,
            ..Event::new(at, "status")
        }
    }
}

/// The events of one ticket, in time order.
fn lifecycle(rng: &mut Rng, agents: &[Agent], created: i64) -> (Vec<Event>, usize) {
    let channel = *rng.pick(&CHANNELS);
    let mut first = rng.below(agents.len() as u64) as usize;
    let agent = &agents[first];
    let speed = 1.5 - agent.skill;
    let mut t = created;
    let mut events = vec![Event {
        channel,
        team: agent.team,
        topic: if rng.chance(0.6) {
            TOPICS[rng.below(TOPICS.len() as u64) as usize]
        } else {
            ""
        },
        ..Event::new(t, "created")
    }];
    if channel == "chat" {
        events.push(Event::new(t + 2 + rng.below(5) as i64, "bot_reply"));
    }
    t += rng.seconds(10.0, 1800.0 * speed);
    events.push(Event::new(t, "assigned").by(agent));
    if rng.chance(0.3) {
        t += rng.seconds(30.0, 900.0);
        events.push(Event::new(t, "internal_note").by(agent));
    }
    // Reassignment to an agent of another team.
    if rng.chance(0.1) {
        t += rng.seconds(60.0, 3600.0);
        first = rng.below(agents.len() as u64) as usize;
        let other = &agents[first];
        events.push(Event {
            team: other.team,
            ..Event::new(t, "assigned").by(other)
        });
    }
    let agent = &agents[first];
    let replies = 1 + rng.below(3);
    for round in 0..replies {
        if round > 0 {
            t += rng.seconds(300.0, 86_400.0);
            events.push(Event::new(t, "customer_reply"));
        }
        t += rng.seconds(30.0, 3600.0 * speed);
        events.push(Event::new(t, "handling_started").by(agent));
        if rng.chance(0.05) {
            events.push(Event::new(t + 5, "handling_started").by(agent));
        }
        t += rng.seconds(60.0, 1800.0);
        events.push(Event::new(t, "handling_ended").by(agent));
        t += rng.seconds(1.0, 120.0);
        events.push(Event::new(t, "agent_reply").by(agent));
    }
    if rng.chance(0.85) {
        t += rng.seconds(60.0, 86_400.0);
        events.push(Event::status(t, "solved"));
        if rng.chance(0.2) {
            // "Thanks!": a customer message that needs no reply.
            t += rng.seconds(60.0, 7200.0);
            events.push(Event::new(t, "customer_reply"));
        }
        if rng.chance(0.1) {
            // Reopened, answered and solved again.
            t += rng.seconds(3600.0, 172_800.0);
            events.push(Event::new(t, "customer_reply"));
            events.push(Event::status(t + 1, "open"));
            t += rng.seconds(300.0, 14_400.0);
            events.push(Event::new(t, "agent_reply").by(agent));
            t += rng.seconds(60.0, 3600.0);
            events.push(Event::status(t, "solved"));
        }
        if rng.chance(0.5) {
            events.push(Event::status(t + 4 * 86_400, "closed"));
        }
    } else if rng.chance(0.5) {
        t += rng.seconds(60.0, 3600.0);
        events.push(Event::status(t, "pending"));
    }
    (events, first)
}

struct Options {
    tickets: u64,
    surveys: u64,
    seed: u64,
    dirty: u64,
    out: PathBuf,
}

fn write_events(
    options: &Options,
    agents: &[Agent],
    rng: &mut Rng,
) -> io::Result<Vec<(String, usize, i64)>> {
    let mut out = BufWriter::new(File::create(options.out.join("events.csv"))?);
    writeln!(out, "id,ticket,at,kind,agent,status,channel,team,topic")?;
    let month = 31 * 86_400;
    let mut solved = Vec::new();
    let mut n = 0u64;
    for ticket in 0..options.tickets {
        let created =
            (ticket * month as u64 / options.tickets.max(1)) as i64 + rng.below(600) as i64;
        let (mut events, agent) = lifecycle(rng, agents, created);
        if events.iter().any(|e| e.status == "solved") {
            let last = events.iter().map(|e| e.at).max().unwrap_or(created);
            solved.push((format!("T{ticket}"), agent, last));
        }
        if rng.chance(0.05) && events.len() > 3 {
            events.swap(1, 3);
        }
        let offset = *rng.pick(&OFFSETS);
        for e in &events {
            let mut id = format!("e{n}");
            let mut at = timestamp(e.at, offset);
            let mut kind = e.kind;
            let mut agent = e.agent.as_str();
            if rng.below(1000) < options.dirty {
                match rng.below(5) {
                    0 => at = at.replace('T', " "),
                    1 => kind = "reply",
                    2 if kind == "agent_reply" => agent = "",
                    3 => id = format!("e{}", n.saturating_sub(1)),
                    _ => at.truncate(10),
                }
            }
            writeln!(
                out,
                "{id},T{ticket},{at},{kind},{agent},{},{},{},{}",
                e.status, e.channel, e.team, e.topic
            )?;
            n += 1;
        }
    }
    out.flush()?;
    Ok(solved)
}

fn write_surveys(
    options: &Options,
    agents: &[Agent],
    solved: &[(String, usize, i64)],
    rng: &mut Rng,
) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(options.out.join("surveys.csv"))?);
    writeln!(out, "id,metric,score,at,agent,channel,team,topic,ticket")?;
    for n in 0..options.surveys {
        // Most responses follow a solved ticket; the rest are relationship surveys.
        let (ticket, agent, after) =
            match solved.get(rng.below(solved.len() as u64 * 4 / 3 + 1) as usize) {
                Some((ticket, agent, at)) => (ticket.as_str(), &agents[*agent], *at),
                None => ("", rng.pick(agents), rng.below(31 * 86_400) as i64),
            };
        let channel = *rng.pick(&CHANNELS);
        let quality = agent.skill + if channel == "chat" { 0.05 } else { 0.0 };
        let (metric, score) = match rng.below(10) {
            0..=3 => ("nps", rating(rng, 0, 10, quality)),
            4..=7 => ("csat", rating(rng, 1, 5, quality)),
            _ => ("ces", rating(rng, 1, 7, quality)),
        };
        let at = timestamp(after + rng.seconds(60.0, 86_400.0), *rng.pick(&OFFSETS));
        let name = if rng.below(50) == 0 {
            ""
        } else {
            agent.name.as_str()
        };
        let mut id = format!("s{n}");
        let mut score = score.to_string();
        if rng.below(1000) < options.dirty {
            match rng.below(3) {
                0 => score = "11".to_owned(),
                1 => score = format!("{score}.0"),
                _ => id = format!("s{}", n.saturating_sub(1)),
            }
        }
        let topic = rng.pick(&TOPICS);
        writeln!(
            out,
            "{id},{metric},{score},{at},{name},{channel},{},{topic},{ticket}",
            agent.team
        )?;
    }
    out.flush()
}

fn parse() -> Option<Options> {
    let mut options = Options {
        tickets: 1000,
        surveys: 1000,
        seed: 1,
        dirty: 0,
        out: PathBuf::from("."),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next()?;
        match arg.as_str() {
            "--tickets" => options.tickets = value.parse().ok()?,
            "--surveys" => options.surveys = value.parse().ok()?,
            "--seed" => options.seed = value.parse().ok()?,
            "--dirty" => options.dirty = value.parse().ok()?,
            "--out" => options.out = PathBuf::from(value),
            _ => return None,
        }
    }
    Some(options)
}

fn main() -> ExitCode {
    let Some(options) = parse() else {
        eprintln!("usage: generate [--tickets N] [--surveys N] [--seed S] [--dirty PER_MILLE] [--out DIR]");
        return ExitCode::from(2);
    };
    let mut rng = Rng(options.seed);
    let agents: Vec<Agent> = (1..=12)
        .map(|i| Agent {
            name: format!("agent-{i:02}"),
            team: TEAMS[(i - 1) % 3],
            skill: 0.55 + rng.unit() * 0.4,
        })
        .collect();
    let result = std::fs::create_dir_all(&options.out)
        .and_then(|()| write_events(&options, &agents, &mut rng))
        .and_then(|solved| write_surveys(&options, &agents, &solved, &mut rng));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("generate: {}: {error}", options.out.display());
            ExitCode::FAILURE
        }
    }
}
