//! Ticket events: what happened to a ticket, when, and by whom.
//!
//! ```
//! use cxmetrics::ticket::{EventId, EventKind, Status, TicketId};
//! use cxmetrics::{time::parse_timestamp, TicketEvent};
//! let solved = TicketEvent::new(
//!     EventId::new("e9")?,
//!     TicketId::new("T-1")?,
//!     parse_timestamp("2026-03-02T10:00:00Z")?,
//!     EventKind::Status { status: Status::Solved },
//! );
//! assert_eq!(solved.kind().name(), "status");
//! assert!(Status::Closed.is_solved());
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

pub use crate::id::{EventId, Name, TicketId};

/// A ticket's status, as the helpdesks name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not yet looked at.
    New,
    /// Being worked on.
    Open,
    /// Waiting for the customer.
    Pending,
    /// Waiting for a third party.
    OnHold,
    /// Solved; the customer may still reply.
    Solved,
    /// Closed for good.
    Closed,
}

impl Status {
    /// The documented name: `new`, `open`, `pending`, `on_hold`, `solved`, `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::OnHold => "on_hold",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }

    /// Whether the status puts the ticket in the solved state (`solved`
    /// or `closed`).
    pub fn is_solved(self) -> bool {
        matches!(self, Status::Solved | Status::Closed)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = Error;

    /// Parses the documented names (lower case, exact).
    fn from_str(text: &str) -> Result<Self, Error> {
        Ok(match text {
            "new" => Status::New,
            "open" => Status::Open,
            "pending" => Status::Pending,
            "on_hold" => Status::OnHold,
            "solved" => Status::Solved,
            "closed" => Status::Closed,
            _ => return ErrorKind::UnknownStatus(text.to_owned()).err(),
        })
    }
}

/// What happened, with the fields that kind of event needs (definitions,
/// "Records").
///
/// The variants are declared in the documented order for events at the
/// same instant: `created` first, `status` last.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The customer's request arrives: the ticket's start.
    Created {
        /// The channel it came through.
        channel: Option<Name>,
        /// The team it was routed to.
        team: Option<Name>,
    },
    /// A public message from the customer.
    CustomerReply,
    /// An automated public reply: never a response.
    BotReply,
    /// A private note: never a response.
    InternalNote,
    /// The ticket is assigned to an agent (and possibly a team).
    Assigned {
        /// The agent.
        agent: Name,
        /// The team, if the assignment names one.
        team: Option<Name>,
    },
    /// An agent starts working on the ticket (talk, hold or wrap-up).
    HandlingStarted {
        /// The agent.
        agent: Name,
    },
    /// An agent stops working on the ticket.
    HandlingEnded {
        /// The agent.
        agent: Name,
    },
    /// A public reply by a human agent.
    AgentReply {
        /// The agent.
        agent: Name,
    },
    /// The ticket's status changes.
    Status {
        /// The new status.
        status: Status,
    },
}

impl EventKind {
    /// The kind's name as the definitions spell it.
    pub fn name(&self) -> &'static str {
        EventTag::of(self).name()
    }

    /// A `created` event: the ticket's start, with its channel and team
    /// (an empty text is absent).
    ///
    /// # Errors
    ///
    /// None today; a `Result` like the other constructors'.
    pub fn created(channel: Option<&str>, team: Option<&str>) -> Result<EventKind, Error> {
        Ok(EventKind::Created {
            channel: optional(channel)?,
            team: optional(team)?,
        })
    }

    /// An `assigned` event: to `agent`, and to `team` when given.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] when `agent` is empty.
    pub fn assigned(agent: &str, team: Option<&str>) -> Result<EventKind, Error> {
        Ok(EventKind::Assigned {
            agent: needed("assigned", agent)?,
            team: optional(team)?,
        })
    }

    /// An `agent_reply` event: a public reply by human agent `agent`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] when `agent` is empty.
    pub fn agent_reply(agent: &str) -> Result<EventKind, Error> {
        Ok(EventKind::AgentReply {
            agent: needed("agent_reply", agent)?,
        })
    }

    /// A `handling_started` event: `agent` starts working on the ticket.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] when `agent` is empty.
    pub fn handling_started(agent: &str) -> Result<EventKind, Error> {
        Ok(EventKind::HandlingStarted {
            agent: needed("handling_started", agent)?,
        })
    }

    /// A `handling_ended` event: `agent` stops working on the ticket.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] when `agent` is empty.
    pub fn handling_ended(agent: &str) -> Result<EventKind, Error> {
        Ok(EventKind::HandlingEnded {
            agent: needed("handling_ended", agent)?,
        })
    }

    /// Builds a kind from a record's named fields, as the readers do:
    /// checks that those the kind needs are present and ignores the
    /// others.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownEventKind`], [`ErrorKind::MissingField`]
    /// (`agent_reply needs an agent`) or [`ErrorKind::UnknownStatus`].
    ///
    /// ```
    /// use cxmetrics::ticket::{EventFields, EventKind};
    /// let fields = EventFields { agent: Some("ana"), team: Some("billing"), ..EventFields::default() };
    /// assert_eq!(EventKind::from_fields("assigned", fields)?, EventKind::assigned("ana", Some("billing"))?);
    /// let err = EventKind::from_fields("agent_reply", EventFields::default()).unwrap_err();
    /// assert_eq!(err.to_string(), "agent_reply needs an agent");
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    pub fn from_fields(kind: &str, fields: EventFields<'_>) -> Result<EventKind, Error> {
        let tag = EventTag::from_name(kind)?;
        let agent = || needed(tag.name(), fields.agent.unwrap_or(""));
        Ok(match tag {
            EventTag::Created => EventKind::created(fields.channel, fields.team)?,
            EventTag::CustomerReply => EventKind::CustomerReply,
            EventTag::BotReply => EventKind::BotReply,
            EventTag::InternalNote => EventKind::InternalNote,
            EventTag::Assigned => EventKind::Assigned {
                agent: agent()?,
                team: optional(fields.team)?,
            },
            EventTag::HandlingStarted => EventKind::HandlingStarted { agent: agent()? },
            EventTag::HandlingEnded => EventKind::HandlingEnded { agent: agent()? },
            EventTag::AgentReply => EventKind::AgentReply { agent: agent()? },
            EventTag::Status => {
                let status = fields.status.filter(|s| !s.is_empty()).ok_or_else(|| {
                    Error::from(ErrorKind::MissingField {
                        kind: "status".to_owned(),
                        field: "status".to_owned(),
                    })
                })?;
                EventKind::Status {
                    status: status.parse()?,
                }
            }
        })
    }
}

/// The fields of an event record that its kind may use, by name; absent
/// or empty is `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventFields<'a> {
    /// The agent (`assigned`, `agent_reply`, `handling_started`, `handling_ended`).
    pub agent: Option<&'a str>,
    /// The new status (`status`).
    pub status: Option<&'a str>,
    /// The channel (`created`).
    pub channel: Option<&'a str>,
    /// The team (`created`, `assigned`).
    pub team: Option<&'a str>,
}

/// A dimension value that may be absent (empty is absent).
fn optional(value: Option<&str>) -> Result<Option<Name>, Error> {
    value.filter(|v| !v.is_empty()).map(Name::new).transpose()
}

/// The agent a kind needs.
fn needed(kind: &str, agent: &str) -> Result<Name, Error> {
    if agent.is_empty() {
        return ErrorKind::MissingField {
            kind: kind.to_owned(),
            field: "agent".to_owned(),
        }
        .err();
    }
    Name::new(agent)
}

/// The kind of an event without its data, in the documented order for
/// events at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub(crate) enum EventTag {
    Created = 0,
    CustomerReply = 1,
    BotReply = 2,
    InternalNote = 3,
    Assigned = 4,
    HandlingStarted = 5,
    HandlingEnded = 6,
    AgentReply = 7,
    Status = 8,
}

impl EventTag {
    pub(crate) const ALL: [EventTag; 9] = [
        EventTag::Created,
        EventTag::CustomerReply,
        EventTag::BotReply,
        EventTag::InternalNote,
        EventTag::Assigned,
        EventTag::HandlingStarted,
        EventTag::HandlingEnded,
        EventTag::AgentReply,
        EventTag::Status,
    ];

    pub(crate) fn of(kind: &EventKind) -> EventTag {
        match kind {
            EventKind::Created { .. } => EventTag::Created,
            EventKind::CustomerReply => EventTag::CustomerReply,
            EventKind::BotReply => EventTag::BotReply,
            EventKind::InternalNote => EventTag::InternalNote,
            EventKind::Assigned { .. } => EventTag::Assigned,
            EventKind::HandlingStarted { .. } => EventTag::HandlingStarted,
            EventKind::HandlingEnded { .. } => EventTag::HandlingEnded,
            EventKind::AgentReply { .. } => EventTag::AgentReply,
            EventKind::Status { .. } => EventTag::Status,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            EventTag::Created => "created",
            EventTag::CustomerReply => "customer_reply",
            EventTag::BotReply => "bot_reply",
            EventTag::InternalNote => "internal_note",
            EventTag::Assigned => "assigned",
            EventTag::HandlingStarted => "handling_started",
            EventTag::HandlingEnded => "handling_ended",
            EventTag::AgentReply => "agent_reply",
            EventTag::Status => "status",
        }
    }

    pub(crate) fn from_name(name: &str) -> Result<EventTag, Error> {
        EventTag::ALL
            .into_iter()
            .find(|tag| tag.name() == name)
            .ok_or_else(|| ErrorKind::UnknownEventKind(name.to_owned()).into())
    }
}

/// One ticket event.
///
/// ```
/// use cxmetrics::ticket::{EventId, EventKind, TicketId};
/// use cxmetrics::{time::parse_timestamp, TicketEvent};
/// let event = TicketEvent::new(
///     EventId::new("e1")?,
///     TicketId::new("A")?,
///     parse_timestamp("2026-03-02T09:00:00Z")?,
///     EventKind::agent_reply("ana")?,
/// )
/// .with_topic("billing");
/// assert_eq!(event.kind().name(), "agent_reply");
/// assert_eq!(event.topic().map(|t| t.as_str()), Some("billing"));
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TicketEvent {
    id: EventId,
    ticket: TicketId,
    at: DateTime<FixedOffset>,
    #[serde(flatten)]
    kind: EventKind,
    #[serde(default)]
    topic: Option<Name>,
}

impl TicketEvent {
    /// An event without a topic.
    pub fn new(id: EventId, ticket: TicketId, at: DateTime<FixedOffset>, kind: EventKind) -> Self {
        TicketEvent {
            id,
            ticket,
            at,
            kind,
            topic: None,
        }
    }

    /// Sets the topic (the kind of request), which any event may name;
    /// an empty text means none.
    pub fn with_topic(mut self, topic: impl AsRef<str>) -> Self {
        self.topic = Name::new(topic).ok();
        self
    }

    /// The event id.
    pub fn id(&self) -> &EventId {
        &self.id
    }

    /// The ticket.
    pub fn ticket(&self) -> &TicketId {
        &self.ticket
    }

    /// When it happened, with the offset it was written in.
    pub fn at(&self) -> DateTime<FixedOffset> {
        self.at
    }

    /// What happened.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// The topic the event names, if any.
    pub fn topic(&self) -> Option<&Name> {
        self.topic.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_kinds_parse_exactly() {
        assert_eq!("on_hold".parse::<Status>().unwrap(), Status::OnHold);
        assert_eq!(
            "done".parse::<Status>().unwrap_err().to_string(),
            "unknown status \"done\""
        );
        assert!(Status::Closed.is_solved() && !Status::Pending.is_solved());
        let none = EventFields::default();
        let err = EventKind::from_fields("reply", none).unwrap_err();
        assert_eq!(err.to_string(), "unknown event kind \"reply\"");
        let err = EventKind::from_fields("status", none).unwrap_err();
        assert_eq!(err.to_string(), "status needs a status");
        let empty_agent = EventFields {
            agent: Some(""),
            ..none
        };
        let err = EventKind::from_fields("handling_started", empty_agent).unwrap_err();
        assert_eq!(err.to_string(), "handling_started needs an agent");
        assert_eq!(
            EventKind::agent_reply("").unwrap_err().to_string(),
            "agent_reply needs an agent"
        );
        // Fields a kind does not use are ignored, whatever their value.
        let all = EventFields {
            agent: Some("x"),
            status: Some("bogus"),
            channel: Some("c"),
            team: Some("t"),
        };
        let kind = EventKind::from_fields("customer_reply", all).unwrap();
        assert_eq!(kind, EventKind::CustomerReply);
        let chat = EventFields {
            channel: Some("chat"),
            team: Some(""),
            ..none
        };
        let created = EventKind::from_fields("created", chat).unwrap();
        assert_eq!(created, EventKind::created(Some("chat"), None).unwrap());
        assert_eq!(
            created,
            EventKind::Created {
                channel: Some(Name::new("chat").unwrap()),
                team: None
            }
        );
    }

    #[test]
    fn tags_follow_the_contract_tie_order() {
        let names: Vec<&str> = EventTag::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(
            names,
            [
                "created",
                "customer_reply",
                "bot_reply",
                "internal_note",
                "assigned",
                "handling_started",
                "handling_ended",
                "agent_reply",
                "status"
            ]
        );
        assert!(EventTag::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn serde_round_trip() {
        let event = TicketEvent::new(
            EventId::new("e1").unwrap(),
            TicketId::new("A").unwrap(),
            crate::time::parse_timestamp("2026-03-02T09:00:00+01:00").unwrap(),
            EventKind::Status {
                status: Status::OnHold,
            },
        );
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<TicketEvent>(&json).unwrap(), event);
    }
}
