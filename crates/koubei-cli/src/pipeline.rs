//! The path a review takes from a file to the store: read, analyse, commit in batches.
//!
//! Shared by `import` and `demo`. Each batch is analysed on all cores, then committed in
//! one transaction; reviews already stored are skipped by the store, so a killed import
//! run again ends with every review stored exactly once.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use koubei_core::NewReview;
use koubei_engine::Engine;
use koubei_ingest::ImportOptions;
use koubei_store::{AnalysedReview, BatchOutcome, Store};
use rayon::prelude::*;

/// Builds the engine with the bundled trees plus any tree files or folders given.
pub fn build_engine(paths: &[PathBuf]) -> Result<Engine> {
    build_engine_with(paths, None)
}

/// Builds the engine with the bundled trees plus the given tree files or folders, and the
/// polarity model `model` names: a file written by `koubei train`, `none` for the rules
/// alone, or the bundled model when `None`.
pub fn build_engine_with(paths: &[PathBuf], model: Option<&str>) -> Result<Engine> {
    let mut builder = Engine::builder();
    for path in paths {
        builder = if path.is_dir() {
            builder.taxonomy_dir(path)
        } else {
            builder.taxonomy_file(path)
        };
    }
    builder = match model {
        None => builder,
        Some("none") => builder.without_model(),
        Some(file) => builder.model_file(file),
    };
    builder.build().context("cannot build the analysis engine")
}

/// Runs the engine over a review's text and follow-up.
pub fn analyse(engine: &Engine, review: NewReview) -> AnalysedReview {
    let (analysis, followup) = engine.analyze_review(&review);
    AnalysedReview {
        review,
        analysis,
        followup,
    }
}

/// What importing some files did, summed.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImportTotals {
    pub read: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub flagged: u64,
    pub failed_files: u64,
}

impl ImportTotals {
    fn add(&mut self, outcome: BatchOutcome) {
        self.imported += outcome.inserted;
        self.duplicates += outcome.duplicates;
        self.flagged += outcome.flagged;
    }

    /// Rows that could be used (read minus rejected).
    pub fn usable(&self) -> u64 {
        self.read - self.rejected
    }
}

/// How an import runs: where to, in what batches, how loudly.
pub struct Importer<'a> {
    pub store: &'a dyn Store,
    pub workspace: &'a str,
    pub engine: &'a Engine,
    pub options: &'a ImportOptions,
    pub batch: usize,
    pub max_errors_shown: usize,
    pub quiet: bool,
}

impl Importer<'_> {
    /// Imports one file, adding to `totals`. A file that cannot be opened at all is
    /// reported and counted in `failed_files`.
    pub async fn import_file(&self, path: &Path, totals: &mut ImportTotals) -> Result<()> {
        let reader = match koubei_ingest::open(path, self.options) {
            Ok(reader) => reader,
            Err(err) => {
                eprintln!("error: {err}");
                totals.failed_files += 1;
                return Ok(());
            }
        };
        if !self.quiet {
            eprintln!("{}", describe(path, &reader));
        }
        let progress = progress_bar(reader.len_hint(), self.quiet);
        let mut batch = Vec::with_capacity(self.batch);
        let mut errors_shown = 0;
        for item in reader {
            totals.read += 1;
            progress.inc(1);
            match item {
                Ok(review) => batch.push(review),
                Err(err) => {
                    totals.rejected += 1;
                    if errors_shown < self.max_errors_shown {
                        progress.suspend(|| eprintln!("rejected: {err}"));
                        errors_shown += 1;
                    }
                }
            }
            if batch.len() >= self.batch {
                self.commit(std::mem::take(&mut batch), totals).await?;
            }
        }
        self.commit(batch, totals).await?;
        progress.finish_and_clear();
        if errors_shown < totals.rejected as usize && !self.quiet {
            eprintln!(
                "({} more rejected rows not shown; raise --max-errors-shown to see them)",
                totals.rejected as usize - errors_shown
            );
        }
        Ok(())
    }

    async fn commit(&self, reviews: Vec<NewReview>, totals: &mut ImportTotals) -> Result<()> {
        if reviews.is_empty() {
            return Ok(());
        }
        let engine = self.engine;
        let analysed: Vec<AnalysedReview> = tokio::task::block_in_place(|| {
            reviews
                .into_par_iter()
                .map(|r| analyse(engine, r))
                .collect()
        });
        let outcome = self
            .store
            .insert_batch(self.workspace, &analysed, engine.version())
            .await
            .context("cannot store a batch of reviews")?;
        totals.add(outcome);
        Ok(())
    }
}

fn describe(path: &Path, reader: &koubei_ingest::FileReader) -> String {
    let mapped: Vec<String> = reader
        .columns()
        .iter()
        .map(|(name, field)| match field {
            Some(f) => format!("{name}→{}", f.as_str()),
            None => format!("{name}→(ignored)"),
        })
        .collect();
    format!(
        "{}: {}, encoding {}, columns: {}",
        path.display(),
        reader.format(),
        reader.encoding(),
        mapped.join(", ")
    )
}

fn progress_bar(len: Option<u64>, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) if n >= 5_000 => ProgressBar::new(n),
        _ => return ProgressBar::hidden(),
    };
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}
