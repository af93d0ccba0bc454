//! The dashboard's routes on a real SQLite file: overview, tree with change, detail,
//! compare with intervals and significance, service view, Chinese keyword search and the
//! Excel export of a selection.

mod common;

use std::io::Cursor;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use calamine::{Reader, Xlsx};
use chrono::NaiveDate;
use common::{WS, mention};
use koubei_core::{Analysis, Channel, Mention, NewReview, Polarity};
use koubei_server::{AppState, router};
use koubei_store::{AnalysedReview, SqliteStore, Store};
use serde_json::Value;
use tower::ServiceExt;

const HOSTILE: &str = "=HYPERLINK(\"http://x\")吸力很强<script>alert(1)</script>";

fn review(
    day: u32,
    brand: &str,
    model: &str,
    channel: Channel,
    text: &str,
    mentions: Vec<Mention>,
) -> AnalysedReview {
    let mut review = NewReview::with_text(text);
    review.channel = channel;
    review.brand = Some(brand.into());
    review.model = Some(model.into());
    review.created_at = NaiveDate::from_ymd_opt(2026, 5, day).and_then(|d| d.and_hms_opt(10, 0, 0));
    let polarity = if mentions.iter().any(|m| m.polarity == Polarity::Negative) {
        Polarity::Negative
    } else {
        Polarity::Positive
    };
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

/// Brand 甲 is praised for suction (40 of 40), brand 乙 is not (10 of 40); both have a
/// few complaints about customer service. May 1–10 is quiet, May 11–20 busier.
fn sample() -> Vec<AnalysedReview> {
    let suction = "产品/清洁能力/吸力";
    let mut out = Vec::new();
    for i in 0..40u32 {
        let day = 1 + i % 20;
        out.push(review(
            day,
            "甲",
            "X1",
            Channel::Jd,
            &format!("吸力很大，第{i}台"),
            vec![mention(suction, "吸力大", Polarity::Positive, 0, 4)],
        ));
        let (typical, polarity) = if i < 10 {
            ("吸力大", Polarity::Positive)
        } else {
            ("吸力小", Polarity::Negative)
        };
        out.push(review(
            day,
            "乙",
            "Y1",
            Channel::Tmall,
            &format!("吸力一般，第{i}台"),
            vec![mention(suction, typical, polarity, 0, 4)],
        ));
    }
    for i in 0..6u32 {
        out.push(review(
            12 + i,
            "乙",
            "Y2",
            Channel::Douyin,
            &format!("客服回复慢，等了{i}天"),
            vec![mention("服务/客服", "回复慢", Polarity::Negative, 0, 5)],
        ));
    }
    out.push(review(
        15,
        "甲",
        "X1",
        Channel::Jd,
        HOSTILE,
        vec![mention(suction, "吸力强", Polarity::Positive, 20, 24)],
    ));
    out
}

async fn app() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dash.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    store.ensure_workspace(WS).await.expect("workspace");
    store
        .insert_batch(WS, &sample(), "t")
        .await
        .expect("insert");
    (
        dir,
        router(AppState::new(Arc::new(store), WS).without_sign_in()),
    )
}

async fn fetch(app: &Router, uri: &str) -> (StatusCode, Vec<u8>, String) {
    let request = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, bytes.to_vec(), content_type)
}

async fn json(app: &Router, uri: &str) -> Value {
    let (status, bytes, _) = fetch(app, uri).await;
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(status, StatusCode::OK, "{uri}: {text}");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn find<'a>(rows: &'a Value, key: &str, value: &str) -> &'a Value {
    rows.as_array()
        .expect("array")
        .iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value} in {rows}"))
}

#[tokio::test]
async fn options_list_the_values_most_frequent_first() {
    let (_dir, app) = app().await;
    let options = json(&app, "/api/v1/options").await;
    assert_eq!(options["brands"][0]["value"], "乙");
    assert_eq!(options["brands"][0]["count"], 46);
    assert_eq!(options["first_day"], "2026-05-01");
    assert_eq!(options["last_day"], "2026-05-20");
    assert_eq!(options["channels"].as_array().expect("channels").len(), 3);
}

#[tokio::test]
async fn the_overview_has_totals_trend_and_top_lists() {
    let (_dir, app) = app().await;
    let o = json(&app, "/api/v1/overview").await;
    assert_eq!(o["summary"]["reviews"], 87);
    assert_eq!(o["summary"]["mentions"], 87);
    assert_eq!(o["trend"]["granularity"], "day");
    let points = o["trend"]["points"].as_array().expect("points");
    assert_eq!(points.len(), 20);
    assert_eq!(
        points
            .iter()
            .map(|p| p["reviews"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        87
    );
    assert_eq!(o["most_mentioned"][0]["indicator"], "产品/清洁能力");
    assert_eq!(o["most_criticised"][0]["indicator"], "产品/清洁能力");
    assert_eq!(o["negative_reasons"][0]["typical"], "吸力小");
    assert_eq!(o["alerts"], Value::Array(vec![]));

    let weekly = json(&app, "/api/v1/overview?granularity=week").await;
    assert_eq!(weekly["trend"]["points"][0]["period"], "2026-04-27");
}

#[tokio::test]
async fn the_tree_compares_with_the_previous_period() {
    let (_dir, app) = app().await;
    let t = json(
        &app,
        "/api/v1/indicators/tree?from=2026-05-11&to=2026-05-20",
    )
    .await;
    assert_eq!(t["period"]["basis"], "selected");
    assert_eq!(t["previous"]["from"], "2026-05-01");
    assert_eq!(t["previous"]["to"], "2026-05-10");
    let rows = &t["indicators"];
    assert_eq!(rows[0]["indicator"], "产品", "tree order starts at a root");
    let service = find(rows, "indicator", "服务/客服");
    assert_eq!(service["mentions"], 6);
    assert_eq!(service["previous"]["mentions"], 0);
    assert!(service["change"]["mentions"].is_null());
    let suction = find(rows, "indicator", "产品/清洁能力/吸力");
    assert_eq!(suction["previous"]["mentions"], 40);
    assert_eq!(suction["parent"], "产品/清洁能力");
    assert_eq!(suction["name"], "吸力");

    let latest = json(&app, "/api/v1/indicators/tree").await;
    assert_eq!(latest["period"]["basis"], "latest_30_days");
    assert_eq!(latest["period"]["to"], "2026-05-20");
}

#[tokio::test]
async fn the_detail_explains_an_indicator() {
    let (_dir, app) = app().await;
    let d = json(&app, "/api/v1/indicators/detail?indicator=产品/清洁能力").await;
    assert_eq!(d["indicator"]["mentions"], 81);
    assert_eq!(d["children"][0]["name"], "吸力");
    assert_eq!(d["negative_reasons"][0]["reason"], "吸力");
    assert_eq!(d["negative_reasons"][0]["share"], 1.0);
    assert_eq!(d["negative_opinions"][0]["typical"], "吸力小");
    assert_eq!(d["negative_opinions"][0]["count"], 30);
    let jd = find(&d["by_channel"], "value", "jd");
    assert_eq!(jd["mentions"], 41);
    let y1 = find(&d["by_model"], "value", "Y1");
    assert_eq!(y1["negative"], 30);

    let leaf = json(&app, "/api/v1/indicators/detail?indicator=服务/客服").await;
    assert_eq!(leaf["negative_reasons"][0]["typical"], "回复慢");

    let (status, _, _) = fetch(&app, "/api/v1/indicators/detail?indicator=产品/不存在").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&app, "/api/v1/indicators/detail").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn compare_marks_significant_differences_with_intervals() {
    let (_dir, app) = app().await;
    let c = json(&app, "/api/v1/compare?dimension=brand&values=甲,乙").await;
    assert_eq!(c["values"][0]["value"], "甲");
    assert_eq!(c["values"][1]["reviews"], 46);
    let suction = find(&c["indicators"], "indicator", "产品/清洁能力/吸力");
    let (a, b) = (&suction["cells"][0], &suction["cells"][1]);
    assert_eq!(a["satisfaction"], 1.0);
    assert!(a["p_value"].is_null() && a["significant"] == false);
    assert_eq!(b["satisfaction"], 0.25);
    assert!(b["ci_low"].as_f64().expect("low") < 0.25);
    assert!(b["ci_high"].as_f64().expect("high") > 0.25);
    assert_eq!(b["significant"], true);
    assert!(b["diff"].as_f64().expect("diff") < -0.7);

    // Too few mentions on one side: no significance claimed.
    let service = find(&c["indicators"], "indicator", "服务/客服");
    assert_eq!(service["cells"][1]["significant"], false);

    let default = json(&app, "/api/v1/compare?dimension=model").await;
    assert_eq!(default["values"].as_array().expect("values").len(), 3);
    let (status, _, _) = fetch(&app, "/api/v1/compare?dimension=colour").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_service_view_gathers_service_indicators() {
    let (_dir, app) = app().await;
    let s = json(&app, "/api/v1/service").await;
    assert_eq!(s["roots"], serde_json::json!(["服务"]));
    let paths: Vec<&str> = s["indicators"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["indicator"].as_str())
        .collect();
    assert_eq!(paths, ["服务", "服务/客服"]);
    assert_eq!(s["complaints"][0]["typical"], "回复慢");
    let total: u64 = s["trend"]["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["mentions"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 6);
}

#[tokio::test]
async fn keyword_and_polarity_filters_apply_everywhere() {
    let (_dir, app) = app().await;
    let page = json(&app, "/api/v1/reviews?keyword=回复慢").await;
    assert_eq!(page["total"], 6);
    let o = json(&app, "/api/v1/overview?q=客服").await;
    assert_eq!(o["summary"]["reviews"], 6);
    let negative = json(&app, "/api/v1/overview?polarity=negative").await;
    assert_eq!(negative["summary"]["reviews"], 36);
    let mentions = json(
        &app,
        "/api/v1/reviews?indicator=产品/清洁能力/吸力&polarity=negative&page_size=5",
    )
    .await;
    assert_eq!(mentions["total"], 30);
    assert_eq!(mentions["reviews"].as_array().expect("reviews").len(), 5);
}

#[tokio::test]
async fn the_export_is_a_workbook_of_the_selection_with_text_kept_as_text() {
    let (_dir, app) = app().await;
    let (status, bytes, content_type) =
        fetch(&app, "/api/v1/reviews/export?brand=甲&keyword=script").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.contains("spreadsheetml"), "{content_type}");
    assert!(bytes.starts_with(b"PK"), "an xlsx file is a zip");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx workbook");
    let sheet = book.worksheet_range("评论").expect("sheet 评论");
    assert_eq!(sheet.height(), 2, "header and the one matching review");
    let text = sheet.get_value((1, 9)).expect("text cell").to_string();
    assert_eq!(text, HOSTILE);
    let formulas = book.worksheet_formula("评论").expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    let filter = book.worksheet_range("筛选条件").expect("sheet 筛选条件");
    let cells: Vec<String> = filter.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "甲"), "{cells:?}");
}

#[tokio::test]
async fn with_a_category_the_tree_lists_every_indicator_of_its_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tree.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open store");
    store.ensure_workspace(WS).await.expect("workspace");
    let mut reviews = sample();
    for r in &mut reviews {
        r.review.category = Some("扫地机器人".into());
    }
    store.insert_batch(WS, &reviews, "t").await.expect("insert");
    let engine = Arc::new(koubei_engine::Engine::new().expect("engine"));
    let app = router(
        AppState::new(Arc::new(store), WS)
            .with_engine(engine)
            .without_sign_in(),
    );
    let t = json(&app, "/api/v1/indicators/tree?category=扫地机器人").await;
    let battery = find(&t["indicators"], "indicator", "产品/续航");
    assert_eq!(
        battery["mentions"], 0,
        "an indicator nobody mentioned is a row too"
    );
    let suction = find(&t["indicators"], "indicator", "产品/清洁能力/吸力");
    assert_eq!(suction["mentions"], 81);
    // Without a category the tree is what was mentioned.
    let all = json(&app, "/api/v1/indicators/tree").await;
    assert!(
        all["indicators"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["indicator"] != "产品/续航")
    );
}

#[tokio::test]
async fn a_huge_date_range_gets_a_bounded_answer() {
    let (_dir, app) = app().await;
    let o = json(
        &app,
        "/api/v1/overview?granularity=day&from=1900-01-01&to=2100-12-31",
    )
    .await;
    let points = o["trend"]["points"].as_array().expect("points").len();
    assert!(points <= 1000, "{points} points");
    let (status, body, _) = fetch(&app, "/api/v1/overview?from=0001-01-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("`from`"));
}
