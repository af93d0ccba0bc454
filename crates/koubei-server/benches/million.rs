//! The dashboard API with a million reviews: every route behind the views, asked over a
//! real socket, with per-route latency percentiles.
//!
//!     cargo bench -p koubei-server --bench million -- [--reviews N] [--db FILE] [--rounds R] [--open]
//!
//! The database is built once from real review texts (the bundled demo reviews, plus the
//! labelled sets in `../shared/data/polarity` when they are there), each text analysed by
//! the engine once and then reused with made-up channels, brands, models and dates over
//! two years; it is kept at `target/bench/million-N.db` and reused while its count matches.
//! The server is then started on a loopback port, its index loaded (time and memory are
//! printed), and each route is asked with a set of realistic filters, `R` rounds each,
//! one request at a time, as a signed-in analyst (with `--open`, without signing in). The
//! report is a Markdown table for BENCHMARKS.md.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use koubei_core::{Analysis, Channel, NewReview};
use koubei_engine::{Engine, Input};
use koubei_server::{AppState, serve_until};
use koubei_store::{AnalysedReview, SqliteStore, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Error = Box<dyn std::error::Error + Send + Sync>;

const WS: &str = "bench";
const BATCH: usize = 10_000;

struct Args {
    reviews: usize,
    db: Option<PathBuf>,
    rounds: usize,
    /// Without signing in (`--open`), to see what the session check costs.
    open: bool,
}

fn parse_args() -> Result<Args, Error> {
    let mut args = Args {
        reviews: 1_000_000,
        db: None,
        rounds: 5,
        open: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--reviews" => args.reviews = it.next().ok_or("--reviews N")?.parse()?,
            "--db" => args.db = Some(it.next().ok_or("--db FILE")?.into()),
            "--rounds" => args.rounds = it.next().ok_or("--rounds R")?.parse()?,
            "--open" => args.open = true,
            // cargo bench passes --bench; other flags are not ours.
            _ => {}
        }
    }
    Ok(args)
}

/// A source text with the category it came with.
struct Source {
    text: String,
    category: String,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled demo reviews and, when present, the shared labelled sets.
fn sources() -> Result<Vec<Source>, Error> {
    let root = workspace_root();
    let mut out = Vec::new();
    let mut demo = csv::Reader::from_path(root.join("demo/reviews.csv"))?;
    let headers = demo.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (text, category) = (col("评论内容").ok_or("demo text")?, col("品类"));
    for row in demo.records() {
        let row = row?;
        out.push(Source {
            text: row[text].to_string(),
            category: category.map_or("", |c| &row[c]).to_string(),
        });
    }
    let shared = root.join("../shared/data/polarity");
    for name in [
        "os10_train.tsv",
        "chnsenticorp_train.tsv",
        "nlpcc14_train.tsv",
    ] {
        let Ok(file) = std::fs::read_to_string(shared.join(name)) else {
            continue;
        };
        let mut lines = file.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
        let text = header.iter().position(|h| *h == "text");
        let category = header.iter().position(|h| *h == "category");
        let Some(text) = text else { continue };
        for line in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            if let Some(t) = fields.get(text).filter(|t| !t.trim().is_empty()) {
                out.push(Source {
                    text: t.to_string(),
                    category: category
                        .and_then(|c| fields.get(c))
                        .unwrap_or(&"")
                        .to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// A deterministic generator, so that two runs build the same database.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

const BRANDS: [&str; 5] = ["岚庭", "澜川", "云栖", "北辰", "青禾"];
const CHANNELS: [Channel; 7] = [
    Channel::Tmall,
    Channel::Jd,
    Channel::Jd,
    Channel::Taobao,
    Channel::Pdd,
    Channel::Douyin,
    Channel::OwnShop,
];

fn made_up(i: usize, source: &Source, rng: &mut Lcg) -> NewReview {
    let mut review = NewReview::with_text(source.text.clone());
    let brand = BRANDS[rng.below(BRANDS.len())];
    let series = ["Pro", "Air", "Max"][rng.below(3)];
    review.channel = CHANNELS[rng.below(CHANNELS.len())];
    review.channel_review_id = Some(format!("bench-{i}"));
    review.brand = Some(brand.to_string());
    review.category = Some(source.category.clone()).filter(|c| !c.is_empty());
    review.series = Some(format!("{brand} {series}"));
    review.model = Some(format!("{brand} {series} {}", 1 + rng.below(4)));
    review.rating = Some(1 + rng.below(5) as u8);
    let start = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap_or_default();
    // Later days get more reviews, as a growing shop does.
    let day = (rng.below(730).max(rng.below(730))) as i64;
    review.created_at = (start + chrono::Duration::days(day)).and_hms_opt(
        rng.below(24) as u32,
        rng.below(60) as u32,
        0,
    );
    review
}

async fn build_database(path: &Path, n: usize) -> Result<SqliteStore, Error> {
    let store = SqliteStore::open(path.to_str().ok_or("path")?).await?;
    store.ensure_workspace(WS).await?;
    let have = store.revision(WS).await?;
    if have.revision > 0 {
        let count = store
            .summary(
                WS,
                &koubei_store::Filter {
                    include_flagged: true,
                    ..Default::default()
                },
            )
            .await?
            .reviews;
        if count as usize == n {
            println!("reusing {} ({count} reviews)", path.display());
            return Ok(store);
        }
        drop(store);
        std::fs::remove_file(path)?;
        return Box::pin(build_database(path, n)).await;
    }
    let started = Instant::now();
    let sources = sources()?;
    println!("analysing {} source texts", sources.len());
    let engine = Engine::new()?;
    let analyses: Vec<Analysis> = sources
        .iter()
        .map(|s| {
            engine.analyze(&Input {
                category: Some(s.category.as_str()).filter(|c| !c.is_empty()),
                ..Input::text(&s.text)
            })
        })
        .collect();
    println!("analysed in {:.1} s", started.elapsed().as_secs_f64());
    let mut rng = Lcg(2026);
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..n {
        let k = rng.below(sources.len());
        batch.push(AnalysedReview {
            review: made_up(i, &sources[k], &mut rng),
            analysis: analyses[k].clone(),
            followup: None,
        });
        if batch.len() == BATCH || i + 1 == n {
            store.insert_batch(WS, &batch, "bench").await?;
            batch.clear();
            if (i + 1) % 100_000 == 0 {
                println!(
                    "  {} reviews stored, {:.0} s",
                    i + 1,
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    println!(
        "built {} with {n} reviews in {:.0} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(store)
}

fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", koubei_alert::sign::percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// One GET over a fresh connection: the status and the body's length.
/// A session of an analyst account (made if missing), as the cookie to send.
async fn analyst_session(store: &dyn Store) -> Result<String, Error> {
    let user = match store.find_user(WS, "bench").await? {
        Some(user) => user.id,
        None => {
            let hash = koubei_server::password::hash_password("a bench password")?;
            store
                .create_user(WS, "bench", &hash, "analyst", "bench")
                .await?
        }
    };
    let secret = koubei_server::tokens::random_secret(32)?;
    let expires = chrono::Utc::now().naive_utc() + chrono::Duration::hours(12);
    store
        .create_session(
            WS,
            user,
            &koubei_server::tokens::token_digest(&secret),
            "bench-csrf",
            expires,
        )
        .await?;
    Ok(format!(
        "{}={secret}",
        koubei_server::handlers::session::SESSION_COOKIE
    ))
}

async fn get(addr: std::net::SocketAddr, path: &str, cookie: &str) -> Result<(u16, usize), Error> {
    let mut stream = TcpStream::connect(addr).await?;
    let cookie = if cookie.is_empty() {
        String::new()
    } else {
        format!("Cookie: {cookie}\r\n")
    };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let head = String::from_utf8_lossy(&response[..response.len().min(16)]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    Ok((status, response.len()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = parse_args()?;
    let db = args.db.clone().unwrap_or_else(|| {
        workspace_root()
            .join("target/bench")
            .join(format!("million-{}.db", args.reviews))
    });
    if let Some(dir) = db.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let store: Arc<dyn Store> = Arc::new(build_database(&db, args.reviews).await?);
    // Every call is made as a signed-in analyst, so that the session check each request
    // goes through is measured too.
    let mut cookie = analyst_session(store.as_ref()).await?;

    let mut state = AppState::new(store, WS);
    if args.open {
        state = state.without_sign_in();
        cookie.clear();
        println!("open access: requests are not signed in");
    }
    let before = rss_mib();
    let started = Instant::now();
    state.warm_up().await?;
    let load = started.elapsed();
    let after = rss_mib();
    let (reviews, index_bytes, options, indicators) = {
        let current = state.index.current();
        let index = koubei_store::facts::read(&current);
        // The most mentioned indicators at each depth, for the detail and drill-down routes.
        let stats = index.indicator_stats(&koubei_store::Filter::default());
        let mut indicators = Vec::new();
        for (depth, take) in [(0, 2), (1, 2), (2, 1)] {
            let at_depth = stats.iter().filter(|s| s.depth == depth).take(take);
            indicators.extend(at_depth.map(|s| s.indicator.clone()));
        }
        (index.len(), index.heap_bytes(), index.options(), indicators)
    };
    println!(
        "index: {reviews} reviews loaded in {:.1} s; columns {:.0} MiB; process RSS {:.0} → {:.0} MiB",
        load.as_secs_f64(),
        index_bytes as f64 / 1048576.0,
        before.unwrap_or(0.0),
        after.unwrap_or(0.0)
    );

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_until(listener, state, async {
        let _ = stopped.await;
    }));

    // Realistic filters, built from what the data holds.
    let brand = options
        .brands
        .first()
        .map(|o| o.value.clone())
        .unwrap_or_default();
    let model = options
        .models
        .first()
        .map(|o| o.value.clone())
        .unwrap_or_default();
    let category = options
        .categories
        .first()
        .map(|o| o.value.clone())
        .unwrap_or_default();
    let last = options.last_day.unwrap_or_default();
    let month_ago = (last - chrono::Duration::days(29)).to_string();
    let quarter_ago = (last - chrono::Duration::days(89)).to_string();
    let last = last.to_string();
    let filters: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("brand", &brand)],
        vec![("channel", "jd"), ("from", &quarter_ago), ("to", &last)],
        vec![("from", &month_ago), ("to", &last)],
        vec![("category", &category), ("polarity", "negative")],
        vec![("model", &model)],
        vec![("keyword", "质量")],
        vec![("keyword", "噪音"), ("brand", &brand)],
    ];
    println!("indicators asked: {}", indicators.join(", "));

    let mut plan: Vec<(&str, String)> = Vec::new();
    for f in &filters {
        let q = query(f);
        plan.push(("overview", format!("/api/v1/overview?{q}")));
        plan.push(("indicators/tree", format!("/api/v1/indicators/tree?{q}")));
        plan.push(("indicators/stats", format!("/api/v1/indicators/stats?{q}")));
        plan.push(("service", format!("/api/v1/service?{q}")));
        plan.push(("reviews (page 1)", format!("/api/v1/reviews?{q}")));
        plan.push(("reviews (page 50)", format!("/api/v1/reviews?{q}&page=50")));
        for indicator in &indicators {
            let mut with = f.clone();
            with.push(("indicator", indicator));
            plan.push((
                "indicators/detail",
                format!("/api/v1/indicators/detail?{}", query(&with)),
            ));
            with.retain(|(k, _)| *k != "polarity");
            with.push(("polarity", "negative"));
            plan.push((
                "reviews (indicator)",
                format!("/api/v1/reviews?{}", query(&with)),
            ));
        }
        plan.push(("compare (top 3 brands)", format!("/api/v1/compare?{q}")));
        let mut models = f.clone();
        models.retain(|(k, _)| *k != "model" && *k != "brand");
        models.push(("dimension", "channel"));
        plan.push((
            "compare (channels)",
            format!("/api/v1/compare?{}", query(&models)),
        ));
    }
    plan.push(("options", "/api/v1/options".to_string()));
    let mut narrow = vec![
        ("model", model.as_str()),
        ("from", month_ago.as_str()),
        ("to", last.as_str()),
    ];
    plan.push((
        "reviews/export (a model, 30 days)",
        format!("/api/v1/reviews/export?{}", query(&narrow)),
    ));
    narrow.truncate(1);
    plan.push((
        "reviews/export (a model)",
        format!("/api/v1/reviews/export?{}", query(&narrow)),
    ));

    let mut timings: HashMap<&str, Vec<Duration>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    // Exports are slow by nature (they write a file); fewer rounds of them.
    let export_rounds = 1.max(args.rounds / 5);
    let all_started = Instant::now();
    for round in 0..args.rounds {
        for (route, path) in &plan {
            if route.starts_with("reviews/export") && round >= export_rounds {
                continue;
            }
            let started = Instant::now();
            let (status, size) = get(addr, path, &cookie).await?;
            let took = started.elapsed();
            if status != 200 {
                return Err(format!("{path} answered {status}").into());
            }
            if !timings.contains_key(route) {
                order.push(route);
            }
            timings.entry(route).or_default().push(took);
            *sizes.entry(route).or_default() = size;
        }
    }
    let total = all_started.elapsed();

    println!();
    println!("| route | calls | p50 ms | p95 ms | p99 ms | max ms | last answer bytes |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut everything = Vec::new();
    for route in order {
        let mut t = timings.remove(route).unwrap_or_default();
        t.sort();
        if !route.starts_with("reviews/export") {
            everything.extend(t.iter().copied());
        }
        println!(
            "| {route} | {} | {} | {} | {} | {} | {} |",
            t.len(),
            ms(percentile(&t, 0.50)),
            ms(percentile(&t, 0.95)),
            ms(percentile(&t, 0.99)),
            ms(*t.last().unwrap_or(&Duration::ZERO)),
            sizes.get(route).copied().unwrap_or(0)
        );
    }
    everything.sort();
    println!(
        "| **all view routes** | {} | {} | {} | {} | {} | |",
        everything.len(),
        ms(percentile(&everything, 0.50)),
        ms(percentile(&everything, 0.95)),
        ms(percentile(&everything, 0.99)),
        ms(*everything.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "\n{} requests in {:.1} s; process RSS at the end {:.0} MiB",
        everything.len(),
        total.as_secs_f64(),
        rss_mib().unwrap_or(0.0)
    );
    let _ = stop.send(());
    server.await??;
    Ok(())
}
