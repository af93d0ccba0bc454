//! Review intake under load: reviews pushed over HTTP at a steady rate while the dashboard
//! API is asked, with latency percentiles for both and a count of what was stored.
//!
//!     cargo bench -p koubei-server --bench intake -- [--rate 2000] [--seconds 60] [--batch 100]
//!
//! The server runs in this process on a loopback port, over a fresh database file, with
//! the engine, a token, and a risk-word rule alerting a loopback WeCom receiver. Pushers
//! send batches of real review texts (the bundled demo reviews, plus the shared labelled
//! sets when present) with unique ids, paced to the rate; one reader asks the overview,
//! the indicator tree and a drill-down page in turn. At the end every pushed review must
//! be stored once.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use koubei_server::alerting::{AlertConfig, Alerting};
use koubei_server::tokens::token_digest;
use koubei_server::{AppState, serve_until};
use koubei_store::{NewToken, SqliteStore, Store};
use serde_json::{Value, json};
use tokio::net::TcpListener;

type Error = Box<dyn std::error::Error + Send + Sync>;

const WS: &str = "bench";
const TOKEN: &str = "kb_bench-token";
/// A viewer token the dashboard reader uses.
const READER: &str = "kb_bench-reader-token";
const PUSHERS: usize = 4;

struct Args {
    rate: u64,
    seconds: u64,
    batch: usize,
}

fn parse_args() -> Result<Args, Error> {
    let mut args = Args {
        rate: 2000,
        seconds: 60,
        batch: 100,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rate" => args.rate = it.next().ok_or("--rate N")?.parse()?,
            "--seconds" => args.seconds = it.next().ok_or("--seconds N")?.parse()?,
            "--batch" => args.batch = it.next().ok_or("--batch N")?.parse()?,
            _ => {}
        }
    }
    Ok(args)
}

/// Real review texts: the demo file, and the shared sets when they are there.
fn texts() -> Result<Vec<String>, Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    let mut demo = csv::Reader::from_path(root.join("demo/reviews.csv"))?;
    let column = demo
        .headers()?
        .iter()
        .position(|h| h == "评论内容")
        .ok_or("demo text column")?;
    for row in demo.records() {
        out.push(row?[column].to_string());
    }
    if let Ok(file) = std::fs::read_to_string(root.join("../shared/data/polarity/os10_train.tsv")) {
        out.extend(
            file.lines()
                .skip(1)
                .filter_map(|l| l.split('\t').nth(2))
                .map(String::from),
        );
    }
    Ok(out)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn line(name: &str, mut t: Vec<Duration>) -> String {
    t.sort();
    format!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
        t.len(),
        percentile(&t, 0.5),
        percentile(&t, 0.95),
        percentile(&t, 0.99),
        t.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    )
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = parse_args()?;
    koubei_server::alerting::install_tls_provider();
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("intake.db");
    let store = Arc::new(SqliteStore::open(db.to_str().ok_or("path")?).await?);
    store.ensure_workspace(WS).await?;
    store
        .create_token(
            WS,
            &NewToken {
                name: "bench".into(),
                secret_sha256: token_digest(TOKEN),
                role: "ingest".into(),
                expires_at: None,
            },
        )
        .await?;
    store
        .create_token(
            WS,
            &NewToken {
                name: "dashboard".into(),
                secret_sha256: token_digest(READER),
                role: "viewer".into(),
                expires_at: None,
            },
        )
        .await?;

    // A WeCom receiver on loopback for the alerts the texts raise.
    let received = Arc::new(AtomicU64::new(0));
    let hook = {
        let received = received.clone();
        axum::Router::new().route(
            "/wecom",
            axum::routing::post(move || {
                let received = received.clone();
                async move {
                    received.fetch_add(1, Ordering::Relaxed);
                    axum::Json(json!({"errcode": 0, "errmsg": "ok"}))
                }
            }),
        )
    };
    let hook_listener = TcpListener::bind("127.0.0.1:0").await?;
    let hook_addr = hook_listener.local_addr()?;
    tokio::spawn(async move { axum::serve(hook_listener, hook).await });
    let config: AlertConfig = toml::from_str(&format!(
        r#"
        [[channels]]
        name = "wecom"
        kind = "wecom"
        url = "http://{hook_addr}/wecom?key=K"

        [[rules]]
        name = "safety"
        kind = "risk_words"
        cooldown_minutes = 1
        channels = ["wecom"]
        "#
    ))?;
    let engine = Arc::new(koubei_engine::Engine::new()?);
    let alerting = Arc::new(Alerting::new(config, engine.normalizer())?);
    let state = AppState::new(store.clone(), WS)
        .with_engine(engine)
        .with_alerting(alerting.clone());
    tokio::spawn(alerting.run_sender(store.clone(), WS.to_string(), std::future::pending()));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(serve_until(listener, state, std::future::pending()));

    let texts = Arc::new(texts()?);
    println!(
        "{} source texts; pushing {} reviews/s in batches of {} for {} s with {PUSHERS} pushers",
        texts.len(),
        args.rate,
        args.batch,
        args.seconds
    );
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let batches_per_second = args.rate as f64 / args.batch as f64;
    let interval = Duration::from_secs_f64(PUSHERS as f64 / batches_per_second);
    let next_id = Arc::new(AtomicU64::new(0));
    let started = Instant::now();

    let mut pushers = Vec::new();
    for p in 0..PUSHERS {
        let (client, base, texts, next_id) =
            (client.clone(), base.clone(), texts.clone(), next_id.clone());
        let batch = args.batch;
        pushers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut pushed = 0u64;
            // Pushers start staggered across one interval.
            tokio::time::sleep(interval.mul_f64(p as f64 / PUSHERS as f64)).await;
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            while Instant::now() < deadline {
                tick.tick().await;
                let first = next_id.fetch_add(batch as u64, Ordering::Relaxed);
                let body: Vec<Value> = (first..first + batch as u64)
                    .map(|i| {
                        json!({"评论ID": format!("b{i}"), "平台": "京东", "品牌": "岚庭",
                               "评论内容": texts[(i as usize * 7919) % texts.len()]})
                    })
                    .collect();
                let sent = Instant::now();
                let response = client
                    .post(format!("{base}/api/v1/reviews"))
                    .bearer_auth(TOKEN)
                    .json(&body)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(sent.elapsed());
                        pushed += batch as u64;
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors, pushed)
        }));
    }
    let reader = {
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let paths = [
                "/api/v1/overview",
                "/api/v1/indicators/tree",
                "/api/v1/reviews?page=2",
            ];
            let mut k = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let asked = client
                    .get(format!("{base}{}", paths[k % 3]))
                    .bearer_auth(READER)
                    .send()
                    .await;
                if let Ok(r) = asked.and_then(|r| r.error_for_status()) {
                    let _ = r.bytes().await;
                    latencies.push(sent.elapsed());
                }
                k += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            latencies
        })
    };

    let mut push_latencies = Vec::new();
    let (mut errors, mut pushed) = (0, 0);
    for p in pushers {
        let (l, e, n) = p.await?;
        push_latencies.extend(l);
        errors += e;
        pushed += n;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let read_latencies = reader.await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stored = store
        .summary(
            WS,
            &koubei_store::Filter {
                include_flagged: true,
                ..Default::default()
            },
        )
        .await?
        .reviews;
    println!();
    println!("| requests | count | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "{}",
        line(&format!("push of {} reviews", args.batch), push_latencies)
    );
    println!(
        "{}",
        line(
            "dashboard (overview, tree, drill-down) meanwhile",
            read_latencies
        )
    );
    println!(
        "\npushed {pushed} reviews in {elapsed:.1} s ({:.0}/s), {errors} failed requests; stored {stored}; \
         lost {}; alerts delivered to the receiver: {}",
        pushed as f64 / elapsed,
        pushed.saturating_sub(stored),
        received.load(Ordering::Relaxed)
    );
    if stored != pushed || errors > 0 {
        return Err("reviews were lost or refused".into());
    }
    Ok(())
}
