//! Time: strict timestamps, IANA time zones with their exact offset
//! changes, and DST-exact time buckets.
//!
//! ```
//! use chrono::NaiveDate;
//! use cxmetrics::time::{parse_timestamp, Bucket, TimeZone};
//! let zone = TimeZone::new("Europe/Berlin")?;
//! // 23:30 UTC on Sunday 2026-03-29 is already Monday in Berlin (CEST, +02:00).
//! let at = parse_timestamp("2026-03-29T23:30:00Z")?.to_utc();
//! let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
//! assert_eq!(Bucket::Day.label(at, &zone), date(2026, 3, 30));
//! assert_eq!(Bucket::Week.label(at, &zone), date(2026, 3, 30));
//! assert_eq!(Bucket::Month.label(at, &zone), date(2026, 3, 1));
//! assert_eq!(Bucket::None.label(at, &zone), None);
//! # Ok::<(), cxmetrics::Error>(())
//! ```

mod bucket;
mod zone;

pub use bucket::Bucket;
pub(crate) use bucket::{date_of, Bucketer, FIRST_SECS, LAST_SECS};
pub use zone::TimeZone;

use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Utc};

use crate::error::{Error, ErrorKind};

/// Parses a timestamp of exactly the form
/// `YYYY-MM-DD(T|t)HH:MM:SS[.f]((Z|z)|(+|-)HH:MM)`.
///
/// The fraction has 1 to 9 digits when the dot is present; hour ≤ 23,
/// minute ≤ 59, second ≤ 59 (no leap seconds); the date must exist; offset
/// hours ≤ 23 and minutes ≤ 59; and the instant's UTC date must lie in
/// 0001-01-01..=9999-12-31. This is RFC 3339 without its leniencies: a space
/// instead of `T`, a missing offset, `24:00:00` and `:60` are all rejected.
///
/// # Errors
///
/// [`ErrorKind::InvalidTimestamp`] naming the text;
/// [`ErrorKind::TimestampOutOfRange`] for one of that form whose UTC date
/// lies outside 0001-01-01..=9999-12-31.
///
/// # Example
///
/// ```
/// let at = cxmetrics::time::parse_timestamp("2026-03-02T09:00:00.5+01:00")?;
/// assert_eq!(at.timestamp(), 1_772_438_400); // 2026-03-02T08:00:00Z
/// assert_eq!(at.timestamp_subsec_millis(), 500);
/// assert!(cxmetrics::time::parse_timestamp("2026-03-02 09:00:00Z").is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
pub fn parse_timestamp(text: &str) -> Result<DateTime<FixedOffset>, Error> {
    let local = parse(text.as_bytes())
        .ok_or_else(|| Error::from(ErrorKind::InvalidTimestamp(text.to_owned())))?;
    if !(1..=9999).contains(&local.naive_utc().year()) {
        return ErrorKind::TimestampOutOfRange(text.to_owned()).err();
    }
    Ok(local)
}

fn parse(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let mut rest = &b[19..];
    let mut nanos = 0;
    if let Some((b'.', tail)) = rest.split_first() {
        let len = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&len) {
            return None;
        }
        nanos = digits(&tail[..len])? * 10u32.pow(9 - len as u32);
        rest = &tail[len..];
    }
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = (hours * 3600 + minutes * 60) as i32;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = FixedOffset::east_opt(offset_seconds)?;
    date.and_time(time).and_local_timezone(offset).single()
}

/// An instant as whole seconds since 1970-01-01T00:00:00Z and nanoseconds:
/// cheap to order and subtract, exact over the documented years 1..=9999.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub(crate) struct Instant {
    secs: i64,
    nanos: u32,
}

impl Instant {
    pub(crate) fn of<Tz: chrono::TimeZone>(at: &DateTime<Tz>) -> Instant {
        Instant {
            secs: at.timestamp(),
            nanos: at.timestamp_subsec_nanos(),
        }
    }

    pub(crate) fn from_parts(secs: i64, nanos: u32) -> Instant {
        Instant { secs, nanos }
    }

    pub(crate) fn secs(self) -> i64 {
        self.secs
    }

    pub(crate) fn nanos(self) -> u32 {
        self.nanos
    }

    /// The instant as a UTC date-time; every `Instant` comes from one.
    pub(crate) fn to_utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.secs, self.nanos).unwrap_or_default()
    }

    /// `self − earlier`, or zero when `earlier` is later.
    #[inline]
    pub(crate) fn since(self, earlier: Instant) -> Duration {
        let nanos = i128::from(self.secs - earlier.secs) * 1_000_000_000 + i128::from(self.nanos)
            - i128::from(earlier.nanos);
        if nanos <= 0 {
            return Duration::ZERO;
        }
        Duration::new(
            (nanos / 1_000_000_000) as u64,
            (nanos % 1_000_000_000) as u32,
        )
    }
}

/// The value of a run of ASCII digits (at most nine), or `None`.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_contract_forms() {
        for text in [
            "2026-03-02T09:00:00Z",
            "2026-03-02t09:00:00z",
            "2026-03-02T09:08:00.5Z",
            "2026-03-02T09:08:00.123456789+01:00",
            "2026-03-02T23:30:00-02:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2024-02-29T12:00:00+23:59",
        ] {
            assert!(parse_timestamp(text).is_ok(), "{text}");
        }
        let at = parse_timestamp("2026-03-02T23:30:00-02:00").unwrap();
        assert_eq!(at.naive_utc().to_string(), "2026-03-03 01:30:00");
    }

    #[test]
    fn rejects_everything_else() {
        for text in [
            "",
            "2026-03-02 09:00:00Z",
            "2026-03-02T09:00:00",
            "2026-03-02T24:00:00Z",
            "2026-03-02T23:60:00Z",
            "2026-03-02T23:59:60Z",
            "2026-02-29T12:00:00Z",
            "2026-03-02T09:00:00.Z",
            "2026-03-02T09:00:00.1234567890Z",
            "2026-03-02T09:00:00+24:00",
            "2026-03-02T09:00:00+01:60",
            "2026-03-02T09:00:00+0100",
            "2026-03-02T09:00:00Zjunk",
            "2026-3-02T09:00:00Z",
            "+026-03-02T09:00:00Z",
            "2026-03-02T09:00:00 Z",
            "２026-03-02T09:00:00Z",
        ] {
            let err = parse_timestamp(text).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "invalid timestamp {text:?}: expected YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM|-HH:MM)"
                )
            );
        }
        // Of the form, but outside the years 1 to 9999 in UTC: said so.
        for text in ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"] {
            let err = parse_timestamp(text).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("timestamp {text:?} out of range: its UTC date must lie in 0001-01-01..=9999-12-31")
            );
        }
    }

    #[test]
    fn instants_subtract_exactly() {
        let a = Instant::of(&parse_timestamp("2026-03-02T23:30:00-02:00").unwrap());
        let b = Instant::of(&parse_timestamp("2026-03-03T01:35:00.25Z").unwrap());
        assert_eq!(b.since(a), Duration::new(300, 250_000_000));
        assert_eq!(a.since(b), Duration::ZERO);
        let first = Instant::of(&parse_timestamp("0001-01-01T00:00:00Z").unwrap());
        let last = Instant::of(&parse_timestamp("9999-12-31T23:59:59.999999999Z").unwrap());
        assert_eq!(last.since(first).as_secs(), 315_537_897_599);
        assert_eq!(
            last.to_utc().to_rfc3339(),
            "9999-12-31T23:59:59.999999999+00:00"
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = parse_timestamp(&text);
        }

        #[test]
        fn agrees_with_rfc3339_on_its_own_output(secs in -62_135_510_400i64..253_402_214_400, nanos in 0u32..1_000_000_000, offset_min in -1439i32..=1439) {
            let offset = FixedOffset::east_opt(offset_min * 60).unwrap();
            let at = DateTime::from_timestamp(secs, nanos).unwrap().with_timezone(&offset);
            let text = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            prop_assert_eq!(parse_timestamp(&text).ok(), Some(at));
        }
    }
}
