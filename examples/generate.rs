//! Generates realistic, deterministic customer-service data as CSV.
//!
//! ```sh
//! cargo run --release --example generate -- --surveys 2000 --seed 7 > surveys.csv
//! ```
//!
//! Survey responses (CONTRACT section 1.1) of NPS, CSAT and CES from a
//! dozen agents in three teams over the channels email, chat and phone,
//! during March 2026, with timestamps in several UTC offsets. Each agent has
//! a skill that shifts their scores, chat scores a little higher than email,
//! and a few responses carry no agent, as real exports do. The same seed
//! always gives the same file.

use std::io::{self, BufWriter, Write};
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
        self.next() % n
    }

    /// Uniform in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const TEAMS: [&str; 3] = ["billing", "shipping", "tech"];
const CHANNELS: [&str; 3] = ["email", "chat", "phone"];
const TOPICS: [&str; 5] = ["refund", "delivery", "login", "invoice", "bug"];
/// UTC offsets in minutes: UTC, Central Europe, Brazil, India.
const OFFSETS: [i32; 4] = [0, 60, -180, 330];

/// A score on `min..=max` around a satisfaction level `quality` in 0..1.
fn rating(rng: &mut Rng, min: u64, max: u64, quality: f64) -> u64 {
    let span = (max - min) as f64;
    let noise = (rng.unit() + rng.unit() + rng.unit()) / 3.0 - 0.5;
    let value = (quality + noise * 0.9).clamp(0.0, 1.0) * span;
    min + value.round() as u64
}

/// `2026-03-01T00:00:00Z` plus `seconds`, written with a UTC offset of
/// `offset_minutes`.
fn timestamp(seconds: i64, offset_minutes: i32) -> String {
    let offset = FixedOffset::east_opt(offset_minutes * 60).expect("offset within a day");
    DateTime::from_timestamp(1_772_323_200 + seconds, 0)
        .expect("in range")
        .with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn write_surveys(out: &mut impl Write, count: u64, seed: u64) -> io::Result<()> {
    let mut rng = Rng(seed);
    let agents: Vec<(String, &str, f64)> = (1..=12)
        .map(|i| {
            let quality = 0.55 + rng.unit() * 0.4;
            (format!("agent-{i:02}"), TEAMS[(i - 1) % 3], quality)
        })
        .collect();
    writeln!(out, "id,metric,score,at,agent,channel,team,topic,ticket")?;
    let month = 31 * 86_400;
    for n in 0..count {
        let (agent, team, quality) = rng.pick(&agents);
        let channel = *rng.pick(&CHANNELS);
        let quality = quality + if channel == "chat" { 0.05 } else { 0.0 };
        let (metric, score) = match rng.below(10) {
            0..=3 => ("nps", rating(&mut rng, 0, 10, quality)),
            4..=7 => ("csat", rating(&mut rng, 1, 5, quality)),
            _ => ("ces", rating(&mut rng, 1, 7, quality)),
        };
        let at = timestamp(rng.below(month) as i64, *rng.pick(&OFFSETS));
        let agent = if rng.below(50) == 0 {
            ""
        } else {
            agent.as_str()
        };
        let topic = rng.pick(&TOPICS);
        let ticket = 10_000 + rng.below(count.max(1) * 2);
        writeln!(
            out,
            "s{n},{metric},{score},{at},{agent},{channel},{team},{topic},t{ticket}"
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut surveys = 1000;
    let mut seed = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (arg.as_str(), value) {
            ("--surveys", Some(v)) => surveys = v,
            ("--seed", Some(v)) => seed = v,
            _ => {
                eprintln!("usage: generate [--surveys N] [--seed S] > surveys.csv");
                return ExitCode::from(2);
            }
        }
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write_surveys(&mut out, surveys, seed).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("generate: {error}");
            ExitCode::FAILURE
        }
    }
}
