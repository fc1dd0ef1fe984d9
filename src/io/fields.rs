//! A record's fields, whatever the format, and their validation into the
//! library's types.

use chrono::{DateTime, FixedOffset};

use crate::dimensions::Dimension;
use crate::error::{Error, ErrorKind};
use crate::id::{EventId, Name, OutcomeId, ResponseId, TicketId};
use crate::outcome::{Amount, Outcome, OutcomeKind};
use crate::survey::{Scales, SurveyMetric, SurveyResponse, SurveyScore};
use crate::ticket::{EventFields, EventKind, TicketEvent};
use crate::time::parse_timestamp;

/// One field of a record as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field<'a> {
    /// Missing, empty, or JSON `null`.
    Absent,
    /// Text.
    Text(&'a str),
    /// A JSON integer, as its decimal text.
    Integer(&'a str),
    /// Another JSON number, as written.
    Number(&'a str),
    /// An instant of a typed column (a Parquet timestamp), within years 1
    /// to 9999.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Instant(DateTime<FixedOffset>),
    /// Another JSON type, named.
    Other(&'static str),
}

/// The fields a record may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Id,
    Ticket,
    Metric,
    Score,
    At,
    Kind,
    Agent,
    Status,
    Channel,
    Team,
    Topic,
    Value,
}

impl Key {
    pub(crate) const ALL: [Key; 12] = [
        Key::Id,
        Key::Ticket,
        Key::Metric,
        Key::Score,
        Key::At,
        Key::Kind,
        Key::Agent,
        Key::Status,
        Key::Channel,
        Key::Team,
        Key::Topic,
        Key::Value,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Key::Id => "id",
            Key::Ticket => "ticket",
            Key::Metric => "metric",
            Key::Score => "score",
            Key::At => "at",
            Key::Kind => "kind",
            Key::Agent => "agent",
            Key::Status => "status",
            Key::Channel => "channel",
            Key::Team => "team",
            Key::Topic => "topic",
            Key::Value => "value",
        }
    }
}

/// Access to a record's fields.
pub(crate) trait Fields {
    fn field(&self, key: Key) -> Field<'_>;
}

#[inline]
fn required(fields: &impl Fields, key: Key, integers: bool) -> Result<&str, Error> {
    optional(fields, key, integers)?
        .ok_or_else(|| ErrorKind::MissingValue(key.name().to_owned()).into())
}

#[inline]
fn optional(fields: &impl Fields, key: Key, integers: bool) -> Result<Option<&str>, Error> {
    let wrong = |found: &str| {
        ErrorKind::WrongType {
            field: key.name().to_owned(),
            found: found.to_owned(),
        }
        .err()
    };
    match fields.field(key) {
        Field::Absent => Ok(None),
        Field::Text(text) => Ok(Some(text)),
        // Ids and tickets: integers of 64 bits, signed or not.
        Field::Integer(text)
            if matches!(key, Key::Id | Key::Ticket)
                && text.parse::<i64>().is_err()
                && text.parse::<u64>().is_err() =>
        {
            wrong("an integer outside -2^63..=2^64-1")
        }
        Field::Integer(text) if integers => Ok(Some(text)),
        Field::Integer(_) => wrong("a number"),
        Field::Number(_) => wrong("a fraction"),
        Field::Instant(_) => wrong("a timestamp"),
        Field::Other(kind) => wrong(kind),
    }
}

/// A required instant: a typed one as it is, text by the records' form.
#[inline]
fn instant(fields: &impl Fields, key: Key) -> Result<DateTime<FixedOffset>, Error> {
    match fields.field(key) {
        Field::Instant(at) => Ok(at),
        _ => parse_timestamp(required(fields, key, false)?),
    }
}

/// Validates a survey response (definitions, "Records"). Every field is
/// checked; with `keep`, only those dimensions are kept (and no ticket
/// link), sparing their allocations.
pub(crate) fn survey(
    fields: &impl Fields,
    scales: Scales,
    keep: Option<&[Dimension]>,
) -> Result<SurveyResponse, Error> {
    let id = ResponseId::new(required(fields, Key::Id, true)?)?;
    let metric: SurveyMetric = required(fields, Key::Metric, false)?.parse()?;
    let score = SurveyScore::parse(metric, required(fields, Key::Score, true)?, scales)?;
    let at = instant(fields, Key::At)?;
    let mut response = SurveyResponse::new(id, score, at);
    let kept = |d: Dimension| keep.is_none_or(|k| k.contains(&d));
    if let Some(agent) = optional(fields, Key::Agent, false)?.filter(|_| kept(Dimension::Agent)) {
        response = response.with_agent(agent);
    }
    if let Some(channel) =
        optional(fields, Key::Channel, false)?.filter(|_| kept(Dimension::Channel))
    {
        response = response.with_channel(channel);
    }
    if let Some(team) = optional(fields, Key::Team, false)?.filter(|_| kept(Dimension::Team)) {
        response = response.with_team(team);
    }
    if let Some(topic) = optional(fields, Key::Topic, false)?.filter(|_| kept(Dimension::Topic)) {
        response = response.with_topic(topic);
    }
    if let Some(ticket) = optional(fields, Key::Ticket, true)?.filter(|_| keep.is_none()) {
        response = response.with_ticket(TicketId::new(ticket)?);
    }
    Ok(response)
}

/// Validates a ticket event (definitions, "Records"): only the fields its
/// kind uses are looked at.
pub(crate) fn event(fields: &impl Fields) -> Result<TicketEvent, Error> {
    let id = EventId::new(required(fields, Key::Id, true)?)?;
    let ticket = TicketId::new(required(fields, Key::Ticket, true)?)?;
    let at = instant(fields, Key::At)?;
    let kind = required(fields, Key::Kind, false)?;
    let uses = |key: Key| {
        matches!(
            (kind, key),
            ("created", Key::Channel | Key::Team)
                | ("assigned", Key::Agent | Key::Team)
                | (
                    "agent_reply" | "handling_started" | "handling_ended",
                    Key::Agent
                )
                | ("status", Key::Status)
        )
    };
    let used = |key: Key| {
        if uses(key) {
            optional(fields, key, false)
        } else {
            Ok(None)
        }
    };
    let agent = used(Key::Agent)?;
    let status = used(Key::Status)?;
    let channel = used(Key::Channel)?;
    let team = used(Key::Team)?;
    let named = EventFields {
        agent,
        status,
        channel,
        team,
    };
    let kind = EventKind::from_fields(kind, named)?;
    let event = TicketEvent::new(id, ticket, at, kind);
    Ok(match optional(fields, Key::Topic, false)? {
        Some(topic) => event.with_topic(topic),
        None => event,
    })
}

/// Validates an outcome (definitions, "Outcomes"): `value` as text, or a
/// JSON number, of the amount's form.
pub(crate) fn outcome(fields: &impl Fields) -> Result<Outcome, Error> {
    let id = OutcomeId::new(required(fields, Key::Id, true)?)?;
    let at = instant(fields, Key::At)?;
    let kind: OutcomeKind = required(fields, Key::Kind, false)?.parse()?;
    let mut outcome = Outcome::new(id, at, kind);
    if let Some(ticket) = optional(fields, Key::Ticket, true)? {
        outcome = outcome.with_ticket(TicketId::new(ticket)?);
    }
    let value = match fields.field(Key::Value) {
        Field::Number(text) => Some(text),
        _ => optional(fields, Key::Value, true)?,
    };
    if let Some(value) = value {
        outcome = outcome.with_value(value.parse::<Amount>()?);
    }
    if let Some(agent) = optional(fields, Key::Agent, false)? {
        outcome = outcome.with_agent(Name::new(agent)?);
    }
    if let Some(channel) = optional(fields, Key::Channel, false)? {
        outcome = outcome.with_channel(Name::new(channel)?);
    }
    if let Some(team) = optional(fields, Key::Team, false)? {
        outcome = outcome.with_team(Name::new(team)?);
    }
    if let Some(topic) = optional(fields, Key::Topic, false)? {
        outcome = outcome.with_topic(Name::new(topic)?);
    }
    Ok(outcome)
}
