//! The documented input rules, one by one.

use super::*;
use proptest::prelude::*;

fn surveys(text: &[u8], format: InputFormat) -> Result<Vec<Item<SurveyResponse>>, Error> {
    SurveyReader::new(text, format, "in", Scales::default())?.collect()
}

fn events(text: &[u8], format: InputFormat) -> Result<Vec<Item<TicketEvent>>, Error> {
    EventReader::new(text, format, "in")?.collect()
}

fn rejected<T: fmt::Debug>(items: &[Item<T>]) -> Vec<(u64, String)> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Rejected(r) => Some((r.line, r.reason())),
            Item::Record(_) => None,
        })
        .collect()
}

#[test]
fn csv_layout_rules() {
    // BOM, blank lines before the header and between records, CRLF, a
    // quoted field over two lines, columns in any order, unknown columns.
    let text = b"\xEF\xBB\xBF\n  \t\r\nextra,at,score,metric,id,agent\r\nx,2026-03-02T09:00:00Z,9,nps,r1,\"ana\nmaria\"\n\n  \nx,2026-03-02T09:00:00Z,3,csat,r2,\n";
    let items = surveys(text, InputFormat::Csv).unwrap();
    assert_eq!(items.len(), 2);
    match &items[0] {
        Item::Record(r) => assert_eq!(r.dimensions().agent(), Some("ana\nmaria")),
        other => panic!("{other:?}"),
    }
    // The second record starts on line 8 (physical lines).
    let text = b"id,metric,score,at\n\nr1,nps,9\n  \"r2\",nps,9,2026-03-02T09:00:00Z\n";
    let items = surveys(text, InputFormat::Csv).unwrap();
    assert_eq!(
        rejected(&items),
        [(3, "3 fields where the header has 4".to_owned())]
    );
    match &items[1] {
        Item::Record(r) => assert_eq!(r.id().as_str(), "  \"r2\""),
        other => panic!("{other:?}"),
    }
    assert!(surveys(b"", InputFormat::Csv).unwrap().is_empty());
}

#[test]
fn csv_file_errors() {
    let err = surveys(b"id,metric,score\nr1,nps,9\n", InputFormat::Csv).unwrap_err();
    assert_eq!(err.to_string(), "in: the header has no column \"at\"");
    let err = surveys(b"id,metric,score,at,id\n", InputFormat::Csv).unwrap_err();
    assert_eq!(err.to_string(), "in: the header repeats column \"id\"");
    let err = surveys(
        b"id,metric,score,at\nr1,nps,9,2026-03-02T09:00:00Z\nr2,\xff,9,x\n",
        InputFormat::Csv,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "in: invalid UTF-8 on line 3");
    // Two fields whose bytes would make one character together (found by
    // fuzzing): invalid, not a character cut in two.
    let err = surveys(
        b"id,metric,score,at\nr1,nps,9\xda,\x812026-03-02T09:00:00Z\n",
        InputFormat::Csv,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "in: invalid UTF-8 on line 2");
    let err = events(b"id,ticket,at\n", InputFormat::Csv).unwrap_err();
    assert_eq!(err.to_string(), "in: the header has no column \"kind\"");
}

#[test]
fn absent_values_and_types() {
    let text = br#"{"id":"r1","metric":"nps","score":"9","at":"2026-03-02T09:00:00Z","agent":null,"channel":""}
{"id":18446744073709551615,"metric":"nps","score":10,"at":"2026-03-02T09:00:00Z"}
{"id":-9223372036854775808,"metric":"nps","score":10,"at":"2026-03-02T09:00:00Z"}
{"id":18446744073709551616,"metric":"nps","score":10,"at":"2026-03-02T09:00:00Z"}
{"id":1.5,"metric":"nps","score":10,"at":"2026-03-02T09:00:00Z"}
{"id":"r9","metric":"nps","score":10,"at":"2026-03-02T09:00:00Z","agent":5}
{"id":"r9","metric":"nps","score":10,"at":"2026-03-02T09:00:00Z","id":"r10"}
{"id":"r9","metric":"nps","score":10,"at":"2026-03-02T09:00:00Z"} trailing
{"id":"r9","metric":"nps","score":9.0,"at":"2026-03-02T09:00:00Z"}
"#;
    let items = surveys(text, InputFormat::JsonLines).unwrap();
    let ids: Vec<String> = items
        .iter()
        .filter_map(|i| match i {
            Item::Record(r) => Some(r.id().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["r1", "18446744073709551615", "-9223372036854775808"]);
    let lines: Vec<u64> = rejected(&items).iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 9]);
    let reasons = rejected(&items);
    assert_eq!(reasons[1].1, "id must be a string, not a fraction");
    assert_eq!(reasons[2].1, "agent must be a string, not a number");
    assert!(
        reasons[3]
            .1
            .starts_with("not a record: repeated key \"id\""),
        "{}",
        reasons[3].1
    );
    assert!(
        reasons[4]
            .1
            .starts_with("not a record: trailing characters"),
        "{}",
        reasons[4].1
    );
}

#[test]
fn event_fields_a_kind_does_not_use_are_ignored() {
    let text = br#"{"id":"e1","ticket":5,"at":"2026-03-02T09:00:00Z","kind":"customer_reply","agent":["x"],"status":7}
{"id":"e2","ticket":"T","at":"2026-03-02T09:00:00Z","kind":"status","status":7}
{"id":"e3","ticket":"T","at":"2026-03-02T09:00:00Z","kind":"status","status":"done"}
{"id":"e4","ticket":"T","at":"2026-03-02T09:00:00Z","kind":"created","topic":3}
not json at all

{"id":"e5","ticket":"T","at":"2026-03-02 09:00:00Z","kind":"created"}
"#;
    let items = events(text, InputFormat::JsonLines).unwrap();
    assert!(matches!(&items[0], Item::Record(e) if e.ticket().as_str() == "5"));
    let reasons = rejected(&items);
    assert_eq!(
        reasons[0],
        (2, "status must be a string, not a number".to_owned())
    );
    assert_eq!(reasons[1], (3, "unknown status \"done\"".to_owned()));
    assert_eq!(
        reasons[2],
        (4, "topic must be a string, not a number".to_owned())
    );
    assert_eq!(reasons[3].0, 5);
    assert_eq!(
        reasons[4].0, 7,
        "the blank line is not a record, but is counted as a line"
    );
}

#[test]
fn formats_by_extension() {
    assert_eq!(
        InputFormat::from_path(Path::new("a/b.CSV")),
        Some(InputFormat::Csv)
    );
    assert_eq!(
        InputFormat::from_path(Path::new("b.NdJson")),
        Some(InputFormat::JsonLines)
    );
    assert_eq!(InputFormat::from_path(Path::new("b.json")), None);
    assert_eq!(InputFormat::from_path(Path::new("-")), None);
    assert_eq!(
        "jsonl".parse::<InputFormat>().unwrap(),
        InputFormat::JsonLines
    );
}

proptest! {
    /// Whatever the bytes, reading never panics, and every non-blank record
    /// comes back as a record, a rejection or a file error.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        for format in [InputFormat::Csv, InputFormat::JsonLines] {
            let _ = surveys(&bytes, format);
            let _ = events(&bytes, format);
        }
        let mut csv = b"id,ticket,at,kind\n".to_vec();
        csv.extend(&bytes);
        let _ = events(&csv, InputFormat::Csv);
    }

    /// Records written by the csv crate (quoting what needs it: commas,
    /// quotes, newlines) read back as written, fields and lines, whether
    /// the input arrives whole or a byte at a time.
    #[test]
    fn csv_reads_back_what_a_csv_writer_wrote(rows in prop::collection::vec(prop::collection::vec("[a-c,\"\n\r ]{0,6}", 5), 1..8), crlf in any::<bool>()) {
        let mut writer = csv::WriterBuilder::new()
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        writer.write_record(["id", "metric", "score", "at", "agent"]).unwrap();
        let mut expected = vec![];
        for (i, row) in rows.iter().enumerate() {
            let agent = format!("a{}", row.concat());
            writer.write_record([format!("r{i}"), "nps".into(), "9".into(), "2026-03-02T09:00:00Z".into(), agent.clone()]).unwrap();
            expected.push(agent);
        }
        let text = writer.into_inner().unwrap();
        struct Trickle<'a>(&'a [u8]);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((&first, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = first;
                self.0 = rest;
                Ok(1)
            }
        }
        let whole: Vec<_> = SurveyReader::new(text.as_slice(), InputFormat::Csv, "in", Scales::default()).unwrap().collect::<Result<_, _>>().unwrap();
        let trickled: Vec<_> = SurveyReader::new(Trickle(&text), InputFormat::Csv, "in", Scales::default()).unwrap().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(&whole, &trickled);
        let agents: Vec<String> = whole.iter().map(|item| match item {
            Item::Record(r) => r.dimensions().agent().unwrap_or_default().to_owned(),
            Item::Rejected(r) => panic!("{r:?}"),
        }).collect();
        prop_assert_eq!(agents, expected);
    }
}

/// A quoted field never closed is rejected at the line where its record
/// starts, naming the quote, and the lines after it are read as records.
#[test]
fn csv_unclosed_quote_is_rejected_and_the_rest_is_read() {
    let text = b"id,metric,score,at\nr1,nps,9,2026-03-02T09:00:00Z\nr2,\"nps,9,2026-03-02T09:00:00Z\nr3,nps,8,2026-03-02T09:00:00Z\n\nr4,nps,7,2026-03-02T09:00:00Z";
    let items = surveys(text, InputFormat::Csv).unwrap();
    assert_eq!(
        rejected(&items),
        [(
            3,
            "unclosed quoted field: no closing quote before the end of the file".to_owned()
        )]
    );
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Record(r) => Some(r.id().as_str()),
            Item::Rejected(_) => None,
        })
        .collect();
    assert_eq!(ids, ["r1", "r3", "r4"]);
    // Quotes inside an unquoted field are text; text after a closing quote
    // is kept as written; `""` is a quote.
    let text = b"id,metric,score,at,agent\nr\"1,nps,9,2026-03-02T09:00:00Z,\"a\"\"b\"c\n";
    match &surveys(text, InputFormat::Csv).unwrap()[0] {
        Item::Record(r) => {
            assert_eq!(r.id().as_str(), "r\"1");
            assert_eq!(r.dimensions().agent(), Some("a\"bc"));
        }
        other => panic!("{other:?}"),
    }
    // An unclosed quote in the header is a file error.
    let err = surveys(b"id,\"metric,score,at\nr1\n", InputFormat::Csv).unwrap_err();
    assert_eq!(
        err.to_string(),
        "in: the header (line 1) has an unclosed quoted field"
    );
}

#[test]
fn csv_with_two_byte_order_marks_is_a_file_error() {
    let err = surveys(
        b"\xEF\xBB\xBF\xEF\xBB\xBFid,metric,score,at\n",
        InputFormat::Csv,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "in: the file starts with more than one byte-order mark"
    );
}

/// Past the record limit a record is rejected at its line and reading goes
/// on; a line that runs on far past it is a file error; memory stays
/// bounded either way.
#[test]
fn records_past_the_limit_are_rejected_and_reading_goes_on() {
    let long = "x".repeat(300);
    for format in [InputFormat::Csv, InputFormat::JsonLines] {
        let record = |id: &str, agent: &str| {
            match format {
            InputFormat::Csv => format!("{id},nps,9,2026-03-02T09:00:00Z,{agent}\n"),
            InputFormat::JsonLines => format!(
                "{{\"id\":\"{id}\",\"metric\":\"nps\",\"score\":9,\"at\":\"2026-03-02T09:00:00Z\",\"agent\":\"{agent}\"}}\n"
            ),
        }
        };
        let mut text = String::from(if format == InputFormat::Csv {
            "id,metric,score,at,agent\n"
        } else {
            ""
        });
        text += &record("r1", "ana");
        text += &record("r2", &long);
        text += &record("r3", "ben");
        let items: Vec<_> = SurveyReader::new(text.as_bytes(), format, "in", Scales::default())
            .unwrap()
            .record_limit(200)
            .collect::<Result<_, _>>()
            .unwrap();
        let header = u64::from(format == InputFormat::Csv);
        assert_eq!(
            rejected(&items),
            [(2 + header, "record longer than 200 bytes".to_owned())],
            "{format}"
        );
        assert_eq!(items.len(), 3);
        // Without a line end for 16 times the limit: a file error.
        let endless = std::io::Read::chain(text.as_bytes(), std::io::repeat(b'y'));
        let error = SurveyReader::new(endless, format, "in", Scales::default())
            .unwrap()
            .record_limit(200)
            .find_map(Result::err)
            .unwrap();
        assert_eq!(
            error.to_string(),
            format!(
                "in: line {} runs on past 3200 bytes without a line end: not a file of records",
                4 + header
            )
        );
    }
}

/// JSON numbers are read as written: an unused `1e999` is ignored, `-0`
/// is the integer 0, and integers past 64 bits are named as such.
#[test]
fn json_numbers_as_written() {
    let text = br#"{"id":"r1","metric":"nps","score":-0,"at":"2026-03-02T09:00:00Z","x":1e999}
{"id":"r2","metric":"nps","score":18446744073709551616,"at":"2026-03-02T09:00:00Z"}
{"id":18446744073709551616,"metric":"nps","score":9,"at":"2026-03-02T09:00:00Z"}
{"id":-9223372036854775809,"metric":"nps","score":9,"at":"2026-03-02T09:00:00Z"}
{"id":"r\u0033","metric":"nps","score":9.5,"at":"2026-03-02T09:00:00Z"}
"#;
    let items = surveys(text, InputFormat::JsonLines).unwrap();
    match &items[0] {
        Item::Record(r) => assert_eq!(r.score().value(), 0),
        other => panic!("{other:?}"),
    }
    let outside = "id must be a string, not an integer outside -2^63..=2^64-1".to_owned();
    assert_eq!(
        rejected(&items),
        [
            (
                2,
                "score 18446744073709551616 out of range 0..=10 for nps".to_owned()
            ),
            (3, outside.clone()),
            (4, outside),
            (5, "score must be a string, not a fraction".to_owned()),
        ]
    );
}

fn outcomes(text: &str, format: InputFormat) -> Vec<Item<crate::outcome::Outcome>> {
    OutcomeReader::new(text.as_bytes(), format, "outcomes")
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn outcomes_from_csv() {
    let csv = "id,at,kind,ticket,value,channel\n\
               o1,2026-03-02T10:00:00Z,sale,T1,12.50,\n\
               o2,2026-03-02T11:00:00+01:00,cancellation,,,chat\n\
               o3,2026-03-02T11:00:00Z,churn,,,\n\
               o4,2026-03-02T11:00:00Z,refund,T2,1.0000001,\n\
               o5,2026-03-02T11:00:00Z,refund,T2,1e3,\n\
               o6,,sale,,,\n";
    let items = outcomes(csv, InputFormat::Csv);
    assert_eq!(items.len(), 6);
    let Item::Record(sale) = &items[0] else {
        panic!("{:?}", items[0])
    };
    assert_eq!(sale.ticket().map(|t| t.as_str()), Some("T1"));
    assert_eq!(sale.value().map(|v| v.micros()), Some(12_500_000));
    let Item::Record(cancel) = &items[1] else {
        panic!("{:?}", items[1])
    };
    assert!(cancel.ticket().is_none() && cancel.value().is_none());
    assert_eq!(cancel.channel().map(|c| c.as_str()), Some("chat"));
    let reasons = rejected(&items);
    assert_eq!(reasons.len(), 4);
    assert_eq!(reasons[0].0, 4);
    assert!(
        reasons[0].1.starts_with("unknown outcome kind \"churn\""),
        "{reasons:?}"
    );
    assert!(
        reasons[1].1.contains("invalid value \"1.0000001\""),
        "{reasons:?}"
    );
    assert!(
        reasons[2].1.contains("invalid value \"1e3\""),
        "{reasons:?}"
    );
    assert_eq!(reasons[3], (7, "missing at".to_owned()));
}

#[test]
fn outcomes_from_json_lines_take_numbers_or_strings_as_values() {
    let jsonl = r#"{"id":1,"at":"2026-03-02T10:00:00Z","kind":"upsell","ticket":42,"value":12.5}
{"id":"o2","at":"2026-03-02T10:00:00Z","kind":"sale","value":"0.10"}
{"id":"o3","at":"2026-03-02T10:00:00Z","kind":"sale","value":7}
{"id":"o4","at":"2026-03-02T10:00:00Z","kind":"sale","value":-0.5}
{"id":"o5","at":"2026-03-02T10:00:00Z","kind":"sale","value":true}
{"id":"o6","at":"2026-03-02T10:00:00Z","kind":"sale","value":2.5e1}
"#;
    let items = outcomes(jsonl, InputFormat::JsonLines);
    let values: Vec<Option<u64>> = items
        .iter()
        .filter_map(|item| match item {
            Item::Record(o) => Some(o.value().map(|v| v.micros())),
            Item::Rejected(_) => None,
        })
        .collect();
    assert_eq!(values, [Some(12_500_000), Some(100_000), Some(7_000_000)]);
    let Item::Record(first) = &items[0] else {
        panic!()
    };
    assert_eq!(
        (first.id().as_str(), first.ticket().map(|t| t.as_str())),
        ("1", Some("42"))
    );
    let reasons = rejected(&items);
    assert_eq!(reasons.len(), 3);
    assert!(
        reasons[0].1.contains("invalid value \"-0.5\""),
        "{reasons:?}"
    );
    assert_eq!(
        reasons[1],
        (5, "value must be a string, not a boolean".to_owned())
    );
    assert!(
        reasons[2].1.contains("invalid value \"2.5e1\""),
        "{reasons:?}"
    );
}

#[test]
fn survey_scores_that_are_fractions_are_still_called_so() {
    let jsonl = "{\"id\":\"r\",\"metric\":\"nps\",\"score\":9.5,\"at\":\"2026-03-02T10:00:00Z\",\"value\":1.5}\n";
    let items: Vec<_> = SurveyReader::new(
        jsonl.as_bytes(),
        InputFormat::JsonLines,
        "s",
        Scales::default(),
    )
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap();
    assert!(
        matches!(&items[0], Item::Rejected(r) if r.reason() == "score must be a string, not a fraction"),
        "{items:?}"
    );
}
