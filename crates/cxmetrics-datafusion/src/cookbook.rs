//! Queries of everyday questions, over a table `surveys` of responses and
//! a table `events` of ticket events with the columns of cxmetrics' record
//! files (CSV text, or Parquet, see [`register_files`](crate::register_files)).
//!
//! The tables hold the records the report counts: valid, and each id once.
//! Where ids may repeat, keep the first delivery of each before, e.g.
//! `SELECT DISTINCT ON (id) * FROM events ORDER BY id, loaded_at`, and
//! filter out rows the definitions reject (a score off its scale, an
//! unknown kind), which otherwise stop the query with an error naming them.
//!
//! [`REPORT_SURVEYS`], [`REPORT_TICKETS`] and [`REPORT_REPLIES`] together
//! are `cxmetrics report --group-by agent`: the same numbers, to the
//! definitions' accuracy, for the same records.

macro_rules! recipes {
    ($($(#[doc = $doc:literal])* $name:ident = $sql:literal;)*) => {
        $(
            $(#[doc = $doc])*
            #[doc = ""]
            #[doc = "```sql"]
            #[doc = $sql]
            #[doc = "```"]
            pub const $name: &str = $sql;
        )*

        /// Every recipe, by name.
        pub const ALL: &[(&str, &str)] = &[$((stringify!($name), $name)),*];
    };
}

recipes! {
    /// NPS by ISO week (weeks starting on Monday, in UTC).
    NPS_BY_WEEK = "SELECT date_trunc('week', CAST(at AS TIMESTAMP)) AS week, nps(score) AS nps
FROM surveys WHERE metric = 'nps'
GROUP BY week ORDER BY week";

    /// The 90th percentile of first-response time by team, over the
    /// tickets whose timeline is valid.
    FIRST_RESPONSE_P90_BY_TEAM = "WITH tickets AS (
  SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS t
  FROM events GROUP BY ticket)
SELECT t['team'] AS team, duration_stats(t['first_response_s'])['p90'] AS first_response_p90_s
FROM tickets WHERE t['valid']
GROUP BY t['team'] ORDER BY team NULLS FIRST";

    /// The resolution rate (percent of the tickets created) by channel and
    /// month of creation.
    RESOLUTION_BY_CHANNEL_AND_MONTH = "WITH tickets AS (
  SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS t
  FROM events GROUP BY ticket)
SELECT t['channel'] AS channel, date_trunc('month', t['created_at']) AS month,
       count(*) AS created,
       100.0 * sum(CASE WHEN t['resolved'] THEN 1 ELSE 0 END) / count(*) AS resolution_rate
FROM tickets WHERE t['valid']
GROUP BY channel, month ORDER BY channel NULLS FIRST, month";

    /// The report's survey sections by agent: NPS, CSAT and CES with their
    /// intervals.
    REPORT_SURVEYS = "SELECT agent,
       nps(CASE WHEN metric = 'nps' THEN score END) AS nps,
       csat(CASE WHEN metric = 'csat' THEN score END) AS csat,
       ces(CASE WHEN metric = 'ces' THEN score END) AS ces
FROM surveys
GROUP BY agent ORDER BY agent NULLS FIRST";

    /// The report's ticket section by agent (the agent of each ticket's
    /// first reply): counts, and the distributions of first response,
    /// resolution and handle time.
    REPORT_TICKETS = "WITH tickets AS (
  SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS t
  FROM events GROUP BY ticket)
SELECT t['agent'] AS agent, count(*) AS created,
       sum(CASE WHEN t['answered'] THEN 1 ELSE 0 END) AS answered,
       sum(CASE WHEN t['resolved'] THEN 1 ELSE 0 END) AS resolved,
       sum(CASE WHEN t['reopens'] > 0 THEN 1 ELSE 0 END) AS reopened,
       sum(CASE WHEN t['one_touch'] THEN 1 ELSE 0 END) AS one_touch,
       duration_stats(t['first_response_s']) AS first_response_s,
       duration_stats(t['first_resolution_s']) AS first_resolution_s,
       duration_stats(t['full_resolution_s']) AS full_resolution_s,
       duration_stats(t['handle_s']) AS handle_s
FROM tickets WHERE t['valid']
GROUP BY t['agent'] ORDER BY agent NULLS FIRST";

    /// The report's reply waits by agent: every wait of a customer for a
    /// reply, of every valid ticket.
    REPORT_REPLIES = "WITH tickets AS (
  SELECT ticket_metrics(id, at, kind, agent, status, channel, team, topic) AS t
  FROM events GROUP BY ticket),
waits AS (
  SELECT t['agent'] AS agent, unnest(t['reply_waits_s']) AS wait
  FROM tickets WHERE t['valid'])
SELECT agent, duration_stats(wait) AS reply_s
FROM waits GROUP BY agent ORDER BY agent NULLS FIRST";
}
