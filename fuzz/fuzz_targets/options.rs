//! The option files (calendar, SLA, targets) from any bytes: never a panic;
//! a file that is accepted means the same after JSON's own normalisation
//! (whitespace, escapes, number spelling; targets kept in file order), so
//! the reading depends on the values alone; an accepted calendar measures any span.
#![no_main]

use chrono::{DateTime, Utc};
use cxmetrics::aggregate::Dimension;
use cxmetrics::io::options;
use cxmetrics::AggregateOptions;
use libfuzzer_sys::fuzz_target;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// A JSON object's entries in the order of the text: a targets file
/// lists its targets in file order, which `serde_json::Value` (whose
/// objects sort their keys) would not keep.
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// A targets file as serde_json writes it back, its targets in order.
fn normal_targets(text: &str) -> Option<String> {
    let Ordered(entries) = serde_json::from_str(text).ok()?;
    let entries: Vec<String> = entries
        .iter()
        .map(|(key, value)| format!("{}:{value}", serde_json::Value::from(key.as_str())))
        .collect();
    Some(format!("{{{}}}", entries.join(",")))
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    // The text as serde_json writes it back, when it is JSON at all.
    let normal = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .map(|v| v.to_string());
    match choice % 3 {
        0 => {
            let Ok(calendar) = options::calendar(text) else {
                return;
            };
            assert_eq!(options::calendar(&normal.unwrap()).as_ref(), Ok(&calendar));
            let (from, to) = (
                DateTime::<Utc>::from_timestamp(-62_135_596_800, 0).unwrap(),
                DateTime::<Utc>::from_timestamp(253_402_300_799, 0).unwrap(),
            );
            assert!(calendar.business_duration(from, to) <= (to - from).to_std().unwrap());
        }
        1 => {
            let Ok(policy) = options::sla(text) else {
                return;
            };
            assert_eq!(options::sla(&normal.unwrap()).as_ref(), Ok(&policy));
            assert_eq!(policy.check(None).is_err(), policy.business_hours());
        }
        _ => {
            let layout_options = if choice & 4 == 0 {
                AggregateOptions::new()
            } else {
                AggregateOptions::new()
                    .with_group_by(&[Dimension::Agent, Dimension::Channel])
                    .unwrap()
            };
            let Ok(targets) = options::targets(text, layout_options.layout()) else {
                return;
            };
            assert_eq!(
                options::targets(&normal_targets(text).unwrap(), layout_options.layout()).as_ref(),
                Ok(&targets)
            );
        }
    }
});
