//! Rows of CSV and JSON Lines files, with their physical line numbers.

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::fields::{Field, Fields, Key};
use crate::error::{Error, ErrorKind};

/// Skips one leading UTF-8 byte-order mark.
fn skip_bom<R: Read>(input: R) -> std::io::Result<BufReader<R>> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(reader)
}

/// Whether a line holds only spaces and tabs (or nothing).
fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == b' ' || b == b'\t')
}

fn file_error(file: &str, problem: impl Into<String>) -> Error {
    ErrorKind::File {
        file: file.to_owned(),
        problem: problem.into(),
    }
    .into()
}

/// A row: its fields, or why the line is not a record.
pub(crate) enum Row<'a> {
    Csv(CsvRow<'a>),
    Json(&'a JsonRow),
    Rejected(String),
}

/// The longest record read by default: 16 MiB, far above any real
/// record; see [`SurveyReader::record_limit`](super::SurveyReader::record_limit).
pub const DEFAULT_RECORD_LIMIT: usize = 16 << 20;

/// A line that runs on for this many times the record limit without a
/// line end is not text of records: a file error, so that endless input
/// (`/dev/zero`) ends.
const RUN_ON: usize = 16;

fn run_on_error(file: &str, line: u64, limit: usize) -> Error {
    file_error(
        file,
        format!(
            "line {line} runs on past {} bytes without a line end: not a file of records",
            limit.saturating_mul(RUN_ON)
        ),
    )
}

/// Where the quote scanner of a CSV record is (RFC 4180).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// At the start of a field: a quote here opens a quoted field.
    FieldStart,
    /// In an unquoted field: quotes are text.
    Unquoted,
    /// In a quoted field: commas and newlines are text.
    Quoted,
    /// Just after a quote in a quoted field: a second quote is one quote
    /// of text, anything else closes the field.
    QuoteInQuoted,
}

/// What reading one CSV record found.
enum Scanned {
    /// A record, in `raw`, without its line end.
    Record,
    /// A record already split into `text` and `spans`.
    Split,
    /// A record longer than the limit: skipped to the end of the line
    /// where the limit was passed.
    TooLong,
    /// A quoted field not closed before the end of the file: the record's
    /// first line is rejected, and the lines after it are read again.
    Unterminated,
    /// The end of the file.
    End,
}

/// The rows of a CSV file (RFC 4180; first non-blank record = header).
/// Records are split by a quote-aware scanner of its own, so that a record
/// has a bounded length, an unclosed quote is named as such, and the lines
/// after it are still read; a line ends at LF, and a CR before it is
/// dropped outside quotes.
pub(crate) struct CsvRows<R: Read> {
    input: BufReader<R>,
    /// Bytes to read before `input` again (after an unclosed quote).
    replay: Vec<u8>,
    replayed: usize,
    limit: usize,
    /// Newlines read so far: the physical line before the next record.
    lines: u64,
    /// The line where the last record read starts.
    start_line: u64,
    bytes: u64,
    file: String,
    /// The column of each [`Key`], if the header has it.
    columns: [Option<usize>; Key::ALL.len()],
    width: usize,
    /// The last record's bytes, as written.
    raw: Vec<u8>,
    /// Its fields' text, unquoted, and where each field lies in it.
    text: String,
    spans: Vec<(usize, usize)>,
}

/// A CSV record with its header's column positions.
pub(crate) struct CsvRow<'a> {
    columns: &'a [Option<usize>; Key::ALL.len()],
    text: &'a str,
    spans: &'a [(usize, usize)],
}

impl Fields for CsvRow<'_> {
    fn field(&self, key: Key) -> Field<'_> {
        let Some(&(start, end)) = self.columns[key as usize].and_then(|i| self.spans.get(i)) else {
            return Field::Absent;
        };
        match &self.text[start..end] {
            "" => Field::Absent,
            text => Field::Text(text),
        }
    }
}

impl<R: Read> CsvRows<R> {
    /// Reads the header and checks it holds the `required` columns, each
    /// once.
    pub(crate) fn new(input: R, file: &str, required: &[&str]) -> Result<Self, Error> {
        let input = skip_bom(input).map_err(|e| file_error(file, e.to_string()))?;
        let mut rows = CsvRows {
            input,
            replay: Vec::new(),
            replayed: 0,
            limit: DEFAULT_RECORD_LIMIT,
            lines: 0,
            start_line: 0,
            bytes: 0,
            file: file.to_owned(),
            columns: [None; Key::ALL.len()],
            width: 0,
            raw: Vec::new(),
            text: String::new(),
            spans: Vec::new(),
        };
        loop {
            match rows.scan()? {
                // A 0-byte (or blank) file has no records, and no header to check.
                Scanned::End => return Ok(rows),
                Scanned::TooLong => {
                    let line = rows.start_line;
                    return Err(file_error(
                        file,
                        format!(
                            "the header (line {line}) is longer than {} bytes",
                            rows.limit
                        ),
                    ));
                }
                Scanned::Unterminated => {
                    let line = rows.start_line;
                    return Err(file_error(
                        file,
                        format!("the header (line {line}) has an unclosed quoted field"),
                    ));
                }
                scanned @ (Scanned::Record | Scanned::Split) => {
                    if matches!(scanned, Scanned::Record) {
                        rows.split()?;
                    }
                    if !rows.blank() {
                        break;
                    }
                }
            }
        }
        if rows.text.starts_with('\u{feff}') {
            return Err(file_error(
                file,
                "the file starts with more than one byte-order mark",
            ));
        }
        let mut seen = HashMap::new();
        for (i, name) in rows.fields().enumerate() {
            if seen.insert(name.to_owned(), i).is_some() {
                return Err(file_error(
                    file,
                    format!("the header repeats column {name:?}"),
                ));
            }
        }
        if let Some(missing) = required.iter().find(|c| !seen.contains_key(**c)) {
            return Err(file_error(
                file,
                format!("the header has no column {missing:?}"),
            ));
        }
        for key in Key::ALL {
            rows.columns[key as usize] = seen.get(key.name()).copied();
        }
        rows.width = rows.spans.len();
        Ok(rows)
    }

    /// Records longer than `limit` bytes are rejected from now on.
    pub(crate) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// The fields of the last record split.
    fn fields(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans.iter().map(|&(s, e)| &self.text[s..e])
    }

    fn consume(&mut self, n: usize) {
        if self.replayed < self.replay.len() {
            self.replayed += n;
        } else {
            self.input.consume(n);
            self.bytes += n as u64;
        }
    }

    /// Reads the next record: a line without quotes, whole in the buffer
    /// (the usual record), is split at once; any other is read into `raw`.
    fn scan(&mut self) -> Result<Scanned, Error> {
        self.raw.clear();
        self.start_line = self.lines + 1;
        let chunk = next_chunk(
            &mut self.replay,
            &mut self.replayed,
            &mut self.input,
            &self.file,
        )?;
        if let Some(end) = memchr::memchr(b'\n', chunk).filter(|&end| end <= self.limit) {
            let line = &chunk[..end];
            if memchr::memchr(b'"', line).is_none() {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let Ok(text) = std::str::from_utf8(line) else {
                    return Err(file_error(
                        &self.file,
                        format!("invalid UTF-8 on line {}", self.start_line),
                    ));
                };
                self.text.clear();
                self.text.push_str(text);
                self.spans.clear();
                let mut start = 0;
                for comma in memchr::memchr_iter(b',', line) {
                    self.spans.push((start, comma));
                    start = comma + 1;
                }
                self.spans.push((start, line.len()));
                self.lines += 1;
                self.consume(end + 1);
                return Ok(Scanned::Split);
            }
        }
        let mut quoting = Quoting::FieldStart;
        let mut ended = false;
        let mut any = false;
        while !ended {
            let chunk = next_chunk(
                &mut self.replay,
                &mut self.replayed,
                &mut self.input,
                &self.file,
            )?;
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (used, newlines, end) = scan_chunk(chunk, &mut quoting);
            ended = end;
            if self.raw.len() + used > self.limit {
                // Past the limit: the rest of this line is skipped.
                return self.skip_line().map(|()| Scanned::TooLong);
            }
            self.raw.extend_from_slice(&chunk[..used]);
            self.lines += newlines;
            self.consume(used);
        }
        if !any {
            return Ok(Scanned::End);
        }
        if quoting == Quoting::Quoted && !ended {
            // Read the lines after the record's first line again.
            let first_end = memchr::memchr(b'\n', &self.raw).map_or(self.raw.len(), |i| i + 1);
            let rest = self.raw[first_end..].to_vec();
            let replay = std::mem::take(&mut self.replay);
            self.replay = [rest.as_slice(), &replay[self.replayed.min(replay.len())..]].concat();
            self.replayed = 0;
            self.lines = self.start_line;
            return Ok(Scanned::Unterminated);
        }
        if ended {
            self.raw.pop();
        }
        if self.raw.last() == Some(&b'\r') {
            self.raw.pop();
        }
        Ok(Scanned::Record)
    }

    /// Consumes up to and including the next newline.
    fn skip_line(&mut self) -> Result<(), Error> {
        let mut skipped = 0usize;
        loop {
            if skipped > self.limit.saturating_mul(RUN_ON) {
                return Err(run_on_error(&self.file, self.start_line, self.limit));
            }
            let chunk = next_chunk(
                &mut self.replay,
                &mut self.replayed,
                &mut self.input,
                &self.file,
            )?;
            if chunk.is_empty() {
                return Ok(());
            }
            match memchr::memchr(b'\n', chunk) {
                Some(i) => {
                    self.consume(i + 1);
                    self.lines += 1;
                    return Ok(());
                }
                None => {
                    let n = chunk.len();
                    self.consume(n);
                    skipped += n;
                }
            }
        }
    }

    /// Splits `raw` (a whole record) into unquoted fields.
    fn split(&mut self) -> Result<(), Error> {
        // The record is checked whole: its fields are cut at ASCII bytes,
        // so each is UTF-8 too, and their ends are character boundaries
        // (two fields may not make one character together).
        if std::str::from_utf8(&self.raw).is_err() {
            return Err(file_error(
                &self.file,
                format!("invalid UTF-8 on line {}", self.start_line),
            ));
        }
        let mut text = std::mem::take(&mut self.text).into_bytes();
        text.clear();
        self.spans.clear();
        let raw = &self.raw;
        let mut i = 0;
        loop {
            if raw.get(i) == Some(&b'"') {
                // A quoted field: `""` is a quote; after the closing quote,
                // text up to the comma is kept as written.
                i += 1;
                loop {
                    let rest = &raw[i..];
                    let Some(q) = memchr::memchr(b'"', rest) else {
                        text.extend_from_slice(rest);
                        i = raw.len();
                        break;
                    };
                    text.extend_from_slice(&rest[..q]);
                    i += q + 1;
                    if raw.get(i) == Some(&b'"') {
                        text.push(b'"');
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            let rest = &raw[i.min(raw.len())..];
            let comma = memchr::memchr(b',', rest).unwrap_or(rest.len());
            text.extend_from_slice(&rest[..comma]);
            let start = self.spans.last().map_or(0, |&(_, end)| end);
            self.spans.push((start, text.len()));
            i += comma + 1;
            if i > raw.len() {
                break;
            }
        }
        match String::from_utf8(text) {
            Ok(text) => {
                self.text = text;
                Ok(())
            }
            Err(_) => Err(file_error(
                &self.file,
                format!("invalid UTF-8 on line {}", self.start_line),
            )),
        }
    }

    fn blank(&self) -> bool {
        self.spans.len() == 1 && is_blank(self.text.as_bytes())
    }

    /// The next record with its line, or `None` at the end.
    ///
    /// # Errors
    ///
    /// A file error: unreadable, or invalid UTF-8.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u64, Row<'_>)>, Error> {
        loop {
            match self.scan()? {
                Scanned::End => return Ok(None),
                Scanned::TooLong => {
                    let reason = format!("record longer than {} bytes", self.limit);
                    return Ok(Some((self.start_line, Row::Rejected(reason))));
                }
                Scanned::Unterminated => {
                    let reason =
                        "unclosed quoted field: no closing quote before the end of the file";
                    return Ok(Some((self.start_line, Row::Rejected(reason.to_owned()))));
                }
                scanned @ (Scanned::Record | Scanned::Split) => {
                    if matches!(scanned, Scanned::Record) {
                        self.split()?;
                    }
                    if !self.blank() {
                        break;
                    }
                }
            }
        }
        let line = self.start_line;
        if self.spans.len() != self.width {
            let reason = format!(
                "{} fields where the header has {}",
                self.spans.len(),
                self.width
            );
            return Ok(Some((line, Row::Rejected(reason))));
        }
        let row = CsvRow {
            columns: &self.columns,
            text: &self.text,
            spans: &self.spans,
        };
        Ok(Some((line, Row::Csv(row))))
    }

    /// Bytes read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

/// The next bytes to scan: replayed ones first.
fn next_chunk<'a, R: Read>(
    replay: &'a mut Vec<u8>,
    replayed: &mut usize,
    input: &'a mut BufReader<R>,
    file: &str,
) -> Result<&'a [u8], Error> {
    if *replayed < replay.len() {
        return Ok(&replay[*replayed..]);
    }
    if !replay.is_empty() {
        *replay = Vec::new();
        *replayed = 0;
    }
    input
        .fill_buf()
        .map_err(|e| file_error(file, e.to_string()))
}

/// Scans `chunk` from state `quoting` to the end of the record or of the
/// chunk: the bytes used (with the record's final LF), the newlines among
/// them, and whether the record ended.
fn scan_chunk(chunk: &[u8], quoting: &mut Quoting) -> (usize, u64, bool) {
    let (mut i, mut newlines) = (0, 0);
    while i < chunk.len() {
        match *quoting {
            Quoting::FieldStart => {
                if chunk[i] == b'"' {
                    *quoting = Quoting::Quoted;
                    i += 1;
                } else {
                    *quoting = Quoting::Unquoted;
                }
            }
            Quoting::Unquoted => match memchr::memchr2(b',', b'\n', &chunk[i..]) {
                None => i = chunk.len(),
                Some(k) => {
                    i += k + 1;
                    if chunk[i - 1] == b'\n' {
                        return (i, newlines + 1, true);
                    }
                    *quoting = Quoting::FieldStart;
                }
            },
            Quoting::Quoted => match memchr::memchr2(b'"', b'\n', &chunk[i..]) {
                None => i = chunk.len(),
                Some(k) => {
                    i += k + 1;
                    if chunk[i - 1] == b'\n' {
                        newlines += 1;
                    } else {
                        *quoting = Quoting::QuoteInQuoted;
                    }
                }
            },
            Quoting::QuoteInQuoted => {
                *quoting = match chunk[i] {
                    b'"' => Quoting::Quoted,
                    b',' => Quoting::FieldStart,
                    b'\n' => return (i + 1, newlines + 1, true),
                    _ => Quoting::Unquoted,
                };
                i += 1;
            }
        }
    }
    (i, newlines, false)
}

/// One JSON value of a record field.
#[derive(Debug, Clone, PartialEq)]
enum JsonValue {
    Absent,
    Text(String),
    Integer(String),
    /// A number read as a float: told apart only by reading it as written.
    Float,
    Other(&'static str),
}

/// A [`JsonValue`] read from its text as written: a number is an integer
/// when it is one (of any size; `-0` is `0`), whatever a float could hold.
/// Slower than [`JsonValue`]'s own reading: used for the rare record
/// whose numbers that reading cannot tell apart.
struct AsWritten(JsonValue);

impl<'de> Deserialize<'de> for JsonValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = JsonValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonValue, E> {
                Ok(if v.is_empty() {
                    JsonValue::Absent
                } else {
                    JsonValue::Text(v.to_owned())
                })
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<JsonValue, E> {
                Ok(if v.is_empty() {
                    JsonValue::Absent
                } else {
                    JsonValue::Text(v)
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<JsonValue, E> {
                Ok(JsonValue::Integer(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<JsonValue, E> {
                Ok(JsonValue::Integer(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<JsonValue, E> {
                // A fraction, or -0 or an integer past 64 bits: the record
                // is read again as written.
                Ok(JsonValue::Float)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<JsonValue, E> {
                Ok(JsonValue::Other("a boolean"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JsonValue, E> {
                Ok(JsonValue::Absent)
            }
            fn visit_none<E: de::Error>(self) -> Result<JsonValue, E> {
                Ok(JsonValue::Absent)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(JsonValue::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonValue, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(JsonValue::Other("an object"))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for AsWritten {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: &'de serde_json::value::RawValue = Deserialize::deserialize(deserializer)?;
        let text = raw.get();
        Ok(AsWritten(match text.as_bytes().first() {
            Some(b'"') => {
                let inner = &text[1..text.len() - 1];
                let string = if inner.contains('\\') {
                    serde_json::from_str::<String>(text).map_err(de::Error::custom)?
                } else {
                    inner.to_owned()
                };
                if string.is_empty() {
                    JsonValue::Absent
                } else {
                    JsonValue::Text(string)
                }
            }
            Some(b'n') => JsonValue::Absent,
            Some(b't' | b'f') => JsonValue::Other("a boolean"),
            Some(b'[') => JsonValue::Other("an array"),
            Some(b'{') => JsonValue::Other("an object"),
            _ if text == "-0" => JsonValue::Integer("0".to_owned()),
            _ if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
                JsonValue::Integer(text.to_owned())
            }
            _ => JsonValue::Other("a fraction"),
        }))
    }
}

/// The fields of one JSON Lines record: exactly one object, no key twice.
#[derive(Debug, Default)]
pub(crate) struct JsonRow {
    fields: Vec<(String, JsonValue)>,
}

impl<'de> Deserialize<'de> for JsonRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RowVisitor::<JsonValue>(std::marker::PhantomData))
    }
}

/// [`JsonRow`] with each value read as written.
struct RowAsWritten(JsonRow);

impl<'de> Deserialize<'de> for RowAsWritten {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(RowVisitor::<AsWritten>(std::marker::PhantomData))
            .map(RowAsWritten)
    }
}

/// A record's object, its values read as `V`.
struct RowVisitor<V>(std::marker::PhantomData<V>);

impl<'de, V: Deserialize<'de> + Into<JsonValue>> Visitor<'de> for RowVisitor<V> {
    type Value = JsonRow;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonRow, A::Error> {
        let mut fields: Vec<(String, JsonValue)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("repeated key {key:?}")));
            }
            fields.push((key, map.next_value::<V>()?.into()));
        }
        Ok(JsonRow { fields })
    }
}

impl From<AsWritten> for JsonValue {
    fn from(value: AsWritten) -> JsonValue {
        value.0
    }
}

impl JsonRow {
    /// Reads a record: quickly, and again as written when a number was
    /// read as a float (a fraction, -0, an integer past 64 bits) or the
    /// quick reading failed (on a number past a float's range, say).
    fn parse(text: &str) -> Result<JsonRow, serde_json::Error> {
        match serde_json::from_str::<JsonRow>(text) {
            Ok(row)
                if !row
                    .fields
                    .iter()
                    .any(|(_, v)| matches!(v, JsonValue::Float)) =>
            {
                Ok(row)
            }
            Ok(_) => serde_json::from_str::<RowAsWritten>(text).map(|row| row.0),
            Err(error) => serde_json::from_str::<RowAsWritten>(text)
                .map(|row| row.0)
                .map_err(|_| error),
        }
    }
}

impl Fields for JsonRow {
    fn field(&self, key: Key) -> Field<'_> {
        let name = key.name();
        match self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v) {
            None | Some(JsonValue::Absent) => Field::Absent,
            Some(JsonValue::Text(text)) => Field::Text(text),
            Some(JsonValue::Integer(text)) => Field::Integer(text),
            Some(JsonValue::Other(kind)) => Field::Other(kind),
            Some(JsonValue::Float) => Field::Other("a fraction"),
        }
    }
}

/// The rows of a JSON Lines file.
pub(crate) struct JsonRows<R: Read> {
    reader: BufReader<R>,
    limit: usize,
    file: String,
    line: u64,
    bytes: u64,
    buffer: Vec<u8>,
    row: JsonRow,
}

impl<R: Read> JsonRows<R> {
    pub(crate) fn new(input: R, file: &str) -> Result<Self, Error> {
        let reader = skip_bom(input).map_err(|e| file_error(file, e.to_string()))?;
        Ok(JsonRows {
            reader,
            limit: DEFAULT_RECORD_LIMIT,
            file: file.to_owned(),
            line: 0,
            bytes: 0,
            buffer: Vec::new(),
            row: JsonRow::default(),
        })
    }

    /// Lines longer than `limit` bytes are rejected from now on.
    pub(crate) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Reads one line into `buffer`, keeping at most `limit` bytes of it:
    /// the bytes read, and whether the line was longer.
    fn read_line(&mut self) -> Result<(usize, bool), Error> {
        self.buffer.clear();
        let (mut read, mut long) = (0, false);
        loop {
            if read > self.limit.saturating_mul(RUN_ON) {
                return Err(run_on_error(&self.file, self.line + 1, self.limit));
            }
            let chunk = self
                .reader
                .fill_buf()
                .map_err(|e| file_error(&self.file, e.to_string()))?;
            if chunk.is_empty() {
                return Ok((read, long));
            }
            let (used, end) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if self.buffer.len() + used > self.limit.saturating_add(1) {
                long = true;
                self.buffer.clear();
            } else if !long {
                self.buffer.extend_from_slice(&chunk[..used]);
            }
            self.reader.consume(used);
            read += used;
            if end {
                return Ok((read, long));
            }
        }
    }

    /// The next record with its line, or `None` at the end.
    ///
    /// # Errors
    ///
    /// A file error when the file cannot be read.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u64, Row<'_>)>, Error> {
        loop {
            let (read, long) = self.read_line()?;
            if read == 0 {
                return Ok(None);
            }
            self.bytes += read as u64;
            self.line += 1;
            if long {
                let reason = format!("record longer than {} bytes", self.limit);
                return Ok(Some((self.line, Row::Rejected(reason))));
            }
            let mut line = self.buffer.as_slice();
            line = line.strip_suffix(b"\n").unwrap_or(line);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            if is_blank(line) {
                continue;
            }
            let Ok(text) = std::str::from_utf8(line) else {
                return Ok(Some((
                    self.line,
                    Row::Rejected("not a record: invalid UTF-8".to_owned()),
                )));
            };
            return Ok(Some(match JsonRow::parse(text) {
                Ok(row) => {
                    self.row = row;
                    (self.line, Row::Json(&self.row))
                }
                Err(e) => {
                    let why = e.to_string();
                    let why = why.split(" at line ").next().unwrap_or(&why).to_lowercase();
                    (self.line, Row::Rejected(format!("not a record: {why}")))
                }
            }));
        }
    }

    /// Bytes read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes
    }
}
