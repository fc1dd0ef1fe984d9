//! Time buckets in an IANA time zone, DST-correct and cheap per record.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{Instant, TimeZone};
use crate::error::{Error, ErrorKind};

/// The time bucket of a group, in the report's time zone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// No time bucket.
    #[default]
    None,
    /// A local date (23 or 25 hours on DST days).
    Day,
    /// An ISO week, Monday first, labelled by its Monday.
    Week,
    /// A calendar month, labelled by its first day.
    Month,
}

impl Bucket {
    /// The documented name.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::None => "none",
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    /// The label of the bucket of local day `day`.
    fn label_of(self, day: i32) -> i32 {
        match self {
            Bucket::None => 0,
            Bucket::Day => day,
            // 1970-01-01 was a Thursday: Monday is 3 days before.
            Bucket::Week => day - (day + 3).rem_euclid(7),
            Bucket::Month => month_of(day).0,
        }
    }

    /// The bucket of instant `at` in `zone`, named by its first local
    /// date: the local date itself, the Monday of its ISO week, or the
    /// first of its month; `None` for [`Bucket::None`].
    ///
    /// Local dates follow the zone's offset at `at`, so days are 23 or 25
    /// hours long on DST days. For many instants, an [`Aggregator`]
    /// caches the zone's offsets per hour and costs a few integer
    /// operations per record.
    ///
    /// [`Aggregator`]: crate::Aggregator
    pub fn label(self, at: DateTime<Utc>, zone: &TimeZone) -> Option<NaiveDate> {
        if self == Bucket::None {
            return None;
        }
        let local = at.timestamp() + i64::from(zone.offset_secs(at.timestamp()));
        Some(date_of(self.label_of(local.div_euclid(86_400) as i32)))
    }

    /// Checks that the bucket of `at` in `zone` can be labelled `YYYY-MM-DD`:
    /// its local date lies in 0001-01-01..=9999-12-31 (which a UTC date of
    /// those years can leave by up to a day). Always so for
    /// [`Bucket::None`]. Two comparisons, but within a day of either end.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BucketOutOfRange`] naming the instant and its local date.
    ///
    /// ```
    /// use cxmetrics::time::{parse_timestamp, Bucket, TimeZone};
    /// let at = parse_timestamp("9999-12-31T20:00:00Z")?.to_utc();
    /// let kiritimati = TimeZone::new("Pacific/Kiritimati")?; // +14:00
    /// assert!(Bucket::Day.check(at, &TimeZone::default()).is_ok());
    /// assert_eq!(
    ///     Bucket::Week.check(at, &kiritimati).unwrap_err().to_string(),
    ///     "timestamp 9999-12-31T20:00:00Z falls on +10000-01-01 in Pacific/Kiritimati: \
    ///      a time bucket's date must lie in 0001-01-01..=9999-12-31"
    /// );
    /// assert!(Bucket::None.check(at, &kiritimati).is_ok());
    /// # Ok::<(), cxmetrics::Error>(())
    /// ```
    #[inline]
    pub fn check(self, at: DateTime<Utc>, zone: &TimeZone) -> Result<(), Error> {
        let secs = at.timestamp();
        if self == Bucket::None || (FIRST_SECS + 86_400..LAST_SECS - 86_400).contains(&secs) {
            return Ok(());
        }
        check_near_the_ends(at, zone)
    }

    /// Whether `day` (days since 1970-01-01) is the label of one of this
    /// kind's buckets in 0001-01-01..=9999-12-31 (0 without buckets): for
    /// the checks of a loaded state.
    pub(crate) fn is_label(self, day: i32) -> bool {
        let days = (FIRST_SECS / 86_400) as i32..(LAST_SECS / 86_400) as i32;
        match self {
            Bucket::None => day == 0,
            _ => days.contains(&day) && self.label_of(day) == day,
        }
    }
}

/// 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds: the
/// instants a record can have lie between them.
pub(crate) const FIRST_SECS: i64 = -62_135_596_800;
pub(crate) const LAST_SECS: i64 = 253_402_300_800;

#[cold]
fn check_near_the_ends(at: DateTime<Utc>, zone: &TimeZone) -> Result<(), Error> {
    let local = at.timestamp() + i64::from(zone.offset_secs(at.timestamp()));
    if (FIRST_SECS..LAST_SECS).contains(&local) {
        return Ok(());
    }
    ErrorKind::BucketOutOfRange {
        at: at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        date: date_of(local.div_euclid(86_400) as i32).to_string(),
        zone: zone.name().to_owned(),
    }
    .err()
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Bucket {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "none" => Ok(Bucket::None),
            "day" => Ok(Bucket::Day),
            "week" => Ok(Bucket::Week),
            "month" => Ok(Bucket::Month),
            _ => ErrorKind::UnknownBucket(text.to_owned()).err(),
        }
    }
}

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAY_CE: i32 = 719_163;

/// Slots of the offset cache: one per UTC hour, direct-mapped.
const CACHE_SLOTS: usize = 1024;

/// Maps instants to the first local date of their bucket, as days since
/// 1970-01-01.
///
/// The zone's UTC offset is looked up once per UTC hour and cached with the
/// bucket labels of the hour (an hour whose start and end have different
/// offsets, the hour of a DST change, is never cached and looked up per
/// instant), so a record costs a few integer operations: the local date is
/// `⌊(t + offset) / 86400⌋`, which is what makes a day 23 or 25 hours long
/// on DST days. The span of the last label is kept too: records in time
/// order mostly fall in the span of the one before, and cost two
/// comparisons.
#[derive(Debug, Clone)]
pub(crate) struct Bucketer {
    zone: TimeZone,
    bucket: Bucket,
    /// Direct-mapped by UTC hour.
    cache: Vec<Hour>,
    /// The last label and the instants `[start, end)` in seconds (within
    /// one UTC hour and one local day) that have it.
    last: (i64, i64, i32),
}

/// A UTC hour of one offset, and its bucket labels.
#[derive(Debug, Clone, Copy)]
struct Hour {
    /// Seconds since 1970-01-01 / 3600; `i64::MIN` for an empty slot.
    hour: i64,
    /// The zone's offset through the hour, in seconds.
    offset: i32,
    /// Seconds into the hour at which the local date changes; 3600 when
    /// it does not (offsets that are not whole hours put local midnight
    /// inside a UTC hour).
    split: i32,
    /// The labels before and from `split`.
    labels: [i32; 2],
}

impl Bucketer {
    pub(crate) fn new(zone: &TimeZone, bucket: Bucket) -> Self {
        let empty = Hour {
            hour: i64::MIN,
            offset: 0,
            split: 0,
            labels: [0; 2],
        };
        Bucketer {
            zone: zone.clone(),
            bucket,
            cache: vec![empty; CACHE_SLOTS],
            last: (0, 0, 0),
        }
    }

    #[cold]
    #[inline(never)]
    fn offset_at(&self, secs: i64) -> i32 {
        self.zone.offset_secs(secs)
    }

    /// The zone's offset from UTC at `secs`, in seconds.
    #[inline]
    pub(crate) fn offset(&mut self, secs: i64) -> i32 {
        match self.hour(secs) {
            Some(hour) => hour.offset,
            None => self.offset_at(secs),
        }
    }

    /// The cached UTC hour of `secs`; `None` when the offset changes
    /// within it.
    #[inline]
    fn hour(&mut self, secs: i64) -> Option<Hour> {
        let hour = secs.div_euclid(3600);
        let slot = (hour as usize) % CACHE_SLOTS;
        let cached = self.cache[slot];
        if cached.hour == hour {
            return Some(cached);
        }
        let filled = self.fill(hour)?;
        self.cache[slot] = filled;
        Some(filled)
    }

    /// The offset and labels of UTC hour `hour`, if of one offset.
    #[cold]
    fn fill(&self, hour: i64) -> Option<Hour> {
        let start = hour * 3600;
        let offset = self.offset_at(start);
        if self
            .zone
            .change_after(start, offset)
            .is_some_and(|(at, _)| at < start + 3600)
        {
            return None;
        }
        let day = (start + i64::from(offset)).div_euclid(86_400);
        let next_midnight = (day + 1) * 86_400 - i64::from(offset);
        Some(Hour {
            hour,
            offset,
            split: (next_midnight - start).min(3600) as i32,
            labels: [
                self.bucket.label_of(day as i32),
                self.bucket.label_of(day as i32 + 1),
            ],
        })
    }

    /// The local date of `at`, as days since 1970-01-01.
    #[inline]
    pub(crate) fn local_day(&mut self, at: Instant) -> i32 {
        let secs = at.secs();
        let local = secs + i64::from(self.offset(secs));
        local.div_euclid(86_400) as i32
    }

    /// The local hour of day of `at`, 0..=23.
    pub(crate) fn local_hour(&mut self, at: Instant) -> usize {
        let secs = at.secs();
        let local = secs + i64::from(self.offset(secs));
        (local.rem_euclid(86_400) / 3600) as usize
    }

    /// The label of `at`'s bucket: its first local date as days since
    /// 1970-01-01 (0 without buckets).
    #[inline]
    pub(crate) fn label(&mut self, at: Instant) -> i32 {
        let secs = at.secs();
        let (start, end, label) = self.last;
        if start <= secs && secs < end {
            return label;
        }
        match self.hour(secs) {
            Some(hour) => {
                let start = hour.hour * 3600;
                let split = start + i64::from(hour.split);
                let after = secs >= split;
                let label = hour.labels[usize::from(after)];
                self.last = if after {
                    (split, start + 3600, label)
                } else {
                    (start, split, label)
                };
                label
            }
            // The hour of a change of offset: per instant.
            None => {
                let local = secs + i64::from(self.offset_at(secs));
                self.bucket.label_of(local.div_euclid(86_400) as i32)
            }
        }
    }
}

/// `[first day, first day of the next month)` of the month holding `day`.
fn month_of(day: i32) -> (i32, i32) {
    let date = date_of(day);
    let first = date.with_day(1).unwrap_or(date);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (days_of(first), days_of(next).max(day + 1))
}

fn days_of(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - UNIX_EPOCH_DAY_CE
}

/// The date `day` days after 1970-01-01.
pub(crate) fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day.saturating_add(UNIX_EPOCH_DAY_CE)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;
    use proptest::prelude::*;

    const BERLIN: &str = "Europe/Berlin";
    const SAO_PAULO: &str = "America/Sao_Paulo";
    const UTC: &str = "UTC";

    fn label(zone: &str, bucket: Bucket, at: &str) -> String {
        let at = Instant::of(&parse_timestamp(at).unwrap());
        let zone = TimeZone::new(zone).unwrap();
        date_of(Bucketer::new(&zone, bucket).label(at)).to_string()
    }

    #[test]
    fn days_weeks_and_months() {
        // r6 of surveys-basic: 23:30−02:00 is 01:30Z next day, 22:30 in São Paulo.
        assert_eq!(
            label(SAO_PAULO, Bucket::Day, "2026-03-02T23:30:00-02:00"),
            "2026-03-02"
        );
        assert_eq!(
            label(UTC, Bucket::Day, "2026-03-02T23:30:00-02:00"),
            "2026-03-03"
        );
        // Thursday 2026-01-01 is in the ISO week of Monday 2025-12-29.
        assert_eq!(
            label(UTC, Bucket::Week, "2026-01-01T12:00:00Z"),
            "2025-12-29"
        );
        assert_eq!(
            label(UTC, Bucket::Week, "2026-03-02T00:00:00Z"),
            "2026-03-02"
        );
        assert_eq!(
            label(UTC, Bucket::Week, "2026-03-08T23:59:59Z"),
            "2026-03-02"
        );
        assert_eq!(
            label(BERLIN, Bucket::Month, "2026-02-28T23:30:00Z"),
            "2026-03-01"
        );
        assert_eq!(
            label(UTC, Bucket::Month, "2026-02-28T23:30:00Z"),
            "2026-02-01"
        );
        assert_eq!(
            label(UTC, Bucket::None, "2026-02-28T23:30:00Z"),
            "1970-01-01"
        );
    }

    /// Europe/Berlin springs forward on 2026-03-29 at 01:00Z (02:00 → 03:00
    /// local): that local day is 23 hours long, 2026-03-28T23:00Z to
    /// 2026-03-29T22:00Z.
    #[test]
    fn dst_days() {
        assert_eq!(
            label(BERLIN, Bucket::Day, "2026-03-28T22:59:59Z"),
            "2026-03-28"
        );
        assert_eq!(
            label(BERLIN, Bucket::Day, "2026-03-28T23:00:00Z"),
            "2026-03-29"
        );
        assert_eq!(
            label(BERLIN, Bucket::Day, "2026-03-29T21:59:59Z"),
            "2026-03-29"
        );
        assert_eq!(
            label(BERLIN, Bucket::Day, "2026-03-29T22:00:00Z"),
            "2026-03-30"
        );
        // Fall back on 2026-10-25 at 01:00Z: a 25-hour day.
        assert_eq!(
            label(BERLIN, Bucket::Day, "2026-10-24T22:00:00Z"),
            "2026-10-25"
        );
        assert_eq!(
            label(BERLIN, Bucket::Day, "2026-10-25T22:59:59Z"),
            "2026-10-25"
        );
        assert_eq!(
            label(BERLIN, Bucket::Day, "2026-10-25T23:00:00Z"),
            "2026-10-26"
        );
    }

    proptest! {
        /// The cached offsets agree with chrono-tz's conversion everywhere,
        /// in zones with DST, half-hour and historical offsets.
        #[test]
        fn cache_agrees_with_chrono_tz(secs in prop::collection::vec(-3_000_000_000i64..4_000_000_000, 1..200), zone in 0..5usize) {
            let tz = [chrono_tz::Europe::Berlin, chrono_tz::America::New_York, chrono_tz::Asia::Kolkata, chrono_tz::Australia::Lord_Howe, chrono_tz::America::Sao_Paulo][zone];
            agrees_with_chrono_tz(tz, &secs)?;
        }

        /// And so do the labels of instants close together, as records in
        /// time order are (most fall in the span of the one before), across
        /// midnights and changes of offset, in zones whose offsets are not
        /// whole hours.
        #[test]
        fn spans_agree_with_chrono_tz(start in 1_700_000_000i64..1_900_000_000, steps in prop::collection::vec(-600i64..3000, 1..300), zone in 0..5usize) {
            let tz = [chrono_tz::Europe::Berlin, chrono_tz::Asia::Kathmandu, chrono_tz::Australia::Lord_Howe, chrono_tz::America::St_Johns, chrono_tz::Pacific::Chatham][zone];
            let secs: Vec<i64> = steps.iter().scan(start, |at, step| { *at += step; Some(*at) }).collect();
            agrees_with_chrono_tz(tz, &secs)?;
        }
    }

    fn agrees_with_chrono_tz(tz: chrono_tz::Tz, secs: &[i64]) -> Result<(), TestCaseError> {
        let zone = TimeZone::new(tz.name()).unwrap();
        for bucket in [Bucket::Day, Bucket::Week, Bucket::Month] {
            let mut bucketer = Bucketer::new(&zone, bucket);
            for &s in secs {
                let utc = chrono::DateTime::from_timestamp(s, 0).unwrap();
                let local = utc.with_timezone(&tz).date_naive();
                let expected = match bucket {
                    Bucket::Day => local,
                    Bucket::Week => {
                        local - chrono::Days::new(local.weekday().num_days_from_monday().into())
                    }
                    _ => local.with_day(1).unwrap(),
                };
                let at = Instant::of(&utc);
                prop_assert_eq!(date_of(bucketer.label(at)), expected, "{} in {}", utc, tz);
            }
        }
        Ok(())
    }
}
