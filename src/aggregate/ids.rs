//! The sets of accepted record ids: appended as records arrive, checked
//! for repeats in bulk.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::bits::BitSet;
use super::intern::{nth, Interner, Words};
use crate::error::{Error, ErrorKind};

/// The ids of one kind of record, each numbered.
///
/// A delivery's id is not looked up when it arrives: its bytes are
/// appended to a *pending* arena, and it is numbered `settled + j`, `j`
/// being its place among the pending ids. Pending ids are checked in bulk
/// when a report, a save or the streaming mode needs them: each is hashed,
/// the 64-bit keys `tag << 32 | j` (the tag being the top half of the
/// hash) are grouped by the tag's top bits in one counting pass, and each
/// group of about a thousand is then checked against its slice of the
/// settled table (whose home slots the same top bits pick) and against
/// a small table of its own, both in cache. One lookup per delivery, as
/// it arrives, would instead miss the cache at random for each. A
/// repeated id is the delivery of a record already accepted: the first
/// delivery in input order is kept, the others are repeats.
///
/// Ids that arrive in ascending order (counters, time-ordered UUIDs, in
/// the order of [`follows`]) are checked without hashing. The pending ids
/// are kept count of as *runs*, each id of a run following the one before
/// it (one comparison with the previous id per delivery), and so are the
/// settled ids, when they ascend by number. A run that follows the
/// largest settled id repeats none of them, and ids within a run are
/// distinct; while the pending ids are at most two runs, the check merges
/// the sorted sequences (the runs, and the settled ids if they ascend and
/// are not many more) instead of hashing: so a merged state of two such
/// parts, each settled or not, is checked in one pass over both. Other
/// ids are hashed; a settled set merged in (after no pending ids) is still
/// distinct among itself, and searched for only in the settled table.
///
/// A pending id costs its bytes and 4; a settled one its bytes, 4 and 11
/// to 21 bytes of table.
#[derive(Debug, Clone)]
pub(crate) struct IdSet {
    settled: Interner,
    pending: Vec<u8>,
    /// End offset of each pending id in `pending`.
    pending_ends: Vec<u32>,
    /// The number of the largest settled id in the order of [`follows`].
    top: Option<u32>,
    /// Whether each settled id follows the one numbered before it.
    settled_sorted: bool,
    /// Where each run of pending ids starts: at most [`RUNS`] of them.
    runs: Vec<u32>,
    /// Whether the pending ids came in more runs than that.
    scattered: bool,
    /// The [`Words`] of the last pending id, if they spell it whole.
    last_key: Option<Words>,
}

/// The runs of pending ids kept count of: a merge of two sorted parts.
const RUNS: usize = 2;

/// Settled ids are merged with a run of pending ids, rather than searched
/// for in their table, when they are at most this many times as many.
const MERGE_RATIO: usize = 4;

impl Default for IdSet {
    fn default() -> Self {
        IdSet {
            settled: Interner::default(),
            pending: Vec::new(),
            pending_ends: Vec::new(),
            top: None,
            settled_sorted: true,
            runs: Vec::new(),
            scattered: false,
            last_key: None,
        }
    }
}

/// Ids in shortlex order: a longer id comes after a shorter one, ids of
/// the same length in byte order. Decimal counters without leading zeros
/// ascend in it, as byte order does not (`"10" < "9"`).
#[inline]
fn shortlex(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    match (Words::of(a), Words::of(b)) {
        (a_words, b_words) if a_words.whole() && b_words.whole() => a_words.cmp(&b_words),
        _ => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
    }
}

/// Whether id `a` comes after id `b` in [`shortlex`] order.
#[inline]
fn follows(a: &[u8], b: &[u8]) -> bool {
    shortlex(a, b).is_gt()
}

/// Marks each id of `later` that is also in `earlier`, both ascending in
/// [`shortlex`] order (and so each without a repeat): one pass over both,
/// skipped when their ranges do not meet.
fn mark_common<'a>(
    earlier: (usize, impl Fn(usize) -> &'a [u8]),
    later: (std::ops::Range<usize>, impl Fn(usize) -> &'a [u8]),
    mut mark: impl FnMut(usize),
) {
    let ((len, a), (range, b)) = (earlier, later);
    if len == 0
        || range.is_empty()
        || follows(b(range.start), a(len - 1))
        || follows(a(0), b(range.end - 1))
    {
        return;
    }
    let (mut i, mut j) = (0, range.start);
    while i < len && j < range.end {
        match shortlex(a(i), b(j)) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                mark(j);
                i += 1;
                j += 1;
            }
        }
    }
}

/// The same ids, settled and pending; what is kept to check them faster
/// follows from them.
impl PartialEq for IdSet {
    fn eq(&self, other: &Self) -> bool {
        self.settled == other.settled
            && self.pending == other.pending
            && self.pending_ends == other.pending_ends
    }
}

impl Eq for IdSet {}

/// Saved states are settled first ([`IdSet::settle`]): only the settled
/// ids are written.
impl Serialize for IdSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.pending_ends.is_empty() {
            return Err(serde::ser::Error::custom("an id set with pending ids"));
        }
        self.settled.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for IdSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut set = IdSet {
            settled: Interner::deserialize(deserializer)?,
            ..IdSet::default()
        };
        set.note_settled(0);
        Ok(set)
    }
}

impl IdSet {
    /// Appends the id of a delivery and returns its number.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyIds`] past 2^32 − 1 deliveries, or 4 GiB of
    /// id bytes.
    #[inline]
    pub(crate) fn push(&mut self, text: &str) -> Result<u32, Error> {
        let number = self.next_number()?;
        // Settled and pending bytes together stay within 32-bit offsets, so
        // settling never runs out of them.
        let text = text.as_bytes();
        let all = self.settled.arena().len() + self.pending.len() + text.len();
        let end = u32::try_from(self.pending.len() + text.len())
            .ok()
            .filter(|_| u32::try_from(all).is_ok())
            .ok_or_else(|| Error::from(ErrorKind::TooManyIds))?;
        let words = Words::of(text);
        let key = words.whole().then_some(words);
        match key {
            Some(key) => key.append(&mut self.pending),
            None => self.pending.extend_from_slice(text),
        }
        let j = self.pending_ends.len();
        self.pending_ends.push(end);
        if !self.scattered {
            let continues = j > 0
                && match (key, self.last_key) {
                    (Some(key), Some(last)) => key > last,
                    _ => follows(text, self.pending_bytes(j - 1)),
                };
            if !continues {
                self.start_run(j);
            }
        }
        self.last_key = key;
        Ok(number)
    }

    /// Notes that a run of pending ids starts at pending id `j`.
    fn start_run(&mut self, j: usize) {
        if self.runs.len() < RUNS {
            self.runs.push(j as u32);
        } else {
            self.scattered = true;
        }
    }

    /// Updates the largest settled id and whether they ascend, for the
    /// settled ids from number `from` on.
    fn note_settled(&mut self, from: u32) {
        for n in from..self.settled.len() as u32 {
            let bytes = self.settled.bytes(n);
            if self.settled_sorted && n > 0 {
                // While they ascend, the largest is the one before.
                self.settled_sorted = follows(bytes, self.settled.bytes(n - 1));
                if self.settled_sorted {
                    self.top = Some(n);
                    continue;
                }
            }
            if self
                .top
                .is_none_or(|top| follows(bytes, self.settled.bytes(top)))
            {
                self.top = Some(n);
            }
        }
    }

    /// The number the next delivery gets.
    fn next_number(&self) -> Result<u32, Error> {
        u32::try_from(self.settled.len() + self.pending_ends.len())
            .ok()
            .filter(|&n| n < u32::MAX)
            .ok_or_else(|| ErrorKind::TooManyIds.into())
    }

    /// Appends all of `other`'s ids, settled then pending, as deliveries
    /// after this set's; returns the number here of `other`'s number 0
    /// (its numbers are shifted by it).
    ///
    /// # Errors
    ///
    /// As [`push`](Self::push); nothing is appended then.
    pub(crate) fn extend_from(&mut self, other: &IdSet) -> Result<u32, Error> {
        let base = self.next_number()?;
        let added = other.settled.len() + other.pending_ends.len();
        let bytes = other.settled.arena().len() + other.pending.len();
        let all = self.settled.arena().len() + self.pending.len() + bytes;
        if u32::try_from(base as usize + added).is_err() || u32::try_from(all).is_err() {
            return ErrorKind::TooManyIds.err();
        }
        self.pending.reserve(bytes);
        self.pending_ends.reserve(added);
        // Its settled ids are a run if they ascend; then its runs.
        let start = self.pending_ends.len();
        if other.settled.len() > 0 {
            if other.settled_sorted {
                self.start_run(start);
            } else {
                self.scattered = true;
            }
        }
        if other.scattered {
            self.scattered = true;
        }
        for &run in &other.runs {
            self.start_run(start + other.settled.len() + run as usize);
        }
        self.last_key = None;
        for (arena, ends) in [
            (other.settled.arena(), other.settled.ends()),
            (&other.pending[..], &other.pending_ends[..]),
        ] {
            let offset = self.pending.len() as u32;
            self.pending.extend_from_slice(arena);
            self.pending_ends
                .extend(ends.iter().map(|&end| end + offset));
        }
        Ok(base)
    }

    /// How many settled ids: the distinct ids once [`settle`]d.
    ///
    /// [`settle`]: Self::settle
    pub(crate) fn len(&self) -> usize {
        self.settled.len()
    }

    /// How many ids are pending.
    pub(crate) fn pending_len(&self) -> usize {
        self.pending_ends.len()
    }

    /// The bytes of the id numbered `id`, settled or pending.
    pub(crate) fn bytes(&self, id: u32) -> &[u8] {
        match (id as usize).checked_sub(self.settled.len()) {
            None => self.settled.bytes(id),
            Some(j) => self.pending_bytes(j),
        }
    }

    fn pending_bytes(&self, j: usize) -> &[u8] {
        nth(&self.pending, &self.pending_ends, j)
    }

    /// Whether `id` numbers a settled id.
    pub(crate) fn contains_number(&self, id: u32) -> bool {
        (id as usize) < self.settled.len()
    }

    /// The pending ids' keys `tag << 32 | j` (the tag being the top half
    /// of the id's hash), grouped by the tag's top bits in ascending order,
    /// in delivery order within a group; and where each group starts (one
    /// more entry, the end).
    fn pending_groups(&self) -> (Vec<u64>, Vec<usize>) {
        let n = self.pending_ends.len();
        // Groups of about a thousand ids: each one's slice of the settled
        // table, and a table of its own ids, stay in cache.
        let bits = (usize::BITS - (n / 1024).leading_zeros()).min(12);
        let group = |key: u64| (key >> 32 >> (32 - bits)) as usize;
        let key = |j: usize| self.settled.hash(self.pending_bytes(j)) & !0xFFFF_FFFF | j as u64;
        if bits == 0 {
            return ((0..n).map(key).collect(), vec![0, n]);
        }
        // Hashing twice (to count the groups, then to fill them) is cheaper
        // than writing and reading back a vector of keys.
        let mut starts = vec![0usize; (1 << bits) + 1];
        for j in 0..n {
            starts[group(key(j)) + 1] += 1;
        }
        for g in 1..starts.len() {
            starts[g] += starts[g - 1];
        }
        let mut next = starts.clone();
        let mut grouped = vec![0u64; n];
        for j in 0..n {
            let key = key(j);
            let slot = &mut next[group(key)];
            grouped[*slot] = key;
            *slot += 1;
        }
        (grouped, starts)
    }

    /// Which pending ids repeat a settled id or an earlier pending one.
    /// Changes nothing.
    pub(crate) fn repeats(&self) -> Repeats {
        self.sorted_repeats()
            .unwrap_or_else(|| self.hashed_repeats(&self.pending_groups()))
    }

    /// Whether pending id `j` does not follow the largest settled id.
    fn below_top(&self, j: usize) -> bool {
        self.top
            .is_some_and(|top| !follows(self.pending_bytes(j), self.settled.bytes(top)))
    }

    /// The pending runs, as ranges of pending ids.
    fn run_ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let ends = self.runs.iter().skip(1).map(|&r| r as usize);
        let ends = ends.chain([self.pending_ends.len()]);
        self.runs
            .iter()
            .zip(ends)
            .map(|(&start, end)| start as usize..end)
    }

    /// [`repeats`](Self::repeats) found by merging sorted sequences, when
    /// the pending ids are at most [`RUNS`] runs, each either above the
    /// settled ids or merged with them (see [`IdSet`]).
    fn sorted_repeats(&self) -> Option<Repeats> {
        if self.scattered {
            return None;
        }
        let below_top = |run: &std::ops::Range<usize>| self.below_top(run.start);
        let merged = |run: &std::ops::Range<usize>| {
            self.settled_sorted && self.settled.len() <= MERGE_RATIO * run.len()
        };
        if !self
            .run_ranges()
            .all(|run| !below_top(&run) || merged(&run))
        {
            return None;
        }
        let mut repeats = Repeats::new(self.pending_ends.len());
        let settled = (self.settled.len(), |n: usize| self.settled.bytes(n as u32));
        let pending = |j: usize| self.pending_bytes(j);
        let runs: Vec<_> = self.run_ranges().collect();
        for run in &runs {
            if below_top(run) {
                mark_common(settled, (run.clone(), pending), |j| repeats.set(j));
            }
        }
        if let [first, second] = &runs[..] {
            let first = (first.len(), |i: usize| self.pending_bytes(first.start + i));
            mark_common(first, (second.clone(), pending), |j| repeats.set(j));
        }
        Some(repeats)
    }

    /// [`repeats`](Self::repeats), and the pending keys in groups (which
    /// settling files).
    fn check(&self) -> (Repeats, Vec<u64>) {
        let groups = self.pending_groups();
        let repeats = self
            .sorted_repeats()
            .unwrap_or_else(|| self.hashed_repeats(&groups));
        (repeats, groups.0)
    }

    /// [`repeats`](Self::repeats) found from the pending keys in groups
    /// ([`pending_groups`](Self::pending_groups)): each group checked
    /// against the settled table and, unless the pending ids are known
    /// distinct, against a table of its own.
    fn hashed_repeats(&self, (keys, starts): &(Vec<u64>, Vec<usize>)) -> Repeats {
        let mut repeats = Repeats::new(keys.len());
        // Ids of one run (a settled set's, say) are distinct.
        let mixed = self.scattered || self.runs.len() > 1;
        let largest = starts.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        // A table of one group's first deliveries: `key + 1` per slot, 0
        // when empty; at most half full. Cleared slot by slot after each
        // group, it is kept over `hashbrown::HashTable`: bench
        // `aggregate/settle_1m_events` was 30% slower with this table and
        // the `Interner`'s on `HashTable`.
        let slots = if mixed {
            (largest * 2).next_power_of_two().max(16)
        } else {
            0
        };
        let mut table = vec![0u64; slots];
        let mask = slots.wrapping_sub(1);
        for group in starts.windows(2).map(|w| &keys[w[0]..w[1]]) {
            if !mixed {
                // Only the settled ids can be repeated.
                for &key in group {
                    let j = key as u32 as usize;
                    if self
                        .settled
                        .find_existing(|| self.pending_bytes(j), key)
                        .is_some()
                    {
                        repeats.set(j);
                    }
                }
                continue;
            }
            for &key in group {
                let j = key as u32 as usize;
                let text = || self.pending_bytes(j);
                // Bytes are read only when another id has the same tag.
                let mut repeat = self.settled.find_existing(text, key).is_some();
                let mut i = (key >> 32) as usize & mask;
                while !repeat && table[i] != 0 {
                    let earlier = table[i] - 1;
                    repeat = earlier >> 32 == key >> 32
                        && self.pending_bytes(earlier as u32 as usize) == text();
                    i = (i + 1) & mask;
                }
                if repeat {
                    repeats.set(j);
                } else {
                    table[i] = key + 1;
                }
            }
            for &key in group {
                let mut i = (key >> 32) as usize & mask;
                while table[i] != 0 {
                    table[i] = 0;
                    i = (i + 1) & mask;
                }
            }
        }
        repeats
    }

    /// Settles the pending ids: files the first delivery of each new id
    /// in the table and returns, for each pending id, its settled number,
    /// or `None` for a repeat.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyIds`] when the settled arena would pass 4 GiB;
    /// the set is then unchanged.
    pub(crate) fn settle(&mut self) -> Result<Vec<Option<u32>>, Error> {
        if u32::try_from(self.settled.arena().len() + self.pending.len()).is_err() {
            return ErrorKind::TooManyIds.err();
        }
        let (repeats, keys) = self.check();
        // First deliveries are numbered, and their bytes appended, in
        // delivery order: a settled set does not depend on when it was
        // settled, and records that came in order keep their ids in order.
        let known = self.settled.len() as u32;
        self.settled.reserve(repeats.firsts(), self.pending.len());
        let mut numbers = Vec::with_capacity(keys.len());
        for j in 0..keys.len() {
            if repeats.get(j) {
                numbers.push(None);
            } else {
                numbers.push(Some(self.settled.len() as u32));
                self.settled
                    .push_unfiled(nth(&self.pending, &self.pending_ends, j));
            }
        }
        // Then filed in group order, so that the table is written nearly
        // in order; a first delivery's number is `known` plus the first
        // deliveries before it.
        let ranks = repeats.ranks();
        for &key in &keys {
            let j = key as u32 as usize;
            if !repeats.get(j) {
                self.settled.file(key, known + ranks.firsts_before(j));
            }
        }
        // One run above the largest settled id: no repeat, and the settled
        // ids ascend as before, up to the run's last.
        let above = self.runs.len() == 1 && !self.scattered && !self.below_top(0);
        match (above, numbers.last()) {
            (true, Some(&Some(last))) => self.top = Some(last),
            _ => self.note_settled(known),
        }
        self.runs.clear();
        self.scattered = false;
        self.last_key = None;
        // Their room is given back: a settled state is often kept or saved
        // as it is, and a stream's next pending ids soon make new room.
        self.pending = Vec::new();
        self.pending_ends = Vec::new();
        Ok(numbers)
    }

    /// Makes room for about `ids` more pending ids of `bytes` bytes, where
    /// it can be had (a hint).
    pub(crate) fn reserve(&mut self, ids: usize, bytes: usize) {
        let _ = self.pending_ends.try_reserve(ids);
        let _ = self.pending.try_reserve(bytes);
    }

    /// Bytes held on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.settled.heap_bytes() + self.pending.capacity() + self.pending_ends.capacity() * 4
    }
}

/// One bit per pending id: set for a repeat.
#[derive(Debug, Clone)]
pub(crate) struct Repeats {
    repeats: BitSet,
    len: usize,
}

impl Repeats {
    fn new(len: usize) -> Self {
        Repeats {
            repeats: BitSet::with_room(len),
            len,
        }
    }

    fn set(&mut self, j: usize) {
        self.repeats.insert(j);
    }

    /// Whether pending id `j` is a repeat.
    #[inline]
    pub(crate) fn get(&self, j: usize) -> bool {
        self.repeats.contains(j)
    }

    /// How many pending ids are first deliveries.
    pub(crate) fn firsts(&self) -> usize {
        self.len - self.repeats.len()
    }

    /// The counts of first deliveries before each word.
    fn ranks(&self) -> Ranks<'_> {
        let mut before = 0;
        let starts = self
            .repeats
            .words()
            .iter()
            .map(|w| {
                let start = before;
                before += 64 - w.count_ones();
                start
            })
            .collect();
        Ranks {
            words: self.repeats.words(),
            starts,
        }
    }
}

/// How many first deliveries come before a pending id, in O(1).
struct Ranks<'a> {
    /// The repeats' words.
    words: &'a [u64],
    /// First deliveries before each word.
    starts: Vec<u32>,
}

impl Ranks<'_> {
    fn firsts_before(&self, j: usize) -> u32 {
        let below = (1u64 << (j % 64)) - 1;
        let repeated = (self.words[j / 64] & below).count_ones();
        self.starts[j / 64] + (j % 64) as u32 - repeated
    }
}

#[cfg(test)]
mod tests;
