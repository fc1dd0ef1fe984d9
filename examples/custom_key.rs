//! Grouping by a key of your own: customer tier × region.
use cxmetrics::aggregate::Grouped;
use cxmetrics::kpi::Csat;
use cxmetrics::survey::Scale;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Basic,
    Gold,
}

fn main() -> Result<(), cxmetrics::Error> {
    // (tier, region, CSAT 1–5) as your warehouse holds them.
    let rows = [
        (Tier::Gold, "emea", 5),
        (Tier::Gold, "emea", 4),
        (Tier::Gold, "apac", 3),
        (Tier::Basic, "emea", 2),
        (Tier::Basic, "emea", 5),
        (Tier::Basic, "apac", 4),
        (Tier::Gold, "apac", 5),
        (Tier::Basic, "apac", 1),
    ];
    let mut csat: Grouped<(Tier, &str), Csat> = Grouped::new();
    for (tier, region, score) in rows {
        csat.add((tier, region), Scale::CSAT.score(score)?)?;
    }
    for ((tier, region), summary) in csat.summaries() {
        let s = summary.expect("a group has responses");
        println!(
            "{tier:?}/{region}: CSAT {:.1}% [{:.1}, {:.1}] of {}",
            s.score, s.score_ci.lower, s.score_ci.upper, s.responses
        );
    }
    Ok(())
}
