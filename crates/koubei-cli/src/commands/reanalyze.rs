//! `koubei reanalyze`: run the engine again over every stored review.

use std::process::ExitCode;

use anyhow::Result;
use koubei_store::Reanalysis;
use rayon::prelude::*;

use crate::cli::StoreArgs;
use crate::commands::open_existing_store;
use crate::pipeline::build_engine;

/// Reviews read, analysed and rewritten per transaction.
const PAGE: u32 = 5000;

pub async fn run(args: StoreArgs) -> Result<ExitCode> {
    let store = open_existing_store(&args).await?;
    let engine = build_engine(&args.taxonomy_paths)?;
    let mut after = 0;
    let mut done = 0u64;
    loop {
        let texts = store.review_texts(&args.workspace, after, PAGE).await?;
        let Some(last) = texts.last() else { break };
        after = last.id;
        let items: Vec<Reanalysis> = tokio::task::block_in_place(|| {
            texts
                .par_iter()
                .map(|t| {
                    let mut review = koubei_core::NewReview::with_text(t.text.clone());
                    review.category = t.category.clone();
                    review.followup_text = t.followup_text.clone();
                    let analysed = crate::pipeline::analyse(&engine, review);
                    Reanalysis {
                        id: t.id,
                        analysis: analysed.analysis,
                        followup: analysed.followup,
                    }
                })
                .collect()
        });
        store
            .replace_analyses(&args.workspace, &items, engine.version())
            .await?;
        done += items.len() as u64;
    }
    println!("reanalysed {done} reviews with engine {}", engine.version());
    Ok(ExitCode::SUCCESS)
}
