//! A dashboard to click through: fills a fresh SQLite file with a few hand-written reviews
//! (one of them hostile HTML, one with an emoji before its evidence) and serves it.
//!
//! Run with `cargo run -p koubei-server --example demo -- 127.0.0.1:8080`, then open
//! the address in a browser; Ctrl-C stops it.

use std::sync::Arc;

use koubei_core::{Analysis, Channel, Mention, NewReview, Polarity};
use koubei_server::{AppState, serve};
use koubei_store::{AnalysedReview, SqliteStore, Store};

const WORKSPACE: &str = "default";
const DEFAULT_ADDR: &str = "127.0.0.1:8080";

fn mention(path: &str, opinion: &str, polarity: Polarity, start: usize, end: usize) -> Mention {
    Mention {
        indicator: path.to_string(),
        indicator_id: path.rsplit('/').next().unwrap_or(path).to_string(),
        code: None,
        aspect: None,
        opinion: opinion.to_string(),
        typical: opinion.to_string(),
        polarity,
        start,
        end,
    }
}

fn review(day: u32, channel: Channel, text: &str, mentions: Vec<Mention>) -> AnalysedReview {
    let mut review = NewReview::with_text(text);
    review.channel = channel;
    review.brand = Some("甲牌".into());
    review.model = Some("X1".into());
    review.rating = Some(4);
    review.created_at =
        chrono::NaiveDate::from_ymd_opt(2024, 3, day).and_then(|d| d.and_hms_opt(9, 30, 0));
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

fn overall(mentions: &[Mention]) -> Polarity {
    let has = |p| mentions.iter().any(|m| m.polarity == p);
    match (has(Polarity::Positive), has(Polarity::Negative)) {
        (true, true) => Polarity::Mixed,
        (true, false) => Polarity::Positive,
        (false, true) => Polarity::Negative,
        (false, false) => Polarity::Neutral,
    }
}

fn samples() -> Vec<AnalysedReview> {
    use Polarity::{Negative, Neutral, Positive};
    let mut first = review(
        1,
        Channel::Tmall,
        "吸力很大，地毯也能吸干净，就是噪音有点大",
        vec![
            mention("产品/清洁能力/吸力", "很大", Positive, 2, 4),
            mention("产品/清洁能力/地毯清洁", "干净", Positive, 10, 12),
            mention("产品/噪音", "有点大", Negative, 17, 20),
        ],
    );
    first.review.followup_text = Some("用了两周，续航一般，回充偶尔找不到座".into());
    first.followup = Some(Analysis {
        polarity: Negative,
        score: -0.4,
        mentions: vec![
            mention("产品/续航", "一般", Neutral, 7, 9),
            mention("产品/智能/回充", "找不到座", Negative, 14, 18),
        ],
        aspects: None,
        flags: vec![],
    });
    vec![
        first,
        review(
            2,
            Channel::Jd,
            "😀物流很快，客服态度好",
            vec![
                mention("服务/物流", "很快", Positive, 3, 5),
                mention("服务/客服", "态度好", Positive, 8, 11),
            ],
        ),
        review(
            3,
            Channel::Jd,
            "<script>alert(1)</script><img src=x onerror=alert(2)> 噪音太大了",
            vec![mention("产品/噪音", "太大", Negative, 56, 58)],
        ),
        review(
            4,
            Channel::Pdd,
            "外观漂亮，吸力强",
            vec![
                mention("产品/外观", "漂亮", Positive, 2, 4),
                mention("产品/清洁能力/吸力", "强", Positive, 7, 8),
            ],
        ),
    ]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_ADDR.to_string());
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("demo.db");
    let store = SqliteStore::open(path.to_str().ok_or("temp path is not UTF-8")?).await?;
    store.ensure_workspace(WORKSPACE).await?;
    store.insert_batch(WORKSPACE, &samples(), "demo").await?;

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("koubei demo on http://{}", listener.local_addr()?);
    let state = AppState::new(Arc::new(store), WORKSPACE);
    serve(listener, state).await?;
    Ok(())
}
