//! Survey and event files of any bytes, CSV or JSON Lines (the first byte
//! chooses, and sets the record limit): never a panic, and every record
//! read is accounted for once: rows = accepted + duplicates + rejected.
#![no_main]

use cxmetrics::io::{EventReader, InputFormat, Item, SurveyReader};
use cxmetrics::report::{RecordCounts, RecordKind};
use cxmetrics::survey::Scales;
use cxmetrics::{AggregateOptions, Aggregator};
use libfuzzer_sys::fuzz_target;

/// Adds every item of `items` (until a file error), and the rows read.
fn add<T>(
    aggregator: &mut Aggregator,
    items: impl Iterator<Item = Result<Item<T>, cxmetrics::Error>>,
    kind: RecordKind,
    mut record: impl FnMut(&mut Aggregator, T),
) -> u64 {
    let mut rows = 0;
    for item in items {
        let Ok(item) = item else { break };
        rows += 1;
        match item {
            Item::Record(r) => record(aggregator, r),
            Item::Rejected(rejection) => aggregator.add_rejection(kind, rejection),
        }
    }
    rows
}

fn accounted(counts: RecordCounts, rows: u64) {
    assert_eq!(counts.rows, rows);
    assert_eq!(
        counts.rows,
        counts.accepted + counts.duplicates + counts.rejected
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, input)) = data.split_first() else {
        return;
    };
    let format = if choice % 2 == 0 {
        InputFormat::Csv
    } else {
        InputFormat::JsonLines
    };
    let limit = usize::from(choice / 4) * 64 + 64;
    let mut aggregator = Aggregator::new(AggregateOptions::new());
    if choice & 2 == 0 {
        let Ok(reader) = SurveyReader::new(input, format, "fuzz", Scales::default()) else {
            return;
        };
        let rows = add(
            &mut aggregator,
            reader.record_limit(limit),
            RecordKind::Surveys,
            |a, r| a.add_response(&r).unwrap(),
        );
        accounted(aggregator.report().input.surveys, rows);
    } else {
        let Ok(reader) = EventReader::new(input, format, "fuzz") else {
            return;
        };
        let rows = add(
            &mut aggregator,
            reader.record_limit(limit),
            RecordKind::Events,
            |a, e| a.add_event(&e).unwrap(),
        );
        accounted(aggregator.report().input.events, rows);
    }
});
