//! `koubei analyze`: the batch contract, JSON Lines in, JSON Lines out, no database.
//!
//! Lines are read in chunks, analysed on all cores (or `--threads N`) and written back
//! in input order. A line that is not a JSON object with a `text` string is reported on
//! standard error with its line number and gets no output line; the command then exits
//! non-zero after finishing the rest.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use koubei_core::Analysis;
use koubei_engine::{Engine, Input};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cli::AnalyzeArgs;
use crate::pipeline::build_engine_with;

/// Lines analysed together between writes.
const CHUNK: usize = 8192;

/// Lines one worker analyses and serialises into one buffer.
const BATCH: usize = 256;

/// One input line. Strings are borrowed from the line unless they hold JSON escapes.
#[derive(Debug, Deserialize)]
struct Line<'a> {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(default, borrow)]
    category: Option<Cow<'a, str>>,
    #[serde(default)]
    aspects: Option<Vec<String>>,
}

/// The output of a batch of lines: their JSON lines, and messages for the lines that
/// could not be analysed.
#[derive(Default)]
struct Batch {
    json: Vec<u8>,
    failures: Vec<String>,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    #[serde(flatten)]
    analysis: Analysis,
}

pub fn run(args: AnalyzeArgs) -> Result<ExitCode> {
    let (engine, taxonomy) = engine_for(args.taxonomy.as_deref(), args.model.as_deref())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let input = open_input(&args.input)?;
    let mut output = open_output(&args.output)?;
    let mut failures = 0usize;
    let mut lines = input.lines().enumerate();
    loop {
        let mut chunk = Vec::with_capacity(CHUNK);
        for (index, line) in lines.by_ref().take(CHUNK) {
            let line =
                line.with_context(|| format!("{}: cannot read line {}", args.input, index + 1))?;
            chunk.push((index + 1, line));
        }
        if chunk.is_empty() {
            break;
        }
        let batches: Vec<Batch> = pool.install(|| {
            chunk
                .par_chunks(BATCH)
                .map(|lines| analyse_batch(&engine, taxonomy.as_deref(), lines))
                .collect()
        });
        for batch in batches {
            output.write_all(&batch.json)?;
            for message in batch.failures {
                failures += 1;
                eprintln!("{}: {message}", args.input);
            }
        }
    }
    output.flush()?;
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: {failures} input lines could not be analysed");
        ExitCode::FAILURE
    })
}

/// Analyses consecutive lines into one buffer of output lines, in order.
fn analyse_batch(engine: &Engine, taxonomy: Option<&str>, lines: &[(usize, String)]) -> Batch {
    let mut batch = Batch {
        json: Vec::with_capacity(lines.len() * 512),
        failures: Vec::new(),
    };
    for (number, line) in lines {
        if let Err(message) = analyse_line(engine, taxonomy, *number, line, &mut batch.json) {
            batch.failures.push(message);
        }
    }
    batch
}

/// Appends the output line of one input line to `out`; a blank line is skipped quietly.
/// On an error nothing is appended.
fn analyse_line(
    engine: &Engine,
    taxonomy: Option<&str>,
    number: usize,
    line: &str,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    if line.trim().is_empty() {
        return Ok(());
    }
    let parsed: Line<'_> = serde_json::from_str(line)
        .map_err(|e| format!("line {number}: not a JSON object with a \"text\" string: {e}"))?;
    let analysis = engine.analyze(&Input {
        text: &parsed.text,
        category: parsed.category.as_deref(),
        taxonomy,
        aspects: parsed.aspects.as_deref(),
    });
    let mark = out.len();
    let written = serde_json::to_writer(
        &mut *out,
        &Output {
            id: &parsed.id,
            analysis,
        },
    );
    if let Err(e) = written {
        out.truncate(mark);
        return Err(format!("line {number}: cannot write the result: {e}"));
    }
    out.push(b'\n');
    Ok(())
}

/// The engine plus the tree id every line should use: a bundled id, or a TOML file
/// whose `id` names the tree it adds.
pub fn engine_for(taxonomy: Option<&str>, model: Option<&str>) -> Result<(Engine, Option<String>)> {
    let Some(name) = taxonomy else {
        return Ok((build_engine_with(&[], model)?, None));
    };
    let path = Path::new(name);
    if path.is_file() {
        let id = tree_id(path)?;
        let engine = build_engine_with(&[path.to_path_buf()], model)?;
        return Ok((engine, Some(id)));
    }
    let engine = build_engine_with(&[], model)?;
    if engine.taxonomy(name).is_none() {
        let known: Vec<&str> = engine.taxonomies().map(|t| t.id.as_str()).collect();
        anyhow::bail!(
            "--taxonomy {name:?} is neither a file nor a bundled tree ({})",
            known.join(", ")
        );
    }
    Ok((engine, Some(name.to_string())))
}

fn tree_id(path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    value
        .get("id")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .with_context(|| format!("{} has no top-level `id`", path.display()))
}

fn open_input(name: &str) -> Result<Box<dyn BufRead>> {
    if name == "-" {
        return Ok(Box::new(BufReader::new(io::stdin())));
    }
    let file = File::open(name).with_context(|| format!("cannot open {name}"))?;
    Ok(Box::new(BufReader::with_capacity(1 << 20, file)))
}

fn open_output(name: &str) -> Result<Box<dyn Write>> {
    if name == "-" {
        return Ok(Box::new(BufWriter::new(io::stdout())));
    }
    let file = File::create(name).with_context(|| format!("cannot create {name}"))?;
    Ok(Box::new(BufWriter::with_capacity(1 << 20, file)))
}
