//! Saving and restoring an aggregator's state.

use super::aggregator::{Aggregator, State};
use crate::error::{Error, ErrorKind};

/// The first bytes of every saved state.
const MAGIC: &[u8; 8] = b"CXMSTATE";

/// The version of the layout after the header; a state of another version
/// is refused rather than misread.
const VERSION: u16 = 5;

/// Bytes of the trailing checksum.
const CHECKSUM: usize = 4;

impl Aggregator {
    /// The whole state as bytes: an 8-byte magic `CXMSTATE`, a 2-byte
    /// little-endian format version, the state in postcard's compact
    /// serde format (varint integers, length-prefixed strings), then the
    /// CRC-32 (IEEE) of all the bytes before it, little-endian. A state is
    /// saved settled: pending ids are settled in a copy first, which
    /// [`dedupe`](Self::dedupe) beforehand spares.
    ///
    /// ```
    /// use cxmetrics::{AggregateOptions, Aggregator};
    /// let saved = Aggregator::new(AggregateOptions::new()).to_bytes();
    /// assert_eq!(&saved[..8], b"CXMSTATE");
    /// let restored = Aggregator::from_bytes(&saved)?;
    /// assert_eq!(restored.report(), Aggregator::new(AggregateOptions::new()).report());
    /// assert!(Aggregator::from_bytes(b"not a state").is_err());
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.heap_bytes() / 2 + 64);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        // Settling cannot fail (ids and their bytes are counted as they
        // arrive), nor can serializing plain data into a Vec.
        let state = self.settled_state().expect("settling pending ids");
        postcard::to_io(&*state, &mut bytes).expect("serializing into memory");
        let checksum = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    }

    /// Restores a state saved by [`to_bytes`](Self::to_bytes), checking
    /// every count and index in it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ForeignState`] for bytes without the header or of
    /// another format version; [`ErrorKind::CorruptState`] for a checksum
    /// that does not match (any damage of up to 32 bits in a row, and all
    /// but one in 2^32 of any other), truncated or trailing data, or a
    /// state whose counts and indices do not hold together (as a crafted
    /// one with a valid checksum may). Never a panic, whatever the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Aggregator, Error> {
        let Some(rest) = bytes.strip_prefix(MAGIC) else {
            return ErrorKind::ForeignState("missing the CXMSTATE header".to_owned()).err();
        };
        let Some((version, _)) = rest.split_first_chunk::<2>() else {
            return ErrorKind::ForeignState("no format version".to_owned()).err();
        };
        let version = u16::from_le_bytes(*version);
        if version != VERSION {
            return ErrorKind::ForeignState(format!(
                "format version {version}, this build reads version {VERSION}"
            ))
            .err();
        }
        let Some((content, checksum)) = bytes.split_last_chunk::<CHECKSUM>() else {
            return ErrorKind::corrupt("truncated").err();
        };
        let Some(rest) = content.get(MAGIC.len() + 2..) else {
            return ErrorKind::corrupt("truncated").err();
        };
        if crc32fast::hash(content) != u32::from_le_bytes(*checksum) {
            return ErrorKind::corrupt("checksum mismatch: the file is damaged").err();
        }
        let (state, trailing): (State, &[u8]) = postcard::take_from_bytes(rest).map_err(|e| {
            Error::from(ErrorKind::corrupt(match e {
                postcard::Error::DeserializeUnexpectedEnd => "truncated",
                _ => "unreadable data",
            }))
        })?;
        if !trailing.is_empty() {
            return ErrorKind::corrupt("bytes after the state").err();
        }
        Aggregator::from_state(state)
    }
}
