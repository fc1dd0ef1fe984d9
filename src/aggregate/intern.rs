//! Strings to dense ids: dimension values, ticket ids and record ids.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// A set of distinct strings numbered 0, 1, 2, … in insertion order.
///
/// The strings live end to end in one byte arena with their end offsets;
/// the hash table holds only their numbers. A string of `k` bytes costs
/// `k + 8` bytes plus about 5 bytes of table (4-byte slot and a control
/// byte at 7/8 load), with no allocation of its own. It is also the exact
/// set of accepted record ids: no fingerprint, so no collision to reason
/// about, and the ids' byte order stays available for tie-breaking.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "InternerRepr", into = "InternerRepr")]
pub(crate) struct Interner {
    bytes: Vec<u8>,
    ends: Vec<u64>,
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

#[derive(Serialize, Deserialize)]
struct InternerRepr {
    #[serde(with = "serde_bytes_compat")]
    bytes: Vec<u8>,
    ends: Vec<u64>,
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
    fn try_from(repr: InternerRepr) -> Result<Self, Error> {
        let mut interner = Interner {
            bytes: repr.bytes,
            ends: Vec::with_capacity(repr.ends.len()),
            table: HashTable::with_capacity(repr.ends.len()),
            hasher: DefaultHashBuilder::default(),
        };
        let mut start = 0u64;
        for end in repr.ends {
            if end < start || end > interner.bytes.len() as u64 {
                return ErrorKind::CorruptState("string offsets out of order").err();
            }
            let text = &interner.bytes[start as usize..end as usize];
            if std::str::from_utf8(text).is_err() {
                return ErrorKind::CorruptState("a string is not UTF-8").err();
            }
            let hash = interner.hasher.hash_one(text);
            let index = interner.ends.len() as u32;
            let (bytes, ends) = (&interner.bytes, &interner.ends);
            if interner
                .table
                .find(hash, |&i| slice(bytes, ends, i) == text)
                .is_some()
            {
                return ErrorKind::CorruptState("a string is stored twice").err();
            }
            interner.ends.push(end);
            let (bytes, ends, hasher) = (&interner.bytes, &interner.ends, &interner.hasher);
            interner
                .table
                .insert_unique(hash, index, |&i| hasher.hash_one(slice(bytes, ends, i)));
            start = end;
        }
        if start != interner.bytes.len() as u64 {
            return ErrorKind::CorruptState("bytes after the last string").err();
        }
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

fn slice<'a>(bytes: &'a [u8], ends: &[u64], index: u32) -> &'a [u8] {
    let i = index as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &bytes[start..ends[i] as usize]
}

impl Interner {
    /// The number of `text`, adding it if new; `true` when it was new.
    #[inline]
    pub(crate) fn intern(&mut self, text: &str) -> (u32, bool) {
        let text = text.as_bytes();
        let hash = self.hasher.hash_one(text);
        let (bytes, ends) = (&self.bytes, &self.ends);
        if let Some(&index) = self.table.find(hash, |&i| slice(bytes, ends, i) == text) {
            return (index, false);
        }
        let index = self.ends.len() as u32;
        self.bytes.extend_from_slice(text);
        self.ends.push(self.bytes.len() as u64);
        let (bytes, ends, hasher) = (&self.bytes, &self.ends, &self.hasher);
        self.table
            .insert_unique(hash, index, |&i| hasher.hash_one(slice(bytes, ends, i)));
        (index, true)
    }

    /// The bytes of string `index`.
    pub(crate) fn bytes(&self, index: u32) -> &[u8] {
        slice(&self.bytes, &self.ends, index)
    }

    /// String `index`.
    pub(crate) fn text(&self, index: u32) -> &str {
        // Every stored string came from a `&str` or was checked on loading.
        std::str::from_utf8(self.bytes(index)).unwrap_or_default()
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
        self.bytes.capacity() + self.ends.capacity() * 8 + self.table.capacity() * 5
    }
}

impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes && self.ends == other.ends
    }
}

impl Eq for Interner {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_strings_densely_and_round_trips() {
        let mut interner = Interner::default();
        assert_eq!(interner.intern("ana"), (0, true));
        assert_eq!(interner.intern(""), (1, true));
        assert_eq!(interner.intern("ben"), (2, true));
        assert_eq!(interner.intern("ana"), (0, false));
        assert_eq!(interner.intern("ben"), (2, false));
        assert_eq!(interner.iter().collect::<Vec<_>>(), ["ana", "", "ben"]);
        for i in 0..1000 {
            interner.intern(&format!("id-{i}"));
        }
        let bytes = postcard::to_allocvec(&interner).unwrap();
        let back: Interner = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, interner);
        let mut back = back;
        assert_eq!(back.intern("id-999"), (1002, false));
    }

    #[test]
    fn corrupt_arenas_are_errors() {
        for (bytes, ends) in [
            (b"ab".to_vec(), vec![1, 1, 3]),
            (b"ab".to_vec(), vec![2, 1]),
            (b"aa".to_vec(), vec![1, 2]),
            (vec![0xff], vec![1]),
            (b"ab".to_vec(), vec![1]),
        ] {
            let repr = InternerRepr { bytes, ends };
            assert!(Interner::try_from(repr).is_err());
        }
    }
}
