//! The hard cases with a `masked_text` expectation (../shared/cases/review_cases.jsonl, when
//! it is there) go through a real import and come out masked exactly as expected.

use std::path::Path;

use koubei_ingest::{ImportOptions, open_bytes};

fn import_one(text: &str) -> String {
    let body = serde_json::json!([{ "评论内容": text }]).to_string();
    let reader =
        open_bytes(body.into_bytes(), "case.json", &ImportOptions::default()).expect("open");
    let review = reader
        .into_iter()
        .next()
        .expect("a record")
        .expect("a review");
    review.text
}

#[test]
fn every_pii_case_masks_to_its_expected_text() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cases/review_cases.jsonl");
    let Ok(cases) = std::fs::read_to_string(&path) else {
        eprintln!("{} not found; the PII cases are skipped", path.display());
        return;
    };
    let mut checked = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON case");
        let Some(expected) = case["expect"]["masked_text"].as_str() else {
            continue;
        };
        let text = case["text"].as_str().expect("text");
        assert_eq!(import_one(text), expected, "case {}", case["id"]);
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} cases with masked_text");
}

#[test]
fn no_phone_number_survives_an_import() {
    let text = "快递员电话13912345678，我的手机 +86 138-0000-1111，订单号202412990088776655";
    let stored = import_one(text);
    assert!(
        !stored.contains("13912345678") && !stored.contains("0000"),
        "{stored}"
    );
    assert!(
        stored.contains("202412990088776655"),
        "order numbers stay: {stored}"
    );
}
