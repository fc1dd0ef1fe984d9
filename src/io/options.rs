//! The option files (definitions, "Business hours", "SLA", "Targets") read
//! from their JSON text, strictly: a key repeated in an object, an unknown
//! key, an array where an object belongs or a wrong type is an
//! [`ErrorKind::OptionFile`] naming the field. Feature `io`.
//!
//! ```
//! use cxmetrics::io::options;
//! let calendar = options::calendar(r#"{"timezone": "Europe/Berlin", "hours": {"mon": [["08:00", "18:00"]]}}"#)?;
//! let policy = options::sla(r#"{"first_response_s": 3600, "business_hours": true}"#)?;
//! policy.check(Some(&calendar))?;
//! let err = options::sla(r#"{"reply_s": 60, "reply_s": 90}"#).unwrap_err();
//! assert_eq!(err.to_string(), "duplicate field `reply_s` at line 1 column 25");
//! # Ok::<(), cxmetrics::Error>(())
//! ```

use std::time::Duration;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::calendar::Calendar;
use crate::error::{Error, ErrorKind};
use crate::report::{Layout, Target, Targets};
use crate::sla::{SlaPolicy, SlaTargets};

fn fail(what: impl Into<String>) -> Error {
    ErrorKind::OptionFile(what.into()).into()
}

/// A calendar file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    timezone: String,
    #[serde(default)]
    hours: Hours,
    #[serde(default)]
    holidays: Vec<String>,
}

/// Working intervals per weekday, `[["08:00", "18:00"], …]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Hours {
    mon: Option<Vec<(String, String)>>,
    tue: Option<Vec<(String, String)>>,
    wed: Option<Vec<(String, String)>>,
    thu: Option<Vec<(String, String)>>,
    fri: Option<Vec<(String, String)>>,
    sat: Option<Vec<(String, String)>>,
    sun: Option<Vec<(String, String)>>,
}

/// `HH:MM` or `HH:MM:SS` (two digits each) as seconds of the day; `24:00`
/// is the end of the day.
fn clock(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    let two = |i: usize| -> Option<u32> {
        let (h, l) = (*b.get(i)?, *b.get(i + 1)?);
        (h.is_ascii_digit() && l.is_ascii_digit())
            .then(|| u32::from(h - b'0') * 10 + u32::from(l - b'0'))
    };
    let (hours, minutes) = (two(0)?, two(3)?);
    let seconds = match b.len() {
        5 if b[2] == b':' => 0,
        8 if b[2] == b':' && b[5] == b':' => two(6)?,
        _ => return None,
    };
    let valid = (hours < 24 && minutes < 60 && seconds < 60)
        || (hours == 24 && minutes == 0 && seconds == 0);
    valid.then_some(hours * 3600 + minutes * 60 + seconds)
}

/// Any JSON value, read only to find a key repeated in an object (which
/// serde's maps would let the last occurrence win).
struct NoRepeatedKeys;

impl<'de> Deserialize<'de> for NoRepeatedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Walk;
        impl<'de> serde::de::Visitor<'de> for Walk {
            type Value = NoRepeatedKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<NoRepeatedKeys, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_i64<E>(self, _: i64) -> Result<NoRepeatedKeys, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_u64<E>(self, _: u64) -> Result<NoRepeatedKeys, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_f64<E>(self, _: f64) -> Result<NoRepeatedKeys, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_str<E>(self, _: &str) -> Result<NoRepeatedKeys, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_unit<E>(self) -> Result<NoRepeatedKeys, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<NoRepeatedKeys, A::Error> {
                while seq.next_element::<NoRepeatedKeys>()?.is_some() {}
                Ok(NoRepeatedKeys)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<NoRepeatedKeys, A::Error> {
                let mut keys = std::collections::HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !keys.insert(key.clone()) {
                        return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
                    }
                    map.next_value::<NoRepeatedKeys>()?;
                }
                Ok(NoRepeatedKeys)
            }
        }
        deserializer.deserialize_any(Walk)
    }
}

/// Where a value that is there must be a JSON object: `""` is the whole
/// file, `*` any key.
fn objects_at<'a>(
    value: &'a serde_json::Value,
    pattern: &str,
) -> Vec<(String, &'a serde_json::Value)> {
    let mut found = vec![(String::new(), value)];
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        found = found
            .into_iter()
            .flat_map(|(at, v)| -> Vec<(String, &serde_json::Value)> {
                let Some(map) = v.as_object() else {
                    return Vec::new();
                };
                map.iter()
                    .filter(|(k, _)| part == "*" || k.as_str() == part)
                    .map(|(k, v)| {
                        (
                            if at.is_empty() {
                                k.clone()
                            } else {
                                format!("{at}.{k}")
                            },
                            v,
                        )
                    })
                    .collect()
            })
            .collect();
    }
    found
}

/// An option file, strictly: no key twice in any object, the objects it
/// names (`objects`, as paths of keys) objects and not arrays, then the
/// typed reading (unknown keys and wrong types refused by the types).
fn parse<T: serde::de::DeserializeOwned>(text: &str, objects: &[&str]) -> Result<T, Error> {
    serde_json::from_str::<NoRepeatedKeys>(text).map_err(|e| fail(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
    for pattern in objects {
        for (at, v) in objects_at(&value, pattern) {
            if !v.is_object() && !v.is_null() {
                let at = if at.is_empty() {
                    "the file".to_owned()
                } else {
                    at
                };
                return Err(fail(format!("{at}: expected a JSON object")));
            }
        }
    }
    serde_json::from_str(text).map_err(|e| fail(e.to_string()))
}

/// Reads a calendar file: `timezone` (IANA), `hours` per weekday (`mon` …
/// `sun`, each a list of `["HH:MM", "HH:MM"]` intervals; `24:00` ends the
/// day) and `holidays` (`YYYY-MM-DD`).
///
/// # Errors
///
/// [`ErrorKind::OptionFile`] for a file that is not such an object, or the
/// calendar's own errors ([`Calendar::new`]) for its values.
pub fn calendar(text: &str) -> Result<Calendar, Error> {
    let file: CalendarFile = parse(text, &["", "hours"])?;
    let days = [
        &file.hours.mon,
        &file.hours.tue,
        &file.hours.wed,
        &file.hours.thu,
        &file.hours.fri,
        &file.hours.sat,
        &file.hours.sun,
    ];
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut hours: [Vec<(u32, u32)>; 7] = Default::default();
    for ((intervals, name), day) in days.iter().zip(names).zip(&mut hours) {
        for (i, (start, end)) in intervals.iter().flatten().enumerate() {
            let time = |text: &str| {
                clock(text).ok_or_else(|| {
                    fail(format!(
                        "hours.{name}[{i}]: invalid time {text:?}: expected HH:MM or HH:MM:SS"
                    ))
                })
            };
            day.push((time(start)?, time(end)?));
        }
    }
    let holidays = file
        .holidays
        .iter()
        .map(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|_| text.len() == 10)
                .ok_or_else(|| {
                    fail(format!(
                        "holidays: invalid date {text:?}: expected YYYY-MM-DD"
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Calendar::new(&file.timezone, hours, &holidays)
}

/// An SLA file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlaFile {
    #[serde(default)]
    business_hours: bool,
    first_response_s: Option<f64>,
    reply_s: Option<f64>,
    resolution_s: Option<f64>,
    #[serde(default)]
    channels: std::collections::BTreeMap<String, SlaChannel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlaChannel {
    first_response_s: Option<f64>,
    reply_s: Option<f64>,
    resolution_s: Option<f64>,
}

/// Reads an SLA file: targets in seconds (`first_response_s`, `reply_s`,
/// `resolution_s`), per-channel overrides under `channels`, and
/// `business_hours` (then the aggregator needs a calendar:
/// [`SlaPolicy::check`]).
///
/// # Errors
///
/// [`ErrorKind::OptionFile`] for a file that is not such an object or a
/// target that is not a number of seconds >= 0.
pub fn sla(text: &str) -> Result<SlaPolicy, Error> {
    let file: SlaFile = parse(text, &["", "channels", "channels/*"])?;
    let seconds = |field: &str, value: Option<f64>| -> Result<Option<Duration>, Error> {
        value
            .map(|s| {
                Duration::try_from_secs_f64(s)
                    .map_err(|_| fail(format!("{field}: {s} is not a number of seconds >= 0")))
            })
            .transpose()
    };
    let targets = |prefix: &str,
                   f: Option<f64>,
                   r: Option<f64>,
                   s: Option<f64>|
     -> Result<SlaTargets, Error> {
        Ok(SlaTargets {
            first_response: seconds(&format!("{prefix}first_response_s"), f)?,
            reply: seconds(&format!("{prefix}reply_s"), r)?,
            resolution: seconds(&format!("{prefix}resolution_s"), s)?,
        })
    };
    let mut policy = SlaPolicy::new(targets(
        "",
        file.first_response_s,
        file.reply_s,
        file.resolution_s,
    )?);
    for (channel, o) in &file.channels {
        policy = policy.channel(
            channel,
            targets(
                &format!("channels.{channel}."),
                o.first_response_s,
                o.reply_s,
                o.resolution_s,
            )?,
        );
    }
    if file.business_hours {
        policy = policy.in_business_hours();
    }
    Ok(policy)
}

/// A target's bounds in a targets file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bounds {
    min: Option<f64>,
    max: Option<f64>,
}

/// The targets in file order.
struct TargetsFile(Vec<(String, Bounds)>);

impl<'de> Deserialize<'de> for TargetsFile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = TargetsFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of targets")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TargetsFile, A::Error> {
                let mut entries: Vec<(String, Bounds)> = Vec::new();
                // A repeated key never gets here: `parse` refuses it first.
                while let Some(key) = map.next_key::<String>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(TargetsFile(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// Reads a targets file, `{"METRIC": {"min": X, "max": Y}, …}`, in file
/// order, and checks it against the report's layout.
///
/// # Errors
///
/// [`ErrorKind::OptionFile`] for a file that is not such an object, or the
/// errors of [`Targets::new`] for its metrics and bounds.
pub fn targets(text: &str, layout: Layout<'_>) -> Result<Targets, Error> {
    let file: TargetsFile = parse(text, &["", "*"])?;
    let targets = file
        .0
        .into_iter()
        .map(|(metric, b)| Target {
            metric,
            min: b.min,
            max: b.max,
        })
        .collect();
    Targets::new(targets, layout)
}

#[cfg(test)]
mod tests;
