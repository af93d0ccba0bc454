//! The dashboard in a real browser: serves a fresh database on a loopback port and runs
//! `tests/browser/dashboard.mjs`, which drives Debian's Chromium through playwright-core
//! through every view (charts drawn without Content-Security-Policy reports, the tree, an
//! indicator, a number followed to its highlighted evidence, a filter in the URL, the
//! Excel export opened, the English switch, hostile text shown as text everywhere) and
//! saves screenshots to `target/browser-screenshots/`.
//!
//! The fixture has 60 generated reviews over 40 days, three brands (one named in markup,
//! `<b>乙</b>`), five models and four channels, plus the hostile review and a flagged one.
//!
//! Needs `node`, Chromium (`/usr/bin/chromium`, or `KOUBEI_CHROMIUM`) and
//! `npm ci --prefix crates/koubei-server/tests/browser`; `.ci/run` installs all three and
//! sets `KOUBEI_BROWSER_TESTS=required`. Without them the test says what is missing and
//! passes, unless that variable is set.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use koubei_core::{Analysis, Channel, Flag, Mention, NewReview, Polarity};
use koubei_server::{AppState, serve_until};
use koubei_store::{AnalysedReview, SqliteStore, Store};
use tokio::net::TcpListener;

use common::{WS, mention};

/// The account the walk signs in with.
const USER: &str = "browser-admin";
const PASSWORD: &str = "a password for the browser walk";

/// The hostile review: markup that must show as text on every view and in the export.
const HOSTILE_TEXT: &str = "吸力很强<script>alert(1)</script><img src=x onerror=alert(2)>";

/// The fixture's last day; the reviews spread over the 40 days before it.
const LAST_DAY: (i32, u32, u32) = (2026, 11, 5);
const SPAN_DAYS: usize = 40;
const GENERATED: usize = 60;

const SUCTION: &str = "产品/清洁能力/吸力";

/// A clause a generated review is made of: its text and the mention it carries.
struct Clause {
    text: &'static str,
    indicator: &'static str,
    typical: &'static str,
    polarity: Polarity,
}

const fn clause(
    text: &'static str,
    indicator: &'static str,
    typical: &'static str,
    polarity: Polarity,
) -> Clause {
    Clause {
        text,
        indicator,
        typical,
        polarity,
    }
}

const CLAUSES: &[Clause] = &[
    clause("吸力大", SUCTION, "吸力大", Polarity::Positive),
    clause("噪音大", "产品/噪音", "噪音大", Polarity::Negative),
    clause("续航很长", "产品/续航", "续航长", Polarity::Positive),
    clause("客服不回复", "服务/客服", "不回复", Polarity::Negative),
    clause("吸力很弱", SUCTION, "吸力弱", Polarity::Negative),
    clause("物流很快", "服务/物流", "物流快", Polarity::Positive),
    clause("很安静", "产品/噪音", "安静", Polarity::Positive),
    clause("续航太短", "产品/续航", "续航短", Polarity::Negative),
    clause("客服态度好", "服务/客服", "态度好", Polarity::Positive),
    clause("快递太慢", "服务/物流", "物流慢", Polarity::Negative),
    clause("安装师傅很专业", "服务/安装", "专业", Polarity::Positive),
];

/// Brands with their series and models; the second is named in markup, which every view
/// must show as text.
const PRODUCTS: &[(&str, &str, &[&str])] = &[
    ("甲", "S系列", &["S1", "S2"]),
    ("<b>乙</b>", "T系列", &["<b>乙</b> T1", "T2"]),
    ("丙", "U系列", &["U1"]),
];

const CHANNELS: &[Channel] = &[Channel::Jd, Channel::Tmall, Channel::Pdd, Channel::Douyin];

fn review(channel: Channel, text: &str, mentions: Vec<Mention>) -> AnalysedReview {
    let mut review = NewReview::with_text(text);
    review.channel = channel;
    review.brand = Some("甲".into());
    review.series = Some("S系列".into());
    review.model = Some("S1".into());
    review.category = Some("扫地机器人".into());
    review.created_at = day(0).and_hms_opt(10, 0, 0);
    let polarity = overall(&mentions);
    AnalysedReview {
        review,
        analysis: Analysis {
            polarity,
            score: 0.0,
            mentions,
            aspects: None,
            flags: vec![],
        },
        followup: None,
    }
}

/// The day `back` days before the fixture's last day.
fn day(back: usize) -> chrono::NaiveDate {
    let (y, m, d) = LAST_DAY;
    let last = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a real date");
    last - chrono::Days::new(back as u64)
}

/// The review's polarity from its mentions: one sign, or mixed.
fn overall(mentions: &[Mention]) -> Polarity {
    let positive = mentions.iter().any(|m| m.polarity == Polarity::Positive);
    let negative = mentions.iter().any(|m| m.polarity == Polarity::Negative);
    match (positive, negative) {
        (true, true) => Polarity::Mixed,
        (true, false) => Polarity::Positive,
        (false, true) => Polarity::Negative,
        (false, false) => Polarity::Neutral,
    }
}

/// Review `i` of the generated set: two clauses, a brand, model and channel in turn, a
/// day in the span (newest first).
fn generated(i: usize) -> AnalysedReview {
    let first = &CLAUSES[i % CLAUSES.len()];
    let mut second = &CLAUSES[(i * 7 + 3) % CLAUSES.len()];
    if second.indicator == first.indicator {
        second = &CLAUSES[(i + 1) % CLAUSES.len()];
    }
    let split = first.text.chars().count();
    let text = format!("{}，{}", first.text, second.text);
    let mentions = vec![
        mention(first.indicator, first.typical, first.polarity, 0, split),
        mention(
            second.indicator,
            second.typical,
            second.polarity,
            split + 1,
            split + 1 + second.text.chars().count(),
        ),
    ];

    let mut review = review(CHANNELS[i % CHANNELS.len()], &text, mentions);
    let (brand, series, models) = PRODUCTS[i % PRODUCTS.len()];
    review.review.brand = Some(brand.into());
    review.review.series = Some(series.into());
    review.review.model = Some(models[(i / PRODUCTS.len()) % models.len()].into());
    review.review.channel_review_id = Some(format!("gen-{i}"));
    review.review.rating = Some(match review.analysis.polarity {
        Polarity::Positive => 5,
        Polarity::Negative => 1,
        _ => 3,
    });
    review.review.created_at = day(i * SPAN_DAYS / GENERATED).and_hms_opt(9 + (i % 8) as u32, 0, 0);
    review
}

fn sample() -> Vec<AnalysedReview> {
    let mut flagged = review(Channel::Jd, "系统默认好评", vec![]);
    flagged.analysis.flags = vec![Flag::DefaultReview];
    let mut all = vec![
        review(
            Channel::Jd,
            "吸力大，噪音也大",
            vec![
                mention(SUCTION, "吸力大", Polarity::Positive, 0, 3),
                mention("产品/噪音", "噪音大", Polarity::Negative, 4, 8),
            ],
        ),
        review(
            Channel::Tmall,
            HOSTILE_TEXT,
            vec![mention(SUCTION, "吸力强", Polarity::Positive, 0, 4)],
        ),
        flagged,
    ];
    all.extend((0..GENERATED).map(generated));
    all
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
    let hash = koubei_server::password::hash_password(PASSWORD).expect("hash");
    store
        .create_user(WS, USER, &hash, "admin", "browser-test")
        .await
        .expect("user");
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
        .env("KOUBEI_TEST_USER", USER)
        .env("KOUBEI_TEST_PASSWORD", PASSWORD)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(240), walk)
        .await
        .expect("the browser walk finishes within four minutes")
        .expect("node starts");
    let _ = stop.send(());
    let _ = server.await;

    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    for view in [
        "overview",
        "indicators",
        "indicator",
        "reviews",
        "compare",
        "service",
        "login",
        "admin",
    ] {
        let shot = shots.join(format!("{view}.png"));
        assert!(shot.is_file(), "no screenshot {}", shot.display());
    }
}
