//! `koubei explain`: how the engine reads one text.

use std::process::ExitCode;

use anyhow::Result;
use koubei_engine::Input;

use crate::cli::ExplainArgs;
use crate::commands::analyze::engine_for;

pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let (engine, taxonomy) = engine_for(args.taxonomy.as_deref(), args.model.as_deref())?;
    let explanation = engine.explain(&Input {
        category: args.category.as_deref(),
        taxonomy: taxonomy.as_deref(),
        ..Input::text(&args.text)
    });
    println!("{explanation}");
    Ok(ExitCode::SUCCESS)
}
