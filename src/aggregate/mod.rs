//! Grouping and state: records folded into groups by dimension and time
//! bucket, with exact id dedupe, merge and saved state ([`Aggregator`]),
//! and accumulators under keys of the caller's own ([`Grouped`]).
//!
//! ```
//! use cxmetrics::aggregate::Dimension;
//! use cxmetrics::survey::{ResponseId, Scales, SurveyMetric, SurveyScore};
//! use cxmetrics::time::parse_timestamp;
//! use cxmetrics::{AggregateOptions, Aggregator, SurveyResponse};
//! let options = AggregateOptions::new().with_group_by(&[Dimension::Channel])?;
//! let (mut left, mut right) = (Aggregator::new(options.clone()), Aggregator::new(options));
//! let at = parse_timestamp("2026-03-02T09:00:00Z")?;
//! for (part, id, channel, score) in [(0, "r1", "chat", 10), (1, "r2", "chat", 3), (1, "r1", "chat", 10)] {
//!     let score = SurveyScore::new(SurveyMetric::Nps, score, Scales::default())?;
//!     let response = SurveyResponse::new(ResponseId::new(id)?, score, at).with_channel(channel);
//!     [&mut left, &mut right][part].add_response(&response)?;
//! }
//! left.merge(&right)?; // as one pass: r1's second delivery is a duplicate
//! let report = left.report();
//! assert_eq!(report.input.surveys.duplicates, 1);
//! assert_eq!(report.groups[0].surveys.nps.map(|n| n.score), Some(0.0));
//! # Ok::<(), cxmetrics::Error>(())
//! ```

mod aggregator;
mod bits;
mod events;
mod grouped;
mod groups;
mod ids;
mod intern;
mod options;
mod snapshot;

pub use crate::dimensions::Dimension;
pub use aggregator::Aggregator;
pub use grouped::Grouped;
pub use options::AggregateOptions;
