//! Behaviour of the whole model on tiny synthetic corpora: learning, negation, extras,
//! the file round trip and damaged files.

use crate::{Doc, Model, ModelError, ModelMeta, TrainConfig, train};

/// A tiny corpus: each entry is a list of words, the text is their concatenation.
struct Corpus {
    texts: Vec<String>,
    words: Vec<Vec<&'static str>>,
    labels: Vec<bool>,
}

impl Corpus {
    fn new(items: &[(&[&'static str], bool)]) -> Corpus {
        Corpus {
            texts: items.iter().map(|(w, _)| w.concat()).collect(),
            words: items.iter().map(|(w, _)| w.to_vec()).collect(),
            labels: items.iter().map(|(_, l)| *l).collect(),
        }
    }

    fn docs(&self) -> Vec<Doc<'_>> {
        self.texts
            .iter()
            .zip(&self.words)
            .map(|(t, w)| Doc {
                text: t,
                words: w,
                extra: &[],
            })
            .collect()
    }
}

const ASPECTS: [&str; 6] = ["质量", "服务", "物流", "包装", "屏幕", "价格"];

fn config() -> TrainConfig {
    TrainConfig {
        epochs: 30,
        calibration_fraction: 0.0,
        ..TrainConfig::default()
    }
}

fn train_on(items: &[(Vec<&'static str>, bool)], config: &TrainConfig) -> Model {
    let borrowed: Vec<(&[&'static str], bool)> =
        items.iter().map(|(w, l)| (w.as_slice(), *l)).collect();
    let corpus = Corpus::new(&borrowed);
    train(&corpus.docs(), &corpus.labels, config, ModelMeta::default())
}

fn score(model: &Model, words: &[&str]) -> f32 {
    let text = words.concat();
    model.score(&Doc {
        text: &text,
        words,
        extra: &[],
    })
}

/// Positive "X 好 / X 满意", negative "X 差 / X 不 好 / X 不 满意" over the aspects.
fn good_bad_corpus() -> Vec<(Vec<&'static str>, bool)> {
    ASPECTS
        .iter()
        .flat_map(|&a| {
            [
                (vec![a, "很", "好"], true),
                (vec![a, "满意"], true),
                (vec![a, "很", "差"], false),
                (vec![a, "不", "好"], false),
                (vec![a, "不", "满意"], false),
            ]
        })
        .collect()
}

#[test]
fn learns_good_versus_bad() {
    let model = train_on(&good_bad_corpus(), &config());
    assert!(score(&model, &["做工", "很", "好"]) > 0.2);
    assert!(score(&model, &["做工", "很", "差"]) < -0.2);
}

#[test]
fn negation_scope_turns_good_negative() {
    let model = train_on(&good_bad_corpus(), &config());
    assert!(score(&model, &["做工", "不", "好"]) < 0.0);
    assert!(score(&model, &["做工", "好"]) > 0.0);
}

#[test]
fn learns_extra_features() {
    let items: Vec<(Vec<&'static str>, bool)> = ASPECTS
        .iter()
        .flat_map(|&a| [(vec![a], true), (vec![a], false)])
        .collect();
    let borrowed: Vec<(&[&'static str], bool)> =
        items.iter().map(|(w, l)| (w.as_slice(), *l)).collect();
    let corpus = Corpus::new(&borrowed);
    let (pos, neg) = ([("lex", 1.0f32)], [("lex", -1.0f32)]);
    let docs: Vec<Doc> = corpus
        .docs()
        .into_iter()
        .zip(&corpus.labels)
        .map(|(d, &l)| Doc {
            extra: if l { &pos } else { &neg },
            ..d
        })
        .collect();
    let model = train(&docs, &corpus.labels, &config(), ModelMeta::default());
    let doc = |extra| Doc {
        text: "外观",
        words: &["外观"],
        extra,
    };
    assert!(model.score(&doc(&pos)) > 0.3);
    assert!(model.score(&doc(&neg)) < -0.3);
    assert!(model.score(&doc(&[("unknown", 5.0)])).abs() < 0.3);
    let why = model.explain(&doc(&pos), 1);
    assert_eq!(why[0].0, "x:lex");
}

#[test]
fn save_and_load_give_identical_scores() {
    let model = train_on(&good_bad_corpus(), &TrainConfig::default());
    let loaded = Model::load(&model.save()).expect("round trip");
    assert_eq!(loaded, model);
    for words in [&["做工", "很", "好"][..], &["不", "满意"], &[]] {
        assert_eq!(
            score(&loaded, words).to_bits(),
            score(&model, words).to_bits()
        );
    }
}

#[test]
fn damaged_files_are_errors() {
    let bytes = train_on(&good_bad_corpus(), &config()).save();
    assert!(matches!(
        Model::load(b"nonsense"),
        Err(ModelError::BadMagic)
    ));
    assert!(matches!(
        Model::load(&bytes[..10]),
        Err(ModelError::Truncated)
    ));
    assert!(matches!(
        Model::load(&bytes[..bytes.len() - 1]),
        Err(ModelError::WeightCount { .. })
    ));
    let mut version = bytes.clone();
    version[8] = 9;
    assert!(matches!(Model::load(&version), Err(ModelError::Version(9))));
    let mut header = bytes.clone();
    header[17] = b'#';
    assert!(matches!(Model::load(&header), Err(ModelError::Header(_))));
}

#[test]
fn loading_never_panics_on_prefixes_or_flipped_bytes() {
    let bytes = train_on(
        &good_bad_corpus(),
        &TrainConfig {
            featurizer: crate::Featurizer {
                hash_bits: 8,
                ..Default::default()
            },
            ..config()
        },
    )
    .save();
    for len in 0..bytes.len() {
        assert!(Model::load(&bytes[..len]).is_err());
    }
    for i in (0..bytes.len()).step_by(3) {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x5a;
        let _ = Model::load(&damaged);
    }
}

#[test]
fn scores_stay_in_range() {
    let model = train_on(&good_bad_corpus(), &TrainConfig::default());
    let extras: [&[(&str, f32)]; 4] = [
        &[],
        &[("lex", 1e30)],
        &[("lex", f32::NAN)],
        &[("a", f32::INFINITY)],
    ];
    for extra in extras {
        for words in [&["好"; 200][..], &["差"; 200], &[], &["不", "好"]] {
            let text = words.concat();
            let s = model.score(&Doc {
                text: &text,
                words,
                extra,
            });
            assert!((-1.0..=1.0).contains(&s), "{s}");
        }
    }
}

#[test]
fn training_is_deterministic() {
    let a = train_on(&good_bad_corpus(), &TrainConfig::default());
    let b = train_on(&good_bad_corpus(), &TrainConfig::default());
    assert_eq!(a.save(), b.save());
}

#[test]
fn explain_names_the_deciding_features() {
    let model = train_on(&good_bad_corpus(), &config());
    let words = ["做工", "很", "差"];
    let text = words.concat();
    let why = model.explain(
        &Doc {
            text: &text,
            words: &words,
            extra: &[],
        },
        3,
    );
    assert_eq!(why.len(), 3);
    assert!(
        why.iter().any(|(name, w)| name.contains('差') && *w < 0.0),
        "{why:?}"
    );
}

#[test]
fn cross_validation_reports_each_fold() {
    let items = good_bad_corpus();
    let borrowed: Vec<(&[&'static str], bool)> =
        items.iter().map(|(w, l)| (w.as_slice(), *l)).collect();
    let corpus = Corpus::new(&borrowed);
    let folds = crate::cross_validate(&corpus.docs(), &corpus.labels, 3, (&[], &[]), &config());
    assert_eq!(folds.len(), 3);
    assert_eq!(folds.iter().map(|f| f.rows).sum::<usize>(), items.len());
    assert!(folds.iter().all(|f| (0.0..=1.0).contains(&f.accuracy)));
}

#[test]
fn shipped_model_loads_and_reads_plain_reviews() {
    let model = Model::load(include_bytes!("../models/review-polarity.kpm")).expect("load");
    let cases: [(&[&str], bool); 4] = [
        (&["质量", "很", "好", "，", "很", "满意"], true),
        (&["太", "差", "了", "，", "不", "推荐"], false),
        (&["物流", "很快", "，", "东西", "不错"], true),
        (&["用", "了", "两天", "就", "坏", "了"], false),
    ];
    for (words, positive) in cases {
        let s = score(&model, words);
        assert_eq!(s > 0.0, positive, "{words:?} scored {s}");
    }
    assert!(model.meta().rows > 90_000);
}
