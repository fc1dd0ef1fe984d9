//! The option files (definitions, "Business hours"), parsed strictly into the
//! library's types: a duplicate key, an unknown key or a wrong type is an
//! error naming the file and the field.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use cxmetrics::{
    calendar::Calendar,
    sla::{SlaPolicy, SlaTargets},
};
use serde::Deserialize;

use crate::Failure;

/// `--calendar FILE`.
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
fn parse<T: serde::de::DeserializeOwned>(path: &Path, objects: &[&str]) -> Result<T, Failure> {
    let fail = |what: String| Failure(format!("{}: {what}", path.display()));
    let text = read(path)?;
    serde_json::from_str::<NoRepeatedKeys>(&text).map_err(|e| fail(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
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
    serde_json::from_str(&text).map_err(|e| fail(e.to_string()))
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| {
        Failure(format!(
            "{}: {}",
            path.display(),
            e.to_string().to_lowercase()
        ))
    })
}

/// Reads a calendar file.
pub fn calendar(path: &Path) -> Result<Calendar, Failure> {
    let fail = |what: String| Failure(format!("{}: {what}", path.display()));
    let file: CalendarFile = parse(path, &["", "hours"])?;
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
    for (d, intervals) in days.iter().enumerate() {
        for (i, (start, end)) in intervals.iter().flatten().enumerate() {
            let time = |text: &str| {
                clock(text).ok_or_else(|| {
                    fail(format!(
                        "hours.{}[{i}]: invalid time {text:?}: expected HH:MM or HH:MM:SS",
                        names[d]
                    ))
                })
            };
            hours[d].push((time(start)?, time(end)?));
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
    Calendar::new(&file.timezone, hours, &holidays).map_err(|e| fail(e.to_string()))
}

/// `--sla FILE`.
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

/// Reads an SLA file; business hours need the calendar.
pub fn sla(path: &Path, calendar: Option<&Calendar>) -> Result<SlaPolicy, Failure> {
    let fail = |what: String| Failure(format!("{}: {what}", path.display()));
    let file: SlaFile = parse(path, &["", "channels", "channels/*"])?;
    let seconds = |field: &str, value: Option<f64>| -> Result<Option<Duration>, Failure> {
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
     -> Result<SlaTargets, Failure> {
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
        if calendar.is_none() {
            return Err(fail("business_hours: true needs --calendar".to_owned()));
        }
        policy = policy.in_business_hours();
    }
    Ok(policy)
}

/// A target's bounds in `--targets FILE`.
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

/// Reads a targets file and checks it against the report's options.
pub fn targets(
    path: &Path,
    options: &cxmetrics::AggregateOptions,
) -> Result<cxmetrics::report::Targets, Failure> {
    let fail = |what: String| Failure(format!("{}: {what}", path.display()));
    let file: TargetsFile = parse(path, &["", "*"])?;
    let targets = file
        .0
        .into_iter()
        .map(|(metric, b)| cxmetrics::report::Target {
            metric,
            min: b.min,
            max: b.max,
        })
        .collect();
    cxmetrics::report::Targets::new(targets, options.layout()).map_err(|e| fail(e.to_string()))
}
