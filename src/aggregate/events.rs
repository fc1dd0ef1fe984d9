//! Accepted ticket events as the aggregator keeps them until the report.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::ticket::{EventTag, Status};
use crate::time::Instant;
use crate::timeline::Step;

/// The statuses of `status` events, by their index in a stored event.
pub(super) const STATUSES: [Status; 6] = [
    Status::New,
    Status::Open,
    Status::Pending,
    Status::OnHold,
    Status::Solved,
    Status::Closed,
];

/// An accepted ticket event up to `as_of`, as [`EventStore`] hands it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StoredEvent {
    /// `secs << 8 | tag << 4 | status`: the instant's seconds (at most 39
    /// bits for years 1 to 9999), the kind's tag and, for a `status`
    /// event, its status as an index of [`STATUSES`]. Packed so that an
    /// event takes 32 bytes, not the 40 of an [`Instant`] beside a kind
    /// and a status (a state holds every event of its open tickets);
    /// [`at`](Self::at) gives it back as an `Instant`.
    pub(super) secs_kind: i64,
    pub(super) nanos: u32,
    /// Number of its ticket in the aggregator's tickets.
    pub(super) ticket: u32,
    /// Number of its id in the aggregator's event ids.
    pub(super) id: u32,
    /// Symbols of the aggregator's names (0 = absent): the channel of a
    /// `created` event, else the agent.
    pub(super) who: u32,
    pub(super) team: u32,
    pub(super) topic: u32,
}

impl StoredEvent {
    pub(super) fn secs_kind(secs: i64, tag: EventTag, status: u8) -> i64 {
        secs << 8 | i64::from(tag as u8) << 4 | i64::from(status)
    }

    pub(super) fn secs(&self) -> i64 {
        self.secs_kind >> 8
    }

    pub(super) fn tag(&self) -> u8 {
        (self.secs_kind >> 4 & 0xF) as u8
    }

    pub(super) fn status(&self) -> u8 {
        (self.secs_kind & 0xF) as u8
    }

    pub(super) fn at(&self) -> Instant {
        Instant::from_parts(self.secs(), self.nanos)
    }

    /// The documented order within a ticket, but for the ids: instant,
    /// then kind, as one number (seconds take at most 39 bits and
    /// nanoseconds 30, so `secs << 40 | nanos << 8 | tag` orders as the
    /// triple).
    pub(super) fn sort_key(&self) -> i128 {
        i128::from(self.secs()) << 40 | i128::from(self.nanos) << 8 | i128::from(self.tag())
    }

    pub(super) fn step(&self) -> Step<u32> {
        let sym = |s: u32| (s != 0).then_some(s);
        let tag = EventTag::ALL[usize::from(self.tag())];
        let created = tag == EventTag::Created;
        Step {
            at: self.at(),
            tag,
            agent: sym(self.who).filter(|_| !created),
            team: sym(self.team),
            channel: sym(self.who).filter(|_| created),
            status: (tag == EventTag::Status).then(|| STATUSES[usize::from(self.status())]),
            topic: sym(self.topic),
        }
    }
}

/// What every stored event has: 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Core {
    secs_kind: i64,
    nanos: u32,
    ticket: u32,
    id: u32,
    who: u32,
}

/// The stored events, in arrival order: 24 bytes each, plus 8 for team
/// and topic once any event has one (only when grouping by team or
/// topic, as the aggregator keeps them only then).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "EventStoreRepr", into = "EventStoreRepr")]
pub(super) struct EventStore {
    core: Vec<Core>,
    /// `[team, topic]` of each event, or empty when all would be 0.
    dims: Vec<[u32; 2]>,
}

#[derive(Serialize, Deserialize)]
struct EventStoreRepr {
    core: Vec<Core>,
    dims: Vec<[u32; 2]>,
}

impl TryFrom<EventStoreRepr> for EventStore {
    type Error = Error;
    fn try_from(repr: EventStoreRepr) -> Result<Self, Error> {
        if !repr.dims.is_empty() && repr.dims.len() != repr.core.len() {
            return ErrorKind::corrupt("event dimensions do not match the events").err();
        }
        Ok(EventStore {
            core: repr.core,
            dims: repr.dims,
        })
    }
}

impl From<EventStore> for EventStoreRepr {
    fn from(store: EventStore) -> Self {
        EventStoreRepr {
            core: store.core,
            dims: store.dims,
        }
    }
}

impl PartialEq for EventStore {
    /// The same events, whether or not the absent teams and topics take
    /// room.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for EventStore {}

impl EventStore {
    pub(super) fn len(&self) -> usize {
        self.core.len()
    }

    /// Makes room for `events` more, where it can be had (a hint).
    pub(super) fn reserve(&mut self, events: usize) {
        let _ = self.core.try_reserve(events);
        if !self.dims.is_empty() {
            let _ = self.dims.try_reserve(events);
        }
    }

    pub(super) fn push(&mut self, e: StoredEvent) {
        let dims = [e.team, e.topic];
        if !self.dims.is_empty() || dims != [0, 0] {
            // The first team or topic: the events before had none.
            self.dims.resize(self.core.len(), [0, 0]);
            self.dims.push(dims);
        }
        self.core.push(Core {
            secs_kind: e.secs_kind,
            nanos: e.nanos,
            ticket: e.ticket,
            id: e.id,
            who: e.who,
        });
    }

    /// Event `i`.
    pub(super) fn get(&self, i: usize) -> StoredEvent {
        let c = self.core[i];
        let [team, topic] = self.dims.get(i).copied().unwrap_or_default();
        StoredEvent {
            secs_kind: c.secs_kind,
            nanos: c.nanos,
            ticket: c.ticket,
            id: c.id,
            who: c.who,
            team,
            topic,
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = StoredEvent> + '_ {
        (0..self.core.len()).map(|i| self.get(i))
    }

    /// The ticket of each event, in order, without the rest.
    pub(super) fn tickets(&self) -> impl Iterator<Item = u32> + '_ {
        self.core.iter().map(|c| c.ticket)
    }

    /// Keeps the first `len` events.
    pub(super) fn truncate(&mut self, len: usize) {
        self.core.truncate(len);
        self.dims.truncate(len);
    }

    /// Renames every event's symbols with `remap`.
    pub(super) fn remap_symbols(&mut self, remap: impl Fn(u32) -> u32) {
        for c in &mut self.core {
            c.who = remap(c.who);
        }
        for [team, topic] in &mut self.dims {
            (*team, *topic) = (remap(*team), remap(*topic));
        }
    }

    /// Keeps the events `keep` says yes to, in order, and gives back room
    /// beyond twice what is left.
    pub(super) fn retain(&mut self, keep: impl Fn(&StoredEvent) -> bool) {
        let kept: Vec<bool> = self.iter().map(|e| keep(&e)).collect();
        let mut flags = kept.iter();
        self.core.retain(|_| *flags.next().unwrap_or(&false));
        let mut flags = kept.iter();
        self.dims.retain(|_| *flags.next().unwrap_or(&false));
        self.core.shrink_to(self.core.len() * 2);
        self.dims.shrink_to(self.dims.len() * 2);
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.core.capacity() * std::mem::size_of::<Core>()
            + self.dims.capacity() * std::mem::size_of::<[u32; 2]>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes the documentation promises.
    #[test]
    fn stored_events_are_compact() {
        assert_eq!(std::mem::size_of::<Core>(), 24);
        // Seconds, kind and status share a word, from year 1 to 9999.
        for secs in [-62_135_596_800, -1, 0, 253_402_300_799] {
            for (tag, status) in [(EventTag::Created, 0), (EventTag::Status, 5)] {
                let e = event(secs, 999_999_999, tag, status);
                assert_eq!((e.secs(), e.tag(), e.status()), (secs, tag as u8, status));
            }
        }
    }

    fn event(secs: i64, nanos: u32, tag: EventTag, status: u8) -> StoredEvent {
        StoredEvent {
            secs_kind: StoredEvent::secs_kind(secs, tag, status),
            nanos,
            ticket: 0,
            id: 0,
            who: 0,
            team: 0,
            topic: 0,
        }
    }

    #[test]
    fn the_sort_key_orders_as_instant_then_kind() {
        let mut events = Vec::new();
        for secs in [-62_135_596_800, -1, 0, 1, 253_402_300_799] {
            for nanos in [0, 1, 999_999_999] {
                for tag in [EventTag::Created, EventTag::AgentReply, EventTag::Status] {
                    events.push(event(secs, nanos, tag, 0));
                }
            }
        }
        let triple = |e: &StoredEvent| (e.secs(), e.nanos, e.tag());
        for a in &events {
            for b in &events {
                assert_eq!(a.sort_key().cmp(&b.sort_key()), triple(a).cmp(&triple(b)));
            }
        }
    }

    #[test]
    fn team_and_topic_take_room_only_once_present() {
        let plain = event(0, 0, EventTag::Created, 0);
        let with_topic = StoredEvent { topic: 7, ..plain };
        // Also as the very first event.
        let mut first = EventStore::default();
        first.push(with_topic);
        first.push(plain);
        assert_eq!(first.iter().collect::<Vec<_>>(), [with_topic, plain]);
        let mut store = EventStore::default();
        store.push(plain);
        store.push(plain);
        assert!(store.dims.is_empty());
        store.push(with_topic);
        store.push(plain);
        assert_eq!(store.dims.len(), 4);
        let all: Vec<_> = store.iter().collect();
        assert_eq!(all, [plain, plain, with_topic, plain]);
        store.remap_symbols(|s| s * 2);
        assert_eq!(store.get(2).topic, 14);
        store.retain(|e| e.topic == 0);
        assert_eq!(store.len(), 3);
        assert_eq!(store.dims.len(), 3);
        // Equal to the same events without room for teams and topics.
        let mut plain_only = EventStore::default();
        (0..3).for_each(|_| plain_only.push(plain));
        assert_eq!(store, plain_only);
        let bytes = postcard::to_allocvec(&store).unwrap();
        assert_eq!(postcard::from_bytes::<EventStore>(&bytes).unwrap(), store);
        let forged = EventStoreRepr {
            core: store.core.clone(),
            dims: vec![[0, 0]],
        };
        assert!(EventStore::try_from(forged).is_err());
    }

    #[test]
    fn a_stored_event_takes_32_bytes() {
        assert_eq!(std::mem::size_of::<StoredEvent>(), 32);
    }
}
