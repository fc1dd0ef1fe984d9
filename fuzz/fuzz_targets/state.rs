//! Saved states of any bytes: never a panic; a state that decodes
//! re-encodes to bytes that decode to the same report, and encode again
//! identically; merging and reporting it never panic.
#![no_main]

use cxmetrics::Aggregator;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(state) = Aggregator::from_bytes(data) else {
        return;
    };
    let bytes = state.to_bytes();
    let again = Aggregator::from_bytes(&bytes).unwrap();
    assert_eq!(again.to_bytes(), bytes);
    let report = state.report();
    assert_eq!(again.report(), report);
    let mut merged = state.clone();
    if merged.merge(&again).is_ok() {
        let _ = merged.report();
    }
});
