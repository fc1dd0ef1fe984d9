//! Tests of [`super`].

use super::*;
use proptest::prelude::*;

#[test]
fn scales_validate_their_bounds() {
    assert_eq!(Scale::new(0, 100).unwrap().points(), 101);
    for (min, max) in [(5, 1), (3, 3), (-1, 5), (0, 101)] {
        let err = Scale::new(min, max).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid scale {min}-{max}: need integers 0 <= min < max <= 100")
        );
    }
    assert_eq!("0-10".parse::<Scale>().unwrap(), Scale::NPS);
    for bad in ["", "1", "1-", "-5", "1- 5", "a-b", "1-5-7", "+1-5"] {
        assert!(bad.parse::<Scale>().is_err(), "{bad}");
    }
    assert!("1-99999999999999999999999".parse::<Scale>().is_err());
    assert_eq!(Scale::CES.midpoint(), 4.0);
}

#[test]
fn nps_categories_follow_reichheld() {
    let categories: Vec<_> = (0..=10)
        .map(|v| NpsScore::new(v).unwrap().category())
        .collect();
    assert_eq!(categories[..7], [NpsCategory::Detractor; 7]);
    assert_eq!(categories[7..9], [NpsCategory::Passive; 2]);
    assert_eq!(categories[9..], [NpsCategory::Promoter; 2]);
}

#[test]
fn score_errors_name_value_scale_and_metric() {
    let scales = Scales::default();
    let message = |metric, text| {
        SurveyScore::parse(metric, text, scales)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        message(SurveyMetric::Csat, "6"),
        "score 6 out of range 1..=5 for csat"
    );
    assert_eq!(
        message(SurveyMetric::Ces, "-1"),
        "score -1 out of range 1..=7 for ces"
    );
    assert_eq!(
        message(SurveyMetric::Nps, "4.0"),
        "score \"4.0\" is not an integer"
    );
    assert_eq!(
        message(SurveyMetric::Nps, " 5"),
        "score \" 5\" is not an integer"
    );
    assert_eq!(
        message(SurveyMetric::Nps, "5e0"),
        "score \"5e0\" is not an integer"
    );
    assert_eq!(
        message(SurveyMetric::Nps, "+"),
        "score \"+\" is not an integer"
    );
    assert_eq!(
        message(SurveyMetric::Nps, "99999999999999999999"),
        "score 99999999999999999999 out of range 0..=10 for nps"
    );
    assert_eq!(
        Scale::CSAT.score(9).unwrap_err().to_string(),
        "score 9 out of range 1..=5"
    );
    let score = SurveyScore::parse(SurveyMetric::Nps, "+05", scales).unwrap();
    assert_eq!(score.value(), 5);
    assert_eq!(
        "CSAT".parse::<SurveyMetric>().unwrap_err().to_string(),
        "unknown metric \"CSAT\": expected nps, csat or ces"
    );
}

#[test]
fn deserializing_validates() {
    let nps_on_csat = r#"{"metric":"nps","scale":{"min":1,"max":5},"value":3}"#;
    assert!(serde_json::from_str::<SurveyScore>(nps_on_csat).is_err());
    let csat = r#"{"metric":"csat","scale":{"min":1,"max":5},"value":3}"#;
    assert_eq!(
        serde_json::from_str::<SurveyScore>(csat).unwrap().value(),
        3
    );
    assert!(serde_json::from_str::<NpsScore>("11").is_err());
    assert!(serde_json::from_str::<Scale>(r#"{"min":5,"max":1}"#).is_err());
    let bad = r#"{"scale":{"min":1,"max":5},"value":6}"#;
    assert!(serde_json::from_str::<ScaleScore>(bad).is_err());
}

proptest! {
    #[test]
    fn validation_never_panics_and_agrees_with_the_scale(metric in 0..3usize, value in any::<i64>(), min in -2i64..103, max in -2i64..103) {
        let metric = [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces][metric];
        if let Ok(scale) = Scale::new(min, max) {
            let scales = Scales { csat: scale, ces: scale };
            let result = SurveyScore::new(metric, value, scales);
            prop_assert_eq!(result.is_ok(), scales.of(metric).contains(value));
            let parsed = SurveyScore::parse(metric, &value.to_string(), scales);
            prop_assert_eq!(parsed.ok(), result.ok());
        }
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\PC{0,24}") {
        let _ = SurveyScore::parse(SurveyMetric::Csat, &text, Scales::default());
        let _ = text.parse::<Scale>();
        let _ = text.parse::<SurveyMetric>();
    }

    #[test]
    fn serde_round_trip(metric in 0..3usize, value in 0i64..=10) {
        let metric = [SurveyMetric::Nps, SurveyMetric::Csat, SurveyMetric::Ces][metric];
        let scales = Scales { csat: Scale::NPS, ces: Scale::NPS };
        let score = SurveyScore::new(metric, value, scales).unwrap();
        let json = serde_json::to_string(&score).unwrap();
        prop_assert_eq!(serde_json::from_str::<SurveyScore>(&json).unwrap(), score);
        prop_assert_eq!(score.nps().is_some(), metric == SurveyMetric::Nps);
    }
}
