//! Staffing: published vectors, exact ceilings, extremes and properties.
use super::*;
use proptest::prelude::*;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

/// callcentrehelper's worked example (definitions, "Staffing").
#[test]
fn callcentrehelper() {
    let r = Staffing::parse("100", "30m", "180s", "80/20s")
        .unwrap()
        .solve()
        .unwrap();
    assert_eq!(
        (r.traffic_erlangs, r.agents, r.scheduled, r.leads),
        (10.0, 14, 14, None)
    );
    assert!(close(r.service_level, 0.8884, 5e-5), "{r:?}");
    assert!(close(r.asa_s, 7.84, 5e-3), "{r:?}");
    assert!(close(r.p_wait, 0.1741, 5e-5), "{r:?}");
    assert!(close(r.occupancy, 0.714, 5e-4));
    let r = Staffing::parse("100", "30m", "180s", "80/20s")
        .unwrap()
        .with_shrinkage(Decimal::percent("30%").unwrap())
        .unwrap()
        .with_max_occupancy(Decimal::percent("85%").unwrap())
        .unwrap()
        .with_agents_per_lead(12)
        .unwrap()
        .solve()
        .unwrap();
    assert_eq!((r.scheduled, r.leads), (20, Some(2)));
}

/// pyworkforce's tests: 360 per 30 minutes, AHT 240 s, 55 agents.
#[test]
fn pyworkforce() {
    let traffic = 360.0 * 240.0 / 1800.0;
    let c = erlang_c(55, traffic).unwrap();
    assert!(close(c, 0.2387, 5e-5), "{c}");
    assert!(close(c * 240.0 / (55.0 - traffic), 8.2, 0.05));
    assert!(close(
        1.0 - c * (-(55.0 - traffic) * 15.0 / 240.0).exp(),
        0.8459,
        5e-5
    ));
}

/// The vectors.
#[test]
fn required_agents_vectors() {
    let agents = |a, i, h, t| Staffing::parse(a, i, h, t).unwrap().solve().unwrap().agents;
    assert_eq!(agents("300", "15m", "180s", "95/45s"), 67);
    assert_eq!(agents("650", "1h", "150s", "50/30s"), 29);
    assert_eq!(agents("20", "1h", "1800s", "80/3600s"), 11);
    assert_eq!(agents("25", "15m", "752s", "90/20s"), 28);
    // 27 agents give 0.8776 for that last one.
    let traffic = 25.0 * 752.0 / 900.0;
    let sl = 1.0 - erlang_c(27, traffic).unwrap() * (-(27.0 - traffic) * 20.0 / 752.0).exp();
    assert!(close(sl, 0.8776, 5e-5), "{sl}");
}

/// Exact ceilings: ⌈1 / (1 − 80%)⌉ = 5 and ⌈21 / 70%⌉ = 30, where binary
/// floating point gives 6 and 31.
#[test]
fn exact_ceilings() {
    assert_eq!(ceil_div((100, 1), (100 - 80, 1)), 5);
    assert_eq!(
        ceil_div((21, 1), occupancy_ratio(percent("70%").unwrap())),
        30
    );
    assert_eq!((1.0f64 / (1.0 - 0.8)).ceil(), 6.0);
    assert_eq!((21.0f64 / 0.7).ceil(), 31.0);
    // Through the API: 20 arrivals of 63 s per minute is A = 21.
    let r = Staffing::parse("20", "1m", "63s", "50/60s")
        .unwrap()
        .with_max_occupancy(Decimal::percent("70%").unwrap())
        .unwrap()
        .solve()
        .unwrap();
    assert_eq!(r.agents, 30);
    let r = Staffing::parse("1", "1h", "1s", "50/60s")
        .unwrap()
        .with_shrinkage(Decimal::percent("80%").unwrap())
        .unwrap()
        .solve()
        .unwrap();
    assert_eq!((r.agents, r.scheduled), (1, 5));
}

#[test]
fn impossible_input_is_an_error() {
    for (a, i, h, t) in [
        ("0", "30m", "180s", "80/20s"),
        ("-5", "30m", "180s", "80/20s"),
        ("100", "0m", "180s", "80/20s"),
        ("100", "30", "180s", "80/20s"),
        ("100", "30m", "0s", "80/20s"),
        ("100", "30m", "180s", "0/20s"),
        ("100", "30m", "180s", "100/20s"),
        ("100", "30m", "180s", "80/0s"),
        ("100", "30m", "180s", "80/20"),
    ] {
        assert!(Staffing::parse(a, i, h, t).is_err(), "{a} {i} {h} {t}");
    }
    let s = Staffing::parse("100", "30m", "180s", "80/20s").unwrap();
    assert!(
        s.with_shrinkage(Decimal::percent("100%").unwrap()).is_err()
            && s.with_max_occupancy(Decimal::percent("0%").unwrap())
                .is_err()
            && s.with_max_occupancy(Decimal::percent("101").unwrap())
                .is_err()
    );
    assert!(s.with_agents_per_lead(0).is_err());
    assert_eq!(
        Staffing::parse("100", "30m", "180s", "80/20")
            .unwrap_err()
            .to_string(),
        "invalid staffing target \"80/20\": expected P/Ts with 0 < P < 100, e.g. 80/20s"
    );
}

/// 100 000 Erlangs answer quickly and stay finite.
#[test]
fn large_traffic() {
    let r = Staffing::parse("2000000", "1h", "180s", "80/20s")
        .unwrap()
        .solve()
        .unwrap();
    assert_eq!(r.traffic_erlangs, 100_000.0);
    assert!(r.agents > 100_000 && r.agents < 100_200, "{r:?}");
    assert!(r.service_level.is_finite() && r.service_level >= 0.8);
}

/// Extreme questions answer at once, or are refused naming the limit:
/// never a wrapped count, never hours of searching.
#[test]
fn extremes_answer_in_bounded_time_or_are_refused() {
    let started = std::time::Instant::now();
    let s = Staffing::parse("100", "30m", "180s", "80/20s").unwrap();
    let tiny = s
        .with_max_occupancy(Decimal::percent("0.0000000001%").unwrap())
        .unwrap();
    let error = tiny.solve().unwrap_err().to_string();
    assert!(
        error.contains("more than the 1000000000 this answers"),
        "{error}"
    );
    let loose = s
        .with_max_occupancy(Decimal::percent("0.000001%").unwrap())
        .unwrap();
    assert_eq!(loose.solve().unwrap().agents, 1_000_000_000);
    let shrunk = s
        .with_shrinkage(Decimal::percent("99.9999999999999999%").unwrap())
        .unwrap();
    let error = shrunk.solve().unwrap_err().to_string();
    assert!(
        error.starts_with("invalid staffing shrinkage 99.9999999999999999%: 14"),
        "{error}"
    );
    // Exactly the most traffic answered is answered; above it is refused.
    let most = Staffing::parse("10000000", "1s", "1s", "80/20s")
        .unwrap()
        .solve()
        .unwrap();
    assert_eq!(most.traffic_erlangs, 1e7);
    assert!(most.agents > 10_000_000 && most.service_level >= 0.8);
    let error = Staffing::parse("10000001", "1s", "1s", "80/20s")
        .unwrap_err()
        .to_string();
    assert!(error.contains("more than 10000000 Erlangs"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// Erlang C is a probability for every argument, or an error.
#[test]
fn erlang_c_is_a_probability_or_an_error() {
    assert_eq!(erlang_c(1, 5.0).unwrap(), 1.0);
    assert_eq!(erlang_c(5, 5.0).unwrap(), 1.0);
    assert_eq!(erlang_c(0, 0.0).unwrap(), 1.0);
    assert_eq!(erlang_c(1, 0.0).unwrap(), 0.0);
    assert_eq!(erlang_c(u64::MAX, 1e7).unwrap(), 0.0);
    for bad in [f64::NAN, -1.0, f64::INFINITY, 1e7 + 1.0] {
        assert!(erlang_c(3, bad).is_err(), "{bad}");
    }
    let target: ServiceTarget = "80/20s".parse().unwrap();
    for (traffic, aht) in [
        (0.0, 10.0),
        (f64::NAN, 10.0),
        (1.0, 0.0),
        (1.0, f64::NAN),
        (2e7, 1.0),
    ] {
        assert!(
            required_agents(traffic, aht, target).is_err(),
            "{traffic} {aht}"
        );
    }
    assert_eq!(required_agents(10.0, 180.0, target).unwrap(), 14);
}

proptest! {
    #[test]
    fn service_level_rises_with_agents_and_the_answer_is_the_smallest(arrivals in 1u32..2000, aht in 10u32..1200, percent in 1u32..100, wait in 1u32..300) {
        let s = Staffing::parse(&arrivals.to_string(), "1h", &format!("{aht}s"), &format!("{percent}/{wait}s")).unwrap();
        let r = s.solve().unwrap();
        let traffic = r.traffic_erlangs;
        let sl = |n: u64| 1.0 - erlang_c(n, traffic).unwrap() * (-(n as f64 - traffic) * f64::from(wait) / f64::from(aht)).exp();
        prop_assert!(r.service_level.is_finite() && r.asa_s.is_finite() && r.p_wait.is_finite());
        prop_assert!(r.service_level >= f64::from(percent) / 100.0);
        prop_assert!((r.agents as f64) > traffic);
        let below = r.agents - 1;
        if (below as f64) > traffic {
            prop_assert!(sl(below) < f64::from(percent) / 100.0);
            prop_assert!(sl(below) <= sl(r.agents));
        }
    }
}
