//! The shared hard cases (`tests/data/review_cases.jsonl`): prints how many the engine
//! gets fully right (review polarity and every listed aspect) and asserts a floor that
//! the engine reaches today; the accuracy issue raises it.

mod common;

use koubei_core::{Analysis, Polarity};
use koubei_engine::{Input, Taxonomy};
use serde_json::Value;

use common::engine;

const CASES: &str = include_str!("data/review_cases.jsonl");

/// Fully right cases the engine must keep getting right.
const FLOOR: usize = 41;

/// Whether a mention's indicator is the case's aspect, by indicator name or term. A
/// mention rolls up to its ancestors, as in a report: 产品/噪音/异响 is about 噪音.
fn indicator_matches(tree: &Taxonomy, indicator_id: &str, aspect: &str) -> bool {
    let aspect = aspect.to_lowercase();
    let mut current = tree.get(indicator_id);
    while let Some(ind) = current {
        let named = ind.name.to_lowercase() == aspect
            || ind.terms().iter().any(|t| t.to_lowercase() == aspect);
        if named {
            return true;
        }
        current = ind.parent.as_deref().and_then(|p| tree.get(p));
    }
    false
}

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
        .any(|m| m.polarity == want && indicator_matches(tree, &m.indicator_id, name))
}

#[test]
fn hard_cases_reach_the_floor() {
    let tree = engine().taxonomy("robot_vacuum").expect("test tree");
    let (mut total, mut right) = (0, 0);
    for line in CASES.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("valid case line");
        let text = case["text"].as_str().unwrap_or_default();
        let input = Input {
            taxonomy: Some("robot_vacuum"),
            ..Input::text(text)
        };
        let analysis = engine().analyze(&input);
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
                "MISS {} {text:?}: want {want}, got {} ({} of {} aspects)",
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
    println!("hard cases fully right: {right} of {total}");
    assert!(
        right >= FLOOR,
        "only {right} of {total} hard cases right (floor {FLOOR})"
    );
}
