//! CSV rows: a quote-aware record scanner and its fields.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use super::{file_error, is_blank, run_on_error, skip_bom, Row, DEFAULT_RECORD_LIMIT, RUN_ON};
use crate::error::Error;
use crate::io::fields::{Field, Fields, Key};

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
