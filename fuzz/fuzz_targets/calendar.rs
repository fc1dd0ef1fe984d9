//! Calendars of any JSON and spans between any instants: never a panic;
//! business time is additive and never more than calendar time.
#![no_main]

use chrono::{DateTime, Utc};
use cxmetrics::calendar::Calendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 24 {
        return;
    }
    let (instants, json) = data.split_at(24);
    let Ok(calendar) = serde_json::from_slice::<Calendar>(json) else {
        return;
    };
    let at = |i: usize| {
        let secs = i64::from_le_bytes(instants[i * 8..i * 8 + 8].try_into().unwrap());
        // Year 1 to 9999.
        DateTime::<Utc>::from_timestamp(secs.rem_euclid(315_537_897_600) - 62_135_596_800, 0)
            .unwrap()
    };
    let mut t = [at(0), at(1), at(2)];
    t.sort();
    let whole = calendar.business_duration(t[0], t[2]);
    assert_eq!(
        whole,
        calendar.business_duration(t[0], t[1]) + calendar.business_duration(t[1], t[2])
    );
    assert!(whole <= (t[2] - t[0]).to_std().unwrap());
});
