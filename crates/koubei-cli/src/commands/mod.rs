//! One module per subcommand.

mod alert;
mod analyze;
pub mod delete;
mod demo;
mod eval;
mod explain;
mod import;
mod reanalyze;
mod report;
mod serve;
mod token;
mod train;
mod user;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use koubei_store::{SqliteStore, Store};

use crate::cli::{Cli, Command, StoreArgs};

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Import(args) => import::run(args).await,
        Command::Analyze(args) => analyze::run(args),
        Command::Reanalyze(args) => reanalyze::run(args).await,
        Command::Report(args) => report::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Explain(args) => explain::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Train(args) => train::run(args),
        Command::Token(args) => token::run(args).await,
        Command::Alert(args) => alert::run(args).await,
        Command::Delete(args) => delete::run(args).await,
        Command::User(args) => user::run(args).await,
        Command::Retention(args) => delete::retention(args).await,
        Command::Audit(args) => user::audit(args).await,
    }
}

/// Opens a database that must already exist (for commands that read or delete: a mistyped
/// path must not quietly create an empty file).
pub async fn open_existing_store(args: &StoreArgs) -> Result<Arc<dyn Store>> {
    if !std::path::Path::new(&args.db).exists() {
        anyhow::bail!(
            "database {} does not exist (import reviews into it first, or check --db)",
            args.db
        );
    }
    open_store(args).await
}

/// Opens the database and makes sure the workspace exists.
pub async fn open_store(args: &StoreArgs) -> Result<Arc<dyn Store>> {
    let store = SqliteStore::open(&args.db)
        .await
        .with_context(|| format!("cannot open database {}", args.db))?;
    store.ensure_workspace(&args.workspace).await?;
    Ok(Arc::new(store))
}
