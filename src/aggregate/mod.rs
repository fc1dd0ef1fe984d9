//! Grouping and state: keys, time buckets, the aggregator, its merge and
//! its snapshots.

mod aggregator;
mod bits;
mod bucket;
mod events;
mod groups;
mod ids;
mod intern;
mod options;
mod snapshot;

pub use aggregator::Aggregator;
pub use options::{AggregateOptions, Bucket, Dimension, TimeZone};
