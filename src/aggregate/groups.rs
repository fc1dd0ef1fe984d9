//! Group keys and the tables that number them.

use serde::{Deserialize, Serialize};

use crate::kpi::SurveyKpis;
use crate::survey::{Scales, SurveyMetric};

/// A group's key: its bucket label (days since 1970-01-01) and a symbol per
/// grouping dimension (0 = absent), in `group_by` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(super) struct GroupKey {
    pub(super) bucket: i32,
    pub(super) dims: [u32; 4],
}

impl GroupKey {
    /// A 64-bit hash from two multiplications: keys are looked up once per
    /// record, and their fields are small numbers, so the mixing only has
    /// to spread them over the top bits, which pick the home slot.
    #[inline]
    fn hash(&self) -> u64 {
        let [a, b, c, d] = self.dims.map(u64::from);
        let low = (u64::from(self.bucket as u32) | a << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let high = (b | c << 32) ^ d.rotate_left(16);
        (low ^ high.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)).rotate_left(5)
    }
}

/// Numbers distinct group keys 0, 1, 2, … in the order they first came.
///
/// The keys themselves live in the caller's vector, indexed by number;
/// the table holds only `number + 1` per slot (0 when empty), open
/// addressing with linear probing, at most half full. A lookup hashes
/// the key with two multiplications and compares it with the keys its
/// slots point at.
///
/// Kept over `hashbrown::HashTable`, which measured slower: benches
/// `aggregate/events_agent_day` (+22%) and
/// `aggregate/surveys_agent_day_shuffled` (+26%).
#[derive(Debug, Clone, Default)]
pub(super) struct GroupIndex {
    slots: Vec<u32>,
}

impl GroupIndex {
    /// An index of `keys`, numbered by position; `None` when a key is there
    /// twice.
    pub(super) fn of(keys: &[GroupKey]) -> Option<Self> {
        let mut index = GroupIndex::default();
        let mut numbered = Vec::with_capacity(keys.len());
        for key in keys {
            let (_, new) = index.number(&mut numbered, *key);
            if !new {
                return None;
            }
        }
        Some(index)
    }

    /// The number of `key`, pushing it on `keys` (the keys numbered so
    /// far, in order) when new; `true` when it was.
    #[inline(always)]
    pub(super) fn number(&mut self, keys: &mut Vec<GroupKey>, key: GroupKey) -> (u32, bool) {
        if keys.len() * 2 >= self.slots.len() {
            self.grow(keys);
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(&key);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                let number = keys.len() as u32;
                keys.push(key);
                self.slots[i] = number + 1;
                return (number, true);
            }
            if keys[slot as usize - 1] == key {
                return (slot - 1, false);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn home(&self, key: &GroupKey) -> usize {
        (key.hash() >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// Doubles the table (or makes the first) and files `keys` again.
    #[cold]
    fn grow(&mut self, keys: &[GroupKey]) {
        self.slots = vec![0; (self.slots.len() * 2).max(16)];
        let mask = self.slots.len() - 1;
        for (number, key) in keys.iter().enumerate() {
            let mut i = self.home(key);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = number as u32 + 1;
        }
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u32>()
    }
}

/// The group numbers of the keys looked up last, one slot per combination
/// of dimension values (whatever the bucket): records in time order find
/// their group there, by one comparison, until their bucket changes,
/// without probing the index.
#[derive(Debug, Clone, Default)]
pub(super) struct RecentGroups {
    /// A key and its number per slot; every slot holds a true pair (the
    /// first key looked up fills them all).
    slots: Vec<(GroupKey, u32)>,
}

impl RecentGroups {
    const SLOTS: usize = 256;

    /// The number of `key` in `index`, as [`GroupIndex::number`].
    #[inline]
    pub(super) fn number(
        &mut self,
        index: &mut GroupIndex,
        keys: &mut Vec<GroupKey>,
        key: GroupKey,
    ) -> u32 {
        let [a, b, c, d] = key.dims;
        let slot =
            (a ^ b.rotate_left(8) ^ c.rotate_left(16) ^ d.rotate_left(24)) as usize % Self::SLOTS;
        match self.slots.get(slot) {
            Some(&(recent, number)) if recent == key => number,
            _ => {
                let (number, _) = index.number(keys, key);
                if self.slots.is_empty() {
                    self.slots = vec![(key, number); Self::SLOTS];
                }
                self.slots[slot] = (key, number);
                number
            }
        }
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<(GroupKey, u32)>()
    }
}

/// Accumulators by group key, kept in a vector in the order their keys
/// first came: the table probes small slots, not the accumulators (over a
/// kilobyte each).
pub(super) struct GroupMap<V> {
    index: GroupIndex,
    keys: Vec<GroupKey>,
    values: Vec<V>,
}

impl<V> GroupMap<V> {
    pub(super) fn new() -> Self {
        GroupMap {
            index: GroupIndex::default(),
            keys: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The accumulator of `key`, made by `fresh` when new.
    #[inline]
    pub(super) fn get(&mut self, key: GroupKey, fresh: impl FnOnce() -> V) -> &mut V {
        let number = self.number(key, fresh);
        &mut self.values[number as usize]
    }

    /// The number of `key`'s accumulator, made by `fresh` when new.
    #[inline]
    pub(super) fn number(&mut self, key: GroupKey, fresh: impl FnOnce() -> V) -> u32 {
        let (number, new) = self.index.number(&mut self.keys, key);
        if new {
            self.values.push(fresh());
        }
        number
    }

    /// Accumulator number `number`.
    pub(super) fn value_mut(&mut self, number: u32) -> &mut V {
        &mut self.values[number as usize]
    }

    /// How many groups.
    pub(super) fn len(&self) -> usize {
        self.values.len()
    }

    /// The keys and their accumulators, in the order the keys first came.
    pub(super) fn into_entries(self) -> impl Iterator<Item = (GroupKey, V)> {
        self.keys.into_iter().zip(self.values)
    }

    /// The keys and the accumulators, by number.
    pub(super) fn parts(&self) -> (&[GroupKey], &[V]) {
        (&self.keys, &self.values)
    }
}

impl<V> FromIterator<(GroupKey, V)> for GroupMap<V> {
    fn from_iter<I: IntoIterator<Item = (GroupKey, V)>>(pairs: I) -> Self {
        let mut map = GroupMap::new();
        for (key, value) in pairs {
            let (number, new) = map.index.number(&mut map.keys, key);
            if new {
                map.values.push(value);
            } else {
                // As in a map, the last value of a key stays.
                map.values[number as usize] = value;
            }
        }
        map
    }
}

/// Stored responses per group, metric and scale point, kept up to date as
/// responses are stored, so that the report reads a few counts per group
/// instead of every response. Derived from the stored responses, never
/// saved.
#[derive(Debug, Clone)]
pub(super) struct SurveyCounts {
    /// A group's accumulators before any response: scales and rules.
    empty: SurveyKpis,
    /// A row of `stride` counts per group: NPS's points, then CSAT's,
    /// then CES's. A count fits in 32 bits: record numbers do.
    counts: Vec<u32>,
    stride: usize,
    /// Where each metric's points start in a row, and its lowest point.
    starts: [usize; 3],
    mins: [u8; 3],
}

impl SurveyCounts {
    /// Counts for groups whose accumulators start as `empty`.
    pub(super) fn new(empty: SurveyKpis) -> Self {
        let scales = Scales {
            csat: empty.csat().scale(),
            ces: empty.ces().scale(),
        };
        let metrics = [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces];
        let points = metrics.map(|m| scales.of(m).points());
        SurveyCounts {
            empty,
            counts: Vec::new(),
            stride: points.iter().sum(),
            starts: [0, points[0], points[0] + points[1]],
            mins: metrics.map(|m| scales.of(m).min()),
        }
    }

    /// Counts a response of `value` to metric number `metric` in `group`.
    /// The value lies on the metric's scale: stored responses are checked.
    #[inline]
    pub(super) fn add(&mut self, group: u32, metric: u8, value: u8) {
        let row = group as usize * self.stride;
        if self.counts.len() < row + self.stride {
            self.counts.resize(row + self.stride, 0);
        }
        let metric = usize::from(metric).min(2);
        let point = usize::from(value.wrapping_sub(self.mins[metric]));
        if let Some(count) = self.counts.get_mut(row + self.starts[metric] + point) {
            *count += 1;
        }
    }

    /// The KPIs of `group`; `None` when it has no response.
    pub(super) fn kpis(&self, group: u32) -> Option<SurveyKpis> {
        let start = group as usize * self.stride;
        let row = self.counts.get(start..start + self.stride)?;
        if row.iter().all(|&c| c == 0) {
            return None;
        }
        let [nps, csat, ces] = self.starts;
        Some(
            self.empty
                .clone()
                .with_counts([&row[nps..csat], &row[csat..ces], &row[ces..]]),
        )
    }

    /// Bytes held on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The index numbers keys as a map from key to first position does.
        #[test]
        fn index_matches_a_map(raw in prop::collection::vec((0i32..40, 0u32..6, 0u32..3), 0..400)) {
            let mut index = GroupIndex::default();
            let mut keys = Vec::new();
            let mut model: HashMap<GroupKey, u32> = HashMap::new();
            for (bucket, a, b) in raw {
                let key = GroupKey { bucket: bucket - 20, dims: [a, b, 0, 0] };
                let was_new = !model.contains_key(&key);
                let next = model.len() as u32;
                let expected = *model.entry(key).or_insert(next);
                let (number, new) = index.number(&mut keys, key);
                prop_assert_eq!(number, expected);
                prop_assert_eq!(new, was_new);
                prop_assert_eq!(keys[number as usize], key);
            }
            prop_assert_eq!(keys.len(), model.len());
            let rebuilt = GroupIndex::of(&keys);
            prop_assert!(rebuilt.is_some());
        }
    }

    #[test]
    fn a_repeated_key_is_refused() {
        let key = GroupKey {
            bucket: 3,
            dims: [1, 0, 0, 0],
        };
        assert!(GroupIndex::of(&[key, key]).is_none());
        assert!(GroupIndex::of(&[key]).is_some());
    }
}
