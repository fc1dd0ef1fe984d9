//! `ticket_metrics(id, at, kind, agent, status, channel, team, topic
//! [, as_of])`: one ticket's metrics from its events (definitions, "Ticket
//! timeline"), for `GROUP BY ticket`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use cxmetrics::calendar::Calendar;
use cxmetrics::sla::{SlaCount, SlaCounts, SlaPolicy};
use cxmetrics::ticket::{EventFields, EventId, EventKind, Name, TicketId};
use cxmetrics::time::parse_timestamp;
use cxmetrics::{TicketEvent, Timeline};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Builder, Int64Array, ListBuilder, StringArray,
    StructArray, TimestampNanosecondArray,
};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, TimeUnit};
use datafusion::common::{exec_datafusion_err, plan_err, Result};
use serde::{Deserialize, Serialize};

use crate::columns::{float, floats, structure};
use crate::partial::{corrupt, postcard_bytes, Partial};

/// The argument names, in order.
pub(crate) const ARGUMENTS: [&str; 8] = [
    "id", "at", "kind", "agent", "status", "channel", "team", "topic",
];

fn is_text(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    )
}

/// Text columns as text (ids may be integers too), `at` as text or a
/// timestamp, `as_of` likewise.
pub(crate) fn coerce(types: &[DataType]) -> Result<Vec<DataType>> {
    if !(8..=9).contains(&types.len()) {
        return plan_err!(
            "ticket_metrics: expected ticket_metrics(id, at, kind, agent, status, channel, team, topic [, as_of])"
        );
    }
    types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let name = ARGUMENTS.get(i).copied().unwrap_or("as_of");
            match (name, t) {
                ("id", t) if t.is_integer() => Ok(DataType::Utf8),
                ("at" | "as_of", DataType::Timestamp(_, _)) => Ok(t.clone()),
                (_, t) if is_text(t) => Ok(DataType::Utf8),
                (name, t) => plan_err!("ticket_metrics: {name} is text, not {t}"),
            }
        })
        .collect()
}

fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
}

/// The SLA span kinds, in the order of their fields.
const SPANS: [&str; 3] = ["first_response", "reply", "resolution"];

/// `{measured, met}` of one span kind.
fn span_fields() -> Fields {
    Fields::from(vec![
        Field::new("measured", DataType::Int64, false),
        Field::new("met", DataType::Int64, false),
    ])
}

/// `{first_response, reply, resolution}`, each `{measured, met}`.
fn sla_fields() -> Fields {
    Fields::from(
        SPANS
            .iter()
            .map(|name| Field::new(*name, DataType::Struct(span_fields()), true))
            .collect::<Vec<_>>(),
    )
}

/// The result's fields; with a calendar, the business-time twins too;
/// with an SLA, its spans.
pub(crate) fn return_type(business: bool, sla: bool) -> DataType {
    let text = |name| Field::new(name, DataType::Utf8, true);
    let flag = |name| Field::new(name, DataType::Boolean, true);
    let number = |name| Field::new(name, DataType::Int64, true);
    let mut fields = vec![
        flag("valid"),
        Field::new("created_at", timestamp_type(), true),
        text("channel"),
        text("team"),
        text("topic"),
        text("agent"),
        float("first_response_s"),
        flag("answered"),
        flag("resolved"),
        float("first_resolution_s"),
        float("full_resolution_s"),
        number("reopens"),
        number("agent_replies"),
        flag("one_touch"),
        float("handle_s"),
        Field::new(
            "reply_waits_s",
            DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true))),
            true,
        ),
    ];
    if business {
        fields.extend([
            float("first_response_business_s"),
            Field::new(
                "reply_waits_business_s",
                DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true))),
                true,
            ),
            float("first_resolution_business_s"),
            float("full_resolution_business_s"),
        ]);
    }
    if sla {
        fields.push(Field::new("sla", DataType::Struct(sla_fields()), true));
    }
    DataType::Struct(Fields::from(fields))
}

/// What `ticket_metrics` is fixed to when planned.
#[derive(Debug, Clone)]
pub(crate) struct TicketSetup {
    pub(crate) as_of: Option<DateTime<Utc>>,
    pub(crate) calendar: Option<Arc<Calendar>>,
    pub(crate) sla: Option<Arc<SlaPolicy>>,
}

/// A batch's event columns: instants converted, text as text.
pub(crate) struct Events {
    texts: Vec<StringArray>,
    at: At,
}

enum At {
    Texts(StringArray),
    Nanos(TimestampNanosecondArray),
}

impl Events {
    fn text(&self, column: usize, row: usize) -> Option<&str> {
        let array = &self.texts[column];
        array.is_valid(row).then(|| array.value(row))
    }
}

/// A timestamp column's instants, or an error naming the column.
pub(crate) fn nanos(array: &ArrayRef) -> Result<TimestampNanosecondArray> {
    let cast = cast(array, &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
    Ok(cast.as_primitive().clone())
}

/// One ticket's events, in arrival order (the timeline orders them).
#[derive(Debug, Clone, Default)]
pub(crate) struct TicketPart(Vec<TicketEvent>);

impl Partial for TicketPart {
    type Setup = TicketSetup;
    type Input = Events;

    fn empty(_: &TicketSetup) -> Self {
        TicketPart::default()
    }

    fn input(_: &TicketSetup, values: &[ArrayRef]) -> Result<Events> {
        if values.len() < 8 {
            return plan_err!("ticket_metrics: needs {} arguments", ARGUMENTS.len());
        }
        let at = match values[1].data_type() {
            DataType::Timestamp(_, _) => At::Nanos(nanos(&values[1])?),
            _ => At::Texts(
                cast(&values[1], &DataType::Utf8)?
                    .as_string::<i32>()
                    .clone(),
            ),
        };
        let texts = values[..8]
            .iter()
            .map(|v| Ok(cast(v, &DataType::Utf8)?.as_string::<i32>().clone()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Events { texts, at })
    }

    fn add(&mut self, _: &TicketSetup, events: &Events, row: usize) -> Result<()> {
        let fail = |e: cxmetrics::Error| exec_datafusion_err!("ticket_metrics: {e}");
        let Some(id) = events.text(0, row) else {
            return Err(exec_datafusion_err!("ticket_metrics: id is null"));
        };
        let at = match &events.at {
            At::Texts(texts) if texts.is_valid(row) => {
                parse_timestamp(texts.value(row)).map_err(fail)?
            }
            At::Nanos(nanos) if nanos.is_valid(row) => {
                DateTime::<Utc>::from_timestamp_nanos(nanos.value(row)).fixed_offset()
            }
            _ => {
                return Err(exec_datafusion_err!(
                    "ticket_metrics: at is null (event {id:?})"
                ))
            }
        };
        let Some(kind) = events.text(2, row) else {
            return Err(exec_datafusion_err!(
                "ticket_metrics: kind is null (event {id:?})"
            ));
        };
        let fields = EventFields {
            agent: events.text(3, row),
            status: events.text(4, row),
            channel: events.text(5, row),
            team: events.text(6, row),
        };
        let kind = EventKind::from_fields(kind, fields).map_err(fail)?;
        // One group is one ticket: its events are filed under one id.
        let ticket = TicketId::new("ticket").map_err(fail)?;
        let event = TicketEvent::new(EventId::new(id).map_err(fail)?, ticket, at, kind);
        self.0.push(match events.text(7, row) {
            Some(topic) => event.with_topic(topic),
            None => event,
        });
        Ok(())
    }

    fn merge(&mut self, mut other: Self) -> Result<()> {
        self.0.append(&mut other.0);
        Ok(())
    }

    fn encode(&self) -> Result<Vec<u8>> {
        let saved: Vec<Saved<'_>> = self.0.iter().map(Saved::of).collect();
        postcard_bytes("ticket_metrics", &saved)
    }

    fn decode(_: &TicketSetup, bytes: &[u8]) -> Result<Self> {
        let saved: Vec<Saved<'_>> =
            postcard::from_bytes(bytes).map_err(|e| corrupt("ticket_metrics", e))?;
        saved
            .into_iter()
            .map(|s| s.event().map_err(|e| corrupt("ticket_metrics", e)))
            .collect::<Result<Vec<_>>>()
            .map(TicketPart)
    }

    fn finish(setup: &TicketSetup, parts: &[Self]) -> Result<ArrayRef> {
        let rows = parts
            .iter()
            .map(|part| Row::of(setup, part))
            .collect::<Result<Vec<_>>>()?;
        let flag = |f: fn(&Row) -> Option<bool>| -> ArrayRef {
            Arc::new(rows.iter().map(f).collect::<BooleanArray>())
        };
        let text = |f: fn(&Row) -> Option<&str>| -> ArrayRef {
            Arc::new(rows.iter().map(f).collect::<StringArray>())
        };
        let number = |f: fn(&Row) -> Option<u32>| -> ArrayRef {
            Arc::new(
                rows.iter()
                    .map(|r| f(r).map(i64::from))
                    .collect::<Int64Array>(),
            )
        };
        let lists = |f: fn(&Row) -> Option<&[f64]>| -> ArrayRef {
            let mut builder = ListBuilder::new(Float64Builder::new());
            for row in &rows {
                match f(row) {
                    Some(values) => {
                        builder.values().append_slice(values);
                        builder.append(true);
                    }
                    None => builder.append(false),
                }
            }
            Arc::new(builder.finish())
        };
        let created: ArrayRef = Arc::new(
            rows.iter()
                .map(|r| r.created_at)
                .collect::<TimestampNanosecondArray>()
                .with_timezone("UTC"),
        );
        let mut columns = vec![
            flag(|r| r.valid),
            created,
            text(|r| r.channel.as_deref()),
            text(|r| r.team.as_deref()),
            text(|r| r.topic.as_deref()),
            text(|r| r.agent.as_deref()),
            floats(&rows, |r| r.first_response),
            flag(|r| r.answered),
            flag(|r| r.resolved),
            floats(&rows, |r| r.first_resolution),
            floats(&rows, |r| r.full_resolution),
            number(|r| r.reopens),
            number(|r| r.agent_replies),
            flag(|r| r.one_touch),
            floats(&rows, |r| r.handle),
            lists(|r| r.reply_waits.as_deref()),
        ];
        let business = setup.calendar.is_some();
        if business {
            columns.extend([
                floats(&rows, |r| {
                    r.business.as_ref().and_then(|b| b.first_response)
                }),
                lists(|r| r.business.as_ref().map(|b| b.reply_waits.as_slice())),
                floats(&rows, |r| {
                    r.business.as_ref().and_then(|b| b.first_resolution)
                }),
                floats(&rows, |r| {
                    r.business.as_ref().and_then(|b| b.full_resolution)
                }),
            ]);
        }
        if setup.sla.is_some() {
            columns.push(sla_column(&rows)?);
        }
        structure(return_type(business, setup.sla.is_some()), columns)
    }

    fn heap_size(&self) -> usize {
        self.0.capacity() * std::mem::size_of::<TicketEvent>()
    }
}

/// An event as a partial state holds it: its fields as the records write
/// them and its instant with the offset it was written in, read back by
/// the crate's own checks.
#[derive(PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Saved<'a> {
    id: &'a str,
    secs: i64,
    nanos: u32,
    offset: i32,
    kind: &'a str,
    agent: Option<&'a str>,
    status: Option<&'a str>,
    channel: Option<&'a str>,
    team: Option<&'a str>,
    topic: Option<&'a str>,
}

impl<'a> Saved<'a> {
    fn of(event: &'a TicketEvent) -> Self {
        let name = |n: &'a Option<Name>| n.as_ref().map(Name::as_str);
        let (mut agent, mut status, mut channel, mut team) = (None, None, None, None);
        match event.kind() {
            EventKind::Created {
                channel: c,
                team: t,
            } => (channel, team) = (name(c), name(t)),
            EventKind::Assigned { agent: a, team: t } => {
                (agent, team) = (Some(a.as_str()), name(t))
            }
            EventKind::HandlingStarted { agent: a }
            | EventKind::HandlingEnded { agent: a }
            | EventKind::AgentReply { agent: a } => agent = Some(a.as_str()),
            EventKind::Status { status: s } => status = Some(s.as_str()),
            EventKind::CustomerReply | EventKind::BotReply | EventKind::InternalNote => {}
        }
        let at = event.at();
        Saved {
            id: event.id().as_str(),
            secs: at.timestamp(),
            nanos: at.timestamp_subsec_nanos(),
            offset: at.offset().local_minus_utc(),
            kind: event.kind().name(),
            agent,
            status,
            channel,
            team,
            topic: event.topic().map(Name::as_str),
        }
    }

    fn event(&self) -> std::result::Result<TicketEvent, String> {
        let at = FixedOffset::east_opt(self.offset)
            .and_then(|zone| {
                Some(DateTime::from_timestamp(self.secs, self.nanos)?.with_timezone(&zone))
            })
            .ok_or("an instant out of range")?;
        let fields = EventFields {
            agent: self.agent,
            status: self.status,
            channel: self.channel,
            team: self.team,
        };
        let kind = EventKind::from_fields(self.kind, fields).map_err(|e| e.to_string())?;
        let id = EventId::new(self.id).map_err(|e| e.to_string())?;
        let ticket = TicketId::new("ticket").map_err(|e| e.to_string())?;
        let event = TicketEvent::new(id, ticket, at, kind);
        Ok(match self.topic {
            Some(topic) => event.with_topic(topic),
            None => event,
        })
    }
}

/// One ticket's result row: all null but `valid` for an invalid ticket,
/// all null for one whose events all come after `as_of`.
#[derive(Debug, Default)]
struct Row {
    valid: Option<bool>,
    created_at: Option<i64>,
    channel: Option<String>,
    team: Option<String>,
    topic: Option<String>,
    agent: Option<String>,
    first_response: Option<f64>,
    answered: Option<bool>,
    resolved: Option<bool>,
    first_resolution: Option<f64>,
    full_resolution: Option<f64>,
    reopens: Option<u32>,
    agent_replies: Option<u32>,
    one_touch: Option<bool>,
    handle: Option<f64>,
    reply_waits: Option<Vec<f64>>,
    business: Option<Business>,
    sla: Option<SlaCounts>,
}

#[derive(Debug, Default)]
struct Business {
    first_response: Option<f64>,
    reply_waits: Vec<f64>,
    first_resolution: Option<f64>,
    full_resolution: Option<f64>,
}

fn secs(d: Option<Duration>) -> Option<f64> {
    d.map(|d| d.as_secs_f64())
}

impl Row {
    fn of(setup: &TicketSetup, part: &TicketPart) -> Result<Row> {
        // Deliveries of one id that differ: the one first in a fixed order
        // (instant, then kind and fields) is kept, whatever order the
        // partitions brought them in.
        let mut events: Vec<&TicketEvent> = part.0.iter().collect();
        events.sort_by_cached_key(|e| Saved::of(e));
        let mut timeline = Timeline::<&TicketEvent>::with_capacity(events.len());
        for event in events {
            timeline
                .push(event)
                .map_err(|e| exec_datafusion_err!("ticket_metrics: {e}"))?;
        }
        let metrics = match timeline.metrics(setup.as_of) {
            Ok(Some(metrics)) => metrics,
            Ok(None) => return Ok(Row::default()),
            Err(_) => {
                return Ok(Row {
                    valid: Some(false),
                    ..Row::default()
                })
            }
        };
        let created = metrics.created_at();
        let sla = match &setup.sla {
            None => None,
            Some(policy) => {
                // Open spans are judged at `as_of`, or else at the
                // ticket's last event.
                let last = part.0.iter().map(|e| e.at().to_utc()).max();
                let at = setup.as_of.or(last).unwrap_or(created);
                Some(
                    metrics
                        .sla(policy, setup.calendar.as_deref(), at)
                        .map_err(|e| exec_datafusion_err!("ticket_metrics: {e}"))?,
                )
            }
        };
        let business = setup.calendar.as_ref().map(|calendar| {
            let after = |d: Option<Duration>| {
                d.map(|d| {
                    calendar
                        .business_duration(created, created + d)
                        .as_secs_f64()
                })
            };
            Business {
                first_response: after(metrics.first_response()),
                reply_waits: metrics
                    .reply_wait_spans()
                    .map(|(from, to)| calendar.business_duration(from, to).as_secs_f64())
                    .collect(),
                first_resolution: after(metrics.first_resolution()),
                full_resolution: after(metrics.full_resolution()),
            }
        });
        Ok(Row {
            valid: Some(true),
            created_at: created.timestamp_nanos_opt(),
            channel: metrics.channel().map(str::to_owned),
            team: metrics.team().map(str::to_owned),
            topic: metrics.topic().map(str::to_owned),
            agent: metrics.agent().map(str::to_owned),
            first_response: secs(metrics.first_response()),
            answered: Some(metrics.answered()),
            resolved: Some(metrics.resolved()),
            first_resolution: secs(metrics.first_resolution()),
            full_resolution: secs(metrics.full_resolution()),
            reopens: Some(metrics.reopens()),
            agent_replies: Some(metrics.agent_replies()),
            one_touch: Some(metrics.one_touch()),
            handle: secs(metrics.handle_time()),
            reply_waits: Some(metrics.reply_waits().map(|d| d.as_secs_f64()).collect()),
            business,
            sla,
        })
    }
}

/// The rows' SLA spans: a kind is null where the ticket has no target for
/// it (or the row no metrics).
fn sla_column(rows: &[Row]) -> Result<ArrayRef> {
    let spans: [fn(&SlaCounts) -> Option<SlaCount>; 3] =
        [|c| c.first_response, |c| c.reply, |c| c.resolution];
    let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(3);
    for span in spans {
        let counts: Vec<Option<SlaCount>> =
            rows.iter().map(|r| r.sla.as_ref().and_then(span)).collect();
        let measured = Int64Array::from_iter_values(
            counts.iter().map(|c| number(c.map_or(0, |c| c.measured))),
        );
        let met =
            Int64Array::from_iter_values(counts.iter().map(|c| number(c.map_or(0, |c| c.met))));
        let nulls = NullBuffer::from(counts.iter().map(Option::is_some).collect::<Vec<_>>());
        columns.push(Arc::new(StructArray::try_new(
            span_fields(),
            vec![Arc::new(measured), Arc::new(met)],
            Some(nulls),
        )?));
    }
    let nulls = NullBuffer::from(rows.iter().map(|r| r.sla.is_some()).collect::<Vec<_>>());
    Ok(Arc::new(StructArray::try_new(
        sla_fields(),
        columns,
        Some(nulls),
    )?))
}
