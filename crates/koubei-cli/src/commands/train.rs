//! `koubei train`: trains the review-level polarity model on labelled polarity TSVs.
//!
//! Each row (`label\ttext` or `label\tcategory\ttext`, label 1 positive, 0 negative, a
//! header line allowed) goes through the engine exactly as a review to score would
//! ([`Engine::model_input`]: normalisation, segmentation, rule signals), so the features
//! the model learns from are the ones it sees later. Training rows whose text (whitespace
//! removed) is also in a **held-out** file (`--dev`, or every `*_dev.tsv` in `--data`) are
//! dropped; the held-out accuracy is printed and stored in the model, for reporting only.
//!
//! `--holdout NAME` and `--folds-on NAME` measure settings on the training side before the
//! final fit: a seeded tenth of NAME held out, or a k-fold over NAME with every other
//! training file as background. Settings are chosen on those figures, never on `--dev`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use koubei_engine::koubei_model::{self, Doc, Figure, Model, ModelMeta, Source, TrainConfig};
use koubei_engine::{Engine, Input, ModelInput};
use rayon::prelude::*;

use crate::cli::TrainArgs;

/// One labelled row of a polarity file, featurised.
struct Row {
    label: bool,
    input: ModelInput,
}

/// One labelled file.
struct LabelledFile {
    name: String,
    rows: Vec<Row>,
    /// How many times each row is trained on (`--weight NAME=N`).
    repeat: usize,
}

pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let (train_paths, dev_paths) = files(&args)?;
    let config = config(args.config.as_deref())?;
    let engine = Engine::builder()
        .without_model()
        .build()
        .context("cannot build the engine")?;

    let started = Instant::now();
    let train = read_all(&engine, &train_paths)?;
    let dev = read_all(&engine, &dev_paths)?;
    eprintln!("featurised in {:.1}s", started.elapsed().as_secs_f64());

    let (mut train, sources) = drop_held_out(train, &dev);
    set_weights(&mut train, &args.weight)?;
    let mut figures = Vec::new();
    for name in &args.holdout {
        figures.push(holdout(&train, name, &config)?);
    }
    for name in &args.folds_on {
        figures.push(folds(&train, name, args.folds, &config)?);
    }
    if args.cv_only {
        return Ok(ExitCode::SUCCESS);
    }

    let started = Instant::now();
    let meta = ModelMeta {
        sources,
        trained_at: args
            .trained_at
            .clone()
            .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string()),
        figures,
        notes: args.notes.clone().unwrap_or_default(),
        ..ModelMeta::default()
    };
    let rows: Vec<&Row> = train
        .iter()
        .flat_map(|f| f.rows.iter().flat_map(|r| std::iter::repeat_n(r, f.repeat)))
        .collect();
    let mut model = fit(&rows, &config, meta);
    eprintln!(
        "trained on {} rows in {:.1}s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    report_dev(&mut model, &dev);

    let bytes = model.save();
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "wrote {} ({:.2} MB)",
        args.out.display(),
        bytes.len() as f64 / 1e6
    );
    Ok(ExitCode::SUCCESS)
}

/// Training and held-out files: the named files, or the folder's `*.tsv` split by name.
fn files(args: &TrainArgs) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut train = args.files.clone();
    let mut dev = args.dev.clone();
    if let Some(dir) = &args.data {
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
            .collect();
        found.sort();
        for path in found {
            if stem(&path).ends_with("_dev") {
                dev.push(path);
            } else if args.files.is_empty() {
                train.push(path);
            }
        }
    }
    if train.is_empty() {
        bail!("no training files: name them or give --data DIR");
    }
    Ok((train, dev))
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Training settings: the defaults, overridden by a JSON object of [`TrainConfig`] fields.
fn config(json: Option<&str>) -> Result<TrainConfig> {
    let Some(json) = json else {
        return Ok(TrainConfig::default());
    };
    let mut value = serde_json::to_value(TrainConfig::default())?;
    let patch: serde_json::Value = serde_json::from_str(json).context("--config is not JSON")?;
    merge(&mut value, patch);
    serde_json::from_value(value).context("--config does not fit the training settings")
}

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, p) => *b = p,
    }
}

fn read_all(engine: &Engine, paths: &[PathBuf]) -> Result<Vec<LabelledFile>> {
    paths.iter().map(|p| read_file(engine, p)).collect()
}

/// Reads and featurises one polarity file; a row without a 0/1 label is skipped.
fn read_file(engine: &Engine, path: &Path) -> Result<LabelledFile> {
    let content =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let lines: Vec<(bool, Option<&str>, &str)> = content.lines().filter_map(parse_line).collect();
    let rows = lines
        .par_iter()
        .map(|&(label, category, text)| Row {
            label,
            input: engine.model_input(&Input {
                category,
                ..Input::text(text)
            }),
        })
        .collect::<Vec<_>>();
    eprintln!("  {}: {} rows", path.display(), rows.len());
    Ok(LabelledFile {
        name: stem(path),
        rows,
        repeat: 1,
    })
}

/// `label\ttext` or `label\tcategory\ttext`; `None` for a header or a bad label.
fn parse_line(line: &str) -> Option<(bool, Option<&str>, &str)> {
    let mut cols = line.splitn(3, '\t');
    let label = match cols.next()?.trim() {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    let second = cols.next()?;
    Some(match cols.next() {
        Some(text) => (label, Some(second.trim()).filter(|c| !c.is_empty()), text),
        None => (label, None, second),
    })
}

/// The dedup key of a text: its normalised form without whitespace.
fn key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Drops training rows whose text is in a held-out file; returns what is left per file.
fn drop_held_out(
    train: Vec<LabelledFile>,
    dev: &[LabelledFile],
) -> (Vec<LabelledFile>, Vec<Source>) {
    let held: HashSet<String> = dev
        .iter()
        .flat_map(|f| f.rows.iter().map(|r| key(&r.input.text)))
        .collect();
    let mut sources = Vec::new();
    let kept = train
        .into_iter()
        .map(|f| {
            let before = f.rows.len();
            let rows: Vec<Row> = f
                .rows
                .into_iter()
                .filter(|r| !held.contains(&key(&r.input.text)))
                .collect();
            println!(
                "{}: {} rows, {} dropped as also held out",
                f.name,
                rows.len(),
                before - rows.len()
            );
            sources.push(Source {
                name: f.name.clone(),
                rows: rows.len(),
            });
            LabelledFile { rows, ..f }
        })
        .collect();
    (kept, sources)
}

/// Applies `--weight NAME=N`: rows of file NAME are trained on N times.
fn set_weights(train: &mut [LabelledFile], weights: &[String]) -> Result<()> {
    for w in weights {
        let Some((name, n)) = w.split_once('=') else {
            bail!("--weight {w:?}: expected NAME=N");
        };
        let n: usize = n
            .trim()
            .parse()
            .with_context(|| format!("--weight {w:?}: N is not a whole number"))?;
        let Some(file) = train.iter_mut().find(|f| f.name == name.trim()) else {
            bail!("--weight {w:?}: no training file named {name:?}");
        };
        file.repeat = n;
    }
    Ok(())
}

/// Trains on `rows`.
fn fit(rows: &[&Row], config: &TrainConfig, meta: ModelMeta) -> Model {
    let words: Vec<Vec<&str>> = rows.iter().map(|r| r.input.words().collect()).collect();
    let docs: Vec<Doc> = rows.iter().zip(&words).map(|(r, w)| doc(r, w)).collect();
    let labels: Vec<bool> = rows.iter().map(|r| r.label).collect();
    koubei_model::train(&docs, &labels, config, meta)
}

fn doc<'a>(row: &'a Row, words: &'a [&'a str]) -> Doc<'a> {
    Doc {
        text: &row.input.text,
        words,
        extra: &row.input.signals,
    }
}

/// Two-class accuracy of `model` on `rows` (`score >= 0` is positive).
fn accuracy(model: &Model, rows: &[Row]) -> f64 {
    let right = rows
        .par_iter()
        .filter(|r| (r.input.with_doc(|d| model.score(d)) >= 0.0) == r.label)
        .count();
    right as f64 / rows.len().max(1) as f64
}

/// Holds out every tenth row of the file `name` (and drops equal texts from training).
fn holdout(train: &[LabelledFile], name: &str, config: &TrainConfig) -> Result<Figure> {
    let Some(target) = train.iter().find(|f| f.name == name) else {
        bail!("--holdout {name}: no training file of that name");
    };
    let held: Vec<&Row> = target.rows.iter().skip(7).step_by(10).collect();
    let keys: HashSet<String> = held.iter().map(|r| key(&r.input.text)).collect();
    let rows: Vec<&Row> = train
        .iter()
        .flat_map(|f| {
            f.rows
                .iter()
                .enumerate()
                .filter(move |(i, _)| f.name != name || i % 10 != 7)
                .flat_map(move |(_, r)| std::iter::repeat_n(r, f.repeat))
        })
        .filter(|r| !keys.contains(&key(&r.input.text)))
        .collect();
    let model = fit(&rows, config, ModelMeta::default());
    let right = held
        .iter()
        .filter(|r| (r.input.with_doc(|d| model.score(d)) >= 0.0) == r.label)
        .count();
    let value = right as f64 / held.len().max(1) as f64;
    println!("holdout {name}: {value:.4} on {} rows", held.len());
    Ok(Figure {
        name: format!("{name} 10% holdout accuracy"),
        value,
    })
}

/// k-fold cross-validation over the file `name`, every other file as background; folds
/// are every k-th row of a seeded shuffle.
fn folds(train: &[LabelledFile], name: &str, k: usize, config: &TrainConfig) -> Result<Figure> {
    let Some(target) = train.iter().find(|f| f.name == name) else {
        bail!("--folds-on {name}: no training file of that name");
    };
    let k = k.max(2);
    let mut order: Vec<usize> = (0..target.rows.len()).collect();
    shuffle(&mut order, config.seed);
    let mut accuracies = Vec::new();
    for fold in 0..k {
        let mut in_test = vec![false; target.rows.len()];
        order
            .iter()
            .skip(fold)
            .step_by(k)
            .for_each(|&i| in_test[i] = true);
        let in_test = &in_test;
        let rows: Vec<&Row> = train
            .iter()
            .flat_map(|f| {
                let own = f.name == name;
                let repeat = if own { target.repeat } else { f.repeat };
                f.rows
                    .iter()
                    .enumerate()
                    .filter(move |(i, _)| !own || !in_test[*i])
                    .flat_map(move |(_, r)| std::iter::repeat_n(r, repeat))
            })
            .collect();
        let model = fit(&rows, config, ModelMeta::default());
        let test: Vec<&Row> = (0..target.rows.len())
            .filter(|&i| in_test[i])
            .map(|i| &target.rows[i])
            .collect();
        let right = test
            .iter()
            .filter(|r| (r.input.with_doc(|d| model.score(d)) >= 0.0) == r.label)
            .count();
        accuracies.push(right as f64 / test.len().max(1) as f64);
    }
    let value = accuracies.iter().sum::<f64>() / k as f64;
    let each: Vec<String> = accuracies.iter().map(|a| format!("{a:.4}")).collect();
    println!("{k}-fold {name}: {value:.4} [{}]", each.join(" "));
    Ok(Figure {
        name: format!("{name} {k}-fold accuracy"),
        value,
    })
}

/// A seeded Fisher–Yates shuffle (splitmix64), stable across platforms.
fn shuffle(items: &mut [usize], seed: u64) {
    let mut state = seed ^ 0x5eed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Prints and records the held-out files' accuracy (reporting only).
fn report_dev(model: &mut Model, dev: &[LabelledFile]) {
    let mut meta = model.meta().clone();
    for file in dev {
        let value = accuracy(model, &file.rows);
        println!(
            "{}: accuracy {value:.4} on {} rows",
            file.name,
            file.rows.len()
        );
        meta.figures.push(Figure {
            name: format!("{} accuracy", file.name),
            value,
        });
    }
    model.set_meta(meta);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_layouts_and_skips_headers() {
        assert_eq!(parse_line("label\ttext"), None);
        assert_eq!(parse_line("1\t好评"), Some((true, None, "好评")));
        assert_eq!(
            parse_line("0\t书籍\t太差\t了"),
            Some((false, Some("书籍"), "太差\t了"))
        );
    }

    #[test]
    fn config_patches_the_defaults() {
        let c = config(Some(r#"{"epochs": 7, "featurizer": {"hash_bits": 18}}"#)).unwrap();
        assert_eq!(c.epochs, 7);
        assert_eq!(c.featurizer.hash_bits, 18);
        assert_eq!(
            c.featurizer.char_ngrams,
            TrainConfig::default().featurizer.char_ngrams
        );
        assert!(config(Some("{")).is_err());
    }
}
