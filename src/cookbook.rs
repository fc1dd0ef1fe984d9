//! Complete programs for common tasks.
//!
//! Each recipe is also a file in the repository's `examples/`, run with
//! `cargo run --example NAME` (CI runs them all). They use only the public
//! API and print real numbers.

//! # NPS and CSAT by week from your own structs
//!
//! Rows of your own, bucketed by DST-exact ISO week in a zone, into [`Grouped`](crate::aggregate::Grouped) survey accumulators. `cargo run --example nps_csat_by_week`:
//!
#![doc = concat!("```no_run\n", include_str!("../examples/nps_csat_by_week.rs"), "```")]
//!
//! # Per-ticket metrics from your own events
//!
//! A helpdesk log into a [`Timeline`](crate::Timeline): first response, reply waits, resolution, one-touch. `cargo run --example ticket_metrics`:
//!
#![doc = concat!("```no_run\n", include_str!("../examples/ticket_metrics.rs"), "```")]
//!
//! # Grouping by a key of your own
//!
//! CSAT by customer tier × region, with Wilson intervals. `cargo run --example custom_key`:
//!
#![doc = concat!("```no_run\n", include_str!("../examples/custom_key.rs"), "```")]
//!
//! # Merging states built on several threads
//!
//! Four workers with overlapping shares; the merge deduplicates ids as one pass would. `cargo run --example merge_threads`:
//!
#![doc = concat!("```no_run\n", include_str!("../examples/merge_threads.rs"), "```")]
//!
//! # SLA attainment with a calendar
//!
//! Business hours with a holiday, a first-response target in business time. `cargo run --example sla_calendar`:
//!
#![doc = concat!("```no_run\n", include_str!("../examples/sla_calendar.rs"), "```")]
//!
//! # Next week's staffing from last week's report
//!
//! The bundled sample's arrivals per hour and AHT, grown 10%, into Erlang C agents per hour (feature `io`). `cargo run --example staffing_plan`:
//!
#![cfg_attr(feature = "io", doc = concat!("```no_run\n", include_str!("../examples/staffing_plan.rs"), "```"))]
//!
//! # A survey file through the readers
//!
//! CSV or JSON Lines into KPIs, every rejected row listed with its line (feature `io`). `cargo run --example survey_report`:
//!
#![cfg_attr(feature = "io", doc = concat!("```no_run\n", include_str!("../examples/survey_report.rs"), "```"))]
