//! `koubei delete` and `koubei retention`: the data-rights side of the store. Every deletion
//! is recorded in the audit log with what selected it and how many reviews went.

use std::process::ExitCode;

use anyhow::{Result, bail};
use koubei_store::{DeleteSelector, Store};

use crate::cli::{DeleteArgs, RetentionArgs};
use crate::commands::open_existing_store;

pub async fn run(args: DeleteArgs) -> Result<ExitCode> {
    for (flag, value) in [
        ("--author", &args.author),
        ("--channel", &args.channel),
        ("--source-file", &args.source_file),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            bail!("{flag} is blank; leave it out or give a value");
        }
    }
    let selector = DeleteSelector {
        // Nicknames are stored masked, so a full name given here is masked the same way
        // (张三 finds the reviews stored as 张*).
        author: args
            .author
            .as_deref()
            .and_then(koubei_ingest::mask::mask_author),
        channel: args.channel.clone(),
        source_file: args.source_file.clone(),
        before: args.before.and_then(|d| d.and_hms_opt(0, 0, 0)),
        review: args.review,
    };
    if selector.is_empty() {
        bail!("say what to delete: --author, --source-file, --before or --review");
    }
    // Checked on the selector: a blank --author is no author, and must not leave --channel
    // selecting the whole channel.
    if selector.channel.is_some() && selector.author.is_none() {
        bail!("--channel narrows --author; give --author too");
    }
    if !args.yes {
        bail!("deleting cannot be undone; add --yes to delete");
    }
    let store = open_existing_store(&args.store).await?;
    let deleted = store
        .delete_reviews(&args.store.workspace, &selector, "cli")
        .await?;
    match &selector.author {
        Some(author) => println!(
            "deleted {deleted} reviews by {author} (nicknames are stored masked; recorded in the audit log)"
        ),
        None => println!("deleted {deleted} reviews (recorded in the audit log)"),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn retention(args: RetentionArgs) -> Result<ExitCode> {
    if !args.yes {
        bail!(
            "this deletes every review older than {} days and cannot be undone; add --yes",
            args.days
        );
    }
    let store = open_existing_store(&args.store).await?;
    let deleted = apply_retention(store.as_ref(), &args.store.workspace, args.days).await?;
    println!(
        "deleted {deleted} reviews older than {} days (recorded in the audit log)",
        args.days
    );
    Ok(ExitCode::SUCCESS)
}

/// The longest retention taken: a hundred years.
pub const MAX_RETENTION_DAYS: u32 = 36_500;

/// Deletes the reviews older than `days` days, as the `retention` actor.
pub async fn apply_retention(store: &dyn Store, workspace: &str, days: u32) -> Result<u64> {
    if days == 0 || days > MAX_RETENTION_DAYS {
        bail!("a retention is 1 to {MAX_RETENTION_DAYS} days, got {days}");
    }
    let before = chrono::Local::now().naive_local() - chrono::Duration::days(i64::from(days));
    let selector = DeleteSelector {
        before: Some(before),
        ..DeleteSelector::default()
    };
    Ok(store
        .delete_reviews(workspace, &selector, "retention")
        .await?)
}
