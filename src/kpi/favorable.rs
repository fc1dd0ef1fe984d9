//! Which points of a scale count as a good outcome ("satisfied", "easy").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::survey::Scale;

/// The rule that picks the favorable points of a scale: `satisfied` for
/// CSAT, `easy` for CES.
///
/// The defaults are the documented: [`Favorable::TopTwoBox`] for CSAT and
/// [`Favorable::AboveMidpoint`] for CES (agreement scale, higher = easier).
/// For the original 1–5 *effort* scale of CES 1.0 (Dixon et al. 2010, lower
/// = less effort) use [`Favorable::BelowMidpoint`] (1–2 on 1–5).
///
/// ```
/// use cxmetrics::{kpi::Favorable, survey::Scale};
/// assert_eq!(Favorable::TopTwoBox.points(Scale::CSAT)?, 4..=5);
/// assert_eq!(Favorable::TopTwoBox.points(Scale::new(1, 3)?)?, 3..=3);
/// assert_eq!(Favorable::AboveMidpoint.points(Scale::CES)?, 5..=7);
/// assert_eq!(Favorable::BelowMidpoint.points(Scale::new(1, 5)?)?, 1..=2);
/// assert_eq!(Favorable::AtLeast(9).points(Scale::new(0, 10)?)?, 9..=10);
/// assert!(Favorable::AtLeast(6).points(Scale::CSAT).is_err());
/// # Ok::<(), cxmetrics::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Favorable {
    /// The top two points; on a scale of two or three points the top point
    /// alone (a thumbs-up of 1–2 counts as Zendesk's good / (good + bad)).
    /// The documented CSAT rule.
    TopTwoBox,
    /// The top `n` points.
    TopBox(u8),
    /// The bottom `n` points (scales where lower is better).
    BottomBox(u8),
    /// Scores `>= v`.
    AtLeast(u8),
    /// Scores `<= v`.
    AtMost(u8),
    /// Scores strictly above the midpoint (5–7 on 1–7; 4–5 on 1–5). The
    /// contract's CES rule.
    AboveMidpoint,
    /// Scores strictly below the midpoint (1–2 on 1–5).
    BelowMidpoint,
}

impl Favorable {
    /// The favorable points of `scale`, as an inclusive range.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRule`] when the rule selects no point of the
    /// scale or every point (the share would say nothing).
    pub fn points(self, scale: Scale) -> Result<std::ops::RangeInclusive<u8>, Error> {
        let (min, max) = (i32::from(scale.min()), i32::from(scale.max()));
        let points = max - min + 1;
        // Twice the midpoint, to stay in integers: min + max.
        let mid2 = min + max;
        let (lo, hi) = match self {
            Favorable::TopTwoBox if points <= 3 => (max, max),
            Favorable::TopTwoBox => (max - 1, max),
            Favorable::TopBox(n) => (max - i32::from(n) + 1, max),
            Favorable::BottomBox(n) => (min, min + i32::from(n) - 1),
            Favorable::AtLeast(v) => (i32::from(v), max),
            Favorable::AtMost(v) => (min, i32::from(v)),
            Favorable::AboveMidpoint => (mid2 / 2 + 1, max),
            Favorable::BelowMidpoint => (min, (mid2 + 1) / 2 - 1),
        };
        let (lo, hi) = (lo.max(min), hi.min(max));
        let selected = match hi - lo + 1 {
            n if n <= 0 => "none",
            n if n >= points => "all",
            _ => return Ok(lo as u8..=hi as u8),
        };
        ErrorKind::InvalidRule {
            rule: self.to_string(),
            scale: scale.range(),
            selected: selected.to_owned(),
        }
        .err()
    }
}

impl fmt::Display for Favorable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Favorable::TopTwoBox => f.write_str("top-two-box"),
            Favorable::TopBox(n) => write!(f, "top-{n}-box"),
            Favorable::BottomBox(n) => write!(f, "bottom-{n}-box"),
            Favorable::AtLeast(v) => write!(f, "at least {v}"),
            Favorable::AtMost(v) => write!(f, "at most {v}"),
            Favorable::AboveMidpoint => f.write_str("above midpoint"),
            Favorable::BelowMidpoint => f.write_str("below midpoint"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn contract_rules() {
        let scale = |min, max| Scale::new(min, max).unwrap();
        assert_eq!(Favorable::TopTwoBox.points(scale(1, 2)).unwrap(), 2..=2);
        assert_eq!(Favorable::TopTwoBox.points(scale(0, 10)).unwrap(), 9..=10);
        assert_eq!(Favorable::AboveMidpoint.points(scale(1, 5)).unwrap(), 4..=5);
        assert_eq!(Favorable::AboveMidpoint.points(scale(1, 2)).unwrap(), 2..=2);
        assert_eq!(Favorable::AboveMidpoint.points(scale(1, 6)).unwrap(), 4..=6);
        assert_eq!(Favorable::BelowMidpoint.points(scale(1, 6)).unwrap(), 1..=3);
        assert_eq!(Favorable::BelowMidpoint.points(scale(1, 7)).unwrap(), 1..=3);
        assert_eq!(Favorable::BottomBox(2).points(scale(1, 5)).unwrap(), 1..=2);
        assert_eq!(
            Favorable::AtMost(200)
                .points(scale(1, 5))
                .unwrap_err()
                .to_string(),
            "rule at most 200 selects all of the points of scale 1..=5"
        );
        assert_eq!(
            Favorable::TopBox(0)
                .points(scale(1, 5))
                .unwrap_err()
                .to_string(),
            "rule top-0-box selects none of the points of scale 1..=5"
        );
    }

    proptest! {
        #[test]
        fn points_lie_on_the_scale(min in 0i64..100, span in 1i64..100, rule in 0..7usize, n in any::<u8>()) {
            let Ok(scale) = Scale::new(min, min + span) else { return Ok(()) };
            // The documented rules fit every scale.
            prop_assert!(Favorable::TopTwoBox.points(scale).is_ok());
            prop_assert!(Favorable::AboveMidpoint.points(scale).is_ok());
            let rule = [Favorable::TopTwoBox, Favorable::TopBox(n), Favorable::BottomBox(n), Favorable::AtLeast(n), Favorable::AtMost(n), Favorable::AboveMidpoint, Favorable::BelowMidpoint][rule];
            if let Ok(points) = rule.points(scale) {
                prop_assert!(scale.min() <= *points.start() && points.start() <= points.end() && *points.end() <= scale.max());
                prop_assert!(usize::from(points.end() - points.start()) + 1 < scale.points());
            }
        }
    }
}
