//! Grouping and state: keys, time buckets, the aggregator, its merge and
//! its snapshots.

mod aggregator;
mod bits;
mod events;
mod groups;
mod ids;
mod intern;
mod options;
mod snapshot;

pub use crate::dimensions::Dimension;
pub use aggregator::Aggregator;
pub use options::AggregateOptions;
