//! The bundled polarity model inside the engine: it is loaded, it moves review scores the
//! right way, it shows in explanations, and a damaged model file is a clear error.

mod common;

use koubei_core::Polarity;
use koubei_engine::{Engine, EngineError, Input};

use common::{engine, rules_engine};

#[test]
fn the_bundled_model_is_loaded() {
    let model = engine().model().expect("the bundled model");
    assert!(
        model.meta().rows > 0,
        "the model says what it was trained on"
    );
    assert!(rules_engine().model().is_none());
    assert_ne!(engine().version(), rules_engine().version());
}

#[test]
fn model_scores_point_the_right_way() {
    let cases = [
        ("东西不错，好评", None, true),
        ("差评，不推荐", None, false),
        ("吸力并不差", Some("扫地机器人"), true),
        ("质量很好，物流也快，推荐购买", None, true),
        ("用了一周就坏了，非常失望", None, false),
        ("客服态度极差，再也不买了", None, false),
    ];
    for (text, category, positive) in cases {
        let input = Input {
            category,
            ..Input::text(text)
        };
        let analysis = engine().analyze(&input);
        let why = engine().explain(&input);
        assert_eq!(analysis.score >= 0.0, positive, "{text:?}\n{why}");
        assert!((-1.0..=1.0).contains(&analysis.score), "{text:?}");
        let contribution = why.model.expect("explanations show the model");
        let used = if contribution.rules_decide {
            contribution.rule_score
        } else {
            contribution.model_score
        };
        assert_eq!(used, analysis.score, "{text:?}");
        assert!(!contribution.top.is_empty(), "{text:?}");
    }
}

#[test]
fn the_model_does_not_see_the_words_the_rules_turned_round() {
    use koubei_engine::model::{TURNED_NEGATIVE, TURNED_POSITIVE};
    let input = engine().model_input(&Input::text("吸力并不差，也没有异响，就是不太好用"));
    assert!(!input.text.contains('差'), "{:?}", input.text);
    assert!(!input.text.contains("异响"), "{:?}", input.text);
    assert_eq!(
        input.text.matches(TURNED_POSITIVE).count(),
        2,
        "{:?}",
        input.text
    );
    assert_eq!(
        input.text.matches(TURNED_NEGATIVE).count(),
        1,
        "{:?}",
        input.text
    );
    assert!(input.text.starts_with("吸力"), "{:?}", input.text);
    assert_eq!(input.words().collect::<String>(), input.text);

    let plain = engine().model_input(&Input::text("吸力很大，噪音也小"));
    assert_eq!(
        plain.text, "吸力很大,噪音也小",
        "width folded, nothing turned"
    );
}

#[test]
fn mixed_stays_the_rules_call() {
    let input = Input {
        category: Some("扫地机器人"),
        ..Input::text("这台掃地機器人吸力很強，但是噪音有點大")
    };
    assert_eq!(engine().analyze(&input).polarity, Polarity::Mixed);
}

#[test]
fn explanations_print_the_model_part() {
    let printed = engine().explain(&Input::text("吸力并不差")).to_string();
    assert!(printed.contains("model: score"), "{printed}");
    assert!(printed.contains("top features"), "{printed}");
}

#[test]
fn a_damaged_model_file_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("koubei-model-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.kpm");
    std::fs::write(&bad, b"KOUBEIPM\x01\x00\x00\x00\xff\xff").expect("write");
    let err = Engine::builder().model_file(&bad).build().unwrap_err();
    assert!(matches!(err, EngineError::Model { .. }), "{err}");
    assert!(err.to_string().contains("bad.kpm"), "{err}");
    let missing = Engine::builder()
        .model_file(dir.join("missing.kpm"))
        .build()
        .unwrap_err();
    assert!(
        matches!(missing, EngineError::ReadModel { .. }),
        "{missing}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_model_file_replaces_the_bundled_model() {
    let dir = std::env::temp_dir().join(format!("koubei-model-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("copy.kpm");
    let bytes = engine().model().expect("bundled model").save();
    std::fs::write(&path, bytes).expect("write");
    let copy = Engine::builder().model_file(&path).build().expect("loads");
    let text = Input::text("物流很快，包装完好");
    assert_eq!(copy.analyze(&text).score, engine().analyze(&text).score);
    std::fs::remove_dir_all(&dir).ok();
}
