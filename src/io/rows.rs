//! Rows of CSV and JSON Lines files, with their physical line numbers.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex, PoisonError};

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

/// Offsets of the newlines that have streamed past, not yet turned into
/// line numbers.
type Newlines = Arc<Mutex<VecDeque<u64>>>;

/// Passes bytes through, noting where each newline is: the CSV parser
/// skips empty lines without counting them, and the documented line
/// numbers are physical.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    newlines: Newlines,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.lock().unwrap_or_else(PoisonError::into_inner);
        newlines.extend(memchr::memchr_iter(b'\n', &buf[..n]).map(|i| self.offset + i as u64));
        self.offset += n as u64;
        Ok(n)
    }
}

/// The rows of a CSV file (RFC 4180; first non-blank record = header).
pub(crate) struct CsvRows<R: Read> {
    reader: csv::Reader<LineCounter<BufReader<R>>>,
    newlines: Newlines,
    /// Newlines before the end of the last record read.
    lines_before: u64,
    /// The line where the last record read starts.
    start_line: u64,
    file: String,
    /// The column of each [`Key`], if the header has it.
    columns: [Option<usize>; Key::ALL.len()],
    width: usize,
    record: csv::ByteRecord,
    text: csv::StringRecord,
}

/// A CSV record with its header's column positions.
pub(crate) struct CsvRow<'a> {
    columns: &'a [Option<usize>; Key::ALL.len()],
    record: &'a csv::StringRecord,
}

impl Fields for CsvRow<'_> {
    fn field(&self, key: Key) -> Field<'_> {
        match self.columns[key as usize].and_then(|i| self.record.get(i)) {
            None | Some("") => Field::Absent,
            Some(text) => Field::Text(text),
        }
    }
}

impl<R: Read> CsvRows<R> {
    /// Reads the header and checks it holds the `required` columns, each
    /// once.
    pub(crate) fn new(input: R, file: &str, required: &[&str]) -> Result<Self, Error> {
        let input = skip_bom(input).map_err(|e| file_error(file, e.to_string()))?;
        let newlines = Newlines::default();
        let counter = LineCounter {
            inner: input,
            offset: 0,
            newlines: Arc::clone(&newlines),
        };
        // A line ends at LF; a CR before it is dropped from the last field.
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(counter);
        let mut rows = CsvRows {
            reader,
            newlines,
            lines_before: 0,
            start_line: 0,
            file: file.to_owned(),
            columns: [None; Key::ALL.len()],
            width: 0,
            record: csv::ByteRecord::new(),
            text: csv::StringRecord::new(),
        };
        let header = loop {
            if !rows.read()? {
                // A 0-byte (or blank) file has no records, and no header to check.
                return Ok(rows);
            }
            if !rows.blank() {
                break rows.utf8()?;
            }
        };
        let mut seen = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            if seen.insert(name, i).is_some() {
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
        rows.width = header.len();
        Ok(rows)
    }

    fn read(&mut self) -> Result<bool, Error> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| file_error(&self.file, e.to_string()))?;
        if more {
            // Drop the CR of a CRLF line end.
            if let Some(last) = self
                .record
                .iter()
                .next_back()
                .filter(|f| f.ends_with(b"\r"))
            {
                let trimmed = last[..last.len() - 1].to_vec();
                let mut fields: Vec<Vec<u8>> = self.record.iter().map(<[u8]>::to_vec).collect();
                let position = self.record.position().cloned();
                fields.pop();
                fields.push(trimmed);
                self.record = csv::ByteRecord::from(fields);
                self.record.set_position(position);
            }
            // The record's last line is the number of newlines before its
            // end (plus one without a final newline); it starts as many
            // lines earlier as it holds newlines in quoted fields.
            let end = self.reader.position().byte();
            let mut newlines = self.newlines.lock().unwrap_or_else(PoisonError::into_inner);
            let mut terminated = false;
            while let Some(&at) = newlines.front().filter(|&&at| at < end) {
                newlines.pop_front();
                self.lines_before += 1;
                terminated = at + 1 == end;
            }
            let last = self.lines_before + u64::from(!terminated);
            let inside = memchr::memchr_iter(b'\n', self.record.as_slice()).count();
            self.start_line = last.saturating_sub(inside as u64);
        }
        Ok(more)
    }

    /// The physical line where the last record read starts.
    fn line(&self) -> u64 {
        self.start_line
    }

    fn blank(&self) -> bool {
        self.record.len() == 1 && is_blank(&self.record[0])
    }

    /// The record as text; it moves out of `self.record`, whose buffers
    /// come back when it is read into next.
    fn utf8(&mut self) -> Result<csv::StringRecord, Error> {
        let record = std::mem::take(&mut self.record);
        match csv::StringRecord::from_byte_record(record) {
            Ok(text) => Ok(text),
            Err(e) => {
                self.record = e.into_byte_record();
                Err(file_error(
                    &self.file,
                    format!("invalid UTF-8 on line {}", self.line()),
                ))
            }
        }
    }

    /// The next record with its line, or `None` at the end.
    ///
    /// # Errors
    ///
    /// A file error: unreadable, or invalid UTF-8.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u64, Row<'_>)>, Error> {
        loop {
            if !self.read()? {
                return Ok(None);
            }
            if !self.blank() {
                break;
            }
        }
        let line = self.line();
        // Give the last record's buffers back to the byte record, then
        // move the new one into text.
        let previous = std::mem::take(&mut self.text);
        self.text = self.utf8()?;
        self.record = previous.into_byte_record();
        if self.text.len() != self.width {
            let reason = format!(
                "{} fields where the header has {}",
                self.text.len(),
                self.width
            );
            return Ok(Some((line, Row::Rejected(reason))));
        }
        let row = CsvRow {
            columns: &self.columns,
            record: &self.text,
        };
        Ok(Some((line, Row::Csv(row))))
    }

    /// Bytes read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

/// One JSON value of a record field.
#[derive(Debug, Clone, PartialEq)]
enum JsonValue {
    Absent,
    Text(String),
    Integer(String),
    Other(&'static str),
}

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
                Ok(JsonValue::Other("a fraction"))
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

/// The fields of one JSON Lines record: exactly one object, no key twice.
#[derive(Debug, Default)]
pub(crate) struct JsonRow {
    fields: Vec<(String, JsonValue)>,
}

impl<'de> Deserialize<'de> for JsonRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowVisitor;
        impl<'de> Visitor<'de> for RowVisitor {
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
                    fields.push((key, map.next_value()?));
                }
                Ok(JsonRow { fields })
            }
        }
        deserializer.deserialize_map(RowVisitor)
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
        }
    }
}

/// The rows of a JSON Lines file.
pub(crate) struct JsonRows<R: Read> {
    reader: BufReader<R>,
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
            file: file.to_owned(),
            line: 0,
            bytes: 0,
            buffer: Vec::new(),
            row: JsonRow::default(),
        })
    }

    /// The next record with its line, or `None` at the end.
    ///
    /// # Errors
    ///
    /// A file error when the file cannot be read.
    pub(crate) fn next_row(&mut self) -> Result<Option<(u64, Row<'_>)>, Error> {
        loop {
            self.buffer.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.buffer)
                .map_err(|e| file_error(&self.file, e.to_string()))?;
            if read == 0 {
                return Ok(None);
            }
            self.bytes += read as u64;
            self.line += 1;
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
            return Ok(Some(match serde_json::from_str::<JsonRow>(text) {
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
