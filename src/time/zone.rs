//! IANA time zones: the offset from UTC at any instant, and the exact
//! instants at which it changes.

use std::fmt;

use chrono::{DateTime, FixedOffset, Offset as _, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

/// An IANA time zone, kept with the name it was given by.
///
/// Offsets and their changes come from the IANA database bundled with the
/// crate, so a report is the same on every machine whatever its system
/// time zone data. Changes are read from the database's transitions (and,
/// past its last one, from the zone's standing daylight-saving rule), never
/// sampled: a change is found to the second however close it is to the
/// next.
///
/// ```
/// use cxmetrics::time::{parse_timestamp, TimeZone};
/// let berlin = TimeZone::new("Europe/Berlin")?;
/// let from = parse_timestamp("2026-01-01T00:00:00Z")?.to_utc();
/// let to = parse_timestamp("2027-01-01T00:00:00Z")?.to_utc();
/// let changes: Vec<String> = berlin
///     .changes(from, to)
///     .map(|(at, offset)| format!("{at} {offset}"))
///     .collect();
/// assert_eq!(changes, ["2026-03-29 01:00:00 UTC +02:00", "2026-10-25 01:00:00 UTC +01:00"]);
/// assert_eq!(berlin.offset(from).local_minus_utc(), 3600);
/// assert!(TimeZone::new("europe/berlin").is_err()); // names are case-sensitive
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

/// The first and last instants a zone is asked about, in seconds since
/// 1970: jiff's range, which holds every instant of years 1 to 9999 and
/// their local times.
const FIRST: i64 = -377_705_116_800;
const LAST: i64 = 253_402_207_200;

impl TimeZone {
    /// The zone named `name` (`UTC`, `Europe/Berlin`, `US/Eastern`, …),
    /// spelled as the IANA database spells it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownTimeZone`] naming the text.
    pub fn new(name: &str) -> Result<Self, Error> {
        let unknown = || Error::from(ErrorKind::UnknownTimeZone(name.to_owned()));
        let tz = jiff::tz::TimeZone::get(name).map_err(|_| unknown())?;
        if tz.iana_name() != Some(name) {
            return Err(unknown());
        }
        Ok(TimeZone {
            name: name.to_owned(),
            tz,
        })
    }

    /// The name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset from UTC in force at `at`.
    pub fn offset(&self, at: DateTime<Utc>) -> FixedOffset {
        let secs = self.offset_secs(at.timestamp());
        // Offsets of the database are within a day: never out of range.
        FixedOffset::east_opt(secs).unwrap_or(chrono::Utc.fix())
    }

    /// Each change of offset in `(from, to]`, in order: the instant it
    /// takes effect and the offset from then on. A transition of the
    /// database that changes only a zone's abbreviation, not its offset, is
    /// not a change.
    pub fn changes(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, FixedOffset)> + '_ {
        let end = to.timestamp();
        let mut at = from.timestamp();
        std::iter::from_fn(move || {
            let (next, offset) = self.next_change(at).filter(|&(next, _)| next <= end)?;
            at = next;
            Some((
                DateTime::from_timestamp(next, 0)?,
                FixedOffset::east_opt(offset)?,
            ))
        })
    }

    /// The offset in force at `secs` (seconds since 1970), in seconds.
    pub(crate) fn offset_secs(&self, secs: i64) -> i32 {
        self.tz.to_offset(timestamp(secs)).seconds()
    }

    /// The first instant after `secs` at which the offset differs from the
    /// one in force at `secs`, with the new offset; `None` when it never
    /// changes again.
    pub(crate) fn next_change(&self, secs: i64) -> Option<(i64, i32)> {
        self.change_after(secs, self.offset_secs(secs))
    }

    /// [`next_change`](Self::next_change) for a caller who knows that
    /// `offset` is in force at `secs`.
    pub(crate) fn change_after(&self, secs: i64, offset: i32) -> Option<(i64, i32)> {
        self.tz
            .following(timestamp(secs))
            .map(|t| (t.timestamp().as_second(), t.offset().seconds()))
            .find(|&(_, next)| next != offset)
    }

    /// The offset at `start`, then each change in `(start, end)`: a table
    /// for binary search.
    pub(crate) fn table(&self, start: i64, end: i64) -> Vec<(i64, i32)> {
        let mut table = vec![(start, self.offset_secs(start))];
        let mut at = start;
        while let Some((next, offset)) = self.next_change(at).filter(|&(next, _)| next < end) {
            table.push((next, offset));
            at = next;
        }
        table
    }
}

fn timestamp(secs: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(secs.clamp(FIRST, LAST)).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TimeZone {}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TimeZone").field(&self.name).finish()
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone {
            name: "UTC".to_owned(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }
}

impl TryFrom<String> for TimeZone {
    type Error = Error;
    fn try_from(name: String) -> Result<Self, Error> {
        TimeZone::new(&name)
    }
}

impl From<TimeZone> for String {
    fn from(zone: TimeZone) -> String {
        zone.name
    }
}

impl std::str::FromStr for TimeZone {
    type Err = Error;
    fn from_str(name: &str) -> Result<Self, Error> {
        TimeZone::new(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use proptest::prelude::*;

    /// The offset by chrono-tz's reading of the database.
    fn chrono_offset(tz: chrono_tz::Tz, secs: i64) -> i32 {
        use chrono::Offset;
        let utc = DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
        tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
    }

    const ZONES: [&str; 12] = [
        "Europe/Berlin",
        "America/New_York",
        "America/Sao_Paulo",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "America/St_Johns",
        "Europe/London",
        "Africa/Casablanca",
        "Pacific/Apia",
        "Europe/Moscow",
    ];

    /// 1900-01-01 and 2100-01-01.
    const START: i64 = -2_208_988_800;
    const END: i64 = 4_102_444_800;

    /// Every change of twelve zones from 1900 to 2100 is exact: the offset
    /// minute by minute over the day around it changes there and nowhere
    /// else, and between two found changes the offset at every hour is the
    /// one the table gives.
    #[test]
    fn changes_are_exact_from_1900_to_2100() {
        for name in ZONES {
            let zone = TimeZone::new(name).unwrap();
            let table = zone.table(START, END);
            assert!(table.len() > 2, "{name}");
            for pair in table.windows(2) {
                let ((before, old), (at, new)) = (pair[0], pair[1]);
                assert!(before < at && old != new, "{name} at {at}");
                assert_eq!(zone.offset_secs(at - 1), old, "{name} at {at}");
                assert_eq!(zone.offset_secs(at), new, "{name} at {at}");
                // Minute by minute around the change: one change only.
                let scan = (at - 43_200..at + 43_200).step_by(60);
                let flips = scan
                    .map(|s| zone.offset_secs(s))
                    .collect::<Vec<_>>()
                    .windows(2)
                    .filter(|w| w[0] != w[1])
                    .count();
                let near = table
                    .iter()
                    .filter(|&&(t, _)| (t - at).abs() < 43_200)
                    .count();
                assert_eq!(flips, near, "{name} near {at}");
            }
            // Hour by hour, the table's offset is the zone's.
            for (i, &(from, offset)) in table.iter().enumerate() {
                let to = table.get(i + 1).map_or(END, |&(t, _)| t);
                for s in (from..to).step_by(3600) {
                    assert_eq!(zone.offset_secs(s), offset, "{name} at {s}");
                }
            }
        }
    }

    /// Through 2037 the bundled database and chrono-tz's agree on these
    /// zones' offsets at every hour.
    #[test]
    fn agrees_with_chrono_tz() {
        for name in [
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
        ] {
            let zone = TimeZone::new(name).unwrap();
            let other: chrono_tz::Tz = name.parse().unwrap();
            for s in (0..2_145_916_800).step_by(3600 * 7) {
                assert_eq!(
                    zone.offset_secs(s),
                    chrono_offset(other, s),
                    "{name} at {s}"
                );
            }
        }
    }

    #[test]
    fn names_are_exact() {
        assert!(TimeZone::new("Europe/Berlin").is_ok());
        assert!(TimeZone::new("US/Eastern").is_ok());
        for bad in ["europe/berlin", "Mars/Olympus", "", "UTC "] {
            assert_eq!(
                TimeZone::new(bad).unwrap_err().kind(),
                &ErrorKind::UnknownTimeZone(bad.to_owned())
            );
        }
        assert_eq!(TimeZone::default().name(), "UTC");
        assert!(TimeZone::default().next_change(0).is_none());
    }

    proptest! {
        /// The next change after any instant is the first instant at
        /// which the offset differs.
        #[test]
        fn next_change_is_the_first_difference(secs in START..END, zone in 0..ZONES.len()) {
            let zone = TimeZone::new(ZONES[zone]).unwrap();
            let offset = zone.offset_secs(secs);
            if let Some((at, new)) = zone.next_change(secs) {
                prop_assert!(at > secs);
                prop_assert_eq!(zone.offset_secs(at), new);
                prop_assert_eq!(zone.offset_secs(at - 1), offset);
                // No change hides before it: the offset at each hour up to it.
                for s in (secs..at).step_by(3600).take(24 * 400) {
                    prop_assert_eq!(zone.offset_secs(s), offset);
                }
            }
        }
    }
}
