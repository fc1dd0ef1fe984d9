//! JSON Lines rows: one object a line, its values read as written.

use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{file_error, is_blank, run_on_error, skip_bom, Row, DEFAULT_RECORD_LIMIT, RUN_ON};
use crate::error::Error;
use crate::io::fields::{Field, Fields, Key};

/// One JSON value of a record field.
#[derive(Debug, Clone, PartialEq)]
enum JsonValue {
    Absent,
    Text(String),
    Integer(String),
    /// Another number, as written (`12.50`, `1e3`, `-0.5`).
    Number(String),
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
            _ => JsonValue::Number(text.to_owned()),
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
            Some(JsonValue::Number(text)) => Field::Number(text),
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
