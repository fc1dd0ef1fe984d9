//! Tests of [`super`].

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

/// What an id set is asked to do.
#[derive(Debug, Clone)]
enum Op {
    Push(String),
    /// Pushes a decimal counter advanced by this step in one of the
    /// shapes of [`counted`]: ids in order while the shape stays
    /// (repeating the last one at step 0).
    PushNext(u64, usize),
    /// Pushes again the id pushed this many pushes ago (or the first).
    PushAgain(usize),
    Settle,
    Extend(Vec<String>, bool),
    RoundTrip,
}

fn op() -> impl Strategy<Value = Op> {
    let text = prop_oneof![
        4 => "[a-e]{0,3}",
        2 => "[ab]{6,16}",
        1 => "[a-z\\u{e9}]{20,30}",
    ];
    prop_oneof![
        6 => text.clone().prop_map(Op::Push),
        2 => (1..4usize).prop_map(Op::PushAgain),
        4 => (prop_oneof![1 => Just(0u64), 8 => 1..20u64, 1 => 1..5000u64], 0..5usize).prop_map(|(step, shape)| Op::PushNext(step, shape)),
        1 => Just(Op::Settle),
        1 => (prop::collection::vec(text, 0..300), any::<bool>()).prop_map(|(t, s)| Op::Extend(t, s)),
        // Another set of counters in order, like this one's.
        1 => (0..200u64, 0..60u64, 0..5usize, any::<bool>()).prop_map(|(from, count, shape, settled)| {
            Op::Extend((0..count).map(|k| counted(from + 2 * k, shape)).collect(), settled)
        }),
        1 => Just(Op::RoundTrip),
    ]
}

/// Counter `n` as an id of one of five shapes: of up to 8 bytes, of 11
/// (two prefixes), 16 and 21.
fn counted(n: u64, shape: usize) -> String {
    match shape {
        0 => n.to_string(),
        1 => format!("id-{n:08}"),
        2 => format!("zz-{n:08}"),
        3 => format!("{n:016}"),
        _ => format!("x{n:020}"),
    }
}

proptest! {
    /// Whatever the order of pushes, merges and settles, an id is
    /// new exactly at its first delivery, keeps its bytes, and the
    /// settled ids are the distinct ids.
    #[test]
    fn first_deliveries_are_new_and_the_rest_repeats(ops in prop::collection::vec(op(), 1..30)) {
        let mut set = IdSet::default();
        // Bytes by number, and the model's settled ids.
        let mut pending: Vec<String> = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let settle = |set: &mut IdSet, pending: &mut Vec<String>, seen: &mut HashMap<String, u32>| -> Result<(), TestCaseError> {
            let repeats = set.repeats();
            let known = set.len() as u32;
            let numbers = set.settle().unwrap();
            // Numbered in delivery order.
            let firsts: Vec<u32> = numbers.iter().flatten().copied().collect();
            prop_assert_eq!(firsts, (known..set.len() as u32).collect::<Vec<_>>());
            prop_assert_eq!(numbers.len(), pending.len());
            let firsts = numbers.iter().filter(|n| n.is_some()).count();
            prop_assert_eq!(repeats.firsts(), firsts);
            for (j, text) in pending.drain(..).enumerate() {
                let known = seen.contains_key(&text);
                prop_assert_eq!(repeats.get(j), known, "id {:?}", text);
                prop_assert_eq!(numbers[j].is_none(), known);
                if let Some(number) = numbers[j] {
                    prop_assert_eq!(set.bytes(number), text.as_bytes());
                    seen.insert(text, number);
                }
            }
            prop_assert_eq!(set.len(), seen.len());
            Ok(())
        };
        let mut counter = 0;
        let mut pushed: Vec<String> = Vec::new();
        for op in ops {
            // Every push, of a new text or of one pushed before.
            let text = match op {
                Op::Push(ref text) => Some(text.clone()),
                Op::PushNext(step, shape) => {
                    counter += step;
                    Some(counted(counter, shape))
                }
                Op::PushAgain(back) => pushed.len().checked_sub(back).map(|i| pushed[i].clone()),
                _ => None,
            };
            match op {
                Op::Push(_) | Op::PushNext(..) | Op::PushAgain(_) => {
                    let Some(text) = text else { continue };
                    pushed.push(text.clone());
                    let number = set.push(&text).unwrap();
                    prop_assert_eq!(number as usize, seen.len() + pending.len());
                    prop_assert_eq!(set.bytes(number), text.as_bytes());
                    pending.push(text);
                }
                Op::Settle => settle(&mut set, &mut pending, &mut seen)?,
                Op::Extend(texts, settled) => {
                    let mut other = IdSet::default();
                    for text in &texts {
                        other.push(text).unwrap();
                    }
                    let mut theirs = texts.clone();
                    if settled {
                        // Their settled ids are their distinct ones.
                        let numbers = other.settle().unwrap();
                        let mut distinct = vec![String::new(); other.len()];
                        for (text, number) in texts.iter().zip(numbers) {
                            if let Some(n) = number {
                                distinct[n as usize] = text.clone();
                            }
                        }
                        theirs = distinct;
                    }
                    let base = set.extend_from(&other).unwrap();
                    prop_assert_eq!(base as usize, seen.len() + pending.len());
                    for (i, text) in theirs.iter().enumerate() {
                        prop_assert_eq!(set.bytes(base + i as u32), text.as_bytes());
                    }
                    pending.extend(theirs);
                }
                Op::RoundTrip => {
                    settle(&mut set, &mut pending, &mut seen)?;
                    let bytes = postcard::to_allocvec(&set).unwrap();
                    set = postcard::from_bytes(&bytes).unwrap();
                    prop_assert_eq!(set.len(), seen.len());
                }
            }
        }
        settle(&mut set, &mut pending, &mut seen)?;
    }


    /// Whether an id follows the one pushed before it is decided as
    /// shortlex order does, and the id kept as it is, wherever the two
    /// lie in the arena.
    #[test]
    fn ids_follow_in_shortlex_order(
        before in "[ab]{0,12}",
        (a, b) in (0..20usize).prop_flat_map(|n| {
            let text = prop::collection::vec(prop::sample::select(vec!['a', 'b', '0', '\u{e9}']), n);
            (text.clone(), text)
        }),
        longer in 0..3usize,
    ) {
        let a: String = a.into_iter().collect();
        let mut b: String = b.into_iter().collect();
        b.push_str(&"a".repeat(longer));
        let mut set = IdSet::default();
        let mut ordered = true;
        let mut previous: Option<&str> = None;
        for text in [&before, &a, &b] {
            if text.is_empty() && text == &before {
                continue;
            }
            let number = set.push(text).unwrap();
            prop_assert_eq!(set.bytes(number), text.as_bytes());
            let shortlex = |t: &str| (t.len(), t.as_bytes().to_vec());
            ordered &= previous.is_none_or(|p| shortlex(text) > shortlex(p));
            previous = Some(text);
            prop_assert_eq!(set.runs.len() == 1 && !set.scattered, ordered);
        }
    }
}

/// Sets large enough to be checked in many groups, against settled
/// ids and among pending ones, agree with a hash set.
#[test]
fn large_sets_find_every_repeat() {
    let mut set = IdSet::default();
    let mut settled = std::collections::HashSet::new();
    let mut pending = Vec::new();
    let mut state = 7u64;
    for round in 0..4 {
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let id = format!("id-{}", (state >> 33) % 50_000);
            set.push(&id).unwrap();
            pending.push(id);
        }
        let repeats = set.repeats();
        let mut seen = settled.clone();
        let mut firsts = 0;
        for (j, id) in pending.iter().enumerate() {
            let new = seen.insert(id.clone());
            assert_eq!(repeats.get(j), !new, "round {round}, id {id}");
            firsts += usize::from(new);
        }
        assert_eq!(repeats.firsts(), firsts);
        if round % 2 == 1 {
            let numbers = set.settle().unwrap();
            for (j, number) in numbers.iter().enumerate() {
                assert_eq!(number.is_none(), repeats.get(j));
            }
            settled = seen;
            pending.clear();
            assert_eq!(set.len(), settled.len());
        }
    }
}

/// Pending ids known distinct (in order, or one settled set's) are
/// still checked against the ids merged after them.
#[test]
fn ids_in_order_and_a_merged_set_find_their_common_ids() {
    for settle_first in [false, true] {
        let mut set = IdSet::default();
        set.push("a0").unwrap();
        if settle_first {
            set.settle().unwrap();
        }
        set.push("a1").unwrap();
        set.push("a2").unwrap();
        let mut other = IdSet::default();
        for id in ["a2", "b", "a0"] {
            other.push(id).unwrap();
        }
        other.settle().unwrap();
        set.extend_from(&other).unwrap();
        let repeats = set.repeats();
        let pending = if settle_first { 5 } else { 6 };
        let repeated: Vec<usize> = (0..pending).filter(|&j| repeats.get(j)).collect();
        // a2 and a0 again, after a1, a2 (and a0 when pending).
        let expected = if settle_first { vec![2, 4] } else { vec![3, 5] };
        assert_eq!(repeated, expected, "settled first: {settle_first}");
    }
}

/// The largest settled id is kept through settles of runs above it,
/// below it and out of order, so that a run is never taken to follow
/// all settled ids when it does not.
#[test]
fn the_largest_settled_id_is_kept_through_settles() {
    let mut set = IdSet::default();
    let mut round = |ids: &[&str], repeated: &[bool]| {
        for id in ids {
            set.push(id).unwrap();
        }
        let repeats = set.repeats();
        let found: Vec<bool> = (0..ids.len()).map(|j| repeats.get(j)).collect();
        assert_eq!(found, repeated, "{ids:?}");
        set.settle().unwrap();
    };
    round(&["1", "2", "3"], &[false, false, false]);
    round(&["3", "4"], &[true, false]);
    round(&["9"], &[false]);
    // A run below the largest, then the largest again.
    round(&["6", "7"], &[false, false]);
    round(&["9", "8"], &[true, false]);
    // Out of order, then each of the largest two again.
    round(&["12", "10", "11"], &[false, false, false]);
    round(&["12"], &[true]);
    round(&["11", "13"], &[true, false]);
}

#[test]
fn a_set_with_pending_ids_is_not_saved() {
    let mut set = IdSet::default();
    set.push("a").unwrap();
    assert!(postcard::to_allocvec(&set).is_err());
    set.settle().unwrap();
    assert!(postcard::to_allocvec(&set).is_ok());
}
