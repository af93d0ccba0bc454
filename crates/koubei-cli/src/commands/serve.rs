//! `koubei serve`: the dashboard, the JSON API and review intake over a database, with the
//! alert rules and channels of the configuration file when there is one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use koubei_engine::Engine;
use koubei_server::AppState;
use koubei_server::alerting::Alerting;
use koubei_store::Store;

use crate::cli::{DEFAULT_CONFIG, ServeArgs};
use crate::commands::open_store;
use crate::config::Config;
use crate::pipeline::build_engine;

pub async fn run(args: ServeArgs) -> Result<ExitCode> {
    let store = open_store(&args.store).await?;
    let engine = build_engine(&args.store.taxonomy_paths)?;
    if let Some(dir) = &args.watch {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the inbox folder {}", dir.display()))?;
    }
    serve(
        store,
        args.store.workspace.clone(),
        args.addr,
        engine,
        Some(ConfigFile::from_arg(args.config.as_deref())),
        args.watch.clone(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Which configuration file to read: one the user named (it must exist), or `koubei.toml`
/// when it happens to exist.
pub enum ConfigFile<'a> {
    Given(&'a Path),
    Default,
    /// A configuration made by the caller (the demo's).
    Made(Box<Config>),
}

impl<'a> ConfigFile<'a> {
    pub fn from_arg(arg: Option<&'a Path>) -> ConfigFile<'a> {
        arg.map_or(ConfigFile::Default, ConfigFile::Given)
    }
}

/// Binds `addr`, prints where the dashboard is, and serves until Ctrl-C. Pushed reviews
/// are analysed by `engine`; alerts follow the `[alerts]` of `config` when that file exists.
pub async fn serve(
    store: Arc<dyn Store>,
    workspace: String,
    addr: SocketAddr,
    engine: Engine,
    config: Option<ConfigFile<'_>>,
    watch: Option<PathBuf>,
) -> Result<()> {
    let config = match config {
        Some(ConfigFile::Given(path)) => Some(
            Config::read(path)?
                .with_context(|| format!("configuration file {} not found", path.display()))?,
        ),
        Some(ConfigFile::Default) => Config::read(Path::new(DEFAULT_CONFIG))?,
        Some(ConfigFile::Made(config)) => Some(*config),
        None => None,
    };
    let engine = Arc::new(engine);
    let mut state = AppState::new(store, workspace).with_engine(engine.clone());
    let jobs = config.as_ref().map(|c| c.jobs.clone()).unwrap_or_default();
    if let Some(days) = config.as_ref().and_then(|c| c.retention.days) {
        println!("retention: reviews older than {days} days are deleted daily");
        let (store, workspace) = (state.store.clone(), state.workspace.clone());
        let inbox = watch.clone();
        tokio::spawn(async move {
            loop {
                match crate::commands::delete::apply_retention(store.as_ref(), &workspace, days)
                    .await
                {
                    Ok(n) => tracing::info!(deleted = n, days, "retention applied"),
                    Err(error) => tracing::error!(%error, "retention failed"),
                }
                if let Some(inbox) = &inbox {
                    match koubei_server::watch::forget_old_files(inbox, days) {
                        Ok(n) => tracing::info!(removed = n, days, "old inbox files removed"),
                        Err(error) => tracing::error!(%error, "cannot remove old inbox files"),
                    }
                }
                tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
            }
        });
    }
    if let Some(config) = config {
        let channels = config.alerts.channels.len();
        let rules = config.alerts.rules.len();
        let alerting = Arc::new(Alerting::new(config.alerts, engine.normalizer())?);
        alerting
            .load_api_rules(state.store.as_ref(), &state.workspace)
            .await?;
        let sender = alerting.clone().run_sender(
            state.store.clone(),
            state.workspace.clone(),
            std::future::pending(),
        );
        tokio::spawn(sender);
        println!("alerts: {rules} rule(s) sending to {channels} channel(s)");
        state = state.with_alerting(alerting);
    }
    if !jobs.is_empty() {
        println!("jobs: {} scheduled", jobs.len());
        tokio::spawn(koubei_server::jobs::run_jobs(
            state.clone(),
            jobs,
            std::future::pending(),
        ));
    }
    if let Some(dir) = watch {
        println!("inbox: files dropped into {} are imported", dir.display());
        let watcher = state.clone();
        tokio::spawn(async move {
            koubei_server::watch::watch_folder(&watcher, dir, std::future::pending()).await;
        });
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    println!(
        "koubei dashboard: http://{local}/   (API: http://{local}/api/v1/health; Ctrl-C stops)"
    );
    if state.store.users(&state.workspace).await?.is_empty() {
        let secret = koubei_server::tokens::random_secret(24).map_err(|e| anyhow::anyhow!(e))?;
        state = state.with_setup_secret(&secret);
        println!(
            "no account yet: create the first admin at http://{local}/setup#{secret}\n  \
             (the link works once; or run `koubei user add --role admin`)"
        );
    }
    // Load the dashboard's index while the server already listens; the first requests
    // wait for it rather than fail.
    let index = state.index.clone();
    let (loading_store, loading_workspace) = (state.store.clone(), state.workspace.clone());
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match index.refresh(loading_store.as_ref()).await {
            Ok(()) => tracing::info!(
                workspace = %loading_workspace,
                seconds = started.elapsed().as_secs_f64(),
                "dashboard index loaded"
            ),
            Err(error) => tracing::error!(%error, "cannot load the dashboard index"),
        }
    });
    koubei_server::serve(listener, state)
        .await
        .context("server stopped with an error")
}
