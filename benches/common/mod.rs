//! What the benches share: a small deterministic random number generator
//! and a ticket's lifecycle. Each bench uses part of it.
#![allow(dead_code)]

use cxmetrics::ticket::{EventKind, Name, Status};

/// SplitMix64: small, fast and good enough for bench data.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The kinds of a typical ticket's ten events, in order: created, a bot
/// reply, assignment, a handling segment, a reply, the customer's answer,
/// a reply, solved and closed; with `reopen`, reopened before closing.
pub fn lifecycle(agent: &Name, channel: &Name, reopen: bool) -> Vec<EventKind> {
    let mut kinds = vec![
        EventKind::Created {
            channel: Some(channel.clone()),
            team: None,
        },
        EventKind::BotReply,
        EventKind::Assigned {
            agent: agent.clone(),
            team: None,
        },
        EventKind::HandlingStarted {
            agent: agent.clone(),
        },
        EventKind::HandlingEnded {
            agent: agent.clone(),
        },
        EventKind::AgentReply {
            agent: agent.clone(),
        },
        EventKind::CustomerReply,
        EventKind::AgentReply {
            agent: agent.clone(),
        },
        EventKind::Status {
            status: Status::Solved,
        },
    ];
    if reopen {
        kinds.push(EventKind::Status {
            status: Status::Open,
        });
    }
    kinds.push(EventKind::Status {
        status: Status::Closed,
    });
    kinds
}
