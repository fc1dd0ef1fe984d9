//! Accumulators by a key of the caller's own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::kpi::Accumulator;

/// One accumulator per key, for any key type: a product line, a region, a
/// customer tier, a `(week, tier)` pair — with DST-exact weeks from
/// [`Bucket::label`](crate::time::Bucket::label).
///
/// Records are added under their key; two `Grouped` merge key by key with
/// the result of one pass, in any order and any split, so parts built on
/// several threads or machines combine exactly, and a `Grouped` saves and
/// loads with serde. No record ids are kept: for input that may repeat
/// records, deduplicate before adding, or use the
/// [`Aggregator`](crate::Aggregator), which deduplicates exactly across
/// merges.
///
/// New keys start from a copy of the accumulator given to
/// [`with_empty`](Self::with_empty) (scales and rules), or from
/// `A::default()`.
///
/// ```
/// use cxmetrics::aggregate::Grouped;
/// use cxmetrics::kpi::Nps;
/// use cxmetrics::survey::NpsScore;
/// let rows = [("gold", 10), ("gold", 9), ("basic", 3), ("basic", 9)];
/// let mut by_tier: Grouped<&str, Nps> = Grouped::new();
/// for (tier, score) in rows {
///     by_tier.add(tier, NpsScore::new(score)?)?;
/// }
/// let scores: Vec<(&str, f64)> = by_tier
///     .summaries()
///     .map(|(tier, s)| (*tier, s.expect("responses").score))
///     .collect();
/// assert_eq!(scores, [("basic", 0.0), ("gold", 100.0)]);
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "K: Serialize + Ord, A: Serialize",
    deserialize = "K: Deserialize<'de> + Ord, A: Deserialize<'de>"
))]
pub struct Grouped<K, A> {
    empty: A,
    groups: BTreeMap<K, A>,
}

impl<K: Ord, A: Accumulator> Default for Grouped<K, A> {
    fn default() -> Self {
        Grouped::new()
    }
}

impl<K: Ord, A: Accumulator> Grouped<K, A> {
    /// No groups; new ones start as `A::default()`.
    pub fn new() -> Self {
        Grouped::with_empty(A::default())
    }

    /// No groups; new ones start as copies of `empty`.
    pub fn with_empty(empty: A) -> Self {
        Grouped {
            empty,
            groups: BTreeMap::new(),
        }
    }

    /// Adds one record to the group of `key`. O(log groups).
    ///
    /// # Errors
    ///
    /// As the accumulator's [`add`](Accumulator::add); nothing is counted
    /// then (a new group is not left behind).
    pub fn add(&mut self, key: K, item: A::Item<'_>) -> Result<(), Error> {
        match self.groups.entry(key) {
            std::collections::btree_map::Entry::Occupied(mut group) => group.get_mut().add(item),
            std::collections::btree_map::Entry::Vacant(slot) => {
                let mut group = self.empty.clone();
                group.add(item)?;
                slot.insert(group);
                Ok(())
            }
        }
    }

    /// Adds every group of `other` to the group of the same key here.
    ///
    /// # Errors
    ///
    /// As the accumulator's [`merge`](Accumulator::merge); `self` is then
    /// unchanged.
    pub fn merge(&mut self, other: &Grouped<K, A>) -> Result<(), Error>
    where
        K: Clone,
    {
        // Only the groups `other` touches are merged into copies, so that an
        // error leaves `self` as it was without copying the rest.
        let mut merged = Vec::with_capacity(other.groups.len());
        for (key, theirs) in &other.groups {
            let mut group = self.groups.get(key).unwrap_or(&self.empty).clone();
            group.merge(theirs)?;
            merged.push((key.clone(), group));
        }
        self.groups.extend(merged);
        Ok(())
    }

    /// The accumulator of `key`, if any record was added under it.
    pub fn get(&self, key: &K) -> Option<&A> {
        self.groups.get(key)
    }

    /// The groups in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&K, &A)> {
        self.groups.iter()
    }

    /// Each group's summary, in key order.
    pub fn summaries(&self) -> impl ExactSizeIterator<Item = (&K, A::Summary)> {
        self.groups
            .iter()
            .map(|(key, group)| (key, group.summary()))
    }

    /// How many groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether no record was added.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{Csat, Distribution, Nps};
    use crate::survey::{NpsScore, Scale};
    use proptest::prelude::*;
    use std::time::Duration;

    proptest! {
        /// Any split, merged in either order, equals one pass; and a
        /// round trip through bytes is the identity.
        #[test]
        fn merge_of_any_split_is_one_pass(
            rows in prop::collection::vec((0u8..4, 0i64..=10, 0u64..100_000), 0..300),
            cut in 0usize..300,
            reversed in any::<bool>(),
        ) {
            let cut = cut.min(rows.len());
            let build = |rows: &[(u8, i64, u64)]| {
                let mut nps: Grouped<u8, Nps> = Grouped::new();
                let mut waits: Grouped<u8, Distribution> = Grouped::new();
                for &(key, score, secs) in rows {
                    nps.add(key, NpsScore::new(score).unwrap()).unwrap();
                    waits.add(key, Duration::from_secs(secs)).unwrap();
                }
                (nps, waits)
            };
            let (whole_nps, whole_waits) = build(&rows);
            let (mut a, mut a_waits) = build(&rows[..cut]);
            let (mut b, mut b_waits) = build(&rows[cut..]);
            if reversed {
                b.merge(&a).unwrap();
                b_waits.merge(&a_waits).unwrap();
                (a, a_waits) = (b, b_waits);
            } else {
                a.merge(&b).unwrap();
                a_waits.merge(&b_waits).unwrap();
            }
            prop_assert_eq!(&a, &whole_nps);
            let summaries = |g: &Grouped<u8, Distribution>| g.summaries().map(|(k, s)| (*k, s)).collect::<Vec<_>>();
            prop_assert_eq!(summaries(&a_waits), summaries(&whole_waits));
            let bytes = postcard::to_allocvec(&a).unwrap();
            let back: Grouped<u8, Nps> = postcard::from_bytes(&bytes).unwrap();
            prop_assert_eq!(back, a);
        }
    }

    /// A group's accumulator starts as the empty one given, and a record
    /// that does not fit leaves no group behind.
    #[test]
    fn new_groups_copy_the_empty_accumulator() {
        let two_point = Scale::new(1, 2).unwrap();
        let mut by_region: Grouped<String, Csat> = Grouped::with_empty(Csat::new(two_point));
        by_region
            .add("north".into(), two_point.score(2).unwrap())
            .unwrap();
        assert!(by_region
            .add("south".into(), Scale::CSAT.score(5).unwrap())
            .is_err());
        assert_eq!(by_region.len(), 1);
        let north = by_region
            .get(&"north".to_owned())
            .unwrap()
            .summary()
            .unwrap();
        assert_eq!((north.responses, north.score), (1, 100.0));
    }
}
