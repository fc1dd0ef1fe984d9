//! A record's fields, whatever the format, and their validation into the
//! library's types.

use crate::id::{EventId, Name, ResponseId, TicketId};
use crate::survey::{Scales, SurveyMetric, SurveyResponse, SurveyScore};
use crate::ticket::{EventKind, TicketEvent};
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
    /// Another JSON type, named.
    Other(&'static str),
}

/// Access to a record's fields by name.
pub(crate) trait Fields {
    fn field(&self, name: &str) -> Field<'_>;
}

fn required<'a>(fields: &'a impl Fields, name: &str, integers: bool) -> Result<&'a str, String> {
    optional(fields, name, integers)?.ok_or_else(|| format!("missing {name}"))
}

fn optional<'a>(
    fields: &'a impl Fields,
    name: &str,
    integers: bool,
) -> Result<Option<&'a str>, String> {
    match fields.field(name) {
        Field::Absent => Ok(None),
        Field::Text(text) => Ok(Some(text)),
        Field::Integer(text) if integers => Ok(Some(text)),
        Field::Integer(_) => Err(format!("{name} must be a string, not a number")),
        Field::Other(kind) => Err(format!("{name} must be a string, not {kind}")),
    }
}

fn text_error(error: crate::Error) -> String {
    error.to_string()
}

/// Validates a survey response (CONTRACT section 1.1).
pub(crate) fn survey(fields: &impl Fields, scales: Scales) -> Result<SurveyResponse, String> {
    let id = ResponseId::new(required(fields, "id", true)?).map_err(text_error)?;
    let metric: SurveyMetric = required(fields, "metric", false)?
        .parse()
        .map_err(text_error)?;
    let score =
        SurveyScore::parse(metric, required(fields, "score", true)?, scales).map_err(text_error)?;
    let at = parse_timestamp(required(fields, "at", false)?).map_err(text_error)?;
    let mut response = SurveyResponse::new(id, score, at);
    if let Some(agent) = optional(fields, "agent", false)? {
        response = response.with_agent(agent);
    }
    if let Some(channel) = optional(fields, "channel", false)? {
        response = response.with_channel(channel);
    }
    if let Some(team) = optional(fields, "team", false)? {
        response = response.with_team(team);
    }
    if let Some(topic) = optional(fields, "topic", false)? {
        response = response.with_topic(topic);
    }
    if let Some(ticket) = optional(fields, "ticket", true)? {
        response = response.with_ticket(TicketId::new(ticket).map_err(text_error)?);
    }
    Ok(response)
}

/// Validates a ticket event (CONTRACT section 1.2): only the fields its
/// kind uses are looked at.
pub(crate) fn event(fields: &impl Fields) -> Result<TicketEvent, String> {
    let id = EventId::new(required(fields, "id", true)?).map_err(text_error)?;
    let ticket = TicketId::new(required(fields, "ticket", true)?).map_err(text_error)?;
    let at = parse_timestamp(required(fields, "at", false)?).map_err(text_error)?;
    let kind = required(fields, "kind", false)?;
    let uses = |field: &str| {
        matches!(
            (kind, field),
            ("created", "channel" | "team")
                | ("assigned", "agent" | "team")
                | (
                    "agent_reply" | "handling_started" | "handling_ended",
                    "agent"
                )
                | ("status", "status")
        )
    };
    let used = |field: &str| {
        if uses(field) {
            optional(fields, field, false)
        } else {
            Ok(None)
        }
    };
    let (agent, status, channel, team) = (
        used("agent")?,
        used("status")?,
        used("channel")?,
        used("team")?,
    );
    let kind = EventKind::from_fields(kind, agent, status, channel, team).map_err(text_error)?;
    let event = TicketEvent::new(id, ticket, at, kind);
    Ok(match optional(fields, "topic", false)? {
        Some(topic) => event.with_topic(Name::new(topic).map_err(text_error)?),
        None => event,
    })
}
