//! `koubei report`: per-indicator statistics as a table, JSON or an Excel workbook.

use std::process::ExitCode;

use anyhow::{Context, Result};
use koubei_report::{Report, render_table, xlsx};
use koubei_store::Filter;

use crate::cli::{ReportArgs, ReportFormat};
use crate::commands::open_existing_store;

pub async fn run(args: ReportArgs) -> Result<ExitCode> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        anyhow::bail!("--from {from} is after --to {to}");
    }
    let store = open_existing_store(&args.store).await?;
    let filter = Filter {
        from: args.from,
        to: args.to,
        channel: args.channel.clone(),
        brand: args.brand.clone(),
        category: args.category.clone(),
        series: args.series.clone(),
        model: args.model.clone(),
        keyword: args.keyword.clone(),
        polarity: args.polarity,
        include_flagged: args.include_flagged,
    }
    .cleaned();
    let report = Report::build(store.as_ref(), &args.store.workspace, &filter).await?;
    match args.format {
        ReportFormat::Table => emit(&args, &render_table(&report))?,
        ReportFormat::Json => emit(&args, &serde_json::to_string_pretty(&report)?)?,
        ReportFormat::Xlsx => {
            let out = args
                .out
                .as_ref()
                .context("--format xlsx needs --out FILE.xlsx")?;
            let path = out.to_string_lossy();
            xlsx::write_report(&report, &path)?;
            eprintln!("wrote {path}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn emit(args: &ReportArgs, text: &str) -> Result<()> {
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            println!("{text}");
            Ok(())
        }
    }
}
