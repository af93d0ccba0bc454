//! `koubei serve`: the dashboard and the JSON API over a database.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use koubei_server::AppState;
use koubei_store::Store;

use crate::cli::ServeArgs;
use crate::commands::open_store;

pub async fn run(args: ServeArgs) -> Result<ExitCode> {
    let store = open_store(&args.store).await?;
    serve(store, args.store.workspace.clone(), args.addr).await?;
    Ok(ExitCode::SUCCESS)
}

/// Binds `addr`, prints where the dashboard is, and serves until Ctrl-C.
pub async fn serve(store: Arc<dyn Store>, workspace: String, addr: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    println!(
        "koubei dashboard: http://{local}/   (API: http://{local}/api/v1/health; Ctrl-C stops)"
    );
    let state = AppState::new(store, workspace);
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
