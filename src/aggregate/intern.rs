//! Strings to dense ids: dimension values, ticket ids and record ids.

use std::hash::BuildHasher;

use hashbrown::DefaultHashBuilder;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// A set of distinct strings numbered 0, 1, 2, … in insertion order.
///
/// The strings live end to end in one byte arena with their end offsets.
/// The table is open addressing with linear probing over 8-byte slots,
/// each `tag << 32 | (number + 1)` (0 when empty), the tag being the top
/// 32 bits of the string's 64-bit hash: its top bits pick the home slot,
/// so a lookup reads one slot (a cache line holds eight, so a probe
/// rarely crosses one) and the arena only when a tag matches, and growing
/// to twice the slots walks the old table in order and writes the new one
/// nearly in order, without reading the arena. It grows at 3/4 load. A
/// string of `k` bytes costs `k + 4` bytes plus 11 to 21 bytes of table,
/// with no allocation of its own. It also holds the settled record ids
/// of an `IdSet`: no fingerprint, so no collision to reason about, and the
/// ids' byte order stays available for tie-breaking.
///
/// Kept over `hashbrown::HashTable`, which measured slower with the same
/// hashes: benches `aggregate/settle_1m_events` (+30%),
/// `aggregate/state_decode` (+9%) and `aggregate/events_agent_day` (+8%).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "InternerRepr", into = "InternerRepr")]
pub(crate) struct Interner {
    bytes: Vec<u8>,
    ends: Vec<u32>,
    /// `tag << 32 | (number + 1)`, or 0; the length is 0 or a power of two.
    slots: Vec<u64>,
    hasher: DefaultHashBuilder,
    /// The number [`intern_recent`](Self::intern_recent) found last.
    recent: Option<u32>,
    /// What [`intern_cached`](Self::intern_cached) found lately: empty
    /// until it is first called.
    cache: Vec<Recent>,
}

/// String `i` of strings stored end to end in `arena`, ending at `ends`.
#[inline]
pub(super) fn nth<'a>(arena: &'a [u8], ends: &[u32], i: usize) -> &'a [u8] {
    let start = i.checked_sub(1).map_or(0, |before| ends[before] as usize);
    &arena[start..ends[i] as usize]
}

/// Slots of a table's first allocation.
const MIN_SLOTS: usize = 16;

/// Slots of the cache of [`Interner::intern_cached`].
const CACHE_SLOTS: usize = 512;

/// A string's length and its first and last eight bytes as big-endian
/// words, read by overlapping loads of fixed size (no copy of a variable
/// length). A string of up to 16 bytes is spelled whole (one of fewer than
/// 8 bytes in `head`, to the left, `tail` 0): two such are equal when
/// their strings are, and compared as a tuple they are ordered as their
/// strings in shortlex order (shorter first, then byte by byte). A longer
/// string only has its ends here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Words {
    len: usize,
    head: u64,
    tail: u64,
}

impl Words {
    #[inline]
    pub(super) fn of(text: &[u8]) -> Words {
        let len = text.len();
        let (head, tail) = match (text.first_chunk(), text.last_chunk()) {
            (Some(head), Some(tail)) => (u64::from_be_bytes(*head), u64::from_be_bytes(*tail)),
            _ => match (text.first_chunk(), text.last_chunk()) {
                // 4 to 7 bytes: the last four shifted to their place after
                // the first four (the bytes they share land on themselves).
                (Some(head), Some(tail)) => {
                    let (head, tail) = (u32::from_be_bytes(*head), u32::from_be_bytes(*tail));
                    (
                        u64::from(head) << 32 | u64::from(tail) << (8 * (8 - len)),
                        0,
                    )
                }
                _ => {
                    let shifted = text.iter().zip((0..8).rev());
                    (
                        shifted.fold(0, |word, (&b, at)| word | u64::from(b) << (8 * at)),
                        0,
                    )
                }
            },
        };
        Words { len, head, tail }
    }

    /// Whether these words spell their string whole (16 bytes or fewer).
    #[inline]
    pub(super) fn whole(&self) -> bool {
        self.len <= 16
    }

    /// Appends the string these words spell whole to `arena`: two stores
    /// of fixed size rather than a call to `memcpy`.
    #[inline]
    pub(super) fn append(self, arena: &mut Vec<u8>) {
        let (start, len) = (arena.len(), self.len);
        arena.extend_from_slice(&[0; 16]);
        let room = &mut arena[start..start + 16];
        room[..8].copy_from_slice(&self.head.to_be_bytes());
        if len >= 8 {
            room[len - 8..len].copy_from_slice(&self.tail.to_be_bytes());
        }
        arena.truncate(start + len);
    }
}

/// A string found lately: its [`Words`] and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Recent {
    words: Words,
    number: u32,
}

impl Recent {
    /// Matches no string: no string is that long.
    const EMPTY: Recent = Recent {
        words: Words {
            len: usize::MAX,
            head: 0,
            tail: 0,
        },
        number: 0,
    };

    #[inline]
    fn of(text: &[u8], number: u32) -> Recent {
        Recent {
            words: Words::of(text),
            number,
        }
    }

    /// Its cache slot.
    #[inline]
    fn slot(&self) -> usize {
        let Words { len, head, tail } = self.words;
        let mixed = (head ^ tail.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - CACHE_SLOTS.trailing_zeros())) as usize
    }

    /// The same length and first and last bytes.
    #[inline]
    fn same(&self, other: &Recent) -> bool {
        self.words == other.words
    }
}

#[derive(Serialize, Deserialize)]
struct InternerRepr {
    #[serde(with = "serde_bytes_compat")]
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

/// `Vec<u8>` as a byte string: postcard writes its length and the raw
/// bytes (a sequence would spend two bytes on each byte above 127).
mod serde_bytes_compat {
    use std::fmt;

    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_byte_buf(BytesVisitor)
    }

    struct BytesVisitor;

    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a byte string")
        }

        fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
            Ok(bytes.to_vec())
        }

        fn visit_byte_buf<E: Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(bytes)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(byte) = seq.next_element()? {
                bytes.push(byte);
            }
            Ok(bytes)
        }
    }
}

impl TryFrom<InternerRepr> for Interner {
    type Error = Error;
    /// Takes the arena as read, after checking it, and files every string
    /// in a new table.
    fn try_from(repr: InternerRepr) -> Result<Self, Error> {
        let corrupt = |what: &str| ErrorKind::corrupt(what).err();
        let mut start = 0u32;
        for &end in &repr.ends {
            if end < start || end as usize > repr.bytes.len() {
                return corrupt("string offsets out of order");
            }
            start = end;
        }
        if start as usize != repr.bytes.len() {
            return corrupt("bytes after the last string");
        }
        // Each string is UTF-8 when the whole arena is and every string
        // starts on a character boundary.
        let Ok(text) = std::str::from_utf8(&repr.bytes) else {
            return corrupt("a string is not UTF-8");
        };
        if !repr
            .ends
            .iter()
            .all(|&end| text.is_char_boundary(end as usize))
        {
            return corrupt("a string is not UTF-8");
        }
        let mut interner = Interner {
            bytes: repr.bytes,
            ends: repr.ends,
            ..Interner::default()
        };
        interner.index()?;
        Ok(interner)
    }
}

impl From<Interner> for InternerRepr {
    fn from(interner: Interner) -> Self {
        InternerRepr {
            bytes: interner.bytes,
            ends: interner.ends,
        }
    }
}

impl Interner {
    /// The symbols here (number + 1; 0 for none) of every string of
    /// `other`, interning those not yet here: index `n + 1` of the result
    /// is the symbol of `other`'s string `n`, index 0 stays 0. How one
    /// state's dimension values are renamed into another's on a merge.
    ///
    /// # Errors
    ///
    /// As [`intern`](Self::intern).
    pub(crate) fn symbols_of(&mut self, other: &Interner) -> Result<Vec<u32>, Error> {
        std::iter::once(Ok(0))
            .chain(other.iter().map(|n| self.intern(n).map(|(i, _)| i + 1)))
            .collect()
    }

    /// The number of `text`, adding it if new; `true` when it was new.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooManyIds`] when the arena would pass 4 GiB of string
    /// bytes (its offsets are 32-bit, to save 4 bytes per string).
    #[inline]
    pub(crate) fn intern(&mut self, text: &str) -> Result<(u32, bool), Error> {
        let hash = self.hash(text.as_bytes());
        self.intern_hashed(text.as_bytes(), hash)
    }

    /// [`intern`](Self::intern), first comparing `text` with the string
    /// this method found last: a ticket's events often come one after
    /// another, so the hash and the table are often spared.
    ///
    /// # Errors
    ///
    /// As [`intern`](Self::intern).
    #[inline]
    pub(crate) fn intern_recent(&mut self, text: &str) -> Result<(u32, bool), Error> {
        if let Some(recent) = self.recent {
            if self.bytes(recent) == text.as_bytes() {
                return Ok((recent, false));
            }
        }
        let found = self.intern(text)?;
        self.recent = Some(found.0);
        Ok(found)
    }

    /// [`intern`](Self::intern), first looking in a small cache of the
    /// strings this method found lately, filed by their length and first
    /// and last eight bytes: dimension values are few, so the hash and the
    /// table are mostly spared. A string of up to 16 bytes is told by
    /// those alone, without reading the arena.
    ///
    /// # Errors
    ///
    /// As [`intern`](Self::intern).
    #[inline]
    pub(crate) fn intern_cached(&mut self, text: &str) -> Result<(u32, bool), Error> {
        let probe = Recent::of(text.as_bytes(), 0);
        let slot = probe.slot();
        if let Some(entry) = self.cache.get(slot) {
            if entry.same(&probe)
                && (text.len() <= 16 || self.bytes(entry.number) == text.as_bytes())
            {
                return Ok((entry.number, false));
            }
        }
        let found = self.intern(text)?;
        if self.cache.is_empty() {
            self.cache = vec![Recent::EMPTY; CACHE_SLOTS];
        }
        self.cache[slot] = Recent::of(text.as_bytes(), found.0);
        Ok(found)
    }

    /// The hash the table files `text` under.
    #[inline]
    pub(super) fn hash(&self, text: &[u8]) -> u64 {
        self.hasher.hash_one(text)
    }

    /// The home slot of a string whose hash's top 32 bits are `tag`, in a
    /// table of `len` slots (a power of two): the tag's top bits.
    #[inline]
    fn home(tag: u32, len: usize) -> usize {
        (u64::from(tag) << 32 >> (64 - len.trailing_zeros())) as usize
    }

    /// [`intern`](Self::intern) with the text's [`hash`](Self::hash)
    /// already known. `text` is UTF-8: it comes from a `&str` or from an
    /// interner.
    #[inline]
    fn intern_hashed(&mut self, text: &[u8], hash: u64) -> Result<(u32, bool), Error> {
        if self.ends.len() >= self.slots.len() / 4 * 3 {
            self.grow();
        }
        let i = match self.find(|| text, hash) {
            Ok(number) => return Ok((number, false)),
            Err(free) => free,
        };
        let number = self.ends.len() as u32;
        let end =
            u32::try_from(self.bytes.len() + text.len()).map_err(|_| ErrorKind::TooManyIds)?;
        if number == u32::MAX {
            return ErrorKind::TooManyIds.err();
        }
        self.slots[i] = hash & !0xFFFF_FFFF | u64::from(number + 1);
        self.bytes.extend_from_slice(text);
        self.ends.push(end);
        Ok((number, true))
    }

    /// The number of `text`, filed under `hash`, or else the free slot
    /// where it would go. The table is not empty.
    #[inline]
    fn find<'t>(&self, text: impl Fn() -> &'t [u8], hash: u64) -> Result<u32, usize> {
        let tag = hash & !0xFFFF_FFFF;
        let mask = self.slots.len() - 1;
        let mut i = Self::home((hash >> 32) as u32, self.slots.len());
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return Err(i);
            }
            if slot & !0xFFFF_FFFF == tag {
                let number = (slot as u32).wrapping_sub(1);
                if self.bytes(number) == text() {
                    return Ok(number);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The number of `text`, filed under `hash` (only its top 32 bits
    /// are read), if it is here. `text` is called only when a string of
    /// the same tag is here.
    #[inline]
    pub(super) fn find_existing<'t>(&self, text: impl Fn() -> &'t [u8], hash: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.find(text, hash).ok()
    }

    /// Appends `text` to the arena, numbered [`len`](Self::len), without
    /// filing it: [`file`](Self::file) does, once the table has room (see
    /// [`reserve`](Self::reserve)). The caller knows it is not here, and
    /// that the arena stays within 4 GiB.
    pub(super) fn push_unfiled(&mut self, text: &[u8]) {
        self.bytes.extend_from_slice(text);
        self.ends.push(self.bytes.len() as u32);
    }

    /// Files string `number` under `hash` (only its top 32 bits are read)
    /// in the first free slot from its home. The table has room.
    pub(super) fn file(&mut self, hash: u64, number: u32) {
        self.place(hash & !0xFFFF_FFFF | u64::from(number + 1));
    }

    /// Doubles the table (or makes the first).
    #[cold]
    fn grow(&mut self) {
        self.resize((self.slots.len() * 2).max(MIN_SLOTS));
    }

    /// Moves the strings to a table of `len` slots, a power of two at
    /// least the current one. A slot's home in the new table is its home
    /// in the old one times the growth, or a little more, so walking the
    /// old table from a free slot (no run wraps past it) writes the new
    /// one nearly in order, without reading the arena.
    fn resize(&mut self, len: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; len]);
        let start = old.iter().position(|&s| s == 0).unwrap_or(0);
        for &slot in old[start..].iter().chain(&old[..start]) {
            if slot != 0 {
                self.place(slot);
            }
        }
    }

    /// Files an occupied slot in the first free slot from its home.
    #[inline]
    fn place(&mut self, slot: u64) {
        let mask = self.slots.len() - 1;
        let mut i = Self::home((slot >> 32) as u32, self.slots.len());
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    /// Files every string of the arena in a new table, a batch at a time
    /// as [`intern_batch`](Self::intern_batch) does.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CorruptState`] when a string is there twice.
    fn index(&mut self) -> Result<(), Error> {
        let strings = self.ends.len();
        self.slots = Vec::new();
        self.resize(
            (strings.saturating_mul(4) / 3 + 1)
                .next_power_of_two()
                .max(MIN_SLOTS),
        );
        for start in (0..strings).step_by(BATCH) {
            let (hashes, len) = self.hash_batch(|i| self.bytes(i as u32), start, strings);
            for (i, &hash) in hashes[..len].iter().enumerate() {
                let number = (start + i) as u32;
                match self.find(|| self.bytes(number), hash) {
                    Ok(_) => return ErrorKind::corrupt("a string is stored twice").err(),
                    Err(free) => self.slots[free] = hash & !0xFFFF_FFFF | u64::from(number + 1),
                }
            }
        }
        Ok(())
    }

    /// Interns `texts` in order, [`BATCH`] at a time: a batch's strings
    /// are hashed and their home slots [warmed](Self::warm) before any is
    /// interned. `f` gets each one's number and whether it was new.
    ///
    /// # Errors
    ///
    /// As [`intern`](Self::intern); the strings before are interned.
    #[cfg(test)]
    pub(crate) fn intern_batch<'a>(
        &mut self,
        texts: impl Fn(usize) -> &'a str,
        len: usize,
        f: impl FnMut(u32, bool),
    ) -> Result<(), Error> {
        self.intern_batch_bytes(|i| texts(i).as_bytes(), len, f)
    }

    /// [`intern_batch`](Self::intern_batch) of strings of `other`, by
    /// their numbers there: no UTF-8 check on the way.
    ///
    /// # Errors
    ///
    /// As [`intern`](Self::intern); the strings before are interned.
    pub(crate) fn intern_batch_from(
        &mut self,
        other: &Interner,
        numbers: impl Fn(usize) -> u32,
        len: usize,
        f: impl FnMut(u32, bool),
    ) -> Result<(), Error> {
        self.intern_batch_bytes(|i| other.bytes(numbers(i)), len, f)
    }

    /// [`intern_batch`](Self::intern_batch) of UTF-8 byte strings.
    fn intern_batch_bytes<'a>(
        &mut self,
        texts: impl Fn(usize) -> &'a [u8],
        len: usize,
        mut f: impl FnMut(u32, bool),
    ) -> Result<(), Error> {
        for start in (0..len).step_by(BATCH) {
            // Each string is hashed once, for both passes.
            let (hashes, batch) = self.hash_batch(&texts, start, len);
            for (i, &hash) in hashes[..batch].iter().enumerate() {
                let (number, new) = self.intern_hashed(texts(start + i), hash)?;
                f(number, new);
            }
        }
        Ok(())
    }

    /// The hashes of the strings `start..` (at most [`BATCH`] of them,
    /// not past `end`) and how many, their home slots
    /// [warmed](Self::warm).
    fn hash_batch<'a>(
        &self,
        texts: impl Fn(usize) -> &'a [u8],
        start: usize,
        end: usize,
    ) -> ([u64; BATCH], usize) {
        let mut hashes = [0u64; BATCH];
        let len = BATCH.min(end - start);
        for (i, hash) in hashes[..len].iter_mut().enumerate() {
            *hash = self.hash(texts(start + i));
        }
        self.warm(&hashes[..len]);
        (hashes, len)
    }

    /// Reads the home slots of `hashes` without changing anything: run
    /// over a batch of strings before interning them, these independent
    /// loads overlap their cache misses, and interning then finds the
    /// table lines in cache.
    #[inline]
    fn warm(&self, hashes: &[u64]) {
        if self.slots.is_empty() {
            return;
        }
        let touched = hashes.iter().fold(0u64, |acc, &h| {
            acc ^ self.slots[Self::home((h >> 32) as u32, self.slots.len())]
        });
        std::hint::black_box(touched);
    }

    /// Makes room for `strings` more strings of `bytes` bytes in all.
    pub(crate) fn reserve(&mut self, strings: usize, bytes: usize) {
        // Grown at 3/4 load: room for 3/4 of the slots.
        let needed = (self.ends.len() + strings).saturating_mul(4) / 3 + 1;
        if needed > self.slots.len() {
            self.resize(needed.next_power_of_two().max(MIN_SLOTS));
        }
        self.reserve_arena(strings, bytes);
    }

    /// Makes room in the arena and offsets only: memory that is only
    /// touched as strings arrive, unlike the table's (its slots are written
    /// at random).
    pub(crate) fn reserve_arena(&mut self, strings: usize, bytes: usize) {
        let _ = self.ends.try_reserve(strings);
        let _ = self.bytes.try_reserve(bytes);
    }

    /// The bytes of string `index`.
    pub(crate) fn bytes(&self, index: u32) -> &[u8] {
        nth(&self.bytes, &self.ends, index as usize)
    }

    /// String `index`.
    pub(crate) fn text(&self, index: u32) -> &str {
        // Every stored string came from a `&str` or was checked on loading.
        std::str::from_utf8(self.bytes(index)).unwrap_or_default()
    }

    /// The strings' bytes, end to end, in number order.
    pub(super) fn arena(&self) -> &[u8] {
        &self.bytes
    }

    /// The end offset of each string in the [`arena`](Self::arena).
    pub(super) fn ends(&self) -> &[u32] {
        &self.ends
    }

    /// How many strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The strings in number order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len() as u32).map(|i| self.text(i))
    }

    /// Bytes held on the heap: arena, offsets and table.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + self.ends.capacity() * 4
            + self.slots.capacity() * 8
            + self.cache.capacity() * std::mem::size_of::<Recent>()
    }
}

impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.ends == other.ends
    }
}

impl Eq for Interner {}

/// Batches of this many records have their ids looked up together.
pub(crate) const BATCH: usize = 32;

#[cfg(test)]
mod tests;
