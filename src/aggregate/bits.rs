//! A set of small numbers, a bit each.

use serde::{Deserialize, Serialize};

/// Numbers `0..` as bits of 64-bit words, growing as numbers are added;
/// saved as the words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    /// An empty set with room for `0..len`.
    pub(super) fn with_room(len: usize) -> Self {
        BitSet {
            words: vec![0; len.div_ceil(64)],
        }
    }

    #[inline]
    pub(super) fn contains(&self, n: usize) -> bool {
        self.words
            .get(n / 64)
            .is_some_and(|w| w >> (n % 64) & 1 == 1)
    }

    pub(super) fn insert(&mut self, n: usize) {
        let word = n / 64;
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << (n % 64);
    }

    /// How many numbers.
    pub(super) fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The words, 64 numbers each, lowest bit first.
    pub(super) fn words(&self) -> &[u64] {
        &self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_was_inserted() {
        let mut set = BitSet::with_room(10);
        for n in [0, 63, 64, 200] {
            set.insert(n);
        }
        let members: Vec<usize> = (0..300).filter(|&n| set.contains(n)).collect();
        assert_eq!(members, [0, 63, 64, 200]);
        assert_eq!(set.len(), 4);
        assert_eq!(set.words().len(), 4);
        let saved = postcard::to_allocvec(&set).unwrap();
        assert_eq!(postcard::to_allocvec(&set.words().to_vec()).unwrap(), saved);
    }
}
