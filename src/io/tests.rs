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
}
