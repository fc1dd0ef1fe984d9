//! Timestamps and scores of any text: never a panic; a timestamp read
//! back from its RFC 3339 form is the same instant; a score is on its
//! scale.
#![no_main]

use cxmetrics::survey::{Scales, SurveyMetric, SurveyScore};
use cxmetrics::time::parse_timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(at) = parse_timestamp(text) {
        let again =
            parse_timestamp(&at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)).unwrap();
        assert_eq!(again, at);
    }
    for metric in [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces] {
        if let Ok(score) = SurveyScore::parse(metric, text, Scales::default()) {
            assert!(Scales::default().of(metric).contains(score.value().into()));
        }
    }
});
