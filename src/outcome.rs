//! Outcomes: what a customer did after (or without) support — cancelled,
//! asked for a refund, bought, upgraded, renewed, referred someone —
//! attributed to the ticket that preceded it where there is one
//! (definitions, "Outcomes").
//!
//! ```
//! use cxmetrics::outcome::{Amount, Outcome, OutcomeId, OutcomeKind};
//! use cxmetrics::{ticket::TicketId, time::parse_timestamp};
//! let sale = Outcome::new(
//!     OutcomeId::new("o1")?,
//!     parse_timestamp("2026-03-02T10:00:00Z")?,
//!     "sale".parse()?,
//! )
//! .with_ticket(TicketId::new("T-1")?)
//! .with_value("12.50".parse()?);
//! assert_eq!(sale.kind(), OutcomeKind::Sale);
//! assert!(sale.kind().is_sale() && !sale.kind().is_churn());
//! assert_eq!(sale.value(), Some(Amount::from_micros(12_500_000)));
//! assert_eq!(sale.value().unwrap().to_string(), "12.5");
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
pub use crate::id::{Name, OutcomeId, TicketId};

/// The kinds of outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The customer cancelled: churn.
    Cancellation,
    /// The customer was refunded: churn.
    Refund,
    /// A sale: revenue through support.
    Sale,
    /// An upgrade or add-on: revenue through support.
    Upsell,
    /// A renewal.
    Renewal,
    /// A referral of another customer.
    Referral,
}

impl OutcomeKind {
    /// Every kind, in the order the report lists them.
    pub const ALL: [OutcomeKind; 6] = [
        OutcomeKind::Cancellation,
        OutcomeKind::Refund,
        OutcomeKind::Sale,
        OutcomeKind::Upsell,
        OutcomeKind::Renewal,
        OutcomeKind::Referral,
    ];

    /// The documented name: `cancellation`, `refund`, `sale`, `upsell`,
    /// `renewal` or `referral`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Cancellation => "cancellation",
            OutcomeKind::Refund => "refund",
            OutcomeKind::Sale => "sale",
            OutcomeKind::Upsell => "upsell",
            OutcomeKind::Renewal => "renewal",
            OutcomeKind::Referral => "referral",
        }
    }

    /// Whether the kind counts as churn (`cancellation`, `refund`).
    pub fn is_churn(self) -> bool {
        matches!(self, OutcomeKind::Cancellation | OutcomeKind::Refund)
    }

    /// Whether the kind counts as sales (`sale`, `upsell`).
    pub fn is_sale(self) -> bool {
        matches!(self, OutcomeKind::Sale | OutcomeKind::Upsell)
    }
}

impl FromStr for OutcomeKind {
    type Err = Error;

    /// A documented name, exactly.
    fn from_str(text: &str) -> Result<Self, Error> {
        OutcomeKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| ErrorKind::UnknownOutcomeKind(text.to_owned()).into())
    }
}

impl fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount ≥ 0 with up to six decimal places, held exactly as a count
/// of millionths, so that sums are exact whatever their order.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Amount(u64);

/// Millionths in one unit.
const MICROS: u64 = 1_000_000;

impl Amount {
    /// The amount of `micros` millionths.
    pub fn from_micros(micros: u64) -> Amount {
        Amount(micros)
    }

    /// The amount in millionths.
    pub fn micros(self) -> u64 {
        self.0
    }

    /// The sum, or `None` past `u64::MAX` millionths (about 1.8·10¹³).
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// The nearest double, for a JSON number.
    pub fn to_f64(self) -> f64 {
        // Whole units and millionths apart: each part converts exactly
        // below 2^53, and the sum rounds once.
        (self.0 / MICROS) as f64 + (self.0 % MICROS) as f64 / MICROS as f64
    }
}

impl FromStr for Amount {
    type Err = Error;

    /// ASCII digits, optionally `.` and 1 to 6 digits (`12`, `12.50`);
    /// no sign, exponent or spaces.
    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = || Error::from(ErrorKind::InvalidAmount(text.to_owned()));
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || fraction.is_some_and(|f| !digits(f) || f.len() > 6) {
            return Err(invalid());
        }
        let units: u64 = whole.parse().map_err(|_| invalid())?;
        let millionths = match fraction {
            None => 0,
            Some(f) => {
                let value: u64 = f.parse().map_err(|_| invalid())?;
                value * 10u64.pow(6 - f.len() as u32)
            }
        };
        units
            .checked_mul(MICROS)
            .and_then(|m| m.checked_add(millionths))
            .map(Amount)
            .ok_or_else(invalid)
    }
}

impl fmt::Display for Amount {
    /// The shortest exact decimal: `12.5`, `3`, `0.000001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (units, millionths) = (self.0 / MICROS, self.0 % MICROS);
        if millionths == 0 {
            return write!(f, "{units}");
        }
        let fraction = format!("{millionths:06}");
        write!(f, "{units}.{}", fraction.trim_end_matches('0'))
    }
}

/// One outcome record (definitions, "Outcomes").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    id: OutcomeId,
    at: DateTime<FixedOffset>,
    kind: OutcomeKind,
    ticket: Option<TicketId>,
    value: Option<Amount>,
    agent: Option<Name>,
    channel: Option<Name>,
    team: Option<Name>,
    topic: Option<Name>,
}

impl Outcome {
    /// An outcome of `kind` at `at`, attributed to no ticket.
    pub fn new(id: OutcomeId, at: DateTime<FixedOffset>, kind: OutcomeKind) -> Self {
        Outcome {
            id,
            at,
            kind,
            ticket: None,
            value: None,
            agent: None,
            channel: None,
            team: None,
            topic: None,
        }
    }

    /// Attributed to `ticket` (when it names a valid ticket).
    pub fn with_ticket(mut self, ticket: TicketId) -> Self {
        self.ticket = Some(ticket);
        self
    }

    /// With an amount.
    pub fn with_value(mut self, value: Amount) -> Self {
        self.value = Some(value);
        self
    }

    /// Its own agent (used when it is not attributed).
    pub fn with_agent(mut self, agent: Name) -> Self {
        self.agent = Some(agent);
        self
    }

    /// Its own channel (used when it is not attributed).
    pub fn with_channel(mut self, channel: Name) -> Self {
        self.channel = Some(channel);
        self
    }

    /// Its own team (used when it is not attributed).
    pub fn with_team(mut self, team: Name) -> Self {
        self.team = Some(team);
        self
    }

    /// Its own topic (used when it is not attributed).
    pub fn with_topic(mut self, topic: Name) -> Self {
        self.topic = Some(topic);
        self
    }

    /// The outcome's id.
    pub fn id(&self) -> &OutcomeId {
        &self.id
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<FixedOffset> {
        self.at
    }

    /// Its kind.
    pub fn kind(&self) -> OutcomeKind {
        self.kind
    }

    /// The ticket it names, if any.
    pub fn ticket(&self) -> Option<&TicketId> {
        self.ticket.as_ref()
    }

    /// Its amount, if any.
    pub fn value(&self) -> Option<Amount> {
        self.value
    }

    /// Its own agent.
    pub fn agent(&self) -> Option<&Name> {
        self.agent.as_ref()
    }

    /// Its own channel.
    pub fn channel(&self) -> Option<&Name> {
        self.channel.as_ref()
    }

    /// Its own team.
    pub fn team(&self) -> Option<&Name> {
        self.team.as_ref()
    }

    /// Its own topic.
    pub fn topic(&self) -> Option<&Name> {
        self.topic.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly_or_refused() {
        for (text, micros) in [
            ("0", 0),
            ("12", 12_000_000),
            ("12.50", 12_500_000),
            ("0.000001", 1),
            ("007.5", 7_500_000),
            ("18446744073709.551615", u64::MAX),
        ] {
            assert_eq!(text.parse::<Amount>().unwrap().micros(), micros, "{text}");
        }
        for text in [
            "",
            ".5",
            "5.",
            "-1",
            "+1",
            "1e3",
            "1.0000001",
            " 1",
            "1,5",
            "١",
            "18446744073709.551616",
        ] {
            let error = text.parse::<Amount>().unwrap_err();
            assert!(
                matches!(error.kind(), ErrorKind::InvalidAmount(t) if t == text),
                "{text}"
            );
        }
    }

    #[test]
    fn amounts_print_their_shortest_exact_decimal() {
        for (micros, text) in [
            (0, "0"),
            (3_000_000, "3"),
            (12_500_000, "12.5"),
            (1, "0.000001"),
            (u64::MAX, "18446744073709.551615"),
        ] {
            let amount = Amount::from_micros(micros);
            assert_eq!(amount.to_string(), text);
            assert_eq!(text.parse::<Amount>(), Ok(amount));
        }
        assert_eq!(Amount::from_micros(412_500_000).to_f64(), 412.5);
        assert_eq!(
            Amount::from_micros(u64::MAX).checked_add(Amount::from_micros(1)),
            None
        );
    }

    #[test]
    fn kinds_by_name() {
        for kind in OutcomeKind::ALL {
            assert_eq!(kind.as_str().parse::<OutcomeKind>(), Ok(kind));
        }
        assert_eq!(OutcomeKind::ALL.iter().filter(|k| k.is_churn()).count(), 2);
        assert_eq!(OutcomeKind::ALL.iter().filter(|k| k.is_sale()).count(), 2);
        let error = "Sale".parse::<OutcomeKind>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown outcome kind \"Sale\": expected cancellation, refund, sale, upsell, renewal or referral"
        );
    }
}
