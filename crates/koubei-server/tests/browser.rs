//! The dashboard in a real browser: serves a fresh database on a loopback port and runs
//! `tests/browser/dashboard.mjs`, which drives Debian's Chromium through playwright-core
//! (overview, drill-down with highlighted evidence, hostile text, filter in the URL) and
//! saves screenshots to `target/browser-screenshots/`.
//!
//! Needs `node`, Chromium (`/usr/bin/chromium`, or `KOUBEI_CHROMIUM`) and
//! `npm ci --prefix crates/koubei-server/tests/browser`; `.ci/run` installs all three and
//! sets `KOUBEI_BROWSER_TESTS=required`. Without them the test says what is missing and
//! passes, unless that variable is set.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use koubei_core::{Analysis, Channel, Mention, NewReview, Polarity};
use koubei_server::{AppState, serve_until};
use koubei_store::{AnalysedReview, SqliteStore, Store};
use tokio::net::TcpListener;

use common::{WS, mention};

fn review(channel: Channel, text: &str, mentions: Vec<Mention>) -> AnalysedReview {
    let mut review = NewReview::with_text(text);
    review.channel = channel;
    review.brand = Some("甲".into());
    review.created_at =
        chrono::NaiveDate::from_ymd_opt(2026, 11, 5).and_then(|d| d.and_hms_opt(10, 0, 0));
    AnalysedReview {
        review,
        analysis: Analysis {
            polarity: Polarity::Mixed,
            score: 0.0,
            mentions,
            aspects: None,
            flags: vec![],
        },
        followup: None,
    }
}

fn sample() -> Vec<AnalysedReview> {
    let suction = "产品/清洁能力/吸力";
    vec![
        review(
            Channel::Jd,
            "吸力大，噪音也大",
            vec![
                mention(suction, "吸力大", Polarity::Positive, 0, 3),
                mention("产品/噪音", "噪音大", Polarity::Negative, 4, 8),
            ],
        ),
        review(
            Channel::Tmall,
            "吸力很强<script>alert(1)</script><img src=x onerror=alert(2)>",
            vec![mention(suction, "吸力强", Polarity::Positive, 0, 4)],
        ),
    ]
}

/// What the walk needs, or why it cannot run.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/dashboard.mjs");
    let modules = script
        .with_file_name("node_modules")
        .join("playwright-core");
    if !modules.is_dir() {
        return Err(format!(
            "{} is missing: run npm ci --prefix crates/koubei-server/tests/browser",
            modules.display()
        ));
    }
    let chromium = std::env::var_os("KOUBEI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Err(format!("no Chromium at {}", chromium.display()));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("node is not on the PATH".to_string());
    }
    Ok((script, chromium))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_works_in_a_real_browser() {
    let (script, chromium) = match tools() {
        Ok(found) => found,
        Err(missing) if std::env::var_os("KOUBEI_BROWSER_TESTS").is_none() => {
            eprintln!("browser test skipped: {missing}");
            return;
        }
        Err(missing) => panic!("KOUBEI_BROWSER_TESTS is set but {missing}"),
    };

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("browser.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    store.ensure_workspace(WS).await.expect("workspace");
    store
        .insert_batch(WS, &sample(), "browser-test")
        .await
        .expect("insert");
    let state = AppState::new(Arc::new(store), WS);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_until(listener, state, async {
        let _ = stopped.await;
    }));

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    let walk = tokio::process::Command::new("node")
        .arg(&script)
        .arg(format!("http://{addr}"))
        .arg(&shots)
        .env("KOUBEI_CHROMIUM", &chromium)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), walk)
        .await
        .expect("the browser walk finishes within two minutes")
        .expect("node starts");
    let _ = stop.send(());
    let _ = server.await;

    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert!(shots.join("overview.png").is_file() && shots.join("reviews.png").is_file());
}
