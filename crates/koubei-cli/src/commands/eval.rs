//! `koubei eval`: the engine's figures on one labelled file (see `docs/evaluation.md`).
//!
//! The file's format is told from its header and name (or `--format`); the readers,
//! metrics and scorers live in `koubei-eval`, this module only wires files, the engine and
//! the output. `--folds K` asks for k-fold figures on a set the engine's trained part
//! learns from: each fold of a polarity set is scored by the rule+model engine whose model
//! was retrained on the other folds (and the `--train-extra` files); the rule-only scorers
//! (aspects, categories, cases) have nothing to retrain and report the whole file.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use koubei_engine::koubei_model::{self, Doc, Model, ModelMeta, TrainConfig};
use koubei_engine::{Engine, EngineBuilder, Input, ModelInput};
use koubei_eval::read::PolarityRow;
use koubei_eval::{Format, Report, read, run};
use rayon::prelude::*;

use super::analyze::engine_for;
use crate::cli::EvalArgs;

pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let name = args.file.display().to_string();
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {name}"))?;
    let format = match args.format.as_deref() {
        Some(f) => f.parse::<Format>().map_err(anyhow::Error::msg)?,
        None => Format::detect(&name, text.lines().next().unwrap_or_default())
            .ok_or_else(|| koubei_eval::EvalError::UnknownFormat(name.clone()))?,
    };
    let taxonomy = args
        .taxonomy
        .clone()
        .or_else(|| default_tree(format, &name));
    let (engine, tree) = engine_for(taxonomy.as_deref(), args.model.as_deref())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let started = std::time::Instant::now();
    let mut report = pool.install(|| evaluate(&args, format, &text, &engine, tree.as_deref()))?;
    report.source = name;
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "evaluation done");
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_table());
    }
    Ok(ExitCode::SUCCESS)
}

/// The tree a format is measured with when `--taxonomy` is not given.
fn default_tree(format: Format, name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let tree = match format {
        Format::Semeval if lower.contains("camera") => "camera",
        Format::Semeval => "phone",
        Format::Cosmetics => "cosmetics",
        Format::Cases => "robot_vacuum",
        Format::Peng => return peng_tree(&lower),
        Format::Polarity => return None,
    };
    Some(tree.to_string())
}

/// The bundled tree of a Peng file's domain (`peng_phone_train.tsv` → phone).
fn peng_tree(name: &str) -> Option<String> {
    [
        ("camera", "camera"),
        ("phone", "phone"),
        ("notebook", "computer"),
        ("shampoo", "shampoo"),
    ]
    .into_iter()
    .find(|(part, _)| name.contains(part))
    .map(|(_, tree)| tree.to_string())
}

fn evaluate(
    args: &EvalArgs,
    format: Format,
    text: &str,
    engine: &Engine,
    tree: Option<&str>,
) -> Result<Report> {
    let report = match format {
        Format::Polarity => {
            let rows = read::polarity_tsv(text)?;
            match args.folds {
                Some(k) if k > 1 => polarity_folds(args, &rows, k, tree)?,
                _ => run::polarity(engine, &rows, tree),
            }
        }
        Format::Peng => {
            let mut report = run::aspects(engine, &read::peng_tsv(text)?, tree);
            whole_file_note(&mut report, args.folds);
            report
        }
        Format::Semeval => {
            let rows = read::semeval_tsv(text)?;
            let tree = tree.unwrap_or("phone");
            run::categories(engine, format, &rows, tree, &koubei_eval::is_semeval_code)
        }
        Format::Cosmetics => {
            let rows = read::cosmetics_jsonl(text)?;
            let tree = tree.unwrap_or("cosmetics");
            let mut report =
                run::categories(engine, format, &rows, tree, &koubei_eval::is_cosmetics_code);
            whole_file_note(&mut report, args.folds);
            report
        }
        Format::Cases => {
            let rows = read::cases_jsonl(text)?;
            let id = tree.unwrap_or("robot_vacuum");
            let tree = engine
                .taxonomy(id)
                .with_context(|| format!("no tree {id:?}"))?;
            run::cases(engine, &rows, tree)
        }
    };
    Ok(report)
}

/// Rule-only parts have nothing to retrain: their figure is the whole file's, and says so.
fn whole_file_note(report: &mut Report, folds: Option<usize>) {
    if folds.is_some_and(|k| k > 1) {
        report.notes.push(
            "--folds ignored: nothing in the engine is trained on this set, so the whole-file \
             figure is the held-out figure"
                .to_string(),
        );
    }
}

/// k-fold review polarity with the rule+model engine: every fold is scored by an engine
/// whose polarity model was trained on the other folds plus the `--train-extra` files
/// (extra rows whose text is in the fold under test are dropped), with the training
/// settings of the bundled model.
fn polarity_folds(
    args: &EvalArgs,
    rows: &[PolarityRow],
    k: usize,
    tree: Option<&str>,
) -> Result<Report> {
    let mut extra = Vec::new();
    for path in &args.train_extra {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        extra.extend(read::polarity_tsv(&text).with_context(|| format!("in {}", path.display()))?);
    }
    let config = Engine::new()?
        .model()
        .and_then(|m| m.meta().train_config.clone())
        .unwrap_or_default();
    let base = tree_builder(args).without_model().build()?;
    eprintln!("featurising {} + {} rows", rows.len(), extra.len());
    let own = featurise(&base, rows);
    let background = featurise(&base, &extra);
    let keys: Vec<String> = rows.iter().map(|r| text_key(&r.text)).collect();
    let background_keys: Vec<String> = extra.iter().map(|r| text_key(&r.text)).collect();
    let mut report = run::polarity_folds(rows, k, tree, |fold, train| {
        let held: HashSet<&str> = (0..rows.len())
            .filter(|i| run::fold_of(*i, k) == fold)
            .map(|i| keys[i].as_str())
            .collect();
        let mut picked: Vec<(&ModelInput, bool)> =
            train.iter().map(|&i| (&own[i], rows[i].positive)).collect();
        picked.extend(
            background
                .iter()
                .zip(&extra)
                .zip(&background_keys)
                .filter(|(_, key)| !held.contains(key.as_str()))
                .map(|((input, row), _)| (input, row.positive)),
        );
        eprintln!("fold {}/{k}: training on {} rows", fold + 1, picked.len());
        let model = fit(&picked, &config);
        engine_with_model(args, &model, fold)
    })?;
    report.notes.push(format!(
        "each fold scored by the engine with a model trained on the other folds + {} rows \
         of --train-extra",
        extra.len()
    ));
    Ok(report)
}

/// An engine builder with the `--taxonomy` file, when one was given.
fn tree_builder(args: &EvalArgs) -> EngineBuilder {
    let builder = Engine::builder();
    match args.taxonomy.as_deref().map(Path::new) {
        Some(path) if path.is_file() => builder.taxonomy_file(path),
        _ => builder,
    }
}

/// What the model sees of each row (the featurisation does not depend on the model).
fn featurise(engine: &Engine, rows: &[PolarityRow]) -> Vec<ModelInput> {
    rows.par_iter()
        .map(|r| {
            engine.model_input(&Input {
                category: r.category.as_deref(),
                ..Input::text(&r.text)
            })
        })
        .collect()
}

fn fit(rows: &[(&ModelInput, bool)], config: &TrainConfig) -> Model {
    let words: Vec<Vec<&str>> = rows.iter().map(|(r, _)| r.words().collect()).collect();
    let docs: Vec<Doc> = rows
        .iter()
        .zip(&words)
        .map(|((r, _), w)| Doc {
            text: &r.text,
            words: w,
            extra: &r.signals,
        })
        .collect();
    let labels: Vec<bool> = rows.iter().map(|(_, l)| *l).collect();
    koubei_model::train(&docs, &labels, config, ModelMeta::default())
}

/// The engine scoring with `model`: the builder takes model files, so it goes through a
/// temporary file that is removed once loaded.
fn engine_with_model(args: &EvalArgs, model: &Model, fold: usize) -> Result<Engine> {
    let path =
        std::env::temp_dir().join(format!("koubei-eval-{}-fold{fold}.kpm", std::process::id()));
    std::fs::write(&path, model.save())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let engine = tree_builder(args).model_file(&path).build();
    let _ = std::fs::remove_file(&path);
    Ok(engine?)
}

/// Texts compare without whitespace, as `koubei train` compares them with held-out sets.
fn text_key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
