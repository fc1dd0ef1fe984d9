//! Duration distributions: exact count and mean, nearest-rank percentiles
//! within 0.5% in bounded memory.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// Up to this many values a distribution keeps them all, exactly.
const EXACT_LIMIT: usize = 256;

/// Relative accuracy of the sketch: every quantile it returns is within
/// this fraction of the true value at that rank.
pub const RELATIVE_ACCURACY: f64 = 0.005;

/// `γ = (1 + α) / (1 − α)`: bucket `i` holds the values in `(γ^(i−1), γ^i]`.
const GAMMA: f64 = (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY);

/// A distribution of durations: exact count and mean (an integer sum of
/// nanoseconds, no float drift) and any nearest-rank quantile.
///
/// Up to 256 values are kept exactly, so small groups get exact
/// percentiles. Beyond, values go into logarithmic buckets of ratio
/// `γ = 1.005/0.995` (the construction of DDSketch, Masson et al. 2019):
/// a returned quantile is within 0.5% of the true value at the rank
/// `⌈q·n⌉`, and memory grows with the logarithm of the value range
/// (about 1 100 buckets from one second to one day), not with n.
///
/// Merging adds counts bucket by bucket and is exact: any split of the
/// values, merged in any order, gives the distribution of one pass.
///
/// ```
/// use std::time::Duration;
/// use cxmetrics::kpi::Distribution;
/// let d: Distribution = [30, 60, 90, 600].into_iter().map(Duration::from_secs).collect();
/// assert_eq!(d.count(), 4);
/// assert_eq!(d.mean(), Some(Duration::from_secs(195)));
/// // Nearest rank: p50 is the value at rank ⌈0.5·4⌉ = 2.
/// assert_eq!(d.quantile(0.5), Some(Duration::from_secs(60)));
/// assert_eq!(d.quantile(0.9), Some(Duration::from_secs(600)));
/// assert_eq!(Distribution::new().mean(), None);
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "DistributionRepr", into = "DistributionRepr")]
pub struct Distribution {
    count: u64,
    /// Sum of all values in nanoseconds.
    sum: u128,
    store: Store,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Store {
    /// Every value in nanoseconds, in arrival order.
    Exact(Vec<u128>),
    /// Logarithmic buckets.
    Sketch(Buckets),
}

impl Default for Store {
    fn default() -> Self {
        Store::Exact(Vec::new())
    }
}

/// Values waiting in a sketch before they are counted in its buckets.
const PENDING: usize = 256;

/// Counts of zero values and of the buckets `offset..offset + counts.len()`.
///
/// New values wait as bucket indices in `pending` and are counted 256 at
/// a time: a report adds its tickets' durations to thousands of groups'
/// sketches in turn, and counting a burst touches a sketch's counts once
/// instead of a cache miss per value. Everything but adding sees the
/// pending values as counted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "BucketsRepr", into = "BucketsRepr")]
struct Buckets {
    zeros: u64,
    offset: i32,
    counts: Vec<u64>,
    pending: Vec<i32>,
}

/// The saved form of [`Buckets`]: pending values counted.
#[derive(Serialize, Deserialize)]
struct BucketsRepr {
    zeros: u64,
    offset: i32,
    counts: Vec<u64>,
}

impl From<BucketsRepr> for Buckets {
    fn from(repr: BucketsRepr) -> Self {
        Buckets {
            zeros: repr.zeros,
            offset: repr.offset,
            counts: repr.counts,
            pending: Vec::new(),
        }
    }
}

impl From<Buckets> for BucketsRepr {
    fn from(mut buckets: Buckets) -> Self {
        buckets.flush();
        BucketsRepr {
            zeros: buckets.zeros,
            offset: buckets.offset,
            counts: buckets.counts,
        }
    }
}

impl Buckets {
    /// The bucket of a positive number of nanoseconds: `⌈log_γ(x)⌉`.
    #[inline]
    fn index(nanos: u128) -> i32 {
        // Durations fit in 64 bits (584 years): a hardware conversion, not
        // the 128-bit routine, which is kept out of line lest it be run
        // ahead of the test. The same value either way.
        #[cold]
        #[inline(never)]
        fn wide(nanos: u128) -> f64 {
            nanos as f64
        }
        let x = u64::try_from(nanos).map_or_else(|_| wide(nanos), |n| n as f64);
        let log = x.ln() / GAMMA.ln();
        // `ceil` of a non-negative finite value, without the library call
        // that `f64::ceil` is on baseline x86-64.
        let whole = log as i32;
        whole + i32::from(f64::from(whole) < log)
    }

    /// The value a bucket stands for, `2γ^i/(γ + 1)`: within α of any
    /// value in the bucket.
    fn value(index: i32) -> u128 {
        (2.0 * GAMMA.powi(index) / (GAMMA + 1.0)).round() as u128
    }

    /// Adds one value.
    #[inline]
    fn add(&mut self, nanos: u128) {
        if nanos == 0 {
            self.zeros += 1;
            return;
        }
        self.pending.push(Buckets::index(nanos));
        if self.pending.len() >= PENDING {
            self.flush();
        }
    }

    /// Counts the pending values.
    fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        if let (Some(&low), Some(&high)) = (pending.iter().min(), pending.iter().max()) {
            self.cover(low, high);
            for index in &pending {
                self.counts[(index - self.offset) as usize] += 1;
            }
        }
        self.pending = pending;
        self.pending.clear();
    }

    /// Extends the counts to hold the buckets `low..=high`.
    fn cover(&mut self, low: i32, high: i32) {
        if self.counts.is_empty() {
            self.offset = low;
        }
        if low < self.offset {
            let grow = (self.offset - low) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = low;
        }
        let len = (high - self.offset) as usize + 1;
        if len > self.counts.len() {
            self.counts.resize(len, 0);
        }
    }

    fn add_index(&mut self, index: i32, count: u64) {
        self.cover(index, index);
        self.counts[(index - self.offset) as usize] += count;
    }

    fn merge(&mut self, other: &Buckets) {
        self.flush();
        self.zeros += other.zeros;
        if let (Some(first), Some(last)) = (
            other.counts.iter().position(|&c| c > 0),
            other.counts.iter().rposition(|&c| c > 0),
        ) {
            self.cover(other.offset + first as i32, other.offset + last as i32);
            for (i, &count) in other.counts.iter().enumerate().take(last + 1).skip(first) {
                self.counts[(other.offset + i as i32 - self.offset) as usize] += count;
            }
        }
        for &index in &other.pending {
            self.add_index(index, 1);
        }
    }

    /// The counted form: no value pending.
    fn flushed(&self) -> std::borrow::Cow<'_, Buckets> {
        if self.pending.is_empty() {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut flushed = self.clone();
            flushed.flush();
            std::borrow::Cow::Owned(flushed)
        }
    }

    /// The number of values, pending ones included.
    fn total(&self) -> Option<u64> {
        self.counts
            .iter()
            .try_fold(self.zeros, |sum, &c| sum.checked_add(c))?
            .checked_add(self.pending.len() as u64)
    }

    /// The values at 1-based `ranks`, counting pending values once for all.
    fn at_ranks<const N: usize>(&self, ranks: [u64; N]) -> [u128; N] {
        // The pending values are counted as the buckets are walked, from
        // a sorted copy of them, rather than in a copy of the counts.
        let mut pending = self.pending.clone();
        pending.sort_unstable();
        ranks.map(|rank| self.at_rank(rank, &pending))
    }

    /// The value at 1-based `rank`, the `pending` bucket indices (sorted)
    /// counted too.
    fn at_rank(&self, rank: u64, pending: &[i32]) -> u128 {
        if rank <= self.zeros {
            return 0;
        }
        let last = self.offset + self.counts.len() as i32 - 1;
        let (low, high) = match (pending.first(), pending.last()) {
            (Some(&first), Some(&end)) if self.counts.is_empty() => (first, end),
            (Some(&first), Some(&end)) => (first.min(self.offset), end.max(last)),
            _ => (self.offset, last),
        };
        let (mut seen, mut next) = (self.zeros, 0);
        for index in low..=high {
            let counted = usize::try_from(index - self.offset)
                .ok()
                .and_then(|i| self.counts.get(i));
            seen += counted.copied().unwrap_or(0);
            while pending.get(next) == Some(&index) {
                seen += 1;
                next += 1;
            }
            if seen >= rank {
                return Buckets::value(index);
            }
        }
        // Unreachable while the counts add up to the distribution's count.
        Buckets::value(high)
    }
}

impl PartialEq for Buckets {
    /// Equal counts, pending values counted.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.flushed(), other.flushed());
        (a.zeros, a.offset, &a.counts) == (b.zeros, b.offset, &b.counts)
    }
}

impl Eq for Buckets {}

/// The saved form, checked when read back.
#[derive(Serialize, Deserialize)]
struct DistributionRepr {
    count: u64,
    sum: u128,
    store: Store,
}

impl TryFrom<DistributionRepr> for Distribution {
    type Error = Error;
    fn try_from(repr: DistributionRepr) -> Result<Self, Error> {
        let stored = match &repr.store {
            Store::Exact(values) => {
                Some(values.len() as u64).filter(|_| values.len() <= EXACT_LIMIT)
            }
            Store::Sketch(b) => b.total().filter(|_| b.counts.len() <= 1 << 16),
        };
        if stored != Some(repr.count) {
            return ErrorKind::corrupt("distribution counts do not add up").err();
        }
        Ok(Distribution {
            count: repr.count,
            sum: repr.sum,
            store: repr.store,
        })
    }
}

impl From<Distribution> for DistributionRepr {
    fn from(d: Distribution) -> Self {
        DistributionRepr {
            count: d.count,
            sum: d.sum,
            store: d.store,
        }
    }
}

fn nanos(duration: Duration) -> u128 {
    duration.as_nanos()
}

fn duration(nanos: u128) -> Duration {
    let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    Duration::new(secs, (nanos % 1_000_000_000) as u32)
}

impl Distribution {
    /// An empty distribution.
    pub fn new() -> Self {
        Distribution::default()
    }

    /// Adds one value. O(1) amortized.
    #[inline]
    pub fn add(&mut self, value: Duration) {
        let value = nanos(value);
        self.count += 1;
        self.sum += value;
        match &mut self.store {
            Store::Exact(values) if values.len() < EXACT_LIMIT => values.push(value),
            Store::Exact(_) => {
                self.make_sketch();
                self.add_to_sketch(value);
            }
            Store::Sketch(buckets) => buckets.add(value),
        }
    }

    fn add_to_sketch(&mut self, value: u128) {
        if let Store::Sketch(buckets) = &mut self.store {
            buckets.add(value);
        }
    }

    /// Turns exact values into buckets.
    fn make_sketch(&mut self) {
        if let Store::Exact(values) = &self.store {
            let mut buckets = Buckets::default();
            for &value in values {
                buckets.add(value);
            }
            self.store = Store::Sketch(buckets);
        }
    }

    /// Adds `other`'s values, as if they had been added here.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CountOverflow`] past `u64::MAX` values (only with
    /// forged saved state); `self` is then unchanged.
    pub fn merge(&mut self, other: &Distribution) -> Result<(), Error> {
        let count = self
            .count
            .checked_add(other.count)
            .ok_or(ErrorKind::CountOverflow)?;
        let sum = self
            .sum
            .checked_add(other.sum)
            .ok_or(ErrorKind::CountOverflow)?;
        match (&mut self.store, &other.store) {
            (Store::Exact(mine), Store::Exact(theirs))
                if mine.len() + theirs.len() <= EXACT_LIMIT =>
            {
                mine.extend_from_slice(theirs);
            }
            (_, theirs) => {
                self.make_sketch();
                if let Store::Sketch(buckets) = &mut self.store {
                    match theirs {
                        Store::Exact(values) => values.iter().for_each(|&v| buckets.add(v)),
                        Store::Sketch(other) => buckets.merge(other),
                    }
                }
            }
        }
        self.count = count;
        self.sum = sum;
        Ok(())
    }

    /// The number of values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The exact mean, to the nanosecond; `None` when empty.
    pub fn mean(&self) -> Option<Duration> {
        (self.count > 0).then(|| duration(self.sum / u128::from(self.count)))
    }

    /// The exact mean in seconds; `None` when empty.
    pub fn mean_secs(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / 1e9 / self.count as f64)
    }

    /// The nearest-rank quantile: the value at rank `⌈q·n⌉` (at least 1)
    /// of the sorted values; exact up to 256 values, within 0.5% beyond.
    /// `None` when empty or when `q` is not in `0..=1`.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        self.quantiles([q]).map(|[value]| value)
    }

    /// [`quantile`](Self::quantile) of several `qs` at once: the exact
    /// values are copied and sorted once, a sketch's waiting values counted
    /// once. `None` without values or when a `q` is outside `0..=1`.
    pub fn quantiles<const N: usize>(&self, qs: [f64; N]) -> Option<[Duration; N]> {
        if self.count == 0 || qs.iter().any(|q| !(0.0..=1.0).contains(q)) {
            return None;
        }
        let ranks = qs.map(|q| ((q * self.count as f64).ceil() as u64).clamp(1, self.count));
        let values = match &self.store {
            Store::Exact(values) => {
                // Each rank selected in turn, in ascending order, from the
                // part of the copy above the one before: no full sort.
                let mut copy = values.clone();
                let mut by_rank: [usize; N] = std::array::from_fn(|i| i);
                by_rank.sort_unstable_by_key(|&i| ranks[i]);
                let (mut found, mut low) = ([0; N], 0);
                for i in by_rank {
                    let at = (ranks[i] - 1) as usize;
                    found[i] = *copy[low..].select_nth_unstable(at - low).1;
                    low = at;
                }
                found
            }
            Store::Sketch(buckets) => buckets.at_ranks(ranks),
        };
        Some(values.map(duration))
    }

    /// Whether the values are still kept exactly.
    pub fn is_exact(&self) -> bool {
        matches!(self.store, Store::Exact(_))
    }
}

impl PartialEq for Distribution {
    /// Equal counts, sums and stores; exact values compare as multisets
    /// (their arrival order does not matter).
    fn eq(&self, other: &Self) -> bool {
        if (self.count, self.sum) != (other.count, other.sum) {
            return false;
        }
        match (&self.store, &other.store) {
            (Store::Exact(a), Store::Exact(b)) => {
                let (mut a, mut b) = (a.clone(), b.clone());
                a.sort_unstable();
                b.sort_unstable();
                a == b
            }
            (a, b) => a == b,
        }
    }
}

impl Eq for Distribution {}

impl Extend<Duration> for Distribution {
    fn extend<I: IntoIterator<Item = Duration>>(&mut self, values: I) {
        values.into_iter().for_each(|v| self.add(v));
    }
}

impl FromIterator<Duration> for Distribution {
    fn from_iter<I: IntoIterator<Item = Duration>>(values: I) -> Self {
        let mut d = Distribution::new();
        d.extend(values);
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact_rank(values: &[u128], q: f64) -> u128 {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    proptest! {
        /// Several quantiles at once are each one's own, exact or sketched,
        /// with values waiting to be counted or not.
        #[test]
        fn quantiles_at_once_match_one_by_one(
            values in prop::collection::vec(0u64..10_000_000_000, 1..800),
            qs in prop::array::uniform3(0.0f64..=1.0),
        ) {
            let d: Distribution = values.iter().map(|&v| Duration::from_nanos(v)).collect();
            let at_once = d.quantiles(qs).unwrap();
            for (q, value) in qs.iter().zip(at_once) {
                prop_assert_eq!(Some(value), d.quantile(*q));
            }
            prop_assert_eq!(d.quantiles([0.5, 1.5]), None);
        }

        /// The bucket is `⌈ln x / ln γ⌉` as the float library computes it,
        /// for any duration and at bucket bounds.
        #[test]
        fn bucket_index_is_the_ceiling_of_the_log(nanos in 1u128..=u128::from(u64::MAX) * 4, k in 0i32..2000) {
            let expected = |x: u128| ((x as f64).ln() / GAMMA.ln()).ceil() as i32;
            prop_assert_eq!(Buckets::index(nanos), expected(nanos));
            let bound = GAMMA.powi(k) as u128;
            for x in [bound.max(1), bound + 1, bound.saturating_sub(1).max(1)] {
                prop_assert_eq!(Buckets::index(x), expected(x));
            }
        }
    }

    #[test]
    fn nearest_rank_for_small_groups() {
        // [300.25, 480] (ben's first responses in tickets-edge): p50 = rank 1,
        // p90 = rank 2.
        let d: Distribution = [Duration::new(480, 0), Duration::new(300, 250_000_000)]
            .into_iter()
            .collect();
        assert_eq!(d.quantile(0.5), Some(Duration::new(300, 250_000_000)));
        assert_eq!(d.quantile(0.9), Some(Duration::new(480, 0)));
        assert_eq!(d.mean_secs(), Some(390.125));
        assert_eq!(d.quantile(0.0), Some(Duration::new(300, 250_000_000)));
        assert_eq!(d.quantile(1.5), None);
        assert!(d.is_exact());
    }

    #[test]
    fn sketch_beyond_the_limit() {
        let d: Distribution = (1..=10_000u64).map(Duration::from_secs).collect();
        assert!(!d.is_exact());
        assert_eq!(d.mean_secs(), Some(5000.5));
        for (q, expected) in [
            (0.5, 5000.0),
            (0.9, 9000.0),
            (0.99, 9900.0),
            (1.0, 10_000.0),
        ] {
            let got = d.quantile(q).unwrap().as_secs_f64();
            assert!(
                (got - expected).abs() <= expected * RELATIVE_ACCURACY,
                "q {q}: {got}"
            );
        }
        let zeros: Distribution = std::iter::repeat_n(Duration::ZERO, 300)
            .chain([Duration::from_secs(5)])
            .collect();
        assert_eq!(zeros.quantile(0.9), Some(Duration::ZERO));
        assert!((zeros.quantile(1.0).unwrap().as_secs_f64() - 5.0).abs() < 0.025);
    }

    #[test]
    fn pending_values_count_everywhere() {
        // 300 values: 256 exact ones made a sketch, then 44 wait uncounted.
        let values: Vec<u128> = (1..=300).map(|i| i * 1_000_000_007).collect();
        let d: Distribution = values.iter().map(|&v| duration(v)).collect();
        let Store::Sketch(buckets) = &d.store else {
            panic!("a sketch beyond 256 values");
        };
        assert_eq!(buckets.pending.len(), 44);
        assert_eq!(buckets.total(), Some(300));
        let p90 = d.quantile(0.9).unwrap().as_nanos();
        let expected = exact_rank(&values, 0.9);
        assert!((p90 as f64 - expected as f64).abs() <= expected as f64 * RELATIVE_ACCURACY);
        // Saved counted, read back equal.
        let bytes = postcard::to_allocvec(&d).unwrap();
        let back: Distribution = postcard::from_bytes(&bytes).unwrap();
        let Store::Sketch(saved) = &back.store else {
            panic!("a sketch read back");
        };
        assert!(saved.pending.is_empty());
        assert_eq!(back, d);
        assert_eq!(back.quantile(0.9), d.quantile(0.9));
        // Merged into a distribution whose values are counted already.
        let mut merged: Distribution = values[..299].iter().map(|&v| duration(v)).collect();
        merged
            .merge(&std::iter::once(duration(values[299])).collect())
            .unwrap();
        assert_eq!(merged, d);
    }

    #[test]
    fn corrupt_saved_state_is_an_error() {
        let d: Distribution = (1..=3u64).map(Duration::from_secs).collect();
        let mut json: serde_json::Value = serde_json::to_value(&d).unwrap();
        json["count"] = 4.into();
        let err = serde_json::from_value::<Distribution>(json).unwrap_err();
        assert!(
            err.to_string()
                .contains("distribution counts do not add up"),
            "{err}"
        );
    }

    /// Heavy-tailed durations: log-uniform over nine orders of magnitude,
    /// with exact zeros and sub-second values.
    fn heavy_tailed() -> impl Strategy<Value = Vec<u128>> {
        let value = prop_oneof![
            1 => Just(0u128),
            8 => (0.0f64..21.0).prop_map(|e| 10f64.powf(e) as u128),
            1 => 0u128..1_000_000_000,
        ];
        prop::collection::vec(value, 1..3000)
    }

    proptest! {
        #[test]
        fn percentile_error_is_within_one_percent(values in heavy_tailed(), q in 0.0f64..=1.0) {
            let d: Distribution = values.iter().map(|&v| duration(v)).collect();
            let expected = exact_rank(&values, q);
            let got = d.quantile(q).unwrap().as_nanos();
            let error = (got as f64 - expected as f64).abs();
            prop_assert!(error <= expected as f64 * RELATIVE_ACCURACY * 1.0001 + 1.0, "q {} got {} expected {}", q, got, expected);
            prop_assert_eq!(d.count(), values.len() as u64);
            prop_assert_eq!(d.mean().unwrap(), duration(values.iter().sum::<u128>() / values.len() as u128));
        }

        #[test]
        fn merge_of_any_split_equals_one_pass(values in heavy_tailed(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..5), reverse in any::<bool>()) {
            let whole: Distribution = values.iter().map(|&v| duration(v)).collect();
            let mut bounds: Vec<usize> = cuts.iter().map(|c| c.index(values.len() + 1)).collect();
            bounds.extend([0, values.len()]);
            bounds.sort_unstable();
            let mut parts: Vec<Distribution> = bounds.windows(2).map(|w| values[w[0]..w[1]].iter().map(|&v| duration(v)).collect()).collect();
            if reverse { parts.reverse(); }
            let mut merged = Distribution::new();
            for part in &parts { merged.merge(part).unwrap(); }
            prop_assert_eq!(&merged, &whole);
            for q in [0.5, 0.9] {
                prop_assert_eq!(merged.quantile(q), whole.quantile(q));
            }
            let json = serde_json::to_string(&merged).unwrap();
            prop_assert_eq!(serde_json::from_str::<Distribution>(&json).unwrap(), whole);
        }
    }
}
