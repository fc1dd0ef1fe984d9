//! Business hours: weekly working intervals and holidays in an IANA time
//! zone, and the business time between two instants (definitions,
//! "Business hours").
//!
//! ```
//! use cxmetrics::calendar::Calendar;
//! use cxmetrics::time::parse_timestamp;
//! let nine_to_five = vec![(9 * 3600, 17 * 3600)];
//! let week = [nine_to_five.clone(), nine_to_five.clone(), nine_to_five.clone(), nine_to_five.clone(), nine_to_five, vec![], vec![]];
//! let calendar = Calendar::new("America/New_York", week, &[])?;
//! // Friday 16:00 to Monday 10:00 local: one hour on Friday, one on Monday.
//! let from = parse_timestamp("2026-03-06T16:00:00-05:00")?.to_utc();
//! let to = parse_timestamp("2026-03-09T10:00:00-04:00")?.to_utc();
//! assert_eq!(calendar.business_duration(from, to).as_secs(), 2 * 3600);
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::time::TimeZone;

const NANOS_PER_SEC: i128 = 1_000_000_000;
const DAY: i128 = 86_400 * NANOS_PER_SEC;
/// Days from 1970-01-01 (a Thursday) to Monday 1970-01-05.
const FIRST_MONDAY: i128 = 4;
/// The instants between which the zone's offset changes are tabulated:
/// 1970-01-01 and 2100-01-01.
const TABLE_START: i64 = 0;
const TABLE_END: i64 = 4_102_444_800;
/// 400 Gregorian years, in seconds: 146 097 days, exactly 20 871 weeks.
/// From 2100 on, every zone follows its standing rule (the last explicit
/// change of the database is decades earlier), which repeats with the
/// calendar's weekdays every 400 years: so does working time, holidays
/// aside.
const CYCLE: i64 = 146_097 * 86_400;

/// A weekly schedule of working hours with holidays, in a time zone.
///
/// **Business time** between two instants is the length, in real
/// seconds, of the set of instants between them whose local date is not a
/// holiday and whose local time lies in a working interval of that date's
/// weekday. A DST change inside working hours therefore shortens or
/// lengthens that day's working time by the change, as a clock on the
/// wall would: the skipped hour of spring never happens, the repeated
/// hour of autumn happens twice.
///
/// Computed without stepping through days: per period of constant UTC
/// offset (the zone's changes from 1970 to 2100 are tabulated when the
/// calendar is made, exactly; beyond that range the zone's next change is
/// looked up per period), the working time of the local clock is a closed form
/// of whole weeks, the week's cumulative working time and the holidays'
/// prefix sums, so a span costs O(log holidays + log changes + log
/// intervals) per period; from 2100 on, whole 400-year cycles without a
/// holiday are counted at once, so that a span of any length costs at most
/// a few thousand periods.
///
/// ```
/// use cxmetrics::{calendar::Calendar, time::parse_timestamp};
/// // Zammad's test calendar: Europe/Berlin, Monday to Friday 08:00–18:00.
/// let weekday = vec![(8 * 3600, 18 * 3600)];
/// let hours = [weekday.clone(), weekday.clone(), weekday.clone(), weekday.clone(), weekday, vec![], vec![]];
/// let calendar = Calendar::new("Europe/Berlin", hours, &[])?;
/// let at = |s| parse_timestamp(s).map(|t| t.to_utc());
/// let business = calendar.business_duration(at("2013-03-22T16:30:00Z")?, at("2013-03-25T07:30:00Z")?);
/// assert_eq!(business.as_secs(), 3600); // Friday 17:30–18:00, Monday 08:00–08:30 local
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "CalendarRepr", into = "CalendarRepr")]
pub struct Calendar {
    zone: TimeZone,
    /// Working intervals of each weekday (Monday first) in seconds of the
    /// local day, `[start, end)`, merged and sorted.
    hours: [Vec<(u32, u32)>; 7],
    /// `day_prefix[d][i]`: working nanoseconds of weekday `d`'s intervals
    /// `0..i`.
    day_prefix: [Vec<i128>; 7],
    /// `week_prefix[i]`: working nanoseconds of weekdays `0..i`.
    week_prefix: [i128; 8],
    /// Holidays as days since 1970-01-01, sorted, with the working time
    /// they remove: `holiday_prefix[i]` for holidays `0..i`.
    holidays: Vec<i64>,
    holiday_prefix: Vec<i128>,
    /// `(instant, offset seconds)`: the offset in force from each instant
    /// on, within the tabulated range.
    offsets: Vec<(i64, i32)>,
    /// Working time of one 400-year cycle from 2100 on, holidays aside:
    /// found the first time a span needs it.
    cycle_work: std::sync::OnceLock<i128>,
}

impl PartialEq for Calendar {
    /// Calendars are equal when they are made of the same zone, hours and
    /// holidays (what is derived from them follows).
    fn eq(&self, other: &Self) -> bool {
        self.zone == other.zone && self.hours == other.hours && self.holidays == other.holidays
    }
}

impl Eq for Calendar {}

/// What a calendar is made of; the rest is derived again when it is read.
#[derive(Serialize, Deserialize)]
struct CalendarRepr {
    zone: String,
    hours: [Vec<(u32, u32)>; 7],
    holidays: Vec<NaiveDate>,
}

impl TryFrom<CalendarRepr> for Calendar {
    type Error = Error;
    fn try_from(repr: CalendarRepr) -> Result<Self, Error> {
        Calendar::new(&repr.zone, repr.hours, &repr.holidays)
    }
}

impl From<Calendar> for CalendarRepr {
    fn from(calendar: Calendar) -> Self {
        let holidays = calendar
            .holidays
            .iter()
            .map(|&day| NaiveDate::default() + chrono::TimeDelta::days(day))
            .collect();
        CalendarRepr {
            zone: calendar.zone.name().to_owned(),
            hours: calendar.hours,
            holidays,
        }
    }
}

impl Calendar {
    /// A calendar in zone `zone`: `hours[0]` are Monday's working
    /// intervals, `hours[6]` Sunday's, each `(start, end)` in seconds of the
    /// local day with `end` up to 86 400 (24:00); overlapping intervals are
    /// merged. `holidays` are whole local dates off.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownTimeZone`]; [`ErrorKind::InvalidInterval`] for an
    /// interval whose start is not before its end or that ends after 24:00.
    pub fn new(
        zone: &str,
        hours: [Vec<(u32, u32)>; 7],
        holidays: &[NaiveDate],
    ) -> Result<Calendar, Error> {
        let zone = TimeZone::new(zone)?;
        let mut merged: [Vec<(u32, u32)>; 7] = Default::default();
        for (day, intervals) in hours.into_iter().enumerate() {
            let mut intervals = intervals;
            if let Some(&(start, end)) = intervals.iter().find(|&&(s, e)| s >= e || e > 86_400) {
                return ErrorKind::InvalidInterval {
                    day: day as u8,
                    start,
                    end,
                }
                .err();
            }
            intervals.sort_unstable();
            for (start, end) in intervals {
                match merged[day].last_mut() {
                    Some(last) if start <= last.1 => last.1 = last.1.max(end),
                    _ => merged[day].push((start, end)),
                }
            }
        }
        let day_work: [i128; 7] = std::array::from_fn(|d| {
            merged[d]
                .iter()
                .map(|&(s, e)| i128::from(e - s) * NANOS_PER_SEC)
                .sum()
        });
        let day_prefix: [Vec<i128>; 7] = std::array::from_fn(|d| {
            let mut prefix = vec![0i128];
            for &(s, e) in &merged[d] {
                prefix.push(prefix[prefix.len() - 1] + i128::from(e - s) * NANOS_PER_SEC);
            }
            prefix
        });
        let mut week_prefix = [0i128; 8];
        for d in 0..7 {
            week_prefix[d + 1] = week_prefix[d] + day_work[d];
        }
        let mut days: Vec<i64> = holidays
            .iter()
            .map(|d| d.signed_duration_since(NaiveDate::default()).num_days())
            .collect();
        days.sort_unstable();
        days.dedup();
        let mut holiday_prefix = vec![0i128];
        for &day in &days {
            let last = holiday_prefix[holiday_prefix.len() - 1];
            holiday_prefix.push(last + day_work[weekday(i128::from(day))]);
        }
        let offsets = zone.table(TABLE_START, TABLE_END);
        Ok(Calendar {
            zone,
            hours: merged,
            day_prefix,
            week_prefix,
            holidays: days,
            holiday_prefix,
            offsets,
            cycle_work: std::sync::OnceLock::new(),
        })
    }

    /// A calendar where every instant is working time: business time is
    /// calendar time.
    pub fn always_open(zone: &str) -> Result<Calendar, Error> {
        Calendar::new(zone, std::array::from_fn(|_| vec![(0, 86_400)]), &[])
    }

    /// The time zone.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The merged working intervals of a weekday (0 = Monday), in seconds
    /// of the local day.
    pub fn hours(&self, weekday: usize) -> &[(u32, u32)] {
        self.hours.get(weekday).map_or(&[], Vec::as_slice)
    }

    /// Working nanoseconds of the local clock from an arbitrary origin to
    /// local time `local` (nanoseconds since 1970-01-01T00:00 local).
    fn local_work(&self, local: i128) -> i128 {
        let day = local.div_euclid(DAY);
        // Holidays before this day remove their whole day's work.
        let day64 = i64::try_from(day).unwrap_or(if day < 0 { i64::MIN } else { i64::MAX });
        let before = self.holidays.partition_point(|&h| h < day64);
        let is_holiday = self.holidays.get(before) == Some(&day64);
        self.plain_work(local, day, !is_holiday) - self.holiday_prefix[before]
    }

    /// [`local_work`](Self::local_work) without holidays; `day`, the day
    /// of `local` (passed in: an `i128` division costs), counted up to
    /// `local` when `today`, else not at all.
    #[inline]
    fn plain_work(&self, local: i128, day: i128, today: bool) -> i128 {
        let since_monday = day - FIRST_MONDAY;
        let (weeks, rest) = (
            since_monday.div_euclid(7),
            since_monday.rem_euclid(7) as usize,
        );
        let mut work = weeks * self.week_prefix[7] + self.week_prefix[rest];
        if today {
            // The intervals that start before the time: all but the last
            // whole, the last up to the time.
            let time = local - day * DAY;
            let d = weekday(day);
            let hours = &self.hours[d];
            if hours.len() <= 8 {
                // A few intervals (office hours, a lunch break): summed.
                for &(start, end) in hours {
                    let (start, end) = (
                        i128::from(start) * NANOS_PER_SEC,
                        i128::from(end) * NANOS_PER_SEC,
                    );
                    work += (time.min(end) - start).max(0);
                }
                return work;
            }
            let prefix = &self.day_prefix[d];
            let started =
                hours.partition_point(|&(start, _)| i128::from(start) * NANOS_PER_SEC < time);
            if let Some(&(start, end)) = started.checked_sub(1).and_then(|i| hours.get(i)) {
                let (start, end) = (
                    i128::from(start) * NANOS_PER_SEC,
                    i128::from(end) * NANOS_PER_SEC,
                );
                work += prefix[started - 1] + time.min(end) - start;
            }
        }
        work
    }

    /// Working time of one 400-year cycle from 2100 on, holidays aside.
    fn cycle_work(&self) -> i128 {
        *self.cycle_work.get_or_init(|| {
            let end = TABLE_END + CYCLE;
            let (mut work, mut at) = (0, TABLE_END);
            while at < end {
                let offset = self.zone.offset_secs(at);
                let next = self
                    .zone
                    .change_after(at, offset)
                    .map_or(end, |(n, _)| n.min(end));
                let local = |secs: i64| (i128::from(secs) + i128::from(offset)) * NANOS_PER_SEC;
                let plain = |local: i128| self.plain_work(local, local.div_euclid(DAY), true);
                work += plain(local(next)) - plain(local(at));
                at = next;
            }
            work
        })
    }

    /// The working time and the length, in nanoseconds, of the whole
    /// cycles from `secs` (2100 or later) that [`free_cycles`](Self::free_cycles)
    /// finds; out of line, as most spans never reach 2100.
    #[cold]
    #[inline(never)]
    fn whole_cycles(&self, secs: i64, end: i128) -> Option<(i128, i128)> {
        let cycles = i128::from(self.free_cycles(secs, end));
        (cycles > 0).then(|| {
            (
                cycles * self.cycle_work(),
                cycles * i128::from(CYCLE) * NANOS_PER_SEC,
            )
        })
    }

    /// How many whole cycles from `secs` (2100 or later) to `end` hold no
    /// holiday (a day to spare either side, for the offset): those are
    /// counted at once.
    fn free_cycles(&self, secs: i64, end: i128) -> i64 {
        let span = end.div_euclid(NANOS_PER_SEC) - i128::from(secs);
        let whole = i64::try_from(span / i128::from(CYCLE)).unwrap_or(i64::MAX);
        if whole <= 0 {
            return 0;
        }
        let first_day = secs.div_euclid(86_400) - 1;
        let later = &self.holidays[self.holidays.partition_point(|&h| h < first_day)..];
        match later.first() {
            None => whole,
            Some(&h) => whole.min((h - 3 - first_day).saturating_mul(86_400) / CYCLE),
        }
    }

    /// The UTC offset in force at `secs`, and the instant it ends (the
    /// next change, or `None` past the table or at its end).
    fn period(&self, secs: i64) -> (i32, Option<i64>) {
        if (TABLE_START..TABLE_END).contains(&secs) {
            let i = self.offsets.partition_point(|&(at, _)| at <= secs);
            let offset = self.offsets[i.saturating_sub(1)].1;
            let next = self.offsets.get(i).map(|&(at, _)| at).or(Some(TABLE_END));
            (offset, next)
        } else {
            // Outside the table: the zone's next change, found exactly.
            let offset = self.zone.offset_secs(secs);
            let mut next = self.zone.next_change(secs).map(|(at, _)| at);
            if secs < TABLE_START {
                next = Some(next.map_or(TABLE_START, |n| n.min(TABLE_START)));
            }
            (offset, next)
        }
    }

    /// The business time between `from` and `to` (zero when `to` is not
    /// after `from`).
    pub fn business_duration(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        self.business_duration_by(from, to, true)
    }

    /// [`business_duration`](Self::business_duration), counting whole
    /// cycles at once when `skip`, else walking every period.
    #[inline]
    fn business_duration_by(&self, from: DateTime<Utc>, to: DateTime<Utc>, skip: bool) -> Duration {
        let nanos = |t: DateTime<Utc>| {
            i128::from(t.timestamp()) * NANOS_PER_SEC + i128::from(t.timestamp_subsec_nanos())
        };
        let (mut at, end) = (nanos(from), nanos(to));
        let mut total: i128 = 0;
        while at < end {
            let secs = i64::try_from(at.div_euclid(NANOS_PER_SEC)).unwrap_or(i64::MAX);
            if skip && secs >= TABLE_END {
                if let Some((work, span)) = self.whole_cycles(secs, end) {
                    total += work;
                    at += span;
                    continue;
                }
            }
            let (offset, next) = self.period(secs);
            let period_end = next.map_or(end, |n| (i128::from(n) * NANOS_PER_SEC).min(end));
            let offset = i128::from(offset) * NANOS_PER_SEC;
            total += self.local_work(period_end + offset) - self.local_work(at + offset);
            if period_end <= at {
                break;
            }
            at = period_end;
        }
        let total = total.max(0);
        Duration::new(
            (total / NANOS_PER_SEC) as u64,
            (total % NANOS_PER_SEC) as u32,
        )
    }
}

/// Monday = 0 for a day counted from 1970-01-01 (a Thursday).
fn weekday(day: i128) -> usize {
    (day - FIRST_MONDAY).rem_euclid(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;
    use proptest::prelude::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_timestamp(text).unwrap().to_utc()
    }

    fn weekdays(intervals: &[(u32, u32)]) -> [Vec<(u32, u32)>; 7] {
        std::array::from_fn(|d| {
            if d < 5 {
                intervals.to_vec()
            } else {
                Vec::new()
            }
        })
    }

    const H: u32 = 3600;

    /// Zammad's public test suite: Europe/Berlin, Monday–Friday 08:00–18:00.
    #[test]
    fn zammad_vectors() {
        let c = Calendar::new("Europe/Berlin", weekdays(&[(8 * H, 18 * H)]), &[]).unwrap();
        // Thursday 2013-03-21, 09:30Z = 10:30 local.
        assert_eq!(
            c.business_duration(at("2013-03-21T09:30:00Z"), at("2013-03-21T10:00:00Z"))
                .as_secs(),
            1800
        );
        assert_eq!(
            c.business_duration(at("2013-03-21T09:30:00Z"), at("2013-03-21T14:00:00Z"))
                .as_secs(),
            16200
        );
        assert_eq!(
            c.business_duration(at("2013-03-22T16:30:00Z"), at("2013-03-25T07:30:00Z"))
                .as_secs(),
            3600
        );
    }

    /// Spring forward in Berlin, Sunday 2026-03-29 02:00 → 03:00 local, and
    /// fall back, Sunday 2026-10-25 03:00 → 02:00, with a Sunday schedule of
    /// 00:00–06:00: 5 hours of work in spring, 7 in autumn.
    #[test]
    fn dst_days_in_berlin() {
        let mut hours: [Vec<(u32, u32)>; 7] = Default::default();
        hours[6] = vec![(0, 6 * H)];
        let c = Calendar::new("Europe/Berlin", hours, &[]).unwrap();
        let spring = c.business_duration(at("2026-03-28T12:00:00Z"), at("2026-03-30T00:00:00Z"));
        assert_eq!(spring.as_secs(), 5 * 3600);
        let autumn = c.business_duration(at("2026-10-24T12:00:00Z"), at("2026-10-26T00:00:00Z"));
        assert_eq!(autumn.as_secs(), 7 * 3600);
        // Within the repeated hour: 01:30 local (CEST, 23:30Z) to 02:30 local
        // the second time (CET, 01:30Z) is two real hours, all working time.
        assert_eq!(
            c.business_duration(at("2026-10-24T23:30:00Z"), at("2026-10-25T01:30:00Z"))
                .as_secs(),
            7200
        );
    }

    /// New York: spring forward Sunday 2026-03-08 02:00 → 03:00, fall back
    /// Sunday 2026-11-01 02:00 → 01:00, with Sunday 01:00–04:00 working.
    #[test]
    fn dst_days_in_new_york() {
        let mut hours: [Vec<(u32, u32)>; 7] = Default::default();
        hours[6] = vec![(H, 4 * H)];
        let c = Calendar::new("America/New_York", hours, &[]).unwrap();
        assert_eq!(
            c.business_duration(at("2026-03-07T00:00:00Z"), at("2026-03-09T12:00:00Z"))
                .as_secs(),
            2 * 3600
        );
        assert_eq!(
            c.business_duration(at("2026-10-31T00:00:00Z"), at("2026-11-02T12:00:00Z"))
                .as_secs(),
            4 * 3600
        );
    }

    #[test]
    fn holidays_lunch_breaks_and_midnight() {
        let holidays = [NaiveDate::from_ymd_opt(2026, 4, 3).unwrap()];
        let c = Calendar::new(
            "Europe/Berlin",
            weekdays(&[(8 * H, 12 * H), (13 * H, 18 * H), (11 * H, 12 * H + 1800)]),
            &holidays,
        )
        .unwrap();
        // Merged: 08:00–12:30, 13:00–18:00 = 9.5 h a day.
        assert_eq!(c.hours(0), [(8 * H, 12 * H + 1800), (13 * H, 18 * H)]);
        // Thursday 2026-04-02 00:00 local to Saturday: Friday is a holiday.
        assert_eq!(
            c.business_duration(at("2026-04-01T22:00:00Z"), at("2026-04-03T22:00:00Z"))
                .as_secs(),
            34_200
        );
        let night =
            Calendar::new("UTC", std::array::from_fn(|_| vec![(22 * H, 86_400)]), &[]).unwrap();
        assert_eq!(
            night
                .business_duration(at("2026-03-02T21:00:00Z"), at("2026-03-03T01:00:00Z"))
                .as_secs(),
            7200
        );
        assert!(Calendar::new("UTC", weekdays(&[(9 * H, 9 * H)]), &[]).is_err());
        assert!(Calendar::new("UTC", weekdays(&[(9 * H, 86_401)]), &[]).is_err());
        assert_eq!(
            Calendar::new("UTC", weekdays(&[(18 * H, 9 * H)]), &[])
                .unwrap_err()
                .to_string(),
            "invalid working interval on mon: start 18:00:00 is not before end 09:00:00"
        );
    }

    /// A 24/7 calendar: business time is calendar time, across DST changes.
    #[test]
    fn always_open_is_calendar_time() {
        let c = Calendar::always_open("America/New_York").unwrap();
        let (a, b) = (at("2026-03-01T00:00:00.5Z"), at("2026-11-15T00:00:00Z"));
        assert_eq!(c.business_duration(a, b), (b - a).to_std().unwrap());
        assert_eq!(c.business_duration(b, a), Duration::ZERO);
    }

    /// The definition, second by second.
    fn brute_force(c: &Calendar, from: i64, to: i64) -> u64 {
        // chrono-tz: an independent reading of the zone database.
        let tz: chrono_tz::Tz = c.zone().name().parse().unwrap();
        (from..to)
            .filter(|&s| {
                let local = DateTime::from_timestamp(s, 0)
                    .unwrap()
                    .with_timezone(&tz)
                    .naive_local();
                let day = local
                    .date()
                    .signed_duration_since(NaiveDate::default())
                    .num_days();
                let weekday = weekday(i128::from(day));
                let time = local
                    .time()
                    .signed_duration_since(chrono::NaiveTime::MIN)
                    .num_seconds() as u32;
                !c.holidays.contains(&day)
                    && c.hours[weekday].iter().any(|&(a, b)| a <= time && time < b)
            })
            .count() as u64
    }

    fn calendar() -> impl Strategy<Value = Calendar> {
        let interval = (0u32..96, 1u32..48)
            .prop_map(|(start, len)| (start * 900, ((start + len) * 900).min(86_400)));
        let zones = prop::sample::select(vec![
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "UTC",
            "Asia/Kolkata",
        ]);
        (
            zones,
            prop::collection::vec(prop::collection::vec(interval, 0..3), 7),
            prop::collection::vec(0i64..20, 0..3),
        )
            .prop_map(|(zone, days, holidays)| {
                let hours: [Vec<(u32, u32)>; 7] = std::array::from_fn(|d| days[d].clone());
                let holidays: Vec<NaiveDate> = holidays
                    .iter()
                    .map(|d| {
                        NaiveDate::from_ymd_opt(2026, 3, 20).unwrap() + chrono::Days::new(*d as u64)
                    })
                    .collect();
                Calendar::new(zone, hours, &holidays).unwrap()
            })
    }

    /// Year 1 to 9999 with a calendar: a few thousand periods at most,
    /// also with 21 000 working intervals a week.
    #[test]
    fn the_longest_spans_are_counted_in_closed_form() {
        let weekday = vec![(8 * 3600, 18 * 3600)];
        let hours = [
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday,
            vec![],
            vec![],
        ];
        let many: Vec<(u32, u32)> = (0..3000).map(|i| (i * 28, i * 28 + 14)).collect();
        let (from, to) = (at("0001-01-01T00:00:00Z"), at("9999-12-31T23:59:59Z"));
        for hours in [hours, std::array::from_fn(|_| many.clone())] {
            let c = Calendar::new("Europe/Berlin", hours, &[]).unwrap();
            assert_eq!(
                c.business_duration(from, to),
                c.business_duration_by(from, to, false)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Short spans around the 2026 spring changes: equal to the
        /// definition counted second by second.
        #[test]
        fn equals_the_brute_force_reference(c in calendar(), start in 0i64..(16 * 86_400), len in 0i64..(2 * 86_400)) {
            let from = 1_773_900_000 + start; // 2026-03-19
            let to = from + len;
            let fast = c.business_duration(DateTime::from_timestamp(from, 0).unwrap(), DateTime::from_timestamp(to, 0).unwrap());
            prop_assert_eq!(fast.as_secs(), brute_force(&c, from, to));
            prop_assert_eq!(fast.subsec_nanos(), 0);
        }

        /// Spans of any length, year 1 to 9999, with holidays also after
        /// 2100: counting whole 400-year cycles at once gives what walking
        /// every period does.
        #[test]
        fn whole_cycles_count_as_walking(c in calendar(), a in -62_135_596_800i64..253_402_300_799, b in -62_135_596_800i64..253_402_300_799, holidays in prop::collection::vec(0i64..2_900_000, 0..3), nanos in 0u32..1_000_000_000) {
            let days: Vec<NaiveDate> = holidays.iter().map(|&d| NaiveDate::from_ymd_opt(2100, 1, 1).unwrap() + chrono::Days::new(d as u64)).collect();
            let c = Calendar::new(c.zone().name(), c.hours.clone(), &days).unwrap();
            let t = |s: i64| DateTime::from_timestamp(s, nanos).unwrap();
            let (from, to) = (t(a.min(b)), t(a.max(b)));
            prop_assert_eq!(c.business_duration(from, to), c.business_duration_by(from, to, false));
        }

        /// From 2100 on, each zone's offset repeats every 400 years.
        #[test]
        fn offsets_repeat_every_cycle_from_2100(c in calendar(), at in TABLE_END..TABLE_END + 2 * CYCLE) {
            prop_assert_eq!(c.zone.offset_secs(at), c.zone.offset_secs(at + CYCLE));
        }

        /// d(a, c) = d(a, b) + d(b, c), and never more than calendar time.
        #[test]
        fn additive_and_bounded(c in calendar(), a in -2_000_000_000i64..5_000_000_000, x in 0i64..10_000_000, y in 0i64..10_000_000, nanos in 0u32..1_000_000_000) {
            let t = |s: i64| DateTime::from_timestamp(s, nanos).unwrap();
            let (a, b, cc) = (t(a), t(a + x), t(a + x + y));
            let whole = c.business_duration(a, cc);
            prop_assert_eq!(whole, c.business_duration(a, b) + c.business_duration(b, cc));
            prop_assert!(whole <= (cc - a).to_std().unwrap());
        }
    }
}
