//! Tests of [`super`].

use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

/// What an interner is asked to do.
#[derive(Debug, Clone)]
enum Op {
    Intern(String),
    InternRecent(String),
    InternCached(String),
    Batch(Vec<String>),
    Reserve(usize),
    RoundTrip,
    Merge(Vec<String>),
}

fn op() -> impl Strategy<Value = Op> {
    // Few distinct short strings, so repeats are common; some long ones.
    // Some of 4 to 20 bytes over two letters: many share their first
    // and last eight bytes.
    let text = prop_oneof![
        4 => "[a-d]{0,3}",
        2 => "[ab]{4,20}",
        1 => "[a-z\\u{e9}\\u{1F600}]{20,40}",
    ];
    prop_oneof![
        4 => text.clone().prop_map(Op::Intern),
        2 => text.clone().prop_map(Op::InternRecent),
        2 => text.clone().prop_map(Op::InternCached),
        2 => prop::collection::vec(text.clone(), 0..80).prop_map(Op::Batch),
        1 => (0usize..300).prop_map(Op::Reserve),
        1 => Just(Op::RoundTrip),
        1 => prop::collection::vec(text, 0..40).prop_map(Op::Merge),
    ]
}

proptest! {
    /// Every way of filing strings numbers them as a map from string
    /// to first-seen number does, and finds each again.
    #[test]
    fn interner_matches_a_map(ops in prop::collection::vec(op(), 1..40)) {
        let mut interner = Interner::default();
        let mut model: HashMap<String, u32> = HashMap::new();
        let expect = |model: &mut HashMap<String, u32>, text: &str| {
            let next = model.len() as u32;
            let number = *model.entry(text.to_owned()).or_insert(next);
            (number, number == next)
        };
        for op in ops {
            match op {
                Op::Intern(text) => {
                    prop_assert_eq!(interner.intern(&text).unwrap(), expect(&mut model, &text));
                }
                Op::InternRecent(text) => {
                    prop_assert_eq!(interner.intern_recent(&text).unwrap(), expect(&mut model, &text));
                }
                Op::InternCached(text) => {
                    prop_assert_eq!(interner.intern_cached(&text).unwrap(), expect(&mut model, &text));
                }
                Op::Batch(texts) => {
                    let mut got = Vec::new();
                    interner
                        .intern_batch(|i| texts[i].as_str(), texts.len(), |n, new| got.push((n, new)))
                        .unwrap();
                    let want: Vec<_> = texts.iter().map(|t| expect(&mut model, t)).collect();
                    prop_assert_eq!(got, want);
                }
                Op::Reserve(n) => interner.reserve(n, n),
                Op::RoundTrip => {
                    let bytes = postcard::to_allocvec(&interner).unwrap();
                    interner = postcard::from_bytes(&bytes).unwrap();
                }
                Op::Merge(texts) => {
                    let mut other = Interner::default();
                    for text in &texts {
                        other.intern(text).unwrap();
                    }
                    let mut got = Vec::new();
                    interner
                        .intern_batch_from(&other, |i| i as u32, other.len(), |n, new| got.push((n, new)))
                        .unwrap();
                    let want: Vec<_> = other.iter().map(|t| expect(&mut model, t)).collect();
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(interner.len(), model.len());
        }
        for (text, &number) in &model {
            prop_assert_eq!(interner.text(number), text.as_str());
            prop_assert_eq!(interner.intern(text).unwrap(), (number, false));
        }
    }
}

#[test]
fn numbers_strings_densely_and_round_trips() {
    let mut interner = Interner::default();
    assert_eq!(interner.intern("ana").unwrap(), (0, true));
    assert_eq!(interner.intern("").unwrap(), (1, true));
    assert_eq!(interner.intern("ben").unwrap(), (2, true));
    assert_eq!(interner.intern("ana").unwrap(), (0, false));
    assert_eq!(interner.intern("ben").unwrap(), (2, false));
    assert_eq!(interner.iter().collect::<Vec<_>>(), ["ana", "", "ben"]);
    for i in 0..1000 {
        interner.intern(&format!("id-{i}")).unwrap();
    }
    let bytes = postcard::to_allocvec(&interner).unwrap();
    let back: Interner = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, interner);
    let mut back = back;
    assert_eq!(back.intern("id-999").unwrap(), (1002, false));
}

/// Strings that share their length and first and last bytes are told
/// apart by the cache: past 16 bytes by their middle, below 8 by every
/// byte.
#[test]
fn the_cache_tells_look_alikes_apart() {
    let texts = [
        "aaaaaaaaXbbbbbbbb",
        "aaaaaaaaYbbbbbbbb",
        "aaaaaaaaXYbbbbbbbb",
        "aaaaaaaabbbbbbbb",
        "abcde",
        "abdce",
        "abcd",
        "ab",
        "ba",
        "",
        "a\0",
        "a",
    ];
    let mut interner = Interner::default();
    for _ in 0..2 {
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(
                interner.intern_cached(text).unwrap().0,
                i as u32,
                "{text:?}"
            );
        }
    }
}

#[test]
fn strings_that_share_a_hash_are_told_apart_by_their_bytes() {
    let mut interner = Interner::default();
    let hash = 0xDEAD_BEEF_0000_0001;
    assert_eq!(interner.intern_hashed(b"a", hash).unwrap(), (0, true));
    assert_eq!(interner.intern_hashed(b"b", hash).unwrap(), (1, true));
    assert_eq!(interner.intern_hashed(b"a", hash).unwrap(), (0, false));
    assert_eq!(interner.intern_hashed(b"b", hash).unwrap(), (1, false));
    // Growing keeps both, with their shared tag.
    interner.reserve(1000, 0);
    assert_eq!(interner.intern_hashed(b"b", hash).unwrap(), (1, false));
    assert_eq!(interner.intern_hashed(b"c", hash).unwrap(), (2, true));
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
