//! `koubei import`: read files, analyse, store; end with a summary.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use koubei_core::Channel;
use koubei_ingest::{Field, ImportOptions};

use crate::cli::ImportArgs;
use crate::commands::open_store;
use crate::pipeline::{ImportTotals, Importer, build_engine};

pub async fn run(args: ImportArgs) -> Result<ExitCode> {
    let options = import_options(&args)?;
    let store = open_store(&args.store).await?;
    let engine = build_engine(&args.store.taxonomy_paths)?;
    let importer = Importer {
        store: store.as_ref(),
        workspace: &args.store.workspace,
        engine: &engine,
        options: &options,
        batch: args.batch.max(1),
        max_errors_shown: args.max_errors_shown,
        quiet: false,
    };
    let mut totals = ImportTotals::default();
    for path in &args.files {
        importer.import_file(path, &mut totals).await?;
    }
    print_summary(&totals);
    Ok(exit_code(&totals))
}

fn print_summary(t: &ImportTotals) {
    println!(
        "read {}, imported {}, duplicates {}, rejected {}, flagged {}{}",
        t.read,
        t.imported,
        t.duplicates,
        t.rejected,
        t.flagged,
        if t.failed_files > 0 {
            format!(", files that could not be read {}", t.failed_files)
        } else {
            String::new()
        }
    );
}

/// Non-zero when nothing usable was read, or when a whole file could not be read.
fn exit_code(t: &ImportTotals) -> ExitCode {
    if t.usable() == 0 {
        eprintln!("error: nothing usable was read");
        ExitCode::FAILURE
    } else if t.failed_files > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn import_options(args: &ImportArgs) -> Result<ImportOptions> {
    let channel = args
        .channel
        .as_deref()
        .map(str::parse::<Channel>)
        .transpose()?;
    let mut mappings = Vec::new();
    for spec in &args.mappings {
        let Some((column, field)) = spec.rsplit_once('=') else {
            bail!("--map {spec:?}: expected COLUMN=FIELD");
        };
        let field: Field = field
            .trim()
            .parse()
            .with_context(|| format!("--map {spec:?}"))?;
        mappings.push((column.trim().to_string(), field));
    }
    Ok(ImportOptions {
        channel,
        brand: args.brand.clone(),
        category: args.category.clone(),
        mappings,
        delimiter: args.delimiter.as_deref().map(parse_delimiter).transpose()?,
    })
}

fn parse_delimiter(s: &str) -> Result<u8> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 => Ok(s.as_bytes()[0]),
        _ => bail!("--delimiter {s:?}: expected one ASCII character or \"tab\""),
    }
}
