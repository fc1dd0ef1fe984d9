//! Options of the survey statistics.

use serde::{Deserialize, Serialize};

use super::interval::Confidence;

/// How the NPS confidence interval is computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NpsInterval {
    /// Adjusted Wald (Rocks 2016): add 0.75 detractor, 1.5 passive and 0.75
    /// promoter before the Wald formula. Good coverage even for small or
    /// lopsided samples. The documented interval.
    #[default]
    AdjustedWald,
    /// Plain Wald: `NPS ± z·SE` with `SE = sqrt((p + d − (p − d)²)/n)`.
    /// Too narrow for small samples, and zero-width when every response
    /// is in one group.
    Wald,
}

/// Options of every survey summary and comparison: the confidence level
/// and the NPS interval method. The default is the documented (95%,
/// adjusted Wald).
///
/// ```
/// use cxmetrics::kpi::{Confidence, NpsInterval, SummaryOptions};
/// let options = SummaryOptions {
///     confidence: Confidence::new(0.90)?,
///     nps_interval: NpsInterval::Wald,
/// };
/// assert_ne!(options, SummaryOptions::default());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryOptions {
    /// The level of every interval.
    pub confidence: Confidence,
    /// The NPS interval method.
    pub nps_interval: NpsInterval,
}
