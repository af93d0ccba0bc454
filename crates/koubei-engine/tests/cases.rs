//! The shared hard cases (`tests/data/review_cases.jsonl`): prints how many the engine
//! gets fully right (review polarity and every listed aspect) and asserts a floor that
//! the engine reaches today; the accuracy issue raises it.

mod common;

use koubei_core::{Analysis, Polarity};
use koubei_engine::{Engine, Input, Taxonomy, flags};
use serde_json::Value;

use common::{engine, rules_engine};

const CASES: &str = include_str!("data/review_cases.jsonl");

/// Fully right cases the engine must keep getting right.
const FLOOR: usize = 45;
/// The same for the rules alone (no polarity model).
const RULES_FLOOR: usize = 46;

fn aspect_right(tree: &Taxonomy, analysis: &Analysis, aspect: &Value) -> bool {
    let name = aspect["aspect"].as_str().unwrap_or_default();
    let want: Polarity = aspect["polarity"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or(Polarity::Neutral);
    analysis
        .mentions
        .iter()
        .any(|m| m.polarity == want && tree.is_about(&m.indicator_id, name))
}

#[test]
fn hard_cases_reach_the_floor() {
    let full = fully_right(engine(), "engine");
    let rules = fully_right(rules_engine(), "rules alone");
    assert!(
        full >= FLOOR,
        "only {full} hard cases right with the model (floor {FLOOR})"
    );
    assert!(
        rules >= RULES_FLOOR,
        "only {rules} hard cases right by the rules alone (floor {RULES_FLOOR})"
    );
}

/// How many cases `engine` gets fully right; prints each miss and the count.
fn fully_right(engine: &Engine, label: &str) -> usize {
    let tree = engine.taxonomy("robot_vacuum").expect("test tree");
    let (mut total, mut right) = (0, 0);
    for line in CASES.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("valid case line");
        let text = case["text"].as_str().unwrap_or_default();
        let input = Input {
            taxonomy: Some("robot_vacuum"),
            ..Input::text(text)
        };
        let analysis = engine.analyze(&input);
        let want: Polarity = case["polarity"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .unwrap_or(Polarity::Neutral);
        let aspects = case["aspects"].as_array().cloned().unwrap_or_default();
        let polarity_ok = analysis.polarity == want;
        let aspects_ok = aspects.iter().all(|a| aspect_right(tree, &analysis, a));
        total += 1;
        if polarity_ok && aspects_ok {
            right += 1;
        } else {
            println!(
                "MISS ({label}) {} {text:?}: want {want}, got {} ({} of {} aspects)",
                case["id"].as_str().unwrap_or("?"),
                analysis.polarity,
                aspects
                    .iter()
                    .filter(|a| aspect_right(tree, &analysis, a))
                    .count(),
                aspects.len()
            );
        }
    }
    println!("hard cases fully right ({label}): {right} of {total}");
    right
}

/// The flags a case expects (`expect.flags`) are exactly those the engine sets; a
/// `template_cluster` case is fed three times by three authors to
/// [`koubei_engine::flags::template_clusters`], as the import does.
#[test]
fn hard_case_flags_match() {
    let mut checked = 0;
    for line in CASES.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("valid case line");
        let Some(want) = case["expect"]["flags"].as_array() else {
            continue;
        };
        let text = case["text"].as_str().unwrap_or_default();
        let id = case["id"].as_str().unwrap_or("?");
        let want: Vec<&str> = want.iter().filter_map(Value::as_str).collect();
        let input = Input {
            taxonomy: Some("robot_vacuum"),
            ..Input::text(text)
        };
        let mut got: Vec<&str> = engine()
            .analyze(&input)
            .flags
            .iter()
            .map(|f| f.as_str())
            .collect();
        if want.contains(&"template_cluster") {
            let fed = [(text, "u1"), (text, "u2"), (text, "u3")];
            if flags::template_clusters(&fed) == vec![vec![0, 1, 2]] {
                got.push("template_cluster");
            }
        }
        got.sort_unstable();
        let mut want = want;
        want.sort_unstable();
        assert_eq!(got, want, "{id} {text:?}");
        checked += 1;
    }
    assert_eq!(checked, 7, "cases with expected flags");
}
